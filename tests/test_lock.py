"""The run lock: a second run is refused; a lock left by a dead run is cleared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nixmigrate.errors import LockedError
from nixmigrate.state.lock import hold_lock, read_lock
from nixmigrate.system.lockcheck import process_identity
from tests.conftest import REPO

_HOLDER = """
import sys
from pathlib import Path
from nixmigrate.state.lock import hold_lock

with hold_lock(Path(sys.argv[1]), command="apply phase 3"):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def other_run(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another nixmigrate process holding the lock until its stdin closes."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(tmp_path / "lock")],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "held\n"
    yield proc
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait()


def _take(lock: Path) -> None:
    with hold_lock(lock):
        pass


def _write_lock(path: Path, pid: int, create_time: float | None) -> None:
    path.write_text(json.dumps({"pid": pid, "create_time": create_time}))


def test_the_lock_exists_while_held_and_goes_away_after(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    with hold_lock(lock):
        info = read_lock(lock)
        assert info is not None
        assert info.pid == os.getpid()
        with hold_lock(lock):  # nested use in the same run
            pass
        assert lock.exists()
    assert not lock.exists()


def test_a_second_run_is_refused_naming_the_pid_and_the_way_out(
    tmp_path: Path, other_run: subprocess.Popen[str]
) -> None:
    lock = tmp_path / "lock"

    with pytest.raises(LockedError, match=f"pid {other_run.pid}") as refused:
        _take(lock)

    assert "apply phase 3" in str(refused.value)
    assert refused.value.hint is not None
    assert str(lock) in refused.value.hint
    assert read_lock(lock) is not None  # still theirs


def test_a_lock_whose_process_is_gone_is_cleared(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    _write_lock(lock, gone.pid, None)

    with hold_lock(lock):
        info = read_lock(lock)
        assert info is not None
        assert info.pid == os.getpid()


def test_a_lock_whose_pid_now_belongs_to_another_process_is_cleared(
    tmp_path: Path,
) -> None:
    lock = tmp_path / "lock"
    parent = process_identity(os.getppid())
    assert parent.create_time is not None
    _write_lock(lock, parent.pid, parent.create_time - 3600)  # same pid, older process

    with hold_lock(lock):
        info = read_lock(lock)
        assert info is not None
        assert info.pid == os.getpid()


def test_a_live_lock_of_another_process_is_respected(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    parent = process_identity(os.getppid())
    _write_lock(lock, parent.pid, parent.create_time)

    with pytest.raises(LockedError, match=f"pid {parent.pid}"):
        _take(lock)


def test_an_unreadable_lock_is_refused_with_a_hint(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    lock.write_text("not json")

    with pytest.raises(LockedError) as refused:
        _take(lock)

    assert refused.value.hint is not None
    assert f"delete {lock}" in refused.value.hint
