"""The generated flake fits today's Nix: Determinate Nix, Raspberry Pi 5, stateVersion.

Through the command line on a scanned home: a fake `nix` first on PATH prints what
Determinate Nix prints; the fake brew replays a recorded Mac; nix-instantiate is real.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nixmigrate.cli import cli
from nixmigrate.demo.dotfiles_setup import install_demo_dotfiles
from nixmigrate.plan.config import DARWIN_STATE_VERSION, NEWEST_RELEASE
from tests.fakebrew import install_fake_tool

pytestmark = [pytest.mark.needs_stow, pytest.mark.needs_git, pytest.mark.needs_nix]

MAC = ("--system", "aarch64-darwin", "--user", "jane", "--hostname", "mac")
HOST_FILE = Path("hosts/mac/default.nix")
DETERMINATE_VERSION = "nix (Determinate Nix 3.19.1) 2.34.6"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def fake_nix(bin_dir: Path, version_line: str) -> None:
    """A `nix` that answers `--version` like the real one (and fails otherwise)."""
    nix = bin_dir / "nix"
    nix.write_text(
        f'#!/bin/sh\n[ "$1" = --version ] && echo "{version_line}" && exit 0\nexit 1\n',
        encoding="utf-8",
    )
    nix.chmod(0o755)


@pytest.fixture
def home(tmp_path: Path, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = Path(os.environ["HOME"])
    install_demo_dotfiles(home)
    bin_dir = tmp_path / "bin"
    install_fake_tool(bin_dir, "brew", fixtures_dir / "brew" / "mac-arm", monkeypatch)
    fake_nix(bin_dir, DETERMINATE_VERSION)
    scanned = run("scan", "--no-input")
    assert scanned.exit_code == 0, scanned.stderr
    return home


def config(home: Path) -> Path:
    return home / "nix-config"


# ---------------------------------------------------------------- Determinate Nix


def test_scanned_determinate_nix_turns_nix_enable_off(home: Path) -> None:
    result = run("plan", "--phase", "1", "--no-input", *MAC)
    assert result.exit_code == 0, result.stderr
    host = (config(home) / HOST_FILE).read_text()
    assert "  nix.enable = false;\n" in host
    assert "nix.enable = true;" not in host
    assert "nix.settings" not in host
    out = " ".join(result.stdout.split())
    assert "Determinate Nix 2.34.6 is installed" in out
    assert "nixos.org/nix/install" not in out
    assert "--daemon" not in out


def test_no_determinate_nix_flips_it_and_is_remembered(home: Path) -> None:
    result = run("plan", "--phase", "1", "--no-input", "--no-determinate-nix", *MAC)
    assert result.exit_code == 0, result.stderr
    host = (config(home) / HOST_FILE).read_text()
    assert "  nix.enable = true;\n" in host
    assert "plan with --determinate-nix" in " ".join(result.stdout.split())
    # a later plan without the flag keeps the choice (apply builds the same files)
    again = run("plan", "--phase", "2", "--no-input")
    assert again.exit_code == 0, again.stderr
    assert "  nix.enable = true;\n" in (config(home) / HOST_FILE).read_text()


def test_determinate_nix_flag_overrides_a_plain_nix_scan(
    home: Path, tmp_path: Path
) -> None:
    fake_nix(tmp_path / "bin", "nix (Nix) 2.28.4")
    assert run("scan", "--no-input").exit_code == 0
    plain = run("plan", "--phase", "1", "--no-input", *MAC)
    assert plain.exit_code == 0, plain.stderr
    assert "  nix.enable = true;\n" in (config(home) / HOST_FILE).read_text()
    flagged = run("plan", "--phase", "1", "--no-input", "--determinate-nix")
    assert flagged.exit_code == 0, flagged.stderr
    assert "  nix.enable = false;\n" in (config(home) / HOST_FILE).read_text()


# ---------------------------------------------------------------- Raspberry Pi 5


def test_plan_phase_6_with_a_pi5_uses_nixos_raspberrypi_and_parses(home: Path) -> None:
    result = run("plan", "--phase", "6", "--no-input", *MAC, "--second-host", "pi5")
    assert result.exit_code == 0, result.stderr
    root = config(home)
    flake = (root / "flake.nix").read_text()
    assert "raspberry-pi-nix" not in flake
    assert "inputs.nixos-raspberrypi.lib.nixosSystem" in flake
    assert "nixos-raspberrypi.nixosModules.raspberry-pi-5.base" in flake
    assert "https://nixos-raspberrypi.cachix.org" in flake
    assert "raspberry-pi-nix" not in (root / "hosts/pi5/default.nix").read_text()
    for path in root.rglob("*.nix"):
        parsed = subprocess.run(
            ["nix-instantiate", "--parse", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert parsed.returncode == 0, f"{path}: {parsed.stderr}"
    out = " ".join(result.stdout.split())
    assert "#nixosConfigurations.pi5.config.system.build.sdImage" in out
    assert "--target-host jane@pi5" in out
    assert "--sudo" in out
    assert "--use-remote-sudo" not in out


# ---------------------------------------------------------------- stateVersion


def _state_lines(root: Path) -> dict[str, list[str]]:
    return {
        str(path.relative_to(root)): [
            line for line in path.read_text().splitlines() if "stateVersion" in line
        ]
        for path in sorted(root.rglob("*.nix"))
        if "stateVersion" in path.read_text()
    }


def test_a_fresh_plan_uses_the_newest_release(home: Path) -> None:
    args = ("--second-host", "pi5")
    assert run("plan", "--phase", "6", "--no-input", *MAC, *args).exit_code == 0
    assert _state_lines(config(home)) == {
        "home/common.nix": [f'  home.stateVersion = "{NEWEST_RELEASE}";'],
        "hosts/mac/default.nix": [f"  system.stateVersion = {DARWIN_STATE_VERSION};"],
        "hosts/pi5/default.nix": [f'  system.stateVersion = "{NEWEST_RELEASE}";'],
    }


def test_a_replan_keeps_the_state_versions_the_files_already_have(
    home: Path,
) -> None:
    """A configuration made by an older nixmigrate keeps its stateVersions for good."""
    args = ("--second-host", "pi5")
    assert run("plan", "--phase", "6", "--no-input", *MAC, *args).exit_code == 0
    root = config(home)
    older = {
        "home/common.nix": (f'"{NEWEST_RELEASE}"', '"24.11"'),
        "hosts/mac/default.nix": (
            f"stateVersion = {DARWIN_STATE_VERSION};",
            "stateVersion = 5;",
        ),
        "hosts/pi5/default.nix": (f'"{NEWEST_RELEASE}"', '"25.05"'),
    }
    for relpath, (new, old) in older.items():
        path = root / relpath
        path.write_text(path.read_text().replace(new, old))
    before = {p: (root / p).read_bytes() for p in older}
    for phase in ("6", "7", "2"):
        result = run("plan", "--phase", phase, "--no-input")
        assert result.exit_code == 0, result.stderr
        after = _state_lines(root)
        assert after["home/common.nix"] == ['  home.stateVersion = "24.11";']
        assert after["hosts/mac/default.nix"] == ["  system.stateVersion = 5;"]
    # nothing else in them changed either: byte-identical after re-planning phase 6
    assert run("plan", "--phase", "6", "--no-input").exit_code == 0
    assert {p: (root / p).read_bytes() for p in older} == before
