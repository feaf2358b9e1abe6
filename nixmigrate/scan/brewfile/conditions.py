"""Conditions that `if`/`unless` blocks and modifiers put on Brewfile entries.

A condition is a conjunction of atoms. `OS.mac?` and `OS.linux?`, the older
`RUBY_PLATFORM =~ /darwin/` tests, and their negations become the atoms "macos" and
"linux"; anything else is kept as the
Ruby text it was written as, so a reader can still judge it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

MACOS: Final = "macos"
LINUX: Final = "linux"

_OTHER_OS: Final = {MACOS: LINUX, LINUX: MACOS}
_OS_CHECKS: Final = {"OS.mac?": MACOS, "OS.linux?": LINUX}
# Brewfiles written before OS.mac? test Ruby's platform string instead:
# `RUBY_PLATFORM =~ /darwin/`, `(/darwin/ =~ RUBY_PLATFORM) != nil`,
# `RUBY_PLATFORM.include?("linux")`
_PLATFORM_WORDS: Final = {"darwin": MACOS, "linux": LINUX}
_PLATFORM_MATCH: Final = re.compile(
    r"""^(?:
        RUBY_PLATFORM\s*=~\s*/(?P<a>darwin|linux)/
      | /(?P<b>darwin|linux)/\s*=~\s*RUBY_PLATFORM
      | RUBY_PLATFORM\.(?:include\?|match\?)\(\s*(?:"|'|/)(?P<c>darwin|linux)(?:"|'|/)\s*\)
    )$""",
    re.VERBOSE,
)
_NOT_NIL: Final = re.compile(r"^(?P<inner>.+?)\s*!=\s*nil$", re.DOTALL)
_NEGATION: Final = re.compile(r"^(?:!\s*|not\s+)(?P<inner>.+)$", re.DOTALL)
_AND: Final = re.compile(r"\s+(?:&&|and)\s+|&&")
_OR: Final = re.compile(r"\|\||\sor\s")


@dataclass(frozen=True, slots=True)
class Condition:
    atoms: tuple[str, ...] = ()

    @classmethod
    def parse(cls, ruby: str) -> Condition:
        """`OS.mac? && Hardware::CPU.arm?` -> ("macos", "Hardware::CPU.arm?")."""
        ruby = _strip_parentheses(ruby.strip())
        if _has_top_level_or(ruby):
            return cls((_known(ruby),))
        return cls(tuple(_known(part) for part in _split_and(ruby)))

    def negated(self) -> Condition:
        if not self.atoms:
            return Condition(("false",))
        if len(self.atoms) == 1 and self.atoms[0] in _OTHER_OS:
            return Condition((_OTHER_OS[self.atoms[0]],))
        return Condition((f"not ({self.text()})",))

    def and_(self, other: Condition) -> Condition:
        return Condition(_unique((*self.atoms, *other.atoms)))

    def text(self) -> str:
        if len(self.atoms) == 1:
            return self.atoms[0]
        # `a || b` among others is bracketed, so `and` cannot be read into it
        return " and ".join(
            f"({atom})" if _or_outside_brackets(atom) else atom for atom in self.atoms
        )

    def as_field(self) -> str | None:
        """The entry's `condition` value; None when unconditional."""
        return self.text() or None


def all_of(conditions: Iterable[Condition]) -> Condition:
    combined = Condition()
    for condition in conditions:
        combined = combined.and_(condition)
    return combined


def case_test(subject: str, values: Sequence[str]) -> Condition:
    """`case SUBJECT when A, B`: SUBJECT matches A or B, as Ruby's `===` does
    (a /regexp/ matches with `=~`). Without a subject each value is a test."""
    if not subject:
        return Condition.parse(" || ".join(values))
    tests = [f"{subject} {'=~' if v.startswith('/') else '=='} {v}" for v in values]
    return Condition.parse(" || ".join(tests))


def _known(ruby: str) -> str:
    ruby = _strip_parentheses(ruby.strip())
    if ruby in _OS_CHECKS:
        return _OS_CHECKS[ruby]
    if platform := _platform_check(ruby):
        return platform
    negation = _NEGATION.match(ruby)
    if negation:
        inner = _strip_parentheses(negation.group("inner").strip())
        if inner in _OS_CHECKS:
            return _OTHER_OS[_OS_CHECKS[inner]]
        if platform := _platform_check(inner):
            return _OTHER_OS[platform]
    return ruby


def _platform_check(ruby: str) -> str:
    """The OS a RUBY_PLATFORM test is true on ("macos", "linux"), or ""."""
    if not_nil := _NOT_NIL.match(ruby):
        ruby = _strip_parentheses(not_nil.group("inner").strip())
    found = _PLATFORM_MATCH.match(ruby)
    if found is None:
        return ""
    word = found.group("a") or found.group("b") or found.group("c")
    return _PLATFORM_WORDS[word]


def _split_and(ruby: str) -> list[str]:
    """Split at `&&`/`and` outside brackets and quotes."""
    parts: list[str] = []
    start = 0
    for found in _top_level(ruby, _AND):
        parts.append(ruby[start : found.start()])
        start = found.end()
    parts.append(ruby[start:])
    return [part for part in parts if part.strip()]


def _top_level(ruby: str, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """The matches of `pattern` outside brackets and quotes, left to right."""
    depth, quote = 0, ""
    index = 0
    while index < len(ruby):
        char = ruby[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and (found := pattern.match(ruby, index)):
            yield found
            index = found.end()
            continue
        index += 1


def _has_top_level_or(ruby: str) -> bool:
    return "||" in ruby or re.search(r"\sor\s", ruby) is not None


def _or_outside_brackets(ruby: str) -> bool:
    return next(_top_level(ruby, _OR), None) is not None


def _strip_parentheses(ruby: str) -> str:
    """`(OS.mac?)` -> `OS.mac?`, but `(a) && (b)` stays whole."""
    while ruby.startswith("(") and ruby.endswith(")") and _wraps_all(ruby):
        ruby = ruby[1:-1].strip()
    return ruby


def _wraps_all(ruby: str) -> bool:
    depth = 0
    for index, char in enumerate(ruby):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and index < len(ruby) - 1:
            return False
    return True


def _unique(atoms: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(atoms))
