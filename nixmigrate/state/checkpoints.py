"""Checkpoints: what a phase is about to change, saved before it changes anything.
(`state/store.py` keeps them on disk; `state/restore.py` restores them.)

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
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final

from nixmigrate import __version__
from nixmigrate.errors import ConflictError, StateError
from nixmigrate.plan.phases import Phase

CHECKPOINT_SCHEMA: Final = 1
MANIFEST_NAME: Final = "manifest.json"
BREWFILE_NAME: Final = "Brewfile"
BLOBS_DIR: Final = "blobs"


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
    LAUNCHD = "launchctl"  # a service the switch loaded; its inverse unloads it


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
    rolled_back_at: str = ""  # set by `rollback`; absent in older manifests


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

    In a git directory a phase created, `objects/` is left out: a later phase's
    `git add` stores blobs there that no ref points to, while a commit of the
    user's own still shows in `refs/`, `logs/` and `HEAD`.
    """
    path, root = Path(record.path), Path(record.root)
    state, _ = read_path(path, root)
    if state.kind is EntryKind.DIR and record.before.kind is not EntryKind.DIR:
        skip = {*recorded, str(path / "objects")} if path.name == ".git" else recorded
        return tree_fingerprint(path, skip)
    return state.fingerprint()


def still_as_left(record: PathRecord, recorded: Collection[str] = ()) -> bool:
    """Is the path as the phase left it (its `after` fingerprint)?

    Checkpoints written before `objects/` was left out of a git directory's
    fingerprint are matched the way they were recorded.
    """
    if fingerprint_now(record, recorded) == record.after:
        return True
    path = Path(record.path)
    return (
        path.name == ".git"
        and record.before.kind is not EntryKind.DIR
        and path.is_dir()
        and tree_fingerprint(path, recorded) == record.after
    )


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
            if not holds_regular_files(current):
                found.update(dict.fromkeys(_subtree(current)))
    return list(found)


def holds_regular_files(path: Path) -> bool:
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
