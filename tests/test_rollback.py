"""rollback: what changed since a phase is not clobbered without --force, damaged
checkpoints are refused with a hint, --to undoes several phases newest first.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nixmigrate.apply.executor import PhaseResult, apply_phase
from nixmigrate.apply.rollback import rollback
from nixmigrate.errors import StateError
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import Archive, WriteFile
from nixmigrate.state.checkpoints import (
    MANIFEST_NAME,
    CheckpointStatus,
    RollbackConflictError,
)
from nixmigrate.state.store import CheckpointStore, load_state
from nixmigrate.system.runner import SubprocessRunner
from tests.fakeswitch import StowedHome, apply_options, install_fake_brew, yes
from tests.helpers import make_tree, snapshot_tree

pytestmark = pytest.mark.needs_git


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StowedHome:
    world = StowedHome(
        root=tmp_path,
        home=tmp_path / "home",
        dotfiles=tmp_path / "home/dotfiles",
        config_dir=tmp_path / "nix-config",
        store_dir=tmp_path / "nix/store",
        bin_dir=tmp_path / "bin",
    )
    install_fake_brew(world, monkeypatch)
    return world


def _write_phase(
    world: StowedHome, store: CheckpointStore, phase: Phase, files: dict[str, str]
) -> PhaseResult:
    return apply_phase(
        PhasePlan(phase=phase, title=f"phase {phase}"),
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(
            world,
            files=tuple(WriteFile(rel, text) for rel, text in files.items()),
            config_dir=world.config_dir,
        ),
    )


def test_a_file_edited_since_the_phase_is_not_clobbered(
    world: StowedHome, store: CheckpointStore
) -> None:
    _write_phase(world, store, Phase.FOUNDATION, {"flake.nix": "{ generated }\n"})
    flake = world.config_dir / "flake.nix"
    flake.write_text("{ generated }\n# my own line\n")

    with pytest.raises(RollbackConflictError) as refused:
        rollback(store, runner=SubprocessRunner(), confirm=yes)

    [conflict] = refused.value.conflicts
    assert conflict.path == str(flake)
    assert "+# my own line" in conflict.diff
    assert refused.value.exit_code == 3
    assert flake.read_text() == "{ generated }\n# my own line\n"
    assert load_state(store.state_file).completed == (Phase.FOUNDATION,)


def test_force_restores_anyway_and_keeps_the_edited_file_in_the_checkpoint(
    world: StowedHome, store: CheckpointStore
) -> None:
    world.config_dir.mkdir()
    applied = _write_phase(world, store, Phase.FOUNDATION, {"flake.nix": "{ }\n"})
    (world.config_dir / "flake.nix").write_text("{ edited }\n")

    result = rollback(store, force=True, runner=SubprocessRunner(), confirm=yes)

    assert snapshot_tree(world.config_dir) == {}
    [kept] = result.restored[0].displaced
    assert kept.path == str(world.config_dir / "flake.nix")
    assert Path(kept.kept_at).read_text() == "{ edited }\n"
    checkpoint_dir = store.checkpoints_dir / applied.checkpoint_id
    assert Path(kept.kept_at).is_relative_to(checkpoint_dir)


def test_rollback_to_an_id_undoes_every_later_phase_newest_first(
    world: StowedHome, store: CheckpointStore
) -> None:
    make_tree(world.home, {"dotfiles/x": "x\n", "notes/y": "y\n"})
    before = snapshot_tree(world.root / "home")
    first = _write_phase(world, store, Phase.FOUNDATION, {"flake.nix": "{ }\n"})
    apply_phase(
        PhasePlan(
            phase=Phase.CLEANUP,
            title="clean up",
            steps=(
                Archive("~/dotfiles", "~/dotfiles.old"),
                Archive("~/notes", "~/dotfiles.old/notes"),
            ),
        ),
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(world),
    )
    assert (world.home / "dotfiles.old/notes/y").exists()

    result = rollback(
        store, to=first.checkpoint_id, runner=SubprocessRunner(), confirm=yes
    )

    assert result.phases == (Phase.CLEANUP, Phase.FOUNDATION)
    assert snapshot_tree(world.home) == before
    assert not world.config_dir.exists()
    assert load_state(store.state_file).completed == ()
    statuses = {s.status for s in store.list_checkpoints()}
    assert statuses == {CheckpointStatus.ROLLED_BACK}


def test_a_conflict_in_an_older_phase_stops_rollback_before_anything_is_undone(
    world: StowedHome, store: CheckpointStore
) -> None:
    first = _write_phase(world, store, Phase.FOUNDATION, {"flake.nix": "{ }\n"})
    _write_phase(world, store, Phase.PACKAGES, {"home/common.nix": "{ }\n"})
    flake = world.config_dir / "flake.nix"  # only the first phase wrote it
    flake.write_text("{ }\n# my own line\n")
    before = snapshot_tree(world.config_dir)

    with pytest.raises(RollbackConflictError) as refused:
        rollback(store, to=first.checkpoint_id, runner=SubprocessRunner(), confirm=yes)

    assert [c.path for c in refused.value.conflicts] == [str(flake)]
    assert snapshot_tree(world.config_dir) == before  # the newer phase is not undone
    assert load_state(store.state_file).completed == (
        Phase.FOUNDATION,
        Phase.PACKAGES,
    )
    statuses = {s.status for s in store.list_checkpoints()}
    assert CheckpointStatus.ROLLED_BACK not in statuses


def test_two_phases_that_wrote_the_config_roll_back_to_before_the_first(
    world: StowedHome, store: CheckpointStore
) -> None:
    first = _write_phase(world, store, Phase.FOUNDATION, {"flake.nix": "{ }\n"})
    _write_phase(world, store, Phase.PACKAGES, {"flake.nix": "{ pkgs }\n"})

    result = rollback(
        store, to=first.checkpoint_id, runner=SubprocessRunner(), confirm=yes
    )

    assert result.phases == (Phase.PACKAGES, Phase.FOUNDATION)
    assert not world.config_dir.exists()  # the repository the first phase made too


def test_a_commit_of_your_own_in_the_new_repository_is_not_thrown_away(
    world: StowedHome, store: CheckpointStore
) -> None:
    _write_phase(world, store, Phase.FOUNDATION, {"flake.nix": "{ }\n"})
    git = [
        "git",
        "-C",
        str(world.config_dir),
        "-c",
        "user.name=J",
        "-c",
        "user.email=j@x",
    ]
    subprocess.run([*git, "commit", "-q", "-m", "mine"], check=True)

    with pytest.raises(RollbackConflictError) as refused:
        rollback(store, runner=SubprocessRunner(), confirm=yes)

    assert str(world.config_dir / ".git") in [c.path for c in refused.value.conflicts]
    assert (world.config_dir / ".git").is_dir()


def test_nothing_to_roll_back_says_so(store: CheckpointStore) -> None:
    with pytest.raises(StateError, match="nothing to roll back") as refused:
        rollback(store, runner=SubprocessRunner(), confirm=yes)
    assert refused.value.hint is not None
    assert "--list" in refused.value.hint


def test_a_corrupt_manifest_is_refused_with_a_hint(
    world: StowedHome, store: CheckpointStore
) -> None:
    applied = _write_phase(world, store, Phase.FOUNDATION, {"flake.nix": "{ }\n"})
    manifest = store.checkpoints_dir / applied.checkpoint_id / MANIFEST_NAME
    manifest.write_text('{"schema": 1, "paths": [')

    with pytest.raises(StateError, match="damaged") as refused:
        rollback(store, runner=SubprocessRunner(), confirm=yes)

    assert refused.value.hint is not None
    assert "by hand" in refused.value.hint
    assert (world.config_dir / "flake.nix").exists()
    [summary] = store.list_checkpoints()
    assert summary.status == "damaged"


def test_a_saved_copy_that_no_longer_matches_its_hash_is_refused(
    world: StowedHome, store: CheckpointStore
) -> None:
    world.config_dir.mkdir()
    (world.config_dir / "flake.nix").write_text("my flake\n")
    applied = apply_phase(
        PhasePlan(phase=Phase.FOUNDATION, title="foundation"),
        store=store,
        runner=SubprocessRunner(),
        confirm=yes,
        options=apply_options(
            world,
            files=(WriteFile("flake.nix", "{ }\n"),),
            config_dir=world.config_dir,
            force=True,
        ),
    )
    for blob in (store.checkpoints_dir / applied.checkpoint_id / "blobs").iterdir():
        blob.write_bytes(b"tampered")

    with pytest.raises(StateError, match="does not match its hash"):
        rollback(store, runner=SubprocessRunner(), confirm=yes)

    assert (world.config_dir / "flake.nix").read_text() == "{ }\n"
