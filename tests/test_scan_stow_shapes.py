"""Dotfiles repos in the shapes people publish, stowed the way each one says.

Most repos stow from an install script or by hand, not through `.stowrc`:
`stow --dotfiles bash`, `stow -t ~/.config/nvim nvim`, `stow --no-folding zsh`.
Each shape below is built in a tmp home and stowed with the real GNU Stow using
its own command; the scan must find how every package was stowed from the links
alone, agree with Stow's own dry runs under those flags, and phase 3 must then
apply and roll back to the same bytes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nixmigrate.cli import cli
from nixmigrate.scan.inventory import StowInventory, StowPackage
from nixmigrate.scan.stow import Inference, scan_stow
from tests.fakeswitch import install_fake_switch, switch_calls
from tests.helpers import make_tree, snapshot_tree
from tests.test_scan_stow_real import stow

pytestmark = pytest.mark.needs_stow


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # a fresh tmp dir per test (see conftest)


@dataclass(frozen=True)
class Shape:
    """A repo, the commands its README gives, and how each package ends up."""

    files: dict[str, str | bytes | Path]
    commands: tuple[tuple[str, ...], ...]  # run from the repo, as its README says
    # package name -> (dotfiles, target below home, no_folding)
    expected: dict[str, tuple[bool, str, bool]]
    before: tuple[str, ...] = ()  # directories the user made first (mkdir -p)


SHAPES: dict[str, Shape] = {
    # install.sh: stow --dotfiles bash git; mkdir -p ~/.config/nvim;
    # stow -t ~/.config/nvim nvim; stow tmux  (notes is never stowed)
    "install-script": Shape(
        files={
            "bash/dot-bashrc": "source ~/.bash_aliases\n",
            "bash/dot-bash_aliases": "alias ll='ls -l'\n",
            "git/dot-gitconfig": "[user]\n  name = Ada\n",
            "nvim/init.lua": "require('plugins')\n",
            "nvim/lua/plugins.lua": "return {}\n",
            "tmux/.tmux.conf": "set -g mouse on\n",
            "notes/todo.txt": "not a package anyone stows\n",
            "README.md": "run ./install.sh\n",
        },
        commands=(
            ("--dotfiles", "bash", "git"),
            ("-t", "~/.config/nvim", "nvim"),
            ("tmux",),
        ),
        expected={
            "bash": (True, "", False),
            "git": (True, "", False),
            "nvim": (False, ".config/nvim", False),
            "tmux": (False, "", False),
        },
        before=(".config/nvim",),
    ),
    # README: stow --no-folding */  (so editors' new files stay out of the repo)
    "no-folding": Shape(
        files={
            "zsh/.zshrc": "source ~/.zsh/aliases.zsh\n",
            "zsh/.zsh/aliases.zsh": "alias g=git\n",
            "nvim/.config/nvim/init.lua": "vim.o.number = true\n",
            "nvim/.config/nvim/lua/keys.lua": "return {}\n",
        },
        commands=(("--no-folding", "zsh", "nvim"),),
        expected={"zsh": (False, "", True), "nvim": (False, "", True)},
    ),
    # README: stow alacritty kitty starship  (three packages share ~/.config)
    "shared-config": Shape(
        files={
            "alacritty/.config/alacritty/alacritty.toml": "[font]\nsize = 12\n",
            "kitty/.config/kitty/kitty.conf": "font_size 12\n",
            "starship/.config/starship.toml": "add_newline = false\n",
        },
        commands=(("alacritty", "kitty", "starship"),),
        expected={
            "alacritty": (False, "", False),
            "kitty": (False, "", False),
            "starship": (False, "", False),
        },
    ),
    # install-dotfiles.sh: stow --dotfiles --target ~/ home;
    # stow --dotfiles --target ~/.config dot-config  (a package per target)
    "home-and-dot-config": Shape(
        files={
            "home/dot-bashrc": "export EDITOR=nvim\n",
            "home/dot-profile": ". ~/.bashrc\n",
            "dot-config/nvim/init.lua": "vim.o.number = true\n",
            "dot-config/git/config": "[user]\n  name = Ada\n",
        },
        commands=(
            ("--dotfiles", "--target", "~/", "home"),
            ("--dotfiles", "--target", "~/.config", "dot-config"),
        ),
        expected={
            "home": (True, "", False),
            # no dot- name inside: with or without --dotfiles it is the same
            "dot-config": (False, ".config", False),
        },
        before=(".config",),
    ),
    # README: stow -t ~/.local/bin scripts; stow --dotfiles -t ~/.config config
    "per-package-targets": Shape(
        files={
            "scripts/backup": "#!/bin/sh\nrsync -a ~ /backup\n",
            "scripts/hello": "#!/bin/sh\necho hello\n",
            "config/fish/config.fish": "set -g fish_greeting\n",
            "config/dot-hidden/state": "kept\n",
        },
        commands=(
            ("-t", "~/.local/bin", "scripts"),
            ("--dotfiles", "-t", "~/.config", "config"),
        ),
        expected={
            "scripts": (False, ".local/bin", False),
            "config": (True, ".config", False),
        },
        before=(".local/bin", ".config"),
    ),
    # setup.sh: stow -t ~/.config/Code/User vscode;
    # stow -t ~/.local/share/applications desktop  (targets no guess would name)
    "deep-targets": Shape(
        files={
            "vscode/settings.json": '{ "editor.fontSize": 13 }\n',
            "vscode/keybindings.json": "[]\n",
            "vscode/snippets/go.json": "{}\n",
            "desktop/firefox-work.desktop": "[Desktop Entry]\nName=Work\n",
        },
        commands=(
            ("-t", "~/.config/Code/User", "vscode"),
            ("-t", "~/.local/share/applications", "desktop"),
        ),
        expected={
            "vscode": (False, ".config/Code/User", False),
            "desktop": (False, ".local/share/applications", False),
        },
        before=(".config/Code/User", ".local/share/applications"),
    ),
    # install.sh: mkdir -p ~/.emacs.d ~/.newsboat; stow emacs -t ~/.emacs.d;
    # stow newsboat -t ~/.newsboat; stow git -t ~  (dot-directories right in home)
    "home-dot-dirs": Shape(
        files={
            "emacs/init.el": "(setq inhibit-startup-screen t)\n",
            "newsboat/config": "auto-reload yes\n",
            "git/.gitconfig": "[user]\n  name = Ada\n",
        },
        commands=(
            ("emacs", "-t", "~/.emacs.d"),
            ("newsboat", "-t", "~/.newsboat"),
            ("git", "-t", "~"),
        ),
        expected={
            "emacs": (False, ".emacs.d", False),
            "newsboat": (False, ".newsboat", False),
            "git": (False, "", False),
        },
        before=(".emacs.d", ".newsboat"),
    ),
}


def build(home: Path, shape: Shape) -> Path:
    repo = home / "dotfiles"
    make_tree(repo, shape.files)
    for directory in shape.before:
        (home / directory).mkdir(parents=True, exist_ok=True)
    for command in shape.commands:
        args = [a.replace("~", str(home)) for a in command]
        done = stow(home, *args, cwd=repo)
        assert done.returncode == 0, done.stderr
    return repo


def flags_of(package: StowPackage) -> list[str]:
    return [
        *(["--dotfiles"] if package.dotfiles else []),
        *(["--no-folding"] if package.no_folding else []),
    ]


def _lines(output: str, action: str) -> set[str]:
    prefix = f"{action}: "
    return {
        line.removeprefix(prefix).split(" ")[0]
        for line in output.splitlines()
        if line.startswith(prefix)
    }


def assert_stow_agrees(home: Path, inventory: StowInventory, package: str) -> None:
    """Under the flags the scan found, Stow has nothing to do and owns those links."""
    found = inventory.package(package)
    assert found is not None
    target = Path(found.target)
    where = ["-d", inventory.dir, "-t", str(target), *flags_of(found)]
    plan = stow(home, "-n", "-v", *where, package)
    assert plan.returncode == 0, plan.stderr
    assert not (_lines(plan.stderr, "LINK") | _lines(plan.stderr, "MKDIR")), package
    unstow = stow(home, "-n", "-v", "-D", *where, package)
    below = os.path.relpath(target, inventory.target)
    ours = {os.path.normpath(os.path.relpath(link.path, below)) for link in found.links}
    assert _lines(unstow.stderr, "UNLINK") == ours, package


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_links_say_how_each_package_was_stowed(home: Path, name: str) -> None:
    shape = SHAPES[name]
    repo = build(home, shape)
    inventory = scan_stow(repo, home)
    stowed = {p.name for p in inventory.packages if p.status == "stowed"}
    assert stowed == set(shape.expected)
    for package, (dotfiles, below, no_folding) in shape.expected.items():
        found = inventory.package(package)
        assert found is not None
        target = str(home / below) if below else str(home)
        assert (found.dotfiles, found.target, found.no_folding) == (
            dotfiles,
            target,
            no_folding,
        ), package
        assert_stow_agrees(home, inventory, package)
    assert not inventory.stale_links
    assert not inventory.problems


def test_a_package_never_stowed_stays_unstowed(home: Path) -> None:
    repo = build(home, SHAPES["install-script"])
    notes = scan_stow(repo, home).package("notes")
    assert notes is not None
    assert (notes.status, notes.links, notes.target) == ("unstowed", (), str(home))


def test_scan_flags_pin_what_the_links_would_decide(home: Path) -> None:
    repo = build(home, SHAPES["install-script"])
    pinned = scan_stow(repo, home, infer=Inference(dotfiles=False, target=False))
    statuses = {p.name: p.status for p in pinned.packages}
    assert statuses["bash"] == "unstowed"  # no --dotfiles: ~/dot-bashrc is missing
    assert statuses["nvim"] == "unstowed"  # not looked for below ~
    assert statuses["tmux"] == "stowed"


def test_dot_config_that_stow_2_3_1_cannot_stow(home: Path) -> None:
    """Debian's Stow 2.3.1 fails on `dot-config` when ~/.config already exists."""
    repo = home / "dotfiles"
    make_tree(
        repo,
        {
            "nvim/dot-config/nvim/init.lua": "vim.o.number = true\n",
            "bash/dot-bashrc": "export A=1\n",
        },
    )
    (home / ".config").mkdir()
    failed = stow(home, "--dotfiles", "nvim", "bash", cwd=repo)
    assert failed.returncode != 0
    assert "stow_contents() called with non-directory path" in failed.stderr
    inventory = scan_stow(repo, home)
    assert {p.name: (p.status, p.links) for p in inventory.packages} == {
        "bash": ("unstowed", ()),  # the failed run linked nothing at all
        "nvim": ("unstowed", ()),
    }

    (home / ".config").rmdir()  # without ~/.config, Stow folds dot-config whole
    assert stow(home, "--dotfiles", "nvim", "bash", cwd=repo).returncode == 0
    inventory = scan_stow(repo, home)
    nvim = inventory.package("nvim")
    assert nvim is not None
    assert (nvim.status, nvim.dotfiles) == ("stowed", True)
    assert [(link.path, link.folded) for link in nvim.links] == [(".config", True)]
    assert_stow_agrees(home, inventory, "nvim")
    assert_stow_agrees(home, inventory, "bash")


# ---------------------------------------------------------------- phase 3 round trip


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _user_files(home: Path) -> Callable[[], dict[str, tuple[str, str | bytes, int]]]:
    skip = (".local/state", "nix-config")

    def snapshot() -> dict[str, tuple[str, str | bytes, int]]:
        return {k: v for k, v in snapshot_tree(home).items() if not k.startswith(skip)}

    return snapshot


def _managed(inventory: dict[str, object]) -> Sequence[str]:
    stow_part = inventory["stow"]
    assert isinstance(stow_part, dict)
    return [
        link["path"]
        for package in stow_part["packages"]
        if package["include"]
        for link in package["links"]
    ]


@pytest.mark.needs_git
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_phase_3_applies_and_rolls_back_byte_for_byte(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    build(home, SHAPES[name])
    bin_dir, store = tmp_path / "bin", tmp_path / "store"
    store.mkdir()
    monkeypatch.setenv("NIX_STORE_DIR", str(store))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    install_fake_switch(bin_dir, home=home, store_dir=store, managed=())
    scanned = run("scan", "--no-input", "--json", "--no-brew")
    assert scanned.exit_code == 0, scanned.stderr
    inventory = json.loads(scanned.stdout)
    install_fake_switch(
        bin_dir, home=home, store_dir=store, managed=_managed(inventory)
    )
    planned = run("plan", "--phase", "3", "--no-input")
    assert planned.exit_code == 0, planned.stderr
    user_files = _user_files(home)
    before = user_files()

    applied = run("apply", "--phase", "3", "--yes")

    assert applied.exit_code == 0, applied.stderr
    assert switch_calls(bin_dir)
    for rel in _managed(inventory):
        assert str((home / rel).readlink()).startswith(str(store)), rel
    rolled = run("rollback", "--yes")
    assert rolled.exit_code == 0, rolled.stderr
    assert user_files() == before


# ---------------------------------------------------------------- odd names


@pytest.mark.needs_git
def test_an_oddly_named_file_is_scanned_then_left_out_of_the_plan(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    latin1 = os.fsdecode(b"caf\xe9.txt")
    build(
        home,
        Shape(
            files={
                f"notes/{latin1}": b"menu\n",
                "shell/.inputrc": "set editing-mode vi\n",
                "shell/two\nlines": "x\n",
                "git/.gitconfig": "[user]\n  name = Ada\n",
            },
            commands=(("notes", "shell", "git"),),
            expected={},
        ),
    )
    monkeypatch.setenv("NIXMIGRATE_STATE_DIR", str(tmp_path / "state"))
    scanned = run("scan", "--no-input", "--no-brew")
    assert scanned.exit_code == 0, scanned.stderr
    assert "notes/caf\\xe9.txt is not valid UTF-8" in scanned.output

    planned = run("plan", "--phase", "3", "--no-input")

    assert planned.exit_code == 0, planned.stderr
    assert "Traceback" not in planned.stderr
    warnings = [ln for ln in planned.stderr.splitlines() if ln.startswith("warning:")]
    control = "contains a newline or another control character"
    left_out = (
        "stays stowed and is left out of the plan (rename the file to migrate it)"
    )
    assert sorted(warnings) == [
        f"warning: ~/caf\\xe9.txt is not valid UTF-8: package notes {left_out}",
        f"warning: ~/two\\nlines {control}: package shell {left_out}",
    ]
    generated = "".join(
        path.read_text(encoding="utf-8")
        for path in (home / "nix-config").rglob("*.nix")
    )
    assert ".gitconfig" in generated
    assert "caf" not in generated
    assert "inputrc" not in generated  # its package stays stowed as a whole
    assert (home / ".inputrc").is_symlink()

    cleanup = run("plan", "--phase", "7", "--no-input")
    assert cleanup.exit_code == 0, cleanup.stderr
    phase7 = cleanup.output.split("Phase 7:", 1)[1]
    assert "unstow notes" not in phase7
    assert "unstow shell" not in phase7
    assert "packages with oddly named files stay stowed from it: notes, shell" in phase7


# ---------------------------------------------------------------- scan flags


def _packages(result: Result) -> dict[str, dict[str, object]]:
    assert result.exit_code == 0, result.stderr
    packages = json.loads(result.stdout)["stow"]["packages"]
    return {p["name"]: p for p in packages}


def test_scan_json_says_how_each_package_was_stowed(home: Path) -> None:
    build(home, SHAPES["install-script"])
    found = _packages(run("scan", "--no-input", "--json", "--no-brew"))
    assert {n: (p["status"], p["dotfiles"], p["target"]) for n, p in found.items()} == {
        "bash": ("stowed", True, str(home)),
        "git": ("stowed", True, str(home)),
        "notes": ("unstowed", False, str(home)),
        "nvim": ("stowed", False, str(home / ".config/nvim")),
        "tmux": ("stowed", False, str(home)),
    }


def test_scan_flags_override_the_links(home: Path) -> None:
    build(home, SHAPES["install-script"])
    plain = _packages(
        run("scan", "--no-input", "--json", "--no-brew", "--no-stow-dotfiles")
    )
    assert plain["bash"]["status"] == "unstowed"
    assert plain["nvim"]["status"] == "stowed"  # the target is still inferred
    below = _packages(
        run(
            "scan",
            *("--no-input", "--json", "--no-brew"),
            *("--stow-target", str(home / ".config/nvim")),
        )
    )
    assert below["nvim"]["status"] == "stowed"
    assert below["bash"]["status"] == "unstowed"  # not looked for in ~ any more


def test_a_missing_stow_target_is_a_usage_error(home: Path) -> None:
    build(home, SHAPES["shared-config"])
    result = run("scan", "--no-input", "--no-brew", "--stow-target", "/nonexistent")
    assert result.exit_code == 2
    assert "error: stow target /nonexistent does not exist" in result.stderr
    assert "Traceback" not in result.stderr
