"""`nixmigrate scan`: the inventory of Homebrew, a Brewfile and Stow dotfiles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.text import Text

from nixmigrate.cli.common import (
    debug_option,
    err_console,
    make_env,
    out_console,
    user_errors,
)

if TYPE_CHECKING:
    from nixmigrate.app.env import Env

_PATH = click.Path(path_type=Path)


@click.command()
@click.option("--brewfile", type=_PATH, help="Also read this Brewfile (never run).")
@click.option(
    "--dotfiles", type=_PATH, help="Stow directory [default: ~/dotfiles or .stowrc]."
)
@click.option(
    "--home", type=_PATH, help="Home directory (Stow target) [default: $HOME]."
)
@click.option(
    "--stow-dotfiles/--no-stow-dotfiles",
    default=None,
    help="Packages were stowed with (without) Stow's --dotfiles [default: per "
    "package, from the links].",
)
@click.option(
    "--stow-target",
    type=_PATH,
    metavar="DIR",
    help="Packages were stowed into DIR (stow -t) [default: per package, from "
    "the links; .stowrc's --target first].",
)
@click.option("--no-brew", is_flag=True, help="Do not run brew.")
@click.option("--mappings", type=_PATH, help="Mapping database directory.")
@click.option("--json", "as_json", is_flag=True, help="Print the inventory as JSON.")
@click.option("--no-input", is_flag=True, help="Never prompt; take every default.")
@debug_option
def scan(
    brewfile: Path | None,
    dotfiles: Path | None,
    home: Path | None,
    stow_dotfiles: bool | None,
    stow_target: Path | None,
    no_brew: bool,
    mappings: Path | None,
    as_json: bool,
    no_input: bool,
) -> None:
    """Scan Homebrew, a Brewfile and Stow dotfiles; save and show the inventory.

    \b
    Exit codes: 0 scanned (warnings allowed), 2 usage error, 1 nothing scanned.
    """
    from nixmigrate.app.scan import ScanRequest, resolve_and_save, run_scan
    from nixmigrate.report.scan_console import render_inventory

    with user_errors():
        env = make_env(no_input=no_input or as_json)  # --json output is never asked
        interactive = env.prompter.interactive
        console = err_console()
        request = ScanRequest(
            home=(home or env.paths.home).expanduser(),
            dotfiles=dotfiles.expanduser() if dotfiles else None,
            brewfile=brewfile.expanduser() if brewfile else None,
            no_brew=no_brew,
            stow_dotfiles=stow_dotfiles,
            stow_target=stow_target.expanduser() if stow_target else None,
        )
        with _spinner(env, animate=not interactive):  # no spinner under prompts
            inventory = run_scan(env, request)
        if interactive:
            render_inventory(out_console(), inventory)
            if not env.prompter.confirm("Save this inventory?", default=True):
                console.print("Nothing saved.")
                return
        with _spinner(env):
            inventory, saved = resolve_and_save(env, inventory, mappings)
    if as_json:
        from nixmigrate.scan.inventory import inventory_to_json

        click.echo(inventory_to_json(inventory), nl=False)
        return
    if not interactive:
        render_inventory(out_console(), inventory)
    console.print(Text.assemble(("Saved ", "green"), str(saved)))
    console.print(Text("Next: nixmigrate report", style="bold"))


@contextmanager
def _spinner(env: Env, *, animate: bool = True) -> Iterator[None]:
    """Show what is running on stderr while the scan works."""
    console = err_console()
    if not animate:
        previous = env.progress
        env.progress = lambda message: console.print(Text(message, style="dim"))
        try:
            yield
        finally:
            env.progress = previous
        return
    with console.status("Scanning…") as status:
        previous = env.progress

        def show(message: str) -> None:
            status.update(message)
            if not console.is_terminal:
                console.print(Text(message, style="dim"))

        env.progress = show
        try:
            yield
        finally:
            env.progress = previous


COMMANDS = (scan,)
