"""`apply`: run a phase's steps inside one checkpoint (rollback.py undoes checkpoints).

apply_phase: check (nothing changes) -> confirm -> checkpoint (Brewfile, every path
the steps touch) -> write generated files -> unstow / uninstall / archive -> switch
-> check the switch. Any failure restores the checkpoint before the error is raised.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Final, assert_never

from nixmigrate.apply.activation import activate, record_activation
from nixmigrate.apply.files import (
    WriteConflictError,
    WriteReport,
    WriteStatus,
    write_config,
)
from nixmigrate.apply.nixprofile import default_nix_roots
from nixmigrate.apply.services import hand_over_services
from nixmigrate.apply.steps import (
    StepContext,
    StepOutcome,
    archive,
    brew_uninstall,
    check_archive,
    check_unstow,
    record_unstow,
    undo_command,
    unstow,
)
from nixmigrate.errors import ConflictError, NixmigrateError, StateError
from nixmigrate.plan.model import PhasePlan, Plan
from nixmigrate.plan.phases import PHASES, Phase
from nixmigrate.plan.steps import (
    Activate,
    Archive,
    BrewUninstall,
    Step,
    Unstow,
    WriteFile,
)
from nixmigrate.state.checkpoints import (
    Checkpoint,
    CheckpointStatus,
)
from nixmigrate.state.lock import hold_lock
from nixmigrate.state.restore import (
    restoring_on_failure,
)
from nixmigrate.state.store import CheckpointStore, RunState, load_state, update_state
from nixmigrate.system.runner import Runner

Confirm = Callable[[str], bool]

BREW_DUMP_CMD: Final = ("brew", "bundle", "dump", "--file=-")


class NotConfirmedError(NixmigrateError):
    """The person (or --yes missing without a terminal) did not confirm."""


class PhaseFailedError(NixmigrateError):
    """A step failed; the checkpoint was restored, the home is as it was."""


class PhaseConflictError(ConflictError):
    """A step met an unexpected state; the checkpoint was restored."""


@dataclass(frozen=True, slots=True)
class ApplyOptions:
    home: Path
    no_activate: bool = False  # stop after the home changes; the CLI prints the switch
    force: bool = False  # overwrite hand-edited generated files (inside the checkpoint)
    nix_roots: tuple[Path, ...] | None = None  # default: default_nix_roots(home)
    store_dirs: tuple[Path, ...] = (Path("/nix/store"),)
    config_dir: Path | None = None
    files: tuple[WriteFile, ...] = ()  # generated files to write in this phase


@dataclass(frozen=True, slots=True)
class PhaseResult:
    phase: Phase
    checkpoint_id: str
    steps: tuple[StepOutcome, ...]
    written: WriteReport | None = None
    activated: bool = False
    switch_command: tuple[str, ...] = ()  # set with no_activate: what to run next
    rollback_command: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def kept(self) -> tuple[StepOutcome, ...]:
        """Steps skipped on purpose (a formula whose commands do not come from Nix)."""
        return tuple(s for s in self.steps if not s.done)


# ---------------------------------------------------------------- apply


def _rollback_cmd(checkpoint_id: str) -> tuple[str, ...]:
    return ("nixmigrate", "rollback", "--to", checkpoint_id)


def _precheck(
    pp: PhasePlan, options: ApplyOptions, state: RunState, runner: Runner
) -> WriteReport | None:
    """Everything that can be checked before changing anything."""
    for step in pp.steps:
        if isinstance(step, Unstow):
            check_unstow(step, options.home)
        elif isinstance(step, Archive):
            check_archive(step, options.home, now=False)
    if not options.files:
        return None
    preview = write_config(
        options.files,
        _config_dir(options),
        runner=runner,
        recorded=state.generated,
        pretend=True,
    )
    if preview.conflicts and not options.force:
        raise WriteConflictError(preview.conflicts)
    return preview


def _config_dir(options: ApplyOptions) -> Path:
    if options.config_dir is None:
        msg = "generated files need a config dir"
        raise StateError(msg, hint="this is a bug; please report it")
    return options.config_dir


def describe_phase(
    pp: PhasePlan, options: ApplyOptions, preview: WriteReport | None
) -> str:
    """What apply is about to do, for the confirmation question."""
    lines = [f"Phase {int(pp.phase)} ({PHASES[pp.phase].title}) will:"]
    if preview is not None:
        changing = [c for c in preview.changes if c.status is not WriteStatus.IDENTICAL]
        forced = [c.relpath for c in preview.conflicts]
        if changing:
            lines.append(
                f"  - write {len(changing)} generated file(s) in {preview.config_dir}"
            )
        if forced:
            lines.append(f"  - overwrite your edits to {', '.join(forced)}")
    for step in pp.steps:
        if isinstance(step, Activate) and options.no_activate:
            continue
        lines.append(f"  - {step.describe()}")
    lines.append(
        "A checkpoint saves what changes first; `nixmigrate rollback` undoes it."
    )
    return "\n".join(lines)


def save_brew_state(store: CheckpointStore, cp: Checkpoint, runner: Runner) -> str:
    """Save a Brewfile of the Homebrew state in the checkpoint; a note if it cannot."""
    try:
        done = runner.run(BREW_DUMP_CMD, check=False)
    except NixmigrateError as err:
        note = f"no Brewfile saved: {err}"
    else:
        if done.returncode == 0:
            store.save_brewfile(cp, done.stdout)
            return ""
        note = (
            f"no Brewfile saved: `{shlex.join(BREW_DUMP_CMD)}` exited {done.returncode}"
        )
    store.add_note(cp, note)
    return note


def _record_steps(ctx: StepContext, steps: Sequence[Step]) -> None:
    for step in steps:
        if isinstance(step, Unstow):
            record_unstow(ctx, step)
        elif isinstance(step, Activate):
            record_activation(ctx, step)


def _run_step(
    ctx: StepContext, step: Step, options: ApplyOptions
) -> StepOutcome | None:
    match step:
        case Unstow():
            return unstow(ctx, step)
        case BrewUninstall():
            return brew_uninstall(ctx, step)
        case Archive():
            return archive(ctx, step)
        case Activate():
            return None if options.no_activate else activate(ctx, step)
        case _:
            assert_never(step)


@dataclass
class _Progress:
    outcomes: list[StepOutcome] = field(default_factory=list)
    written: WriteReport | None = None
    notes: list[str] = field(default_factory=list)


def _run_phase(
    ctx: StepContext,
    pp: PhasePlan,
    options: ApplyOptions,
    state: RunState,
    progress: _Progress,
) -> None:
    note = save_brew_state(ctx.store, ctx.cp, ctx.runner)
    if note:
        progress.notes.append(note)
    _record_steps(ctx, pp.steps)
    if options.files:
        progress.written = write_config(
            options.files,
            _config_dir(options),
            runner=ctx.runner,
            recorded=state.generated,
            force=options.force,
            store=ctx.store,
            cp=ctx.cp,
        )
    for step in pp.steps:
        outcome = _run_step(ctx, step, options)
        if outcome is not None:
            progress.outcomes.append(outcome)


def _failed(pp: PhasePlan, cp: Checkpoint, err: NixmigrateError) -> NixmigrateError:
    msg = (
        f"phase {int(pp.phase)} stopped: {err}. Your home is as it was: "
        f"checkpoint {cp.id} was restored"
    )
    if isinstance(err, ConflictError):
        return PhaseConflictError(msg, hint=err.hint)
    return PhaseFailedError(msg, hint=err.hint)


def apply_phase(
    pp: PhasePlan,
    *,
    store: CheckpointStore,
    runner: Runner,
    confirm: Confirm,
    options: ApplyOptions,
) -> PhaseResult:
    """Run one phase inside one checkpoint; on failure the checkpoint is restored."""
    with hold_lock(store.lock_file, command=f"apply phase {int(pp.phase)}"):
        state = load_state(store.state_file)
        preview = _precheck(pp, options, state, runner)
        if not confirm(describe_phase(pp, options, preview)):
            msg = f"phase {int(pp.phase)} was not applied: not confirmed"
            raise NotConfirmedError(msg, hint="answer yes, or pass --yes")
        cp = store.create(f"phase {int(pp.phase)}", pp.phase, dict(state.generated))
        store.update(cp, store_dirs=tuple(str(d) for d in options.store_dirs))
        update_state(store.state_file, lambda s: s.with_checkpoint(cp.id), fs=store.fs)
        ctx = StepContext(
            store,
            cp,
            runner,
            options.home,
            options.nix_roots or default_nix_roots(options.home),
            options.store_dirs,
        )
        progress = _Progress()
        try:
            with restoring_on_failure(store, cp, undo=partial(undo_command, runner)):
                _run_phase(ctx, pp, options, state, progress)
        except NixmigrateError as err:
            if cp.manifest.status is CheckpointStatus.RESTORED:
                raise _failed(pp, cp, err) from err
            raise
        return _finish(store, pp, cp, options, progress)


def _finish(
    store: CheckpointStore,
    pp: PhasePlan,
    cp: Checkpoint,
    options: ApplyOptions,
    progress: _Progress,
) -> PhaseResult:
    hashes = progress.written.hashes() if progress.written else {}
    config = str(options.config_dir) if options.config_dir else None
    update_state(
        store.state_file,
        lambda s: replace(
            s.with_completed(pp.phase).with_generated(hashes),
            config_dir=config or s.config_dir,
        ),
        fs=store.fs,
    )
    activation = next((s for s in pp.steps if isinstance(s, Activate)), None)
    skipped_switch = options.no_activate and activation is not None
    return PhaseResult(
        phase=pp.phase,
        checkpoint_id=cp.id,
        steps=tuple(progress.outcomes),
        written=progress.written,
        activated=activation is not None and not options.no_activate,
        switch_command=activation.argv if skipped_switch and activation else (),
        rollback_command=_rollback_cmd(cp.id),
        notes=tuple(progress.notes),
    )


def apply_plan(
    plan: Plan,
    *,
    store: CheckpointStore,
    runner: Runner,
    confirm: Confirm,
    options: ApplyOptions,
    only: Phase | None = None,
) -> tuple[PhaseResult, ...]:
    """Apply the plan's phases not applied yet (or only `only`), in order.

    The generated files are written with the first phase applied.
    """
    done = set(load_state(store.state_file).completed)
    if only is not None:
        todo = [pp for pp in plan.phases if pp.phase == only]
    else:
        todo = [pp for pp in plan.phases if pp.phase not in done]
    todo = hand_over_services(plan, todo)
    results: list[PhaseResult] = []
    files = tuple(plan.files)
    for pp in todo:
        phase_options = replace(options, files=files, config_dir=Path(plan.config_dir))
        results.append(
            apply_phase(
                pp, store=store, runner=runner, confirm=confirm, options=phase_options
            )
        )
        files = ()
    return tuple(results)
