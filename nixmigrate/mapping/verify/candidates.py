"""Names worth trying in the user's nixpkgs for items nothing maps, and promotion.

For every `unmapped` formula `nixmigrate verify` asks the same single Nix evaluation
about a few candidate attributes: the brew name, its Homebrew aliases and old names,
`-`/`_` variants, versioned spellings (`foo@1.2` -> foo_1_2, foo12) and the formula's
commands. A candidate that exists, is a package, is available on this machine and
provides the formula's main command (`meta.mainProgram`, or `bin/<command>` in its
store path when it is already built) turns the item into `nix`, confidence `verified`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from nixmigrate.mapping.rules import Rules, split_versioned
from nixmigrate.mapping.verify.model import Trial, TrialCheck, VerifyReport

if TYPE_CHECKING:
    from nixmigrate.resolution import Resolution

MAX_TRIALS: Final = 8  # per item, to keep the one evaluation small
_ATTR_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_'+-]*$")


def trials_for(resolutions: Iterable[Resolution], rules: Rules) -> tuple[Trial, ...]:
    """Candidates for every unmapped formula, best first per item."""
    aliases = _reverse(rules.formula_aliases)
    old_names = _reverse(rules.formula_renames)
    found: list[Trial] = []
    for resolution in resolutions:
        if resolution.kind == "formula" and resolution.action == "unmapped":
            found += _item_trials(resolution.name, rules, aliases, old_names)
    return tuple(found)


def _item_trials(
    name: str,
    rules: Rules,
    aliases: Mapping[str, Sequence[str]],
    old_names: Mapping[str, Sequence[str]],
) -> list[Trial]:
    short = name.rsplit("/", 1)[-1]
    commands = rules.formula_executables.get(short, ())
    command = short if short in commands or not commands else commands[0]
    named = [
        (short, "the brew name"),
        *((a, f"Homebrew alias {a}") for a in aliases.get(short, ())),
        *((o, f"old Homebrew name {o}") for o in old_names.get(short, ())),
        *((v, "spelling variant") for v in _variants(short)),
        *((v, "versioned name") for v in _versioned(short)),
        *((c, f"its command {c}") for c in commands[:3]),
    ]
    unique = dict.fromkeys((attr, how) for attr, how in named if _ATTR_NAME.match(attr))
    seen: set[str] = set()
    trials: list[Trial] = []
    for attr, how in unique:
        if attr not in seen and len(trials) < MAX_TRIALS:
            seen.add(attr)
            trials.append(Trial(item=name, attr=attr, how=how, command=command))
    return trials


def _reverse(table: Mapping[str, str]) -> dict[str, list[str]]:
    reverse: dict[str, list[str]] = {}
    for old, new in table.items():
        reverse.setdefault(new, []).append(old)
    return reverse


def _variants(name: str) -> Iterator[str]:
    yield name.lower()
    yield name.replace("-", "_")
    yield name.replace("_", "-")


def _versioned(name: str) -> Iterator[str]:
    split = split_versioned(name)
    if split is None:
        return
    family, version = split
    family = family.replace("_", "-")
    yield f"{family}_{version.replace('.', '_')}"
    yield f"{family}{version.replace('.', '')}"
    yield f"{family}_{version.replace('.', '')}"


# ---------------------------------------------------------------- promotion


def promote(
    resolutions: Iterable[Resolution], report: VerifyReport
) -> tuple[Resolution, ...]:
    """Unmapped items whose candidate passed become `nix`, confidence `verified`."""
    winners: dict[str, TrialCheck] = {}
    for result in report.trials:
        if result.promotes:
            winners.setdefault(result.trial.item, result)
    return tuple(
        _promoted(r, winners[r.name], report)
        if r.action == "unmapped" and r.name in winners
        else r
        for r in resolutions
    )


def _promoted(
    resolution: Resolution, result: TrialCheck, report: VerifyReport
) -> Resolution:
    trial = result.trial
    how = (
        "its meta.mainProgram"
        if result.main_program == trial.command
        else f"bin/{trial.command} in its store path"
    )
    step = (
        f"verify candidate {trial.how} {trial.attr}: a package providing "
        f"{trial.command} ({how}) in {report.nixpkgs}"
    )
    return replace(
        resolution,
        action="nix",
        confidence="verified",
        attr=trial.attr,
        reason=(
            f"your nixpkgs ({report.nixpkgs}) has {trial.attr} ({trial.how}), "
            f"which provides {trial.command}"
        ),
        chain=(*resolution.chain, step),
    )


def promoted_names(
    before: Iterable[Resolution], after: Iterable[Resolution]
) -> list[tuple[str, str]]:
    """(item, attribute) for each item verify turned from unmapped into nix."""
    was = {r.name: r.action for r in before}
    return [
        (r.name, r.attr or "")
        for r in after
        if r.confidence == "verified" and was.get(r.name) == "unmapped"
    ]
