"""What every command shares: the --debug flag, error printing, consoles."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.text import Text

from nixmigrate.errors import EXIT_FAILURE, EXIT_INTERRUPTED, NixmigrateError

if TYPE_CHECKING:
    from nixmigrate.app.env import Env

F = TypeVar("F", bound=Callable[..., Any])


def err_console() -> Console:
    """Messages, progress and echoed commands go to stderr; stdout stays for data."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def out_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def is_interactive() -> bool:
    """A person is at the keyboard: stdin and stderr are terminals, and not in CI."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        return False
    return sys.stdin.isatty() and sys.stderr.isatty()


def debug_option(func: F) -> F:
    """`--debug` on every command: show the full traceback of any error."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.ensure_object(dict)["debug"] = True
        return value

    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=remember,
        is_eager=True,
        help="Show full tracebacks for errors.",
    )(func)


def debug_enabled() -> bool:
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, dict) and ctx.obj.get("debug"):
            return True
        ctx = ctx.parent
    return os.environ.get("NIXMIGRATE_DEBUG", "") not in {"", "0"}


def print_error(message: str, hint: str | None = None) -> None:
    console = err_console()
    # Text.assemble: user data (paths, names) is never parsed as rich markup
    console.print(Text.assemble(("error: ", "bold red"), message))
    if hint:
        console.print(Text.assemble(("  hint: ", "dim"), hint))


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn errors into one line + hint and an exit code; tracebacks only with --debug."""
    try:
        yield
    except NixmigrateError as err:
        if debug_enabled():
            raise
        print_error(str(err), err.hint)
        raise SystemExit(err.exit_code) from None
    except KeyboardInterrupt:
        print_error("interrupted")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except OSError as err:
        if debug_enabled():
            raise
        where = f": {err.filename}" if err.filename else ""
        print_error(f"{err.strerror or err}{where}", "check the path and permissions")
        raise SystemExit(EXIT_FAILURE) from None


def echo_command(command: str) -> None:
    """Show each external command before it runs (`$ brew info ...`), on stderr."""
    err_console().print(Text(command, style="dim"))


def make_env(*, no_input: bool) -> Env:
    """The real boundaries; prompts only when a person is at a terminal."""
    from nixmigrate.app.env import Env
    from nixmigrate.system.paths import Paths
    from nixmigrate.system.prompt import NonInteractivePrompter, QuestionaryPrompter
    from nixmigrate.system.runner import SubprocessRunner

    interactive = not no_input and is_interactive()
    return Env(
        runner=SubprocessRunner(echo=echo_command),
        paths=Paths.from_env(),
        prompter=QuestionaryPrompter() if interactive else NonInteractivePrompter(),
    )


def make_confirm(env: Env, *, yes: bool) -> Callable[[str], bool]:
    """Ask before anything destructive; --yes answers for the user."""

    def confirm(description: str) -> bool:
        err_console().print(Text(description))
        if yes:
            return True
        if not env.prompter.interactive:
            from nixmigrate.errors import UsageError

            msg = "this changes your home directory and no one is at a terminal to confirm"
            raise UsageError(msg, hint="review the plan, then re-run with --yes")
        return env.prompter.confirm("Go ahead?", default=False)

    return confirm
