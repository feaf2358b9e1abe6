"""Checkpoints on their own: what a failed block gets back, what is recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nixmigrate.plan.phases import Phase
from nixmigrate.state.checkpoints import (
    MANIFEST_NAME,
    CheckpointStatus,
    CommandKind,
    CommandRecord,
    CommandStatus,
    EntryKind,
    paths_to_record,
)
from nixmigrate.state.restore import checkpoint, restore_checkpoint
from nixmigrate.state.store import CheckpointStore
from tests.helpers import make_tree, snapshot_tree


def _no_commands(command: CommandRecord) -> None:
    msg = f"unexpected undo of {command.argv}"
    raise AssertionError(msg)


def _store(tmp_path: Path) -> CheckpointStore:
    return CheckpointStore(tmp_path / "state")


def test_a_failed_block_gets_bytes_modes_links_and_absence_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_tree(
        home, {".zshrc": "old\n", ".ssh/config": b"Host *\n", ".vimrc": Path("x")}
    )
    (home / ".ssh/config").chmod(0o600)
    before = snapshot_tree(home)
    touched = [home / ".zshrc", home / ".ssh/config", home / ".vimrc", home / "new"]
    store = _store(tmp_path)

    with (
        pytest.raises(RuntimeError),
        checkpoint(store, label="test", phase=Phase.CONFIGS, undo=_no_commands) as cp,
    ):
        store.add_paths(cp, home, touched)
        (home / ".zshrc").write_text("new\n")
        (home / ".ssh/config").chmod(0o644)
        (home / ".vimrc").unlink()
        (home / ".vimrc").symlink_to("/nix/store/abc-vimrc")
        make_tree(home, {"new/flake.nix": "{ }\n"})
        raise RuntimeError

    assert snapshot_tree(home) == before
    assert store.load(cp.id).manifest.status == CheckpointStatus.RESTORED


def test_until_committed_the_manifest_says_incomplete(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with checkpoint(store, label="test", phase=None, undo=_no_commands) as cp:
        on_disk = json.loads((cp.directory / MANIFEST_NAME).read_text())
        assert on_disk["complete"] is False
    on_disk = json.loads((cp.directory / MANIFEST_NAME).read_text())
    assert on_disk["complete"] is True
    assert on_disk["schema"] == 1


def test_commands_are_undone_newest_first_and_only_if_they_started(
    tmp_path: Path,
) -> None:
    store = _store(tmp_path)
    cp = store.create("test", Phase.CLEANUP, {})
    for name, status in [("a", CommandStatus.DONE), ("b", CommandStatus.STARTED)]:
        store.add_command(
            cp,
            CommandRecord(
                CommandKind.BREW, ("brew", "uninstall", name), ("brew", "install", name)
            ),
        )
        store.set_command_status(cp, len(cp.manifest.commands) - 1, status)
    store.add_command(
        cp, CommandRecord(CommandKind.BREW, ("brew", "uninstall", "c"), ("x",))
    )
    undone: list[tuple[str, ...]] = []

    restore_checkpoint(store, cp, undo=lambda c: undone.append(c.inverse), force=False)

    assert undone == [("brew", "install", "b"), ("brew", "install", "a")]


def test_checkpoint_ids_sort_by_time(tmp_path: Path) -> None:
    store = _store(tmp_path)
    ids = [store.create("x", phase, {}).id for phase in (Phase.CONFIGS, Phase.PACKAGES)]
    assert store.ids() == ids
    assert ids[0].endswith("-phase3")


def test_recording_stops_at_links_and_takes_directories_stow_may_refold(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    make_tree(
        home,
        {
            ".config/nvim": Path("../dotfiles/nvim/.config/nvim"),
            ".config/tmux": Path("../dotfiles/tmux/.config/tmux"),
            ".local/share/app.db": b"data",
            ".local/bin/tool": Path("../../dotfiles/bin/tool"),
            ".vim": Path("dotfiles/vim/.vim"),
        },
    )

    recorded = paths_to_record(
        home, [".config/nvim/init.lua", ".local/bin/tool", ".vim/colors/x.vim"]
    )

    assert [str(p.relative_to(home)) for p in recorded] == [
        ".config",  # only links inside: stow may fold it, so all of it is kept
        ".config/nvim",
        ".config/tmux",
        ".local",  # holds a real file: stow never removes it
        ".local/bin",
        ".local/bin/tool",
        ".vim",  # a link: nothing below it is ours to record
    ]


def test_a_path_is_recorded_as_it_was_first_seen(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_tree(home, {"a": "one\n"})
    store = _store(tmp_path)
    cp = store.create("x", None, {})

    store.add_paths(cp, home, [home / "a", home / "b"])
    (home / "a").write_text("two\n")
    store.add_paths(cp, home, [home / "a"])

    records = {Path(r.path).name: r.before for r in cp.manifest.paths}
    assert records["b"].kind is EntryKind.ABSENT
    assert records["a"].kind is EntryKind.FILE
    assert store.read_blob(cp, records["a"].sha256) == b"one\n"
