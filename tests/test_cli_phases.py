"""plan -> apply -> rollback through the command line, on a stowed home.

Real GNU Stow unstows and re-stows; a fake `home-manager` on PATH makes the links a
switch would; the fake brew replays a recorded Mac.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nixmigrate.cli import cli
from nixmigrate.demo.dotfiles_setup import install_demo_dotfiles
from tests.fakebrew import install_fake_tool
from tests.fakeswitch import install_fake_switch, switch_calls
from tests.helpers import snapshot_tree

pytestmark = [pytest.mark.needs_stow, pytest.mark.needs_git]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def world(
    tmp_path: Path, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Path]:
    """A scanned home: demo dotfiles stowed, a recorded Mac's Homebrew, a fake switch."""
    home = Path(os.environ["HOME"])
    install_demo_dotfiles(home)
    bin_dir, store = tmp_path / "bin", tmp_path / "store"
    store.mkdir()
    recording = fixtures_dir / "brew" / "mac-arm"
    install_fake_tool(bin_dir, "brew", recording, monkeypatch)
    monkeypatch.setenv("NIX_STORE_DIR", str(store))
    install_fake_switch(bin_dir, home=home, store_dir=store, managed=())
    scanned = run("scan", "--no-input", "--json")
    assert scanned.exit_code == 0, scanned.stderr
    inventory = json.loads(scanned.stdout)
    managed = [
        link["path"]
        for package in inventory["stow"]["packages"]
        if package["include"]
        for link in package["links"]
    ]
    install_fake_switch(bin_dir, home=home, store_dir=store, managed=managed)
    return {"home": home, "bin": bin_dir, "store": store, "config": home / "nix-config"}


def test_plan_writes_the_config_and_a_second_run_is_identical(
    world: dict[str, Path],
) -> None:
    first = run("plan", "--phase", "3", "--no-input")
    assert first.exit_code == 0, first.stderr
    assert (world["config"] / "flake.nix").exists()
    assert (world["config"] / ".git").is_dir()  # flakes only see tracked files
    assert "create" in first.stdout
    again = run("plan", "--phase", "3", "--no-input")
    assert again.exit_code == 0, again.stderr
    statuses = [
        ln.split()[0] for ln in again.stdout.splitlines() if ln.startswith("  ")
    ]
    assert "identical" in statuses
    assert "create" not in statuses
    assert "update" not in statuses


def test_a_hand_edited_generated_file_is_kept_and_reported(
    world: dict[str, Path],
) -> None:
    assert run("plan", "--phase", "2", "--no-input").exit_code == 0
    common = world["config"] / "home" / "common.nix"
    edited = common.read_text() + "# my own line\n"
    common.write_text(edited)
    result = run("plan", "--phase", "3", "--no-input")
    assert result.exit_code == 3
    assert "home/common.nix" in result.stderr
    assert common.read_text() == edited


def test_apply_without_a_terminal_needs_yes(world: dict[str, Path]) -> None:
    assert run("plan", "--phase", "3", "--no-input").exit_code == 0
    before = snapshot_tree(world["home"])
    result = run("apply", "--phase", "3", "--no-input")
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert "Traceback" not in result.stderr
    after = snapshot_tree(world["home"])
    assert {k: v for k, v in after.items() if not k.startswith(".local")} == {
        k: v for k, v in before.items() if not k.startswith(".local")
    }


def test_apply_before_plan_says_what_to_run(world: dict[str, Path]) -> None:
    result = run("apply", "--phase", "3", "--yes")
    assert result.exit_code == 1
    assert "nixmigrate plan --phase 3" in result.stderr


def test_apply_then_rollback_restores_the_home_byte_for_byte(
    world: dict[str, Path],
) -> None:
    home = world["home"]
    assert run("plan", "--phase", "3", "--no-input").exit_code == 0

    def user_files() -> dict[str, tuple[str, str | bytes, int]]:
        skip = (".local", "nix-config")
        return {k: v for k, v in snapshot_tree(home).items() if not k.startswith(skip)}

    before = user_files()
    applied = run("apply", "--phase", "3", "--yes")
    assert applied.exit_code == 0, applied.stderr
    assert switch_calls(world["bin"])  # the switch ran
    zshrc = home / ".zshrc"
    assert str(zshrc.readlink()).startswith(str(world["store"]))  # Home Manager's now
    assert user_files() != before

    listed = run("rollback", "--list")
    assert "phase 3" in listed.stdout
    rolled = run("rollback", "--yes")
    assert rolled.exit_code == 0, rolled.stderr
    assert user_files() == before


def test_report_json_and_files(world: dict[str, Path], tmp_path: Path) -> None:
    result = run("report", "--json", "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["found"]["formulae on request"] > 0
    assert report["next_steps"][-1].startswith("nixmigrate plan --phase 1")
    assert (
        (tmp_path / "out" / "report.md").read_text().startswith("# nixmigrate report")
    )
    assert json.loads((tmp_path / "out" / "report.json").read_text()) == report
    rows = report["accounting"]
    assert rows and {"brew"} <= {row["source"] for row in rows}
    assert set(rows[0]) >= {
        "kind", "name", "source", "line", "condition", "destination", "where", "reason",
    }  # fmt: skip
    total = len(rows)
    markdown = (tmp_path / "out" / "report.md").read_text().splitlines()
    assert markdown[2] == f"{total} of {total} input entries accounted for"
    console = run("report")
    assert console.stdout.splitlines()[0] == markdown[2]


def test_commands_before_any_scan_say_to_scan_first() -> None:
    for args in (["report"], ["plan", "--phase", "1", "--no-input"]):
        result = run(*args)
        assert result.exit_code == 1
        assert "nixmigrate scan" in result.stderr
        assert "Traceback" not in result.stderr


def test_rollback_with_nothing_to_undo_is_a_clear_error() -> None:
    result = run("rollback", "--yes")
    assert result.exit_code == 1
    assert "nothing to roll back" in result.stderr


def test_plan_a_mac_and_a_raspberry_pi_from_this_machine(
    world: dict[str, Path],
) -> None:
    result = run(
        "plan",
        "--phase",
        "7",
        "--no-input",
        "--system",
        "aarch64-darwin",
        "--user",
        "jane",
        "--hostname",
        "Jane's MacBook",
        "--second-host",
        "pi",
        "--sops",
        "--touch-id",
    )
    assert result.exit_code == 0, result.stderr
    config = world["config"]
    flake = (config / "flake.nix").read_text()
    assert "darwinConfigurations.Janes-MacBook" in flake
    assert "inputs.nixos-raspberrypi.lib.nixosSystem" in flake
    assert "raspberry-pi-nix" not in flake
    assert "sops-nix" in flake
    host = (config / "hosts" / "Janes-MacBook" / "default.nix").read_text()
    assert 'system.primaryUser = "jane";' in host
    assert "security.pam.services.sudo_local.touchIdAuth = true;" in host
    assert (config / "hosts" / "pi").is_dir()
    homebrew = (config / "hosts" / "Janes-MacBook" / "homebrew.nix").read_text()
    assert '"uninstall"' in homebrew
    assert '"zap"' not in homebrew
