"""Rich rendering of the report (scan_console.py renders what `scan` found)."""

from __future__ import annotations

import textwrap
from typing import Final

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from nixmigrate.report.accounting import HOMEBREW_OPTION, dropped
from nixmigrate.report.model import Report
from nixmigrate.report.scan_console import print_warnings
from nixmigrate.report.services import ServiceRow
from nixmigrate.resolution import Resolution


def render_report(console: Console, report: Report) -> None:
    console.print(Text(report.accounted_line, style="bold"))
    gone = dropped(report.accounting)
    if gone:
        table = Table(title=f"Dropped or not on this machine ({len(gone)})")
        for column in ("kind", "name", "line", "why"):
            table.add_column(column)
        for row in gone:
            line = str(row.line) if row.line is not None else ""
            table.add_row(row.kind, Text(row.name), line, Text(row.reason))
        console.print(table)
    found = Table(title="Found", show_header=False)
    for label, count in report.found.items():
        found.add_row(label, str(count))
    console.print(found)
    console.print(_counts_table("Decisions", report.by_action))
    console.print(_counts_table("Confidence", report.by_confidence))
    if report.mapped:
        console.print(_resolution_table("Maps to Nix", report.mapped))
    if report.kept:
        console.print(_resolution_table("Stays in Homebrew", report.kept))
    if report.unmapped:
        console.print(_resolution_table("Unmapped (needs a decision)", report.unmapped))
    if report.services:
        console.print(services_view(report.services, console.width), soft_wrap=False)
    if report.stow:
        table = Table(title="Dotfiles (Stow packages)")
        table.add_column("package")
        table.add_column("status, mode")
        for name, summary in report.stow.items():
            table.add_row(Text(name), Text(summary))
        console.print(table)
    progress = report.progress
    if progress.completed:
        done = ", ".join(str(p) for p in progress.completed)
        console.print(Text.assemble(("Applied phases: ", "bold"), done))
    print_warnings(console, report.warnings)
    console.print(Text("Next:", style="bold"))
    for step in report.next_steps:
        console.print(Text(f"  {step}"))


def _counts_table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, show_header=False)
    for key, count in counts.items():
        if count:
            table.add_row(key, str(count))
    return table


def _resolution_table(title: str, resolutions: tuple[Resolution, ...]) -> Table:
    table = Table(title=f"{title} ({len(resolutions)})")
    for column in ("kind", "name", "becomes", "confidence", "why"):
        table.add_column(column)
    for r in resolutions:
        table.add_row(
            r.kind, Text(r.name), Text(becomes(r)), r.confidence, Text(r.reason)
        )
    return table


SERVICE_COLUMNS = ("name", "running now", "becomes", "why", "data directory")


def service_cells(row: ServiceRow) -> tuple[str, str, str, str, str]:
    """The Services table's cells, shared by the console and markdown reports."""
    becomes_text = f"{row.becomes} ({row.option})" if row.option else row.becomes
    return (
        row.name,
        "yes" if row.running else "no",
        becomes_text,
        row.why,
        row.data_dir or "",
    )


# Below this, five columns squeeze "why" into a strip a dozen characters wide.
SERVICE_TABLE_MIN_WIDTH: Final = 140


def services_view(rows: tuple[ServiceRow, ...], width: int) -> RenderableType:
    """The Services table on a wide terminal, else one short block per service."""
    if width >= SERVICE_TABLE_MIN_WIDTH:
        return services_table(rows)
    blocks: list[RenderableType] = [Text(f"Services ({len(rows)})", style="bold")]
    for row in rows:
        name, running, becomes_text, why, data_dir = service_cells(row)
        head = Text(
            _wrapped(f"{name}  running now: {running}  ->  {becomes_text}", width, "")
        )
        head.stylize("bold", 0, len(name))
        blocks.append(head)
        blocks.append(Text(_wrapped(why, width)))
        if data_dir:
            blocks.append(Text(_wrapped(f"data directory: {data_dir}", width)))
    return Group(*blocks)


def _wrapped(text: str, width: int, indent: str = "    ") -> str:
    """`text` wrapped, later lines indented; names, paths and options never split."""
    return textwrap.fill(
        text,
        width=max(width, 40),
        initial_indent=indent,
        subsequent_indent="    ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def services_table(rows: tuple[ServiceRow, ...]) -> Table:
    table = Table(title=f"Services ({len(rows)})")
    for column in SERVICE_COLUMNS:  # names and options are folded, never cut short
        table.add_column(column, overflow="fold", ratio=3 if column == "why" else 1)
    for row in rows:
        table.add_row(*(Text(cell) for cell in service_cells(row)))
    return table


def becomes(resolution: Resolution) -> str:
    match resolution.action:
        case "program":
            return f"programs.{resolution.program}"
        case "nix":
            return f"pkgs.{resolution.attr}"
        case "service":
            return resolution.service or "service"
        case "keep-brew" | "keep-cask":
            return HOMEBREW_OPTION.get(resolution.kind, "homebrew")
        case "mas":
            return "homebrew.masApps"
        case "skip" | "unmapped":
            return resolution.action
