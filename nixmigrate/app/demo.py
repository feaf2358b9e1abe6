"""`nixmigrate demo`: the whole migration on bundled data, inside a temporary home.

The real scan, resolve, plan, apply and rollback code runs; only the Mac is
simulated (nixmigrate.demo.mac). Nothing outside the demo directory is touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING

from nixmigrate.app.env import Env
from nixmigrate.app.phases import (
    ApplySettings,
    PlanRun,
    run_apply,
    run_plan,
    run_rollback,
)
from nixmigrate.app.planning import ChoiceOverrides
from nixmigrate.app.scan import ScanRequest, resolve_and_save, run_scan
from nixmigrate.demo.dotfiles_setup import install_demo_dotfiles
from nixmigrate.demo.mac import DemoMac
from nixmigrate.plan.model import Plan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import Activate, BrewUninstall
from nixmigrate.scan.inventory import HostInfo, Inventory, StowInventory
from nixmigrate.state.store import CheckpointStore
from nixmigrate.system.fs import TreeSnapshot, snapshot_tree
from nixmigrate.system.paths import Paths

if TYPE_CHECKING:
    from nixmigrate.apply.executor import PhaseResult

DEMO_USER = "demo"
DECLARATIVE_PACKAGES = ("git", "starship")  # the demo shows phase 4 on these


@dataclass(frozen=True, slots=True)
class DemoResult:
    root: Path
    inventory: Inventory
    plan_run: PlanRun
    applied: tuple[PhaseResult, ...]
    rolled_back: int
    round_trip_identical: bool
    differences: tuple[str, ...]
    brew_restored: bool
    simulated: tuple[str, ...]
    services_restored: bool = False  # every brew service runs again after rollback
    services_started: tuple[str, ...] = ()  # brew services running before apply


Say = Callable[[str], None]


def run_demo(root: Path, *, say: Say, echo: Callable[[str], None]) -> DemoResult:
    home = root / "home"
    home.mkdir(parents=True)
    say(f"Demo home: {home} (a temporary directory; nothing else is touched)")
    dotfiles = install_demo_dotfiles(home)
    recording_cm = as_file(files("nixmigrate.demo") / "brew")
    with recording_cm as recording:
        mac = DemoMac(recording, root, home, dotfiles, echo=echo)
        env = Env(
            runner=mac,
            paths=Paths.from_env(
                {"HOME": str(home)}
            ),  # what `HOME=... nixmigrate` uses
            progress=say,
        )
        inventory = _scan(env, home, dotfiles)
        _prepare_mac(mac, inventory)
        say("Planning all seven phases into ~/nix-config")
        plan_run = run_plan(
            env,
            Phase.CLEANUP,
            ChoiceOverrides(),
            mappings=None,
            dry_run=False,
            force=False,
        )
        _expect_switches(mac, inventory, plan_run.outcome.plan)
        before = _snapshot(home)
        brew_before = dict(mac.formulae)
        services_before = set(mac.started)
        say("Applying phases 1-7 (each behind a checkpoint; the switch is simulated)")
        settings = ApplySettings(
            store_dirs=(mac.store,), nix_roots=(mac.store, mac.profile)
        )
        applied = run_apply(env, Phase.CLEANUP, _yes, settings, mappings=None)
        say("Rolling every phase back")
        rolled = _rollback_all(env)
        after = _snapshot(home)
    differences = _differences(before, after)
    return DemoResult(
        root=root,
        inventory=inventory,
        plan_run=plan_run,
        applied=applied,
        rolled_back=rolled,
        round_trip_identical=not differences,
        differences=differences,
        brew_restored=mac.formulae.keys() == brew_before.keys(),
        simulated=tuple(mac.simulated),
        services_restored=mac.started == services_before and not mac.loaded,
        services_started=tuple(sorted(services_before)),
    )


def _scan(env: Env, home: Path, dotfiles: Path) -> Inventory:
    brewfile_cm = as_file(files("nixmigrate.demo") / "Brewfile")
    with brewfile_cm as brewfile:
        request = ScanRequest(home=home, dotfiles=dotfiles, brewfile=brewfile)
        inventory = run_scan(env, request)
    inventory = replace(
        inventory, host=_demo_host(inventory.host, home), stow=_choose(inventory.stow)
    )
    inventory, _ = resolve_and_save(env, inventory, None)
    return inventory


def _demo_host(scanned: HostInfo, home: Path) -> HostInfo:
    """The recorded Mac: its name and macOS version come from the recording."""
    return replace(  # noqa: S604 - `shell` is the login shell fact, nothing is run
        scanned,
        os="darwin",
        os_name="macOS",
        arch="arm64",
        system="aarch64-darwin",
        hostname=scanned.hostname if scanned.os == "darwin" else "demo-mac",
        user=DEMO_USER,
        home=str(home),
        shell="/bin/zsh",
        brew_prefix="/opt/homebrew",
        nix_version=None,
        nix_darwin=False,
        home_manager=False,
    )


def _choose(stow: StowInventory | None) -> StowInventory | None:
    if stow is None:
        return None
    packages = tuple(
        replace(p, mode="declarative") if p.name in DECLARATIVE_PACKAGES else p
        for p in stow.packages
    )
    return replace(stow, packages=packages)


def _prepare_mac(mac: DemoMac, inventory: Inventory) -> None:
    mac.formulae = {f.name: f.version for f in inventory.brew.formulae}
    mac.casks = tuple(c.token for c in inventory.brew.casks)
    mac.started = {s.name for s in inventory.brew.services if s.status == "started"}
    mac.live_services = True


def _expect_switches(mac: DemoMac, inventory: Inventory, plan: Plan) -> None:
    """Tell the simulated switch which links home-manager would make."""
    sources: dict[str, str] = {}
    if inventory.stow is not None:
        for package in inventory.stow.packages:
            base = Path(inventory.stow.dir) / package.name
            sources.update(
                {link.path: str(base / link.source) for link in package.links}
            )
    for pp in plan.phases:
        for step in pp.steps:
            if isinstance(step, Activate):
                mac.switch_links.update({m: sources.get(m) for m in step.managed})
            if isinstance(step, BrewUninstall):
                mac.nix_commands.add(step.name)
            if isinstance(step, Activate):
                mac.switch_services.update(s.label for s in step.services)


def _rollback_all(env: Env) -> int:
    store = CheckpointStore.from_paths(env.paths)
    count = 0
    while store.restorable():
        run_rollback(env, _yes, to=None, force=False)
        count += 1
    return count


def _yes(_: str) -> bool:
    return True


def _snapshot(home: Path) -> TreeSnapshot:
    """The user's side of the home: not nixmigrate's state nor the generated flake."""
    return snapshot_tree(home, skip=("nix-config", ".local/state"))


def _differences(before: TreeSnapshot, after: TreeSnapshot) -> tuple[str, ...]:
    changed = sorted(
        rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)
    )
    return tuple(changed)
