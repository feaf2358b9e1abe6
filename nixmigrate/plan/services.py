"""The nix-darwin services phase 7 enables, and what phases 5 and 7 say about them.

Resolutions with action `service` become `services.<x>.enable = true;` in the darwin
host from phase 7 on (the same phase that stops their Homebrew services), so the
two never run at once; their launchd labels are checked after the switch.
"""

from __future__ import annotations

from nixmigrate.mapping.services import wanted_services
from nixmigrate.mapping.services.table import ServiceModule, module_for_option
from nixmigrate.plan.config import ServiceEnable
from nixmigrate.plan.steps import LaunchdService
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import Inventory


def service_resolutions(
    inventory: Inventory,
) -> tuple[tuple[Resolution, ServiceModule], ...]:
    found: dict[str, tuple[Resolution, ServiceModule]] = {}
    for r in inventory.resolutions:
        module = (
            module_for_option(r.service)
            if r.action == "service" and r.service
            else None
        )
        if module is not None and r.kind in ("formula", "cask"):
            found.setdefault(module.option, (r, module))
    return tuple(found[option] for option in sorted(found))


def enabled_services(inventory: Inventory) -> tuple[ServiceEnable, ...]:
    return tuple(
        ServiceEnable(module.option, module.package_to_write(r.attr))
        for r, module in service_resolutions(inventory)
    )


def launchd_services(inventory: Inventory) -> tuple[LaunchdService, ...]:
    return tuple(
        LaunchdService(module.option, module.label, module.domain)
        for _, module in service_resolutions(inventory)
    )


def started_formulae(inventory: Inventory) -> frozenset[str]:
    """Formulae whose Homebrew service runs now (`brew services` says started)."""
    casks = {c.token for c in inventory.brew.casks}
    return frozenset(
        name
        for name, wanted in wanted_services(inventory).items()
        if wanted.running and name not in casks
    )


def launchctl_print(service: LaunchdService, uid: str = "$UID") -> str:
    if service.domain == "gui":
        return f"launchctl print gui/{uid}/{service.label}"
    return f"launchctl print system/{service.label}"


def service_checks(inventory: Inventory) -> tuple[str, ...]:
    """What to run to see each nix-darwin service loaded (phase 5 and 7 verify)."""
    return tuple(
        f"`{launchctl_print(s)}` shows {s.option} running"
        for s in launchd_services(inventory)
    )
