"""The OS side of the run lock: who we are, whether a pid is still that process,
and creating the lock file only if no other run has.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import psutil

# create_time is derived from boot time + clock ticks; two reads of one process agree
_SAME_START_TOLERANCE: Final = 0.5


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    """A pid plus its start time: a pid alone may be reused by an unrelated process."""

    pid: int
    create_time: float | None


def same_process(a: ProcessIdentity, b: ProcessIdentity) -> bool:
    if a.pid != b.pid:
        return False
    if a.create_time is None or b.create_time is None:
        return True
    return abs(a.create_time - b.create_time) < _SAME_START_TOLERANCE


def process_identity(pid: int) -> ProcessIdentity:
    """The identity of a running process (create_time None if the OS will not say)."""
    try:
        return ProcessIdentity(pid, psutil.Process(pid).create_time())
    except (psutil.Error, OSError):
        return ProcessIdentity(pid, None)


def current_process() -> ProcessIdentity:
    return process_identity(os.getpid())


def pid_is_running(pid: int, create_time: float | None) -> bool:
    """True if `pid` runs and, when create_time is known, is that same process."""
    if pid <= 0:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        started = proc.create_time()
    except psutil.NoSuchProcess:
        return False
    except (psutil.AccessDenied, OSError):
        return True  # it exists but belongs to someone else: assume it is live
    return same_process(
        ProcessIdentity(pid, started), ProcessIdentity(pid, create_time)
    )


def create_exclusive(path: Path, data: bytes) -> bool:
    """Create `path` holding `data`, atomically; False if it already exists.

    The content is written to a private temp file first and then hard-linked into
    place, so a reader never sees a half-written lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    tmp.write_bytes(data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def move_aside(path: Path, aside: Path) -> bool:
    """Rename path to aside; False if path was already gone."""
    try:
        path.rename(aside)
    except FileNotFoundError:
        return False
    return True


def put_back(aside: Path, path: Path) -> None:
    """Undo `move_aside` unless a new file took the place meanwhile."""
    with contextlib.suppress(FileExistsError):
        os.link(aside, path)
    aside.unlink(missing_ok=True)


def remove_file(path: Path) -> None:
    path.unlink(missing_ok=True)
