"""A stow directory inside the scanned one: `cd stow/macos && stow -t ~ bash`.

Install scripts keep per-OS stow directories inside the main one and stow from
there. The scan of the outer directory sees `macos` as a package that links
nothing, and the links as belonging to no package; the warning must say which
inner directory made them so the user can scan that one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nixmigrate.scan.stow import scan_stow
from tests.helpers import make_tree
from tests.test_scan_stow_real import stow

pytestmark = pytest.mark.needs_stow


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # a fresh tmp dir per test (see conftest)


def test_the_warning_names_the_inner_stow_directory(home: Path) -> None:
    repo = home / "dotfiles"
    make_tree(
        repo,
        {
            "git/.gitconfig": "[user]\n  name = Ada\n",
            "macos/bash/.bashrc": "export CLICOLOR=1\n",
            "macos/bash/.bash_profile": ". ~/.bashrc\n",
            "macos/install.sh": "stow -t ~ bash\n",
        },
    )
    assert stow(home, "git", cwd=repo).returncode == 0
    assert stow(home, "-t", str(home), "bash", cwd=repo / "macos").returncode == 0

    inventory = scan_stow(repo, home)

    assert {p.name: p.status for p in inventory.packages} == {
        "git": "stowed",
        "macos": "unstowed",
    }
    warning = (
        "2 link(s) lead into the dotfiles directory but belong to no package "
        "(`stow -d macos bash` makes them: macos is a stow directory of its own, "
        "to scan with --dotfiles): ~/.bash_profile, ~/.bashrc; nixmigrate leaves "
        "them as they are and does not archive the directory"
    )
    assert inventory.problems == (warning,)
    inner = scan_stow(repo / "macos", home)
    assert {p.name: p.status for p in inner.packages} == {"bash": "stowed"}
