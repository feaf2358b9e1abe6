"""One entry of the mapping database (mappings/*.toml or the user's override file).

An entry says exactly one of: `nix` (a nixpkgs attribute), `program` (a home-manager
`programs.<name>` module; `nix` may name its package), `keep` (stay in Homebrew, with a
reason) or `skip` (not needed under Nix, with a reason). Unknown keys are errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from nixmigrate.errors import MappingError

EntryKind = Literal["formula", "cask", "tap"]
KeepTarget = Literal["brew", "cask", "tap"]

MAPPINGS_SCHEMA: Final = 1
PLATFORMS: Final = frozenset({"darwin", "linux"})
_KEYS: Final = frozenset(
    {"nix", "program", "keep", "skip", "reason", "platforms", "unfree", "note"}
)
_KEEP_FOR_KIND: Final[Mapping[str, frozenset[str]]] = {
    "formula": frozenset({"brew"}),
    "cask": frozenset({"cask"}),
    "tap": frozenset({"tap"}),
}


@dataclass(frozen=True, slots=True)
class MappingEntry:
    kind: EntryKind
    name: str
    nix: str | None = None
    program: str | None = None
    keep: KeepTarget | None = None
    skip: bool = False
    reason: str | None = None
    platforms: tuple[str, ...] = ()  # empty: everywhere
    unfree: bool = False
    note: str | None = None


def entry_from_toml(
    kind: EntryKind, name: str, raw: Mapping[str, object], origin: str
) -> MappingEntry:
    """Validate one `[formula.NAME]` / `[cask.NAME]` / `[tap.NAME]` table."""
    where = f"{origin}: [{kind}.{name}]"
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        msg = f"{where} has unknown key(s) {', '.join(unknown)}"
        raise MappingError(msg, hint=f"allowed keys: {', '.join(sorted(_KEYS))}")
    entry = MappingEntry(
        kind=kind,
        name=name,
        nix=_opt_str(raw, "nix", where),
        program=_opt_str(raw, "program", where),
        keep=_keep(raw, kind, where),
        skip=_bool(raw, "skip", where),
        reason=_opt_str(raw, "reason", where),
        platforms=_platforms(raw, where),
        unfree=_bool(raw, "unfree", where),
        note=_opt_str(raw, "note", where),
    )
    _check_one_decision(entry, where)
    return entry


def _check_one_decision(entry: MappingEntry, where: str) -> None:
    decisions = [
        entry.nix is not None or entry.program is not None,
        entry.keep is not None,
        entry.skip,
    ]
    if sum(decisions) != 1:
        msg = f"{where} must set exactly one of nix/program, keep, skip"
        raise MappingError(msg, hint='e.g. nix = "ripgrep" or keep = "brew"')
    if (entry.keep is not None or entry.skip) and not entry.reason:
        msg = f"{where} needs a reason for keep/skip"
        raise MappingError(msg, hint='add reason = "why it stays out of Nix"')


def _opt_str(raw: Mapping[str, object], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        msg = f"{where}: {key} must be a non-empty string, got {value!r}"
        raise MappingError(msg)
    return value


def _bool(raw: Mapping[str, object], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        msg = f"{where}: {key} must be true or false, got {value!r}"
        raise MappingError(msg)
    return value


def _keep(raw: Mapping[str, object], kind: EntryKind, where: str) -> KeepTarget | None:
    value = raw.get("keep")
    if value is None:
        return None
    allowed = _KEEP_FOR_KIND[kind]
    if value not in allowed:
        msg = f"{where}: keep must be {' or '.join(sorted(allowed))}, got {value!r}"
        raise MappingError(msg)
    target: KeepTarget = (
        "brew" if value == "brew" else "cask" if value == "cask" else "tap"
    )
    return target


def _platforms(raw: Mapping[str, object], where: str) -> tuple[str, ...]:
    value = raw.get("platforms", [])
    if not isinstance(value, list) or any(p not in PLATFORMS for p in value):
        msg = f"{where}: platforms must be a list of {sorted(PLATFORMS)}, got {value!r}"
        raise MappingError(msg)
    return tuple(str(p) for p in value)
