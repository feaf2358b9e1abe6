"""Dataclass <-> plain JSON values, for the on-disk snapshots (inventory, checkpoints).

Dataclasses here use only: str, int, float, bool, None, tuples, dicts of JSON values,
enums (by value), Path (as str), unions with None, and other such dataclasses.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

JsonValue = Any
T = TypeVar("T")


def to_plain(value: object) -> JsonValue:
    """Turn a dataclass tree into dicts, lists and scalars."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def from_plain(cls: type[T], raw: JsonValue) -> T:
    """Build `cls` from what `to_plain` produced; missing optional fields use defaults."""
    return typing.cast(T, _convert(cls, raw))


def _convert(tp: object, raw: JsonValue) -> object:
    origin = get_origin(tp)
    if tp is Any:
        return raw
    if origin in (Union, types.UnionType):
        if raw is None:
            return None
        members = [a for a in get_args(tp) if a is not type(None)]
        return _convert(members[0], raw)
    if origin is typing.Literal:
        return raw
    if origin is tuple:
        item_types = get_args(tp)
        item = item_types[0] if item_types else Any
        return tuple(_convert(item, v) for v in (raw or ()))
    if origin in (dict, typing.Mapping) or tp is dict:
        return dict(raw or {})
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _build_dataclass(tp, raw)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(raw)
    if tp is Path:
        return Path(raw)
    return raw


def _build_dataclass(cls: type[Any], raw: JsonValue) -> object:
    if not isinstance(raw, dict):
        msg = f"expected an object for {cls.__name__}, got {type(raw).__name__}"
        raise TypeError(msg)
    hints = get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in raw:
            kwargs[f.name] = _convert(hints[f.name], raw[f.name])
    return cls(**kwargs)
