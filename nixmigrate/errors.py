"""The error hierarchy. Each error carries a hint (what to do next) and an exit code.

Only the CLI prints errors and turns them into exit codes; the core raises them.
"""

from __future__ import annotations

from typing import ClassVar, Final

EXIT_OK: Final = 0
EXIT_FAILURE: Final = 1
EXIT_USAGE: Final = 2
EXIT_CONFLICT: Final = 3
EXIT_INTERRUPTED: Final = 130


class NixmigrateError(Exception):
    """An error the user can act on: one line of message, optionally a hint."""

    exit_code: ClassVar[int] = EXIT_FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(NixmigrateError):
    """Bad flags or arguments (a path that does not exist, a flag combination)."""

    exit_code = EXIT_USAGE


class ToolMissingError(NixmigrateError):
    """An external program (brew, stow, nix, git) is not installed or not on PATH."""

    def __init__(self, tool: str, *, hint: str | None = None) -> None:
        super().__init__(f"'{tool}' was not found on PATH", hint=hint)
        self.tool = tool


class CommandFailedError(NixmigrateError):
    """An external program exited non-zero or timed out."""

    def __init__(
        self,
        argv: tuple[str, ...],
        returncode: int | None,
        stderr: str,
        *,
        hint: str | None = None,
    ) -> None:
        import shlex  # local: keeps this module import-light

        first = next((ln for ln in stderr.splitlines() if ln.strip()), "").strip()
        status = "timed out" if returncode is None else f"exited {returncode}"
        detail = f": {first}" if first else ""
        super().__init__(f"'{shlex.join(argv)}' {status}{detail}", hint=hint)
        self.argv = argv
        self.returncode = returncode
        self.stderr = stderr


class NothingScannedError(NixmigrateError):
    """Neither Homebrew, a Brewfile nor a dotfiles directory could be read."""


class MappingError(NixmigrateError):
    """The mapping database or a user override file is malformed."""


class StateError(NixmigrateError):
    """The state directory (inventory, checkpoints, lock) is unusable."""


class ConflictError(NixmigrateError):
    """The home or config directory is not in the state a step expects."""

    exit_code = EXIT_CONFLICT


class LockedError(NixmigrateError):
    """Another nixmigrate run holds the lock."""
