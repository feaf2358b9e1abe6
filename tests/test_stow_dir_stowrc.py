"""A repo whose own `.stowrc` holds `--ignore` and `--defer`, stowed from inside it.

Stow reads the stow directory's `.stowrc` only when run from that directory.
`cd ~/dotfiles && stow base work` therefore ignored `notes.txt` (the user keeps
their own ~/notes.txt) and deferred `work`'s `.profile` to `base`'s. nixmigrate
runs `stow -D` and `stow` from elsewhere (apply, rollback) and prints `stow`
commands to run from anywhere: each must carry those patterns, or Stow trips
over ~/notes.txt and over the `.profile` that `base` owns.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nixmigrate.cli import cli
from nixmigrate.scan.stow import scan_stow
from tests.fakeswitch import install_fake_switch, switch_calls
from tests.helpers import make_tree, snapshot_tree
from tests.test_scan_stow_real import stow

pytestmark = pytest.mark.needs_stow

REPO: dict[str, str | bytes | Path] = {
    ".stowrc": "--ignore=notes\\.txt\n--defer=\\.profile\n",
    "base/.profile": "export PATH=$HOME/bin:$PATH\n",
    "base/.bashrc": "source ~/.profile\n",
    "base/notes.txt": "how base is set up\n",
    "work/.profile": "export WORK=1\n",
    "work/.workrc": "alias vpn=true\n",
    "work/.inputrc": "set editing-mode vi\n",
    "work/notes.txt": "how work is set up\n",
}
LINKS = (".bashrc", ".inputrc", ".profile", ".workrc")


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # a fresh tmp dir per test (see conftest)


def build(home: Path) -> Path:
    repo = home / "dotfiles"
    make_tree(repo, REPO)
    (home / "notes.txt").write_text("my own notes\n", encoding="utf-8")
    done = stow(home, "base", "work", cwd=repo)  # reads dotfiles/.stowrc
    assert done.returncode == 0, done.stderr
    assert (home / ".profile").readlink() == Path("dotfiles/base/.profile")
    return repo


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _snapshot(home: Path) -> dict[str, tuple[str, str | bytes, int]]:
    skip = (".local/state", "nix-config")
    return {k: v for k, v in snapshot_tree(home).items() if not k.startswith(skip)}


def test_the_scan_finds_both_packages_stowed(home: Path) -> None:
    repo = build(home)
    inventory = scan_stow(repo, home)
    assert {p.name: p.status for p in inventory.packages} == {
        "base": "stowed",
        "work": "stowed",
    }
    assert (inventory.options.ignore, inventory.options.defer) == (
        ("notes\\.txt",),
        ("\\.profile",),
    )


@pytest.mark.needs_git
def test_phase_3_unstows_and_rolls_back_with_the_repos_own_patterns(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(home)
    bin_dir, store = tmp_path / "bin", tmp_path / "store"
    store.mkdir()
    monkeypatch.setenv("NIX_STORE_DIR", str(store))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    install_fake_switch(bin_dir, home=home, store_dir=store, managed=LINKS)
    assert run("scan", "--no-input", "--no-brew").exit_code == 0
    planned = run("plan", "--phase", "3", "--no-input")
    assert planned.exit_code == 0, planned.stderr
    before = _snapshot(home)

    applied = run("apply", "--phase", "3", "--yes")

    assert applied.exit_code == 0, applied.stderr
    assert switch_calls(bin_dir)
    for link in LINKS:
        assert str((home / link).readlink()).startswith(str(store)), link
    assert (home / "notes.txt").read_text(encoding="utf-8") == "my own notes\n"
    rolled = run("rollback", "--yes")
    assert rolled.exit_code == 0, rolled.stderr
    assert _snapshot(home) == before


def _printed_stow_commands(output: str) -> list[list[str]]:
    text = " ".join(output.split())
    return [shlex.split(found) for found in re.findall(r"`(stow [^`]*)`", text)]


def test_the_printed_restow_command_works_from_any_directory(
    home: Path, tmp_path: Path
) -> None:
    build(home)
    before = _snapshot(home)
    (home / ".workrc").unlink()  # work is now partial: left out, phase 7 unstows it
    assert run("scan", "--no-input", "--no-brew").exit_code == 0
    cleanup = run("plan", "--phase", "7", "--no-input", "--system", "x86_64-linux")
    assert cleanup.exit_code == 0, cleanup.stderr
    [command] = _printed_stow_commands(cleanup.output.split("Phase 7:", 1)[1])
    assert command[-1] == "work"
    assert {"--ignore=notes\\.txt", "--defer=\\.profile"} <= set(command)

    restowed = stow(home, *command[1:], cwd=tmp_path)  # not the repo

    assert restowed.returncode == 0, restowed.stderr
    assert _snapshot(home) == before  # notes.txt not linked, .profile still base's


def test_the_printed_unfold_command_unfolds_and_still_ignores(
    home: Path, tmp_path: Path
) -> None:
    """A package folded as ~/.config: phase 3 says how to re-stow it unfolded."""
    repo = home / "dotfiles"
    make_tree(
        repo,
        {
            ".stowrc": REPO[".stowrc"],
            "nvim/.config/nvim/init.lua": "vim.o.number = true\n",
            "nvim/.config/notes.txt": "how nvim is set up\n",
        },
    )
    assert stow(home, "nvim", cwd=repo).returncode == 0
    assert (home / ".config").is_symlink()
    assert run("scan", "--no-input", "--no-brew").exit_code == 0
    planned = run("plan", "--phase", "3", "--no-input")
    assert planned.exit_code == 0, planned.stderr
    [command] = _printed_stow_commands(planned.output.split("Phase 3:", 1)[1])
    assert command[:2] == ["stow", "-R"]
    assert "--no-folding" in command

    unfolded = stow(home, *command[1:], cwd=tmp_path)  # not the repo

    assert unfolded.returncode == 0, unfolded.stderr
    assert not (home / ".config").is_symlink()
    assert not (home / ".config/nvim").is_symlink()
    assert (home / ".config/nvim/init.lua").read_text() == "vim.o.number = true\n"
    assert not (home / ".config/notes.txt").exists()  # still ignored
