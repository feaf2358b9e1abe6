"""Phase 4 reads a package's files the way that package was stowed.

Install scripts stow one package with `--dotfiles` (`git/dot-gitconfig` becomes
~/.gitconfig) and another with `-t ~/.config/git` (`git/config` becomes
~/.config/git/config), with no `.stowrc` saying so. The scan infers each from the
links; phase 4 must then find the git config at the same home path and convert it
to exactly the programs.git a plain `stow git` of `.gitconfig` gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nixmigrate.app.env import Env
from nixmigrate.app.saved_scan import save_inventory
from nixmigrate.app.scan import ScanRequest, run_scan
from nixmigrate.cli import cli
from nixmigrate.system.paths import Paths
from nixmigrate.system.replay import ReplayRunner
from tests.fakes import ScriptedPrompter
from tests.helpers import make_tree
from tests.test_scan_stow_real import stow

pytestmark = [pytest.mark.needs_stow, pytest.mark.needs_git]

GITCONFIG = "[user]\n  name = Ada\n  email = ada@example.org\n[pull]\n  rebase = true\n"
IGNORE = "*.swp\n"
CREDENTIALS = "https://ada:hunter2@git.example.org\n"

# name -> (package files, the stow command run inside the repo, directories made first)
SHAPES: dict[str, tuple[dict[str, str | bytes | Path], tuple[str, ...], str]] = {
    "plain": (
        {
            "git/.gitconfig": GITCONFIG,
            "git/.gitignore_global": IGNORE,
            "git/.git-credentials": CREDENTIALS,
        },
        ("git",),
        "",
    ),
    "dotfiles": (
        {
            "git/dot-gitconfig": GITCONFIG,
            "git/dot-gitignore_global": IGNORE,
            "git/dot-git-credentials": CREDENTIALS,
        },
        ("--dotfiles", "git"),
        "",
    ),
    "target": (
        {"git/config": GITCONFIG, "git/ignore": IGNORE},
        ("-t", "~/.config/git", "git"),
        ".config/git",
    ),
}
LOGINS_NOTE = (
    "~/.git-credentials stays a mutable link to the dotfiles repo because "
    ".git-credentials holds stored git passwords and tokens"
)
KEPT = {
    "plain": ".gitignore_global",
    "dotfiles": ".gitignore_global",
    "target": ".config/git/ignore",
}


def _phase_4(
    shape: str, home: Path, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """Stow the shape into `home`, pick git declarative, plan phase 4: (git.nix, plan)."""
    files, command, before = SHAPES[shape]
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NIXMIGRATE_STATE_DIR", str(home / ".state"))
    make_tree(home / "dotfiles", files)
    if before:
        (home / before).mkdir(parents=True)
    args = [arg.replace("~", str(home)) for arg in command]
    done = stow(home, *args, cwd=home / "dotfiles")
    assert done.returncode == 0, done.stderr
    env = Env(
        runner=ReplayRunner(fixtures_dir / "brew" / "mac-arm"),
        paths=Paths.from_env(),
        prompter=ScriptedPrompter([True, ["git"], "declarative"]),
    )
    inventory = run_scan(env, ScanRequest(home=home))
    assert inventory.stow is not None
    [package] = inventory.stow.packages
    assert (package.status, package.mode) == ("stowed", "declarative")
    save_inventory(env.paths, inventory)
    planned = CliRunner().invoke(
        cli, ["plan", "--phase", "4", "--no-input"], catch_exceptions=False
    )
    assert planned.exit_code == 0, planned.stderr
    module = home / "nix-config" / "home" / "programs" / "git.nix"
    assert module.exists(), planned.output
    return module.read_text(encoding="utf-8"), " ".join(planned.output.split())


def test_a_plain_package_converts_its_git_config(
    tmp_path: Path, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, plan = _phase_4("plain", tmp_path / "plain-home", fixtures_dir, monkeypatch)
    assert '"Ada"' in module
    assert '"ada@example.org"' in module
    assert "~/.gitignore_global (package git) has no converter" in plan
    assert LOGINS_NOTE in plan


@pytest.mark.parametrize("shape", ["dotfiles", "target"])
def test_a_package_stowed_its_own_way_converts_the_same_git_config(
    tmp_path: Path, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    plain, _ = _phase_4("plain", tmp_path / "plain-home", fixtures_dir, monkeypatch)

    module, plan = _phase_4(
        shape, tmp_path / f"{shape}-home", fixtures_dir, monkeypatch
    )

    assert module == plain
    assert f"~/{KEPT[shape]} (package git) has no converter" in plan
    assert "programs.git not written" not in plan
    assert (LOGINS_NOTE in plan) == (shape == "dotfiles")
