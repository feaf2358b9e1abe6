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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from nixmigrate.mapping.macos_defaults import (
    DefaultsOption,
    DefaultsTable,
    Scalar,
    SystemDefaults,
)

_TRUE_WORDS: Final = frozenset({"1", "yes", "true"})
_FALSE_WORDS: Final = frozenset({"0", "no", "false"})
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


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
