from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from nixmigrate.demo.dotfiles_setup import (
    DEMO_PACKAGES,
    DEMO_UNSTOWED,
    install_demo_dotfiles,
)
from nixmigrate.errors import ConflictError
from nixmigrate.scan.stow import scan_stow
from nixmigrate.system.runner import SubprocessRunner
from tests.helpers import make_tree, snapshot_tree


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_installs_into_home_dotfiles_and_returns_it(home: Path) -> None:
    dotfiles = install_demo_dotfiles(home)
    assert dotfiles == home / "dotfiles"
    packages = sorted(p.name for p in dotfiles.iterdir() if p.is_dir())
    assert packages == sorted(DEMO_PACKAGES)
    assert (dotfiles / ".stowrc").read_text(encoding="utf-8").startswith("--target=~")


def test_the_scan_sees_every_package_stowed_but_one(home: Path) -> None:
    dotfiles = install_demo_dotfiles(home)
    inventory = scan_stow(dotfiles, home)
    statuses = {p.name: p.status for p in inventory.packages}
    assert statuses == {
        name: "unstowed" if name == DEMO_UNSTOWED else "stowed"
        for name in DEMO_PACKAGES
    }
    assert inventory.stale_links == ()
    assert inventory.broken_links == ()
    assert inventory.problems == ()


def test_links_are_relative_and_folded_like_stow_makes_them(home: Path) -> None:
    install_demo_dotfiles(home)
    assert (home / ".gitconfig").readlink() == Path("dotfiles/git/.gitconfig")
    assert (home / ".ssh").readlink() == Path("dotfiles/ssh/.ssh")
    # several packages use .config, so it is a real directory of per-package links
    assert (home / ".config").is_dir()
    assert not (home / ".config").is_symlink()
    assert (home / ".config/nvim").readlink() == Path("../dotfiles/nvim/.config/nvim")
    assert (home / ".config/starship.toml").readlink() == Path(
        "../dotfiles/starship/.config/starship.toml"
    )
    assert not (home / ".config/wezterm").exists()
    assert not (home / "README.md").exists()  # nvim/README.md: ignored by Stow


def test_every_link_stays_inside_the_home(home: Path) -> None:
    install_demo_dotfiles(home)
    links = [p for p in home.rglob("*") if p.is_symlink()]
    assert len(links) == 11
    assert all(link.resolve().is_relative_to(home.resolve()) for link in links)


def test_demo_content_is_what_later_phases_expect(home: Path) -> None:
    dotfiles = install_demo_dotfiles(home)
    gitconfig = (dotfiles / "git/.gitconfig").read_text(encoding="utf-8")
    sections = set(re.findall(r"^\[(\w+)\]", gitconfig, flags=re.MULTILINE))
    assert {"user", "alias", "core", "pull", "include", "credential"} <= sections
    hosts = (dotfiles / "gh/.config/gh/hosts.yml").read_text(encoding="utf-8")
    assert "oauth_token: gho_EXAMPLEONLY" in hosts
    ssh_files = sorted(
        str(p.relative_to(dotfiles / "ssh")) for p in (dotfiles / "ssh").rglob("*")
    )
    assert ssh_files == [".ssh", ".ssh/config"]  # no keys
    nvim = dotfiles / "nvim/.config/nvim"
    assert (nvim / "init.lua").is_file()
    assert (nvim / "lazy-lock.json").is_file()
    assert sorted(p.name for p in (nvim / "lua/config").iterdir()) == [
        "keymaps.lua",
        "lazy.lua",
        "options.lua",
    ]


def test_refuses_an_existing_dotfiles_dir_and_writes_nothing(home: Path) -> None:
    make_tree(home, {"dotfiles/mine": "keep\n"})
    before = snapshot_tree(home)
    with pytest.raises(ConflictError, match="already exists"):
        install_demo_dotfiles(home)
    assert snapshot_tree(home) == before


def test_refuses_a_file_in_the_way_and_removes_what_it_copied(home: Path) -> None:
    make_tree(home, {".zshrc": "my own\n"})
    before = snapshot_tree(home)
    with pytest.raises(ConflictError, match=r"\.zshrc \(zsh\)"):
        install_demo_dotfiles(home)
    assert snapshot_tree(home) == before


@pytest.mark.needs_stow
def test_the_result_equals_what_gnu_stow_makes(tmp_path: Path, home: Path) -> None:
    dotfiles = install_demo_dotfiles(home)
    by_stow = tmp_path / "by-stow"
    shutil.copytree(dotfiles, by_stow / "dotfiles", symlinks=True)
    packages = [name for name in DEMO_PACKAGES if name != DEMO_UNSTOWED]
    done = SubprocessRunner().run(
        ["stow", *packages],  # the demo's own .stowrc sets --target=~
        check=False,
        cwd=str(by_stow / "dotfiles"),
        env={"HOME": str(by_stow)},
    )
    assert done.returncode == 0, done.stderr
    assert snapshot_tree(home) == snapshot_tree(by_stow)
