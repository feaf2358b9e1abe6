"""The services table: each Homebrew service, whether it runs now, and what it becomes.

Pure. Shown by phase 5's notes, the console/markdown report and the HTML report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nixmigrate.scan.inventory import Inventory

Becomes = Literal["nix-darwin service", "stays in Homebrew", "stops"]


@dataclass(frozen=True, slots=True)
class ServiceRow:
    name: str
    running: bool
    becomes: Becomes
    option: str | None  # the nix-darwin option, e.g. "services.yabai"
    why: str
    data_dir: str | None  # where a stateful server keeps its data


def build_services(inventory: Inventory) -> tuple[ServiceRow, ...]:
    """First version: from the resolutions' `service` key (see the services issue)."""
    by_name = {
        r.name: r for r in inventory.resolutions if r.kind in {"formula", "cask"}
    }
    rows: list[ServiceRow] = []
    for service in inventory.brew.services:
        resolution = by_name.get(service.name)
        enabled = resolution is not None and resolution.action == "service"
        rows.append(
            ServiceRow(
                name=service.name,
                running=service.status == "started",
                becomes="nix-darwin service" if enabled else "stays in Homebrew",
                option=resolution.service if resolution else None,
                why=resolution.reason if resolution else "",
                data_dir=None,
            )
        )
    return tuple(rows)
