"""Checkpoints: what a phase is about to change, saved before it changes anything,
and how a checkpoint is restored. (`state/store.py` keeps them on disk.)

A checkpoint is a directory `<state>/checkpoints/<id>/` holding `manifest.json`, the
saved bytes of files (`blobs/<sha256>`), a `Brewfile` of the Homebrew state, and
whatever a restore had to move out of the way (`displaced/`). The manifest lists

- each touched path with its previous state: bytes (by hash) and mode, link target,
  directory, or absence; after the phase, the state the phase left (`after`);
- each command run, with its inverse, and whether it started or finished;
- the hashes of generated files written.

`complete: false` marks a phase that has not finished (a crash or Ctrl-C): such a
checkpoint is still restorable. Restoring moves paths back byte for byte; it never
deletes a file's bytes: anything in the way is moved into `displaced/`.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Final

from nixmigrate import __version__
from nixmigrate.errors import ConflictError, NixmigrateError, StateError
from nixmigrate.plan.phases import Phase
from nixmigrate.system.fs import FileSystem

if TYPE_CHECKING:
    from nixmigrate.state.store import CheckpointStore

CHECKPOINT_SCHEMA: Final = 1
MANIFEST_NAME: Final = "manifest.json"
BREWFILE_NAME: Final = "Brewfile"
BLOBS_DIR: Final = "blobs"
_DISPLACED: Final = "displaced"


class EntryKind(StrEnum):
    ABSENT = "absent"
    FILE = "file"
    LINK = "link"
    DIR = "dir"


class CheckpointStatus(StrEnum):
    RUNNING = "running"  # the phase has not finished (or crashed)
    COMPLETE = "complete"
    RESTORED = "restored"  # the phase failed and was undone automatically
    ROLLED_BACK = "rolled_back"


class CommandStatus(StrEnum):
    PENDING = "pending"
    STARTED = "started"  # may have changed something: its inverse runs on restore
    DONE = "done"


@dataclass(frozen=True, slots=True)
class PathState:
    kind: EntryKind
    target: str = ""  # link target, as stored in the link
    mode: int = 0  # permission bits of a file or directory
    sha256: str = ""  # a file's content hash

    def same_as(self, other: PathState) -> bool:
        """Equal for restoring: a directory is a directory whatever its mode."""
        if self.kind is EntryKind.DIR:
            return other.kind is EntryKind.DIR
        return self == other

    def fingerprint(self) -> str:
        match self.kind:
            case EntryKind.FILE:
                return f"file:{self.mode:o}:{self.sha256}"
            case EntryKind.LINK:
                return f"link:{self.target}"
            case EntryKind.DIR:
                return "dir"
            case EntryKind.ABSENT:
                return "absent"

    def describe(self) -> str:
        match self.kind:
            case EntryKind.FILE:
                return f"a file (mode {self.mode:o})"
            case EntryKind.LINK:
                return f"a link to {self.target}"
            case EntryKind.DIR:
                return "a directory"
            case EntryKind.ABSENT:
                return "nothing"


ABSENT: Final = PathState(EntryKind.ABSENT)


@dataclass(frozen=True, slots=True)
class PathRecord:
    path: str
    root: str  # paths between root and path must be real directories to count
    before: PathState
    after: str | None = None  # fingerprint of what the phase left (set on commit)
    after_sha256: str = ""  # the file the phase left, saved for diffs


class CommandKind(StrEnum):
    STOW = "stow"
    BREW = "brew"
    MOVE = "mv"
    SWITCH = "switch"


@dataclass(frozen=True, slots=True)
class CommandRecord:
    kind: CommandKind
    argv: tuple[str, ...]
    inverse: tuple[str, ...] = ()  # () when there is none (the switch)
    status: CommandStatus = CommandStatus.PENDING
    step: str = ""


@dataclass(frozen=True, slots=True)
class Displaced:
    """Something a restore moved out of the way, and where it is kept."""

    path: str
    kept_at: str


@dataclass(frozen=True, slots=True)
class Manifest:
    id: str
    label: str
    phase: int | None
    created: str
    schema: int = CHECKPOINT_SCHEMA
    nixmigrate_version: str = __version__
    complete: bool = False
    status: CheckpointStatus = CheckpointStatus.RUNNING
    paths: tuple[PathRecord, ...] = ()
    commands: tuple[CommandRecord, ...] = ()
    written: dict[str, str] = field(default_factory=dict)  # relpath -> sha256
    generated_before: dict[str, str] = field(default_factory=dict)
    brewfile: str = ""  # BREWFILE_NAME when saved
    store_dirs: tuple[str, ...] = ()  # links into these were made by a Nix switch
    notes: tuple[str, ...] = ()
    displaced: tuple[Displaced, ...] = ()


@dataclass
class Checkpoint:
    """An open checkpoint: its directory and its (latest) manifest."""

    directory: Path
    manifest: Manifest

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def phase(self) -> Phase | None:
        return None if self.manifest.phase is None else Phase(self.manifest.phase)


@dataclass(frozen=True, slots=True)
class RollbackConflict:
    """A path changed since the phase ran; restoring it would discard that change."""

    path: str
    reason: str
    diff: str  # unified diff: what the phase left -> what is there now


class RollbackConflictError(ConflictError):
    def __init__(self, conflicts: Sequence[RollbackConflict]) -> None:
        names = ", ".join(c.path for c in conflicts[:3])
        more = f" and {len(conflicts) - 3} more" if len(conflicts) > 3 else ""
        super().__init__(
            f"changed since the checkpoint: {names}{more}",
            hint="see the diffs; `nixmigrate rollback --force` restores anyway and "
            "keeps your versions in the checkpoint's displaced/ folder",
        )
        self.conflicts = tuple(conflicts)


class RestoreIncompleteError(StateError):
    """Restoring left something different from the checkpoint."""


# ---------------------------------------------------------------- reading the disk


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reachable(path: Path, root: Path) -> bool:
    """Every directory between root and path is a real directory (not a link)."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return True
    current = root
    for part in rel.parts[:-1]:
        current = current / part
        try:
            if not stat.S_ISDIR(current.lstat().st_mode):
                return False
        except OSError:
            return False
    return True


def read_path(path: Path, root: Path) -> tuple[PathState, bytes | None]:
    """What is at path (not following a final link), with a file's bytes."""
    if not _reachable(path, root):
        return ABSENT, None
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return ABSENT, None
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode):
        return PathState(EntryKind.LINK, target=str(path.readlink())), None
    if stat.S_ISDIR(info.st_mode):
        return PathState(EntryKind.DIR, mode=mode), None
    if stat.S_ISREG(info.st_mode):
        data = path.read_bytes()
        return PathState(EntryKind.FILE, mode=mode, sha256=sha256_bytes(data)), data
    msg = f"{path} is neither a file, a link nor a directory"
    raise StateError(msg, hint="move it out of the way, then re-run")


def tree_fingerprint(path: Path, skip: Collection[str] = ()) -> str:
    """A hash over a directory tree: names, kinds, modes, targets, contents.

    Paths in `skip` (recorded on their own) are left out, with what is below them.
    """
    digest = hashlib.sha256()
    for current, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if str(Path(current, d)) not in skip)
        base = Path(current)
        for name in sorted([*dirs, *files]):
            if str(base / name) in skip:
                continue
            state, _ = read_path(base / name, path)
            rel = (base / name).relative_to(path)
            digest.update(f"{rel}\0{state.fingerprint()}\n".encode())
    return f"tree:{digest.hexdigest()}"


def fingerprint_now(record: PathRecord, recorded: Collection[str] = ()) -> str:
    """What is at the record's path now; a directory that was not one before is
    fingerprinted as a whole tree (less the other `recorded` paths inside it).
    """
    path, root = Path(record.path), Path(record.root)
    state, _ = read_path(path, root)
    if state.kind is EntryKind.DIR and record.before.kind is not EntryKind.DIR:
        return tree_fingerprint(path, recorded)
    return state.fingerprint()


def paths_to_record(root: Path, rels: Iterable[str]) -> list[Path]:
    """The paths to save so that changes under `root` at `rels` can be undone.

    Every prefix of each relative path, stopping at the first one that is not a
    real directory (a link, a file, nothing). A directory holding no regular files
    (only links and directories) may be removed or re-folded by stow, so its whole
    subtree is included.
    """
    found: dict[Path, None] = {}
    for rel in rels:
        current = root
        for part in Path(rel).parts:
            current = current / part
            found[current] = None
            state, _ = read_path(current, root)
            if state.kind is not EntryKind.DIR:
                break
            if not _holds_regular_files(current):
                found.update(dict.fromkeys(_subtree(current)))
    return list(found)


def _holds_regular_files(path: Path) -> bool:
    for current, _dirs, files in os.walk(path):
        for name in files:
            if not Path(current, name).is_symlink():
                return True
    return False


def _subtree(path: Path) -> Iterator[Path]:
    for current, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted([*dirs, *files]):
            yield Path(current) / name


def unified_diff(
    old: bytes | None, new: bytes | None, old_label: str, new_label: str
) -> str:
    try:
        old_text = (old or b"").decode("utf-8")
        new_text = (new or b"").decode("utf-8")
    except UnicodeDecodeError:
        return f"Binary files {old_label} and {new_label} differ\n"
    lines = difflib.unified_diff(
        old_text.splitlines(keepends=True),
        new_text.splitlines(keepends=True),
        fromfile=old_label if old is not None else "/dev/null",
        tofile=new_label if new is not None else "/dev/null",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


# ---------------------------------------------------------------- restoring paths


def _holds_user_bytes(record: PathRecord, written: set[str]) -> bool:
    """Without an `after` record: does the path hold bytes the phase did not write?"""
    path = Path(record.path)
    state, _ = read_path(path, Path(record.root))
    if state.kind is EntryKind.FILE:
        return state.sha256 not in written
    if state.kind is EntryKind.DIR and record.before.kind is not EntryKind.DIR:
        return _holds_regular_files(path)
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
        return fingerprint_now(record, recorded) != record.after
    return _holds_user_bytes(record, set(cp.manifest.written.values()))


def find_conflicts(store: CheckpointStore, cp: Checkpoint) -> list[RollbackConflict]:
    """Paths changed since the phase ran, whose change a restore would discard."""
    recorded = {r.path for r in cp.manifest.paths}
    found: list[RollbackConflict] = []
    for record in cp.manifest.paths:
        now, _ = read_path(Path(record.path), Path(record.root))
        if now.same_as(record.before):
            continue
        if _changed_since_phase(record, cp, recorded):
            found.append(_conflict(store, cp, record))
    return found


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
