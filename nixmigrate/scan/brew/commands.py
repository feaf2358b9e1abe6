"""The Homebrew commands nixmigrate runs, and running one without ever raising.

Each builder returns the argv, so tests read like a spec of the calls made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

from nixmigrate.errors import CommandFailedError, ToolMissingError
from nixmigrate.system.runner import Runner

# Homebrew must not update itself, phone home or colour its output while we read it.
BREW_ENV: Final[Mapping[str, str]] = {
    "HOMEBREW_NO_AUTO_UPDATE": "1",
    "HOMEBREW_NO_ANALYTICS": "1",
    "HOMEBREW_NO_ENV_HINTS": "1",
    "HOMEBREW_NO_COLOR": "1",
}
BREW_CANDIDATES: Final = (
    "/opt/homebrew/bin/brew",  # Apple Silicon
    "/usr/local/bin/brew",  # Intel Macs
    "/home/linuxbrew/.linuxbrew/bin/brew",  # Linux
)
BREW_TIMEOUT: Final = 120.0


# ---------------------------------------------------------------- argv builders


def brew_prefix_cmd(brew: str = "brew") -> list[str]:
    return [brew, "--prefix"]


def brew_version_cmd(brew: str = "brew") -> list[str]:
    return [brew, "--version"]


def brew_info_cmd(brew: str = "brew") -> list[str]:
    return [brew, "info", "--json=v2", "--installed"]


def brew_list_formulae_cmd(brew: str = "brew") -> list[str]:
    return [brew, "list", "--formula", "--versions"]


def brew_leaves_cmd(brew: str = "brew") -> list[str]:
    return [brew, "leaves", "--installed-on-request"]


def brew_list_casks_cmd(brew: str = "brew") -> list[str]:
    return [brew, "list", "--cask", "--versions"]


def brew_tap_cmd(brew: str = "brew") -> list[str]:
    return [brew, "tap"]


def brew_services_json_cmd(brew: str = "brew") -> list[str]:
    return [brew, "services", "list", "--json"]


def brew_services_table_cmd(brew: str = "brew") -> list[str]:
    return [brew, "services", "list"]


def mas_list_cmd(mas: str = "mas") -> list[str]:
    return [mas, "list"]


def shown(argv: Sequence[str]) -> str:
    """How a command appears in messages: `brew info ...`, whatever its path."""
    return " ".join([PurePosixPath(argv[0]).name, *argv[1:]])


# ---------------------------------------------------------------- running


@dataclass(frozen=True, slots=True)
class Outcome:
    """A command's stdout, or why there is none ("exit 1: Error: ...")."""

    stdout: str | None
    problem: str = ""


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def run_for_output(
    runner: Runner,
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = BREW_TIMEOUT,
) -> Outcome:
    """Run argv; never raise: a failure comes back as a short problem text."""
    try:
        done = runner.run(argv, check=False, env=env, timeout=timeout)
    except ToolMissingError as err:
        return Outcome(None, err.hint or "not found")
    except CommandFailedError as err:
        if err.returncode is None:
            return Outcome(None, f"timed out after {timeout:g}s")
        return Outcome(None, f"exit {err.returncode}")
    if done.returncode != 0:
        detail = _first_line(done.stderr) or _first_line(done.stdout)
        return Outcome(
            None, f"exit {done.returncode}" + (f": {detail}" if detail else "")
        )
    return Outcome(done.stdout)
