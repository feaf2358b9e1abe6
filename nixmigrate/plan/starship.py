"""starship.toml -> home-manager `programs.starship.settings` (plain nested values).

The file is parsed with tomlkit so tables and keys keep the user's order. tomlkit's
own `unwrap()` has returned tomlkit objects in some versions, so the conversion to
plain dict/list/str/int/float/bool is done here, one value kind at a time. TOML dates
and times (which Nix cannot express and starship never reads) become ISO 8601 strings.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from typing import TypeAlias

import tomlkit
from tomlkit.exceptions import ParseError, TOMLKitError
from tomlkit.items import Bool

from nixmigrate.errors import NixmigrateError

_HINT = "fix the TOML syntax, or keep starship.toml as a mutable link"

PlainValue: TypeAlias = (
    str | int | float | bool | list["PlainValue"] | dict[str, "PlainValue"]
)


def _plain(value: object, where: str) -> PlainValue:
    """One tomlkit (or Python) value as a plain Python value."""
    if isinstance(value, Bool):
        return bool(value.value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return "".join(value)  # a plain str, even from a str subclass
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    msg = f"{where} has a value nixmigrate cannot convert ({type(value).__name__})"
    raise NixmigrateError(msg, hint=_HINT)


def _where_and_why(text: str, err: TOMLKitError) -> str:
    """The parse error with its line: tomlkit's ParseError says "at line L col C";
    for errors without one (a repeated key) the stdlib parser's message is used."""
    if isinstance(err, ParseError):
        return str(err)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as stdlib_err:
        return str(stdlib_err)
    return str(err)


def starship_to_settings(text: str, *, origin: str) -> dict[str, PlainValue]:
    """Parse starship.toml text; invalid TOML raises an error naming origin and line."""
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as err:
        msg = f"{origin} is not valid TOML: {_where_and_why(text, err)}"
        raise NixmigrateError(msg, hint=_HINT) from err
    return {str(k): _plain(v, f"{origin}: {k}") for k, v in document.items()}
