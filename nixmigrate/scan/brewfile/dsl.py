"""Walks a Brewfile's statements the way `brew bundle` would, without Ruby.

It keeps a stack of open blocks (`if`/`unless`/`elsif`/`else`, `case`/`when`,
`each do` loops over literal lists, and blocks that are never run such as
`def`), works out the condition of every entry, follows
`instance_eval(File.read(...))` includes through a callback, also when a helper
wraps them (see `helpers`), and turns every statement it will not evaluate
into a skipped line with the reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from nixmigrate.scan.brewfile.conditions import Condition, all_of, case_test
from nixmigrate.scan.brewfile.entries import ENTRY_KINDS, Output, build_entry
from nixmigrate.scan.brewfile.helpers import (
    Helper,
    Helpers,
    bind_argument,
    definition_at,
)
from nixmigrate.scan.brewfile.includes import (
    INCLUDE_COMMANDS,
    checks_file,
    include_path,
)
from nixmigrate.scan.brewfile.lexer import Statement, Token
from nixmigrate.scan.brewfile.syntax import (
    Modifiers,
    block_parameters,
    brace_each_index,
    loop_values,
    mentions,
    quote_tokens,
    rest_of,
    split_modifiers,
    top_level_index,
    top_level_parts,
    without_call_parentheses,
)
from nixmigrate.scan.brewfile.values import (
    RubyScope,
    UnsupportedStatementError,
    Value,
    parse_arguments,
    parse_single_value,
)

_NEVER_RUN: Final = frozenset({"def", "class", "module", "while", "until", "for"})
_MAX_LOOP_RUNS: Final = 10_000


class IncludeFollower(Protocol):
    def __call__(
        self, path_expression: str, *, line: int, text: str, condition: Condition
    ) -> None: ...


@dataclass(slots=True)
class _Block:
    keyword: str
    opener: Statement
    condition: Condition = field(default_factory=Condition)  # of the current branch
    tests: list[Condition] = field(default_factory=list)  # of each if/elsif branch
    runs: bool = True  # False: the body is Ruby that brew bundle never runs
    subject: str = ""  # of a `case`
    loop_variable: str | None = None
    loop_values: tuple[str, ...] = ()
    outer: Condition = field(default_factory=Condition)  # of the enclosing blocks
    outer_stopped: _Block | None = None  # an enclosing block that is not run


class DslInterpreter:
    def __init__(
        self,
        scope: RubyScope,
        output: Output,
        follow_include: IncludeFollower,
        inherited: Condition,
    ) -> None:
        self.scope = scope
        self.out = output
        self.follow_include = follow_include
        self.inherited = inherited
        self.blocks: list[_Block] = []
        self.helpers = Helpers()

    def run(self, statements: Sequence[Statement]) -> None:
        at = 0
        while at < len(statements):
            taken = self._define_helper(statements, at)
            if not taken:
                self._statement(statements[at])
            at += taken or 1
        for block in self.blocks:
            reason = f"'{block.keyword}' is never closed with 'end'"
            self.out.skip(block.opener, reason)

    def _define_helper(self, statements: Sequence[Statement], at: int) -> int:
        """How many statements a helper definition at `at` takes (0: none)."""
        found = definition_at(statements, at) if self._not_run_by() is None else None
        if found is None:
            return 0
        self.helpers.define(found.helper)
        self.scope.variables.pop(found.helper.name, None)
        if found.helper.refused and found.span == 1:
            self.out.skip(statements[at], found.helper.refusal())
        # a refused body on lines of its own is skipped as a block that is not run
        return 0 if found.helper.refused and found.span != 1 else found.span

    # ------------------------------------------------------------ blocks

    def _statement(self, statement: Statement) -> None:
        first = statement.tokens[0]
        stopped = self._not_run_by()
        if first.kind == "ident" and first.value in _BLOCK_HANDLERS:
            _BLOCK_HANDLERS[first.value](self, statement)
        elif stopped is not None:
            self.out.skip(statement, self._never_run_reason(stopped))
            if top_level_index(statement.tokens, "do") is not None:
                self._open(_Block("do", statement, runs=False))
        elif (do_at := top_level_index(statement.tokens, "do")) is not None:
            self._open_do_block(statement, do_at)
        else:
            self._simple(statement)

    def _open(self, block: _Block) -> None:
        # what the enclosing blocks say is worked out once, not for every line
        block.outer = self._blocks_condition()
        block.outer_stopped = self._not_run_by()
        self.blocks.append(block)

    def _blocks_condition(self) -> Condition:
        if not self.blocks:
            return Condition()
        innermost = self.blocks[-1]
        return innermost.outer.and_(innermost.condition)

    def _not_run_by(self) -> _Block | None:
        if not self.blocks:
            return None
        innermost = self.blocks[-1]
        return innermost.outer_stopped or (None if innermost.runs else innermost)

    @staticmethod
    def _never_run_reason(block: _Block) -> str:
        where = f"'{block.keyword}' block (line {block.opener.line})"
        return f"inside a {where} that is not evaluated"

    def _open_if(self, statement: Statement) -> None:
        keyword = statement.tokens[0].value
        if len(statement.tokens) == 1:
            self.out.skip(statement, f"'{keyword}' without a condition")
            self._open(_Block(keyword, statement, runs=False))
            return
        test = Condition.parse(quote_tokens(self.scope, statement.tokens[1:]))
        if keyword == "unless":
            test = test.negated()
        self._open(_Block(keyword, statement, test, [test]))

    def _branch(self, statement: Statement) -> None:
        keyword = statement.tokens[0].value
        block = self.blocks[-1] if self.blocks else None
        if block is None or block.keyword not in ("if", "unless", "begin", "case"):
            self.out.skip(statement, f"'{keyword}' without a matching 'if'")
            return
        if not block.tests:
            return  # `begin ... else`, `case ... else`, or an `if` that never runs
        earlier = all_of(test.negated() for test in block.tests)
        if keyword == "else":
            block.condition = earlier
            return
        test = Condition.parse(quote_tokens(self.scope, statement.tokens[1:]))
        block.condition = earlier.and_(test)
        block.tests.append(test)

    def _close(self, statement: Statement) -> None:
        if len(statement.tokens) > 1 or not self.blocks:
            self.out.skip(statement, "'end' without an open block")
            return
        self.blocks.pop()

    def _open_never_run(self, statement: Statement) -> None:
        self._open(_Block(statement.tokens[0].value, statement, runs=False))

    def _open_begin(self, statement: Statement) -> None:
        self._open(_Block("begin", statement))
        if len(statement.tokens) > 1:
            self._statement(rest_of(statement, 1, self.scope))

    def _rescue_or_ensure(self, statement: Statement) -> None:
        block = self.blocks[-1] if self.blocks else None
        if block is None:
            self.out.skip(statement, f"'{statement.tokens[0].value}' outside a block")
        elif block.keyword == "begin":
            # rescue bodies run only when something failed; ensure bodies always run
            block.runs = statement.tokens[0].value == "ensure"

    def _open_case(self, statement: Statement) -> None:
        """`case SUBJECT`: its body runs from the first `when`, under that test."""
        when_at = top_level_index(statement.tokens, "when")
        subject = quote_tokens(self.scope, statement.tokens[1:when_at])
        self._open(_Block("case", statement, runs=False, subject=subject))
        if when_at is not None:  # `case x when y then ...` on one line
            self._when(rest_of(statement, when_at, self.scope))

    def _when(self, statement: Statement) -> None:
        block = self.blocks[-1] if self.blocks else None
        if block is None or block.keyword != "case" or len(statement.tokens) < 2:
            self.out.skip(statement, "'when' outside a 'case' block")
            return
        values = top_level_parts(statement.tokens[1:], ",")
        test = case_test(block.subject, [quote_tokens(self.scope, v) for v in values])
        block.condition = all_of(earlier.negated() for earlier in block.tests)
        block.condition = block.condition.and_(test)
        block.tests.append(test)
        block.runs = True

    def _open_do_block(self, statement: Statement, do_at: int) -> None:
        tokens = statement.tokens
        variables, body_at = block_parameters(tokens, do_at + 1)
        values = loop_values(tokens[:do_at], variables, self.scope)
        if values is None:
            self.out.skip(statement, "a Ruby block (do ... end) is not evaluated")
            self._open(_Block("do", statement, runs=False))
        else:
            block = _Block("do", statement, loop_variable=variables[0])
            block.loop_values = values
            self._open(block)
        if body_at < len(tokens):
            self._statement(rest_of(statement, body_at, self.scope))

    # ------------------------------------------------------------ statements

    def _simple(self, statement: Statement) -> None:
        try:
            body, modifiers = split_modifiers(statement.tokens)
            for binding in self._loop_bindings(statement):
                with self.scope.bound(binding):
                    self._evaluate(statement, body, modifiers)
        except UnsupportedStatementError as err:
            self.out.skip(statement, err.reason)

    def _loop_bindings(self, statement: Statement) -> Iterator[dict[str, Value]]:
        loops = [
            block
            for block in self.blocks
            if block.loop_variable and mentions(statement, block.loop_variable)
        ]
        runs = 1
        for block in loops:
            runs *= len(block.loop_values)
        if runs > _MAX_LOOP_RUNS:
            msg = f"nested loops would run this {runs} times; not expanded"
            raise UnsupportedStatementError(msg)
        names = [str(block.loop_variable) for block in loops]
        for values in itertools.product(*(block.loop_values for block in loops)):
            yield dict(zip(names, values, strict=True))

    def _evaluate(
        self,
        statement: Statement,
        body: Sequence[Token],
        modifiers: Modifiers,
    ) -> None:
        first = body[0]
        if len(body) > 1 and body[1].is_punct("=") and first.kind in ("ident", "const"):
            self._assign(first.value, body[2:])
        elif first.is_ident(*INCLUDE_COMMANDS):
            self.out.commands_seen += 1
            self._include(statement, body[1:], modifiers)
        elif (each_at := brace_each_index(body)) is not None:
            self._brace_loop(statement, body, each_at, modifiers)
        elif first.kind == "ident" and first.value in ENTRY_KINDS:
            self.out.commands_seen += 1
            self._entry(statement, first.value, body[1:], modifiers)
        elif (call := self.helpers.call_in(body)) is not None:
            self.out.commands_seen += 1
            self._helper_include(statement, *call, modifiers)
        elif first.kind in ("ident", "const"):
            msg = f"'{first.value}' is not a Homebrew Bundle command; Ruby is not run"
            raise UnsupportedStatementError(msg)
        else:
            msg = "not a Homebrew Bundle statement"
            raise UnsupportedStatementError(msg)

    def _condition(self, modifiers: Modifiers, dropped: str = "") -> Condition:
        condition = self.inherited.and_(self._blocks_condition())
        for keyword, tokens in modifiers:
            if keyword not in ("if", "unless"):
                msg = f"a '{keyword}' modifier is Ruby that is not evaluated"
                raise UnsupportedStatementError(msg)
            if dropped and checks_file(tokens, self.scope, dropped):
                continue  # `... if File.exist?(p)` for the file just included
            test = Condition.parse(quote_tokens(self.scope, tokens))
            condition = condition.and_(test if keyword == "if" else test.negated())
        return condition

    def _entry(
        self,
        statement: Statement,
        kind: str,
        tokens: Sequence[Token],
        modifiers: Modifiers,
    ) -> None:
        arguments = parse_arguments(without_call_parentheses(tokens), self.scope)
        condition = self._condition(modifiers).as_field()
        entry = build_entry(
            kind,
            arguments,
            line=statement.line,
            file=self.out.file,
            condition=condition,
        )
        self.out.entries.append(entry)

    def _assign(self, name: str, tokens: Sequence[Token]) -> None:
        self.scope.variables.pop(name, None)
        self.helpers.forget(name)
        try:
            self.scope.variables[name] = parse_single_value(tokens, self.scope)
        except UnsupportedStatementError as err:
            msg = f"the value of '{name}' is not evaluated: {err.reason}"
            raise UnsupportedStatementError(msg) from err

    def _include(
        self,
        statement: Statement,
        tokens: Sequence[Token],
        modifiers: Modifiers,
        via: Helper | None = None,
    ) -> None:
        try:
            path = include_path(tokens, self.scope)
            condition = self._condition(modifiers, dropped=path)
        except UnsupportedStatementError as err:
            through = f" through {via.describe()}" if via else ""
            msg = f"include{through} not followed: {err.reason}"
            raise UnsupportedStatementError(msg) from err
        self.follow_include(
            path, line=statement.line, text=statement.text, condition=condition
        )

    def _helper_include(
        self,
        statement: Statement,
        helper: Helper,
        arguments: Sequence[Token],
        modifiers: Modifiers,
    ) -> None:
        """`brewfile "fonts"`: the include in the helper's body, for this file."""
        binding = bind_argument(helper, arguments, self.scope)
        body, inner = split_modifiers(helper.body)
        with self.scope.bound(binding):
            self._include(statement, body[1:], [*inner, *modifiers], via=helper)

    def _brace_loop(
        self,
        statement: Statement,
        body: Sequence[Token],
        each_at: int,
        modifiers: Modifiers,
    ) -> None:
        """`%w[a b].each { |name| brew name }` on one line."""
        variables, inner_at = block_parameters(body, each_at + 2)
        values = loop_values(body[: each_at + 1], variables, self.scope)
        if values is None:
            msg = "a Ruby block ({ ... }) is not evaluated"
            raise UnsupportedStatementError(msg)
        inner = body[inner_at:-1]
        if not inner:
            return
        for value in values:
            with self.scope.bound({variables[0]: value}):
                inner_body, inner_modifiers = split_modifiers(inner)
                self._evaluate(statement, inner_body, [*inner_modifiers, *modifiers])


_BLOCK_HANDLERS: Final = {
    "if": DslInterpreter._open_if,
    "unless": DslInterpreter._open_if,
    "elsif": DslInterpreter._branch,
    "else": DslInterpreter._branch,
    "end": DslInterpreter._close,
    "begin": DslInterpreter._open_begin,
    "rescue": DslInterpreter._rescue_or_ensure,
    "ensure": DslInterpreter._rescue_or_ensure,
    "case": DslInterpreter._open_case,
    "when": DslInterpreter._when,
    **dict.fromkeys(_NEVER_RUN, DslInterpreter._open_never_run),
}
