"""Is a Homebrew formula replaced yet? Only when each of its commands, looked up on
PATH, resolves into a Nix profile or the Nix store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from nixmigrate.errors import NixmigrateError
from nixmigrate.system.runner import Runner

_COMMAND_DIRS: Final = frozenset({"bin", "sbin"})


def default_nix_roots(
    home: Path, env: Mapping[str, str] | None = None
) -> tuple[Path, ...]:
    """Where commands installed by Nix live: the store and the usual profiles."""
    env = os.environ if env is None else env
    user = env.get("USER") or env.get("LOGNAME") or home.name
    return (
        Path("/nix/store"),
        Path("/etc/profiles/per-user") / user,
        home / ".nix-profile",
        Path("/run/current-system/sw"),
    )


def brew_list_cmd(formula: str) -> list[str]:
    return ["brew", "list", "--formula", formula]


def commands_in_listing(listing: str) -> tuple[str, ...]:
    """Command names from `brew list --formula NAME`: the files directly in bin/, sbin/."""
    names: dict[str, None] = {}
    for line in listing.splitlines():
        path = PurePosixPath(line.strip())
        if path.parent.name in _COMMAND_DIRS and path.name:
            names[path.name] = None
    return tuple(names)


@dataclass(frozen=True, slots=True)
class CommandSource:
    name: str
    found: str | None  # what PATH lookup found
    resolved: str | None  # after following links
    from_nix: bool


@dataclass(frozen=True, slots=True)
class FormulaCheck:
    formula: str
    replaced: bool
    reason: str  # why it is kept (empty when replaced)
    commands: tuple[CommandSource, ...] = ()


def _inside(path: str, roots: Sequence[Path]) -> bool:
    candidate = Path(path)
    for root in roots:
        for form in {root, Path(os.path.realpath(root))}:
            if candidate.is_relative_to(form):
                return True
    return False


def locate_command(runner: Runner, name: str, roots: Sequence[Path]) -> CommandSource:
    found = runner.which(name)
    if found is None:
        return CommandSource(name, None, None, from_nix=False)
    resolved = os.path.realpath(found)
    from_nix = _inside(found, roots) or _inside(resolved, roots)
    return CommandSource(name, found, resolved, from_nix=from_nix)


def check_formula_replaced(
    runner: Runner, formula: str, roots: Sequence[Path]
) -> FormulaCheck:
    """Whether every command of `formula` already comes from Nix."""
    try:
        done = runner.run(brew_list_cmd(formula), check=False)
    except NixmigrateError as err:
        return FormulaCheck(formula, replaced=False, reason=f"cannot list it: {err}")
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["brew list failed"])[0]
        return FormulaCheck(formula, replaced=False, reason=first)
    names = commands_in_listing(done.stdout)
    if not names:
        reason = "it installs no commands, so nothing shows Nix provides it"
        return FormulaCheck(formula, replaced=False, reason=reason)
    sources = tuple(locate_command(runner, name, roots) for name in names)
    not_nix = [s for s in sources if not s.from_nix]
    if not_nix:
        where = ", ".join(f"{s.name} -> {s.resolved or 'not on PATH'}" for s in not_nix)
        reason = f"not all its commands come from Nix yet ({where})"
        return FormulaCheck(formula, replaced=False, reason=reason, commands=sources)
    return FormulaCheck(formula, replaced=True, reason="", commands=sources)
