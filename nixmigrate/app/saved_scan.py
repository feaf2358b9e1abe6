"""The saved scan: the inventory file `scan` writes and every later command reads.

Its one home, so that scanning, mapping, verifying and planning read and write it
the same way.
"""

from __future__ import annotations

from pathlib import Path

from nixmigrate.errors import StateError
from nixmigrate.scan.inventory import Inventory, inventory_from_json, inventory_to_json
from nixmigrate.system.fs import atomic_write_text
from nixmigrate.system.paths import Paths


def saved_inventory(paths: Paths) -> Inventory | None:
    """The saved inventory, or None when no scan was saved yet."""
    path = paths.inventory_file
    if not path.is_file():
        return None
    return inventory_from_json(path.read_text(encoding="utf-8"), origin=str(path))


def load_inventory(paths: Paths) -> Inventory:
    """The saved inventory; a StateError when there is none."""
    path = paths.inventory_file
    if not path.exists():
        msg = f"no inventory yet ({path} does not exist)"
        raise StateError(msg, hint="run `nixmigrate scan` first")
    return inventory_from_json(path.read_text(encoding="utf-8"), origin=str(path))


def save_inventory(paths: Paths, inventory: Inventory) -> Path:
    path = paths.inventory_file
    atomic_write_text(path, inventory_to_json(inventory))
    return path
