"""Statements: the lexer's tokens grouped one per logical line, as Ruby would.

`;` and `then` end a statement too, and a line that starts with a Brewfile command
starts a new one even when the line before looks unfinished.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from nixmigrate.scan.brewfile.lexer import Statement, Token

# A line starting with one of these begins a new statement even when the line
# before looks unfinished; one unclosed bracket must not swallow the file.
STATEMENT_STARTERS: Final = frozenset(
    {
        "tap", "brew", "cask", "cask_args", "mas", "vscode", "go", "cargo", "uv",
        "npm", "flatpak", "whalebrew", "if", "unless", "elsif", "else", "end",
        "instance_eval", "eval", "def", "case", "when", "begin", "rescue",
    }
)  # fmt: skip
_CONTINUES_AFTER: Final = frozenset({",", "=>", "&&", "||", "=", "+", ".", "&.", "::"})
_OPENERS: Final = frozenset({"(", "[", "{"})
_CLOSERS: Final = frozenset({")", "]", "}"})
# Keywords that end the statement before them and start a statement of their own,
# so `if OS.mac? then brew "x" else brew "y" end` splits like its multi-line form.
_SELF_STANDING: Final = frozenset({"else", "end"})


def split_statements(text: str, tokens: Sequence[Token]) -> list[Statement]:
    """Group tokens into statements: one per logical line, `;` and `then` included."""
    return [
        _statement(text, group)
        for group in _StatementSplitter(tokens).groups()
        if group
    ]


def _statement(text: str, group: list[Token]) -> Statement:
    return Statement(
        tuple(group), group[0].line, text[group[0].start : group[-1].end].strip()
    )


class _StatementSplitter:
    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tokens
        self.current: list[Token] = []
        self.depth = 0
        self.next_line_start = _first_tokens_after_newlines(tokens)

    def groups(self) -> Iterator[list[Token]]:
        for index, token in enumerate(self.tokens):
            if token.kind == "newline":
                if not self._continues(index):
                    yield self._cut()
            elif self._is_separator(token):
                yield self._cut()
            elif self._is_keyword(token, *_SELF_STANDING) and self.depth == 0:
                yield self._cut()
                self.current.append(token)
                yield self._cut()
            else:
                self._track_depth(token)
                self.current.append(token)
        yield self._cut()

    def _cut(self) -> list[Token]:
        group, self.current, self.depth = self.current, [], 0
        return group

    def _is_separator(self, token: Token) -> bool:
        semicolon = token.is_punct(";") and self.depth == 0
        return semicolon or self._is_keyword(token, "then")

    def _is_keyword(self, token: Token, *names: str) -> bool:
        after_dot = bool(self.current) and self.current[-1].is_punct(".", "&.")
        return token.is_ident(*names) and not after_dot

    def _track_depth(self, token: Token) -> None:
        if token.is_punct(*_OPENERS):
            self.depth += 1
        elif token.is_punct(*_CLOSERS):
            self.depth = max(0, self.depth - 1)

    def _continues(self, newline_index: int) -> bool:
        if not self.current:
            return False
        unfinished = self.depth > 0 or self.current[-1].is_punct(*_CONTINUES_AFTER)
        if self.current[-1].is_ident("and", "or", "not"):
            unfinished = True
        return unfinished and not self._next_line_starts_statement(newline_index)

    def _next_line_starts_statement(self, newline_index: int) -> bool:
        upcoming = self.next_line_start[newline_index]
        return upcoming is not None and upcoming.is_ident(*STATEMENT_STARTERS)


def _first_tokens_after_newlines(tokens: Sequence[Token]) -> list[Token | None]:
    """For each position, the first token after it that is not a newline."""
    following: list[Token | None] = [None] * len(tokens)
    upcoming: Token | None = None
    for index in range(len(tokens) - 1, -1, -1):
        following[index] = upcoming
        if tokens[index].kind != "newline":
            upcoming = tokens[index]
    return following
