"""The table of macOS `defaults` keys nix-darwin has options for
(mappings/macos-defaults.toml): its model, and reading and checking it.

plan/macos_defaults.py turns the values read from a Mac into those options.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, TypeAlias

from nixmigrate.errors import MappingError

TABLE_FILE: Final = "macos-defaults.toml"
TABLE_SCHEMA: Final = 1

ValueType = Literal["bool", "int", "float", "string", "path", "enum"]
Scalar: TypeAlias = bool | int | float | str
SystemDefaults: TypeAlias = dict[str, dict[str, Scalar]]

_VALUE_TYPES: Final[Mapping[str, ValueType]] = {
    "bool": "bool",
    "int": "int",
    "float": "float",
    "string": "string",
    "path": "path",
    "enum": "enum",
}

_OPTION_KEYS: Final = frozenset(
    {"domain", "key", "group", "name", "type", "values", "minimum", "maximum", "decode"}
)
_NOT_CONVERTED_KEYS: Final = frozenset({"domain", "key", "option", "reason"})


@dataclass(frozen=True, slots=True)
class DefaultsOption:
    """One (domain, key) that nix-darwin's `system.defaults.<group>.<name>` writes."""

    domain: str
    key: str
    group: str
    name: str
    type: ValueType
    values: tuple[Scalar, ...] = ()  # enum members
    minimum: int | None = None
    maximum: int | None = None
    decode: tuple[tuple[Scalar, Scalar], ...] = ()  # (plist value, option value)

    @property
    def option(self) -> str:
        return f"system.defaults.{self.group}.{self.name}"


@dataclass(frozen=True, slots=True)
class NotConverted:
    """A key nix-darwin has an option for, in a shape this converter does not produce."""

    domain: str
    key: str
    option: str
    reason: str


@dataclass(frozen=True, slots=True)
class DefaultsTable:
    options: tuple[DefaultsOption, ...] = ()
    not_converted: tuple[NotConverted, ...] = ()
    source: str = ""
    _by_key: Mapping[tuple[str, str], DefaultsOption] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index = {(o.domain, o.key): o for o in reversed(self.options)}  # first wins
        object.__setattr__(self, "_by_key", index)

    @property
    def domains(self) -> tuple[str, ...]:
        """Every domain to read, in table order."""
        seen = [o.domain for o in self.options] + [n.domain for n in self.not_converted]
        return tuple(dict.fromkeys(seen))

    def lookup(self, domain: str, key: str) -> DefaultsOption | None:
        return self._by_key.get((domain, key))

    def not_converted_for(self, domain: str, key: str) -> NotConverted | None:
        return next(
            (n for n in self.not_converted if (n.domain, n.key) == (domain, key)), None
        )


def _fail(origin: str, problem: str) -> MappingError:
    hint = "regenerate it with scripts/build_macos_defaults.py"
    return MappingError(f"{origin}: {problem}", hint=hint)


def _scalar(raw: object, origin: str, where: str) -> Scalar:
    if isinstance(raw, bool | int | float | str):
        return raw
    raise _fail(origin, f"{where} must be a bool, number or string, not {raw!r}")


def _str_field(raw: Mapping[str, object], name: str, origin: str, where: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value:
        raise _fail(origin, f"{where} needs a non-empty string `{name}`")
    return value


def _int_field(raw: Mapping[str, object], name: str, origin: str) -> int | None:
    value = raw.get(name)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise _fail(origin, f"`{name}` must be an integer, not {value!r}")


def _decode_pairs(
    raw: object, origin: str, where: str
) -> tuple[tuple[Scalar, Scalar], ...]:
    pairs = raw if isinstance(raw, list) else None
    if pairs is None or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise _fail(origin, f"{where} `decode` must be a list of [plist, option] pairs")
    return tuple(
        (_scalar(p[0], origin, where), _scalar(p[1], origin, where)) for p in pairs
    )


def _option_from_toml(raw: object, origin: str, number: int) -> DefaultsOption:
    where = f"[[option]] #{number}"
    if not isinstance(raw, dict):
        raise _fail(origin, f"{where} is not a table")
    unknown = sorted(set(raw) - _OPTION_KEYS)
    if unknown:
        raise _fail(origin, f"{where} has unknown key(s) {', '.join(unknown)}")
    type_name = _str_field(raw, "type", origin, where)
    value_type = _VALUE_TYPES.get(type_name)
    if value_type is None:
        raise _fail(origin, f"{where} has unknown type {type_name!r}")
    values = raw.get("values", [])
    if not isinstance(values, list) or (value_type == "enum") != bool(values):
        raise _fail(origin, f"{where}: `values` is required for (and only for) enum")
    return DefaultsOption(
        domain=_str_field(raw, "domain", origin, where),
        key=_str_field(raw, "key", origin, where),
        group=_str_field(raw, "group", origin, where),
        name=_str_field(raw, "name", origin, where),
        type=value_type,
        values=tuple(_scalar(v, origin, where) for v in values),
        minimum=_int_field(raw, "minimum", origin),
        maximum=_int_field(raw, "maximum", origin),
        decode=_decode_pairs(raw.get("decode", []), origin, where),
    )


def _not_converted_from_toml(raw: object, origin: str, number: int) -> NotConverted:
    where = f"[[not_converted]] #{number}"
    if not isinstance(raw, dict) or set(raw) != _NOT_CONVERTED_KEYS:
        keys = ", ".join(sorted(_NOT_CONVERTED_KEYS))
        raise _fail(origin, f"{where} must have exactly the keys {keys}")
    fields = {k: _str_field(raw, k, origin, where) for k in sorted(_NOT_CONVERTED_KEYS)}
    return NotConverted(**fields)


def _tables(document: Mapping[str, object], name: str, origin: str) -> list[object]:
    raw = document.get(name, [])
    if not isinstance(raw, list):
        raise _fail(origin, f"`{name}` must be an array of tables")
    return raw


def parse_defaults_table(text: str, *, origin: str) -> DefaultsTable:
    """Validate the table's TOML text; any problem raises MappingError naming origin."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _fail(origin, f"is not valid TOML ({err})") from err
    if document.get("schema_version") != TABLE_SCHEMA:
        version = document.get("schema_version")
        raise _fail(origin, f"has unsupported schema_version {version!r}")
    options = tuple(
        _option_from_toml(raw, origin, number)
        for number, raw in enumerate(_tables(document, "option", origin), start=1)
    )
    not_converted = tuple(
        _not_converted_from_toml(raw, origin, number)
        for number, raw in enumerate(_tables(document, "not_converted", origin), 1)
    )
    source = document.get("source", "")
    return DefaultsTable(options, not_converted, str(source))


def load_defaults_table(mappings_dir: Path) -> DefaultsTable:
    """Read and validate `<mappings_dir>/macos-defaults.toml`."""
    path = mappings_dir / TABLE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        msg = f"cannot read {path} ({err.strerror})"
        raise MappingError(
            msg, hint="pass the mappings directory with --mappings"
        ) from err
    return parse_defaults_table(text, origin=str(path))
