"""Pure scatter-plot geometry for the engagement ↔ CX view: (label, x, y, n's) in, SVG coordinates
out. No Django. `engagement/cx/_scatter.html` draws what `scatter()` returns, so the plot works in
the browser, in a PDF and without JavaScript; the page's table lists the very same pairs.

Axes are rounded out to round steps (`qa_platform.charts.nice_step`), with a little room so no dot
sits on an axis. No trend line is drawn: a fitted line invites reading the plot as cause and
effect, and the figures beside the plot (Spearman with its interval) say how the two move.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from qa_platform.charts import PALETTE, format_number, nice_step

WIDTH = 640
HEIGHT = 400
LEFT, RIGHT, TOP, BOTTOM = 64.0, 620.0, 36.0, 340.0


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float
    x_n: int
    y_n: int


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Dot:
    cx: float
    cy: float
    text: str  # the hover / screen-reader text: "Billing: index 71.2 (n = 9), CSAT 88.0% (n = 64)"


@dataclass(frozen=True)
class ScatterPlot:
    title: str
    description: str
    x_label: str
    y_label: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    dots: tuple[Dot, ...]
    colour: str

    @property
    def empty(self) -> bool:
        return not self.dots

    @property
    def title_y(self) -> float:
        return self.top - 16

    @property
    def x_tick_y(self) -> float:
        return self.bottom + 18

    @property
    def x_label_y(self) -> float:
        return self.bottom + 44

    @property
    def y_tick_x(self) -> float:
        return self.left - 8

    @property
    def y_label_x(self) -> float:
        return 16.0

    @property
    def y_label_y(self) -> float:
        return (self.top + self.bottom) / 2


def domain(values: Sequence[float]) -> tuple[float, float]:
    """A round range holding every value, with room so none sits on the edge."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    low, high = min(finite), max(finite)
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if low == min(finite):
        low -= step / 2
    if high == max(finite):
        high += step / 2
    return low, high


def ticks(low: float, high: float, start: float, end: float, unit: str) -> tuple[Tick, ...]:
    """Round ticks between low and high, placed between screen positions start and end."""
    step = nice_step(high - low)
    first = math.ceil(low / step - 1e-9) * step
    out = []
    value = first
    decimals = 0 if float(step).is_integer() else 1
    while value <= high + step * 1e-9:
        out.append(
            Tick(_at(value, low, high, start, end), f"{format_number(value, decimals)}{unit}")
        )
        value = first + step * len(out)
    return tuple(out)


def _at(value: float, low: float, high: float, start: float, end: float) -> float:
    share = (value - low) / (high - low)
    return round(start + share * (end - start), 1) + 0.0


def scatter(
    points: Sequence[Point],
    *,
    title: str,
    x_label: str,
    y_label: str,
    x_unit: str = "",
    y_unit: str = "",
    x_noun: str = "answers",
    y_noun: str = "answers",
) -> ScatterPlot:
    x_low, x_high = domain([p.x for p in points])
    y_low, y_high = domain([p.y for p in points])
    dots = tuple(
        Dot(
            _at(p.x, x_low, x_high, LEFT, RIGHT),
            _at(p.y, y_low, y_high, BOTTOM, TOP),
            f"{p.label}: {x_label} {format_number(p.x)}{x_unit} (n = {p.x_n} {x_noun}), "
            f"{y_label} {format_number(p.y)}{y_unit} (n = {p.y_n} {y_noun})",
        )
        for p in points
    )
    count = len(points)
    description = (
        f"One dot per team: {x_label} across, {y_label} up, {count} team"
        f"{'' if count == 1 else 's'}. The table below lists every dot."
    )
    return ScatterPlot(
        title=title,
        description=description,
        x_label=x_label + (f" ({x_unit.strip()})" if x_unit.strip() else ""),
        y_label=y_label + (f" ({y_unit.strip()})" if y_unit.strip() else ""),
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=RIGHT,
        top=TOP,
        bottom=BOTTOM,
        x_ticks=ticks(x_low, x_high, LEFT, RIGHT, x_unit) if points else (),
        y_ticks=ticks(y_low, y_high, BOTTOM, TOP, y_unit) if points else (),
        dots=dots,
        colour=PALETTE[0],
    )
