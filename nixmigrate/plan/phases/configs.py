"""Phase 3: Stow packages marked mutable become home-manager links into the repo."""

from __future__ import annotations

from nixmigrate.plan.commands import activate_argv
from nixmigrate.plan.config import MutableLink
from nixmigrate.plan.facts import Facts
from nixmigrate.plan.links import (
    StowContext,
    home_path_of,
    unfold_command,
    unstow_step,
    wide_folds,
)
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.phases import PHASES, Phase
from nixmigrate.plan.steps import Activate, Step
from nixmigrate.scan.inventory import StowPackage


def configs_phase(facts: Facts) -> PhasePlan:
    steps: list[Step] = []
    if facts.stow is not None and facts.mutable:
        steps.extend(unstow_step(facts.stow, p) for p in facts.mutable)
        managed = tuple(sorted(link.home_path for link in facts.mutable_links))
        steps.append(Activate(activate_argv(facts.options, installed=True), managed))
    return PhasePlan(
        phase=Phase.CONFIGS,
        title=PHASES[Phase.CONFIGS].title,
        preconditions=_preconditions(facts),
        steps=tuple(steps),
        commands=("nixmigrate apply --phase 3",) if steps else (),
        verify=_verify(facts),
        undo=("nixmigrate rollback (restores the Stow links byte for byte)",),
        notes=_notes(facts),
    )


def _preconditions(facts: Facts) -> tuple[str, ...]:
    if facts.stow is None:
        return ()
    clean = (
        f"the git repository holding {facts.stow.dotfiles_dir} has no uncommitted "
        "changes (commit or stash them first)"
    )
    return ("phase 2 was switched successfully", clean)


def _verify(facts: Facts) -> tuple[str, ...]:
    checks = [
        f"`readlink ~/{link.home_path}` points into /nix/store and "
        f"`readlink -f ~/{link.home_path}` into the dotfiles repo"
        for link in facts.mutable_links[:3]
    ]
    if any(link.name == "nvim" for link in facts.mutable_links):
        checks.append(
            "`:Lazy update` in nvim changes lazy-lock.json inside the dotfiles repo"
        )
    return tuple(checks)


def _notes(facts: Facts) -> tuple[str, ...]:
    stow = facts.inventory.stow
    if stow is None:
        return ("no Stow directory was scanned: nothing to link",)
    if facts.stow is None:
        return (
            f"the Stow target {stow.target} is not inside {facts.options.home}: not linked",
        )
    notes = [
        (
            "home-manager refuses to replace a link it did not make, so each package is "
            "unstowed right before the switch"
        )
    ]
    folded = [link for link in facts.mutable_links if _folded(facts, link.home_path)]
    if folded:
        names = ", ".join(f"~/{link.home_path}" for link in folded)
        notes.append(f"folded directories stay one link each: {names}")
    notes.extend(
        _unfold_note(facts.stow, link, package)
        for link in wide_folds(facts.mutable_links)
        if (package := facts.stow.stow.package(link.package)) is not None
    )
    notes.extend(_skipped(facts))
    return tuple(notes)


def _unfold_note(stow: StowContext, link: MutableLink, package: StowPackage) -> str:
    note = (
        f"~/{link.home_path} folds a directory home-manager also writes into; "
        f"re-stow package {package.label} with --no-folding before this phase: "
        f"`{unfold_command(stow, package)}`"
    )
    source = next(
        (
            own.source
            for own in package.links
            if own.folded and home_path_of(stow, own) == link.home_path
        ),
        "",
    )
    name = source.rpartition("/")[2]
    if package.dotfiles and name.startswith("dot-"):
        # Stow 2.3.1 checks for the translated name (.config) in the package,
        # finds no directory there, and links it whole
        note += (
            f"; Stow 2.3.1 folds a `dot-` directory even with --no-folding, so with "
            f"it first rename {package.name}/{source} to "
            f"{package.name}/{source.removesuffix(name)}.{name.removeprefix('dot-')}"
        )
    return note


def _folded(facts: Facts, home_path: str) -> bool:
    stow = facts.stow
    return stow is not None and any(
        link.folded and home_path_of(stow, link) == home_path
        for p in facts.mutable
        for link in p.links
    )


def _skipped(facts: Facts) -> list[str]:
    stow = facts.inventory.stow
    if stow is None:
        return []
    notes = [
        f"package {p.label} is not linked (status {p.status}): nothing to migrate"
        for p in stow.packages
        if p.include and p.mode == "mutable" and not p.links
    ]
    notes.extend(
        f"package {p.label}: {c.path} is in the way ({c.kind}); it is left alone"
        for p in stow.packages
        if p.include
        for c in p.conflicts
    )
    return notes
