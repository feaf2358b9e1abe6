"""Read back which attribute paths a Nix module assigns (for the option check).

Enough of Nix to walk a module: `{ args }:` headers, `let ... in`, attribute sets
(nested and dotted paths, quoted names, `inherit`), lists (`*` for an element that
is an attribute set), strings with `${...}` inside, indented strings and comments.
Any other value is a leaf: its path is reported and its inside is not looked at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

OptionPath = tuple[str, ...]
DYNAMIC: Final = "<dynamic>"
LIST_ITEM: Final = "*"

_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_'-]*")
_SPACE: Final = re.compile(r"(?:\s+|#[^\n]*|/\*.*?\*/)+", re.DOTALL)
_NUMBER_OR_PATH: Final = re.compile(r"[A-Za-z0-9._+~/-]+|<[A-Za-z0-9._+/-]+>")
_PUNCT: Final = (
    "...",
    "${",
    "==",
    "!=",
    "<=",
    ">=",
    "&&",
    "||",
    "->",
    "//",
    "++",
)
_OPEN_CLOSE: Final = {"{": "}", "[": "]", "(": ")", "${": "}"}


class NixScanError(ValueError):
    """The source is not something this reader understands (or not valid Nix)."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "ident", "string", "punct", "other"
    text: str
    value: str | None = None  # a string's value when it has no interpolation


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        space = _SPACE.match(source, pos)
        if space:
            pos = space.end()
            continue
        token, pos = _next_token(source, pos)
        tokens.append(token)
    return tokens


def _next_token(source: str, pos: int) -> tuple[Token, int]:
    char = source[pos]
    if char == '"':
        end, value = _skip_string(source, pos + 1)
        return Token("string", source[pos:end], value), end
    if source.startswith("''", pos):
        end = _skip_indented_string(source, pos + 2)
        return Token("other", source[pos:end]), end
    path = _NUMBER_OR_PATH.match(source, pos)
    if path and path.group().startswith(("./", "~/", "../")):
        return Token("other", path.group()), path.end()
    ident = _IDENT.match(source, pos)
    if ident:
        return Token("ident", ident.group()), ident.end()
    for punct in _PUNCT:
        if source.startswith(punct, pos):
            return Token("punct", punct), pos + len(punct)
    if path and (char.isdigit() or char in "/<"):
        return Token("other", path.group()), path.end()
    return Token("punct", char), pos + 1


def _skip_string(source: str, pos: int) -> tuple[int, str | None]:
    """Past the closing quote of a "..." string; its value if it is a plain literal."""
    parts: list[str] = []
    plain = True
    while pos < len(source):
        char = source[pos]
        if char == "\\":
            parts.append(
                {"n": "\n", "t": "\t", "r": "\r"}.get(source[pos + 1], source[pos + 1])
            )
            pos += 2
        elif char == '"':
            return pos + 1, "".join(parts) if plain else None
        elif source.startswith("${", pos):
            pos = _skip_interpolation(source, pos + 2)
            plain = False
        else:
            parts.append(char)
            pos += 1
    msg = "unterminated string"
    raise NixScanError(msg)


def _skip_indented_string(source: str, pos: int) -> int:
    while pos < len(source):
        if source.startswith("'''", pos) or source.startswith("''$", pos):
            pos += 3
        elif source.startswith("''\\", pos):
            pos += 4
        elif source.startswith("''", pos):
            return pos + 2
        elif source.startswith("${", pos):
            pos = _skip_interpolation(source, pos + 2)
        else:
            pos += 1
    msg = "unterminated indented string"
    raise NixScanError(msg)


def _skip_interpolation(source: str, pos: int) -> int:
    depth = 1
    while depth:
        space = _SPACE.match(source, pos)
        if space:
            pos = space.end()
            continue
        if pos >= len(source):
            msg = "unterminated ${ ... }"
            raise NixScanError(msg)
        token, pos = _next_token(source, pos)
        if token.text in ("{", "${"):
            depth += 1
        elif token.text == "}":
            depth -= 1
    return pos


class _Reader:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            msg = "unexpected end of file"
            raise NixScanError(msg)
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            msg = f"expected '{text}', found '{token.text}'"
            raise NixScanError(msg)

    def matching(self, index: int) -> int:
        """Index of the token closing the bracket at `index`."""
        closer = _OPEN_CLOSE[self.tokens[index].text]
        stack = [closer]
        for i in range(index + 1, len(self.tokens)):
            text = self.tokens[i].text
            if text in _OPEN_CLOSE:
                stack.append(_OPEN_CLOSE[text])
            elif text in ("}", "]", ")"):
                if text != stack.pop():
                    msg = f"unbalanced '{text}'"
                    raise NixScanError(msg)
                if not stack:
                    return i
        msg = f"unclosed '{self.tokens[index].text}'"
        raise NixScanError(msg)

    def after(self, index: int) -> Token | None:
        return self.tokens[index + 1] if index + 1 < len(self.tokens) else None


def assigned_paths(source: str) -> tuple[OptionPath, ...]:
    """Every attribute path the module's top-level attribute set assigns a value to."""
    reader = _Reader(tokenize(source))
    _skip_header(reader)
    token = reader.peek()
    if token is None or token.text != "{":
        msg = "the module is not an attribute set"
        raise NixScanError(msg)
    return tuple(_attrset(reader, ()))


def _skip_header(reader: _Reader) -> None:
    """Skip `{ a, b, ... }:`, `args:`, `args@{ ... }:` and `let ... in`."""
    while True:
        token = reader.peek()
        if token is None:
            return
        if token.text == "{" and _is_pattern(reader, reader.pos):
            reader.pos = reader.matching(reader.pos) + 1
            _skip_lambda_tail(reader)
        elif token.kind == "ident" and token.text == "let":
            _skip_let(reader)
        elif (
            token.kind == "ident" and (nxt := reader.peek(1)) and nxt.text in (":", "@")
        ):
            reader.pos += 1
            _skip_lambda_tail(reader)
        else:
            return


def _skip_lambda_tail(reader: _Reader) -> None:
    token = reader.take()
    if token.text == "@":
        reader.take()  # the name, or the pattern
        if reader.tokens[reader.pos - 1].text == "{":
            reader.pos = reader.matching(reader.pos - 1) + 1
        reader.expect(":")
    elif token.text != ":":
        msg = f"expected ':' after function arguments, found '{token.text}'"
        raise NixScanError(msg)


def _skip_let(reader: _Reader) -> None:
    reader.take()
    depth = 0
    while True:
        token = reader.take()
        if token.text in _OPEN_CLOSE:
            depth += 1
        elif token.text in ("}", "]", ")"):
            depth -= 1
        elif depth == 0 and token.kind == "ident" and token.text == "in":
            return


def _is_pattern(reader: _Reader, index: int) -> bool:
    after = reader.after(reader.matching(index))
    return after is not None and after.text in (":", "@")


def _attrset(reader: _Reader, prefix: OptionPath) -> Iterator[OptionPath]:
    """Paths inside the attribute set starting at the current `{`.

    A set that assigns nothing itself (`{ }`, `{ inherit x; }`) is one value.
    """
    end = reader.matching(reader.pos)
    reader.pos += 1
    found = False
    while reader.pos < end:
        token = reader.peek()
        if token is not None and token.text == "inherit":
            reader.pos = _statement_end(reader, end) + 1
            continue
        path = _attr_path(reader)
        reader.expect("=")
        for inner in _value(reader, (*prefix, *path), end):
            found = True
            yield inner
    if not found and prefix:
        yield prefix
    reader.pos = end + 1


def _attr_path(reader: _Reader) -> OptionPath:
    parts = [_attr_name(reader)]
    while (token := reader.peek()) is not None and token.text == ".":
        reader.take()
        parts.append(_attr_name(reader))
    return tuple(parts)


def _attr_name(reader: _Reader) -> str:
    token = reader.take()
    if token.kind == "ident":
        return token.text
    if token.kind == "string":
        return token.value if token.value is not None else DYNAMIC
    if token.text == "${":
        reader.pos = reader.matching(reader.pos - 1) + 1
        return DYNAMIC
    msg = f"expected an attribute name, found '{token.text}'"
    raise NixScanError(msg)


def _statement_end(reader: _Reader, limit: int) -> int:
    """Index of the `;` ending the binding that starts at the current position."""
    index = reader.pos
    while index < limit:
        text = reader.tokens[index].text
        if text in _OPEN_CLOSE:
            index = reader.matching(index) + 1
        elif text == ";":
            return index
        else:
            index += 1
    msg = "missing ';' in attribute set"
    raise NixScanError(msg)


def _value(reader: _Reader, path: OptionPath, limit: int) -> Iterator[OptionPath]:
    start = reader.pos
    end = _statement_end(reader, limit)
    first = reader.tokens[start]
    if first.text in ("{", "[") and reader.matching(start) == end - 1:
        if first.text == "{":
            yield from _attrset(reader, path)
        else:
            yield from _list(reader, path)
    else:
        yield path
    reader.pos = end + 1


def _list(reader: _Reader, path: OptionPath) -> Iterator[OptionPath]:
    end = reader.matching(reader.pos)
    index = reader.pos + 1
    elements = False
    while index < end:
        text = reader.tokens[index].text
        if text == "{" and not _is_pattern(reader, index):
            reader.pos = index
            yield from _attrset(reader, (*path, LIST_ITEM))
            elements = True
            index = reader.pos
        elif text in _OPEN_CLOSE:
            index = reader.matching(index) + 1
        else:
            index += 1
    if not elements:
        yield path
    reader.pos = end + 1
