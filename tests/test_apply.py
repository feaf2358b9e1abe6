"""apply_phase step by step: Homebrew uninstalls only what Nix already provides,
archives move (and move back), --no-activate, confirmation, the saved Brewfile.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nixmigrate.apply.executor import NotConfirmedError, apply_phase, apply_plan
from nixmigrate.apply.nixprofile import commands_in_listing
from nixmigrate.apply.rollback import rollback
from nixmigrate.errors import ConflictError
from nixmigrate.plan.model import PhasePlan, Plan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import Archive, BrewUninstall, WriteFile
from nixmigrate.state.checkpoints import BREWFILE_NAME
from nixmigrate.state.store import CheckpointStore, load_state
from nixmigrate.system.paths import Paths
from nixmigrate.system.runner import SubprocessRunner
from tests.fakebrew import invocations
from tests.fakeswitch import (
    MANAGED,
    StowedHome,
    apply_options,
    build_stowed_home,
    configs_phase,
    install_fake_brew,
    install_fake_switch,
    put_first_on_path,
    switch_calls,
    yes,
)
from tests.helpers import make_tree

RIPGREP_LISTING = (
    "/opt/homebrew/Cellar/ripgrep/14.1.0/bin/rg\n"
    "/opt/homebrew/Cellar/ripgrep/14.1.0/share/man/man1/rg.1\n"
)
BREW_ANSWERS = {
    "brew list --formula ripgrep": {"stdout_text": RIPGREP_LISTING},
    "brew uninstall --formula ripgrep": {"stdout_text": "Uninstalling ripgrep\n"},
    "brew install --formula ripgrep": {"stdout_text": "Installing ripgrep\n"},
}


@pytest.fixture
def world(tmp_path: Path) -> StowedHome:
    world = StowedHome.under(tmp_path, tmp_path / "home")
    world.store_dir.mkdir(parents=True)
    return world


def _cleanup_phase(*steps: BrewUninstall | Archive) -> PhasePlan:
    return PhasePlan(phase=Phase.CLEANUP, title="Clean up", steps=steps)


def _rg_on_path(
    world: StowedHome, monkeypatch: pytest.MonkeyPatch, *, nix: bool
) -> None:
    """Put an `rg` first on PATH: a profile link into the store, or a Homebrew one."""
    if nix:
        real = world.store_dir / "abc123-ripgrep-14.1.0/bin/rg"
        profile_bin = world.root / "profile/bin"
        make_tree(world.root, {str(real.relative_to(world.root)): "#!/bin/sh\n"})
        make_tree(profile_bin, {"rg": real})
    else:
        profile_bin = world.root / "homebrew/bin"
        make_tree(profile_bin, {"rg": "#!/bin/sh\n"})
    (profile_bin / "rg").resolve().chmod(0o755)
    put_first_on_path(profile_bin, monkeypatch)


def test_a_formula_nix_provides_is_uninstalled_and_rollback_reinstalls_it(
    world: StowedHome, store: CheckpointStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = install_fake_brew(world, monkeypatch, BREW_ANSWERS)
    _rg_on_path(world, monkeypatch, nix=True)
    runner = SubprocessRunner()

    result = apply_phase(
        _cleanup_phase(BrewUninstall("ripgrep")),
        store=store,
        runner=runner,
        confirm=yes,
        options=apply_options(world),
    )
    assert result.kept == ()
    assert invocations(log)[-1] == "brew uninstall --formula ripgrep"

    rollback(store, runner=runner, confirm=yes)

    assert invocations(log)[-1] == "brew install --formula ripgrep"
    assert load_state(store.state_file).completed == ()


def test_a_formula_whose_command_still_comes_from_homebrew_is_kept(
    world: StowedHome, store: CheckpointStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = install_fake_brew(world, monkeypatch, BREW_ANSWERS)
    _rg_on_path(world, monkeypatch, nix=False)

    result = apply_phase(
        _cleanup_phase(BrewUninstall("ripgrep")),
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(world),
    )

    [kept] = result.kept
    assert "rg" in kept.reason
    assert str(world.root / "homebrew/bin/rg") in kept.reason
    assert not any("uninstall" in call for call in invocations(log))


def test_the_checkpoint_keeps_a_brewfile_or_says_why_not(
    world: StowedHome, store: CheckpointStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_mv = world.root / "only-mv"
    make_tree(only_mv, {"mv": Path(shutil.which("mv") or "/bin/mv")})
    monkeypatch.setenv("PATH", str(only_mv))  # no brew at all
    make_tree(world.home, {"dotfiles/x": "x\n"})
    step = Archive("~/dotfiles", "~/dotfiles.archived")
    first = apply_phase(
        _cleanup_phase(step),
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(world),
    )
    assert any("brew" in note for note in first.notes)
    rollback(store, runner=SubprocessRunner(), confirm=yes)

    install_fake_brew(world, monkeypatch)
    second = apply_phase(
        _cleanup_phase(step),
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(world),
    )
    brewfile = store.checkpoints_dir / second.checkpoint_id / BREWFILE_NAME
    assert brewfile.read_text() == 'brew "stow"\n'


def test_archive_moves_the_tree_and_rollback_moves_it_back(
    world: StowedHome, store: CheckpointStore
) -> None:
    make_tree(
        world.home, {"dotfiles/git/.gitconfig": "[user]\n", "dotfiles/x": b"\x01"}
    )
    inode = (world.home / "dotfiles/x").stat().st_ino

    apply_phase(
        _cleanup_phase(Archive("~/dotfiles", "~/dotfiles.archived")),
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(world),
    )
    assert not (world.home / "dotfiles").exists()
    assert (world.home / "dotfiles.archived/x").stat().st_ino == inode  # moved

    rollback(store, runner=SubprocessRunner(), confirm=yes)

    assert (world.home / "dotfiles/x").read_bytes() == b"\x01"
    assert not (world.home / "dotfiles.archived").exists()


def test_archive_refuses_an_existing_destination(
    world: StowedHome, store: CheckpointStore
) -> None:
    make_tree(
        world.home, {"dotfiles/x": "x\n", "dotfiles.archived/y": "older archive\n"}
    )

    with pytest.raises(ConflictError, match="already exists"):
        apply_phase(
            _cleanup_phase(Archive("~/dotfiles", "~/dotfiles.archived")),
            store=store,
            runner=SubprocessRunner(),
            confirm=yes,
            options=apply_options(world),
        )

    assert (world.home / "dotfiles/x").exists()
    assert (world.home / "dotfiles.archived/y").read_text() == "older archive\n"


@pytest.mark.needs_stow
def test_no_activate_unstows_and_hands_back_the_switch_and_rollback_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stowed = build_stowed_home(tmp_path)
    install_fake_brew(stowed, monkeypatch)
    install_fake_switch(
        stowed.bin_dir, home=stowed.home, store_dir=stowed.store_dir, managed=MANAGED
    )
    store = CheckpointStore.from_paths(Paths.from_env())

    result = apply_phase(
        configs_phase(stowed),
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(stowed, no_activate=True),
    )

    assert result.switch_command[:2] == ("home-manager", "switch")
    assert result.rollback_command == (
        "nixmigrate",
        "rollback",
        "--to",
        result.checkpoint_id,
    )
    assert not result.activated
    assert switch_calls(stowed.bin_dir) == []
    assert not (stowed.home / ".gitconfig").exists()
    assert (stowed.home / ".zshrc").is_symlink()


@pytest.mark.needs_stow
def test_declining_the_confirmation_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stowed = build_stowed_home(tmp_path)
    install_fake_brew(stowed, monkeypatch)
    store = CheckpointStore.from_paths(Paths.from_env())
    questions: list[str] = []
    before = stowed.snapshot()

    def decline(question: str) -> bool:
        questions.append(question)
        return False

    with pytest.raises(NotConfirmedError):
        apply_phase(
            configs_phase(stowed),
            store=store,
            runner=SubprocessRunner(),
            confirm=decline,
            options=apply_options(stowed),
        )

    assert stowed.snapshot() == before
    assert store.list_checkpoints() == []
    [question] = questions
    assert "unstow git" in question
    assert "home-manager switch" in question


def test_the_commands_of_a_formula_are_what_it_puts_in_bin_and_sbin() -> None:
    listing = (
        "/opt/homebrew/Cellar/gnu-sed/4.9/bin/gsed\n"
        "/opt/homebrew/Cellar/gnu-sed/4.9/libexec/gnubin/sed\n"
        "/opt/homebrew/Cellar/dnsmasq/2.90/sbin/dnsmasq\n"
        "/opt/homebrew/Cellar/gnu-sed/4.9/share/man/man1/gsed.1\n"
    )
    assert commands_in_listing(listing) == ("gsed", "dnsmasq")


@pytest.mark.needs_git
def test_apply_plan_writes_the_files_once_and_skips_applied_phases(
    world: StowedHome, store: CheckpointStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_brew(world, monkeypatch)
    make_tree(world.home, {"dotfiles/x": "x\n"})
    plan = Plan(
        config_dir=str(world.config_dir),
        hostname="mac",
        user="ada",
        system="aarch64-darwin",
        home=str(world.home),
        through=Phase.CLEANUP,
        files=(WriteFile("flake.nix", "{ }\n"),),
        phases=(
            PhasePlan(phase=Phase.FOUNDATION, title="foundation"),
            _cleanup_phase(Archive("~/dotfiles", "~/dotfiles.archived")),
        ),
    )
    runner = SubprocessRunner()

    first = apply_plan(
        plan, store=store, runner=runner, confirm=yes, options=apply_options(world)
    )
    again = apply_plan(
        plan, store=store, runner=runner, confirm=yes, options=apply_options(world)
    )

    assert [r.phase for r in first] == [Phase.FOUNDATION, Phase.CLEANUP]
    assert first[0].written is not None
    assert first[1].written is None
    assert (world.config_dir / "flake.nix").read_text() == "{ }\n"
    assert again == ()


@pytest.mark.needs_stow
def test_a_stow_that_leaves_links_is_a_conflict_with_the_dry_run_to_look_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stowed = build_stowed_home(tmp_path)
    install_fake_brew(stowed, monkeypatch)
    make_tree(stowed.bin_dir, {"stow": "#!/bin/sh\nexit 0\n"})  # unlinks nothing
    (stowed.bin_dir / "stow").chmod(0o755)
    put_first_on_path(stowed.bin_dir, monkeypatch)

    with pytest.raises(ConflictError) as raised:
        apply_phase(
            configs_phase(stowed),
            store=CheckpointStore.from_paths(Paths.from_env()),
            runner=SubprocessRunner(),
            confirm=yes,
            options=apply_options(stowed),
        )

    assert "stow -D left links of git in place: .gitconfig" in str(raised.value)
    dry_run = f"stow -n -v -D -d {stowed.dotfiles} -t {stowed.home} git"
    assert raised.value.hint == f"check the package with `{dry_run}`"
