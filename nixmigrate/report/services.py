"""The services table: each Homebrew service, whether it runs now, and what it becomes.

Pure. Shown by phase 5's notes, the console/markdown report and the HTML report.
The rows are made where the service decisions are (mapping/services/rows.py), so that
phase 5 can list them too; this is the report's name for them.
"""

from __future__ import annotations

from nixmigrate.mapping.services.rows import Becomes, ServiceRow, service_rows
from nixmigrate.scan.inventory import Inventory

__all__ = ["Becomes", "ServiceRow", "build_services"]


def build_services(inventory: Inventory) -> tuple[ServiceRow, ...]:
    """One row per service, in `brew services` order, then the Brewfile's and casks'."""
    return service_rows(inventory)
