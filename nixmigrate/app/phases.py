"""The plan, apply and rollback use cases, wired to the state dir."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from nixmigrate.app.env import Env
from nixmigrate.app.planning import (
    ChoiceOverrides,
    PlanChoices,
    PlanOutcome,
    build,
    choose,
    load_choices,
    save_choices,
)
from nixmigrate.app.saved_scan import load_inventory
from nixmigrate.errors import NixmigrateError, StateError, UsageError
from nixmigrate.plan.phases import Phase
from nixmigrate.state.store import CheckpointStore, RunState, load_state, update_state

if TYPE_CHECKING:
    from nixmigrate.apply.executor import PhaseResult
    from nixmigrate.apply.files import WriteReport
    from nixmigrate.apply.rollback import RollbackResult

Confirm = Callable[[str], bool]


class GeneratedNixError(NixmigrateError):
    """A generated file does not parse or sets an option that does not exist."""


@dataclass(frozen=True, slots=True)
class PlanRun:
    outcome: PlanOutcome
    report: WriteReport
    parse_problems: tuple[str, ...] | None  # None: nix-instantiate not installed


def run_plan(
    env: Env,
    through: Phase,
    overrides: ChoiceOverrides,
    *,
    mappings: Path | None,
    dry_run: bool,
    force: bool,
) -> PlanRun:
    from nixmigrate.apply.files import generate_config
    from nixmigrate.mapping.db import load_mappings, locate_mappings
    from nixmigrate.system.nix import parse_problems

    inventory = load_inventory(env.paths)
    choices = choose(env, inventory, overrides)
    mappings_dir = locate_mappings(mappings)
    outcome = build(env, inventory, choices, through, mappings_dir)
    sources = {
        f.relpath: f.content for f in outcome.plan.files if f.relpath.endswith(".nix")
    }
    problems = parse_problems(env.runner, sources)
    _refuse_invalid_nix(outcome.option_problems, problems or ())
    store = CheckpointStore.from_paths(env.paths)
    config_dir = Path(outcome.plan.config_dir)
    report = generate_config(
        store,
        outcome.plan.files,
        config_dir,
        runner=env.runner,
        force=force,
        pretend=dry_run,
    )
    if not dry_run:
        save_choices(env, choices)
        digest = load_mappings(mappings_dir).digest
        update_state(
            store.state_file,
            lambda s: _planned(s, through, config_dir, digest),
            fs=store.fs,
        )
    return PlanRun(outcome, report, problems)


def _planned(
    state: RunState, through: Phase, config_dir: Path, digest: str
) -> RunState:
    return replace(
        state,
        planned_through=max(int(through), state.planned_through or 0),
        config_dir=str(config_dir),
        mappings_digest=digest,
    )


def _refuse_invalid_nix(options: tuple[str, ...], parse: tuple[str, ...]) -> None:
    if options or parse:
        first = (parse + options)[0]
        msg = f"generated Nix is invalid, nothing was written: {first}"
        raise GeneratedNixError(
            msg, hint="this is a nixmigrate bug; please report it with `--debug`"
        )


@dataclass(frozen=True, slots=True)
class ApplySettings:
    no_activate: bool = False
    force: bool = False
    store_dirs: tuple[Path, ...] | None = None  # None: the Nix store of Paths
    nix_roots: tuple[Path, ...] | None = None


def run_apply(
    env: Env,
    through: Phase,
    confirm: Confirm,
    settings: ApplySettings,
    *,
    mappings: Path | None,
) -> tuple[PhaseResult, ...]:
    """Apply every phase up to `through` not applied yet; each in its own checkpoint."""
    from nixmigrate.apply.executor import ApplyOptions, apply_phase
    from nixmigrate.apply.services import hand_over_services
    from nixmigrate.mapping.db import locate_mappings

    store = CheckpointStore.from_paths(env.paths)
    state = load_state(store.state_file)
    _require_planned(state, through)
    inventory = load_inventory(env.paths)
    choices = load_choices(env)
    _require_this_machine(inventory.host.home, choices)
    outcome = build(env, inventory, choices, through, locate_mappings(mappings))
    plan = outcome.plan
    options = ApplyOptions(
        home=Path(choices.home),
        no_activate=settings.no_activate,
        force=settings.force,
        store_dirs=settings.store_dirs or (env.paths.nix_store,),
        nix_roots=settings.nix_roots,
        config_dir=Path(plan.config_dir),
        files=plan.files,
    )
    results: list[PhaseResult] = []
    todo = [pp for pp in plan.phases if pp.phase not in state.completed]
    for pp in hand_over_services(plan, todo):
        ask = confirm if pp.steps else _yes
        results.append(
            apply_phase(
                pp, store=store, runner=env.runner, confirm=ask, options=options
            )
        )
        options = replace(options, files=())  # written with the first phase applied
    return tuple(results)


def _require_planned(state: RunState, through: Phase) -> None:
    if (state.planned_through or 0) < through:
        msg = f"phase {int(through)} has not been planned yet"
        raise StateError(
            msg,
            hint=f"run `nixmigrate plan --phase {int(through)}` and review it first",
        )


def _require_this_machine(scanned_home: str, choices: PlanChoices) -> None:
    if scanned_home and choices.home and scanned_home != choices.home:
        msg = (
            f"the configuration was planned for {choices.user}@{choices.hostname} "
            f"({choices.system}, home {choices.home}), not this machine"
        )
        raise UsageError(msg, hint="run `nixmigrate apply` on that machine")


def _yes(_: str) -> bool:
    return True


def run_rollback(
    env: Env, confirm: Confirm, *, to: str | None, force: bool
) -> RollbackResult:
    from nixmigrate.apply.rollback import rollback

    store = CheckpointStore.from_paths(env.paths)
    return rollback(store, to=to, force=force, runner=env.runner, confirm=confirm)


def progress_of(env: Env) -> tuple[RunState, PlanChoices]:
    store = CheckpointStore.from_paths(env.paths)
    return load_state(store.state_file), load_choices(env)
