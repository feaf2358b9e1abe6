"""state.toml: round trip, schema check, comments kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from nixmigrate import __version__
from nixmigrate.errors import StateError
from nixmigrate.plan.phases import Phase
from nixmigrate.state.store import RunState, load_state, save_state, update_state


def test_a_missing_state_file_is_a_fresh_start(tmp_path: Path) -> None:
    assert load_state(tmp_path / "state.toml") == RunState()


def test_what_is_saved_is_what_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    state = RunState(
        mappings_digest="sha256:abc",
        config_dir="/Users/ada/.config/nix",
        planned_through=3,
        completed=(Phase.FOUNDATION, Phase.PACKAGES),
        checkpoints=("20250101T000000000000Z-phase1",),
        generated={"flake.nix": "e3b0", "home/common.nix": "a1b2"},
    )

    save_state(path, state)

    assert load_state(path) == state
    assert "schema = 1" in path.read_text()
    assert f'nixmigrate_version = "{__version__}"' in path.read_text()


def test_an_unknown_schema_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    path.write_text("schema = 99\n")

    with pytest.raises(StateError, match="unsupported state schema 99") as refused:
        load_state(path)

    assert refused.value.hint is not None
    assert "upgrade nixmigrate" in refused.value.hint


@pytest.mark.parametrize(
    "text", ["schema = 1\ncompleted = [42]\n", "schema = 1\n[[broken"]
)
def test_a_malformed_state_file_is_refused_with_a_hint(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "state.toml"
    path.write_text(text)

    with pytest.raises(StateError) as refused:
        load_state(path)

    assert refused.value.hint is not None
    assert "move the file aside" in refused.value.hint


def test_comments_a_person_added_survive_an_update(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    save_state(path, RunState())
    path.write_text("# laptop, migrated in March\n" + path.read_text())

    update_state(path, lambda s: s.with_completed(Phase.CONFIGS))

    assert path.read_text().startswith("# laptop, migrated in March\n")
    assert load_state(path).completed == (Phase.CONFIGS,)


def test_completing_and_forgetting_phases() -> None:
    state = RunState().with_completed(Phase.CONFIGS).with_completed(Phase.FOUNDATION)
    assert state.completed == (Phase.FOUNDATION, Phase.CONFIGS)
    assert state.without_completed(Phase.CONFIGS).completed == (Phase.FOUNDATION,)


def test_rolled_back_time_is_recorded_and_older_manifests_still_load(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    from nixmigrate.state.checkpoints import MANIFEST_NAME
    from nixmigrate.state.store import CheckpointStore

    times = iter(
        [datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 2, 11, tzinfo=UTC)]
    )
    store = CheckpointStore(tmp_path, clock=lambda: next(times))
    cp = store.create("apply", Phase.CONFIGS, {})
    manifest = cp.directory / MANIFEST_NAME
    older = manifest.read_text().replace('"rolled_back_at": "",', "")
    assert "rolled_back_at" not in older
    manifest.write_text(older)
    (summary,) = store.list_checkpoints()
    assert summary.rolled_back_at == ""
    store.mark_rolled_back(store.load(cp.id))
    (summary,) = store.list_checkpoints()
    assert (summary.status, summary.created) == (
        "rolled_back",
        "2026-01-01T10:00:00+00:00",
    )
    assert summary.rolled_back_at == "2026-01-02T11:00:00+00:00"
