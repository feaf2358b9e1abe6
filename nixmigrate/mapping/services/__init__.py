"""How each running Homebrew service lives on: a nix-darwin service, or Homebrew keeps it.

`apply_service_decisions` runs over the resolutions once they are made. A formula
whose service is started (or that the Brewfile starts: `restart_service:`,
`start_service:`) becomes action `service` when nix-darwin has a module for it, and
stays `keep-brew` with `restart_service` otherwise: a database keeps its data in
Homebrew's prefix, and anything nix-darwin cannot run must keep running under
`brew services`. Never both, never neither. A user's own mapping of a server with a
nix-darwin module (`nixmigrate map postgresql@16 postgresql_16`) wins, and the reason
says how to move the data.

Beside it: table.py, the facts (which modules nix-darwin has), and rows.py, the
Services table the plan and reports show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from nixmigrate.mapping.services.table import (
    SERVICE_CASKS,
    ServiceModule,
    StatefulServer,
    service_module,
    stateful_server,
)
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import Inventory

_SERVICE_KEYS: Final = ("restart_service", "start_service")
_MOVING: Final = frozenset({"nix", "program"})
DEFAULT_PREFIX: Final = "$(brew --prefix)"


@dataclass(frozen=True, slots=True)
class WantedService:
    name: str
    running: bool  # `brew services` says started (or the cask's app runs)
    why: str
    options: Mapping[str, Any] = field(default_factory=dict)  # the Brewfile's


def base_name(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def wanted_services(inventory: Inventory) -> dict[str, WantedService]:
    """Started services, and the ones the Brewfile starts, by formula/cask name."""
    found: dict[str, WantedService] = {}
    brewfile = _brewfile_service_options(inventory)
    for service in inventory.brew.services:
        if service.status == "started":
            found[service.name] = WantedService(
                service.name,
                True,
                "its Homebrew service runs now",
                brewfile.get(service.name, {}),
            )
    for name, options in brewfile.items():
        if name not in found and any(options.values()):
            key = next(k for k in _SERVICE_KEYS if options.get(k))
            found[name] = WantedService(
                name, False, f"the Brewfile starts its service ({key})", options
            )
    if inventory.host.os == "darwin":
        for token in inventory.host.running_cask_apps:
            if token in SERVICE_CASKS and token not in found:
                found[token] = WantedService(token, True, "its app runs now")
    return found


def _brewfile_service_options(inventory: Inventory) -> dict[str, dict[str, Any]]:
    """`restart_service:` / `start_service:` of each Brewfile `brew` entry."""
    if inventory.brewfile is None:
        return {}
    return {
        base_name(entry.name): {
            k: entry.options[k] for k in _SERVICE_KEYS if k in entry.options
        }
        for entry in inventory.brewfile.entries
        if entry.kind == "brew" and any(k in entry.options for k in _SERVICE_KEYS)
    }


def brew_prefix(inventory: Inventory) -> str:
    return inventory.brew.prefix or inventory.host.brew_prefix or DEFAULT_PREFIX


def server_of(inventory: Inventory, name: str) -> StatefulServer | None:
    formula = next((f for f in inventory.brew.formulae if f.name == name), None)
    data = formula.service_data_dir if formula is not None else None
    return stateful_server(base_name(name), data)


def data_dir(inventory: Inventory, name: str) -> str | None:
    """Where a stateful server keeps its data, under the real Homebrew prefix."""
    server = server_of(inventory, name)
    if server is None:
        return None
    return f"{brew_prefix(inventory).rstrip('/')}/{server.data_dir}"


def apply_service_decisions(
    resolutions: Iterable[Resolution], inventory: Inventory
) -> tuple[Resolution, ...]:
    """The resolutions, with a service decision for every wanted service."""
    wanted = wanted_services(inventory)
    return tuple(_decide(r, inventory, wanted) for r in resolutions)


def _decide(
    r: Resolution, inventory: Inventory, wanted: Mapping[str, WantedService]
) -> Resolution:
    want = wanted.get(base_name(r.name))
    if want is None or r.kind not in ("formula", "cask"):
        return r
    if r.kind == "cask":
        module = service_module(r.name)
        if module is None or not want.running or r.confidence == "override":
            return r
        return _as_service(r, module, want.why, inventory)
    return _formula_decision(r, inventory, want)


def _formula_decision(
    r: Resolution, inventory: Inventory, want: WantedService
) -> Resolution:
    override = r.confidence == "override"
    if override and r.action == "keep-brew":
        return _kept(
            r, want, f"{r.reason}; {want.why} and keeps running (restart_service)"
        )
    server = server_of(inventory, r.name)
    darwin = inventory.host.os == "darwin"
    if server is not None:
        where = data_dir(inventory, r.name) or server.data_dir
        if override and r.action in _MOVING and server.module and darwin:
            moved = (
                f"you mapped it to Nix; its data in {where} stays until you move it: "
                f"{server.move}"
            )
            return _as_service(r, server.module, moved, inventory)
        return _kept(r, want, _server_reason(r, want, where, server))
    module = service_module(r.name)
    if module is not None and darwin and r.action != "keep-brew":
        return _as_service(r, module, want.why, inventory)
    if r.action == "keep-brew":
        return _kept(
            r, want, f"{r.reason}; {want.why} and keeps running (restart_service)"
        )
    return _kept(r, want, _no_module_reason(r, want, darwin))


def _server_reason(
    r: Resolution, want: WantedService, where: str, server: StatefulServer
) -> str:
    if server.module is None:
        how = "nix-darwin has no module to run it"
    else:
        how = f"`nixmigrate map {base_name(r.name)} {r.attr or 'ATTR'}` moves it"
        how += f" (nix-darwin's {server.module.option} then runs it)"
    return (
        f"stateful server: {want.why} and keeps its data in {where}, so it stays in "
        f"Homebrew (restart_service); moving it to Nix needs {server.move}; {how}"
    )


def _no_module_reason(r: Resolution, want: WantedService, darwin: bool) -> str:
    what = (
        "nix-darwin has no module to run it" if darwin else "nix-darwin is macOS only"
    )
    mapped = f"; Nix would provide pkgs.{r.attr}" if r.attr else ""
    name = base_name(r.name)
    undo = (
        f"stop the service (`brew services stop {name}`)"
        if want.running
        else f"drop its service option from the Brewfile ({name})"
    )
    return (
        f"{want.why} and {what}, so it stays in Homebrew (restart_service){mapped}; "
        f"{undo} and scan again to migrate it"
    )


def _kept(r: Resolution, want: WantedService, reason: str) -> Resolution:
    return replace(
        r,
        action="keep-brew",
        reason=reason,
        attr=None,
        program=None,
        service=None,
        options=_with_restart({**want.options, **r.options}),
        on_request=True,  # a service in use is wanted, even if a dependency brought it
        chain=(*r.chain, "service: stays in Homebrew, restarted by `brew bundle`"),
    )


def _with_restart(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options plus `restart_service`, keeping a value the Brewfile gave."""
    merged = dict(options)
    if not merged.get("restart_service"):
        merged["restart_service"] = "changed"
    return merged


def _as_service(
    r: Resolution, module: ServiceModule, why: str, inventory: Inventory
) -> Resolution:
    attr = r.attr if r.action in _MOVING and r.attr else module.package
    reason = f"{why}; nix-darwin's {module.option} runs it (launchd {module.label})"
    config = config_location(module, inventory)
    if config:
        reason += f"; its configuration stays in {config}"
    if r.kind == "cask":  # casks are never uninstalled: the app would start twice
        reason += (
            f"; quit the Homebrew app and turn off its own start at login, then "
            f"`brew uninstall --cask {base_name(r.name)}`"
        )
    return replace(
        r,
        action="service",
        service=module.option,
        attr=attr,
        program=None,
        reason=reason,
        on_request=True,
        chain=(*r.chain, f"service: {module.option}"),
    )


def config_location(module: ServiceModule, inventory: Inventory) -> str:
    """Where the service's configuration lives after the migration (~-relative)."""
    if not module.config:
        return ""
    shown = f"~/{module.config}"
    stow = inventory.stow
    if stow is not None:
        for package in stow.packages:
            for link in package.links:
                if module.config == link.path or module.config.startswith(
                    link.path.rstrip("/") + "/"
                ):
                    return (
                        f"{shown} (a mutable link into the Stow package {package.name})"
                    )
    return shown
