"""Rich rendering of plans, written files, applied phases and checkpoints."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from nixmigrate.plan.model import PhasePlan, Plan
from nixmigrate.plan.phases import Phase

if TYPE_CHECKING:
    from nixmigrate.apply.executor import PhaseResult
    from nixmigrate.apply.files import WriteReport
    from nixmigrate.apply.rollback import RollbackResult
    from nixmigrate.state.store import CheckpointSummary

_STATUS_STYLE = {
    "create": "green",
    "update": "cyan",
    "identical": "dim",
    "conflict": "bold red",
}


def render_plan(console: Console, plan: Plan, *, only: Phase | None = None) -> None:
    for pp in plan.phases:
        if only is None or pp.phase == only:
            _render_phase(console, pp)


def _render_phase(console: Console, pp: PhasePlan) -> None:
    console.print(Text(f"Phase {int(pp.phase)}: {pp.title}", style="bold underline"))
    sections: Sequence[tuple[str, Sequence[str]]] = (
        ("needs", pp.preconditions),
        ("writes", pp.writes),
        ("apply will", [s.describe() for s in pp.steps]),
        ("then run", pp.commands),
        ("verify", pp.verify),
        ("undo", pp.undo),
        ("notes", pp.notes),
    )
    for label, items in sections:
        for i, item in enumerate(items):
            head = f"  {label:<10} " if i == 0 else " " * 13
            console.print(Text.assemble((head, "bold"), item))


def render_write_report(console: Console, report: WriteReport, *, diffs: bool) -> None:
    verb = "would write" if report.pretend else "files"
    console.print(Text(f"{report.config_dir} ({verb}):", style="bold"))
    for change in report.changes:
        status = str(change.status)
        console.print(
            Text.assemble(
                (f"  {status:<9} ", _STATUS_STYLE.get(status, "")),
                change.relpath,
                (f"  ({change.reason})" if change.reason else "", "dim"),
            )
        )
        if diffs and change.diff and status != "identical":
            console.print(Syntax(change.diff, "diff", theme="ansi_dark"))


def render_phase_results(console: Console, results: Sequence[PhaseResult]) -> None:
    if not results:
        console.print("Every planned phase up to this one is already applied.")
    for result in results:
        head = f"Phase {int(result.phase)} applied (checkpoint {result.checkpoint_id})"
        console.print(Text(head, style="bold green"))
        for step in result.steps:
            mark = ("done ", "green") if step.done else ("kept ", "yellow")
            reason = f": {step.reason}" if step.reason else ""
            console.print(Text.assemble("  ", mark, step.description, reason))
        for note in result.notes:
            console.print(Text(f"  note: {note}", style="dim"))
        if result.switch_command:
            console.print(
                Text.assemble(
                    ("  now run: ", "bold"), shlex.join(result.switch_command)
                )
            )
        if result.rollback_command:
            console.print(
                Text.assemble(
                    ("  to undo: ", "bold"), shlex.join(result.rollback_command)
                )
            )


def render_rollback(console: Console, result: RollbackResult) -> None:
    for outcome in result.restored:
        console.print(
            Text(f"Restored checkpoint {outcome.checkpoint_id}", style="green")
        )
        for argv in outcome.undone:
            console.print(Text(f"  $ {shlex.join(argv)}", style="dim"))
        for moved in outcome.displaced:
            console.print(
                Text(
                    f"  your changed {moved.path} is kept at {moved.kept_at}",
                    style="yellow",
                )
            )


def render_checkpoints(
    console: Console, checkpoints: Sequence[CheckpointSummary]
) -> None:
    if not checkpoints:
        console.print("No checkpoints yet.")
        return
    table = Table(title="Checkpoints (newest last)")
    for column in ("id", "what", "created", "status", "paths", "commands"):
        table.add_column(column)
    for cp in checkpoints:
        status = cp.status + (f" ({cp.problem})" if cp.problem else "")
        table.add_row(
            Text(cp.id),
            Text(cp.label),
            cp.created,
            status,
            str(cp.paths),
            str(cp.commands),
        )
    console.print(table)
