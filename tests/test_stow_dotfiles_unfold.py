"""Unfolding a `dot-` directory that `stow --dotfiles` folded into one link.

`cd stow && stow --dotfiles */` with `bin/dot-local/bin/copy` makes ~/.local one
link into the repo, so everything Home Manager writes under ~/.local would land
in the repo. Phase 3 tells the user to re-stow with --no-folding first; Stow
2.3.1 ignores --no-folding for a `dot-` directory, so the note must also say
what makes the command work there, and following the note must unfold it.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from nixmigrate.cli import cli
from tests.helpers import make_tree
from tests.test_scan_stow_real import stow

pytestmark = pytest.mark.needs_stow


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # a fresh tmp dir per test (see conftest)


def test_following_the_note_unfolds_the_dot_directory(home: Path) -> None:
    repo = home / "dotfiles"
    make_tree(
        repo,
        {
            "tools/dot-local/bin/hello": "#!/bin/sh\necho hello\n",
            "git/dot-gitconfig": "[user]\n  name = Ada\n",
        },
    )
    assert stow(home, "--dotfiles", "tools", "git", cwd=repo).returncode == 0
    assert (home / ".local").readlink() == Path("dotfiles/tools/dot-local")
    assert CliRunner().invoke(cli, ["scan", "--no-input", "--no-brew"]).exit_code == 0

    planned = CliRunner().invoke(cli, ["plan", "--phase", "3", "--no-input"])

    assert planned.exit_code == 0, planned.stderr
    text = " ".join(planned.output.split())
    note = re.search(r"~/\.local folds a directory [^`]*`([^`]*)`([^~]*)", text)
    assert note is not None, text
    command, rest = shlex.split(note.group(1)), note.group(2)
    assert command[:4] == ["stow", "-R", "--dotfiles", "--no-folding"]
    assert (
        "Stow 2.3.1 folds a `dot-` directory even with --no-folding, so with it "
        "first rename tools/dot-local to tools/.local"
    ) in rest
    assert stow(home, *command[1:], cwd=home).returncode == 0
    assert (home / ".local").is_symlink()  # what the rename is for

    (repo / "tools/dot-local").rename(repo / "tools/.local")
    done = stow(home, *command[1:], cwd=home)

    assert done.returncode == 0, done.stderr
    assert not (home / ".local").is_symlink()
    assert not (home / ".local/bin").is_symlink()
    assert (home / ".local/bin/hello").readlink() == Path(
        "../../dotfiles/tools/.local/bin/hello"
    )
    assert (home / ".gitconfig").is_symlink()
