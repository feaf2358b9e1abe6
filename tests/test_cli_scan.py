"""`nixmigrate scan` end to end: fake brew on PATH, real files, the saved inventory."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from nixmigrate.cli import cli
from nixmigrate.demo.dotfiles_setup import install_demo_dotfiles
from tests.fakebrew import install_fake_tool

CONTRACT_KEYS = {"schema_version", "host", "brew", "brewfile", "stow", "warnings"}


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])


@pytest.fixture
def fake_brew(
    tmp_path: Path, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    bin_dir = tmp_path / "bin"
    recording = fixtures_dir / "brew" / "mac-arm"
    install_fake_tool(bin_dir, "brew", recording, monkeypatch)
    install_fake_tool(bin_dir, "mas", recording, monkeypatch)
    return bin_dir


@pytest.fixture
def no_brew_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", f"{empty}{os.pathsep}/usr/bin:/bin")


def scan(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["scan", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.usefixtures("fake_brew")
def test_json_inventory_has_the_contract_keys_and_is_saved(home: Path) -> None:
    install_demo_dotfiles(home)
    code, out, err = scan("--no-input", "--json")
    assert code == 0, err
    inventory = json.loads(out)
    assert set(inventory) >= CONTRACT_KEYS
    assert inventory["schema_version"] == 1
    formulae = {f["name"]: f for f in inventory["brew"]["formulae"]}
    assert {"name", "version", "tap", "on_request"} <= set(formulae["git"])
    assert formulae["git"]["on_request"] is True
    assert {"token", "version"} <= set(inventory["brew"]["casks"][0])
    assert all({"name", "id"} <= set(m) for m in inventory["brew"]["mas"])
    saved = home / ".local" / "state" / "nixmigrate" / "inventory.json"
    state_home = Path(os.environ["XDG_STATE_HOME"]) / "nixmigrate" / "inventory.json"
    assert not saved.exists()
    assert json.loads(state_home.read_text()) == inventory
    echoed = [ln for ln in err.splitlines() if ln.startswith("$ ")]
    assert any(ln.endswith("brew info --json=v2 --installed") for ln in echoed)


@pytest.mark.usefixtures("fake_brew")
def test_without_input_every_stowed_package_is_included_and_mutable(
    home: Path,
) -> None:
    install_demo_dotfiles(home)
    code, out, _ = scan("--no-input", "--json")
    assert code == 0
    packages = {p["name"]: p for p in json.loads(out)["stow"]["packages"]}
    assert packages["git"]["status"] == "stowed"
    assert packages["git"]["include"] is True
    assert packages["git"]["mode"] == "mutable"
    assert packages["wezterm"]["status"] == "unstowed"
    assert packages["wezterm"]["include"] is False


@pytest.mark.usefixtures("no_brew_on_path")
def test_nothing_to_scan_is_exit_1_with_one_clear_line() -> None:
    code, out, err = scan("--no-input")
    assert code == 1
    assert out == ""
    assert "error: nothing could be scanned" in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("no_brew_on_path")
def test_missing_brewfile_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = scan("--no-input", "--brewfile", str(tmp_path / "nope"))
    assert code == 2
    assert str(tmp_path / "nope") in err
    assert "Traceback" not in err


def test_missing_dotfiles_dir_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = scan("--no-input", "--no-brew", "--dotfiles", str(tmp_path / "x"))
    assert code == 2
    assert "does not exist" in err


def test_dotfiles_naming_a_file_says_it_is_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "Brewfile").write_text('brew "git"\n', encoding="utf-8")
    argv = ("--no-input", "--no-brew", "--dotfiles", str(tmp_path / "Brewfile"))
    code, _, err = scan(*argv)
    assert code == 2
    assert f"dotfiles directory {tmp_path / 'Brewfile'} is not a directory" in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("no_brew_on_path")
def test_a_brewfile_alone_is_enough_and_no_brew_is_a_warning(
    fixtures_dir: Path,
) -> None:
    brewfile = fixtures_dir / "brewfile" / "bundle-dump.Brewfile"
    code, out, err = scan("--no-input", "--json", "--brewfile", str(brewfile))
    assert code == 0, err
    inventory = json.loads(out)
    assert inventory["brewfile"]["entries"]
    assert any("brew" in w.lower() for w in inventory["warnings"])
    assert inventory["stow"] is None


def test_an_empty_brewfile_scans_with_nothing_in_it(tmp_path: Path) -> None:
    brewfile = tmp_path / "Brewfile"
    brewfile.write_text("")
    code, out, err = scan(
        "--no-input", "--no-brew", "--json", "--brewfile", str(brewfile)
    )
    assert code == 0, err
    assert json.loads(out)["brewfile"]["entries"] == []


@pytest.mark.needs_nix
@pytest.mark.usefixtures("no_brew_on_path")
def test_hostile_brewfile_names_warn_and_never_reach_the_plan(
    fixtures_dir: Path, home: Path
) -> None:
    brewfile = fixtures_dir / "brewfile" / "real-shapes" / "hostile.Brewfile"
    code, out, err = scan("--no-input", "--json", "--brewfile", str(brewfile))
    assert code == 0, err
    warnings = json.loads(out)["warnings"]
    assert sum("skipped, " in w and "is not a valid" in w for w in warnings) == 7
    assert any(":9: skipped, 'not an id\\nbrew" in w for w in warnings)
    planned = CliRunner().invoke(
        cli,
        ["plan", "--phase", "7", "--no-input", "--system", "aarch64-darwin",
         "--user", "jane", "--hostname", "mac"],
    )  # fmt: skip
    assert planned.exit_code == 0, planned.stderr
    config = home / "nix-config"
    nix_files = sorted(config.rglob("*.nix"))
    assert config / "hosts" / "mac" / "homebrew.nix" in nix_files
    for path in nix_files:
        text = path.read_text(encoding="utf-8")
        for marker in ("pwned", "evil", "builtins.abort", "system(", "not an id"):
            assert marker not in text, (path, marker)
        done = subprocess.run(
            ["nix-instantiate", "--parse", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
