"""Replay recorded command output instead of running the real programs.

A recording is a directory holding `commands.json`, which maps a command line
(program basename and arguments joined by single spaces, e.g.
`brew info --json=v2 --installed`) to what the program printed and how it exited:

    {"brew --prefix": {"stdout_text": "/opt/homebrew\\n", "exit": 0},
     "brew info --json=v2 --installed": {"stdout": "info.json"},
     "brew services list --json": {"stderr": "Error: ...\\n", "exit": 1}}

`stdout` names a file in the directory, `stdout_text` gives the text inline;
`stderr` is inline text; `exit` defaults to 0; `sleep` (seconds) delays the answer,
which is how a recording simulates a command that hangs.

Two ways to replay: `ReplayRunner` implements the Runner protocol (the
`nixmigrate demo` command uses it), and `replay_main()` is the body of a fake
executable that tests put on PATH, so the real SubprocessRunner path is exercised.
Both end in `replay_main()` running as a child process.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, NoReturn, TextIO

from nixmigrate.errors import CommandFailedError, NixmigrateError, ToolMissingError
from nixmigrate.system.runner import DEFAULT_TIMEOUT, CompletedProcess, SubprocessRunner

COMMANDS_FILE: Final = "commands.json"
DIR_ENV: Final = "NIXMIGRATE_REPLAY_DIR"
LOG_ENV: Final = "NIXMIGRATE_REPLAY_LOG"
_RECORD_KEYS: Final = frozenset({"stdout", "stdout_text", "stderr", "exit", "sleep"})


@dataclass(frozen=True, slots=True)
class Recording:
    """What one recorded command printed, and its exit status."""

    stdout: str = ""
    stderr: str = ""
    exit: int = 0
    sleep: float = 0.0


def _quiet(_: str) -> None:
    return None


def command_key(argv: Sequence[str]) -> str:
    """The commands.json key for argv: program basename plus arguments."""
    return " ".join([Path(argv[0]).name, *argv[1:]])


def no_recording_message(key: str) -> str:
    return f"replay: no recording for '{key}'\n"


def _broken(recording_dir: Path, problem: str) -> NixmigrateError:
    msg = f"recording {recording_dir / COMMANDS_FILE} {problem}"
    hint = "re-record the commands, or fix the file by hand"
    return NixmigrateError(msg, hint=hint)


def _parse_record(recording_dir: Path, key: str, raw: object) -> Recording:
    if not isinstance(raw, dict) or not set(raw) <= _RECORD_KEYS:
        raise _broken(recording_dir, f"has a malformed entry for '{key}'")
    stdout = raw.get("stdout_text", "")
    if "stdout" in raw:
        try:
            stdout = (recording_dir / str(raw["stdout"])).read_text(encoding="utf-8")
        except OSError as err:
            problem = f"names a missing stdout file for '{key}' ({err.strerror})"
            raise _broken(recording_dir, problem) from err
    return Recording(
        stdout=str(stdout),
        stderr=str(raw.get("stderr", "")),
        exit=int(raw.get("exit", 0)),
        sleep=float(raw.get("sleep", 0.0)),
    )


def load_recordings(recording_dir: Path) -> dict[str, Recording]:
    """Read `commands.json` (and the stdout files it names) from a recording dir."""
    path = recording_dir / COMMANDS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise _broken(recording_dir, f"cannot be read ({err.strerror})") from err
    except json.JSONDecodeError as err:
        raise _broken(recording_dir, f"is not valid JSON ({err.msg})") from err
    if not isinstance(raw, dict):
        raise _broken(recording_dir, "is not a JSON object")
    return {key: _parse_record(recording_dir, key, rec) for key, rec in raw.items()}


def append_log(log_path: Path, argv: Sequence[str]) -> None:
    """One JSON line per invocation: the argv list with the program as a basename."""
    with log_path.open("a", encoding="utf-8") as log:
        log.write(json.dumps([Path(argv[0]).name, *argv[1:]]) + "\n")


def read_log(log_path: Path) -> list[list[str]]:
    """The invocations appended by `append_log`, oldest first ([] if none yet)."""
    if not log_path.exists():
        return []
    lines = log_path.read_text(encoding="utf-8").splitlines()
    return [list(json.loads(line)) for line in lines if line.strip()]


# ---------------------------------------------------------------- as a Runner

# The replayed command runs as a child Python, so it crosses the same process
# boundary (SubprocessRunner) as a real one: exit codes, stderr and timeouts behave
# exactly as they would with the real program.
_CHILD: Final = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from nixmigrate.system.replay import replay_main; replay_main(sys.argv[2:])"
)
_PACKAGE_ROOT: Final = str(Path(__file__).resolve().parents[2])


@dataclass
class ReplayRunner:
    """A Runner that answers from a recording instead of running programs.

    `which()` finds a program when the recording has commands for it; it reports
    it under the recorded `brew --prefix` (e.g. /opt/homebrew/bin/mas) when there
    is one, so replayed output reads like the machine it was recorded on.
    """

    recording_dir: Path
    log: Path | None = None
    echo: Callable[[str], None] = _quiet
    calls: list[tuple[str, ...]] = field(default_factory=list)
    _records: dict[str, Recording] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._records = load_recordings(self.recording_dir)

    def _programs(self) -> set[str]:
        return {key.split(" ", 1)[0] for key in self._records}

    def which(self, name: str) -> str | None:
        if name not in self._programs():
            return None
        prefix = self._records.get("brew --prefix")
        base = prefix.stdout.strip() if prefix and prefix.exit == 0 else ""
        bin_dir = Path(base) / "bin" if base else self.recording_dir / "bin"
        return str(bin_dir / name)

    def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        cwd: str | None = None,
        input_text: str | None = None,
    ) -> CompletedProcess[str]:
        args = tuple(argv)
        self.calls.append(args)
        self.echo(f"$ {shlex.join(args)}")
        if Path(args[0]).name not in self._programs():
            raise ToolMissingError(Path(args[0]).name)
        record = self._records.get(command_key(args))
        if record is not None and timeout is not None and record.sleep > timeout:
            if self.log is not None:  # the child would have logged before sleeping
                append_log(self.log, args)
            raise CommandFailedError(args, None, "")
        child_env = {**(env or {}), DIR_ENV: str(self.recording_dir)}
        if self.log is not None:
            child_env[LOG_ENV] = str(self.log)
        child = [sys.executable, "-c", _CHILD, _PACKAGE_ROOT, *args]
        try:
            done = SubprocessRunner().run(
                child,
                check=check,
                env=child_env,
                timeout=timeout,
                cwd=cwd,
                input_text=input_text,
            )
        except CommandFailedError as err:  # name the replayed command, not the child
            raise CommandFailedError(args, err.returncode, err.stderr) from err
        return CompletedProcess(list(args), done.returncode, done.stdout, done.stderr)


# ---------------------------------------------------------------- fake executable


def run_replay(
    argv: Sequence[str], environ: Mapping[str, str], out: TextIO, err: TextIO
) -> int:
    """Answer one invocation of a fake program from $NIXMIGRATE_REPLAY_DIR."""
    log = environ.get(LOG_ENV, "")
    if log:
        append_log(Path(log), argv)
    recording_dir = environ.get(DIR_ENV, "")
    if not recording_dir:
        err.write(f"replay: {DIR_ENV} is not set\n")
        return 2
    try:
        records = load_recordings(Path(recording_dir))
    except NixmigrateError as problem:
        err.write(f"replay: {problem}\n")
        return 2
    key = command_key(argv)
    record = records.get(key)
    if record is None:
        err.write(no_recording_message(key))
        return 1
    if record.sleep:
        time.sleep(record.sleep)
    out.write(record.stdout)
    err.write(record.stderr)
    return record.exit


def replay_main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point of a fake executable: replay, then exit with the recorded code."""
    code = run_replay(
        sys.argv if argv is None else argv, os.environ, sys.stdout, sys.stderr
    )
    sys.stdout.flush()
    raise SystemExit(code)
