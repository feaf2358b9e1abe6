"""One nixmigrate run at a time: a lock file in the state dir (pid + process start time).

A lock whose pid is gone, or now belongs to a different process, is stale and is
cleared. Taking the lock again inside the run that holds it is allowed (nested).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nixmigrate.errors import LockedError
from nixmigrate.system.lockcheck import (
    ProcessIdentity,
    create_exclusive,
    current_process,
    move_aside,
    pid_is_running,
    put_back,
    remove_file,
    same_process,
)


@dataclass(frozen=True, slots=True)
class LockInfo:
    pid: int
    create_time: float | None
    started: str = ""
    command: str = ""

    @property
    def identity(self) -> ProcessIdentity:
        return ProcessIdentity(self.pid, self.create_time)


def read_lock(lock_file: Path) -> LockInfo | None:
    """Who holds the lock; None if nobody. Raises LockedError for an unreadable lock."""
    try:
        raw = json.loads(lock_file.read_text(encoding="utf-8"))
        created = raw.get("create_time")
        return LockInfo(
            pid=int(raw["pid"]),
            create_time=None if created is None else float(created),
            started=str(raw.get("started", "")),
            command=str(raw.get("command", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        msg = f"the lock file {lock_file} cannot be read ({err})"
        hint = f"if no nixmigrate is running, delete {lock_file}"
        raise LockedError(msg, hint=hint) from err


def is_stale(info: LockInfo) -> bool:
    return not pid_is_running(info.pid, info.create_time)


def _lock_bytes(me: ProcessIdentity, command: str) -> bytes:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    body = {
        "pid": me.pid,
        "create_time": me.create_time,
        "started": started,
        "command": command,
    }
    return (json.dumps(body) + "\n").encode("utf-8")


def _locked_error(lock_file: Path, info: LockInfo) -> LockedError:
    what = f" ({info.command})" if info.command else ""
    since = f", started {info.started}" if info.started else ""
    msg = f"another nixmigrate run{what} holds the lock: pid {info.pid}{since}"
    hint = (
        f"wait for it to finish; if pid {info.pid} is not nixmigrate, "
        f"delete {lock_file}"
    )
    return LockedError(msg, hint=hint)


def clear_stale_lock(lock_file: Path, seen: LockInfo) -> bool:
    """Remove the lock if it is still the stale one we saw; False if it changed."""
    aside = lock_file.with_name(f"{lock_file.name}.stale.{current_process().pid}")
    if not move_aside(lock_file, aside):
        return True  # already gone
    moved = read_lock(aside)
    if moved is not None and not same_process(moved.identity, seen.identity):
        put_back(aside, lock_file)  # a fresh lock arrived meanwhile: not ours to clear
        return False
    remove_file(aside)
    return True


def acquire(lock_file: Path, *, command: str = "") -> bool:
    """Take the lock. True if taken now, False if this process already held it."""
    me = current_process()
    for _ in range(2):
        if create_exclusive(lock_file, _lock_bytes(me, command)):
            return True
        holder = read_lock(lock_file)
        if holder is None:
            continue  # released between our two looks
        if same_process(holder.identity, me):
            return False
        if not is_stale(holder) or not clear_stale_lock(lock_file, holder):
            raise _locked_error(lock_file, holder)
    holder = read_lock(lock_file)
    if holder is None:
        msg = f"could not create the lock file {lock_file}"
        raise LockedError(msg, hint="check that the state directory is writable")
    raise _locked_error(lock_file, holder)


def release(lock_file: Path) -> None:
    """Remove the lock if this process holds it."""
    holder = read_lock(lock_file)
    if holder is not None and same_process(holder.identity, current_process()):
        remove_file(lock_file)


@contextmanager
def hold_lock(lock_file: Path, *, command: str = "") -> Iterator[None]:
    """Hold the run lock for the block; nested use in the same process is a no-op."""
    taken = acquire(lock_file, command=command)
    try:
        yield
    finally:
        if taken:
            release(lock_file)
