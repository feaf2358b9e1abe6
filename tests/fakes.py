"""A scripted stand-in for the person answering questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nixmigrate.system.prompt import Choice


@dataclass
class ScriptedPrompter:
    """Answers from a script, in order; records every question it was asked."""

    answers: list[object]
    interactive: bool = True
    asked: list[str] = field(default_factory=list)

    def _next(self, question: str) -> object:
        self.asked.append(question)
        if not self.answers:
            msg = f"unexpected question: {question}"
            raise AssertionError(msg)
        return self.answers.pop(0)

    def confirm(self, question: str, *, default: bool) -> bool:
        return bool(self._next(question))

    def checkbox(self, question: str, choices: Sequence[Choice]) -> list[str]:
        answer = self._next(question)
        assert isinstance(answer, list)
        offered = {c.value for c in choices}
        assert set(answer) <= offered, f"{answer} not among {offered}"
        return [str(a) for a in answer]

    def select(self, question: str, choices: Sequence[Choice], *, default: str) -> str:
        answer = str(self._next(question))
        assert answer in {c.value for c in choices}
        return answer

    def text(self, question: str, *, default: str) -> str:
        return str(self._next(question))
