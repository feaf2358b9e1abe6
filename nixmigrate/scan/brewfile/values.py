"""Literal Ruby values in Brewfile arguments, evaluated without running Ruby.

Only literals are understood (strings, symbols, numbers, true/false/nil, arrays,
hashes, %w lists) plus the few path expressions Brewfiles use to find files:
`ENV["HOME"]`, `Dir.home`, `__dir__`, `File.expand_path`, `File.join`, `+`.
Anything else raises `UnsupportedStatementError`, which the parser turns into a
skipped line.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final, NoReturn, TypeAlias

from nixmigrate.scan.brewfile.lexer import Interpolation, Token

Value: TypeAlias = str | int | float | bool | list["Value"] | dict[str, "Value"] | None

MAX_NESTING: Final = 64
HOME: Final = "~"  # stands for the home directory; the include loader expands it

_ENV_INDEX: Final = re.compile(r"""ENV\s*\[\s*(["'])(?P<name>\w+)\1\s*\]""")
_ENV_FETCH: Final = re.compile(r"""ENV\.fetch\(\s*(["'])(?P<name>\w+)\1\s*(,.*)?\)""")
_DIR_OF_FILE: Final = re.compile(r"(__dir__|File\.dirname\(\s*__FILE__\s*\))")
_BARE_NAME: Final = re.compile(r"[a-z_][A-Za-z0-9_]*")


class UnsupportedStatementError(Exception):
    """A statement holds Ruby that is deliberately not evaluated."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class RubyScope:
    """What an expression can see: its file (for `__dir__`) and local variables."""

    path: str
    source: str
    variables: dict[str, Value] = field(default_factory=dict)

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.path) or "."

    def quote(self, first: Token, last: Token | None = None) -> str:
        return self.source[first.start : (last or first).end]

    @contextmanager
    def bound(self, binding: dict[str, Value]) -> Iterator[None]:
        """Binds loop variables or a helper's parameter while a body is evaluated."""
        saved = {
            name: self.variables[name] for name in binding if name in self.variables
        }
        self.variables.update(binding)
        try:
            yield
        finally:
            for name in binding:
                self.variables.pop(name, None)
            self.variables.update(saved)


@dataclass(frozen=True, slots=True)
class Arguments:
    positional: tuple[Value, ...]
    options: dict[str, Value]


def parse_arguments(tokens: Sequence[Token], scope: RubyScope) -> Arguments:
    """`"name", "url", key: value, :other => value` -> positional + options."""
    cursor = Cursor(tokens, scope)
    positional: list[Value] = []
    options: dict[str, Value] = {}
    while not cursor.at_end():
        key, value = _argument(cursor)
        if key is None:
            positional.append(value)
        else:
            options[key] = value
        if not cursor.at_end():
            cursor.expect_punct(",")
    return Arguments(tuple(positional), options)


def parse_single_value(tokens: Sequence[Token], scope: RubyScope) -> Value:
    cursor = Cursor(tokens, scope)
    value = parse_value(cursor)
    cursor.expect_end()
    return value


class Cursor:
    """A read position in a statement's tokens."""

    def __init__(self, tokens: Sequence[Token], scope: RubyScope) -> None:
        self.tokens = tokens
        self.scope = scope
        self.pos = 0
        self.nesting = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def advance(self) -> Token:
        token = self.peek()
        if token is None:
            msg = "statement ends too early"
            raise UnsupportedStatementError(msg)
        self.pos += 1
        return token

    def accept_punct(self, value: str) -> bool:
        token = self.peek()
        if token is not None and token.is_punct(value):
            self.pos += 1
            return True
        return False

    def expect_punct(self, value: str) -> None:
        if not self.accept_punct(value):
            self.fail(f"expected '{value}'")

    def expect_end(self) -> None:
        if not self.at_end():
            self.fail("expected the end of the statement")

    def fail(self, what: str) -> NoReturn:
        """Raise for the token at the read position, quoting the source."""
        token = self.peek()
        if token is None:
            reason = f"{what} but the statement ends"
        elif token.kind == "error":
            reason = f"cannot read {self.scope.quote(token)!r} (unterminated string?)"
        else:
            rest = _shorten(self.scope.quote(token, self.tokens[-1]))
            reason = f"{what} at {rest!r}"
        raise UnsupportedStatementError(reason)


def _argument(cursor: Cursor) -> tuple[str | None, Value]:
    token = cursor.peek()
    if token is not None and token.kind == "label":
        cursor.advance()
        return token.value, parse_value(cursor)
    value = parse_value(cursor)
    if cursor.accept_punct("=>"):
        if not isinstance(value, str):
            cursor.fail("hash keys must be strings or symbols")
        return value, parse_value(cursor)
    return None, value


def parse_value(cursor: Cursor) -> Value:
    cursor.nesting += 1
    if cursor.nesting > MAX_NESTING:
        msg = "values are nested too deeply"
        raise UnsupportedStatementError(msg)
    value = _primary(cursor)
    while isinstance(value, str) and cursor.accept_punct("+"):
        value += _as_text(cursor, parse_value(cursor))
    cursor.nesting -= 1
    return value


def _as_text(cursor: Cursor, value: Value) -> str:
    if not isinstance(value, str):
        cursor.fail("only strings can be joined with '+'")
    return value


def _primary(cursor: Cursor) -> Value:
    token = cursor.peek()
    if token is None:
        cursor.fail("expected a value")
    if token.kind in ("string", "symbol", "number", "words"):
        cursor.advance()
        return _scalar(cursor, token)
    if token.is_punct("-") and _next_is_number(cursor):
        cursor.advance()
        return _negate(parse_value(cursor))
    if token.is_punct("["):
        return _array(cursor)
    if token.is_punct("{"):
        return _hash(cursor)
    if token.is_punct("("):
        cursor.advance()
        value = parse_value(cursor)
        cursor.expect_punct(")")
        return value
    if token.is_ident("true", "false", "nil"):
        cursor.advance()
        return {"true": True, "false": False, "nil": None}[token.value]
    return _path_expression(cursor, token)


def _next_is_number(cursor: Cursor) -> bool:
    following = cursor.peek(1)
    return following is not None and following.kind == "number"


def _negate(value: Value) -> Value:
    return -value if isinstance(value, int | float) else value


def _scalar(cursor: Cursor, token: Token) -> Value:
    if token.kind == "string":
        return render_string(token, cursor.scope)
    if token.kind == "number":
        return float(token.value) if "." in token.value else int(token.value)
    if token.kind == "words":
        return list(token.words)
    return token.value  # a symbol: :changed -> "changed"


def _array(cursor: Cursor) -> list[Value]:
    cursor.expect_punct("[")
    items: list[Value] = []
    while not cursor.accept_punct("]"):
        items.append(parse_value(cursor))
        if not cursor.accept_punct(","):
            cursor.expect_punct("]")
            break
    return items


def _hash(cursor: Cursor) -> dict[str, Value]:
    cursor.expect_punct("{")
    items: dict[str, Value] = {}
    while not cursor.accept_punct("}"):
        key, value = _argument(cursor)
        if key is None:
            cursor.fail("expected 'key: value' in a hash")
        items[key] = value
        if not cursor.accept_punct(","):
            cursor.expect_punct("}")
            break
    return items


# ---------------------------------------------------------------- strings, paths


def render_string(token: Token, scope: RubyScope, *, strict: bool = False) -> str:
    """The string's text with known interpolations filled in.

    Unknown `#{...}` code stays as written, or raises when strict (a package
    name or an include path must not depend on code that is not run).
    """
    parts: list[str] = []
    for piece in token.pieces:
        if isinstance(piece, str):
            parts.append(piece)
            continue
        known = _interpolate(piece, scope)
        if known is None and strict:
            msg = f"'#{{{piece.code}}}' in {scope.quote(token)} is computed at run time"
            raise UnsupportedStatementError(msg)
        parts.append(f"#{{{piece.code}}}" if known is None else known)
    return "".join(parts)


def _interpolate(piece: Interpolation, scope: RubyScope) -> str | None:
    code = piece.code
    if code == "Dir.home":
        return HOME
    if env := (_ENV_INDEX.fullmatch(code) or _ENV_FETCH.fullmatch(code)):
        return env_reference(env.group("name"))
    if _DIR_OF_FILE.fullmatch(code):
        return scope.directory
    if _BARE_NAME.fullmatch(code):
        value = scope.variables.get(code)
        return value if isinstance(value, str) else None
    return None


def env_reference(name: str) -> str:
    return HOME if name == "HOME" else f"${{{name}}}"


def _path_expression(cursor: Cursor, token: Token) -> Value:
    """`ENV["X"]`, `Dir.home`, `__dir__`, `File.join(...)`, a local variable."""
    if token.kind in ("ident", "const") and token.value in cursor.scope.variables:
        cursor.advance()
        return cursor.scope.variables[token.value]
    if token.is_ident("__dir__"):
        cursor.advance()
        return cursor.scope.directory
    if token.is_ident("__FILE__"):
        cursor.advance()
        return cursor.scope.path
    if token.kind == "const" and token.value in _CONST_CALLS:
        return _CONST_CALLS[token.value](cursor)
    if token.kind in ("ident", "const"):
        msg = f"{token.value!r} is Ruby code whose value is only known by running it"
        raise UnsupportedStatementError(msg)
    if token.kind == "code":
        literal = _shorten(cursor.scope.quote(token))
        msg = f"{literal!r} is Ruby code whose value is only known by running it"
        raise UnsupportedStatementError(msg)
    cursor.fail("expected a value")


def _env(cursor: Cursor) -> str:
    cursor.advance()
    if cursor.accept_punct("["):
        name = parse_value(cursor)
        cursor.expect_punct("]")
    else:
        _expect_method(cursor, "fetch")
        name = _call_arguments(cursor)[0]
    if not isinstance(name, str):
        cursor.fail("ENV is indexed by a string")
    return env_reference(name)


def _dir(cursor: Cursor) -> str:
    cursor.advance()
    _expect_method(cursor, "home")
    return HOME


def _file(cursor: Cursor) -> str:
    cursor.advance()
    method = _expect_method(cursor, "expand_path", "join", "dirname")
    arguments = [_as_text(cursor, a) for a in _call_arguments(cursor)]
    if method == "join":
        return posixpath.join(*arguments) if arguments else ""
    if method == "dirname":
        return posixpath.dirname(arguments[0]) if arguments else ""
    return _expand_path(arguments, cursor.scope)


def _expand_path(arguments: list[str], scope: RubyScope) -> str:
    """File.expand_path(name, base): `~` stays for the loader; the base defaults
    to the Brewfile's directory (brew bundle is normally run beside it)."""
    if not arguments:
        return scope.directory
    name = arguments[0]
    if name.startswith(("/", HOME, "$")):
        return posixpath.normpath(name) if name.startswith("/") else name
    base = arguments[1] if len(arguments) > 1 else scope.directory
    return posixpath.normpath(posixpath.join(base, name))


def _expect_method(cursor: Cursor, *names: str) -> str:
    """The method called on the constant just read, if it is one of names."""
    receiver = cursor.tokens[cursor.pos - 1].value
    if not (cursor.accept_punct(".") or cursor.accept_punct("::")):
        cursor.fail(f"expected a method call on {receiver}")
    token = cursor.peek()
    if token is None or not token.is_ident(*names):
        called = f"{receiver}.{token.value}" if token else receiver
        msg = f"{called!r} is Ruby code whose value is only known by running it"
        raise UnsupportedStatementError(msg)
    cursor.advance()
    return token.value


def _call_arguments(cursor: Cursor) -> list[Value]:
    """`(a, b)` or, without parentheses, the rest of the statement."""
    if not cursor.accept_punct("("):
        return [parse_value(cursor)]
    values: list[Value] = []
    while not cursor.accept_punct(")"):
        values.append(parse_value(cursor))
        if not cursor.accept_punct(","):
            cursor.expect_punct(")")
            break
    if not values:
        cursor.fail("expected an argument")
    return values


_CONST_CALLS: Final = {"ENV": _env, "Dir": _dir, "File": _file}


def _shorten(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
