"""Rich rendering of what `scan` found: host, Homebrew, Stow packages, warnings.

Kept apart from console.py, which renders the report and needs the planner's
facts, so that `scan` does not load the planner to print its tables.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from nixmigrate.scan.inventory import Inventory, StowInventory


def render_inventory(console: Console, inventory: Inventory) -> None:
    host = inventory.host
    console.print(
        Text.assemble(
            ("Host: ", "bold"),
            f"{host.hostname or '?'} ({host.os} {host.os_version}, {host.system or host.arch})",
            f", Nix {host.nix_version}" if host.nix_version else ", Nix not installed",
        )
    )
    console.print(_brew_table(inventory))
    if inventory.stow is not None:
        console.print(_stow_table(inventory.stow))
    print_warnings(console, inventory.warnings)


def _brew_table(inventory: Inventory) -> Table:
    brew = inventory.brew
    table = Table(title="Homebrew" + ("" if brew.available else " (not found)"))
    table.add_column("kind")
    table.add_column("count", justify="right")
    table.add_column("examples")
    requested = [f.name for f in brew.formulae if f.on_request]
    rows = [
        ("formulae (on request)", requested),
        (
            "formulae (dependencies)",
            [f.name for f in brew.formulae if not f.on_request],
        ),
        ("casks", [c.token for c in brew.casks]),
        ("taps", list(brew.taps)),
        ("Mac App Store", [m.name for m in brew.mas]),
        ("services", [s.name for s in brew.services]),
    ]
    if inventory.brewfile is not None:
        rows.append(
            ("Brewfile entries", [e.name for e in inventory.brewfile.entries if e.name])
        )
    for label, names in rows:
        table.add_row(label, str(len(names)), Text(_examples(names)))
    return table


def _stow_table(stow: StowInventory) -> Table:
    table = Table(title=f"Stow packages in {stow.dir}")
    for column in ("package", "status", "paths", "migrate as"):
        table.add_column(column)
    for p in stow.packages:
        mode = p.mode if p.include else "not included"
        table.add_row(Text(p.label), p.status, str(len(p.targets)), mode)
    return table


def _examples(names: list[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … (+{len(names) - limit})" if len(names) > limit else "")


def print_warnings(console: Console, warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        console.print(Text.assemble(("warning: ", "yellow"), warning))
