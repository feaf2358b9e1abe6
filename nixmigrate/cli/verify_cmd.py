"""`nixmigrate verify`: check the mappings against the user's own nixpkgs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click
from rich.text import Text

from nixmigrate.cli.common import debug_option, err_console, out_console, user_errors
from nixmigrate.cli.mapping_cmds import (
    _Context,
    _paths,
    mappings_option,
)
from nixmigrate.errors import EXIT_FAILURE, CommandFailedError, StateError

if TYPE_CHECKING:
    from nixmigrate.mapping.verify.model import VerifyReport
    from nixmigrate.resolution import Resolution
    from nixmigrate.scan.inventory import Inventory
    from nixmigrate.system.nixpkgs import NixpkgsSource
    from nixmigrate.system.paths import Paths

_ECHO_LIMIT: Final = 160
# how Nix says a download failed: no network, so the locked nixpkgs is out of reach
_OFFLINE: Final = re.compile(
    r"unable to download|Could(n't| not) resolve host|Couldn't connect|HTTP error|"
    r"network is unreachable",
    re.IGNORECASE,
)


@click.command()
@click.option(
    "--nixpkgs",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Check against this nixpkgs when the config dir has no flake.lock.",
)
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Generated flake whose flake.lock pins nixpkgs [default: the planned one].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@mappings_option
@debug_option
def verify(
    nixpkgs: Path | None, config_dir: Path | None, as_json: bool, mappings: Path | None
) -> None:
    """Check every chosen nixpkgs attribute against your nixpkgs, in one Nix call.

    The nixpkgs is the one locked in the config dir's flake.lock, else --nixpkgs,
    else the `nixpkgs` flake registry entry, else <nixpkgs> from NIX_PATH. The
    same call tries candidate names for unmapped items; one that provides the
    item's command maps it (confidence `verified`). Missing attributes turn their
    items into `unmapped` in the saved inventory; exits 1 when any attribute is
    missing or broken.
    """
    with user_errors():
        outcome = _run_verify(nixpkgs, config_dir, mappings)
    if outcome is None:
        return
    report, checked, promoted = outcome
    if as_json:
        click.echo(_report_json(report, checked, promoted))
    else:
        _print_report(report, checked, promoted)
    if report.failed:
        raise SystemExit(EXIT_FAILURE)


_Outcome = tuple["VerifyReport", tuple["Resolution", ...], list[tuple[str, str]]]


def _run_verify(
    nixpkgs: Path | None, config_dir: Path | None, mappings: Path | None
) -> _Outcome | None:
    from nixmigrate.app.saved_scan import save_inventory, saved_inventory
    from nixmigrate.app.verify import verify_attrs
    from nixmigrate.mapping.verify import (
        apply_verification,
        attrs_to_verify,
    )
    from nixmigrate.mapping.verify.candidates import (
        promote,
        promoted_names,
        trials_for,
    )
    from nixmigrate.system.nix import nix_available
    from nixmigrate.system.runner import SubprocessRunner

    paths = _paths()
    inventory = saved_inventory(paths)
    if inventory is None:
        msg = f"no saved inventory at {paths.inventory_file}"
        raise StateError(msg, hint="run `nixmigrate scan` first")
    context = _Context.load(mappings)
    resolutions = inventory.resolutions or context.resolve(inventory)
    attrs = attrs_to_verify(resolutions)
    trials = trials_for(resolutions, context.resolver.rules)
    if not attrs and not trials:
        err_console().print("nothing to verify: no item maps to a nixpkgs attribute")
        return None
    runner = SubprocessRunner(echo=_echo_command)
    if not nix_available(runner):
        err_console().print("Nix is not installed: nothing verified, nothing changed")
        return None
    source = _nixpkgs_source(paths, nixpkgs, config_dir)
    try:
        report = verify_attrs(runner, attrs, source=source, trials=trials)
    except CommandFailedError as err:
        if not (source.flakes and _OFFLINE.search(err.stderr)):
            raise
        err_console().print(
            Text(f"cannot fetch {source.described} (offline?): nothing changed")
        )
        return None
    checked = apply_verification(resolutions, report, _installed_versions(inventory))
    updated = promote(checked, report)
    save_inventory(paths, inventory.with_resolutions(updated))
    # as checked: a failed item's attribute is gone after
    return report, resolutions, promoted_names(resolutions, updated)


def _nixpkgs_source(
    paths: Paths, nixpkgs: Path | None, config_dir: Path | None
) -> NixpkgsSource:
    from nixmigrate.system.nixpkgs import find_nixpkgs, user_registries

    flake_dir = (config_dir or _planned_config_dir(paths)).expanduser()
    registries = user_registries(paths.home, paths.config_dir.parent)
    explicit = nixpkgs.resolve() if nixpkgs is not None else None
    return find_nixpkgs(flake_dir.resolve(), explicit, registries)


def _planned_config_dir(paths: Paths) -> Path:
    from nixmigrate.app.env import Env
    from nixmigrate.app.planning import load_choices
    from nixmigrate.plan.options import DEFAULT_CONFIG_DIR

    planned = load_choices(Env(paths=paths)).config_dir
    if planned:
        return Path(planned)
    return paths.home / DEFAULT_CONFIG_DIR.removeprefix("~/")


def _installed_versions(inventory: Inventory) -> dict[str, str]:
    versions = {f.name: f.version for f in inventory.brew.formulae}
    return versions | {c.token: c.version for c in inventory.brew.casks}


def _echo_command(line: str) -> None:
    short = line if len(line) <= _ECHO_LIMIT else line[: _ECHO_LIMIT - 3] + "..."
    err_console().print(Text(short, style="dim"))


def _items_by_attr(resolutions: tuple[Resolution, ...]) -> dict[str, list[str]]:
    items: dict[str, list[str]] = {}
    for resolution in resolutions:
        if resolution.attr:
            items.setdefault(resolution.attr, []).append(resolution.name)
    return items


def _print_report(
    report: VerifyReport,
    checked: tuple[Resolution, ...],
    promoted: list[tuple[str, str]],
) -> None:
    from rich.table import Table

    from nixmigrate.mapping.verify import describe_check

    err_console().print(Text(f"nixpkgs: {report.nixpkgs}"))
    table = Table(title=f"nixpkgs {report.nixpkgs} on {report.system}")
    for column in ("attribute", "status", "for"):
        table.add_column(column)
    items = _items_by_attr(checked)
    for check in report.checks:
        style = "red" if check.status in ("missing", "broken", "not-a-package") else ""
        status = describe_check(check) + (", unfree" if check.unfree else "")
        table.add_row(
            Text(check.attr),
            Text(status, style=style),
            Text(", ".join(items.get(check.attr, []))),
        )
    console = out_console()
    console.print(table)
    failed = len(report.failed)
    console.print(
        f"{len(report.checks)} attributes checked, {failed} missing or broken"
        + ("; their items are now unmapped" if failed else "")
    )
    for name, attr in promoted:
        console.print(
            Text(f"{name}: unmapped -> nix {attr} (verified in your nixpkgs)")
        )


def _report_json(
    report: VerifyReport,
    checked: tuple[Resolution, ...],
    promoted: list[tuple[str, str]],
) -> str:
    import json

    items = _items_by_attr(checked)
    checks = [
        {
            "attr": c.attr,
            "status": c.status,
            "version": c.version,
            "available": c.available,
            "unfree": c.unfree,
            "error": c.error,
            "items": items.get(c.attr, []),
        }
        for c in report.checks
    ]
    return json.dumps(
        {
            "system": report.system,
            "nixpkgs": report.nixpkgs,
            "nixpkgs_source": report.source,
            "checks": checks,
            "failed": len(report.failed),
            "promoted": [{"name": n, "attr": a} for n, a in promoted],
        },
        indent=2,
    )


COMMANDS = (verify,)
