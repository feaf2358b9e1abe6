"""`nixmigrate scan`: the inventory of Homebrew and Stow dotfiles."""

from __future__ import annotations

import click

from nixmigrate.cli.common import debug_option


@click.command()
@debug_option
def scan() -> None:
    """Scan Homebrew, a Brewfile and Stow dotfiles (work in progress)."""


COMMANDS = (scan,)
