"""The one process boundary: every external command goes through a Runner."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from subprocess import CompletedProcess
from typing import Final, Protocol

from nixmigrate.errors import CommandFailedError, ToolMissingError

# CompletedProcess is re-exported so other Runner implementations (the replay in
# system/replay.py) can name their return type without importing subprocess.
__all__ = ["DEFAULT_TIMEOUT", "CompletedProcess", "Runner", "SubprocessRunner"]

DEFAULT_TIMEOUT: Final = 120.0


class Runner(Protocol):
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
        """Run argv; raise ToolMissingError / CommandFailedError (when check)."""
        ...

    def which(self, name: str) -> str | None:
        """Where `name` is on PATH, or None."""
        ...


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class SubprocessRunner:
    """Runs real commands, echoing each one (`$ brew info ...`) before it runs."""

    echo: Callable[[str], None] = field(default=_quiet)

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
        args = list(argv)
        self.echo(f"$ {shlex.join(args)}")
        full_env = {**os.environ, **env} if env else None
        try:
            done = subprocess.run(
                args,
                check=False,
                capture_output=True,
                text=True,
                errors="surrogateescape",
                env=full_env,
                timeout=timeout,
                cwd=cwd,
                input=input_text,
                stdin=None if input_text is not None else subprocess.DEVNULL,
            )
        except FileNotFoundError as err:
            raise ToolMissingError(args[0]) from err
        except PermissionError as err:
            msg = f"{args[0]} is not executable"
            raise ToolMissingError(args[0], hint=msg) from err
        except subprocess.TimeoutExpired as err:
            stderr = err.stderr if isinstance(err.stderr, str) else ""
            raise CommandFailedError(tuple(args), None, stderr) from err
        if check and done.returncode != 0:
            raise CommandFailedError(tuple(args), done.returncode, done.stderr)
        return done

    def which(self, name: str) -> str | None:
        return shutil.which(name)
