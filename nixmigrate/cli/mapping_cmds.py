"""`nixmigrate explain` and `map`: look at and correct the mappings.

`verify` (verify_cmd) checks them against the user's nixpkgs and shares `_Context`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click
from rich.text import Text

from nixmigrate.cli.common import (
    debug_option,
    err_console,
    make_env,
    out_console,
    user_errors,
)
from nixmigrate.errors import UsageError

if TYPE_CHECKING:
    from nixmigrate.mapping.db import MappingDB
    from nixmigrate.mapping.overrides import OverrideChange
    from nixmigrate.mapping.resolve import Resolver
    from nixmigrate.mapping.schema import EntryKind
    from nixmigrate.resolution import ItemKind, Resolution
    from nixmigrate.scan.inventory import Inventory
    from nixmigrate.system.paths import Paths

F = TypeVar("F", bound=Callable[..., Any])

_ATTR_PATH: Final = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_'+-]*(\.[A-Za-z_][A-Za-z0-9_'+-]*)*$"
)


def mappings_option(func: F) -> F:
    return click.option(
        "--mappings",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        metavar="DIR",
        help="Use the mapping database in DIR instead of the one shipped.",
    )(func)


# ---------------------------------------------------------------- explain


@click.command()
@click.argument("name")
@click.option("--cask", "as_cask", is_flag=True, help="Explain NAME as a cask.")
@mappings_option
@debug_option
def explain(name: str, as_cask: bool, mappings: Path | None) -> None:
    """Show what NAME becomes under Nix, why, and every step that was tried.

    Uses the saved inventory (from `nixmigrate scan`) for context when there is
    one; otherwise NAME is explained as a formula, or as a cask if only a cask
    has that name.
    """
    with user_errors():
        context = _Context.load(mappings)
        resolution = _explained(context, name, "cask" if as_cask else None)
    _print_explanation(resolution)


def _explained(context: _Context, name: str, kind: ItemKind | None) -> Resolution:
    from nixmigrate.app.saved_scan import saved_inventory
    from nixmigrate.mapping.resolutions import explain_name

    inventory = saved_inventory(context.paths)
    if inventory is not None:
        found = _from_inventory(context, inventory, name, kind)
        if found is not None:
            return found
    return explain_name(context.resolver, name, kind=kind)


def _from_inventory(
    context: _Context, inventory: Inventory, name: str, kind: ItemKind | None
) -> Resolution | None:
    matches = [
        r
        for r in context.resolve(inventory)
        if (r.name == name or r.name.rsplit("/", 1)[-1] == name)
        and (kind is None or r.kind == kind)
    ]
    return matches[0] if matches else None


def _print_explanation(resolution: Resolution) -> None:
    console = out_console()
    target = " ".join(
        filter(None, [resolution.action, resolution.attr, _program(resolution)])
    )
    console.print(
        Text.assemble(
            (resolution.name, "bold"),
            f" ({resolution.kind}): ",
            (target, "green" if resolution.action != "unmapped" else "red"),
            f"  [{resolution.confidence}]",
        )
    )
    for label, value in _details(resolution):
        console.print(Text.assemble(f"  {label}: ", value))
    console.print("  steps:")
    for number, step in enumerate(resolution.chain, start=1):
        console.print(Text(f"    {number}. {step}"))


def _program(resolution: Resolution) -> str:
    return f"(programs.{resolution.program})" if resolution.program else ""


def _details(resolution: Resolution) -> list[tuple[str, str]]:
    details = [("why", resolution.reason)]
    if resolution.note:
        details.append(("note", resolution.note))
    if resolution.platforms:
        details.append(("platforms", ", ".join(resolution.platforms)))
    if resolution.unfree:
        details.append(("license", "unfree (needs allowUnfree)"))
    if resolution.source == "brewfile":
        details.append(("from", "the Brewfile (not installed)"))
    if not resolution.on_request:
        details.append(("installed", "as a dependency"))
    return details


# ---------------------------------------------------------------- map


@click.command(name="map")
@click.argument("name")
@click.argument("attr", required=False)
@click.option("--keep", is_flag=True, help="Keep NAME in Homebrew instead.")
@click.option("--reason", help="Why (recorded in your mappings file).")
@click.option("--cask", "as_cask", is_flag=True, help="NAME is a cask.")
@click.option("--tap", "as_tap", is_flag=True, help="NAME is a tap (only --keep).")
@mappings_option
@debug_option
def map_command(
    name: str,
    attr: str | None,
    keep: bool,
    reason: str | None,
    as_cask: bool,
    as_tap: bool,
    mappings: Path | None,
) -> None:
    """Map NAME to the nixpkgs attribute ATTR, or --keep it in Homebrew.

    The choice goes to your own mappings file (~/.config/nixmigrate/mappings.toml),
    which wins over nixmigrate's database; its comments and other entries are kept.
    """
    with user_errors():
        kind = _kind_of(as_cask=as_cask, as_tap=as_tap)
        _check_map_args(attr, keep=keep, kind=kind)
        context = _Context.load(mappings)
        before = context.explain(name, kind)
        change = _record(context, name, kind, attr=attr, keep=keep, reason=reason)
        after = _Context.load(mappings).explain(name, kind)
        refreshed = _refresh_inventory(mappings)
    _print_change(before, after, change.path)
    if refreshed is not None:
        out_console().print(
            Text(
                f"  the saved scan now uses it ({refreshed}); `nixmigrate plan` follows"
            )
        )
    if attr is not None and attr not in context.resolver.names:
        err_console().print(
            Text(
                f"note: {attr} is not in nixmigrate's list of known nixpkgs "
                "attributes; `nixmigrate verify` checks it against your nixpkgs"
            )
        )


def _refresh_inventory(mappings: Path | None) -> Path | None:
    from nixmigrate.app.mapping import refresh_saved_inventory

    return refresh_saved_inventory(make_env(no_input=True), mappings)


def _kind_of(*, as_cask: bool, as_tap: bool) -> ItemKind:
    if as_cask and as_tap:
        msg = "--cask and --tap cannot be used together"
        raise UsageError(msg, hint="a name is either a cask or a tap")
    return "cask" if as_cask else "tap" if as_tap else "formula"


def _check_map_args(attr: str | None, *, keep: bool, kind: ItemKind) -> None:
    if (attr is None) == (not keep):
        msg = "give a nixpkgs attribute or --keep (one of the two)"
        raise UsageError(msg, hint="nixmigrate map ripgrep ripgrep, or map NAME --keep")
    if attr is not None and not _ATTR_PATH.match(attr):
        msg = f"'{attr}' is not a nixpkgs attribute path"
        raise UsageError(msg, hint="e.g. ripgrep, nodejs_22, python3Packages.black")
    if attr is not None and kind == "tap":
        msg = "a tap can only be kept (--keep), not mapped to an attribute"
        raise UsageError(msg, hint="map the tap's formulae one by one")


def _record(
    context: _Context,
    name: str,
    kind: ItemKind,
    *,
    attr: str | None,
    keep: bool,
    reason: str | None,
) -> OverrideChange:
    from nixmigrate.app.mapping import record_override

    entry_kind: EntryKind = (
        "cask" if kind == "cask" else "tap" if kind == "tap" else "formula"
    )
    return record_override(
        context.paths.user_mappings,
        entry_kind,
        name,
        attr=attr,
        keep=keep,
        reason=reason,
    )


def _print_change(before: Resolution, after: Resolution, path: Path) -> None:
    console = out_console()
    console.print(
        Text.assemble(
            (f"{after.kind} {after.name}", "bold"),
            f": {_summary(before)} -> ",
            (_summary(after), "green"),
        )
    )
    console.print(Text(f"  saved in {path}"))


def _summary(resolution: Resolution) -> str:
    parts = [resolution.action, resolution.attr, _program(resolution)]
    target = " ".join(filter(None, parts))
    return f"{target} ({resolution.confidence})"


# ---------------------------------------------------------------- shared


@dataclass(frozen=True)
class _Context:
    """The database, the user's overrides and a resolver over both."""

    paths: Paths
    db: MappingDB
    overrides: MappingDB
    resolver: Resolver

    @classmethod
    def load(cls, mappings: Path | None) -> _Context:
        from nixmigrate.mapping.db import load_mappings, locate_mappings
        from nixmigrate.mapping.overrides import load_overrides
        from nixmigrate.mapping.resolve import make_resolver

        paths = _paths()
        db = load_mappings(locate_mappings(mappings))
        overrides = load_overrides(paths.user_mappings)
        return cls(paths, db, overrides, make_resolver(db, overrides))

    def resolve(self, inventory: Inventory) -> tuple[Resolution, ...]:
        from nixmigrate.mapping.resolutions import resolve_inventory

        return resolve_inventory(
            inventory,
            self.db,
            self.overrides,
            names=self.resolver.names,
            rules=self.resolver.rules,
        )

    def explain(self, name: str, kind: ItemKind) -> Resolution:
        return _explained(self, name, kind)


def _paths() -> Paths:
    from nixmigrate.system.paths import Paths

    return Paths.from_env()


COMMANDS = (explain, map_command)
