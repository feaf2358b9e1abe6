"""Questions to the person at the keyboard. Only this module imports questionary.

`NonInteractivePrompter` answers every question with its default, for `--no-input`,
no TTY, and CI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from nixmigrate.errors import UsageError


@dataclass(frozen=True, slots=True)
class Choice:
    title: str
    value: str
    checked: bool = False


class Prompter(Protocol):
    interactive: bool

    def confirm(self, question: str, *, default: bool) -> bool: ...

    def checkbox(self, question: str, choices: Sequence[Choice]) -> list[str]: ...

    def select(
        self, question: str, choices: Sequence[Choice], *, default: str
    ) -> str: ...

    def text(self, question: str, *, default: str) -> str: ...


def _no_answer() -> UsageError:
    return UsageError(
        "the question was not answered (no terminal, or input closed)",
        hint="run with --no-input to accept the defaults",
    )


@dataclass
class QuestionaryPrompter:
    interactive: bool = True

    def confirm(self, question: str, *, default: bool) -> bool:
        import questionary

        try:
            answer = questionary.confirm(question, default=default).unsafe_ask()
        except EOFError as err:
            raise _no_answer() from err
        return bool(answer)

    def checkbox(self, question: str, choices: Sequence[Choice]) -> list[str]:
        import questionary

        options = [
            questionary.Choice(c.title, value=c.value, checked=c.checked)
            for c in choices
        ]
        try:
            answer = questionary.checkbox(question, choices=options).unsafe_ask()
        except EOFError as err:
            raise _no_answer() from err
        return [str(v) for v in answer]

    def select(self, question: str, choices: Sequence[Choice], *, default: str) -> str:
        import questionary

        options = [questionary.Choice(c.title, value=c.value) for c in choices]
        try:
            answer = questionary.select(
                question,
                choices=options,
                default=next((o for o in options if o.value == default), None),
            ).unsafe_ask()
        except EOFError as err:
            raise _no_answer() from err
        return str(answer)

    def text(self, question: str, *, default: str) -> str:
        import questionary

        try:
            answer = questionary.text(question, default=default).unsafe_ask()
        except EOFError as err:
            raise _no_answer() from err
        return str(answer)


@dataclass
class NonInteractivePrompter:
    """Takes every default; records the questions so callers can say what was assumed."""

    interactive: bool = False
    asked: list[str] = field(default_factory=list)

    def confirm(self, question: str, *, default: bool) -> bool:
        self.asked.append(question)
        return default

    def checkbox(self, question: str, choices: Sequence[Choice]) -> list[str]:
        self.asked.append(question)
        return [c.value for c in choices if c.checked]

    def select(self, question: str, choices: Sequence[Choice], *, default: str) -> str:
        self.asked.append(question)
        if default not in {c.value for c in choices}:
            msg = f"default {default!r} is not one of the choices for: {question}"
            raise ValueError(msg)
        return default

    def text(self, question: str, *, default: str) -> str:
        self.asked.append(question)
        return default
