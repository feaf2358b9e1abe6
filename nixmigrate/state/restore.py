"""Restoring a checkpoint: paths back byte for byte, commands undone newest first.

A restore never deletes a file's bytes: what the phase left is removed, anything
changed since is moved into the checkpoint's `displaced/` folder. `find_conflicts`
names the paths whose change a restore would discard; `restoring_on_failure` and
`checkpoint` restore automatically when the block they wrap fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from nixmigrate.errors import NixmigrateError
from nixmigrate.plan.phases import Phase
from nixmigrate.state.checkpoints import (
    BREWFILE_NAME,
    Checkpoint,
    CheckpointStatus,
    CommandRecord,
    CommandStatus,
    Displaced,
    EntryKind,
    PathRecord,
    RestoreIncompleteError,
    RollbackConflict,
    RollbackConflictError,
    holds_regular_files,
    read_path,
    still_as_left,
    unified_diff,
)
from nixmigrate.system.fs import FileSystem

if TYPE_CHECKING:
    from nixmigrate.state.store import CheckpointStore

_DISPLACED: Final = "displaced"


# ---------------------------------------------------------------- conflicts


def _holds_user_bytes(record: PathRecord, written: set[str]) -> bool:
    """Without an `after` record: does the path hold bytes the phase did not write?"""
    path = Path(record.path)
    state, _ = read_path(path, Path(record.root))
    if state.kind is EntryKind.FILE:
        return state.sha256 not in written
    if state.kind is EntryKind.DIR and record.before.kind is not EntryKind.DIR:
        return holds_regular_files(path)
    return False


def _conflict(
    store: CheckpointStore, cp: Checkpoint, record: PathRecord
) -> RollbackConflict:
    path = Path(record.path)
    now, data = read_path(path, Path(record.root))
    if record.after_sha256:
        old = store.read_blob(cp, record.after_sha256)
        old_label = f"{path} (after {cp.id})"
    elif record.before.kind is EntryKind.FILE:
        old = store.read_blob(cp, record.before.sha256)
        old_label = f"{path} (before {cp.id})"
    else:
        old, old_label = None, str(path)
    diff = unified_diff(old, data, old_label, f"{path} (now)") if data else ""
    reason = f"is now {now.describe()}; the checkpoint would make it {record.before.describe()}"
    return RollbackConflict(str(path), reason, diff)


def _links_into(link: Path, store_dirs: Collection[str]) -> bool:
    target = Path(os.path.normpath(link.parent / link.readlink()))
    return any(target.is_relative_to(d) for d in store_dirs)


def _made_by_nix(path: Path, store_dirs: Collection[str]) -> bool:
    """A link into a Nix store, or a directory of only such links (a switch's output)."""
    if not store_dirs:
        return False
    if path.is_symlink():
        return _links_into(path, store_dirs)
    if not path.is_dir():
        return False
    for current, dirs, files in os.walk(path):
        for entry in (Path(current, name) for name in [*dirs, *files]):
            if entry.is_symlink():
                if not _links_into(entry, store_dirs):
                    return False
            elif not entry.is_dir():
                return False
    return True


def _changed_since_phase(
    record: PathRecord, cp: Checkpoint, recorded: Collection[str]
) -> bool:
    """Is the path no longer what the phase left, by someone's hand?

    A Home Manager switch run after the phase (`apply --no-activate`, then the
    switch) only adds links into the Nix store: that is not a change to protect.
    """
    path = Path(record.path)
    if _made_by_nix(path, cp.manifest.store_dirs):
        return False
    if record.after is not None:
        return not still_as_left(record, recorded)
    return _holds_user_bytes(record, set(cp.manifest.written.values()))


def find_conflicts(
    store: CheckpointStore, cp: Checkpoint, *, skip: Collection[str] = ()
) -> list[RollbackConflict]:
    """Paths changed since the phase ran, whose change a restore would discard.

    Paths in `skip` are left out (a newer restore puts them back first)."""
    recorded = {r.path for r in cp.manifest.paths}
    found: list[RollbackConflict] = []
    for record in cp.manifest.paths:
        if record.path in skip:
            continue
        now, _ = read_path(Path(record.path), Path(record.root))
        if now.same_as(record.before):
            continue
        if _changed_since_phase(record, cp, recorded):
            found.append(_conflict(store, cp, record))
    return found


def rollback_conflicts(
    store: CheckpointStore, newest_first: Sequence[Checkpoint]
) -> list[RollbackConflict]:
    """The conflicts undoing these checkpoints would meet, found before any is undone.

    A newer restore puts back what it recorded, so an older record at, above or
    below one of those paths cannot be judged against the disk yet: the restore
    itself judges it when its turn comes.
    """
    newer = _Overlap()
    found: list[RollbackConflict] = []
    for cp in newest_first:
        mine = [r.path for r in cp.manifest.paths]
        found.extend(
            find_conflicts(store, cp, skip=[p for p in mine if newer.touches(p)])
        )
        newer.add(mine)
    return found


class _Overlap:
    """Paths, and every directory above them, to tell which records share ground."""

    def __init__(self) -> None:
        self._paths: set[str] = set()
        self._above: set[str] = set()

    def add(self, paths: Iterable[str]) -> None:
        for path in paths:
            self._paths.add(path)
            self._above.update(_parents(path))

    def touches(self, path: str) -> bool:
        if path in self._paths or path in self._above:
            return True
        return any(parent in self._paths for parent in _parents(path))


def _parents(path: str) -> Iterator[str]:
    head = path.rpartition("/")[0]
    while head:
        yield head
        head = head.rpartition("/")[0]


# ---------------------------------------------------------------- restoring paths


def verify_blobs(store: CheckpointStore, cp: Checkpoint) -> None:
    for record in cp.manifest.paths:
        if record.before.kind is EntryKind.FILE:
            store.read_blob(cp, record.before.sha256)


def _by_depth(
    records: Iterable[PathRecord], *, deepest_first: bool
) -> list[PathRecord]:
    return sorted(records, key=lambda r: len(Path(r.path).parts), reverse=deepest_first)


def _remove(store: CheckpointStore, path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        store.fs.rmtree(path)
    else:
        store.fs.unlink(path)


def _displace(store: CheckpointStore, cp: Checkpoint, path: Path) -> Displaced:
    """Move what is at path into the checkpoint's displaced/ folder."""
    kept = cp.directory / _DISPLACED / f"{len(cp.manifest.displaced):03d}" / path.name
    try:
        store.fs.rename(path, kept)
    except OSError:  # another filesystem: copy, then remove
        _copy_tree(store.fs, path, kept)
        _remove(store, path)
    moved = Displaced(str(path), str(kept))
    store.update(cp, displaced=(*cp.manifest.displaced, moved))
    return moved


def _copy_tree(fs: FileSystem, src: Path, dst: Path) -> None:
    state, data = read_path(src, src.parent)
    if state.kind is EntryKind.LINK:
        fs.symlink(dst, state.target)
    elif data is not None:
        fs.write_bytes(dst, data, mode=state.mode)
    elif state.kind is EntryKind.DIR:
        fs.mkdir(dst)
        for child in sorted(src.iterdir()):
            _copy_tree(fs, child, dst / child.name)


def _clear(store: CheckpointStore, cp: Checkpoint) -> list[Displaced]:
    """Take away whatever differs from the recorded state, deepest paths first.

    What the phase left is removed (links, generated files, trees it created);
    anything changed since is moved into the checkpoint and returned.
    """
    recorded = {r.path for r in cp.manifest.paths}
    moved: list[Displaced] = []
    for record in _by_depth(cp.manifest.paths, deepest_first=True):
        path = Path(record.path)
        now, _ = read_path(path, Path(record.root))
        if now.kind is EntryKind.ABSENT or now.same_as(record.before):
            continue
        if not _changed_since_phase(record, cp, recorded):
            _remove(store, path)
        else:
            moved.append(_displace(store, cp, path))
    return moved


def _put_back(store: CheckpointStore, cp: Checkpoint) -> None:
    """Recreate each recorded state, shallowest paths first."""
    for record in _by_depth(cp.manifest.paths, deepest_first=False):
        path, before = Path(record.path), record.before
        now, _ = read_path(path, Path(record.root))
        if now.same_as(before):
            continue
        match before.kind:
            case EntryKind.DIR:
                store.fs.mkdir(path)
            case EntryKind.LINK:
                store.fs.symlink(path, before.target)
            case EntryKind.FILE:
                data = store.read_blob(cp, before.sha256)
                store.fs.write_bytes(path, data, mode=before.mode)
            case EntryKind.ABSENT:
                pass


def restore_paths(store: CheckpointStore, cp: Checkpoint) -> list[Displaced]:
    """Make every recorded path what it was; returns what had to be moved away."""
    verify_blobs(store, cp)
    moved = _clear(store, cp)
    _put_back(store, cp)
    return moved


def mismatched_paths(cp: Checkpoint) -> list[str]:
    """Recorded paths that are not in their recorded state, with what they are now."""
    problems: list[str] = []
    for record in cp.manifest.paths:
        now, _ = read_path(Path(record.path), Path(record.root))
        if not now.same_as(record.before):
            problems.append(
                f"{record.path} is {now.describe()}, expected {record.before.describe()}"
            )
    return problems


# ---------------------------------------------------------------- restoring a checkpoint


UndoCommand = Callable[[CommandRecord], None]


@dataclass(frozen=True, slots=True)
class RestoreOutcome:
    checkpoint_id: str
    displaced: tuple[Displaced, ...]
    undone: tuple[tuple[str, ...], ...]  # inverse commands run, in order


def restore_checkpoint(
    store: CheckpointStore, cp: Checkpoint, *, undo: UndoCommand, force: bool
) -> RestoreOutcome:
    """Undo a checkpoint: paths back byte for byte, commands undone newest first.

    Paths are put back first, so the home is whole even if an inverse command
    fails; the commands are then undone and the paths checked once more.
    """
    if not force:
        conflicts = find_conflicts(store, cp)
        if conflicts:
            raise RollbackConflictError(conflicts)
    moved = restore_paths(store, cp)
    undone, failures = _undo_commands(cp, undo)
    moved += _clear(store, cp)  # an inverse command may have re-made a path
    _put_back(store, cp)
    problems = failures + mismatched_paths(cp)
    if problems:
        msg = f"checkpoint {cp.id} was not fully restored: " + "; ".join(problems)
        hint = _restore_hint(cp)
        raise RestoreIncompleteError(msg, hint=hint)
    return RestoreOutcome(cp.id, tuple(moved), tuple(undone))


def _undo_commands(
    cp: Checkpoint, undo: UndoCommand
) -> tuple[list[tuple[str, ...]], list[str]]:
    undone: list[tuple[str, ...]] = []
    failures: list[str] = []
    for command in reversed(cp.manifest.commands):
        if command.status is CommandStatus.PENDING or not command.inverse:
            continue
        try:
            undo(command)
        except NixmigrateError as err:
            failures.append(f"'{' '.join(command.inverse)}' failed: {err}")
        else:
            undone.append(command.inverse)
    return undone, failures


def _restore_hint(cp: Checkpoint) -> str:
    brewfile = cp.directory / BREWFILE_NAME
    extra = (
        f"; the Homebrew state is in {brewfile} (brew bundle --file {brewfile})"
        if cp.manifest.brewfile
        else ""
    )
    return (
        "fix what is named above, then run `nixmigrate rollback` again "
        f"(it only redoes what is still different){extra}"
    )


@contextmanager
def restoring_on_failure(
    store: CheckpointStore, cp: Checkpoint, *, undo: UndoCommand
) -> Iterator[Checkpoint]:
    """Restore `cp` if the block fails (also on Ctrl-C); commit it if not.

    Record paths (`store.add_paths`) and commands (`store.add_command`) inside the
    block before changing them. If restoring fails too, the checkpoint stays
    `complete: false` and `nixmigrate rollback` can finish the job.
    """
    try:
        yield cp
    except (Exception, KeyboardInterrupt) as failure:
        try:
            restore_checkpoint(store, cp, undo=undo, force=True)
        except NixmigrateError as err:
            raise _restore_failed(cp, failure, err) from failure
        store.set_status(cp, CheckpointStatus.RESTORED)
        raise
    else:
        store.commit(cp)


def _restore_failed(
    cp: Checkpoint, failure: BaseException, err: NixmigrateError
) -> RestoreIncompleteError:
    cause = str(failure) or type(failure).__name__
    msg = f"{cause}; then restoring checkpoint {cp.id} failed too: {err}"
    return RestoreIncompleteError(msg, hint=err.hint or "run `nixmigrate rollback`")


@contextmanager
def checkpoint(
    store: CheckpointStore,
    *,
    label: str,
    phase: Phase | None,
    undo: UndoCommand,
    generated_before: dict[str, str] | None = None,
) -> Iterator[Checkpoint]:
    """A new checkpoint around a block: restored if the block fails, else committed."""
    cp = store.create(label, phase, generated_before or {})
    with restoring_on_failure(store, cp, undo=undo):
        yield cp
