"""The generated files are real Nix: parsed, and partly evaluated, by nix-instantiate."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from nixmigrate.nixlang import nix_str
from nixmigrate.plan.model import Plan
from nixmigrate.plan.options import SecondHost
from nixmigrate.render.plan_tree import build_plan
from nixmigrate.scan.inventory import StowLink, StowPackage
from tests.test_planner import (
    GIT_SETTINGS,
    darwin_options,
    darwin_plan,
    linux_plan,
    sample_inventory,
)

pytestmark = pytest.mark.needs_nix

PLANS: dict[str, Callable[[], Plan]] = {
    "darwin-pi": lambda: darwin_plan(sops=True),
    "darwin-standalone": lambda: darwin_plan(
        second_host=SecondHost("box", "x86_64-linux", "standalone"),
        determinate_nix=True,
    ),
    "linux-nixos": linux_plan,
    "linux-pi": lambda: linux_plan(
        sops=True, second_host=SecondHost("pi", "aarch64-linux", "raspberry-pi")
    ),
}


def _write(plan: Plan, root: Path) -> Path:
    for item in plan.files:
        target = root / item.relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.content, encoding="utf-8")
    return root


def _nix(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["nix-instantiate", *args], capture_output=True, text=True, check=False
    )


def _eval(expression: str) -> object:
    done = _nix("--eval", "--strict", "--json", "-E", expression)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", sorted(PLANS))
def test_every_generated_nix_file_parses(name: str, tmp_path: Path) -> None:
    root = _write(PLANS[name](), tmp_path)
    nix_files = sorted(root.rglob("*.nix"))
    assert len(nix_files) >= 8
    for path in nix_files:
        done = _nix("--parse", str(path))
        assert done.returncode == 0, f"{path.relative_to(root)}: {done.stderr}"


def _home_module(root: Path, relpath: str, attr: str, pkgs: str = "{ }") -> object:
    config = (
        '{ home.homeDirectory = "/Users/jane"; lib.file.mkOutOfStoreSymlink = p: p; }'
    )
    return _eval(
        f"(import {root / relpath} {{ config = {config}; pkgs = {pkgs}; }}).{attr}"
    )


def test_links_evaluate_to_the_exact_file_even_for_odd_names(tmp_path: Path) -> None:
    inventory = sample_inventory()
    assert inventory.stow is not None
    name, path = 'we"ird\\${pkg}', '.config/a"${b}\\c'
    odd = StowPackage(name, "stowed", links=(StowLink(path, "x"),))
    inventory = replace(inventory, stow=replace(inventory.stow, packages=(odd,)))
    root = _write(build_plan(inventory, darwin_options()), tmp_path)
    files = _home_module(root, "home/common.nix", "xdg.configFile")
    assert files == {'a"${b}\\c': {"source": f"/Users/jane/dotfiles/{name}/{path}"}}


def test_packages_evaluate_to_the_mapped_attributes(tmp_path: Path) -> None:
    root = _write(darwin_plan(), tmp_path)
    pkgs = {
        "7zz": "7zz",
        "fd": "fd",
        "neovim": "neovim",  # not programs.neovim: ~/.config/nvim is a linked dir
        "ripgrep": "ripgrep",
        "terraform": "terraform",
        "vscode": "vscode",
        "nerd-fonts": {"jetbrains-mono": "nerd-fonts-jetbrains-mono"},
    }
    stub = f"builtins.fromJSON {nix_str(json.dumps(pkgs))}"
    packages = _home_module(root, "home/common.nix", "home.packages", stub)
    assert packages == [
        "7zz",
        "fd",
        "neovim",
        "nerd-fonts-jetbrains-mono",
        "ripgrep",
        "terraform",
        "vscode",
    ]


def test_git_settings_evaluate_to_the_converted_values(tmp_path: Path) -> None:
    root = _write(darwin_plan(), tmp_path)
    git = _home_module(root, "home/programs/git.nix", "programs.git")
    assert isinstance(git, dict)
    assert git["settings"] == GIT_SETTINGS
    assert git["includes"] == [{"path": "~/.gitconfig.local"}]


def test_unfree_list_evaluates_to_exactly_the_unfree_names(tmp_path: Path) -> None:
    root = _write(darwin_plan(), tmp_path)
    assert _eval(f"import {root / 'unfree.nix'}") == ["terraform", "vscode"]


def test_flake_inputs_follow_nixpkgs_where_they_have_one(tmp_path: Path) -> None:
    root = _write(darwin_plan(sops=True), tmp_path)
    inputs = _eval(f"(import {root / 'flake.nix'}).inputs")
    assert isinstance(inputs, dict)
    assert sorted(inputs) == [
        "home-manager",
        "nix-darwin",
        "nix-homebrew",
        "nixos-raspberrypi",
        "nixpkgs",
        "sops-nix",
    ]
    followers = {n for n, i in inputs.items() if "inputs" in i}
    # nixos-raspberrypi keeps the nixpkgs its binary cache was built for
    assert followers == {"home-manager", "nix-darwin", "sops-nix"}
    assert all(
        inputs[n]["inputs"]["nixpkgs"]["follows"] == "nixpkgs" for n in followers
    )


def test_flake_outputs_name_the_machines(tmp_path: Path) -> None:
    plan = darwin_plan(second_host=SecondHost("box", "x86_64-linux", "standalone"))
    root = _write(plan, tmp_path)
    outputs = _eval(
        f"builtins.mapAttrs (_: builtins.attrNames) ((import {root / 'flake.nix'}).outputs {{ }})"
    )
    assert outputs == {
        "darwinConfigurations": ["Janes-MacBook-Pro"],
        "homeConfigurations": ["jane@box"],
    }
