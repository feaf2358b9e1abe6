"""Packages holding symlinks of their own, stowed with the real GNU Stow.

A systemd package keeps `default.target.wants/x.service -> /usr/lib/...` (an
absolute symlink) and an nvim package `init.vim -> ../../.vim/vimrc` (a relative
one). Stow 2.3.1 refuses an absolute symlink only at the top of a package and
links deeper ones like files, so such a package, stowed, must scan as stowed:
otherwise it is left out of the migration and its links are reported as
belonging to no package. Phase 3 must then unstow it (its links lead into the
package even though the package's own symlink leads on elsewhere) and roll back
to the same bytes.
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

WANTS = ".config/systemd/user/default.target.wants"


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # a fresh tmp dir per test (see conftest)


def build(home: Path) -> Path:
    repo = home / "dotfiles"
    make_tree(
        repo,
        {
            "systemd/.config/systemd/user/sync.service": "[Service]\nExecStart=true\n",
            "vim/.vim/vimrc": "set number\n",
            "vim/.config/nvim/.keep": "",
        },
    )
    (repo / "systemd" / WANTS).mkdir(parents=True)
    (repo / "systemd" / WANTS / "sync.service").symlink_to("../sync.service")
    unit = home / "usr/lib/systemd/user/ydotool.service"  # as if /usr/lib/...
    make_tree(unit.parent, {unit.name: "[Service]\n"})
    (repo / "systemd" / WANTS / "ydotool.service").symlink_to(unit)
    (repo / "vim/.config/nvim/init.vim").symlink_to("../../.vim/vimrc")
    done = stow(home, "--no-folding", "systemd", "vim", cwd=repo)
    assert done.returncode == 0, done.stderr
    return repo


def test_packages_with_their_own_symlinks_scan_as_stowed(home: Path) -> None:
    repo = build(home)

    inventory = scan_stow(repo, home)

    assert {p.name: (p.status, p.conflicts) for p in inventory.packages} == {
        "systemd": ("stowed", ()),
        "vim": ("stowed", ()),
    }
    systemd = inventory.package("systemd")
    assert systemd is not None
    assert f"{WANTS}/ydotool.service" in {link.path for link in systemd.links}
    assert not inventory.stale_links
    assert not inventory.problems
    assert_stow_agrees(home, inventory, "systemd")
    assert_stow_agrees(home, inventory, "vim")


def test_an_absolute_symlink_at_the_top_of_a_package_stays_a_conflict(
    home: Path,
) -> None:
    repo = home / "dotfiles"
    make_tree(repo, {"shell/.inputrc": "set editing-mode vi\n"})
    (repo / "shell/.hostname").symlink_to("/etc/hostname")
    refused = stow(home, "shell", cwd=repo)
    assert "source is an absolute symlink" in refused.stderr

    inventory = scan_stow(repo, home)

    shell = inventory.package("shell")
    assert shell is not None
    assert [(c.path, c.kind) for c in shell.conflicts] == [
        (".hostname", "absolute-link")
    ]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _user_files(home: Path) -> dict[str, tuple[str, str | bytes, int]]:
    skip = (".local/state", "nix-config")
    return {k: v for k, v in snapshot_tree(home).items() if not k.startswith(skip)}


@pytest.mark.needs_git
def test_phase_3_unstows_them_and_rolls_back_byte_for_byte(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(home)
    links = [
        f"{WANTS}/sync.service",
        f"{WANTS}/ydotool.service",
        ".config/systemd/user/sync.service",
        ".config/nvim/.keep",
        ".config/nvim/init.vim",
        ".vim/vimrc",
    ]
    bin_dir, store = tmp_path / "bin", tmp_path / "store"
    store.mkdir()
    monkeypatch.setenv("NIX_STORE_DIR", str(store))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    install_fake_switch(bin_dir, home=home, store_dir=store, managed=links)
    assert run("scan", "--no-input", "--no-brew").exit_code == 0
    planned = run("plan", "--phase", "3", "--no-input", "--system", "x86_64-linux")
    assert planned.exit_code == 0, planned.stderr
    before = _user_files(home)

    applied = run("apply", "--phase", "3", "--yes")

    assert applied.exit_code == 0, applied.stderr
    assert switch_calls(bin_dir)
    for link in links:
        assert str((home / link).readlink()).startswith(str(store)), link
    rolled = run("rollback", "--yes")
    assert rolled.exit_code == 0, rolled.stderr
    assert _user_files(home) == before
