"""`nixmigrate demo`: the whole migration on bundled demo data, in a temporary home."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.text import Text

from nixmigrate.cli.common import (
    debug_option,
    echo_command,
    err_console,
    out_console,
    user_errors,
)
from nixmigrate.errors import EXIT_FAILURE, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from nixmigrate.app.demo import DemoResult


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    help="Run in this (new or empty) directory and keep it [default: a temp dir].",
)
@click.option("--keep", is_flag=True, help="Keep the temporary directory afterwards.")
@click.option("--quiet", "-q", is_flag=True, help="Do not echo each command.")
@debug_option
def demo(directory: Path | None, keep: bool, quiet: bool) -> None:
    """Run scan, map, plan, apply and rollback on a recorded Mac, in a temp home.

    Nothing outside the demo directory is read or changed: Homebrew's output is
    replayed from a recording and the switch is simulated.
    """
    from nixmigrate.app.demo import run_demo
    from nixmigrate.report.plan_console import render_write_report
    from nixmigrate.report.scan_console import render_inventory

    say_console = err_console()

    def say(message: str) -> None:
        say_console.print(Text(f"==> {message}", style="bold cyan"))

    with user_errors():
        root = _demo_root(directory)
        try:
            result = run_demo(
                root, say=say, echo=(lambda _: None) if quiet else echo_command
            )
        finally:
            if directory is None and not keep:
                shutil.rmtree(root, ignore_errors=True)
    console = out_console()
    render_inventory(console, result.inventory)
    render_write_report(console, result.plan_run.report, diffs=False)
    _summary(console, result)
    if directory is not None or keep:
        home = result.root / "home"
        console.print(
            Text.assemble(
                ("Kept: ", "bold"),
                f"{result.root}  (try: HOME={home} nixmigrate report)",
            )
        )
        console.print(
            Text.assemble(
                ("Open ", "bold"),
                f"{result.report_html} in a browser; the generated configuration "
                f"is in {result.config_copy}",
            ),
            soft_wrap=True,
        )
    if not (
        result.round_trip_identical
        and result.brew_restored
        and result.services_restored
    ):
        raise SystemExit(EXIT_FAILURE)


def _demo_root(directory: Path | None) -> Path:
    if directory is None:
        return Path(tempfile.mkdtemp(prefix="nixmigrate-demo-"))
    directory = directory.expanduser().absolute()
    if directory.exists() and any(directory.iterdir()):
        msg = f"{directory} is not empty"
        raise UsageError(msg, hint="pass a new or empty directory to --dir")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _brewfile_summary(console: Console, result: DemoResult) -> None:
    """Where the Brewfile went: option paths, carried options, Linux-only entries."""
    from collections import Counter

    from nixmigrate.report.accounting import accounted, build_accounting

    options = result.plan_run.outcome.options
    rows = build_accounting(
        result.inventory, hostname=options.hostname, system=options.system
    )
    console.print(f"  {accounted(rows)} of {len(rows)} input entries accounted for")
    brewfile_rows = [r for r in rows if r.source == "brewfile"]
    homebrew = Counter(
        r.where.partition(": ")[2] for r in brewfile_rows if "homebrew.nix" in r.where
    )
    listed = ", ".join(f"{path} {count}" for path, count in sorted(homebrew.items()))
    console.print(Text(f"    Brewfile entries in homebrew.nix: {listed}"))
    in_homebrew = {r.name for r in brewfile_rows if "homebrew.nix" in r.where}
    carried = [
        f"{r.name} ({', '.join(sorted(r.options))})"
        for r in result.inventory.resolutions
        if r.options and r.name in in_homebrew
    ]
    if carried:
        console.print(Text(f"    with their options: {', '.join(carried)}"))
    linux = [r.name for r in brewfile_rows if "Linux-only" in r.reason]
    if linux:
        console.print(Text(f"    Linux-only, not on this Mac: {', '.join(linux)}"))


def _summary(console: Console, result: DemoResult) -> None:
    from nixmigrate.report.console import becomes, services_view
    from nixmigrate.report.services import build_services

    resolutions = result.inventory.resolutions
    mapped = [r for r in resolutions if r.action in {"nix", "program"}]
    console.print(Text("Demo summary", style="bold underline"))
    console.print(f"  decisions: {len(resolutions)}, mapped to Nix: {len(mapped)}")
    for r in mapped[:8]:
        console.print(
            Text(f"    {r.name} -> {becomes(r)}  ({r.confidence}: {r.reason})")
        )
    services = build_services(result.inventory)
    console.print(services_view(services, console.width), soft_wrap=False)
    parse = result.plan_run.parse_problems
    files = [
        f for f in result.plan_run.outcome.plan.files if f.relpath.endswith(".nix")
    ]
    parse_line = (
        "skipped: nix-instantiate is not installed"
        if parse is None
        else f"{len(files)} files parse with nix-instantiate"
    )
    console.print(f"  generated Nix: {parse_line}; option names checked: all exist")
    _brewfile_summary(console, result)
    for phase in result.applied:
        done = sum(1 for s in phase.steps if s.done)
        console.print(
            f"  phase {int(phase.phase)} applied: {done} step(s) done, "
            f"{len(phase.kept)} kept, checkpoint {phase.checkpoint_id}"
        )
    console.print(f"  rolled back: {result.rolled_back} checkpoint(s)")
    verdict = "identical" if result.round_trip_identical else "DIFFERENT"
    console.print(
        Text.assemble(
            ("  home after apply + rollback: ", "bold"),
            (verdict, "green" if result.round_trip_identical else "bold red"),
            f" (bytes, modes, link targets); Homebrew formulae restored: "
            f"{'yes' if result.brew_restored else 'NO'}; "
            f"brew services running again ({', '.join(result.services_started)}): "
            f"{'yes' if result.services_restored else 'NO'}",
        )
    )
    for difference in result.differences[:10]:
        console.print(Text(f"    differs: {difference}", style="red"))


COMMANDS = (demo,)
