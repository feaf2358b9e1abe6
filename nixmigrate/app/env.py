"""The boundaries a use case needs, bundled so tests and the demo swap them in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from nixmigrate.system.paths import Paths
from nixmigrate.system.prompt import NonInteractivePrompter, Prompter
from nixmigrate.system.runner import Runner, SubprocessRunner


def _silent(_: str) -> None:
    return None


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Env:
    runner: Runner = field(default_factory=SubprocessRunner)
    paths: Paths = field(default_factory=Paths.from_env)
    prompter: Prompter = field(default_factory=NonInteractivePrompter)
    progress: Callable[[str], None] = _silent  # "what is happening now", for a spinner
    clock: Callable[[], datetime] = _now
