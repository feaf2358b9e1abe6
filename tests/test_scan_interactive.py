"""The scan's questions: which dotfiles, which packages, mutable or declarative."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nixmigrate.app.env import Env
from nixmigrate.app.scan import ScanRequest, run_scan
from nixmigrate.demo.dotfiles_setup import install_demo_dotfiles
from nixmigrate.system.paths import Paths
from nixmigrate.system.prompt import NonInteractivePrompter, Prompter
from nixmigrate.system.replay import ReplayRunner
from tests.fakes import ScriptedPrompter


@pytest.fixture
def home() -> Path:
    home = Path(os.environ["HOME"])
    install_demo_dotfiles(home)
    return home


def _env(fixtures_dir: Path, prompter: Prompter) -> Env:
    runner = ReplayRunner(fixtures_dir / "brew" / "mac-arm")
    return Env(runner=runner, paths=Paths.from_env(), prompter=prompter)


def test_picked_packages_get_the_chosen_mode_and_the_rest_are_left_out(
    home: Path, fixtures_dir: Path
) -> None:
    prompter = ScriptedPrompter([True, ["git", "nvim"], "declarative", "mutable"])
    inventory = run_scan(_env(fixtures_dir, prompter), ScanRequest(home=home))
    assert inventory.stow is not None
    chosen = {p.name: (p.include, p.mode) for p in inventory.stow.packages}
    assert chosen["git"] == (True, "declarative")
    assert chosen["nvim"] == (True, "mutable")
    assert chosen["zsh"][0] is False
    assert prompter.answers == []  # every scripted answer was asked for
    assert "dotfiles" in prompter.asked[0]


def test_declining_the_dotfiles_dir_skips_stow_with_a_warning(
    home: Path, fixtures_dir: Path
) -> None:
    prompter = ScriptedPrompter([False])
    inventory = run_scan(_env(fixtures_dir, prompter), ScanRequest(home=home))
    assert inventory.stow is None
    assert any("skipped at your request" in w for w in inventory.warnings)


def test_without_a_person_nothing_is_asked_and_stowed_packages_stay_mutable(
    home: Path, fixtures_dir: Path
) -> None:
    prompter = NonInteractivePrompter()
    inventory = run_scan(_env(fixtures_dir, prompter), ScanRequest(home=home))
    assert prompter.asked == []
    assert inventory.stow is not None
    stowed = [p for p in inventory.stow.packages if p.status == "stowed"]
    assert stowed
    assert all(p.include and p.mode == "mutable" for p in stowed)
