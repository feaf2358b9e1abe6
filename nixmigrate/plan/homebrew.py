"""What nix-darwin's `homebrew` module declares, phase by phase (macOS only).

Phase 2 lists the formulae Homebrew keeps. Phase 5 adds casks (with `caskArgs`),
taps, Mac App Store apps, VS Code extensions, Go and Cargo packages and uv tools,
and lets nix-homebrew take over the existing installation. Phase 7 switches
`onActivation.cleanup` to "uninstall"; every installed cask is listed by then, so
cleanup never removes one. Entries come from plan/bundle_entries.py.
"""

from __future__ import annotations

from dataclasses import replace

from nixmigrate.plan.bundle_entries import (
    cask_args,
    kept_brew_entries,
    kept_cask_entries,
    names_of,
    on_darwin,
    other_installed_cask_entries,
    tap_entries,
    uv_lines,
    writable,
)
from nixmigrate.plan.config import HomebrewModel, MasApp
from nixmigrate.plan.options import PlanOptions
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
        brews=kept_brew_entries(inventory),
    )
    if through < Phase.MACOS:
        return model
    casks = kept_cask_entries(inventory)
    model = replace(
        model,
        casks=casks,
        taps=tap_entries(inventory, (*model.brews, *casks)),
        mas_apps=mas_apps(inventory),
        cask_args=cask_args(inventory),
        vscode=names_of(inventory, "vscode"),
        go_packages=names_of(inventory, "go"),
        cargo_packages=names_of(inventory, "cargo"),
        extra_config=uv_lines(inventory),
        nix_homebrew=True,
        rosetta=options.system == "aarch64-darwin",
    )
    if through < Phase.CLEANUP:
        return model
    return replace(
        model,
        casks_left_installed=other_installed_cask_entries(inventory, casks),
        cleanup="zap" if options.homebrew_zap else "uninstall",
    )


def kept_casks(inventory: Inventory) -> tuple[str, ...]:
    """The names of the casks Homebrew keeps on the Mac."""
    return tuple(entry.name for entry in kept_cask_entries(inventory))


def mas_apps(inventory: Inventory) -> tuple[MasApp, ...]:
    """Mac App Store apps by name; the id comes from the resolution, else from `mas`."""
    ids = {app.name: app.id for app in inventory.brew.mas}
    found: dict[str, int] = {}
    for res in inventory.resolutions:
        if res.kind == "mas" and res.action == "mas" and on_darwin(res):
            app_id = res.mas_id if res.mas_id is not None else ids.get(res.name)
            if app_id is not None and writable(res):
                found[res.name] = app_id
    return tuple(MasApp(name, found[name]) for name in sorted(found))
