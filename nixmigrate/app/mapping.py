"""Loading the mapping database and the user's overrides, and resolving an inventory."""

from __future__ import annotations

from pathlib import Path

from nixmigrate.app.env import Env
from nixmigrate.app.saved_scan import load_inventory, save_inventory
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import Inventory


def resolve_for(
    env: Env, inventory: Inventory, mappings: Path | None
) -> tuple[Resolution, ...]:
    from nixmigrate.mapping.db import load_mappings, locate_mappings
    from nixmigrate.mapping.overrides import load_overrides
    from nixmigrate.mapping.resolutions import resolve_inventory

    db = load_mappings(locate_mappings(mappings))
    overrides = load_overrides(env.paths.user_mappings)
    return resolve_inventory(inventory, db, overrides)


def refresh_saved_inventory(env: Env, mappings: Path | None) -> Path | None:
    """Resolve the saved inventory again (after `map` changed an override), so that
    `plan` and `report` follow the user's choice without a new scan; None when no
    scan was saved yet."""
    if not env.paths.inventory_file.exists():
        return None
    inventory = load_inventory(env.paths)
    resolved = inventory.with_resolutions(resolve_for(env, inventory, mappings))
    return save_inventory(env.paths, resolved)
