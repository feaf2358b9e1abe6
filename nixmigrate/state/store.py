"""The state directory: `state.toml` (what nixmigrate has done on this machine) and
the checkpoint directories beside it (`CheckpointStore`).

state.toml schema history:
  1: schema, nixmigrate_version, mappings_digest, config_dir, planned_through,
     completed (phase numbers), checkpoints (ids), [generated] relpath -> sha256
     of each generated file as nixmigrate last wrote it.

Read with tomllib into a frozen value; written with tomlkit over the existing
document, so comments a person added survive; written atomically.
"""

from __future__ import annotations

import contextlib
import json
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import tomlkit
from tomlkit.exceptions import TOMLKitError

from nixmigrate import __version__
from nixmigrate.errors import NixmigrateError, StateError
from nixmigrate.jsonable import from_plain, to_plain
from nixmigrate.plan.phases import Phase
from nixmigrate.state.checkpoints import (
    BLOBS_DIR,
    BREWFILE_NAME,
    CHECKPOINT_SCHEMA,
    MANIFEST_NAME,
    Checkpoint,
    CheckpointStatus,
    CommandRecord,
    CommandStatus,
    Manifest,
    PathRecord,
    fingerprint_now,
    read_path,
    sha256_bytes,
)
from nixmigrate.system.fs import FileSystem, LocalFS
from nixmigrate.system.paths import Paths

STATE_SCHEMA: Final = 1

_MOVE_ASIDE: Final = "move the file aside to start over (checkpoints stay usable)"


@dataclass(frozen=True, slots=True)
class RunState:
    nixmigrate_version: str = __version__
    mappings_digest: str = ""
    config_dir: str = ""
    planned_through: int | None = None
    completed: tuple[Phase, ...] = ()
    checkpoints: tuple[str, ...] = ()
    generated: Mapping[str, str] = field(default_factory=dict)

    def with_completed(self, phase: Phase) -> RunState:
        return replace(self, completed=tuple(sorted({*self.completed, phase})))

    def without_completed(self, phase: Phase) -> RunState:
        return replace(self, completed=tuple(p for p in self.completed if p != phase))

    def with_checkpoint(self, checkpoint_id: str) -> RunState:
        if checkpoint_id in self.checkpoints:
            return self
        return replace(self, checkpoints=(*self.checkpoints, checkpoint_id))

    def with_generated(self, hashes: Mapping[str, str]) -> RunState:
        return replace(self, generated={**self.generated, **hashes})

    def with_generated_replaced(self, hashes: Mapping[str, str]) -> RunState:
        return replace(self, generated=dict(hashes))


def load_state(path: Path) -> RunState:
    """The state at `path`; a fresh state if the file does not exist yet."""
    if not path.exists():
        return RunState()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        msg = f"{path} cannot be read: {err}"
        raise StateError(msg, hint=f"fix it by hand, or {_MOVE_ASIDE}") from err
    match raw.get("schema"):
        case 1:
            return _state_from_v1(path, raw)
        case other:
            msg = f"{path}: unsupported state schema {other!r}"
            hint = f"upgrade nixmigrate (this is {__version__}), or {_MOVE_ASIDE}"
            raise StateError(msg, hint=hint)


def _state_from_v1(path: Path, raw: Mapping[str, Any]) -> RunState:
    try:
        through = raw.get("planned_through")
        return RunState(
            nixmigrate_version=str(raw.get("nixmigrate_version", "")),
            mappings_digest=str(raw.get("mappings_digest", "")),
            config_dir=str(raw.get("config_dir", "")),
            planned_through=None if through is None else int(through),
            completed=tuple(Phase(int(p)) for p in raw.get("completed", [])),
            checkpoints=tuple(str(c) for c in raw.get("checkpoints", [])),
            generated={str(k): str(v) for k, v in raw.get("generated", {}).items()},
        )
    except (TypeError, ValueError, AttributeError) as err:
        msg = f"{path} has a malformed value: {err}"
        raise StateError(msg, hint=f"fix it by hand, or {_MOVE_ASIDE}") from err


def _document(path: Path) -> tomlkit.TOMLDocument:
    with contextlib.suppress(OSError, UnicodeDecodeError, TOMLKitError):
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    doc = tomlkit.document()
    doc.add(tomlkit.comment("nixmigrate run state; edited by nixmigrate"))
    return doc


def render_state(state: RunState, previous: tomlkit.TOMLDocument) -> str:
    """The TOML text for `state`, keeping the comments of the previous document."""
    doc = previous
    doc["schema"] = STATE_SCHEMA
    doc["nixmigrate_version"] = state.nixmigrate_version
    doc["mappings_digest"] = state.mappings_digest
    doc["config_dir"] = state.config_dir
    if state.planned_through is None:
        doc.pop("planned_through", None)
    else:
        doc["planned_through"] = state.planned_through
    doc["completed"] = [int(p) for p in state.completed]
    doc["checkpoints"] = list(state.checkpoints)
    generated = tomlkit.table()
    for relpath, digest in sorted(state.generated.items()):
        generated[relpath] = digest
    doc["generated"] = generated
    return tomlkit.dumps(doc)


def save_state(path: Path, state: RunState, *, fs: FileSystem | None = None) -> None:
    text = render_state(replace(state, nixmigrate_version=__version__), _document(path))
    (fs or LocalFS()).write_bytes(path, text.encode("utf-8"), mode=0o644)


def update_state(
    path: Path, change: Callable[[RunState], RunState], *, fs: FileSystem | None = None
) -> RunState:
    """Load, apply `change`, save; returns the new state."""
    new = change(load_state(path))
    save_state(path, new, fs=fs)
    return new


@dataclass(frozen=True, slots=True)
class CheckpointSummary:
    id: str
    label: str
    phase: int | None
    created: str
    status: str  # a CheckpointStatus value, or "damaged"
    paths: int = 0
    commands: int = 0
    problem: str = ""
    rolled_back_at: str = ""


# ---------------------------------------------------------------- checkpoints


def _damaged(path: Path, problem: str) -> StateError:
    return StateError(
        f"checkpoint manifest {path} is damaged: {problem}",
        hint=f"this checkpoint cannot be restored automatically; move {path.parent} "
        "aside, and restore what it lists by hand from its blobs/ folder",
    )


def parse_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise _damaged(path, "the file is missing") from err
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _damaged(path, str(err)) from err
    if not isinstance(raw, dict):
        raise _damaged(path, "not a JSON object")
    if raw.get("schema") != CHECKPOINT_SCHEMA:
        msg = f"checkpoint {path.parent.name} has schema {raw.get('schema')!r}"
        hint = (
            f"use the nixmigrate version that made it ({raw.get('nixmigrate_version')})"
        )
        raise StateError(msg, hint=hint)
    try:
        return from_plain(Manifest, raw)
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise _damaged(path, str(err)) from err


def _new_id(now: datetime, label: str) -> str:
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%S%fZ}-{label}"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CheckpointStore:
    """Checkpoints under `<state_dir>/checkpoints`, plus the state file beside them."""

    state_dir: Path
    fs: FileSystem = field(default_factory=LocalFS)
    clock: Callable[[], datetime] = _utc_now

    @classmethod
    def from_paths(cls, paths: Paths, fs: FileSystem | None = None) -> CheckpointStore:
        return cls(paths.state_dir, fs or LocalFS())

    @property
    def checkpoints_dir(self) -> Path:
        return self.state_dir / "checkpoints"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.toml"

    @property
    def lock_file(self) -> Path:
        return self.state_dir / "lock"

    # -- lifecycle

    def create(
        self, label: str, phase: Phase | None, generated_before: dict[str, str]
    ) -> Checkpoint:
        """A new, empty, `complete: false` checkpoint, saved before anything changes."""
        now = self.clock()
        suffix = f"phase{int(phase)}" if phase is not None else label
        checkpoint_id = _new_id(now, suffix)
        while (self.checkpoints_dir / checkpoint_id).exists():
            now = now.replace(microsecond=(now.microsecond + 1) % 1_000_000)
            checkpoint_id = _new_id(now, suffix)
        manifest = Manifest(
            id=checkpoint_id,
            label=label,
            phase=None if phase is None else int(phase),
            created=now.isoformat(timespec="seconds"),
            generated_before=dict(generated_before),
        )
        cp = Checkpoint(self.checkpoints_dir / checkpoint_id, manifest)
        self.save(cp)
        return cp

    def save(self, cp: Checkpoint) -> None:
        text = json.dumps(to_plain(cp.manifest), indent=2, sort_keys=True) + "\n"
        self.fs.write_bytes(cp.directory / MANIFEST_NAME, text.encode(), mode=0o600)

    def update(self, cp: Checkpoint, **changes: object) -> None:
        # replace() checks field names at run time; mypy cannot type **changes
        cp.manifest = replace(cp.manifest, **changes)  # type: ignore[arg-type]
        self.save(cp)

    def commit(self, cp: Checkpoint) -> None:
        """The phase finished: remember what it left, mark the checkpoint complete."""
        recorded = {r.path for r in cp.manifest.paths}
        records = tuple(self._with_after(r, cp, recorded) for r in cp.manifest.paths)
        self.update(cp, paths=records, complete=True, status=CheckpointStatus.COMPLETE)

    def _with_after(
        self, record: PathRecord, cp: Checkpoint, recorded: set[str]
    ) -> PathRecord:
        _, data = read_path(Path(record.path), Path(record.root))
        after_sha = self.save_blob(cp, data) if data is not None else ""
        after = fingerprint_now(record, recorded)
        return replace(record, after=after, after_sha256=after_sha)

    def set_status(self, cp: Checkpoint, status: CheckpointStatus) -> None:
        self.update(cp, status=status, complete=status is not CheckpointStatus.RUNNING)

    def mark_rolled_back(self, cp: Checkpoint) -> None:
        self.set_status(cp, CheckpointStatus.ROLLED_BACK)
        self.update(cp, rolled_back_at=self.clock().isoformat(timespec="seconds"))

    # -- what is recorded

    def add_paths(self, cp: Checkpoint, root: Path, paths: Iterable[Path]) -> None:
        """Save the current state of each path (the first record of a path wins)."""
        known = {r.path for r in cp.manifest.paths}
        added: list[PathRecord] = []
        for path in paths:
            if str(path) in known:
                continue
            known.add(str(path))
            state, data = read_path(path, root)
            if data is not None:
                self.save_blob(cp, data)
            added.append(PathRecord(str(path), str(root), state))
        if added:
            self.update(cp, paths=(*cp.manifest.paths, *added))

    def add_command(self, cp: Checkpoint, command: CommandRecord) -> int:
        self.update(cp, commands=(*cp.manifest.commands, command))
        return len(cp.manifest.commands) - 1

    def set_command_status(
        self, cp: Checkpoint, index: int, status: CommandStatus
    ) -> None:
        commands = list(cp.manifest.commands)
        commands[index] = replace(commands[index], status=status)
        self.update(cp, commands=tuple(commands))

    def add_written(self, cp: Checkpoint, hashes: dict[str, str]) -> None:
        self.update(cp, written={**cp.manifest.written, **hashes})

    def add_note(self, cp: Checkpoint, note: str) -> None:
        self.update(cp, notes=(*cp.manifest.notes, note))

    def save_brewfile(self, cp: Checkpoint, text: str) -> None:
        self.fs.write_bytes(cp.directory / BREWFILE_NAME, text.encode(), mode=0o600)
        self.update(cp, brewfile=BREWFILE_NAME)

    # -- blobs

    def blob_path(self, cp: Checkpoint, digest: str) -> Path:
        return cp.directory / BLOBS_DIR / digest

    def save_blob(self, cp: Checkpoint, data: bytes) -> str:
        digest = sha256_bytes(data)
        path = self.blob_path(cp, digest)
        if not path.exists():
            self.fs.write_bytes(path, data, mode=0o600)
        return digest

    def read_blob(self, cp: Checkpoint, digest: str) -> bytes:
        path = self.blob_path(cp, digest)
        try:
            data = path.read_bytes()
        except OSError as err:
            msg = f"checkpoint {cp.id} is missing the saved copy {path}"
            raise StateError(msg, hint="the checkpoint is damaged") from err
        if sha256_bytes(data) != digest:
            msg = f"checkpoint {cp.id}: the saved copy {path} does not match its hash"
            raise StateError(msg, hint="the checkpoint is damaged; do not trust it")
        return data

    # -- finding checkpoints

    def load(self, checkpoint_id: str) -> Checkpoint:
        directory = self.checkpoints_dir / checkpoint_id
        if not directory.is_dir():
            msg = f"there is no checkpoint '{checkpoint_id}'"
            raise StateError(msg, hint="`nixmigrate rollback --list` shows them")
        return Checkpoint(directory, parse_manifest(directory / MANIFEST_NAME))

    def ids(self) -> list[str]:
        if not self.checkpoints_dir.is_dir():
            return []
        return sorted(p.name for p in self.checkpoints_dir.iterdir() if p.is_dir())

    def list_checkpoints(self) -> list[CheckpointSummary]:
        """Every checkpoint, oldest first; a damaged one is listed with its problem."""
        return [self._summary(checkpoint_id) for checkpoint_id in self.ids()]

    def _summary(self, checkpoint_id: str) -> CheckpointSummary:
        try:
            m = self.load(checkpoint_id).manifest
        except NixmigrateError as err:
            return CheckpointSummary(
                checkpoint_id, "", None, "", "damaged", problem=str(err)
            )
        return CheckpointSummary(
            m.id,
            m.label,
            m.phase,
            m.created,
            str(m.status),
            paths=len(m.paths),
            commands=len(m.commands),
            rolled_back_at=m.rolled_back_at,
        )

    def restorable(self) -> list[Checkpoint]:
        """Checkpoints a rollback would still undo (running or complete), oldest first."""
        active = (CheckpointStatus.RUNNING, CheckpointStatus.COMPLETE)
        loaded = (self.load(i) for i in self.ids())
        return [cp for cp in loaded if cp.manifest.status in active]
