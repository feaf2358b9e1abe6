"""`nixmigrate demo`: all seven phases on the bundled data, and back."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nixmigrate.app.demo import DemoResult, run_demo
from nixmigrate.cli import cli
from nixmigrate.plan.phases import Phase
from nixmigrate.report.accounting import accounted, build_accounting


def _quiet(_: str) -> None:
    return None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    root = tmp_path_factory.mktemp("demo")
    return run_demo(root, say=_quiet, echo=_quiet)


@pytest.mark.needs_git
def test_every_phase_is_applied_and_rolled_back_to_an_identical_home(
    demo: DemoResult,
) -> None:
    assert [r.phase for r in demo.applied] == list(Phase)
    assert demo.rolled_back == len(demo.applied) + 1  # + the plan's own checkpoint
    assert demo.differences == ()
    assert demo.round_trip_identical
    assert demo.brew_restored


@pytest.mark.needs_git
def test_the_demo_mac_is_scanned_and_mapped(demo: DemoResult) -> None:
    inventory = demo.inventory
    assert inventory.host.system == "aarch64-darwin"
    assert sum(f.on_request for f in inventory.brew.formulae) >= 50
    assert len(inventory.brew.casks) >= 15
    assert inventory.brewfile is not None and inventory.brewfile.entries
    by_name = {r.name: r for r in inventory.resolutions if r.kind == "formula"}
    assert by_name["ripgrep"].action in {"nix", "program"}
    assert all(r.reason for r in inventory.resolutions)


@pytest.mark.needs_git
def test_phase_7_uninstalls_only_what_nix_replaced_and_rollback_reinstalls(
    demo: DemoResult,
) -> None:
    uninstalled = [c for c in demo.simulated if c.startswith("brew uninstall")]
    reinstalled = [c for c in demo.simulated if c.startswith("brew install")]
    assert uninstalled
    assert sorted(c.split()[-1] for c in uninstalled) == sorted(
        c.split()[-1] for c in reinstalled
    )
    cask_removals = [c for c in uninstalled if "--cask" in c]
    assert cask_removals == []


@pytest.mark.needs_git
def test_phase_7_keeps_the_databases_and_hands_the_bar_and_borders_to_nix_darwin(
    demo: DemoResult,
) -> None:
    ran = demo.simulated
    uninstalled = {c.split()[-1] for c in ran if c.startswith("brew uninstall")}
    assert not {"postgresql@16", "redis"} & uninstalled
    assert {"sketchybar", "borders"} <= uninstalled
    stopped = sorted(c.split()[-1] for c in ran if c.startswith("brew services stop"))
    assert stopped == ["borders", "sketchybar"]
    for name in stopped:
        stop = ran.index(f"brew services stop {name}")
        assert stop < ran.index(f"brew uninstall --formula {name}")
        assert stop < ran.index(f"brew services start {name}")  # on rollback
    files = {f.relpath: f.content for f in demo.plan_run.outcome.plan.files}
    host = files["hosts/demo-mac/default.nix"]
    assert "services.sketchybar.enable = true;" in host
    assert "services.jankyborders.enable = true;" in host
    homebrew = files["hosts/demo-mac/homebrew.nix"]
    brews = homebrew.split("brews = [", 1)[1].split("caskArgs = {", 1)[0]
    assert 'name = "postgresql@16";' in brews
    assert 'name = "redis";' in brews


@pytest.mark.needs_git
def test_rollback_brings_back_every_formula_and_every_brew_service(
    demo: DemoResult,
) -> None:
    assert demo.services_started == ("borders", "postgresql@16", "redis", "sketchybar")
    assert demo.services_restored
    assert demo.brew_restored


@pytest.mark.needs_nix
@pytest.mark.needs_git
def test_generated_files_parse_with_real_nix(demo: DemoResult) -> None:
    assert demo.plan_run.parse_problems == ()
    assert demo.plan_run.outcome.option_problems == ()
    relpaths = {f.relpath for f in demo.plan_run.outcome.plan.files}
    assert {"flake.nix", "home/common.nix", "hosts/demo-mac/homebrew.nix"} <= relpaths


@pytest.mark.needs_git
def test_demo_command_reports_the_round_trip(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--quiet", "--dir", str(tmp_path / "d")])
    assert result.exit_code == 0, result.stderr
    assert "identical" in result.stdout
    assert "brew services running again" in result.stdout
    assert "Kept:" in result.stdout


def test_demo_refuses_a_non_empty_dir(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x")
    result = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "not empty" in result.stderr


def _demo_files(demo: DemoResult) -> dict[str, str]:
    return {f.relpath: f.content for f in demo.plan_run.outcome.plan.files}


def _evaluated_homebrew(demo: DemoResult, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "homebrew.nix"
    path.write_text(_demo_files(demo)["hosts/demo-mac/homebrew.nix"], encoding="utf-8")
    done = subprocess.run(
        ["nix-instantiate", "--eval", "--strict", "--json", "-E",
         f"(import {path} {{ }}).homebrew"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _entry(entries: list[Any], name: str) -> Any:
    return next(
        e for e in entries if e == name or (isinstance(e, dict) and e["name"] == name)
    )


@pytest.mark.needs_nix
@pytest.mark.needs_git
def test_the_demo_brewfile_options_reach_homebrew_nix(
    demo: DemoResult, tmp_path: Path
) -> None:
    homebrew = _evaluated_homebrew(demo, tmp_path)
    assert homebrew["caskArgs"] == {"appdir": "~/Applications", "require_sha": True}
    assert _entry(homebrew["casks"], "firefox") == {
        "name": "firefox",
        "args": {"appdir": "/Applications"},
    }
    assert _entry(homebrew["casks"], "wezterm") == {"name": "wezterm", "greedy": True}
    assert homebrew["vscode"] == [
        "esbenp.prettier-vscode",
        "ms-python.python",
        "rust-lang.rust-analyzer",
    ]


@pytest.mark.needs_git
def test_postgresql_keeps_its_restart_service_wherever_it_goes(
    demo: DemoResult,
) -> None:
    postgresql = next(
        r for r in demo.inventory.resolutions if r.name == "postgresql@16"
    )
    assert postgresql.options == {"restart_service": "changed"}
    assert postgresql.action == "keep-brew"  # a database stays with its data
    brew = _demo_files(demo)["hosts/demo-mac/homebrew.nix"]
    assert 'name = "postgresql@16";\n        restart_service = "changed";' in brew
    rows = build_accounting(demo.inventory, hostname="demo-mac")
    row = next(r for r in rows if r.name == "postgresql@16" and r.line == 42)
    assert row.where == "hosts/demo-mac/homebrew.nix: homebrew.brews"


@pytest.mark.needs_git
def test_xclip_if_os_linux_stays_out_of_the_mac(demo: DemoResult) -> None:
    files = _demo_files(demo)
    for relpath in ("hosts/demo-mac/homebrew.nix", "hosts/demo-mac/default.nix"):
        assert "xclip" not in files[relpath]
    assert "xclip" not in files["home/darwin.nix"] + files["home/common.nix"]
    rows = build_accounting(demo.inventory, hostname="demo-mac")
    xclip = next(r for r in rows if r.name == "xclip")
    assert (xclip.condition, xclip.where) == ("linux", "home/linux.nix: home.packages")
    assert "pkgs.xclip" in files["home/linux.nix"]
    assert "Linux-only" in xclip.reason
    phase6 = demo.plan_run.outcome.plan.phase(Phase.SECOND_MACHINE)
    assert not any("xclip" in note for note in phase6.notes)


@pytest.mark.needs_git
def test_every_demo_entry_is_accounted_for(demo: DemoResult) -> None:
    rows = build_accounting(demo.inventory, hostname="demo-mac")
    assert rows and accounted(rows) == len(rows)
    brewfile = demo.inventory.brewfile
    assert brewfile is not None
    assert sum(r.source == "brewfile" for r in rows) == len(brewfile.entries)
