"""Tokens of the Ruby subset that Brewfiles are written in (statements.py groups them).

The lexer never fails: text it does not understand becomes an `error` token, and
the statement that holds it is reported as skipped by the parser. Strings never
span lines, so one missing quote spoils one line, not the rest of the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, Literal

TokenKind = Literal[
    "string",  # 'single' or "double" quoted; pieces keep any #{interpolation}
    "symbol",  # :changed -> value "changed"
    "label",  # hash key shorthand `args:` or `"args":` -> value "args"
    "number",  # 123, 1_000, 1.5
    "ident",  # brew, if, OS? mac? __dir__ (keywords are idents too)
    "const",  # OS, File, Hardware
    "var",  # @x, $x
    "words",  # %w[a b] / %i[a b] -> words ("a", "b")
    "code",  # %r{regexp}, %x(cmd), `cmd`: a literal only running Ruby gives a value
    "punct",  # , ( ) [ ] { } => :: . && || ...
    "newline",
    "error",  # an unterminated string or a character Ruby code cannot hold here
]


@dataclass(frozen=True, slots=True)
class Interpolation:
    """The Ruby code inside `#{...}` of a double-quoted string."""

    code: str


StrPiece = str | Interpolation


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    value: str  # cooked text: string contents, symbol name, punctuation, ...
    line: int
    start: int  # offsets into the source, for quoting the original text
    end: int
    pieces: tuple[StrPiece, ...] = ()  # string tokens only
    words: tuple[str, ...] = ()  # words tokens only

    def is_ident(self, *names: str) -> bool:
        return self.kind == "ident" and self.value in names

    def is_punct(self, *values: str) -> bool:
        return self.kind == "punct" and self.value in values


@dataclass(frozen=True, slots=True)
class Statement:
    tokens: tuple[Token, ...]
    line: int  # 1-based line of the first token
    text: str  # the source the statement spans, without a trailing comment


_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[?!]?")
_NUMBER: Final = re.compile(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?")
_BLOCK_COMMENT_END: Final = re.compile(r"^=end\b.*$", re.MULTILINE)
_GLOBAL_OR_IVAR: Final = re.compile(r"(@@?|\$)[A-Za-z_][A-Za-z0-9_]*")
_PERCENT_WORDS: Final = re.compile(r"%([wWiI])([\[({<|!/])")
# %q(text) %Q[text] %r{regexp} %s(symbol) %x(command): read whole, so the `#` of an
# `#{...}` inside is not taken for a comment and their brackets stay their own
_PERCENT_LITERAL: Final = re.compile(r"%([qQrsx])([\[({<|!/])")
_PUNCT: Final = (
    "**", "=>", "::", "&&", "||", "==", "!=", "=~", "!~", "<=", ">=", "..", "&.", "<<",
    ",", "(", ")", "[", "]", "{", "}", ".", "=", "!", "<", ">", "+", "-", "*", "/",
    "%", "&", "|", ";", "?", ":", "^", "~",
)  # fmt: skip
_CLOSING: Final = {"[": "]", "(": ")", "{": "}", "<": ">"}
_ESCAPES: Final = {"n": "\n", "t": "\t", "s": " ", "0": "\0", "e": "\x1b", "r": "\r"}
_INLINE_SPACE: Final = frozenset(" \t\f\v\r")


def tokenize(text: str) -> list[Token]:
    """Split Ruby-ish source (with "\\n" line ends) into tokens."""
    return list(_Lexer(text).tokens())


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def tokens(self) -> Iterator[Token]:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in _INLINE_SPACE:
                self.pos += 1
            elif char == "\\" and self.text.startswith("\n", self.pos + 1):
                self._advance_line(self.pos + 2)  # explicit line continuation
            elif char == "#":
                self._skip_comment()
            elif char == "\n":
                yield self._newline()
            elif self._at_line_start() and self.text.startswith("=begin", self.pos):
                self._skip_block_comment()
            elif self._at_line_start() and self._at_end_marker():
                return
            else:
                yield self._token(char)

    def _token(self, char: str) -> Token:
        if char in "\"'":
            return self._string(char)
        if char == ":":
            if self.text[self.pos + 1 : self.pos + 2] in ('"', "'"):
                return self._quoted_symbol()
            if symbol := _IDENT.match(self.text, self.pos + 1):
                return self._make("symbol", symbol.group(), symbol.end())
        if number := _NUMBER.match(self.text, self.pos):
            return self._make("number", number.group().replace("_", ""), number.end())
        if words := _PERCENT_WORDS.match(self.text, self.pos):
            return self._words(words)
        if literal := _PERCENT_LITERAL.match(self.text, self.pos):
            return self._percent_literal(literal)
        if char == "`":
            return self._backticks()
        if name := _IDENT.match(self.text, self.pos):
            return self._identifier(name)
        if var := _GLOBAL_OR_IVAR.match(self.text, self.pos):
            return self._make("var", var.group(), var.end())
        return self._punct()

    # ------------------------------------------------------------ pieces

    def _at_line_start(self) -> bool:
        return self.pos == 0 or self.text[self.pos - 1] == "\n"

    def _at_end_marker(self) -> bool:
        line_end = self.text.find("\n", self.pos)
        line = self.text[self.pos : len(self.text) if line_end < 0 else line_end]
        return line.rstrip() == "__END__"

    def _advance_line(self, new_pos: int) -> None:
        self.line += self.text.count("\n", self.pos, new_pos)
        self.pos = new_pos

    def _line_end(self) -> int:
        end = self.text.find("\n", self.pos)
        return len(self.text) if end < 0 else end

    def _skip_comment(self) -> None:
        self.pos = self._line_end()

    def _skip_block_comment(self) -> None:
        match = _BLOCK_COMMENT_END.search(self.text, self.pos)
        self._advance_line(match.end() if match else len(self.text))

    def _newline(self) -> Token:
        token = Token("newline", "\n", self.line, self.pos, self.pos + 1)
        self._advance_line(self.pos + 1)
        return token

    def _make(self, kind: TokenKind, value: str, end: int) -> Token:
        token = Token(kind, value, self.line, self.pos, end)
        self.pos = end
        return token

    def _identifier(self, match: re.Match[str]) -> Token:
        name, end = match.group(), match.end()
        if self._is_label_colon(end) and name[-1] not in "?!":
            return self._make("label", name, end + 1)
        kind: TokenKind = "const" if name[0].isupper() else "ident"
        return self._make(kind, name, end)

    def _is_label_colon(self, index: int) -> bool:
        """`key:` is a hash label; `A::B` and `a ? b :c` are not."""
        return self.text.startswith(":", index) and not self.text.startswith(
            "::", index
        )

    def _quoted_symbol(self) -> Token:
        start = self.pos
        self.pos += 1
        inner = self._string(self.text[self.pos])
        if inner.kind == "error":
            return inner
        return Token("symbol", inner.value, inner.line, start, inner.end)

    def _punct(self) -> Token:
        for punct in _PUNCT:
            if self.text.startswith(punct, self.pos):
                return self._make("punct", punct, self.pos + len(punct))
        return self._make("error", self.text[self.pos], self.pos + 1)

    def _words(self, match: re.Match[str]) -> Token:
        """%w[...] lists may span lines (one word a line is common)."""
        opener = match.group(2)
        close_at = self.text.find(_CLOSING.get(opener, opener), match.end())
        if close_at < 0:
            line_end = self._line_end()
            return self._make("error", self.text[self.pos : line_end], line_end)
        body = self.text[match.end() : close_at]
        token = Token(
            "words", body, self.line, self.pos, close_at + 1, words=tuple(body.split())
        )
        self._advance_line(close_at + 1)
        return token

    def _percent_literal(self, match: re.Match[str]) -> Token:
        """%q(...) is a plain string; %Q, %r, %s and %x need Ruby to give a value.
        Bracket delimiters nest, as in Ruby; the literal may span lines."""
        letter, opener = match.group(1), match.group(2)
        close_at = _literal_end(self.text, match.end(), opener)
        if close_at < 0:
            line_end = self._line_end()
            return self._make("error", self.text[self.pos : line_end], line_end)
        body = self.text[match.end() : close_at]
        plain = letter == "q" or (
            letter == "Q" and "#{" not in body and "\\" not in body
        )
        token = Token(
            "string" if plain else "code",
            body,
            self.line,
            self.pos,
            close_at + 1,
            pieces=(body,) if plain else (),
        )
        self._advance_line(close_at + 1)
        return token

    def _backticks(self) -> Token:
        """`command` runs a shell command: its output is only known by running it."""
        close_at = self.text.find("`", self.pos + 1, self._line_end())
        if close_at < 0:
            line_end = self._line_end()
            return self._make("error", self.text[self.pos : line_end], line_end)
        return self._make("code", self.text[self.pos + 1 : close_at], close_at + 1)

    # ------------------------------------------------------------ strings

    def _string(self, quote: str) -> Token:
        start, line_end = self.pos, self._line_end()
        reader = _StringReader(self.text, start + 1, line_end, quote)
        pieces = reader.read()
        if pieces is None:
            return self._make("error", self.text[start:line_end], line_end)
        value = "".join(p if isinstance(p, str) else f"#{{{p.code}}}" for p in pieces)
        end = reader.pos
        if self._is_label_colon(end):  # {"key": value}
            return self._make("label", value, end + 1)
        token = Token("string", value, self.line, start, end, pieces=tuple(pieces))
        self.pos = end
        return token


class _StringReader:
    """Reads one quoted string up to the end of its line; `read` returns None if
    the closing quote is missing."""

    def __init__(self, text: str, pos: int, limit: int, quote: str) -> None:
        self.text, self.pos, self.limit, self.quote = text, pos, limit, quote
        self.pieces: list[StrPiece] = []
        self.chars: list[str] = []

    def read(self) -> list[StrPiece] | None:
        while self.pos < self.limit:
            char = self.text[self.pos]
            if char == self.quote:
                self.pos += 1
                self._flush()
                return self.pieces
            if char == "\\":
                self._escape()
            elif self.quote == '"' and self.text.startswith("#{", self.pos):
                if not self._interpolation():
                    return None
            else:
                self.chars.append(char)
                self.pos += 1
        return None

    def _flush(self) -> None:
        if self.chars:
            self.pieces.append("".join(self.chars))
            self.chars = []

    def _escape(self) -> None:
        escaped = self.text[self.pos + 1 : self.pos + 2]
        self.pos += 2
        if self.quote == "'":
            # single quotes know only \\ and \'
            self.chars.append(escaped if escaped in "\\'" else "\\" + escaped)
        else:
            self.chars.append(_ESCAPES.get(escaped, escaped))

    def _interpolation(self) -> bool:
        close_at = _matching_brace(self.text, self.pos + 2, self.limit)
        if close_at < 0:
            return False
        self._flush()
        self.pieces.append(Interpolation(self.text[self.pos + 2 : close_at].strip()))
        self.pos = close_at + 1
        return True


def _literal_end(text: str, pos: int, opener: str) -> int:
    """Index of the delimiter closing a percent literal whose body starts at pos."""
    closer = _CLOSING.get(opener, opener)
    depth = 1
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return pos
        elif char == opener:
            depth += 1
        pos += 1
    return -1


def _matching_brace(text: str, pos: int, limit: int) -> int:
    """Index of the `}` closing an interpolation opened just before pos, or -1.

    Quotes inside are skipped: "#{ENV["HOME"]}" is valid Ruby.
    """
    depth, quote = 1, ""
    while pos < limit:
        char = text[pos]
        if quote:
            if char == "\\":
                pos += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    return -1
