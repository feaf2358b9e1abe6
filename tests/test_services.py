"""Running Homebrew services keep running: nix-darwin runs them, or Homebrew keeps them."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from rich.console import Console

from nixmigrate.mapping.db import MappingDB, load_mappings, locate_mappings
from nixmigrate.mapping.resolutions import resolve_inventory
from nixmigrate.mapping.services.table import SERVICE_MODULES, module_for_option
from nixmigrate.plan.model import Plan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import Activate, BrewUninstall
from nixmigrate.render.plan_tree import build_plan
from nixmigrate.report.console import services_view
from nixmigrate.report.files import report_to_markdown
from nixmigrate.report.model import build_report
from nixmigrate.report.services import ServiceRow, build_services
from nixmigrate.resolution import Resolution
from nixmigrate.scan.brew import formula_from_json, parse_info_v2, parse_services_json
from nixmigrate.scan.inventory import (
    BrewCask,
    Brewfile,
    BrewfileEntry,
    BrewFormula,
    BrewInventory,
    HostInfo,
    Inventory,
    StowInventory,
    StowLink,
    StowPackage,
)
from tests.conftest import REPO
from tests.test_planner import darwin_options
from tests.test_resolve import make_db

DB = load_mappings(locate_mappings(None))
NO_OVERRIDES = make_db()

# every service this migration must keep running: formula -> its tap
FORMULAE = {
    "postgresql@16": "homebrew/core",
    "mysql": "homebrew/core",
    "mariadb": "homebrew/core",
    "redis": "homebrew/core",
    "mongodb-community": "mongodb/brew",
    "yabai": "koekeishiya/formulae",
    "skhd": "koekeishiya/formulae",
    "sketchybar": "felixkratz/formulae",
    "borders": "felixkratz/formulae",
    "tailscale": "homebrew/core",
    "dnsmasq": "homebrew/core",
    "emacs": "homebrew/core",
}
CASKS = ("aerospace", "karabiner-elements")
SERVERS = ("postgresql@16", "mysql", "mariadb", "redis", "mongodb-community")


def services_json(started: dict[str, str]) -> str:
    """`brew services list --json` as Homebrew prints it."""
    rows = [
        {
            "name": name,
            "status": status,
            "user": "jane" if status == "started" else None,
            "file": f"/Users/jane/Library/LaunchAgents/homebrew.mxcl.{name}.plist",
            "exit_code": 0 if status == "started" else None,
        }
        for name, status in started.items()
    ]
    return json.dumps(rows, indent=2)


def mac(
    statuses: dict[str, str] | None = None,
    *,
    brewfile: tuple[BrewfileEntry, ...] = (),
    stow: StowInventory | None = None,
    formulae: tuple[BrewFormula, ...] | None = None,
) -> Inventory:
    statuses = statuses if statuses is not None else dict.fromkeys(FORMULAE, "started")
    return Inventory(
        host=HostInfo(
            os="darwin",
            system="aarch64-darwin",
            hostname="Janes-MacBook-Pro",
            user="jane",
            home="/Users/jane",
            brew_prefix="/opt/homebrew",
            running_cask_apps=CASKS,
        ),
        brew=BrewInventory(
            available=True,
            source="json",
            prefix="/opt/homebrew",
            formulae=formulae
            or tuple(BrewFormula(n, "1.0", tap=t) for n, t in FORMULAE.items()),
            casks=tuple(BrewCask(c, "1.0") for c in CASKS),
            services=parse_services_json(services_json(statuses)),
        ),
        brewfile=Brewfile("/Users/jane/Brewfile", entries=brewfile)
        if brewfile
        else None,
        stow=stow,
    )


def resolved(inventory: Inventory, overrides: MappingDB = NO_OVERRIDES) -> Inventory:
    return inventory.with_resolutions(resolve_inventory(inventory, DB, overrides))


def by_name(inventory: Inventory) -> dict[str, Resolution]:
    return {r.name: r for r in inventory.resolutions if r.kind in ("formula", "cask")}


def plan_for(inventory: Inventory) -> Plan:
    return build_plan(inventory, darwin_options(second_host=None))


def generated(plan: Plan, relpath: str) -> str:
    return next(f.content for f in plan.files if f.relpath == relpath)


def brews_block(homebrew_nix: str) -> str:
    match = re.search(r"brews = \[(.*?)\];", homebrew_nix, re.DOTALL)
    assert match is not None
    return match.group(1)


def uninstalls(plan: Plan) -> dict[str, BrewUninstall]:
    cleanup = next(pp for pp in plan.phases if pp.phase is Phase.CLEANUP)
    return {s.name: s for s in cleanup.steps if isinstance(s, BrewUninstall)}


# ---------------------------------------------------------------- the decision


def test_each_started_service_is_enabled_in_nix_darwin_or_kept_never_both() -> None:
    inventory = resolved(mac())
    plan = plan_for(inventory)
    host = generated(plan, "hosts/Janes-MacBook-Pro/default.nix")
    brews = brews_block(generated(plan, "hosts/Janes-MacBook-Pro/homebrew.nix"))
    decisions = by_name(inventory)

    for name in (*FORMULAE, *CASKS):
        r = decisions[name]
        enabled = r.service is not None and f"{r.service}.enable = true;" in host
        kept = f'"{name}"' in brews or f'"{FORMULAE.get(name)}/{name}"' in brews
        assert enabled != kept, f"{name}: enabled={enabled} kept={kept} ({r.reason})"
        if kept:
            assert r.action == "keep-brew"
            assert r.options["restart_service"] in (True, "changed")
        else:
            assert r.action == "service"
    assert {decisions[s].action for s in SERVERS} == {"keep-brew"}
    assert decisions["borders"].service == "services.jankyborders"
    assert decisions["aerospace"].service == "services.aerospace"
    assert "brew uninstall --cask aerospace" in decisions["aerospace"].reason
    assert "services.postgresql" not in host and "services.redis" not in host


def test_a_database_stays_in_homebrew_and_the_reason_names_its_data_and_the_move() -> (
    None
):
    r = by_name(resolved(mac()))["postgresql@16"]
    assert "/opt/homebrew/var/postgresql@16" in r.reason
    assert "pg_upgrade" in r.reason and "pg_dumpall" in r.reason
    assert "nixmigrate map postgresql@16" in r.reason
    assert r.options == {"restart_service": "changed"}


def test_the_brewfile_restart_service_value_is_kept() -> None:
    entry = BrewfileEntry("brew", "redis", 3, {"restart_service": True, "link": True})
    r = by_name(resolved(mac(brewfile=(entry,))))["redis"]
    assert r.action == "keep-brew"
    assert r.options["restart_service"] is True


def test_a_service_the_brewfile_starts_counts_even_when_stopped_now() -> None:
    entry = BrewfileEntry("brew", "nginx", 7, {"start_service": True})
    inventory = resolved(mac({"nginx": "stopped"}, brewfile=(entry,)))
    r = by_name(inventory)["nginx"]
    assert r.action == "keep-brew"  # nix-darwin has no nginx module
    assert r.options == {"start_service": True, "restart_service": "changed"}
    assert "Brewfile" in r.reason


def test_a_stopped_service_with_a_module_is_just_a_package() -> None:
    inventory = resolved(mac({"yabai": "stopped", "skhd": "none"}))
    decisions = by_name(inventory)
    assert decisions["yabai"].action == "nix"
    assert decisions["skhd"].action == "nix"
    plan = plan_for(inventory)
    assert "services.yabai" not in generated(
        plan, "hosts/Janes-MacBook-Pro/default.nix"
    )
    assert uninstalls(plan)["yabai"].stop_service is False


def test_any_formula_whose_service_keeps_data_under_var_is_a_stateful_server() -> None:
    raw = {
        "name": "influxdb",
        "tap": "homebrew/core",
        "installed": [{"version": "2.7.11", "installed_on_request": True}],
        "service": {
            "run": ["$HOMEBREW_PREFIX/opt/influxdb/bin/influxd"],
            "working_dir": "$HOMEBREW_PREFIX/var/lib/influxdb2",
            "log_path": "$HOMEBREW_PREFIX/var/log/influxdb2/influxd_output.log",
        },
    }
    influx = formula_from_json(raw)
    assert influx.service_data_dir == "$HOMEBREW_PREFIX/var/lib/influxdb2"
    inventory = resolved(mac({"influxdb": "started"}, formulae=(influx,)))
    r = by_name(inventory)["influxdb"]
    assert r.action == "keep-brew"
    assert "/opt/homebrew/var/lib/influxdb2" in r.reason
    [row] = [row for row in build_services(inventory) if row.name == "influxdb"]
    assert row.data_dir == "/opt/homebrew/var/lib/influxdb2"


def test_a_service_whose_logs_alone_are_under_var_holds_no_data() -> None:
    raw = {
        "name": "sketchybar",
        "service": {
            "run": ["$HOMEBREW_PREFIX/opt/sketchybar/bin/sketchybar"],
            "log_path": "$HOMEBREW_PREFIX/var/log/sketchybar/sketchybar.out.log",
        },
    }
    assert formula_from_json(raw).service_data_dir is None


def test_the_configuration_a_service_reads_stays_a_mutable_stow_link() -> None:
    link = StowLink(
        ".config/yabai", "dotfiles/yabai/.config/yabai", source=".config/yabai"
    )
    stow = StowInventory(
        "/Users/jane/dotfiles",
        "/Users/jane",
        packages=(StowPackage("yabai", "stowed", (".config/yabai",), (link,)),),
    )
    r = by_name(resolved(mac(stow=stow)))["yabai"]
    assert "~/.config/yabai/yabairc" in r.reason
    assert "mutable link into the Stow package yabai" in r.reason


# ---------------------------------------------------------------- the user's choice


def test_mapping_a_database_to_nix_moves_it_and_the_plan_says_how() -> None:
    overrides = make_db(formula={"postgresql@16": {"nix": "postgresql_16"}})
    inventory = resolved(mac(), overrides)
    r = by_name(inventory)["postgresql@16"]
    assert r.action == "service"
    assert r.confidence == "override"
    assert r.service == "services.postgresql"
    assert "/opt/homebrew/var/postgresql@16" in r.reason and "pg_upgrade" in r.reason
    plan = plan_for(inventory)
    host = generated(plan, "hosts/Janes-MacBook-Pro/default.nix")
    assert "services.postgresql.enable = true;" in host
    assert "services.postgresql.package = pkgs.postgresql_16;" in host
    assert "pkgs, ..." in host
    assert uninstalls(plan)["postgresql@16"].stop_service is True
    cleanup = next(pp for pp in plan.phases if pp.phase is Phase.CLEANUP)
    [move] = [p for p in cleanup.preconditions if p.startswith("postgresql@16")]
    assert "first save its data (/opt/homebrew/var/postgresql@16)" in move
    assert '"postgresql@16"' not in brews_block(
        generated(plan, "hosts/Janes-MacBook-Pro/homebrew.nix")
    )


def test_a_mapping_without_a_module_to_run_the_service_keeps_it_in_homebrew() -> None:
    overrides = make_db(formula={"mysql": {"nix": "mysql84"}})
    r = by_name(resolved(mac(), overrides))["mysql"]
    assert r.action == "keep-brew"
    assert "no module" in r.reason


def test_keeping_a_service_formula_in_homebrew_is_respected() -> None:
    overrides = make_db(formula={"tailscale": {"keep": "brew", "reason": "my build"}})
    r = by_name(resolved(mac(), overrides))["tailscale"]
    assert r.action == "keep-brew"
    assert r.service is None
    assert r.options["restart_service"] == "changed"


# ---------------------------------------------------------------- phase 7 and the report


def test_phase_7_stops_each_replaced_service_and_checks_the_nix_darwin_one() -> None:
    inventory = resolved(mac())
    plan = plan_for(inventory)
    steps = uninstalls(plan)
    assert not set(SERVERS) & set(steps)
    assert steps["sketchybar"].stop_service and steps["borders"].stop_service
    cleanup = next(pp for pp in plan.phases if pp.phase is Phase.CLEANUP)
    [switch] = [s for s in cleanup.steps if isinstance(s, Activate)]
    labels = {s.label for s in switch.services}
    assert {"org.nixos.sketchybar", "org.nixos.jankyborders"} <= labels
    assert "com.tailscale.tailscaled" in labels
    assert any(
        "launchctl print gui/$UID/org.nixos.sketchybar" in v for v in cleanup.verify
    )
    macos = next(pp for pp in plan.phases if pp.phase is Phase.MACOS)
    assert any("launchctl print" in v for v in macos.verify)
    assert any(n.strip().startswith("postgresql@16: running now") for n in macos.notes)


def test_services_are_enabled_only_from_phase_7() -> None:
    inventory = resolved(mac())
    options = replace(darwin_options(second_host=None), through=Phase.MACOS)
    plan = build_plan(inventory, options)
    assert "services.sketchybar" not in generated(
        plan, "hosts/Janes-MacBook-Pro/default.nix"
    )


def test_the_report_has_a_services_table() -> None:
    inventory = resolved(
        mac({**dict.fromkeys(FORMULAE, "started"), "yabai": "stopped"})
    )
    rows = {row.name: row for row in build_services(inventory)}
    assert rows["sketchybar"].becomes == "nix-darwin service"
    assert rows["sketchybar"].option == "services.sketchybar"
    assert rows["redis"].becomes == "stays in Homebrew"
    assert rows["redis"].data_dir == "/opt/homebrew/var/db/redis"
    assert rows["yabai"].running is False and rows["yabai"].becomes == "stops"
    assert rows["aerospace"].becomes == "nix-darwin service"
    markdown = report_to_markdown(build_report(inventory))
    assert "## Services (14)" in markdown
    assert "| redis | yes | stays in Homebrew |" in markdown


def _console_text(rows: tuple[ServiceRow, ...], width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), soft_wrap=True)
    console.print(services_view(rows, console.width), soft_wrap=False)
    return console.export_text()


def test_on_an_80_column_terminal_each_service_reads_as_a_block() -> None:
    inventory = resolved(mac(dict.fromkeys(FORMULAE, "started")))
    rows = build_services(inventory)
    text = _console_text(rows, 80)
    lines = text.splitlines()
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines)
    for row in rows:  # nothing a user would copy is folded across lines
        assert any(line.startswith(f"{row.name}  running now: ") for line in lines)
        for value in (row.option, row.data_dir):
            if value:
                assert value in text, value
    assert " ".join(text.split()).count(rows[0].why.split(";")[0]) == 1


def test_a_wide_terminal_gets_the_services_table() -> None:
    rows = build_services(resolved(mac(dict.fromkeys(FORMULAE, "started"))))
    header = next(line for line in _console_text(rows, 200).splitlines() if "┃" in line)
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == [
        "name",
        "running now",
        "becomes",
        "why",
        "data directory",
    ]


# ---------------------------------------------------------------- facts


def test_every_service_module_is_an_option_nix_darwin_has() -> None:
    shipped = REPO / "nixmigrate/render/options/nix-darwin-options.txt"
    rows = {
        line.split("\t")[0]: line.split("\t")[2] if line.count("\t") >= 2 else ""
        for line in shipped.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    }
    modules = {*SERVICE_MODULES.values()}
    for name in ("services.postgresql", "services.redis"):
        found = module_for_option(name)
        assert found is not None
        modules.add(found)
    for module in modules:
        assert rows.get(f"{module.option}.enable") == "", module.option
        if module.package_option:
            assert f"{module.option}.package" in rows, module.option


@pytest.mark.needs_nix
def test_the_darwin_host_with_services_parses() -> None:
    overrides = make_db(formula={"postgresql@16": {"nix": "postgresql_16"}})
    plan = plan_for(resolved(mac(), overrides))
    host = generated(plan, "hosts/Janes-MacBook-Pro/default.nix")
    nix = shutil.which("nix-instantiate")
    assert nix is not None
    done = subprocess.run(
        [nix, "--parse", "-E", host], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_data_directory_comes_from_the_recorded_brew_info() -> None:
    recording = REPO / "nixmigrate/demo/brew/info.json"
    formulae, _ = parse_info_v2(recording.read_text(encoding="utf-8"))
    found = {f.name: f.service_data_dir for f in formulae}
    assert found["postgresql@16"] == "$HOMEBREW_PREFIX/var/postgresql@16"
    assert found["redis"] == "$HOMEBREW_PREFIX/var"  # its working_dir
    assert found["sketchybar"] is None  # only its logs are under var/
    assert found["ripgrep"] is None  # no service at all


def test_a_running_service_a_dependency_brought_is_still_kept_or_handed_over() -> None:
    formulae = (
        BrewFormula("dbus", "1.16", on_request=False),
        BrewFormula("dnsmasq", "2.91", on_request=False),
    )
    statuses = {"dbus": "started", "dnsmasq": "started"}
    inventory = resolved(mac(statuses, formulae=formulae))
    plan = plan_for(inventory)
    assert '"dbus"' in brews_block(
        generated(plan, "hosts/Janes-MacBook-Pro/homebrew.nix")
    )
    assert "services.dnsmasq.enable = true;" in generated(
        plan, "hosts/Janes-MacBook-Pro/default.nix"
    )
    assert uninstalls(plan)["dnsmasq"].stop_service is True
