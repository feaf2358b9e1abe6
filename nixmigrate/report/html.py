"""report.html: the Page rendered as one self-contained HTML file.

Pure. Jinja2 with autoescaping on is the one escaping path: every name, path and
reason reaches the page through it. The page loads nothing (its own CSP says so),
needs no JavaScript and prints without the interactive parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import jinja2

from nixmigrate.report.page import KIND_GROUPS, Bar, Page

BAR_COLORS: Final = ("#2f6fb3", "#8a5cc2", "#3a9d7a")  # formulae, casks, other
CHART_WIDTH: Final = 720
LABEL_WIDTH: Final = 190
COUNT_WIDTH: Final = 50
ROW_HEIGHT: Final = 30
BAR_HEIGHT: Final = 20
LEGEND_HEIGHT: Final = 28
OWNER_NOTES: Final = {  # the home paths of a package without mutable links
    "mutable": "owned by Stow until phase 3",
    "declarative": "become Home Manager settings in phase 4",
    "not included": "stay with Stow",
}


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    width: float
    color: str
    count: int
    group: str


@dataclass(frozen=True, slots=True)
class ChartRow:
    y: int
    label: str
    total: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: tuple[ChartRow, ...]
    legend: tuple[tuple[str, str], ...]  # (group, color)
    legend_y: int


def chart_of(bars: Sequence[Bar]) -> Chart:
    """Geometry of the horizontal stacked bar chart (one bar per destination)."""
    longest = max((b.total for b in bars), default=0) or 1
    area = CHART_WIDTH - LABEL_WIDTH - COUNT_WIDTH
    rows: list[ChartRow] = []
    for index, bar in enumerate(bars):
        x = float(LABEL_WIDTH)
        segments: list[Segment] = []
        for group, count in enumerate(bar.counts):
            if count:
                width = area * count / longest
                segments.append(
                    Segment(x, width, BAR_COLORS[group], count, KIND_GROUPS[group])
                )
                x += width
        y = LEGEND_HEIGHT + index * ROW_HEIGHT
        rows.append(ChartRow(y, bar.label, bar.total, tuple(segments)))
    return Chart(
        width=CHART_WIDTH,
        height=LEGEND_HEIGHT + len(bars) * ROW_HEIGHT,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        rows=tuple(rows),
        legend=tuple(zip(KIND_GROUPS, BAR_COLORS, strict=True)),
        legend_y=LEGEND_HEIGHT // 2,
    )


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("nixmigrate.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(page: Page) -> str:
    template = _environment().get_template("report.html.j2")
    text = template.render(
        page=page,
        chart=chart_of(page.bars),
        kind_groups=KIND_GROUPS,
        colors=BAR_COLORS,
        owner_note=OWNER_NOTES,
    )
    # a name that was not UTF-8 on disk arrives as lone surrogates: show them escaped
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
