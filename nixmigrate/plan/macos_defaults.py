"""macOS `defaults` values -> nix-darwin `system.defaults.<group>.<name>` values.

Only keys that mappings/macos-defaults.toml maps to an active nix-darwin option are
emitted, and only when the value fits the option's type. Everything else comes back
as a line in `unsupported` (domain, key and why), never in the result.

Values are coerced the way macOS itself reads preferences, and no further:
- bool: a plist boolean, the integers 0/1, or the strings YES/NO, true/false, 1/0
  (`defaults write` without a type flag stores a string);
- int: an integer, a real with no fraction, or a string of digits; bounds are checked;
- float: an integer or a real, or a numeric string;
- string: a string; path: a string starting with `/`;
- enum: the value (coerced to the enum's kind, int or string) must be one of `values`.
Options whose value nix-darwin translates before writing it (e.g. Finder's
NewWindowTarget "PfHm" <- "Home") are first looked up in the option's `decode` pairs.
A boolean is never taken for a number, and a string only when it is all number.

When one option is written to several domains (the built-in and the Bluetooth
trackpad), the first domain in the table wins, and a different value in another
domain is reported.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator, Mapping
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
_TRUE_WORDS: Final = frozenset({"1", "yes", "true"})
_FALSE_WORDS: Final = frozenset({"0", "no", "false"})
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


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


# ---------------------------------------------------------------- loading the table


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


# ---------------------------------------------------------------- coercing values


class _UnfitValueError(Exception):
    """The value cannot be given to the option; the message says why."""


def describe(value: object) -> str:
    """A short description of a plist value for messages (never a whole blob)."""
    if isinstance(value, bytes):
        return f"data ({len(value)} bytes)"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    if isinstance(value, dict):
        return f"a dictionary of {len(value)} keys"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if _is_int(value) and value in {0, 1}:
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
        return value.strip().lower() in _TRUE_WORDS
    msg = "expects a boolean"
    raise _UnfitValueError(msg)


def _as_int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    msg = "expects an integer"
    raise _UnfitValueError(msg)


def _as_float(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value.strip())
    else:
        msg = "expects a number"
        raise _UnfitValueError(msg)
    if not math.isfinite(number):
        msg = "expects a finite number"
        raise _UnfitValueError(msg)
    return number


def _as_string(value: object) -> str:
    if isinstance(value, str):
        return value
    msg = "expects a string"
    raise _UnfitValueError(msg)


def _as_path(value: object) -> str:
    text = _as_string(value)
    if not text.startswith("/"):
        msg = "expects an absolute path"
        raise _UnfitValueError(msg)
    return text


def _check_bounds(option: DefaultsOption, number: int) -> int:
    if option.minimum is not None and number < option.minimum:
        msg = f"must be at least {option.minimum}"
        raise _UnfitValueError(msg)
    if option.maximum is not None and number > option.maximum:
        msg = f"must be at most {option.maximum}"
        raise _UnfitValueError(msg)
    return number


def _as_enum(option: DefaultsOption, value: object) -> Scalar:
    numeric = all(_is_int(v) for v in option.values)
    member: Scalar = _as_int(value) if numeric else _as_string(value)
    if member not in option.values:
        allowed = ", ".join(repr(v) for v in option.values)
        msg = f"must be one of {allowed}"
        raise _UnfitValueError(msg)
    return member


def _same_plist_value(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def _decoded(option: DefaultsOption, value: object) -> object:
    if not option.decode:
        return value
    for plist_value, option_value in option.decode:
        if _same_plist_value(value, plist_value):
            return option_value
    known = ", ".join(repr(p) for p, _ in option.decode)
    msg = f"has no nix-darwin equivalent (known values: {known})"
    raise _UnfitValueError(msg)


def coerce_value(option: DefaultsOption, value: object) -> Scalar:
    """The option's value for a plist value; raises _UnfitValueError with the reason."""
    value = _decoded(option, value)
    match option.type:
        case "bool":
            return _as_bool(value)
        case "int":
            return _check_bounds(option, _as_int(value))
        case "float":
            return _as_float(value)
        case "string":
            return _as_string(value)
        case "path":
            return _as_path(value)
        case "enum":
            return _as_enum(option, value)


# ---------------------------------------------------------------- converting domains


@dataclass
class _Converter:
    table: DefaultsTable
    result: SystemDefaults = field(default_factory=dict)
    chosen: dict[tuple[str, str], tuple[str, Scalar]] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)

    def add(self, domain: str, key: str, value: object) -> None:
        option = self.table.lookup(domain, key)
        if option is None:
            self._report(domain, key, self._why_unmapped(domain, key))
            return
        try:
            converted = coerce_value(option, value)
        except _UnfitValueError as err:
            self._report(domain, key, f"{describe(value)} {err} ({option.option})")
            return
        self._keep(option, converted)

    def _why_unmapped(self, domain: str, key: str) -> str:
        skipped = self.table.not_converted_for(domain, key)
        if skipped is None:
            return "no nix-darwin option"
        return f"system.defaults.{skipped.option}: {skipped.reason}; set it by hand"

    def _keep(self, option: DefaultsOption, value: Scalar) -> None:
        earlier = self.chosen.get((option.group, option.name))
        if earlier is None:
            self.chosen[(option.group, option.name)] = (option.domain, value)
            self.result.setdefault(option.group, {})[option.name] = value
        elif not _same_plist_value(earlier[1], value):
            why = f"{describe(value)} differs from {earlier[0]} (kept {earlier[1]!r})"
            self._report(option.domain, option.key, why)

    def _report(self, domain: str, key: str, why: str) -> None:
        self.unsupported.append(f"{domain} '{key}': {why}")


def _domains_in_table_order(
    raw: Mapping[str, Mapping[str, object]], table: DefaultsTable
) -> Iterator[str]:
    known = [d for d in table.domains if d in raw]
    yield from known
    yield from (d for d in raw if d not in known)


def defaults_to_system_defaults(
    raw: Mapping[str, Mapping[str, object]], table: DefaultsTable
) -> tuple[SystemDefaults, tuple[str, ...]]:
    """{group: {name: value}} for nix-darwin, and one line per key left out."""
    converter = _Converter(table)
    for domain in _domains_in_table_order(raw, table):
        for key, value in raw[domain].items():
            converter.add(domain, key, value)
    return converter.result, tuple(converter.unsupported)
