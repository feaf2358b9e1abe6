"""Where the migration is: each of the seven phases with its state and commands.

Pure. Built from the run state, the checkpoints recorded in the state dir and, when
it can be built, the plan; rendered by report/html.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from nixmigrate.plan.model import Plan
from nixmigrate.plan.phases import PHASES, Phase
from nixmigrate.plan.steps import Step
from nixmigrate.report.model import Progress

PhaseState = Literal["not planned", "planned", "applied", "rolled back"]

COMPLETE: Final = "complete"
ROLLED_BACK: Final = "rolled_back"
MAX_STEPS: Final = 4


@dataclass(frozen=True, slots=True)
class CheckpointView:
    """What the report needs of one recorded checkpoint."""

    id: str
    phase: int | None
    created: str
    status: str  # a CheckpointStatus value, or "damaged"
    rolled_back_at: str = ""


@dataclass(frozen=True, slots=True)
class PhaseView:
    number: int
    title: str
    state: PhaseState
    checkpoint: str  # id of the checkpoint behind the state, or ""
    when: str  # e.g. "applied 2026-...+00:00, rolled back 2026-...", or ""
    changes: str
    writes: tuple[str, ...]
    steps: tuple[str, ...]  # what `apply` does to the home, shortened
    verify: tuple[str, ...]
    undo: tuple[str, ...]
    is_next: bool


@dataclass(frozen=True, slots=True)
class Journey:
    phases: tuple[PhaseView, ...]
    headline: str
    next_command: str  # the one command to run next ("" when everything is done)
    next_why: str
    other_steps: tuple[str, ...]


def build_journey(
    progress: Progress,
    checkpoints: Sequence[CheckpointView],
    plan: Plan | None,
    steps: Sequence[str],
) -> Journey:
    next_command, next_why, others = _split_next(steps)
    next_phase = _phase_of_command(next_command)
    phases = tuple(
        _phase_view(phase, progress, checkpoints, plan, next_phase) for phase in Phase
    )
    return Journey(
        phases=phases,
        headline=_headline(phases),
        next_command=next_command,
        next_why=next_why,
        other_steps=others,
    )


def _phase_view(
    phase: Phase,
    progress: Progress,
    checkpoints: Sequence[CheckpointView],
    plan: Plan | None,
    next_phase: int | None,
) -> PhaseView:
    state, checkpoint = _state_of(phase, progress, checkpoints)
    when = _when(state, checkpoint) if checkpoint is not None else ""
    planned = plan.phase(phase) if plan is not None and phase <= plan.through else None
    return PhaseView(
        number=int(phase),
        title=PHASES[phase].title,
        state=state,
        checkpoint=checkpoint.id if checkpoint is not None else "",
        when=when,
        changes=_changes(phase),
        writes=planned.writes if planned else (),
        steps=_steps(planned.steps) if planned else (),
        verify=planned.verify if planned else (),
        undo=planned.undo if planned else (),
        is_next=next_phase == int(phase),
    )


def _state_of(
    phase: Phase, progress: Progress, checkpoints: Sequence[CheckpointView]
) -> tuple[PhaseState, CheckpointView | None]:
    own = [c for c in checkpoints if c.phase == int(phase)]
    if phase in progress.completed:
        applied = [c for c in own if c.status == COMPLETE]
        return "applied", (applied[-1] if applied else None)
    rolled = [c for c in own if c.status == ROLLED_BACK]
    if rolled:
        return "rolled back", rolled[-1]
    if (progress.planned_through or 0) >= phase:
        return "planned", None
    return "not planned", None


def _when(state: PhaseState, checkpoint: CheckpointView) -> str:
    applied = f"applied {readable_time(checkpoint.created)}"
    if state == "rolled back" and checkpoint.rolled_back_at:
        return f"{applied}, rolled back {readable_time(checkpoint.rolled_back_at)}"
    return applied


def readable_time(iso: str) -> str:
    """ "2026-12-03T21:01:44+00:00" -> "2026-12-03 21:01:44 UTC" (as is if unparsable)."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        return f"{moment:%Y-%m-%d %H:%M:%S}"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _steps(steps: Sequence[Step], shown: int = MAX_STEPS) -> tuple[str, ...]:
    described = [s.describe() for s in steps]
    if len(described) <= shown:
        return tuple(described)
    return (*described[:shown], f"… and {len(described) - shown} more")


def _changes(phase: Phase) -> str:
    if PHASES[phase].changes_home:
        return "changes your home directory (behind a checkpoint)"
    return "writes only the config directory; your home is not touched"


def _split_next(steps: Sequence[str]) -> tuple[str, str, tuple[str, ...]]:
    """The phase command is the one to run next; other steps (`map ...`) may wait."""
    if not steps:
        return "", "", ()
    chosen = next((s for s in steps if _phase_of_command(s) is not None), steps[0])
    others = tuple(s for s in steps if s != chosen)
    command, _, why = chosen.partition("  # ")
    if not command.startswith("nixmigrate"):
        return "", chosen, others
    return command.strip(), why.strip(), others


def _phase_of_command(step: str) -> int | None:
    words = step.split()
    if len(words) >= 4 and words[1] in {"plan", "apply"} and words[2] == "--phase":
        return int(words[3]) if words[3].isdigit() else None
    return None


def _headline(phases: Sequence[PhaseView]) -> str:
    applied = [p.number for p in phases if p.state == "applied"]
    rolled = [p.number for p in phases if p.state == "rolled back"]
    planned = [p for p in phases if p.state != "not planned"]
    if applied:
        text = f"Phase{_plural(applied)} {_ranges(applied)} applied"
        if len(applied) == len(phases):
            text = "Every phase is applied"
        if rolled:
            text += f"; phase{_plural(rolled)} {_ranges(rolled)} rolled back"
        return text
    if rolled:
        return (
            f"Rolled back: phase{_plural(rolled)} {_ranges(rolled)} "
            "applied and then undone; nothing is applied now"
        )
    if planned:
        return f"Planned through phase {planned[-1].number}; nothing applied yet"
    return "Scanned; nothing planned yet"


def _plural(numbers: Sequence[int]) -> str:
    return "s" if len(numbers) > 1 else ""


def _ranges(numbers: Sequence[int]) -> str:
    """[1, 2, 3, 5] -> "1-3, 5"."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)
