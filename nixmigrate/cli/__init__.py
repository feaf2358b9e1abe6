"""The command line. Only this package imports click.

Commands live in small modules and import the heavy parts of nixmigrate lazily, inside the
command, so `nixmigrate --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from nixmigrate import __version__
from nixmigrate.cli.common import debug_option, print_error
from nixmigrate.errors import EXIT_FAILURE, EXIT_INTERRUPTED


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nixmigrate")
@debug_option
def cli() -> None:
    """Move from Homebrew + GNU Stow dotfiles to Nix + Home Manager, in safe phases.

    \b
    Typical flow:
      nixmigrate scan              what you have today
      nixmigrate report            what maps where, and what is left
      nixmigrate plan --phase 3    write the Nix configuration for phases 1-3
      nixmigrate apply --phase 3   change the home directory, behind a checkpoint
      nixmigrate rollback          undo the last applied phase
    """


def _register() -> None:
    from nixmigrate.cli import demo_cmd, mapping_cmds, phase_cmds, scan_cmd, verify_cmd

    for module in (scan_cmd, mapping_cmds, verify_cmd, phase_cmds, demo_cmd):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(args: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if args is None else args)
    try:
        cli.main(args=argv, prog_name="nixmigrate", standalone_mode=True)
    except KeyboardInterrupt:
        print_error("interrupted")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except Exception as err:
        if "--debug" in argv:
            raise
        print_error(
            f"internal error: {type(err).__name__}: {err}",
            "re-run with --debug for the traceback, and please report it",
        )
        raise SystemExit(EXIT_FAILURE) from None
