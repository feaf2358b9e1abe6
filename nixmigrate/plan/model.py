"""A plan: the generated files for phases 1..N, and per phase what `apply` will do."""

from __future__ import annotations

from dataclasses import dataclass

from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import Step, WriteFile


@dataclass(frozen=True, slots=True)
class PhasePlan:
    phase: Phase
    title: str
    preconditions: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()  # config-dir relative files this phase adds or changes
    steps: tuple[Step, ...] = ()  # run by `apply`, inside one checkpoint
    commands: tuple[str, ...] = ()  # what the user runs next (build, switch, deploy)
    verify: tuple[str, ...] = ()  # how to check the phase worked
    undo: tuple[str, ...] = ()  # how to go back
    notes: tuple[str, ...] = ()  # warnings, items left out and why


@dataclass(frozen=True, slots=True)
class Plan:
    config_dir: str
    hostname: str
    user: str
    system: str  # aarch64-darwin, x86_64-linux, aarch64-linux
    home: str
    through: Phase
    files: tuple[WriteFile, ...]  # the complete generated tree for phases 1..through
    phases: tuple[PhasePlan, ...]

    def phase(self, phase: Phase) -> PhasePlan:
        return next(p for p in self.phases if p.phase == phase)
