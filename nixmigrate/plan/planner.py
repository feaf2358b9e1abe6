"""Facts + rendered trees -> Plan: what each phase 1..N does and which files it writes.

Pure: the same facts and trees always give the same plan. A phase's `writes` are
the files that differ between the trees for 1..N-1 and 1..N. Rendering the trees
is render's job (render/plan_tree.py builds a whole Plan from an inventory).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Final

from nixmigrate.plan.commands import activate_argv
from nixmigrate.plan.facts import Facts
from nixmigrate.plan.model import PhasePlan, Plan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.phases.cleanup import cleanup_phase
from nixmigrate.plan.phases.configs import configs_phase
from nixmigrate.plan.phases.declarative import declarative_phase
from nixmigrate.plan.phases.foundation import foundation_phase
from nixmigrate.plan.phases.macos import macos_phase
from nixmigrate.plan.phases.packages import packages_phase
from nixmigrate.plan.phases.second_host import second_host_phase
from nixmigrate.plan.steps import Activate, WriteFile

PHASE_BUILDERS: Final[Mapping[Phase, Callable[[Facts], PhasePlan]]] = {
    Phase.FOUNDATION: foundation_phase,
    Phase.PACKAGES: packages_phase,
    Phase.CONFIGS: configs_phase,
    Phase.DECLARATIVE: declarative_phase,
    Phase.MACOS: macos_phase,
    Phase.SECOND_MACHINE: second_host_phase,
    Phase.CLEANUP: cleanup_phase,
}


def phases_through(through: Phase) -> tuple[Phase, ...]:
    return tuple(p for p in Phase if p <= through)


def assemble_plan(facts: Facts, trees: Mapping[Phase, tuple[WriteFile, ...]]) -> Plan:
    """The Plan from the rendered tree of every phase 1..N (N = options.through)."""
    options = facts.options
    phases: list[PhasePlan] = []
    previous: Mapping[str, str] = {}
    for phase in phases_through(options.through):
        current = {f.relpath: f.content for f in trees[phase]}
        writes = tuple(p for p in sorted(current) if previous.get(p) != current[p])
        phases.append(replace(PHASE_BUILDERS[phase](facts), writes=writes))
        previous = current
    return Plan(
        config_dir=options.config_dir,
        hostname=options.hostname,
        user=options.user,
        system=options.system,
        home=options.home,
        through=options.through,
        files=trees[options.through],
        phases=_bootstrap_first_activation(tuple(phases), facts),
    )


def _bootstrap_first_activation(
    phases: tuple[PhasePlan, ...], facts: Facts
) -> tuple[PhasePlan, ...]:
    """Run the first switch through `nix run` when nix-darwin/home-manager is missing."""
    host = facts.inventory.host
    if host.nix_darwin if facts.options.is_darwin else host.home_manager:
        return phases
    bootstrap = activate_argv(facts.options, installed=False)
    result: list[PhasePlan] = []
    done = False
    for phase in phases:
        if not done and any(isinstance(s, Activate) for s in phase.steps):
            steps = tuple(
                replace(s, argv=bootstrap) if isinstance(s, Activate) else s
                for s in phase.steps
            )
            phase = replace(phase, steps=steps)
            done = True
        result.append(phase)
    return tuple(result)
