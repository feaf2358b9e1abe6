"""What nix-darwin's `homebrew` module declares, phase by phase (macOS only).

Phase 2 lists the formulae Homebrew keeps. Phase 5 adds casks, taps and Mac App Store
apps and lets nix-homebrew take over the existing installation. Phase 7 switches
`onActivation.cleanup` to "uninstall"; every installed cask is listed by then, so
cleanup never removes one.
"""

from __future__ import annotations

from dataclasses import replace

from nixmigrate.plan.config import HomebrewModel, MasApp
from nixmigrate.plan.options import PlanOptions
from nixmigrate.plan.packages import cask_qualified, kept_brews, third_party_taps
from nixmigrate.plan.phases import Phase
from nixmigrate.scan.inventory import Inventory


def plan_homebrew(
    inventory: Inventory, options: PlanOptions, through: Phase
) -> HomebrewModel | None:
    if not options.is_darwin or through < Phase.PACKAGES:
        return None
    model = HomebrewModel(
        relpath=f"hosts/{options.hostname}/homebrew.nix",
        user=options.user,
        brews=kept_brews(inventory),
    )
    if through < Phase.MACOS:
        return model
    casks = kept_casks(inventory)
    model = replace(
        model,
        casks=casks,
        taps=declared_taps(inventory, model.brews, casks),
        mas_apps=mas_apps(inventory),
        nix_homebrew=True,
        rosetta=options.system == "aarch64-darwin",
    )
    if through < Phase.CLEANUP:
        return model
    return replace(
        model,
        casks_left_installed=other_installed_casks(inventory, casks),
        cleanup="zap" if options.homebrew_zap else "uninstall",
    )


def _cask_taps(inventory: Inventory) -> dict[str, str]:
    return {c.token: c.tap for c in inventory.brew.casks}


def kept_casks(inventory: Inventory) -> tuple[str, ...]:
    """`keep-cask`, and `unmapped` casks (nothing else provides them)."""
    taps = _cask_taps(inventory)
    return tuple(
        sorted(
            {
                cask_qualified(r.name, taps.get(r.name, ""))
                for r in inventory.resolutions
                if r.kind == "cask" and r.action in ("keep-cask", "unmapped")
            }
        )
    )


def other_installed_casks(
    inventory: Inventory, kept: tuple[str, ...]
) -> tuple[str, ...]:
    """Installed casks not in `kept`: listed anyway so cleanup leaves every cask alone."""
    installed = {cask_qualified(c.token, c.tap) for c in inventory.brew.casks}
    return tuple(sorted(installed - set(kept)))


def declared_taps(
    inventory: Inventory, brews: tuple[str, ...], casks: tuple[str, ...]
) -> tuple[str, ...]:
    skipped = {
        r.name for r in inventory.resolutions if r.kind == "tap" and r.action == "skip"
    }
    needed = {
        name.rsplit("/", 1)[0] for name in (*brews, *casks) if name.count("/") == 2
    }
    return tuple(
        t for t in third_party_taps({*inventory.brew.taps, *needed}) if t not in skipped
    )


def mas_apps(inventory: Inventory) -> tuple[MasApp, ...]:
    """Mac App Store apps by name; the id comes from the resolution, else from `mas`."""
    ids = {app.name: app.id for app in inventory.brew.mas}
    found: dict[str, int] = {}
    for res in inventory.resolutions:
        if res.kind == "mas" and res.action == "mas":
            app_id = res.mas_id if res.mas_id is not None else ids.get(res.name)
            if app_id is not None:
                found[res.name] = app_id
    return tuple(MasApp(name, found[name]) for name in sorted(found))
