"""Homebrew services handed over to nix-darwin by the first switch that runs them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from nixmigrate.plan.model import PhasePlan, Plan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import Activate, BrewUninstall


def hand_over_services(plan: Plan, todo: Sequence[PhasePlan]) -> list[PhasePlan]:
    """Stop the Homebrew services before the first switch that starts nix-darwin's.

    The files written with the first phase are the whole plan's, so when they enable
    nix-darwin services (phase 7 planned) an earlier phase's switch already starts
    them: that switch stops the Homebrew ones first and checks the new ones load.
    """
    cleanup = next((pp for pp in plan.phases if pp.phase is Phase.CLEANUP), None)
    final = _switch_of(cleanup) if cleanup is not None else None
    if cleanup is None or final is None or not final.services:
        return list(todo)
    stops = tuple(
        s.name for s in cleanup.steps if isinstance(s, BrewUninstall) and s.stop_service
    )
    phases = list(todo)
    first = next((i for i, pp in enumerate(phases) if _switch_of(pp)), None)
    if first is None or phases[first].phase is Phase.CLEANUP:
        return phases
    pp = phases[first]
    steps = tuple(
        replace(s, stops=stops, services=final.services)
        if isinstance(s, Activate)
        else s
        for s in pp.steps
    )
    phases[first] = replace(pp, steps=steps)
    return phases


def _switch_of(pp: PhasePlan) -> Activate | None:
    return next((s for s in pp.steps if isinstance(s, Activate)), None)
