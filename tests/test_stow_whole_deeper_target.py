"""Stow directories stowed whole into a deeper target: `stow -d ./etc -t ~/.config .`.

Some repos keep one stow directory per target (`etc` for ~/.config, `usr` for
~/.local) and stow each whole from the repo's root. Pointed at `etc`, the scan
must find the directory stowed as one package into ~/.config: read as a
directory of packages (`nvim`, `git`) nothing would be linked, phase 3 would
leave the links alone and phase 7 would archive the directory under them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nixmigrate.cli import cli
from nixmigrate.scan.stow import scan_stow
from tests.fakeswitch import install_fake_switch, switch_calls
from tests.helpers import make_tree, snapshot_tree
from tests.test_scan_stow_real import stow
from tests.test_scan_stow_shapes import assert_stow_agrees

pytestmark = pytest.mark.needs_stow

REPO: dict[str, str | bytes | Path] = {
    "etc/nvim/init.lua": "vim.o.number = true\n",
    "etc/nvim/lua/keys.lua": "return {}\n",
    "etc/git/config": "[user]\n  name = Ada\n",
    "etc/starship.toml": "add_newline = false\n",
    "usr/bin/hello": "#!/bin/sh\necho hello\n",
    "usr/share/fonts/Mono.ttf": b"\x00\x01font",
    "README.md": "stow -d ./etc -t ~/.config . && stow -d ./usr -t ~/.local .\n",
}
CONFIG_LINKS = (".config/git", ".config/nvim", ".config/starship.toml")


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # a fresh tmp dir per test (see conftest)


def build(home: Path) -> Path:
    repo = home / "dots"
    make_tree(repo, REPO)
    for target, stow_dir in ((".config", "etc"), (".local", "usr")):
        (home / target).mkdir()
        done = stow(
            home, "-d", f"./{stow_dir}", "-t", str(home / target), ".", cwd=repo
        )
        assert done.returncode == 0, done.stderr
    return repo


@pytest.mark.parametrize(
    ("stow_dir", "target", "links"),
    [
        ("etc", ".config", CONFIG_LINKS),
        ("usr", ".local", (".local/bin", ".local/share")),
    ],
)
def test_each_stow_directory_is_one_package_in_its_own_target(
    home: Path, stow_dir: str, target: str, links: tuple[str, ...]
) -> None:
    repo = build(home)

    inventory = scan_stow(repo / stow_dir, home)

    [found] = inventory.packages
    assert found.whole
    assert (found.status, found.target) == ("stowed", str(home / target))
    assert tuple(link.path for link in found.links) == links
    assert all(link.folded for link in found.links if link.path != CONFIG_LINKS[2])
    assert not inventory.stale_links
    assert not inventory.problems
    assert_stow_agrees(home, inventory, ".")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.needs_git
def test_phase_3_unstows_the_directory_from_its_target_and_rolls_back(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = build(home)
    bin_dir, store = tmp_path / "bin", tmp_path / "store"
    store.mkdir()
    monkeypatch.setenv("NIX_STORE_DIR", str(store))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    install_fake_switch(bin_dir, home=home, store_dir=store, managed=CONFIG_LINKS)
    dotfiles = ("--dotfiles", str(repo / "etc"))
    assert run("scan", "--no-input", "--no-brew", *dotfiles).exit_code == 0
    planned = run("plan", "--phase", "7", "--no-input", "--system", "x86_64-linux")
    assert planned.exit_code == 0, planned.stderr
    plan = " ".join(planned.output.split())
    assert f"unstow . (3 links in {home}/.config)" in plan
    assert "is not archived: these home-manager links point into it" in plan
    before = snapshot_tree(home)

    applied = run("apply", "--phase", "3", "--yes")

    assert applied.exit_code == 0, applied.stderr
    assert switch_calls(bin_dir)
    for link in CONFIG_LINKS:
        assert str((home / link).readlink()).startswith(str(store)), link
    assert (home / ".local/bin").readlink() == Path("../dots/usr/bin")  # not ours
    rolled = run("rollback", "--yes")
    assert rolled.exit_code == 0, rolled.stderr
    skip = (".local/state", "nix-config")
    after = snapshot_tree(home)
    assert {k: v for k, v in after.items() if not k.startswith(skip)} == {
        k: v for k, v in before.items() if not k.startswith(skip)
    }
