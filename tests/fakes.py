"""Stand-ins for the boundaries: the person answering questions, and commands."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from nixmigrate.errors import CommandFailedError
from nixmigrate.system.prompt import Choice
from nixmigrate.system.runner import DEFAULT_TIMEOUT, CompletedProcess


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


Answer = Callable[[list[str]], CompletedProcess[str]]


@dataclass
class FakeRunner:
    """A Runner whose answers are a function of argv; records every call.

    `on_path` lists the programs `which` finds (None: every program). As the real
    runner does, a non-zero answer raises CommandFailedError when `check` is set.
    """

    answer: Answer
    on_path: tuple[str, ...] | None = None
    calls: list[list[str]] = field(default_factory=list)

    def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        cwd: str | None = None,
        input_text: str | None = None,
    ) -> CompletedProcess[str]:
        del env, timeout, cwd, input_text  # the answers depend on argv alone
        args = list(argv)
        self.calls.append(args)
        done = self.answer(args)
        if check and done.returncode != 0:
            raise CommandFailedError(tuple(args), done.returncode, done.stderr)
        return done

    def which(self, name: str) -> str | None:
        if self.on_path is not None and name not in self.on_path:
            return None
        return f"/usr/bin/{name}"


def canned(
    stdout: str = "",
    *,
    returncode: int = 0,
    stderr: str = "",
    on_path: tuple[str, ...] | None = None,
) -> FakeRunner:
    """A FakeRunner that gives every command the same answer."""

    def answer(argv: list[str]) -> CompletedProcess[str]:
        return CompletedProcess(argv, returncode, stdout, stderr)

    return FakeRunner(answer, on_path=on_path)
