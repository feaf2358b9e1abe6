"""The user's own mappings (~/.config/nixmigrate/mappings.toml), which beat the database.

Same tables as the curated files, all kinds in one file:

    [formula.ripgrep]
    nix = "ripgrep"

    [cask.iterm2]
    keep = "cask"
    reason = "I like the auto-updater"

The file is read with tomllib and edited with tomlkit, so the user's comments, layout
and other entries survive `nixmigrate map`.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import tomlkit
from tomlkit.items import Table

from nixmigrate.errors import MappingError
from nixmigrate.mapping.db import MappingDB, tap_key
from nixmigrate.mapping.schema import (
    MAPPINGS_SCHEMA,
    EntryKind,
    MappingEntry,
    entry_from_toml,
)

KINDS: Final[tuple[EntryKind, ...]] = ("formula", "cask", "tap")
_DECISION_KEYS: Final = ("nix", "program", "keep", "skip", "reason")
_KEEP_VALUE: Final[Mapping[EntryKind, str]] = {
    "formula": "brew",
    "cask": "cask",
    "tap": "tap",
}
DEFAULT_KEEP_REASON: Final = "kept in Homebrew by your choice (nixmigrate map --keep)"
_HEADER: Final = (
    "Your own Homebrew -> Nix mappings; they win over nixmigrate's database.",
    "Edit by hand or with `nixmigrate map NAME ATTR` / `nixmigrate map NAME --keep`.",
)


@dataclass(frozen=True, slots=True)
class OverrideChange:
    """What `edit_override` did to one entry."""

    path: Path
    kind: EntryKind
    name: str
    before: MappingEntry | None
    after: MappingEntry


def load_overrides(path: Path) -> MappingDB:
    """The user's overrides as a MappingDB; an absent file is an empty one."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    except OSError as err:
        msg = f"{path}: cannot read your mappings ({err.strerror})"
        raise MappingError(msg, hint="check the file's permissions") from err
    tables = parse_overrides(_decode(path, data), path)
    return MappingDB(
        directory=path.parent,
        digest=hashlib.sha256(data).hexdigest(),
        formulae=tables["formula"],
        casks=tables["cask"],
        taps=tables["tap"],
    )


def parse_overrides(text: str, path: Path) -> dict[EntryKind, dict[str, MappingEntry]]:
    """Validate an override file's text: kind -> name -> entry."""
    document = _toml(text, path)
    _check_top_level(document, path)
    return {kind: _entries(document.get(kind, {}), kind, path) for kind in KINDS}


def edit_override(
    text: str,
    path: Path,
    kind: EntryKind,
    name: str,
    *,
    attr: str | None = None,
    keep: bool = False,
    reason: str | None = None,
) -> tuple[str, OverrideChange]:
    """The override file's `text` with `[kind.name]` set to `nix = attr` or to `keep`,
    everything else kept; and what changed. Writing it is the caller's job."""
    if (attr is None) == (not keep):
        msg = "give either a nixpkgs attribute or keep, not both or neither"
        raise MappingError(msg, hint="nixmigrate map NAME ATTR, or NAME --keep")
    before = parse_overrides(text, path)[kind].get(_key(kind, name))
    document = tomlkit.parse(text) if text else _new_document()
    table = _entry_table(document, kind, name)
    is_new = not table
    wanted = _decision(kind, attr=attr, keep=keep, reason=reason)
    for key in _DECISION_KEYS:
        if key not in wanted:
            table.pop(key, None)
    for key, value in wanted.items():
        table[key] = value  # in place when the key exists: its comment stays
    if is_new:
        table.add(tomlkit.nl())  # a blank line before whatever table comes next
    new_text = tomlkit.dumps(document)
    after = parse_overrides(new_text, path)[kind][_key(kind, name)]
    change = OverrideChange(path=path, kind=kind, name=name, before=before, after=after)
    return new_text, change


def _decision(
    kind: EntryKind, *, attr: str | None, keep: bool, reason: str | None
) -> dict[str, str]:
    if keep:
        return {"keep": _KEEP_VALUE[kind], "reason": reason or DEFAULT_KEEP_REASON}
    wanted = {"nix": attr or ""}
    return wanted | ({"reason": reason} if reason else {})


def _new_document() -> tomlkit.TOMLDocument:
    document = tomlkit.document()
    for line in _HEADER:
        document.add(tomlkit.comment(line))
    document.add("schema_version", MAPPINGS_SCHEMA)
    return document


def _entry_table(document: tomlkit.TOMLDocument, kind: EntryKind, name: str) -> Table:
    if kind not in document:
        document.add(kind, tomlkit.table(is_super_table=True))
    kind_table = document[kind]
    if not isinstance(kind_table, Table):
        msg = f"[{kind}] is not a table"
        raise MappingError(msg, hint=f"write entries as [{kind}.NAME] tables")
    existing = _find_entry(kind_table, kind, name)
    if existing is not None:
        return existing
    created = tomlkit.table()
    kind_table.add(name, created)
    return created


def _find_entry(kind_table: Table, kind: EntryKind, name: str) -> Table | None:
    for key in list(kind_table.keys()):
        if _key(kind, key) == _key(kind, name):
            value = kind_table[key]
            if isinstance(value, Table):
                return value
            msg = f"[{kind}.{key}] is not a table"
            raise MappingError(msg, hint="fix it by hand, then run this again")
    return None


def _key(kind: EntryKind, name: str) -> str:
    return tap_key(name) if kind == "tap" else name


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        msg = f"{path}: not UTF-8 text ({err.reason})"
        raise MappingError(msg, hint="save the file as UTF-8") from err


def _toml(text: str, path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = f"{path}: invalid TOML: {err}"
        raise MappingError(
            msg, hint="fix the line it names, or move the file aside"
        ) from err


def _check_top_level(document: Mapping[str, object], path: Path) -> None:
    version = document.get("schema_version", MAPPINGS_SCHEMA)
    if version != MAPPINGS_SCHEMA:
        msg = f"{path}: schema_version {version!r} is not supported"
        raise MappingError(msg, hint=f"this nixmigrate reads {MAPPINGS_SCHEMA}")
    unknown = sorted(set(document) - {"schema_version", *KINDS})
    if unknown:
        msg = f"{path}: unknown table(s) {', '.join(unknown)}"
        raise MappingError(msg, hint="use [formula.NAME], [cask.NAME] or [tap.NAME]")


def _entries(raw: object, kind: EntryKind, path: Path) -> dict[str, MappingEntry]:
    if not isinstance(raw, dict):
        msg = f"{path}: [{kind}] must hold [{kind}.NAME] tables"
        raise MappingError(msg)
    entries: dict[str, MappingEntry] = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            msg = f"{path}: [{kind}.{name}] must be a table, got {table!r}"
            raise MappingError(msg, hint=f'e.g. [{kind}.{name}] nix = "attr"')
        entries[_key(kind, name)] = entry_from_toml(kind, name, table, str(path))
    return entries
