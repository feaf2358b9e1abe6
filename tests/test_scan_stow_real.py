"""The scan agrees with GNU Stow: homes built by the real `stow`, judged by it too.

Stow's own verdict for a package comes from two simulations:
`stow -n -v PKG` (conflicts, or the links it would still create) and
`stow -n -v -D --no-folding PKG` (every link it owns, and the stale links it
would clean up; --no-folding stops it from refolding other packages' links).
"""

from __future__ import annotations

import shutil
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from nixmigrate.scan.inventory import StowInventory, StowOptions
from nixmigrate.scan.stow import resolve_stow_location, scan_stow
from nixmigrate.system.runner import SubprocessRunner
from tests.helpers import make_tree

pytestmark = pytest.mark.needs_stow


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def dotfiles(home: Path) -> Path:
    make_tree(
        home,
        {
            "dotfiles/git/.gitconfig": "[user]\n  name = me\n",
            "dotfiles/git/.gitmessage": "subject\n",
            "dotfiles/git/.config/git/ignore": ".DS_Store\n",
            "dotfiles/zsh/.zshrc": "export EDITOR=nvim\n",
            "dotfiles/zsh/README.md": "ignored by stow\n",
            "dotfiles/nvim/.config/nvim/init.lua": "require('config')\n",
            "dotfiles/nvim/.config/nvim/lua/config.lua": "vim.o.number = true\n",
            "dotfiles/starship/.config/starship.toml": "add_newline = false\n",
            "dotfiles/tmux/.tmux.conf": "set -g mouse on\n",
        },
    )
    return home / "dotfiles"


def stow(home: Path, *args: str, cwd: Path | None = None) -> CompletedProcess[str]:
    """Run the real stow with HOME pointing at the test home (for ~/.stowrc)."""
    where = cwd if cwd is not None else home.parent
    runner = SubprocessRunner()
    return runner.run(
        ["stow", *args], check=False, cwd=str(where), env={"HOME": str(home)}
    )


def stowed(home: Path, stow_dir: Path, *args: str) -> None:
    done = stow(home, "-d", str(stow_dir), "-t", str(home), *args)
    assert done.returncode == 0, done.stderr


@dataclass(frozen=True)
class Verdict:
    status: str
    links: frozenset[str]
    folded: frozenset[str]
    stale: frozenset[str]


def _paths(output: str, action: str) -> set[str]:
    return {
        line.removeprefix(f"{action}: ").split(" ")[0]
        for line in output.splitlines()
        if line.startswith(f"{action}: ")
    }


def stow_verdict(home: Path, stow_dir: Path, package: str, *flags: str) -> Verdict:
    where = ("-d", str(stow_dir), "-t", str(home), *flags)
    plan = stow(home, "-n", "-v", *where, package)
    unstow = stow(home, "-n", "-v", "-D", "--no-folding", *where, package)
    unlinked = _paths(unstow.stderr, "UNLINK")
    links = {p for p in unlinked if (home / p).exists()}
    to_do = _paths(plan.stderr, "LINK") | _paths(plan.stderr, "MKDIR")
    if "would cause conflicts" in plan.stderr:
        status = "conflict"
    elif not to_do:
        status = "stowed"
    else:
        status = "partial" if links else "unstowed"
    return Verdict(
        status=status,
        links=frozenset(links),
        folded=frozenset(p for p in links if (home / p).is_dir()),
        stale=frozenset(unlinked - links),
    )


def assert_agrees(
    inventory: StowInventory, home: Path, *flags: str, only: Collection[str] = ()
) -> None:
    """Each package (or just those in `only`) has the status and links stow sees."""
    stale_by_stow: set[str] = set()
    for found in inventory.packages:
        if only and found.name not in only:
            continue
        verdict = stow_verdict(home, Path(inventory.dir), found.name, *flags)
        relative = [link for link in found.links if not link.absolute]
        assert (found.name, found.status) == (found.name, verdict.status)
        assert {link.path for link in relative} == verdict.links, found.name
        assert {link.path for link in relative if link.folded} == verdict.folded
        stale_by_stow |= verdict.stale
    broken = {link.path for link in inventory.broken_links}
    assert {link.path for link in inventory.stale_links if link.path in broken} == (
        stale_by_stow
    )


def test_plain_stow_with_folding(home: Path, dotfiles: Path) -> None:
    stowed(home, dotfiles, "git", "zsh")
    inventory = scan_stow(dotfiles, home)
    git = inventory.package("git")
    assert git is not None
    assert git.status == "stowed"
    assert {(link.path, link.folded) for link in git.links} == {
        (".config", True),
        (".gitconfig", False),
        (".gitmessage", False),
    }
    assert not (home / "README.md").exists()
    assert_agrees(inventory, home)


def test_two_packages_sharing_config_are_unfolded(home: Path, dotfiles: Path) -> None:
    stowed(home, dotfiles, "nvim")
    stowed(home, dotfiles, "starship")
    assert (home / ".config").is_dir()
    assert not (home / ".config").is_symlink()
    inventory = scan_stow(dotfiles, home)
    nvim, starship = inventory.package("nvim"), inventory.package("starship")
    assert nvim is not None
    assert starship is not None
    assert [(link.path, link.folded) for link in nvim.links] == [(".config/nvim", True)]
    assert [(link.path, link.folded) for link in starship.links] == [
        (".config/starship.toml", False)
    ]
    assert_agrees(inventory, home, only=("nvim", "starship"))


def test_no_folding_links_every_file(home: Path, dotfiles: Path) -> None:
    stowed(home, dotfiles, "--no-folding", "nvim")
    inventory = scan_stow(dotfiles, home)
    nvim = inventory.package("nvim")
    assert nvim is not None
    assert nvim.status == "stowed"
    assert [link.path for link in nvim.links] == [
        ".config/nvim/init.lua",
        ".config/nvim/lua/config.lua",
    ]
    assert_agrees(inventory, home, "--no-folding", only=("nvim",))


def test_dotfiles_prefix_translation(home: Path) -> None:
    make_tree(
        home,
        {
            "dots/zsh/dot-zshrc": "export A=1\n",
            "dots/zsh/dot-config/zsh/aliases.zsh": "alias g=git\n",
            "dots/zsh/dot-gitignore": "kept: the raw name is not .gitignore\n",
        },
    )
    stowed(home, home / "dots", "--dotfiles", "zsh")
    inventory = scan_stow(home / "dots", home, options=StowOptions(dotfiles=True))
    zsh = inventory.package("zsh")
    assert zsh is not None
    assert zsh.status == "stowed"
    assert [(link.path, link.source) for link in zsh.links] == [
        (".config", "dot-config"),
        (".gitignore", "dot-gitignore"),
        (".zshrc", "dot-zshrc"),
    ]
    assert_agrees(inventory, home, "--dotfiles")


def test_a_real_file_in_the_way_is_a_conflict(home: Path, dotfiles: Path) -> None:
    make_tree(home, {".zshrc": "mine\n"})
    refused = stow(home, "-d", str(dotfiles), "-t", str(home), "zsh")
    assert refused.returncode != 0
    inventory = scan_stow(dotfiles, home)
    zsh = inventory.package("zsh")
    assert zsh is not None
    assert [(c.path, c.kind) for c in zsh.conflicts] == [(".zshrc", "file")]
    assert_agrees(inventory, home, only=("zsh",))


def test_a_removed_link_makes_the_package_partial(home: Path, dotfiles: Path) -> None:
    stowed(home, dotfiles, "git")
    (home / ".gitmessage").unlink()
    inventory = scan_stow(dotfiles, home)
    git = inventory.package("git")
    assert git is not None
    assert git.status == "partial"
    assert_agrees(inventory, home, only=("git",))


def test_a_hand_made_absolute_link(home: Path, dotfiles: Path) -> None:
    stowed(home, dotfiles, "zsh", "tmux")
    (home / ".zshrc").unlink()
    (home / ".zshrc").symlink_to(dotfiles / "zsh/.zshrc")
    inventory = scan_stow(dotfiles, home)
    zsh = inventory.package("zsh")
    assert zsh is not None
    assert [(link.path, link.absolute) for link in zsh.links] == [(".zshrc", True)]
    assert zsh.status == "conflict"
    unstow = stow(home, "-n", "-v", "-D", "-d", str(dotfiles), "-t", str(home), "zsh")
    assert "Ignoring an absolute symlink: .zshrc" in unstow.stderr
    assert_agrees(inventory, home, only=("zsh", "tmux"))


def test_stale_links_of_deleted_files_and_packages(home: Path, dotfiles: Path) -> None:
    stowed(home, dotfiles, "git", "tmux")
    (dotfiles / "git/.gitmessage").unlink()
    shutil.rmtree(dotfiles / "tmux")
    inventory = scan_stow(dotfiles, home)
    assert {link.path for link in inventory.stale_links} == {
        ".gitmessage",
        ".tmux.conf",
    }
    assert_agrees(inventory, home, only=("git",))


def test_stowrc_dir_target_and_ignore(home: Path) -> None:
    make_tree(
        home,
        {
            ".stowrc": "--dir=~/src/dots\n--target=$HOME\n--ignore=.*\\.md\n",
            "src/dots/git/.gitconfig": "[user]\n",
            "src/dots/git/notes.md": "not stowed: --ignore\n",
        },
    )
    done = stow(home, "git")  # no -d/-t: they come from ~/.stowrc
    assert done.returncode == 0, done.stderr
    assert not (home / "notes.md").exists()
    stow_dir, target, options = resolve_stow_location(None, home)
    assert (stow_dir, target) == (home / "src/dots", home)
    inventory = scan_stow(stow_dir, target, options=options)
    git = inventory.package("git")
    assert git is not None
    assert git.targets == (".gitconfig",)
    assert git.status == "stowed"
    assert_agrees(inventory, home)
