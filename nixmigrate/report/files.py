"""report.md and report.json, both built from one Report value."""

from __future__ import annotations

import json

from nixmigrate.jsonable import to_plain
from nixmigrate.report.accounting import dropped
from nixmigrate.report.console import SERVICE_COLUMNS, becomes, service_cells
from nixmigrate.report.model import Report
from nixmigrate.resolution import Resolution


def report_to_json(report: Report) -> str:
    return json.dumps(to_plain(report), indent=2) + "\n"


def report_to_markdown(report: Report) -> str:
    lines = ["# nixmigrate report", "", report.accounted_line, ""]
    lines += _dropped(report)
    lines += ["## Found", ""]
    lines += [f"- {label}: {count}" for label, count in report.found.items()]
    lines += ["", "## Decisions", ""]
    lines += [f"- {k}: {v}" for k, v in report.by_action.items() if v]
    for title, items in (
        ("Maps to Nix", report.mapped),
        ("Stays in Homebrew", report.kept),
        ("Unmapped", report.unmapped),
        ("Skipped", report.skipped),
    ):
        if items:
            lines += ["", f"## {title} ({len(items)})", "", *_table(items)]
    if report.services:
        lines += ["", f"## Services ({len(report.services)})", ""]
        lines += [
            "| " + " | ".join(SERVICE_COLUMNS) + " |",
            "|" + "---|" * len(SERVICE_COLUMNS),
        ]
        lines += [
            "| " + " | ".join(_md(c) for c in service_cells(row)) + " |"
            for row in report.services
        ]
    if report.stow:
        lines += ["", "## Dotfiles", ""]
        lines += [f"- `{name}`: {summary}" for name, summary in report.stow.items()]
    if report.warnings:
        lines += ["", "## Warnings", ""]
        lines += [f"- {_md(w)}" for w in report.warnings]
    lines += ["", "## Next", ""]
    lines += [f"- `{step}`" for step in report.next_steps]
    return "\n".join(lines) + "\n"


def _dropped(report: Report) -> list[str]:
    rows = dropped(report.accounting)
    if not rows:
        return []
    lines = [f"## Dropped or not on this machine ({len(rows)})", ""]
    lines += ["| kind | name | line | why |", "|---|---|---|---|"]
    lines += [
        f"| {r.kind} | {_md(r.name)} | {r.line or ''} | {_md(r.reason)} |" for r in rows
    ]
    return [*lines, ""]


def _table(items: tuple[Resolution, ...]) -> list[str]:
    rows = ["| kind | name | becomes | confidence | why |", "|---|---|---|---|---|"]
    rows += [
        f"| {r.kind} | {_md(r.name)} | `{becomes(r)}` | {r.confidence} | {_md(r.reason)} |"
        for r in items
    ]
    return rows


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
