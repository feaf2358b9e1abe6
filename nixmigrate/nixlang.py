"""Writing values into Nix source: the one place that escapes strings and attribute names.

`json.dumps` is not enough: in a Nix string `${` starts an interpolation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

_PLAIN_ATTR: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_'-]*$")
NIX_KEYWORDS: Final = frozenset(
    {"if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"}
)
_ESCAPES: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def nix_str(value: str) -> str:
    """A double-quoted Nix string literal that evaluates to exactly `value`."""
    body = "".join(_ESCAPES.get(char, char) for char in value)
    return '"' + body.replace("${", "\\${") + '"'


def nix_attr(name: str) -> str:
    """An attribute name as written in Nix: bare when it can be, quoted otherwise."""
    if _PLAIN_ATTR.match(name) and name not in NIX_KEYWORDS:
        return name
    return nix_str(name)


def nix_attr_path(components: Iterable[str]) -> str:
    """`a.b."c d"`: components joined by dots, each one bare or quoted."""
    return ".".join(nix_attr(component) for component in components)


def nix_list(items: Iterable[str]) -> str:
    """A Nix list of already-rendered Nix expressions."""
    inner = " ".join(items)
    return f"[ {inner} ]" if inner else "[ ]"


# A Nix path literal: segments of these characters, at least one slash.
_PATH_SEGMENT: Final = re.compile(r"^[A-Za-z0-9._+-]+$")
_INDENT: Final = "  "
_INLINE_LIST_LIMIT: Final = 72


def nix_str_interpolated(expr: str, suffix: str) -> str:
    """`"${expr}suffix"`: a string that starts with a Nix expression we wrote ourselves.

    `expr` is trusted Nix source (e.g. `config.home.homeDirectory`); `suffix` is user
    data and escaped exactly as `nix_str` escapes it, so `${` inside it stays literal.
    """
    return '"${' + expr + "}" + nix_str(suffix)[1:]


def nix_path(relative: str) -> str:
    """A path relative to the file being written: `./hosts/mac`, `../../home/common.nix`.

    Falls back to `(./. + "/...")` when a segment cannot appear in a path literal.
    """
    segments = [s for s in relative.split("/") if s not in ("", ".")]
    if not segments:
        return "./."
    if all(_PATH_SEGMENT.match(s) for s in segments):
        prefix = "" if segments[0] == ".." else "./"
        return prefix + "/".join(segments)
    return "(./. + " + nix_str("/" + "/".join(segments)) + ")"


def nix_value(value: object, level: int = 0) -> str:
    """A JSON-like value as Nix source: attrsets (keys sorted), lists, scalars, null.

    Nested lines are indented for a value that starts `level` levels deep, so a
    template can write `key = {{ value | nix_value(1) }};` inside one attrset.
    """
    if isinstance(value, Mapping):
        return _nix_attrset(value, level)
    if isinstance(value, list | tuple):
        return _nix_list_value(value, level)
    return _nix_scalar(value)


def _nix_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"({value})" if value < 0 else str(value)
    if isinstance(value, float):
        return _nix_float(value)
    if isinstance(value, str):
        return nix_str(value)
    msg = f"cannot write a {type(value).__name__} as a Nix value: {value!r}"
    raise TypeError(msg)


def _nix_float(value: float) -> str:
    if not math.isfinite(value):
        msg = f"Nix has no literal for the float {value!r}"
        raise ValueError(msg)
    text = repr(abs(value))
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:  # Nix needs the dot: `1e-05` would not lex as a float
        mantissa += ".0"
    literal = mantissa + (e + exponent if e else "")
    return f"(-{literal})" if value < 0 else literal


def _nix_attrset(value: Mapping[object, object], level: int) -> str:
    if not value:
        return "{ }"
    for key in value:
        if not isinstance(key, str):
            msg = f"attribute names must be strings, not {key!r}"
            raise TypeError(msg)
    inner = _INDENT * (level + 1)
    lines = [
        f"{inner}{nix_attr(str(key))} = {nix_value(value[key], level + 1)};"
        for key in sorted(value, key=str)
    ]
    return "{\n" + "\n".join(lines) + "\n" + _INDENT * level + "}"


def _nix_list_value(items: Sequence[object], level: int) -> str:
    if not items:
        return "[ ]"
    scalars = not any(isinstance(i, Mapping | list | tuple) for i in items)
    if scalars:
        inline = nix_list(_nix_scalar(i) for i in items)
        if len(inline) <= _INLINE_LIST_LIMIT:
            return inline
    inner = _INDENT * (level + 1)
    lines = [inner + nix_value(item, level + 1) for item in items]
    return "[\n" + "\n".join(lines) + "\n" + _INDENT * level + "]"
