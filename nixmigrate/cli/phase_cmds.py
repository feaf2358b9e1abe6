"""`nixmigrate plan`, `apply`, `rollback` and `report`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.text import Text

from nixmigrate.cli.common import (
    debug_option,
    err_console,
    make_confirm,
    make_env,
    out_console,
    user_errors,
)
from nixmigrate.errors import EXIT_CONFLICT
from nixmigrate.plan.boards import DEFAULT_PI_MODEL, PI_MODELS

if TYPE_CHECKING:
    from nixmigrate.app.env import Env
    from nixmigrate.app.planning import ChoiceOverrides

_PATH = click.Path(path_type=Path)
_PHASE = click.IntRange(1, 7)
_SYSTEMS = click.Choice(
    ["aarch64-darwin", "x86_64-darwin", "x86_64-linux", "aarch64-linux"]
)


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config-dir, --no-input and --yes, shared by plan, apply and rollback."""
    func = click.option("--yes", "-y", is_flag=True, help="Do not ask; answer yes.")(
        func
    )
    func = click.option("--no-input", is_flag=True, help="Never prompt.")(func)
    func = click.option(
        "--config-dir",
        type=_PATH,
        help="Generated flake directory [default: ~/nix-config].",
    )(func)
    return debug_option(func)


def _host_flags(func: Callable[..., Any]) -> Callable[..., Any]:
    """Overrides for what the scan found, e.g. to plan a Mac's config from Linux."""
    options = [
        click.option("--system", type=_SYSTEMS, help="Nix system of this machine."),
        click.option("--hostname", help="Flake host name [default: from the scan]."),
        click.option("--user", help="User name [default: from the scan]."),
        click.option(
            "--touch-id/--no-touch-id", default=None, help="Touch ID for sudo."
        ),
        click.option(
            "--second-host", help="Add a Linux machine with this name (phase 6)."
        ),
        click.option(
            "--second-system",
            type=click.Choice(["aarch64-linux", "x86_64-linux"]),
            default="aarch64-linux",
            show_default=True,
        ),
        click.option(
            "--second-kind",
            type=click.Choice(["raspberry-pi", "nixos", "standalone"]),
            default="raspberry-pi",
            show_default=True,
        ),
        click.option("--second-address", default="", help="ssh address for deploys."),
        click.option(
            "--pi-model",
            type=click.Choice(PI_MODELS),
            default=DEFAULT_PI_MODEL,
            show_default=True,
            help="Raspberry Pi model (--second-kind raspberry-pi).",
        ),
        click.option(
            "--determinate-nix/--no-determinate-nix",
            default=None,
            help="Determinate Nix manages the daemon (nix.enable = false) "
            "[default: as scanned].",
        ),
        click.option(
            "--sops/--no-sops", default=None, help="Wire in sops-nix secrets."
        ),
        click.option(
            "--zap/--no-zap",
            default=None,
            help='Phase 7: Homebrew cleanup "zap" (also deletes app data).',
        ),
        click.option("--mappings", type=_PATH, help="Mapping database directory."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _overrides(flags: dict[str, Any]) -> ChoiceOverrides:
    from nixmigrate.app.planning import ChoiceOverrides
    from nixmigrate.plan.options import SecondHost

    second = None
    if flags["second_host"]:
        second = SecondHost(
            name=flags["second_host"],
            system=flags["second_system"],
            kind=flags["second_kind"],
            address=flags["second_address"],
            pi_model=flags["pi_model"],
        )
    return ChoiceOverrides(
        config_dir=flags["config_dir"].expanduser() if flags["config_dir"] else None,
        hostname=flags["hostname"],
        user=flags["user"],
        system=flags["system"],
        touch_id=flags["touch_id"],
        second_host=second,
        sops=flags["sops"],
        homebrew_zap=flags["zap"],
        determinate_nix=flags["determinate_nix"],
    )


@click.command()
@click.option("--phase", type=_PHASE, required=True, help="Plan phases 1..N.")
@click.option("--dry-run", is_flag=True, help="Show what would change, as a diff.")
@click.option("--force", is_flag=True, help="Overwrite hand-edited generated files.")
@_host_flags
@_common
def plan(phase: int, dry_run: bool, force: bool, **flags: Any) -> None:  # noqa: ANN401 - click passes the flags by name
    """Write the Nix configuration for phases 1..N (nothing in $HOME changes).

    \b
    Exit codes: 0 written, 3 a generated file was edited by hand (kept), 2 usage.
    """
    from nixmigrate.app.phases import run_plan
    from nixmigrate.plan.phases import Phase
    from nixmigrate.report.plan_console import render_plan, render_write_report

    with user_errors():
        env = make_env(no_input=flags["no_input"])
        run = run_plan(
            env,
            Phase(phase),
            _overrides(flags),
            mappings=flags["mappings"],
            dry_run=dry_run,
            force=force,
        )
    console = out_console()
    render_plan(console, run.outcome.plan)
    render_write_report(console, run.report, diffs=dry_run)
    for warning in run.outcome.warnings:
        err_console().print(Text.assemble(("warning: ", "yellow"), warning))
    if run.parse_problems is None:
        err_console().print("note: nix-instantiate not found; parse check skipped")
    if run.report.conflicts:
        err_console().print(
            Text.assemble(
                ("conflict: ", "bold red"),
                "kept your edits to "
                + ", ".join(c.relpath for c in run.report.conflicts)
                + "; use --dry-run to see the diff, --force to overwrite",
            )
        )
        raise SystemExit(EXIT_CONFLICT)


@click.command()
@click.option("--phase", type=_PHASE, required=True, help="Apply phases up to N.")
@click.option("--no-activate", is_flag=True, help="Stop before the switch; print it.")
@click.option("--force", is_flag=True, help="Overwrite hand-edited generated files.")
@click.option("--mappings", type=_PATH, help="Mapping database directory.")
@_common
def apply(
    phase: int,
    no_activate: bool,
    force: bool,
    mappings: Path | None,
    config_dir: Path | None,
    no_input: bool,
    yes: bool,
) -> None:
    """Apply planned phases up to N to your home, each behind a checkpoint."""
    from nixmigrate.app.phases import ApplySettings, run_apply
    from nixmigrate.plan.phases import Phase
    from nixmigrate.report.plan_console import render_phase_results

    with user_errors():
        env = make_env(no_input=no_input)
        _check_config_dir(env, config_dir)
        results = run_apply(
            env,
            Phase(phase),
            make_confirm(env, yes=yes),
            ApplySettings(no_activate=no_activate, force=force),
            mappings=mappings,
        )
    render_phase_results(out_console(), results)


@click.command()
@click.option("--to", "to", metavar="ID", help="Undo every checkpoint from ID on.")
@click.option("--list", "list_only", is_flag=True, help="List the checkpoints.")
@click.option("--force", is_flag=True, help="Replace files you changed since.")
@_common
def rollback(
    to: str | None,
    list_only: bool,
    force: bool,
    config_dir: Path | None,
    no_input: bool,
    yes: bool,
) -> None:
    """Restore the last checkpoint, byte for byte."""
    from nixmigrate.app.phases import run_rollback
    from nixmigrate.report.plan_console import render_checkpoints, render_rollback
    from nixmigrate.state.checkpoints import RollbackConflictError
    from nixmigrate.state.store import CheckpointStore

    with user_errors():
        env = make_env(no_input=no_input)
        _check_config_dir(env, config_dir)
        if list_only:
            store = CheckpointStore.from_paths(env.paths)
            render_checkpoints(out_console(), store.list_checkpoints())
            return
        try:
            result = run_rollback(env, make_confirm(env, yes=yes), to=to, force=force)
        except RollbackConflictError as err:
            for conflict in err.conflicts:
                err_console().print(Text(f"{conflict.path}: {conflict.reason}"))
                if conflict.diff:
                    err_console().print(Text(conflict.diff))
            raise
    render_rollback(out_console(), result)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--output", type=_PATH, help="Also write report.md and report.json into DIR."
)
@debug_option
def report(as_json: bool, output: Path | None) -> None:
    """What was found, what maps where and why, what is left, what to run next."""
    from nixmigrate.app.reporting import make_report, write_report_files
    from nixmigrate.report.console import render_report
    from nixmigrate.report.files import report_to_json

    with user_errors():
        env = make_env(no_input=True)
        result = make_report(env)
        if output is not None:
            write_report_files(result, output)
    if as_json:
        click.echo(report_to_json(result), nl=False)
    else:
        render_report(out_console(), result)


def _check_config_dir(env: Env, config_dir: Path | None) -> None:
    """--config-dir on apply/rollback must be the one the plan wrote."""
    if config_dir is None:
        return
    from nixmigrate.app.phases import progress_of
    from nixmigrate.errors import UsageError

    _, choices = progress_of(env)
    if choices.config_dir and Path(choices.config_dir) != config_dir.expanduser():
        msg = f"{config_dir} is not the planned config dir ({choices.config_dir})"
        raise UsageError(msg, hint="run `nixmigrate plan --config-dir DIR` first")


COMMANDS = (plan, apply, rollback, report)
