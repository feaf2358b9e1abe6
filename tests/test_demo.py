"""`nixmigrate demo`: all seven phases on the bundled data, and back."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nixmigrate.app.demo import DemoResult, run_demo
from nixmigrate.cli import cli
from nixmigrate.plan.phases import Phase
from nixmigrate.report.accounting import accounted, build_accounting
from tests.browser import (
    decode_png,
    dump_dom,
    external_references,
    luminance_variance,
    parse,
    rows_with_line,
    screenshot,
)

ACCENT = (0x2F, 0x6F, 0xB3)  # the border of the highlighted next command


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
    root = tmp_path / "d"
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("Open ")
    assert str(root / "report.html") in last
    assert str(root / "nix-config") in last
    assert (root / "report.html").is_file()
    assert (root / "nix-config" / "flake.nix").is_file()


def test_demo_refuses_a_non_empty_dir(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x")
    result = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "not empty" in result.stderr


@pytest.mark.needs_git
def test_demo_keeps_the_configuration_after_phase_7(demo: DemoResult) -> None:
    plan = demo.plan_run.outcome.plan
    assert plan.through == Phase.CLEANUP
    for generated in plan.files:
        kept = demo.config_copy / generated.relpath
        assert kept.read_text(encoding="utf-8") == generated.content
    assert not Path(plan.config_dir).exists()  # rolled back, the copy stays


@pytest.mark.needs_git
def test_demo_report_names_every_formula_cask_and_stow_package(
    demo: DemoResult,
) -> None:
    page = demo.report_html.read_text(encoding="utf-8")
    parsed = parse(page)
    text = "".join(parsed.text)
    inventory = demo.inventory
    assert inventory.stow is not None
    names = [
        *(f.name for f in inventory.brew.formulae),
        *(c.token for c in inventory.brew.casks),
        *(p.name for p in inventory.stow.packages),
    ]
    assert len(names) > 80
    assert [n for n in names if n not in text] == []
    assert "Rolled back: phases 1-7 applied and then undone" in text
    assert "programs.zsh is not enabled: it would write over ~/.zshrc" in text
    assert ".config/gh/hosts.yml: gh/hosts.yml holds the GitHub CLI's login" in text
    assert external_references(page) == []


@pytest.mark.needs_git
@pytest.mark.needs_chromium
def test_demo_report_renders_with_the_journey_at_the_top(
    demo: DemoResult, tmp_path: Path
) -> None:
    loaded = dump_dom(demo.report_html)
    assert parse(loaded.dom).section_ids == [
        "journey",
        "glance",
        "entries",
        "needs",
        "dotfiles",
        "files",
    ]
    assert loaded.blocked_loads == []
    png = screenshot(demo.report_html, tmp_path / "top.png", width=1000, height=640)
    image = decode_png(png)
    assert (image.width, image.height) == (1000, 640)
    assert luminance_variance(image) > 100  # not a blank page
    borders = rows_with_line(image, ACCENT, length=600)
    assert borders, "the highlighted next command is not on the first screen"


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


@pytest.mark.needs_git
def test_every_place_the_demo_report_names_holds_the_entry(demo: DemoResult) -> None:
    text = html.unescape(re.sub(r"<[^>]+>", " ", demo.report_html.read_text()))
    places = set(re.findall(r"([\w./-]+\.nix): ([\w.@-]+)", text))
    assert ("home/programs/bat.nix", "programs.bat") in places  # phase 4 moved it
    assert ("home/common.nix", "programs.bat") not in places
    for file, option in places:
        generated = demo.config_copy / file
        assert generated.is_file(), f"{file}: {option} names a file phase 7 lacks"
        last = option.rpartition(".")[2]
        assert last in generated.read_text(encoding="utf-8"), f"{file}: {option}"


@pytest.mark.needs_git
def test_the_report_says_where_a_held_back_module_went(demo: DemoResult) -> None:
    files = _demo_files(demo)
    assert "programs.bash" not in files["home/common.nix"]
    assert "pkgs.bashInteractive" in files["home/common.nix"]
    rows = build_accounting(
        demo.inventory, hostname="demo-mac", program_files=frozenset({"bat"})
    )
    bash = next(r for r in rows if r.name == "bash" and r.source == "brew")
    assert (bash.destination, bash.where) == ("nix", "home/common.nix: home.packages")
    assert "programs.bash is left off" in bash.reason
    bat = next(r for r in rows if r.name == "bat" and r.source == "brew")
    assert (bat.destination, bat.where) == (
        "program",
        "home/programs/bat.nix: programs.bat",
    )
    btop = next(r for r in rows if r.name == "btop" and r.source == "brew")
    assert btop.where == "home/common.nix: programs.btop"
