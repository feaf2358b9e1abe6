"""The shapes of Brewfile statements, on tokens: modifiers, calls, blocks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from nixmigrate.scan.brewfile.lexer import Interpolation, Statement, Token
from nixmigrate.scan.brewfile.values import (
    Cursor,
    RubyScope,
    UnsupportedStatementError,
    Value,
    parse_single_value,
    parse_value,
)

MODIFIERS: Final = frozenset({"if", "unless", "while", "until", "rescue"})

Modifiers = list[tuple[str, Sequence[Token]]]


def top_level_index(tokens: Sequence[Token], keyword: str) -> int | None:
    """Where keyword is used outside brackets and not as a method name."""
    depth = 0
    for index, token in enumerate(tokens):
        depth += _depth_change(token)
        previous = tokens[index - 1] if index else None
        after_dot = previous is not None and previous.is_punct(".", "&.")
        if depth == 0 and token.is_ident(keyword) and not after_dot:
            return index
    return None


def top_level_parts(tokens: Sequence[Token], separator: str) -> list[Sequence[Token]]:
    """`a, f(b, c), d` split at the top-level commas: [a], [f(b, c)], [d]."""
    parts: list[Sequence[Token]] = []
    depth = start = 0
    for index, token in enumerate(tokens):
        depth += _depth_change(token)
        if depth == 0 and token.is_punct(separator):
            parts.append(tokens[start:index])
            start = index + 1
    parts.append(tokens[start:])
    return [part for part in parts if part]


def _depth_change(token: Token) -> int:
    if token.is_punct("(", "[", "{"):
        return 1
    if token.is_punct(")", "]", "}"):
        return -1
    return 0


def split_modifiers(tokens: Sequence[Token]) -> tuple[Sequence[Token], Modifiers]:
    """`brew "x" if OS.mac? unless ENV["CI"]` -> body, [("if", ...), ("unless", ...)]."""
    cuts = _modifier_indices(tokens)
    if not cuts:
        return tokens, []
    modifiers: Modifiers = []
    for start, end in zip(cuts, [*cuts[1:], len(tokens)], strict=True):
        condition = tokens[start + 1 : end]
        if not condition:
            msg = f"'{tokens[start].value}' without a condition"
            raise UnsupportedStatementError(msg)
        modifiers.append((tokens[start].value, condition))
    return tokens[: cuts[0]], modifiers


def _modifier_indices(tokens: Sequence[Token]) -> list[int]:
    """Where `if`/`unless`/... modifiers start, outside brackets and after the body."""
    cuts: list[int] = []
    depth = 0
    for index, token in enumerate(tokens):
        depth += _depth_change(token)
        if index == 0 or depth != 0 or token.kind != "ident":
            continue
        if token.value in MODIFIERS and not tokens[index - 1].is_punct(".", "&."):
            cuts.append(index)
    return cuts


def without_call_parentheses(tokens: Sequence[Token]) -> Sequence[Token]:
    """`("x", args: [...])` -> the tokens inside, when the parentheses hold it all."""
    if not (tokens and tokens[0].is_punct("(") and tokens[-1].is_punct(")")):
        return tokens
    depth = 0
    for index, token in enumerate(tokens):
        depth += _depth_change(token)
        if depth == 0 and index < len(tokens) - 1:
            return tokens  # `("x"), args: []`: the parentheses close early
    return tokens[1:-1]


def first_call_argument(cursor: Cursor) -> Value:
    """`(a)`, `(a, b)` or a bare `a`: the value of a."""
    if cursor.accept_punct("("):
        value = parse_value(cursor)
        while cursor.accept_punct(","):
            parse_value(cursor)  # e.g. an encoding; it does not change the path
        cursor.expect_punct(")")
        return value
    return parse_value(cursor)


def block_parameters(tokens: Sequence[Token], start: int) -> tuple[list[str], int]:
    """`|name, other|` at start -> (["name", "other"], index after the closing |)."""
    if start >= len(tokens) or not tokens[start].is_punct("|"):
        return [], start
    names: list[str] = []
    for index in range(start + 1, len(tokens)):
        token = tokens[index]
        if token.is_punct("|"):
            return names, index + 1
        if token.kind == "ident":
            names.append(token.value)
    return names, len(tokens)


def brace_each_index(tokens: Sequence[Token]) -> int | None:
    """Index of `each` in `LIST.each { |x| ... }` taking the whole statement."""
    for index in range(1, len(tokens) - 2):
        token = tokens[index]
        if (
            token.is_ident("each")
            and tokens[index - 1].is_punct(".")
            and tokens[index + 1].is_punct("{")
            and tokens[-1].is_punct("}")
        ):
            return index
    return None


def loop_values(
    receiver: Sequence[Token], variables: list[str], scope: RubyScope
) -> tuple[str, ...] | None:
    """The strings `%w[a b].each do |name|` iterates over, or None."""
    if len(variables) != 1 or len(receiver) < 3:  # LIST . each
        return None
    if not (receiver[-2].is_punct(".") and receiver[-1].is_ident("each")):
        return None
    try:
        values = parse_single_value(receiver[:-2], scope)
    except UnsupportedStatementError:
        return None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    return tuple(str(value) for value in values)


def mentions(statement: Statement, name: str) -> bool:
    """Does the statement use the local variable name (also inside #{...})?"""
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for token in statement.tokens:
        if token.kind == "ident" and token.value == name:
            return True
        if any(
            isinstance(piece, Interpolation) and pattern.search(piece.code)
            for piece in token.pieces
        ):
            return True
    return False


def quote_tokens(scope: RubyScope, tokens: Sequence[Token]) -> str:
    return scope.quote(tokens[0], tokens[-1]) if tokens else ""


def rest_of(statement: Statement, start: int, scope: RubyScope) -> Statement:
    rest = statement.tokens[start:]
    return Statement(tuple(rest), rest[0].line, quote_tokens(scope, rest))
