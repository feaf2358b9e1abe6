"""Phase 4: converted configs become programs.* settings (git, starship, shell tools)."""

from __future__ import annotations

from nixmigrate.plan.commands import activate_argv
from nixmigrate.plan.declarative import SHELL_TOOLS
from nixmigrate.plan.facts import Facts
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.phases import PHASES, Phase
from nixmigrate.plan.steps import Activate, Step


def declarative_phase(facts: Facts) -> PhasePlan:
    plan = facts.declarative
    steps: list[Step] = list(plan.unstow)
    if plan.unstow or plan.modules:
        steps.append(
            Activate(activate_argv(facts.options, installed=True), plan.managed)
        )
    notes = list(plan.notes)
    if facts.options.sops and plan.secret_links:
        notes.append("sops-nix is wired in: secrets can move into sops files later")
    return PhasePlan(
        phase=Phase.DECLARATIVE,
        title=PHASES[Phase.DECLARATIVE].title,
        preconditions=("phase 3 was applied",) if steps else (),
        steps=tuple(steps),
        commands=("nixmigrate apply --phase 4",) if steps else (),
        verify=_verify(facts),
        undo=("nixmigrate rollback",),
        notes=tuple(notes) or ("no Stow package is marked declarative",),
    )


def _verify(facts: Facts) -> tuple[str, ...]:
    programs = facts.declarative.programs
    checks = [
        f"`command -v {tool}` prints a path in the Nix profile"
        for tool in sorted(programs & set(SHELL_TOOLS))
    ]
    if "git" in programs:
        checks.append("`git config --show-origin user.name` names ~/.config/git/config")
    if "starship" in programs:
        checks.append("`starship print-config` shows your prompt settings")
    return tuple(checks)
