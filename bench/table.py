"""What every benchmark shares: best-of timing and the side-by-side table."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    case: str
    items: int  # 0: not a count of items
    ours: float  # seconds, nixmigrate
    reference: str  # the reference tool, as run
    theirs: float | None  # seconds, the reference (None: no reference for this case)


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """The fastest of `repeat` runs, in seconds: the least disturbed by other load."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def render(rows: Sequence[Row]) -> str:
    header = ("case", "items", "nixmigrate (s)", "reference (s)", "reference tool")
    lines = [
        (r.case, str(r.items or "-"), f"{r.ours:.3f}", _seconds(r.theirs), r.reference)
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    out = [
        " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        for row in [header, *lines]
    ]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
