"""A dotfiles repo stowed whole: `cd ~/dotfiles && stow .`, as many tutorials teach.

The repo is then one package, Stow's ".", not a directory of packages. Each home
here is built with the real GNU Stow run from inside the repo; the scan must judge
the repo as Stow does (its ignore file, `--no-folding`, `--dotfiles`), phase 3 must
unstow it with `stow -D` and link every file back, and rollback must restore the
home byte for byte.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nixmigrate.app.env import Env
from nixmigrate.app.saved_scan import save_inventory
from nixmigrate.app.scan import ScanRequest, run_scan
from nixmigrate.apply.steps import stow_cmd
from nixmigrate.cli import cli
from nixmigrate.plan.links import StowContext, unstow_step
from nixmigrate.scan.inventory import StowPackage
from nixmigrate.scan.stow import scan_stow
from nixmigrate.system.paths import Paths
from nixmigrate.system.replay import ReplayRunner
from tests.fakes import ScriptedPrompter
from tests.fakeswitch import install_fake_switch, switch_calls
from tests.helpers import make_tree, snapshot_tree
from tests.test_scan_stow_real import stow
from tests.test_scan_stow_shapes import assert_stow_agrees

pytestmark = pytest.mark.needs_stow

# Makefile: `stow -t ~ .`; the ignore file keeps the repo's own files out of home
REPO: dict[str, str | bytes | Path] = {
    ".bashrc": "export EDITOR=vim\n",
    ".config/git/config": "[user]\n  name = Ada\n",
    ".config/nvim/init.lua": "vim.o.number = true\n",
    "bin/hello": "#!/bin/sh\necho hello\n",
    "Makefile": "stow:\n\tstow -t $(HOME) .\n",
    "README.md": "make stow\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".stow-local-ignore": "\\.git\nMakefile\nREADME\\.md\n",
}
FILES = (".bashrc", ".config/git/config", ".config/nvim/init.lua", "bin/hello")

# stow flags -> the links the repo then has in home
SHAPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "folding": ((), (".bashrc", ".config", "bin")),
    "no-folding": (("--no-folding",), FILES),
    # ~/.config existed before: Stow folds one level down
    "config-exists": (
        ("--mkdir", ".config"),
        (".bashrc", ".config/git", ".config/nvim", "bin"),
    ),
}


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # a fresh tmp dir per test (see conftest)


def build(
    home: Path, *flags: str, files: Mapping[str, str | bytes | Path] | None = None
) -> Path:
    repo = home / "dotfiles"
    make_tree(repo, REPO if files is None else files)
    if flags[:1] == ("--mkdir",):
        (home / flags[1]).mkdir()
        (home / flags[1] / "other.conf").write_text("mine\n")
        flags = flags[2:]
    done = stow(home, *flags, ".", cwd=repo)
    assert done.returncode == 0, done.stderr
    return repo


def the_package(home: Path) -> StowPackage:
    inventory = scan_stow(home / "dotfiles", home)
    assert [p.name for p in inventory.packages] == ["."]  # not bin, not .config
    assert not inventory.stale_links
    assert not inventory.problems
    return inventory.packages[0]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_repo_stowed_whole_is_one_package(home: Path, shape: str) -> None:
    flags, links = SHAPES[shape]
    build(home, *flags)
    found = the_package(home)
    assert found.whole
    assert (found.status, found.target) == ("stowed", str(home))
    assert found.no_folding == (shape == "no-folding")
    assert not found.dotfiles
    assert found.targets == FILES  # the ignore file keeps Makefile, README.md, .git out
    assert tuple(link.path for link in found.links) == links
    assert_stow_agrees(home, scan_stow(home / "dotfiles", home), ".")


def test_the_built_in_ignore_list_keeps_git_and_readme_out(home: Path) -> None:
    files = {k: v for k, v in REPO.items() if k != ".stow-local-ignore"}
    build(home, files=files)
    found = the_package(home)
    assert found.status == "stowed"
    assert "Makefile" in found.targets  # not in Stow's own list: it was linked
    assert not any(t.startswith((".git/", "README")) for t in found.targets)
    assert not (home / ".git").exists()


def test_dotfiles_names_are_read_as_stow_dotfiles_reads_them(home: Path) -> None:
    files = {"dot-bashrc": "export A=1\n", "dot-vim/vimrc": "set number\n"}
    build(home, "--dotfiles", files=files)
    found = the_package(home)
    assert (found.status, found.dotfiles, found.targets) == (
        "stowed",
        True,
        (".bashrc", ".vim/vimrc"),
    )
    assert [(link.path, link.source) for link in found.links] == [
        (".bashrc", "dot-bashrc"),
        (".vim", "dot-vim"),
    ]
    assert_stow_agrees(home, scan_stow(home / "dotfiles", home), ".")


def test_status_is_partial_then_conflict_as_stow_sees_it(home: Path) -> None:
    build(home, "--no-folding")
    (home / "bin/hello").unlink()
    assert the_package(home).status == "partial"
    (home / "bin/hello").write_text("my own\n")
    found = the_package(home)
    assert found.status == "conflict"
    assert [(c.path, c.kind) for c in found.conflicts] == [("bin/hello", "file")]
    dry_run = stow(home, "-n", "--no-folding", ".", cwd=home / "dotfiles")
    assert "would cause conflicts" in dry_run.stderr


def test_a_repo_of_packages_is_not_read_as_stowed_whole(home: Path) -> None:
    """`stow -t ~/bin bin` links ~/bin/hello to dotfiles/bin/hello, the same link
    `stow --no-folding .` would make; a package accounts for it, so no "."."""
    repo = home / "dotfiles"
    make_tree(repo, {"bin/hello": "#!/bin/sh\n", "git/.gitconfig": "[user]\n"})
    (home / "bin").mkdir()
    assert stow(home, "-t", str(home / "bin"), "bin", cwd=repo).returncode == 0
    assert stow(home, "git", cwd=repo).returncode == 0
    inventory = scan_stow(repo, home)
    assert {(p.name, p.status, p.whole) for p in inventory.packages} == {
        ("bin", "stowed", False),
        ("git", "stowed", False),
    }


# ---------------------------------------------------------------- through the CLI


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _snapshot(home: Path) -> dict[str, tuple[str, str | bytes, int]]:
    skip = (".local/state", "nix-config")
    return {k: v for k, v in snapshot_tree(home).items() if not k.startswith(skip)}


def _links_into_repo(home: Path) -> list[str]:
    """Symlinks in home (outside the repo) whose text leads straight into it."""
    repo = home / "dotfiles"
    found = []
    for current, dirs, files in os.walk(home):
        dirs[:] = [d for d in dirs if Path(current, d) != repo]
        for name in [*dirs, *files]:
            path = Path(current, name)
            if path.is_symlink():
                target = Path(os.path.normpath(Path(current, path.readlink())))
                if target.is_relative_to(repo):
                    found.append(str(path.relative_to(home)))
    return sorted(found)


def test_the_scan_json_names_the_repo_stowed_whole(home: Path) -> None:
    build(home)
    scanned = run("scan", "--no-input", "--json", "--no-brew")
    assert scanned.exit_code == 0, scanned.stderr
    packages = json.loads(scanned.stdout)["stow"]["packages"]
    assert [(p["name"], p["whole"], p["status"]) for p in packages] == [
        (".", True, "stowed")
    ]
    assert "belong to no package" not in scanned.stderr


@pytest.mark.needs_git
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_phase_3_unstows_the_repo_and_rolls_back_byte_for_byte(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    flags, links = SHAPES[shape]
    build(home, *flags)
    bin_dir, store = tmp_path / "bin", tmp_path / "store"
    store.mkdir()
    monkeypatch.setenv("NIX_STORE_DIR", str(store))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    install_fake_switch(bin_dir, home=home, store_dir=store, managed=links)
    assert run("scan", "--no-input", "--no-brew").exit_code == 0
    planned = run("plan", "--phase", "3", "--no-input")
    assert planned.exit_code == 0, planned.stderr
    generated = "".join(
        p.read_text(encoding="utf-8") for p in (home / "nix-config").rglob("*.nix")
    )
    for link in links:
        assert f'"{link.removeprefix(".config/")}"' in generated, link
        assert f'"dotfiles/{link}"' in generated or f"/dotfiles/{link}" in generated
    before = _snapshot(home)
    assert _links_into_repo(home) == sorted(links)
    page = tmp_path / "report.html"
    assert run("report", "--html", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "(the whole directory, as `stow .`)" in html
    for path in (*FILES, *links):
        assert f"~/{path}" in html, path  # every file and every link accounted for

    applied = run("apply", "--phase", "3", "--yes")

    assert applied.exit_code == 0, applied.stderr
    assert switch_calls(bin_dir)
    assert _links_into_repo(home) == []  # stow -D removed every one
    for link in links:
        assert str((home / link).readlink()).startswith(str(store)), link
    rolled = run("rollback", "--yes")
    assert rolled.exit_code == 0, rolled.stderr
    assert _snapshot(home) == before


def test_phase_7_unstows_a_repo_left_out_and_archives_it(home: Path) -> None:
    build(home, "--no-folding")
    (home / "bin/hello").unlink()  # partial: --no-input leaves it out of phase 3
    assert run("scan", "--no-input", "--no-brew").exit_code == 0
    cleanup = run("plan", "--phase", "7", "--no-input", "--system", "x86_64-linux")
    assert cleanup.exit_code == 0, cleanup.stderr
    phase7 = " ".join(cleanup.output.split("Phase 7:", 1)[1].split())
    assert "unstow . (3 links in" in phase7
    assert f"stow --no-folding -d {home}/dotfiles -t {home} ." in phase7
    assert f"{home}/dotfiles moves to {home}/dotfiles.stow-archive" in phase7
    assert "belong to no package" not in phase7


def test_phase_7_keeps_the_repo_phase_3_links_into(home: Path) -> None:
    build(home)
    assert run("scan", "--no-input", "--no-brew").exit_code == 0
    cleanup = run("plan", "--phase", "7", "--no-input", "--system", "x86_64-linux")
    assert cleanup.exit_code == 0, cleanup.stderr
    phase7 = " ".join(cleanup.output.split("Phase 7:", 1)[1].split())
    assert "unstow ." not in phase7  # phase 3 unstows it
    assert "is not archived: these home-manager links point into it" in phase7


# ---------------------------------------------------------------- chosen by a person


def test_a_person_picks_the_repo_declarative_and_phase_4_converts_its_git_config(
    home: Path, fixtures_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(home, "--no-folding")
    monkeypatch.setenv("NIXMIGRATE_STATE_DIR", str(tmp_path / "state"))
    prompter = ScriptedPrompter([True, ["."], "declarative"])
    env = Env(
        runner=ReplayRunner(fixtures_dir / "brew" / "mac-arm"),
        paths=Paths.from_env(),
        prompter=prompter,
    )
    inventory = run_scan(env, ScanRequest(home=home))
    assert inventory.stow is not None
    [package] = inventory.stow.packages
    assert (package.name, package.include, package.mode) == (".", True, "declarative")
    assert any("(the whole directory, as `stow .`)" in q for q in prompter.asked)
    save_inventory(env.paths, inventory)

    planned = run("plan", "--phase", "4", "--no-input")

    assert planned.exit_code == 0, planned.stderr
    phases = " ".join(planned.output.split())
    phase3 = phases.split("Phase 3:", 1)[1].split("Phase 4:", 1)[0]
    phase4 = phases.split("Phase 4:", 1)[1]
    assert "unstow ." not in phase3  # declarative: phase 4 unstows it
    assert f"unstow . (4 links in {home})" in phase4
    assert "~/.bashrc (package .) has no converter; it stays a mutable link" in phase4
    assert "~/.config/git/config (package .)" not in phase4  # converted
    generated = "".join(
        p.read_text(encoding="utf-8") for p in (home / "nix-config").rglob("*.nix")
    )
    assert "programs.git" in generated
    assert '"Ada"' in generated


@pytest.mark.needs_git
def test_the_repos_own_stowrc_ignores_hold_for_unstow_and_restow(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stow .` inside the repo reads its `.stowrc`; apply runs stow from elsewhere."""
    files = {
        ".bashrc": "export EDITOR=vim\n",
        "Makefile": "stow:\n\tstow .\n",
        ".stowrc": "--target=~\n--ignore=Makefile\n--ignore=\\.stowrc\n",
    }
    build(home, files=files)
    assert not (home / "Makefile").exists()
    found = the_package(home)
    assert (found.status, found.targets) == ("stowed", (".bashrc",))
    bin_dir, store = tmp_path / "bin", tmp_path / "store"
    store.mkdir()
    monkeypatch.setenv("NIX_STORE_DIR", str(store))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    install_fake_switch(bin_dir, home=home, store_dir=store, managed=(".bashrc",))
    assert run("scan", "--no-input", "--no-brew").exit_code == 0
    assert run("plan", "--phase", "3", "--no-input").exit_code == 0
    before = _snapshot(home)

    assert run("apply", "--phase", "3", "--yes").exit_code == 0
    assert _links_into_repo(home) == []
    rolled = run("rollback", "--yes")

    assert rolled.exit_code == 0, rolled.stderr
    assert _snapshot(home) == before
    inventory = scan_stow(home / "dotfiles", home)
    context = StowContext(inventory, str(home), inventory.dir)
    step = unstow_step(context, inventory.packages[0])
    outside = tmp_path  # not the repo: its .stowrc is not read from here
    assert (
        stow(home, *stow_cmd(step, home, delete=True)[1:], cwd=outside).returncode == 0
    )
    assert _links_into_repo(home) == []
    assert (
        stow(home, *stow_cmd(step, home, delete=False)[1:], cwd=outside).returncode == 0
    )
    assert _links_into_repo(home) == [".bashrc"]  # Makefile, .stowrc stay ignored
