"""The "nothing is lost" promise, end to end: a home stowed with real GNU Stow goes
through apply (unstow two packages, switch to Home Manager links) and back through
rollback, and comes out identical in bytes, modes and link targets.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from nixmigrate.apply.executor import PhaseFailedError, apply_phase
from nixmigrate.apply.rollback import rollback
from nixmigrate.errors import ConflictError
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import Unstow, WriteFile
from nixmigrate.state.checkpoints import MANIFEST_NAME, CheckpointStatus
from nixmigrate.state.store import CheckpointStore, load_state
from nixmigrate.system.runner import DEFAULT_TIMEOUT, Runner, SubprocessRunner
from tests.conftest import REPO
from tests.fakeswitch import (
    MANAGED,
    Behaviour,
    StowedHome,
    apply_options,
    build_stowed_home,
    configs_phase,
    install_fake_brew,
    install_fake_switch,
    switch_calls,
    yes,
)

pytestmark = [pytest.mark.needs_stow, pytest.mark.needs_git]

FILES = (
    WriteFile("flake.nix", "{ outputs = _: { }; }\n"),
    WriteFile("home/dotfiles.nix", "{ }\n"),
)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StowedHome:
    world = build_stowed_home(tmp_path)
    install_fake_brew(world, monkeypatch)
    return world


def _switch(world: StowedHome, behaviour: Behaviour) -> None:
    install_fake_switch(
        world.bin_dir,
        home=world.home,
        store_dir=world.store_dir,
        managed=MANAGED,
        behaviour=behaviour,
    )


def _apply(
    world: StowedHome, store: CheckpointStore, runner: Runner | None = None
) -> None:
    apply_phase(
        configs_phase(world),
        store=store,
        runner=runner or SubprocessRunner(),
        confirm=yes,
        options=apply_options(world, files=FILES, config_dir=world.config_dir),
    )


def test_apply_then_rollback_gives_back_the_same_tree(
    world: StowedHome, store: CheckpointStore
) -> None:
    _switch(world, "link")
    before = world.snapshot()

    _apply(world, store)

    gitconfig = world.home / ".gitconfig"
    assert gitconfig.readlink().is_relative_to(world.store_dir)
    assert (world.home / ".config/nvim").readlink().is_relative_to(world.store_dir)
    assert (world.home / ".zshrc").readlink() == Path("../dotfiles/zsh/dot-zshrc")
    tracked = subprocess.run(
        ["git", "-C", str(world.config_dir), "ls-files"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sorted(tracked) == ["flake.nix", "home/dotfiles.nix"]
    assert load_state(store.state_file).completed == (3,)

    rollback(store, runner=SubprocessRunner(), confirm=yes)

    assert world.snapshot() == before
    assert load_state(store.state_file).completed == ()


def test_a_package_stowed_with_dotfiles_comes_back_the_same(
    world: StowedHome, store: CheckpointStore
) -> None:
    before = world.snapshot()
    zsh = Unstow("zsh", str(world.dotfiles), str(world.home), (".zsh", ".zshrc"), True)

    apply_phase(
        PhasePlan(phase=Phase.CLEANUP, title="unstow the rest", steps=(zsh,)),
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(world),
    )
    assert not (world.home / ".zshrc").exists()
    assert not (world.home / ".zsh").exists()

    rollback(store, runner=SubprocessRunner(), confirm=yes)

    assert world.snapshot() == before


def test_no_activate_then_the_switch_by_hand_then_rollback_gives_back_the_tree(
    world: StowedHome, store: CheckpointStore
) -> None:
    _switch(world, "link")
    before = world.snapshot()
    applied = apply_phase(
        configs_phase(world),
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(world, no_activate=True),
    )
    subprocess.run(
        [str(world.bin_dir / applied.switch_command[0]), *applied.switch_command[1:]],
        check=True,
    )
    assert (world.home / ".gitconfig").readlink().is_relative_to(world.store_dir)

    rollback(store, runner=SubprocessRunner(), confirm=yes)

    assert world.snapshot() == before


@pytest.mark.parametrize("behaviour", ["fail", "no-links", "foreign-links"])
def test_a_switch_that_does_not_link_the_managed_paths_is_undone_by_itself(
    world: StowedHome, store: CheckpointStore, behaviour: Behaviour
) -> None:
    _switch(world, behaviour)
    before = world.snapshot()

    with pytest.raises(PhaseFailedError, match="home is as it was") as failure:
        _apply(world, store)

    assert world.snapshot() == before
    assert len(switch_calls(world.bin_dir)) == 1
    if behaviour != "fail":
        assert str(world.home / ".gitconfig") in str(failure.value)
    [summary] = store.list_checkpoints()
    assert summary.status == CheckpointStatus.RESTORED
    assert load_state(store.state_file).completed == ()


@pytest.mark.parametrize(
    "replacement",
    [b"my own gitconfig\n", Path("../elsewhere/.gitconfig")],
    ids=["file", "foreign-link"],
)
def test_something_else_where_a_stow_link_should_be_stops_before_any_change(
    world: StowedHome, store: CheckpointStore, replacement: bytes | Path
) -> None:
    _switch(world, "link")
    gitconfig = world.home / ".gitconfig"
    gitconfig.unlink()
    if isinstance(replacement, Path):
        gitconfig.symlink_to(replacement)
    else:
        gitconfig.write_bytes(replacement)
    before = world.snapshot()

    with pytest.raises(ConflictError, match=re.escape(str(gitconfig))) as failure:
        _apply(world, store)

    assert failure.value.exit_code == 3
    assert world.snapshot() == before
    assert switch_calls(world.bin_dir) == []
    assert store.list_checkpoints() == []


class _InterruptingRunner:
    """Runs commands for real, but "Ctrl-C" arrives when one of `interrupt_on` starts."""

    def __init__(self, *interrupt_on: str) -> None:
        self.real = SubprocessRunner()
        self.interrupt_on = list(interrupt_on)

    def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        cwd: str | None = None,
        input_text: str | None = None,
    ) -> CompletedProcess[str]:
        if self.interrupt_on and argv[0] == self.interrupt_on[0]:
            self.interrupt_on.pop(0)
            raise KeyboardInterrupt
        return self.real.run(
            argv, check=check, env=env, timeout=timeout, cwd=cwd, input_text=input_text
        )

    def which(self, name: str) -> str | None:
        return self.real.which(name)


def test_ctrl_c_during_the_switch_puts_the_home_back(
    world: StowedHome, store: CheckpointStore
) -> None:
    _switch(world, "link")
    before = world.snapshot()

    with pytest.raises(KeyboardInterrupt):
        _apply(world, store, runner=_InterruptingRunner("home-manager"))

    assert world.snapshot() == before
    assert load_state(store.state_file).completed == ()


def test_a_second_ctrl_c_during_the_restore_leaves_it_to_rollback(
    world: StowedHome, store: CheckpointStore
) -> None:
    _switch(world, "link")
    before = world.snapshot()

    with pytest.raises(KeyboardInterrupt):
        _apply(world, store, runner=_InterruptingRunner("home-manager", "stow"))
    [summary] = store.list_checkpoints()
    assert summary.status == CheckpointStatus.RUNNING

    rollback(store, runner=SubprocessRunner(), confirm=yes)

    assert world.snapshot() == before
    [summary] = store.list_checkpoints()
    assert summary.status == CheckpointStatus.ROLLED_BACK


_CRASHING_APPLY = """
import sys
from pathlib import Path
from nixmigrate.apply.executor import apply_phase
from nixmigrate.state.store import CheckpointStore
from nixmigrate.system.paths import Paths
from nixmigrate.system.runner import SubprocessRunner
from tests.fakeswitch import StowedHome, apply_options, configs_phase, yes

world = StowedHome(*(Path(p) for p in sys.argv[1:7]))
apply_phase(
    configs_phase(world),
    store=CheckpointStore.from_paths(Paths.from_env()),
    runner=SubprocessRunner(),
    confirm=yes,
    options=apply_options(world),
)
"""


def test_a_crash_mid_phase_leaves_an_incomplete_checkpoint_that_rollback_restores(
    world: StowedHome, store: CheckpointStore
) -> None:
    _switch(world, "kill-parent")
    before = world.snapshot()
    fields = [world.root, world.home, world.dotfiles, world.config_dir]
    fields += [world.store_dir, world.bin_dir]

    crashed = subprocess.run(
        [sys.executable, "-c", _CRASHING_APPLY, *map(str, fields)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert crashed.returncode == -9, crashed.stderr
    assert not (world.home / ".gitconfig").exists()  # the crash came after unstow
    [checkpoint_id] = store.ids()
    manifest = json.loads(
        (store.checkpoints_dir / checkpoint_id / MANIFEST_NAME).read_text()
    )
    assert manifest["complete"] is False

    assert store.lock_file.exists()  # the killed run could not remove it: stale
    rollback(store, runner=SubprocessRunner(), confirm=yes)

    assert world.snapshot() == before
