from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from nixmigrate.errors import CommandFailedError, NixmigrateError, ToolMissingError
from nixmigrate.system.replay import (
    ReplayRunner,
    command_key,
    load_recordings,
    read_log,
    run_replay,
)
from nixmigrate.system.runner import SubprocessRunner
from tests.fakebrew import (
    install_fake_tool,
    invocations,
    log_invocations,
    write_fake_tool,
)


def make_recording(
    root: Path, commands: dict[str, dict[str, object]], **files: str
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "commands.json").write_text(json.dumps(commands), encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    return make_recording(
        tmp_path / "rec",
        {
            "brew --prefix": {"stdout_text": "/opt/homebrew\n"},
            "brew tap": {"stdout": "taps.txt", "exit": 0},
            "brew uninstall ripgrep": {
                "stderr": "Error: Refusing to uninstall\n",
                "exit": 1,
            },
            "brew update": {"sleep": 30},
            "mas list": {"stdout_text": "497799835  Xcode  (16.4)\n"},
        },
        **{"taps.txt": "hashicorp/tap\n"},
    )


def test_command_key_uses_the_program_basename() -> None:
    assert (
        command_key(["/opt/homebrew/bin/brew", "info", "--json=v2"])
        == "brew info --json=v2"
    )


# ---------------------------------------------------------------- ReplayRunner


def test_replay_runner_answers_from_inline_text_and_files(recording: Path) -> None:
    runner = ReplayRunner(recording)
    done = runner.run(["brew", "--prefix"])
    assert (done.args, done.stdout) == (["brew", "--prefix"], "/opt/homebrew\n")
    assert runner.run(["/usr/local/bin/brew", "tap"]).stdout == "hashicorp/tap\n"
    assert runner.calls == [("brew", "--prefix"), ("/usr/local/bin/brew", "tap")]


def test_replay_runner_reports_a_recorded_failure(recording: Path) -> None:
    runner = ReplayRunner(recording)
    done = runner.run(["brew", "uninstall", "ripgrep"], check=False)
    assert (done.returncode, done.stderr) == (1, "Error: Refusing to uninstall\n")
    with pytest.raises(CommandFailedError, match="Refusing to uninstall"):
        runner.run(["brew", "uninstall", "ripgrep"])


def test_replay_runner_fails_unrecorded_commands_of_known_programs(
    recording: Path,
) -> None:
    done = ReplayRunner(recording).run(["brew", "xyz"], check=False)
    assert done.returncode == 1
    assert done.stderr == "replay: no recording for 'brew xyz'\n"


def test_replay_runner_treats_unrecorded_programs_as_missing(recording: Path) -> None:
    runner = ReplayRunner(recording)
    assert runner.which("nix") is None
    with pytest.raises(ToolMissingError):
        runner.run(["nix", "--version"])


def test_which_places_recorded_programs_under_the_recorded_prefix(
    recording: Path,
) -> None:
    runner = ReplayRunner(recording)
    assert runner.which("brew") == "/opt/homebrew/bin/brew"
    assert runner.which("mas") == "/opt/homebrew/bin/mas"


def test_replay_runner_times_out_when_the_recording_sleeps_too_long(
    recording: Path,
) -> None:
    with pytest.raises(CommandFailedError) as caught:
        ReplayRunner(recording).run(["brew", "update"], timeout=5)
    assert caught.value.returncode is None


def test_replay_runner_appends_to_the_log(recording: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    echoed: list[str] = []
    runner = ReplayRunner(recording, log=log, echo=echoed.append)
    runner.run(["/opt/homebrew/bin/brew", "tap"])
    runner.run(["mas", "list"])
    assert read_log(log) == [["brew", "tap"], ["mas", "list"]]
    assert echoed == ["$ /opt/homebrew/bin/brew tap", "$ mas list"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "is not valid JSON"),
        ("[]", "is not a JSON object"),
        ('{"brew tap": {"stdout": "missing.txt"}}', "names a missing stdout file"),
        ('{"brew tap": {"stdut": "typo"}}', "malformed entry for 'brew tap'"),
    ],
)
def test_a_broken_recording_is_an_error_with_a_hint(
    tmp_path: Path, content: str, problem: str
) -> None:
    (tmp_path / "commands.json").write_text(content, encoding="utf-8")
    with pytest.raises(NixmigrateError, match=problem) as caught:
        load_recordings(tmp_path)
    assert caught.value.hint


# ---------------------------------------------------------------- fake executable


def test_run_replay_writes_stdout_and_stderr_and_returns_the_code(
    recording: Path,
) -> None:
    out, err = io.StringIO(), io.StringIO()
    env = {"NIXMIGRATE_REPLAY_DIR": str(recording)}
    code = run_replay(["/x/brew", "uninstall", "ripgrep"], env, out, err)
    assert (code, out.getvalue(), err.getvalue()) == (
        1,
        "",
        "Error: Refusing to uninstall\n",
    )


def test_run_replay_without_a_recording_dir_says_so(tmp_path: Path) -> None:
    err = io.StringIO()
    assert run_replay(["brew", "tap"], {}, io.StringIO(), err) == 2
    assert "NIXMIGRATE_REPLAY_DIR" in err.getvalue()


def test_fake_tool_on_path_replays_through_the_real_runner(
    recording: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_tool(tmp_path / "bin", "brew", recording, monkeypatch)
    log = log_invocations(tmp_path / "calls.jsonl", monkeypatch)
    runner = SubprocessRunner()
    assert runner.which("brew") == str(tmp_path / "bin" / "brew")
    assert runner.run(["brew", "tap"]).stdout == "hashicorp/tap\n"
    missing = runner.run(["brew", "xyz"], check=False)
    assert (missing.returncode, missing.stderr) == (
        1,
        "replay: no recording for 'brew xyz'\n",
    )
    assert invocations(log) == ["brew tap", "brew xyz"]


def test_fake_tool_failure_becomes_command_failed(
    recording: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_tool(tmp_path / "bin", "brew", recording, monkeypatch)
    with pytest.raises(
        CommandFailedError, match="exited 1: Error: Refusing to uninstall"
    ):
        SubprocessRunner().run(["brew", "uninstall", "ripgrep"])


def test_fake_tool_called_by_absolute_path_uses_its_basename(
    recording: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool = write_fake_tool(tmp_path / "opt" / "bin" / "mas")
    monkeypatch.setenv("NIXMIGRATE_REPLAY_DIR", str(recording))
    assert SubprocessRunner().run([str(tool), "list"]).stdout.startswith("497799835")


def test_a_sleeping_recording_hits_the_runner_timeout(
    recording: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_tool(tmp_path / "bin", "brew", recording, monkeypatch)
    with pytest.raises(CommandFailedError, match="timed out"):
        SubprocessRunner().run(["brew", "update"], timeout=0.5)
