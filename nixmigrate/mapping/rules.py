"""Name rules: versioned formulae, Homebrew aliases, renames and moves, `user/tap/name`.

The data lives next to the curated database: `versioned.toml` (family -> nixpkgs
attribute per version) and `brew-names.toml` (generated from Homebrew's own alias and
rename tables by scripts/build_brew_names.py). Both are optional: without them the
rules simply find nothing.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from nixmigrate.errors import MappingError

VERSIONED_FILE: Final = "versioned.toml"
BREW_NAMES_FILE: Final = "brew-names.toml"
RULES_SCHEMA: Final = 1

_VERSIONED_NAME: Final = re.compile(r"^(?P<family>[^@/]+)@(?P<version>\d+(?:\.\d+)*)$")
_NUMERIC_VERSION: Final = re.compile(r"^\d+(?:\.\d+)*$")

Release = tuple[int, ...]
MatchKind = Literal["exact", "series", "latest", "newer"]


@dataclass(frozen=True, slots=True)
class VersionedFamily:
    """One Homebrew family (`python`) and its nixpkgs attribute per version."""

    name: str
    versions: tuple[tuple[Release, str, str], ...]  # (release, "3.12", attr), ascending
    note: str | None = None


@dataclass(frozen=True, slots=True)
class VersionedPick:
    attr: str
    family: str
    requested: str
    chosen: str  # the version key the attribute stands for
    match: MatchKind
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Move:
    """Where an item that left its tap went: to a cask, to a formula, or to a tap."""

    kind: Literal["formula", "cask"]
    name: str
    tap: str


@dataclass(frozen=True, slots=True)
class Rules:
    families: Mapping[str, VersionedFamily] = field(default_factory=dict)
    formula_aliases: Mapping[str, str] = field(default_factory=dict)
    formula_renames: Mapping[str, str] = field(default_factory=dict)
    formula_moved: Mapping[str, str] = field(default_factory=dict)
    formula_executables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    cask_renames: Mapping[str, str] = field(default_factory=dict)
    cask_moved: Mapping[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- loading


def load_rules(directory: Path) -> Rules:
    """Read versioned.toml and brew-names.toml from `directory` (missing: no rules)."""
    families = _families(
        _read_toml(directory / VERSIONED_FILE), directory / VERSIONED_FILE
    )
    names = _read_toml(directory / BREW_NAMES_FILE)
    where = directory / BREW_NAMES_FILE
    formula = _section(names, "formula", where)
    cask = _section(names, "cask", where)
    return Rules(
        families=families,
        formula_aliases=_str_map(formula, "aliases", where),
        formula_renames=_str_map(formula, "renames", where),
        formula_moved=_str_map(formula, "moved", where),
        formula_executables=_list_map(formula, "executables", where),
        cask_renames=_str_map(cask, "renames", where),
        cask_moved=_str_map(cask, "moved", where),
    )


def _read_toml(path: Path) -> dict[str, object]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        msg = f"{path}: cannot read rules: {err}"
        raise MappingError(
            msg, hint="restore the file that ships with nixmigrate"
        ) from err
    version = document.get("schema_version")
    if version != RULES_SCHEMA:
        msg = f"{path}: schema_version {version!r} is not supported"
        raise MappingError(msg, hint=f"this nixmigrate reads {RULES_SCHEMA}")
    return document


def _families(document: Mapping[str, object], path: Path) -> dict[str, VersionedFamily]:
    raw = document.get("family", {})
    if not isinstance(raw, dict):
        msg = f"{path}: [family] must be a table"
        raise MappingError(msg)
    return {name: _family(name, spec, path) for name, spec in raw.items()}


def _family(name: str, spec: object, path: Path) -> VersionedFamily:
    where = f"{path}: [family.{name}]"
    if not isinstance(spec, dict) or not isinstance(spec.get("versions"), dict):
        msg = f"{where} needs a versions table"
        raise MappingError(msg, hint='e.g. versions = { "3.12" = "python312" }')
    rows: list[tuple[Release, str, str]] = []
    for key, attr in spec["versions"].items():
        if not _NUMERIC_VERSION.match(key) or not isinstance(attr, str):
            msg = f"{where}: version {key!r} = {attr!r} is not 'N.N' = 'attr'"
            raise MappingError(msg)
        rows.append((release_of(key), key, attr))
    note = spec.get("note")
    return VersionedFamily(
        name=name,
        versions=tuple(sorted(rows)),
        note=note if isinstance(note, str) else None,
    )


def _section(
    document: Mapping[str, object], key: str, where: Path
) -> dict[str, object]:
    value = document.get(key, {})
    if not isinstance(value, dict):
        msg = f"{where}: [{key}] must be a table"
        raise MappingError(msg)
    return value


def _str_map(section: Mapping[str, object], key: str, where: Path) -> dict[str, str]:
    value = section.get(key, {})
    if not isinstance(value, dict) or not all(
        isinstance(v, str) for v in value.values()
    ):
        msg = f"{where}: [{key}] must map names to names"
        raise MappingError(msg)
    return value


def _list_map(
    section: Mapping[str, object], key: str, where: Path
) -> dict[str, tuple[str, ...]]:
    value = section.get(key, {})
    if not isinstance(value, dict) or not all(
        isinstance(v, list) for v in value.values()
    ):
        msg = f"{where}: [{key}] must map names to lists of names"
        raise MappingError(msg)
    return {name: tuple(str(item) for item in items) for name, items in value.items()}


# ---------------------------------------------------------------- versioned names


def release_of(version: str) -> Release:
    """`3.12.0` -> (3, 12, 0)."""
    return tuple(int(part) for part in version.split("."))


def _same(first: Release, second: Release) -> bool:
    """3 == 3.0 == 3.0.0, but 8.0 is not the 8 series."""
    width = max(len(first), len(second))
    return first + (0,) * (width - len(first)) == second + (0,) * (width - len(second))


def split_versioned(name: str) -> tuple[str, str] | None:
    """`python@3.12` -> ("python", "3.12"); None for names without a numeric version."""
    match = _VERSIONED_NAME.match(name)
    return (match["family"], match["version"]) if match else None


def exact_versioned(rules: Rules, name: str) -> VersionedPick | None:
    """The attribute for exactly this version, or for the series that contains it."""
    found = _family_and_release(rules, name)
    if found is None:
        return None
    family, requested = found
    for release, key, attr in family.versions:
        if _same(release, requested):
            return _pick(family, name, key, attr, "exact")
    for release, key, attr in family.versions:
        if _is_prefix(release, requested):
            return _pick(family, name, key, attr, "series")
    return None


def newer_versioned(rules: Rules, name: str) -> VersionedPick | None:
    """The newest version of a series (`python@3`), else the nearest newer version."""
    found = _family_and_release(rules, name)
    if found is None:
        return None
    family, requested = found
    in_series = [row for row in family.versions if _is_prefix(requested, row[0])]
    if in_series:
        _, key, attr = in_series[-1]
        return _pick(family, name, key, attr, "latest")
    for release, key, attr in family.versions:
        if release > requested and not _same(release, requested):
            return _pick(family, name, key, attr, "newer")
    return None


def family_versions(rules: Rules, name: str) -> tuple[str, ...]:
    """The versions nixpkgs has for the family of `name` (for messages)."""
    split = split_versioned(name)
    family = rules.families.get(split[0]) if split else None
    return tuple(key for _, key, _ in family.versions) if family else ()


def _family_and_release(
    rules: Rules, name: str
) -> tuple[VersionedFamily, Release] | None:
    split = split_versioned(name)
    if split is None or split[0] not in rules.families:
        return None
    return rules.families[split[0]], release_of(split[1])


def _is_prefix(short: Release, long: Release) -> bool:
    return len(short) < len(long) and long[: len(short)] == short


def _pick(
    family: VersionedFamily, name: str, key: str, attr: str, match: MatchKind
) -> VersionedPick:
    requested = name.partition("@")[2]
    return VersionedPick(
        attr=attr,
        family=family.name,
        requested=requested,
        chosen=key,
        match=match,
        note=family.note,
    )


# ---------------------------------------------------------------- other names


def split_tap_name(name: str) -> tuple[str, str] | None:
    """`user/tap/name` -> ("user/tap", "name"); None for a short name."""
    parts = name.split("/")
    if len(parts) != 3 or not all(parts):
        return None
    return f"{parts[0]}/{parts[1]}", parts[2]


def moved(rules: Rules, kind: Literal["formula", "cask"], name: str) -> Move | None:
    """Where a formula or cask went when it left its tap (`homebrew/cask[/new]`)."""
    table = rules.formula_moved if kind == "formula" else rules.cask_moved
    target = table.get(name)
    if target is None:
        return None
    parts = target.split("/")
    tap = "/".join(parts[:2])
    new_name = parts[2] if len(parts) > 2 else name
    return Move(kind=_kind_in(tap, kind), name=new_name, tap=tap)


def _kind_in(
    tap: str, old_kind: Literal["formula", "cask"]
) -> Literal["formula", "cask"]:
    if tap == "homebrew/cask":
        return "cask"
    if tap == "homebrew/core":
        return "formula"
    return old_kind
