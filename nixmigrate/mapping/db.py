"""The curated mapping database: where it lives, loading it, and looking entries up.

The database is three TOML files (formulae.toml, casks.toml, taps.toml), each starting
with `schema_version`. `locate_mappings` is the one place that decides which directory
is used; `load_mappings` reads and validates every entry, so a bad file fails loudly
with the file and the table that are wrong. Nothing is read at import time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

from nixmigrate.errors import MappingError
from nixmigrate.mapping.schema import (
    MAPPINGS_SCHEMA,
    EntryKind,
    MappingEntry,
    entry_from_toml,
)

ENV_VAR: Final = "NIXMIGRATE_MAPPINGS"
# file name -> the kind of entry (and the name of its one table)
MAPPING_FILES: Final[Mapping[str, EntryKind]] = {
    "formulae.toml": "formula",
    "casks.toml": "cask",
    "taps.toml": "tap",
}
# the same documents as JSON, written by scripts/build_mappings.py; used only while
# its digest matches the TOML files, because tomllib is too slow for a 50 ms budget
COMPILED_FILE: Final = "compiled.json"
_CORE_TAP_PREFIX: Final = "homebrew/core/"


@dataclass(frozen=True, slots=True)
class MappingDB:
    """Every curated entry, keyed by Homebrew name (taps by their folded name)."""

    directory: Path
    digest: str
    formulae: Mapping[str, MappingEntry]
    casks: Mapping[str, MappingEntry]
    taps: Mapping[str, MappingEntry]

    def formula(self, name: str) -> MappingEntry | None:
        """A formula by short name, or `user/repo/name` for a third-party tap's."""
        found = self.formulae.get(name)
        if found is None and name.startswith(_CORE_TAP_PREFIX):
            found = self.formulae.get(name.removeprefix(_CORE_TAP_PREFIX))
        return found

    def cask(self, token: str) -> MappingEntry | None:
        return self.casks.get(token)

    def tap(self, name: str) -> MappingEntry | None:
        """Taps compare case-insensitively, and `user/homebrew-repo` means `user/repo`."""
        return self.taps.get(tap_key(name))

    def __len__(self) -> int:
        return len(self.formulae) + len(self.casks) + len(self.taps)


def tap_key(name: str) -> str:
    """Homebrew's spelling of a tap: lower case, without the `homebrew-` repo prefix."""
    user, sep, repo = name.strip().lower().partition("/")
    return f"{user}{sep}{repo.removeprefix('homebrew-')}"


def locate_mappings(
    explicit: Path | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The mappings directory: `--mappings`, then $NIXMIGRATE_MAPPINGS, then the one
    shipped in the package, then `mappings/` at the root of a source checkout."""
    if explicit is not None:
        return _existing_dir(explicit, "--mappings")
    env = os.environ if env is None else env
    from_env = env.get(ENV_VAR, "")
    if from_env:
        return _existing_dir(Path(from_env).expanduser(), f"${ENV_VAR}")
    for candidate in (_packaged_dir(), _checkout_dir()):
        if candidate is not None and _looks_like_mappings(candidate):
            return candidate
    msg = "no mappings directory found in the package or next to it"
    raise MappingError(msg, hint=f"pass --mappings DIR or set ${ENV_VAR}")


def load_mappings(directory: Path) -> MappingDB:
    """Read and validate the three mapping files in `directory`."""
    files = {name: _read_file(directory / name) for name in MAPPING_FILES}
    digest = mappings_digest(files)
    documents = _compiled_documents(directory, digest)
    if documents is None:
        documents = {
            name: _parse(directory / name, data) for name, data in files.items()
        }
    tables = {
        kind: _entries_of(directory / name, kind, documents[name])
        for name, kind in MAPPING_FILES.items()
    }
    return MappingDB(
        directory=directory,
        digest=digest,
        formulae=tables["formula"],
        casks=tables["cask"],
        taps=tables["tap"],
    )


def mappings_digest(files: Mapping[str, bytes]) -> str:
    """sha256 over each mapping file's name and bytes, in a fixed order."""
    hasher = hashlib.sha256()
    for name in MAPPING_FILES:
        hasher.update(name.encode() + b"\0" + files[name] + b"\0")
    return hasher.hexdigest()


def compile_documents(documents: Mapping[str, object], digest: str) -> str:
    """The text of COMPILED_FILE for parsed mapping documents with this digest."""
    payload = {"digest": digest, "documents": documents}
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, indent=0) + "\n"


def _compiled_documents(
    directory: Path, digest: str
) -> dict[str, dict[str, object]] | None:
    """The parsed documents from COMPILED_FILE, or None when absent or stale."""
    try:
        payload = json.loads((directory / COMPILED_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("digest") != digest:
        return None
    documents = payload.get("documents")
    if not isinstance(documents, dict):
        return None
    found = {name: documents.get(name) for name in MAPPING_FILES}
    if not all(isinstance(doc, dict) for doc in found.values()):
        return None
    return {name: doc for name, doc in found.items() if isinstance(doc, dict)}


def _existing_dir(path: Path, origin: str) -> Path:
    if not path.is_dir():
        msg = f"{origin}: mappings directory '{path}' does not exist"
        raise MappingError(msg, hint="point it at a directory holding formulae.toml")
    return path


def _packaged_dir() -> Path | None:
    try:
        packaged = resources.files("nixmigrate") / "mappings"
    except ModuleNotFoundError:  # pragma: no cover - the package is importable here
        return None
    return Path(str(packaged))


def _checkout_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "mappings"


def _looks_like_mappings(path: Path) -> bool:
    return (path / "formulae.toml").is_file()


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        msg = f"{path}: mapping file is missing"
        raise MappingError(
            msg, hint="a mappings directory needs all of " + ", ".join(MAPPING_FILES)
        ) from None
    except OSError as err:
        msg = f"{path}: cannot read mapping file ({err.strerror})"
        raise MappingError(msg) from err


def _parse(path: Path, data: bytes) -> dict[str, object]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        msg = f"{path}: not UTF-8 text ({err.reason})"
        raise MappingError(msg) from err
    except tomllib.TOMLDecodeError as err:
        msg = f"{path}: invalid TOML: {err}"
        raise MappingError(msg) from err


def _entries_of(
    path: Path, kind: EntryKind, document: Mapping[str, object]
) -> dict[str, MappingEntry]:
    _check_schema_version(path, document)
    unknown = sorted(set(document) - {"schema_version", kind})
    if unknown:
        msg = f"{path}: unknown top-level key(s) {', '.join(unknown)}"
        raise MappingError(msg, hint=f"this file holds only [{kind}.NAME] tables")
    table = document.get(kind, {})
    if not isinstance(table, dict):
        msg = f"{path}: [{kind}] must be a table of [{kind}.NAME] tables"
        raise MappingError(msg)
    entries: dict[str, MappingEntry] = {}
    for name, raw in table.items():
        entry = _entry(path, kind, name, raw)
        key = tap_key(name) if kind == "tap" else name
        if key in entries:
            msg = f"{path}: [{kind}.{name}] repeats [{kind}.{entries[key].name}]"
            raise MappingError(msg, hint="tap names compare case-insensitively")
        entries[key] = entry
    return entries


def _entry(path: Path, kind: EntryKind, name: str, raw: object) -> MappingEntry:
    if not isinstance(raw, dict):
        msg = f"{path}: [{kind}.{name}] must be a table, got {raw!r}"
        raise MappingError(msg)
    return entry_from_toml(kind, name, raw, str(path))


def _check_schema_version(path: Path, document: Mapping[str, object]) -> None:
    version = document.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        msg = f"{path}: schema_version must be an integer, got {version!r}"
        raise MappingError(
            msg, hint=f"start the file with schema_version = {MAPPINGS_SCHEMA}"
        )
    if version != MAPPINGS_SCHEMA:
        msg = (
            f"{path}: schema_version {version} is not supported "
            f"(this nixmigrate reads {MAPPINGS_SCHEMA})"
        )
        raise MappingError(msg, hint="use the mappings that ship with this nixmigrate")
