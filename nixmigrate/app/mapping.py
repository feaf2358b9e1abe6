"""Loading the mapping database and the user's overrides, resolving an inventory,
and recording an override (`nixmigrate map`)."""

from __future__ import annotations

from pathlib import Path

from nixmigrate.app.env import Env
from nixmigrate.app.saved_scan import load_inventory, save_inventory
from nixmigrate.mapping.overrides import OverrideChange, edit_override
from nixmigrate.mapping.schema import EntryKind
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import Inventory
from nixmigrate.system.fs import atomic_write_text


def resolve_for(
    env: Env, inventory: Inventory, mappings: Path | None
) -> tuple[Resolution, ...]:
    from nixmigrate.mapping.db import load_mappings, locate_mappings
    from nixmigrate.mapping.overrides import load_overrides
    from nixmigrate.mapping.resolutions import resolve_inventory

    db = load_mappings(locate_mappings(mappings))
    overrides = load_overrides(env.paths.user_mappings)
    return resolve_inventory(inventory, db, overrides)


def record_override(
    path: Path,
    kind: EntryKind,
    name: str,
    *,
    attr: str | None = None,
    keep: bool = False,
    reason: str | None = None,
) -> OverrideChange:
    """Set `[kind.name]` in the user's mappings file to `nix = attr` or to `keep`,
    keeping everything else (comments and layout included)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    new_text, change = edit_override(
        text, path, kind, name, attr=attr, keep=keep, reason=reason
    )
    atomic_write_text(path, new_text)
    return change


def refresh_saved_inventory(env: Env, mappings: Path | None) -> Path | None:
    """Resolve the saved inventory again (after `map` changed an override), so that
    `plan` and `report` follow the user's choice without a new scan; None when no
    scan was saved yet."""
    if not env.paths.inventory_file.exists():
        return None
    inventory = load_inventory(env.paths)
    resolved = inventory.with_resolutions(resolve_for(env, inventory, mappings))
    return save_inventory(env.paths, resolved)
