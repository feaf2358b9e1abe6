"""`rollback`: undo the last checkpoint, or every one from an id on, newest first.

Every conflict is looked for before anything is undone; what `--force` replaces
is kept in the checkpoint's displaced/ folder.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from nixmigrate.apply.executor import Confirm, NotConfirmedError
from nixmigrate.apply.steps import undo_command
from nixmigrate.errors import StateError
from nixmigrate.plan.phases import Phase
from nixmigrate.state.checkpoints import Checkpoint, RollbackConflictError
from nixmigrate.state.lock import hold_lock
from nixmigrate.state.restore import (
    RestoreOutcome,
    restore_checkpoint,
    rollback_conflicts,
)
from nixmigrate.state.store import CheckpointStore, RunState, update_state
from nixmigrate.system.runner import Runner


@dataclass(frozen=True, slots=True)
class RollbackResult:
    restored: tuple[RestoreOutcome, ...]
    phases: tuple[Phase, ...] = field(default=())


def _rollback_targets(store: CheckpointStore, to: str | None) -> list[Checkpoint]:
    """The checkpoints to undo, newest first."""
    restorable = store.restorable()
    if to is None:
        return restorable[-1:]
    if to not in {cp.id for cp in restorable}:
        store.load(to)  # a clear error if it does not exist at all
        msg = f"checkpoint {to} was already undone"
        raise StateError(
            msg, hint="`nixmigrate rollback --list` shows what can be undone"
        )
    return [cp for cp in reversed(restorable) if cp.id >= to]


def describe_rollback(targets: Sequence[Checkpoint]) -> str:
    lines = ["Rollback will restore:"]
    for cp in targets:
        m = cp.manifest
        state = "" if m.complete else " (interrupted)"
        lines.append(f"  - {m.id}: {m.label}{state}, {len(m.paths)} path(s)")
        lines.extend(
            f"      $ {shlex.join(c.inverse)}"
            for c in reversed(m.commands)
            if c.inverse and c.status != "pending"
        )
        lines.extend(f"      note: {note}" for note in m.notes)
    return "\n".join(lines)


def _forget_phase(store: CheckpointStore, cp: Checkpoint) -> None:
    still_applied = {
        other.phase for other in store.restorable() if other.manifest.complete
    }

    def change(state: RunState) -> RunState:
        new = state.with_generated_replaced(cp.manifest.generated_before)
        if cp.phase is not None and cp.phase not in still_applied:
            new = new.without_completed(cp.phase)
        return new

    update_state(store.state_file, change, fs=store.fs)


def rollback(
    store: CheckpointStore,
    *,
    to: str | None = None,
    force: bool = False,
    runner: Runner,
    confirm: Confirm,
) -> RollbackResult:
    """Undo the last checkpoint (or every one from `to` on), newest first.

    A path changed since its phase ran raises RollbackConflictError (with diffs)
    unless `force`; what force replaces is kept in the checkpoint's displaced/.
    """
    with hold_lock(store.lock_file, command="rollback"):
        targets = _rollback_targets(store, to)
        if not targets:
            msg = "there is nothing to roll back"
            raise StateError(
                msg, hint="`nixmigrate rollback --list` shows the checkpoints"
            )
        if not force and (conflicts := rollback_conflicts(store, targets)):
            raise RollbackConflictError(conflicts)  # nothing is undone yet
        if not confirm(describe_rollback(targets)):
            msg = "rollback was not confirmed"
            raise NotConfirmedError(msg, hint="answer yes, or pass --yes")
        restored: list[RestoreOutcome] = []
        for cp in targets:
            restored.append(
                restore_checkpoint(
                    store, cp, undo=partial(undo_command, runner), force=force
                )
            )
            store.mark_rolled_back(cp)
            _forget_phase(store, cp)
        phases = tuple(cp.phase for cp in targets if cp.phase is not None)
        return RollbackResult(tuple(restored), phases)
