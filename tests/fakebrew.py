"""Fake executables (brew, mas, ...) that replay recorded output.

`install_fake_tool(bin_dir, "brew", fixtures_dir / "brew" / "mac-arm", monkeypatch)`
writes `bin_dir/brew`, a tiny Python script that answers from the recording's
commands.json, and puts bin_dir first on PATH, so the code under test runs the real
SubprocessRunner against it. Set NIXMIGRATE_REPLAY_LOG (see `log_invocations`) to
get one JSON line per call and assert which commands ran.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from nixmigrate.system.replay import COMMANDS_FILE, DIR_ENV, LOG_ENV, read_log
from tests.conftest import REPO

_WRAPPER = """\
#!{python}
import sys
sys.path.insert(0, {repo!r})
from nixmigrate.system.replay import replay_main
replay_main()
"""


def write_fake_tool(path: Path) -> Path:
    """An executable at `path` that replays from $NIXMIGRATE_REPLAY_DIR."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        _WRAPPER.format(python=sys.executable, repo=str(REPO)), encoding="utf-8"
    )
    path.chmod(0o755)
    return path


def install_fake_tool(
    bin_dir: Path, name: str, recording_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Put a replaying `name` first on PATH, answering from recording_dir."""
    tool = write_fake_tool(bin_dir / name)
    path = os.environ.get("PATH", "")
    if not path.startswith(f"{bin_dir}{os.pathsep}") and path != str(bin_dir):
        monkeypatch.setenv(
            "PATH", f"{bin_dir}{os.pathsep}{path}" if path else str(bin_dir)
        )
    monkeypatch.setenv(DIR_ENV, str(recording_dir))
    return tool


def log_invocations(log: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make fake tools append each argv to `log`; read it back with `invocations`."""
    monkeypatch.setenv(LOG_ENV, str(log))
    return log


def invocations(log: Path) -> list[str]:
    """The logged calls as command lines: ["brew --prefix", "brew tap", ...]."""
    return [" ".join(argv) for argv in read_log(log)]


def copy_recording(source: Path, dest: Path) -> Path:
    """A writable copy of a recording, for tests that change one command's answer."""
    shutil.copytree(source, dest)
    return dest


def set_recording(recording_dir: Path, command: str, **record: Any) -> None:
    """Add or replace one command's answer, e.g. set_recording(d, "mas list", exit=1)."""
    path = recording_dir / COMMANDS_FILE
    commands = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    commands[command] = record
    path.write_text(json.dumps(commands, indent=2) + "\n", encoding="utf-8")
