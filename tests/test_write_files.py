"""Writing the generated configuration: create / identical / update / conflict,
dry runs, --force behind a checkpoint, and git tracking for flakes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nixmigrate.apply.files import WriteReport, WriteStatus, generate_config
from nixmigrate.apply.rollback import rollback
from nixmigrate.plan.steps import WriteFile
from nixmigrate.state.store import CheckpointStore, load_state
from nixmigrate.system.runner import SubprocessRunner
from tests.helpers import make_tree, snapshot_tree

pytestmark = pytest.mark.needs_git

V1 = (
    WriteFile("flake.nix", "{ outputs = _: { }; }\n"),
    WriteFile("home/common.nix", '{ home.stateVersion = "24.05"; }\n'),
    WriteFile("bin/switch", "#!/bin/sh\nhome-manager switch\n", mode=0o755),
)
V2 = (
    WriteFile("flake.nix", "{ outputs = _: { x = 1; }; }\n"),
    *V1[1:],
)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "nix-config"


def _generate(
    store: CheckpointStore,
    config_dir: Path,
    files: tuple[WriteFile, ...],
    *,
    force: bool = False,
    pretend: bool = False,
) -> WriteReport:
    return generate_config(
        store,
        files,
        config_dir,
        runner=SubprocessRunner(),
        force=force,
        pretend=pretend,
    )


def _statuses(report: WriteReport) -> dict[str, WriteStatus]:
    return {c.relpath: c.status for c in report.changes}


def _git_files(repo: Path) -> list[str]:
    done = subprocess.run(
        ["git", "-C", str(repo), "ls-files"], check=True, capture_output=True, text=True
    )
    return sorted(done.stdout.split())


def test_first_write_creates_and_tracks_and_a_rerun_is_identical(
    store: CheckpointStore, config_dir: Path
) -> None:
    first = _generate(store, config_dir, V1)

    assert set(_statuses(first).values()) == {WriteStatus.CREATE}
    assert (config_dir / "flake.nix").read_text() == V1[0].content
    assert (config_dir / "bin/switch").stat().st_mode & 0o777 == 0o755
    assert _git_files(config_dir) == ["bin/switch", "flake.nix", "home/common.nix"]

    again = _generate(store, config_dir, V1)

    assert set(_statuses(again).values()) == {WriteStatus.IDENTICAL}
    assert again.checkpoint_id is None
    assert len(store.ids()) == 1


def test_a_file_as_nixmigrate_left_it_is_updated(
    store: CheckpointStore, config_dir: Path
) -> None:
    _generate(store, config_dir, V1)

    report = _generate(store, config_dir, V2)

    assert _statuses(report)["flake.nix"] is WriteStatus.UPDATE
    assert "+{ outputs = _: { x = 1; }; }" in report.changes[0].diff
    assert (config_dir / "flake.nix").read_text() == V2[0].content


def test_a_hand_edited_file_is_kept_and_reported_with_a_diff(
    store: CheckpointStore, config_dir: Path
) -> None:
    _generate(store, config_dir, V1)
    flake = config_dir / "flake.nix"
    flake.write_text("# mine\n" + V1[0].content)

    report = _generate(store, config_dir, V2)
    again = _generate(store, config_dir, V2)

    [conflict] = report.conflicts
    assert conflict.relpath == "flake.nix"
    assert "-# mine" in conflict.diff
    assert "edited" in conflict.reason
    assert flake.read_text() == "# mine\n" + V1[0].content
    assert [c.relpath for c in again.conflicts] == ["flake.nix"]


@pytest.mark.parametrize("in_the_way", ["my own flake\n", Path("/etc/hostname")])
def test_something_nixmigrate_never_wrote_is_a_conflict(
    store: CheckpointStore, config_dir: Path, in_the_way: str | Path
) -> None:
    make_tree(config_dir, {"flake.nix": in_the_way})
    before = snapshot_tree(config_dir)

    report = _generate(store, config_dir, V1[:1])

    assert _statuses(report) == {"flake.nix": WriteStatus.CONFLICT}
    assert snapshot_tree(config_dir) == before


def test_a_dry_run_reports_the_same_and_writes_nothing(
    store: CheckpointStore, config_dir: Path
) -> None:
    _generate(store, config_dir, V1[:2])
    (config_dir / "home/common.nix").write_text("# edited\n")
    before = snapshot_tree(config_dir)
    state_before = store.state_file.read_bytes()

    report = _generate(store, config_dir, V2, pretend=True)

    assert _statuses(report) == {
        "flake.nix": WriteStatus.UPDATE,
        "home/common.nix": WriteStatus.CONFLICT,
        "bin/switch": WriteStatus.CREATE,
    }
    assert report.conflicts[0].diff
    assert snapshot_tree(config_dir) == before
    assert store.state_file.read_bytes() == state_before
    assert len(store.ids()) == 1


def test_force_overwrites_behind_a_checkpoint_that_gives_the_edit_back(
    store: CheckpointStore, config_dir: Path
) -> None:
    _generate(store, config_dir, V1[:1])
    flake = config_dir / "flake.nix"
    flake.write_bytes(b"# mine\n" + V1[0].content.encode())
    recorded = load_state(store.state_file).generated

    report = _generate(store, config_dir, V2[:1], force=True)

    assert report.conflicts[0].written
    assert flake.read_text() == V2[0].content

    rollback(store, runner=SubprocessRunner(), confirm=lambda _: True)

    assert flake.read_bytes() == b"# mine\n" + V1[0].content.encode()
    assert load_state(store.state_file).generated == recorded


def test_a_config_dir_inside_a_repository_is_added_there(
    store: CheckpointStore, tmp_path: Path
) -> None:
    repo = tmp_path / "dotfiles"
    repo.mkdir()
    subprocess.run(["git", "-C", str(repo), "init", "--quiet"], check=True)

    _generate(store, repo / "nix", V1[:1])

    assert not (repo / "nix/.git").exists()
    assert _git_files(repo) == ["nix/flake.nix"]


def test_a_file_already_as_generated_is_adopted_so_later_changes_update_it(
    store: CheckpointStore, config_dir: Path
) -> None:
    make_tree(config_dir, {"flake.nix": V1[0].content})

    first = _generate(store, config_dir, V1[:1])
    later = _generate(store, config_dir, V2[:1])

    assert _statuses(first) == {"flake.nix": WriteStatus.IDENTICAL}
    assert _statuses(later) == {"flake.nix": WriteStatus.UPDATE}
    assert (config_dir / "flake.nix").read_text() == V2[0].content
