"""Include helpers: a lambda or method whose body is one `instance_eval(File.read(p))`.

Real Brewfiles wrap their includes in a helper and call it once per file:

    eval_file = ->(path) { instance_eval(File.read(File.expand_path(path))) }
    eval_file.call("~/.homebrew/Brewfile.work")
    def brewfile(name) instance_eval(File.read("Brewfile.#{name}")) end
    brewfile "fonts" if OS.mac?

A definition is recognised from its statements (`definition_at`); a call to it
(`Helpers.call_in`) is then followed like the include in its body, with the
parameter bound to the call's argument. A definition whose body does anything
else is remembered as refused, so its calls are skipped with that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from nixmigrate.scan.brewfile.includes import INCLUDE_COMMANDS
from nixmigrate.scan.brewfile.lexer import Statement, Token
from nixmigrate.scan.brewfile.syntax import (
    block_parameters,
    split_modifiers,
    without_call_parentheses,
)
from nixmigrate.scan.brewfile.values import (
    RubyScope,
    UnsupportedStatementError,
    Value,
    parse_arguments,
)

HelperKind = Literal["lambda", "method"]

_READERS: Final = frozenset({"File", "IO"})
_BLOCK_MAKERS: Final = frozenset({"lambda", "proc"})
_NOT_ONE_INCLUDE: Final = "its body is not one instance_eval(File.read(...))"


@dataclass(frozen=True, slots=True)
class Helper:
    name: str
    kind: HelperKind
    line: int
    parameters: tuple[str, ...]
    body: tuple[Token, ...]  # the one statement it runs, modifiers included
    refused: str = ""  # why calls are not followed; "" for an include helper

    def describe(self) -> str:
        return f"the {self.kind} '{self.name}' (line {self.line})"

    def refusal(self) -> str:
        return f"{self.describe()} is not run: {self.refused}"


@dataclass(frozen=True, slots=True)
class Definition:
    helper: Helper
    span: int  # statements from its first line to its end; 0 when that is not known


@dataclass(slots=True)
class Helpers:
    """The helpers a Brewfile has defined so far, by name."""

    known: dict[str, Helper] = field(default_factory=dict)

    def define(self, helper: Helper) -> None:
        self.known[helper.name] = helper

    def forget(self, name: str) -> None:
        self.known.pop(name, None)

    def call_in(self, body: Sequence[Token]) -> tuple[Helper, Sequence[Token]] | None:
        """The helper a statement calls and the tokens of its arguments, or None."""
        if not body or body[0].kind != "ident" or body[0].value not in self.known:
            return None
        helper = self.known[body[0].value]
        arguments = _call_arguments(helper.kind, body[1:])
        if arguments is None:
            return None
        if helper.refused:
            raise UnsupportedStatementError(helper.refusal())
        return helper, arguments


def bind_argument(
    helper: Helper, arguments: Sequence[Token], scope: RubyScope
) -> dict[str, Value]:
    """{parameter: value of the call's one argument}; raises naming the helper."""
    try:
        parsed = parse_arguments(arguments, scope)
    except UnsupportedStatementError as err:
        msg = f"the argument of {helper.describe()} is not evaluated: {err.reason}"
        raise UnsupportedStatementError(msg) from err
    if parsed.options or len(parsed.positional) != 1:
        given = len(parsed.positional) + (1 if parsed.options else 0)
        msg = f"{helper.describe()} takes one path; this call passes {given} values"
        if parsed.options:
            msg = f"{helper.describe()} takes one path; this call passes options"
        raise UnsupportedStatementError(msg)
    return {helper.parameters[0]: parsed.positional[0]}


def definition_at(statements: Sequence[Statement], at: int) -> Definition | None:
    """The helper defined by the statements from `at`, or None when they define
    no lambda or method. A definition that is not an include helper comes back
    refused, with the reason."""
    tokens = statements[at].tokens
    if tokens[0].is_ident("def"):
        header = _method_header(tokens)
    elif len(tokens) > 2 and tokens[0].kind == "ident" and tokens[1].is_punct("="):
        header = _lambda_header(tokens)
    else:
        return None
    if header is None:
        return None
    body, span = _body(statements, at, header)
    helper = Helper(
        header.name, header.kind, statements[at].line, header.parameters, body
    )
    refused = _refusal(helper, body, span)
    return Definition(_refused(helper, refused) if refused else helper, span)


# ---------------------------------------------------------------- definitions


@dataclass(frozen=True, slots=True)
class _Header:
    name: str
    kind: HelperKind
    parameters: tuple[str, ...]
    inline: tuple[Token, ...]  # body tokens on the first line
    closer: str  # "end" or "}" when the body goes on below; "" when closed inline


def _method_header(tokens: Sequence[Token]) -> _Header | None:
    """`def NAME(p)`, `def NAME p`, `def NAME(p) = BODY`."""
    if len(tokens) < 2 or tokens[1].kind != "ident":
        return None
    name, rest = tokens[1].value, tokens[2:]
    if rest and rest[0].is_punct("("):
        close = _closing_index(rest, 0)
        if close is None:
            return None
        parameters, rest = _names(rest[1:close]), rest[close + 1 :]
    else:
        parameters, rest = _names(rest), ()
    if parameters is None:
        return None
    if rest and rest[0].is_punct("="):  # Ruby 3's one-line `def name(p) = body`
        return _Header(name, "method", parameters, tuple(rest[1:]), "")
    if rest:
        return None
    return _Header(name, "method", parameters, (), "end")


def _lambda_header(tokens: Sequence[Token]) -> _Header | None:
    """`NAME = ->(p) {`, `NAME = -> p do`, `NAME = lambda { |p|`, `proc do |p|`."""
    name, rest = tokens[0].value, tokens[2:]
    if len(rest) > 2 and rest[0].is_punct("-") and rest[1].is_punct(">"):
        rest = rest[2:]
        opener = next(
            (i for i, t in enumerate(rest) if t.is_punct("{") or t.is_ident("do")),
            None,
        )
        if opener is None:
            return None
        parameters = _names(_unwrapped(rest[:opener]))
        body_at = opener + 1
    elif len(rest) > 1 and rest[0].is_ident(*_BLOCK_MAKERS):
        opener = 1
        variables, body_at = block_parameters(rest, 2)
        parameters = tuple(variables)
    else:
        return None
    if parameters is None or not (
        rest[opener].is_punct("{") or rest[opener].is_ident("do")
    ):
        return None
    return _block(name, parameters, rest, opener, body_at)


def _block(
    name: str,
    parameters: tuple[str, ...],
    rest: Sequence[Token],
    opener: int,
    body_at: int,
) -> _Header | None:
    if rest[opener].is_ident("do"):
        return _Header(name, "lambda", parameters, tuple(rest[body_at:]), "end")
    close = _closing_index(rest, opener)
    if close is None:  # the braces close on a later line
        return _Header(name, "lambda", parameters, tuple(rest[body_at:]), "}")
    if close != len(rest) - 1:
        return None  # `lambda { ... }.call(x)` and the like: not a definition
    return _Header(name, "lambda", parameters, tuple(rest[body_at:close]), "")


def _body(
    statements: Sequence[Statement], at: int, header: _Header
) -> tuple[tuple[Token, ...], int]:
    """The body's one statement and how many statements the definition spans;
    an empty body when the body is not one statement before the closer."""
    if not header.closer:
        return header.inline, 1
    following = [s.tokens for s in statements[at + 1 : at + 3]]
    if header.inline:
        closed = bool(following) and _is_closer(following[0], header.closer)
        return (header.inline, 2) if closed else ((), 0)
    if len(following) == 2 and _is_closer(following[1], header.closer):
        return following[0], 3
    return (), 0


def _is_closer(tokens: Sequence[Token], closer: str) -> bool:
    return len(tokens) == 1 and tokens[0].value == closer and tokens[0].kind != "string"


def _refusal(helper: Helper, body: Sequence[Token], span: int) -> str:
    if span == 0 or not _is_one_include(body):
        return _NOT_ONE_INCLUDE
    if len(helper.parameters) != 1:
        count = len(helper.parameters)
        return f"it takes {count} parameters; only one-parameter helpers are followed"
    return ""


def _refused(helper: Helper, reason: str) -> Helper:
    return Helper(
        helper.name, helper.kind, helper.line, helper.parameters, helper.body, reason
    )


def _is_one_include(body: Sequence[Token]) -> bool:
    """`instance_eval(File.read(...))`, maybe with modifiers, and nothing more."""
    if not body or any(token.is_punct(";") for token in body):
        return False
    try:
        include, _ = split_modifiers(body)
    except UnsupportedStatementError:
        return False
    if not include[0].is_ident(*INCLUDE_COMMANDS):
        return False
    read = without_call_parentheses(include[1:])
    return (
        len(read) > 3
        and read[0].kind == "const"
        and read[0].value in _READERS
        and read[1].is_punct(".")
        and read[2].is_ident("read")
    )


# ---------------------------------------------------------------- calls


def _call_arguments(kind: HelperKind, rest: Sequence[Token]) -> Sequence[Token] | None:
    """The argument tokens of a call the way Ruby calls a helper of this kind:
    a lambda with `.call(x)`, `.(x)` or `[x]`, a method with `(x)` or `x`."""
    if kind == "method":
        if rest and rest[0].is_punct("(") and _closing_index(rest, 0) == len(rest) - 1:
            return rest[1:-1]
        if rest and rest[0].is_punct(".", "&.", "=", "[", "::"):
            return None  # `name.other`, `name[...]`: not a call of the method
        return rest
    if rest and rest[0].is_punct("[") and _closing_index(rest, 0) == len(rest) - 1:
        return rest[1:-1]
    if len(rest) > 1 and rest[0].is_punct(".") and rest[1].is_ident("call"):
        return without_call_parentheses(rest[2:])
    if len(rest) > 1 and rest[0].is_punct(".") and rest[1].is_punct("("):
        return rest[2:-1] if _closing_index(rest, 1) == len(rest) - 1 else None
    return None


# ---------------------------------------------------------------- tokens


def _closing_index(tokens: Sequence[Token], opener: int) -> int | None:
    """Index of the bracket closing the one at `opener`, or None."""
    depth = 0
    for index in range(opener, len(tokens)):
        token = tokens[index]
        if token.is_punct("(", "[", "{"):
            depth += 1
        elif token.is_punct(")", "]", "}"):
            depth -= 1
            if depth == 0:
                return index
    return None


def _unwrapped(tokens: Sequence[Token]) -> Sequence[Token]:
    if len(tokens) > 1 and tokens[0].is_punct("(") and tokens[-1].is_punct(")"):
        return tokens[1:-1]
    return tokens


def _names(tokens: Sequence[Token]) -> tuple[str, ...] | None:
    """`a, b` -> ("a", "b"); None for anything but plain parameter names."""
    names: list[str] = []
    for index, token in enumerate(tokens):
        expected_name = index % 2 == 0
        if expected_name and token.kind == "ident":
            names.append(token.value)
        elif expected_name or not token.is_punct(","):
            return None
    return tuple(names)
