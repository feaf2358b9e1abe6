"""What becomes of each Homebrew service, once the resolutions are made.

One entry per `brew services` row, per formula the Brewfile starts
(`restart_service:`/`start_service:`) and per cask nix-darwin runs as a service.
Phase 5 lists them in its notes; the reports show them as the Services table
(report/services.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from nixmigrate.mapping.services import base_name, data_dir, wanted_services
from nixmigrate.mapping.services.table import module_for_option
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import Inventory

Becomes = Literal["nix-darwin service", "stays in Homebrew", "stops"]
_KEPT: Final = frozenset({"keep-brew", "keep-cask", "unmapped"})


@dataclass(frozen=True, slots=True)
class ServiceRow:
    name: str
    running: bool
    becomes: Becomes
    option: str | None  # the nix-darwin option, e.g. "services.yabai"
    why: str
    data_dir: str | None  # where a stateful server keeps its data
    label: str | None = None  # the launchd label nix-darwin gives it
    status: str = ""  # what `brew services` says: started, stopped, none, ...


def service_rows(inventory: Inventory) -> tuple[ServiceRow, ...]:
    """In `brew services` order, then the Brewfile's and the casks'."""
    by_name: dict[str, Resolution] = {}
    for r in inventory.resolutions:
        if r.kind in ("formula", "cask"):
            by_name.setdefault(base_name(r.name), r)
    statuses = {s.name: s.status for s in inventory.brew.services}
    wanted = wanted_services(inventory)
    names = [*statuses, *(name for name in wanted if name not in statuses)]
    return tuple(
        _row(
            inventory,
            name,
            by_name.get(name),
            statuses.get(name, ""),
            running=name in wanted and wanted[name].running,
        )
        for name in names
    )


def _row(
    inventory: Inventory,
    name: str,
    resolution: Resolution | None,
    status: str,
    *,
    running: bool,
) -> ServiceRow:
    action = resolution.action if resolution else "keep-brew"
    module = (
        module_for_option(resolution.service)
        if resolution is not None and action == "service" and resolution.service
        else None
    )
    becomes: Becomes = (
        "nix-darwin service"
        if module is not None
        else "stays in Homebrew"
        if action in _KEPT
        else "stops"
    )
    return ServiceRow(
        name=name,
        running=running,
        becomes=becomes,
        option=module.option if module else None,
        why=_why(resolution, becomes),
        data_dir=data_dir(inventory, name),
        label=module.label if module else None,
        status=status,
    )


def _why(resolution: Resolution | None, becomes: Becomes) -> str:
    if resolution is None:
        return "not in the inventory's decisions; Homebrew keeps it"
    if becomes == "stops" and resolution.kind == "formula":
        return f"not running: {resolution.reason}"
    return resolution.reason
