"""Pure chart geometry: series of (label, value, low, high) in, SVG coordinates and paths out.

No Django and no ORM: `components/line_chart.html` draws what `line_chart()` returns, so the same
chart works in the browser, in a PDF and without JavaScript, and the component's "show as table"
alternative prints the very numbers the chart plots (UI.md, "Chart").

Coordinates are in SVG user units of a `width` x `height` viewBox, rounded to one decimal so the
markup stays short. A value of None is a gap: the line breaks there and no marker is drawn.
Whiskers (the interval) are drawn only where the point carries an interval and, when its `n` is
known, n >= 2 (one value has no spread to measure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Okabe-Ito: distinguishable with the common colour-vision deficiencies (UI.md).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
)
MAX_X_LABELS = 12  # more labels than this would overlap: show every k-th one
WHISKER_CAP = 4.0  # half-width of a whisker's end cap


@dataclass(frozen=True)
class Datum:
    """One value on the x axis: its label, the value, its interval and how many it stands for."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None


@dataclass(frozen=True)
class Series:
    name: str
    data: tuple[Datum, ...]


@dataclass(frozen=True)
class Tick:
    value: float
    position: float  # y for the value axis, x for the category axis
    label: str


@dataclass(frozen=True)
class Whisker:
    x: float
    y_low: float
    y_high: float
    cap_left: float
    cap_right: float


@dataclass(frozen=True)
class PlotPoint:
    label: str
    x: float
    y: float
    value: float
    low: float | None
    high: float | None
    n: int | None
    whisker: Whisker | None
    text: str  # what a screen reader or a hover says: "Week of 3 Mar: 78.4 (72.0-84.8), n = 23"


@dataclass(frozen=True)
class PlotSeries:
    name: str
    colour: str
    path: str  # "M x y L x y ..."; a gap starts a new "M"
    points: tuple[PlotPoint, ...]
    label_x: float  # where the direct label goes (after the last point), or -1 for none
    label_y: float


@dataclass(frozen=True)
class TableRow:
    """One x label with each series' value, interval and n, for the "show as table" view."""

    label: str
    cells: tuple[TableCell, ...]


@dataclass(frozen=True)
class TableCell:
    value: str
    interval: str
    n: str


@dataclass(frozen=True)
class LineChart:
    title: str
    description: str
    x_label: str
    y_label: str
    unit: str
    width: int
    height: int
    left: float  # the plot area inside the viewBox
    top: float
    right: float
    bottom: float
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    series: tuple[PlotSeries, ...]
    table: tuple[TableRow, ...]
    empty: bool  # no value at all: the template shows an empty state instead of axes

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    @property
    def plot_height(self) -> float:
        return self.bottom - self.top

    @property
    def x_label_y(self) -> float:
        return self.height - 6

    @property
    def y_label_x(self) -> float:
        return 14

    @property
    def y_label_y(self) -> float:
        return _round(self.top + self.plot_height / 2)

    @property
    def title_y(self) -> float:
        return 18

    @property
    def tick_label_x(self) -> float:
        """Where the value axis' tick labels end (right-aligned left of the plot)."""
        return _round(self.left - 6)

    @property
    def category_label_y(self) -> float:
        """The baseline of the category axis' tick labels, under the plot."""
        return _round(self.bottom + 16)

    @property
    def series_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.series)


def _round(value: float) -> float:
    return round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def format_number(value: float, decimals: int = 1) -> str:
    """One decimal, half away from zero, as people expect (62.45 -> 62.5); -0.0 shows as 0.0."""
    scale = 10**decimals
    rounded = math.floor(abs(value) * scale + 0.5 + 1e-9) / scale
    text = f"{rounded:.{decimals}f}"
    return f"-{text}" if value < 0 and rounded != 0 else text


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `target_ticks` ticks."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, target_ticks)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def value_domain(
    series: Sequence[Series], y_min: float | None, y_max: float | None
) -> tuple[float, float]:
    """The y range: the fixed bounds given, otherwise rounded out from every value and interval."""
    seen = [
        v
        for s in series
        for d in s.data
        for v in (d.value, d.low, d.high)
        if v is not None and math.isfinite(v)
    ]
    low = y_min if y_min is not None else min(seen, default=0.0)
    high = y_max if y_max is not None else max(seen, default=1.0)
    if high <= low:
        high = low + 1.0
    step = nice_step(high - low)
    if y_min is None:
        low = math.floor(low / step) * step
    if y_max is None:
        high = math.ceil(high / step) * step
    if high <= low:
        high = low + step
    return low, high


def y_ticks(low: float, high: float, scale: Scale, unit: str = "") -> tuple[Tick, ...]:
    step = nice_step(high - low)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        decimals = 0 if float(step).is_integer() else 1
        ticks.append(Tick(value, scale.y(value), f"{format_number(value, decimals)}{unit}"))
        value = first + step * len(ticks)
    return tuple(ticks)


@dataclass(frozen=True)
class Scale:
    """Maps category indexes and values onto the plot area."""

    left: float
    right: float
    top: float
    bottom: float
    count: int  # how many x categories
    low: float
    high: float

    def x(self, index: int) -> float:
        if self.count <= 1:
            return _round((self.left + self.right) / 2)
        return _round(self.left + index * (self.right - self.left) / (self.count - 1))

    def y(self, value: float) -> float:
        clamped = min(max(value, self.low), self.high)
        share = (clamped - self.low) / (self.high - self.low)
        return _round(self.bottom - share * (self.bottom - self.top))


def _labels(series: Sequence[Series]) -> list[str]:
    """Every x label in first-seen order (series normally share the same labels)."""
    seen: dict[str, None] = {}
    for s in series:
        for d in s.data:
            seen.setdefault(d.label, None)
    return list(seen)


def _has_whisker(d: Datum) -> bool:
    if d.value is None or d.low is None or d.high is None:
        return False
    return d.n is None or d.n >= 2


def _interval_text(d: Datum, unit: str) -> str:
    if not _has_whisker(d):
        return ""
    assert d.low is not None and d.high is not None
    return f"{format_number(d.low)}{unit}\u2013{format_number(d.high)}{unit}"


def _point_text(d: Datum, unit: str) -> str:
    assert d.value is not None
    text = f"{d.label}: {format_number(d.value)}{unit}"
    if interval := _interval_text(d, unit):
        text += f" (95% interval {interval})"
    if d.n is not None:
        text += f", n = {d.n}"
    return text


def _plot_series(
    s: Series, colour: str, index_of: dict[str, int], scale: Scale, unit: str
) -> PlotSeries:
    points: list[PlotPoint] = []
    commands: list[str] = []
    previous_index: int | None = None
    for d in s.data:
        if d.value is None or not math.isfinite(d.value):
            previous_index = None
            continue
        i = index_of[d.label]
        x, y = scale.x(i), scale.y(d.value)
        joined = previous_index is not None and i == previous_index + 1
        commands.append(f"{'L' if joined else 'M'}{x:g} {y:g}")
        previous_index = i
        whisker = None
        if _has_whisker(d):
            assert d.low is not None and d.high is not None
            whisker = Whisker(
                x=x,
                y_low=scale.y(d.low),
                y_high=scale.y(d.high),
                cap_left=_round(x - WHISKER_CAP),
                cap_right=_round(x + WHISKER_CAP),
            )
        points.append(
            PlotPoint(
                label=d.label,
                x=x,
                y=y,
                value=d.value,
                low=d.low,
                high=d.high,
                n=d.n,
                whisker=whisker,
                text=_point_text(d, unit),
            )
        )
    last = points[-1] if points else None
    return PlotSeries(
        name=s.name,
        colour=colour,
        path=" ".join(commands),
        points=tuple(points),
        label_x=_round(last.x + 8) if last else -1,
        label_y=_round(last.y + 4) if last else -1,
    )


def _x_ticks(labels: list[str], scale: Scale) -> tuple[Tick, ...]:
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    return tuple(
        Tick(float(i), scale.x(i), label) for i, label in enumerate(labels) if i % every == 0
    )


def _table(series: Sequence[Series], labels: list[str], unit: str) -> tuple[TableRow, ...]:
    by_series = [{d.label: d for d in s.data} for s in series]
    rows = []
    for label in labels:
        cells = []
        for data in by_series:
            d = data.get(label)
            if d is None or d.value is None:
                cells.append(TableCell("\u2013", "", str(d.n) if d and d.n is not None else ""))
                continue
            cells.append(
                TableCell(
                    value=f"{format_number(d.value)}{unit}",
                    interval=_interval_text(d, unit),
                    n="" if d.n is None else str(d.n),
                )
            )
        rows.append(TableRow(label, tuple(cells)))
    return tuple(rows)


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    unit: str = "",
    y_min: float | None = None,
    y_max: float | None = None,
    width: int = 720,
    height: int = 280,
    description: str = "",
) -> LineChart:
    """Lay out a line chart of `series` over their shared x labels (in first-seen order).

    `y_min`/`y_max` fix the value axis (a 0-100 score reads honestly on 0-100); otherwise it is
    rounded out from the data. Series take the Okabe-Ito colours in order and are labelled
    directly at their last point, so no legend is needed.
    """
    labels = _labels(series)
    names_width = max((len(s.name) for s in series), default=0) * 6.5 if len(series) > 1 else 0
    left, top = 56.0, 32.0
    right = width - 16.0 - min(names_width, width / 4)
    bottom = height - 44.0
    low, high = value_domain(series, y_min, y_max)
    scale = Scale(left, right, top, bottom, len(labels), low, high)
    index_of = {label: i for i, label in enumerate(labels)}
    plotted = tuple(
        _plot_series(s, PALETTE[i % len(PALETTE)], index_of, scale, unit)
        for i, s in enumerate(series)
    )
    if len(plotted) == 1:  # one line: the title names it, no direct label needed
        plotted = tuple(PlotSeries(p.name, p.colour, p.path, p.points, -1, -1) for p in plotted)
    empty = not any(p.points for p in plotted)
    return LineChart(
        title=title,
        description=description or _describe(series, labels, unit),
        x_label=x_label,
        y_label=y_label,
        unit=unit,
        width=width,
        height=height,
        left=left,
        top=top,
        right=_round(right),
        bottom=bottom,
        y_ticks=y_ticks(low, high, scale, unit) if not empty else (),
        x_ticks=_x_ticks(labels, scale) if not empty else (),
        series=plotted,
        table=_table(series, labels, unit),
        empty=empty,
    )


def _describe(series: Sequence[Series], labels: list[str], unit: str) -> str:
    """A one-sentence summary for screen readers: the range covered and each series' ends."""
    if not labels:
        return "No data."
    parts = [f"From {labels[0]} to {labels[-1]}."]
    for s in series:
        values = [d for d in s.data if d.value is not None]
        if not values:
            parts.append(f"{s.name}: no data.")
            continue
        first, last = values[0], values[-1]
        assert first.value is not None and last.value is not None
        parts.append(
            f"{s.name}: {format_number(first.value)}{unit} in {first.label}, "
            f"{format_number(last.value)}{unit} in {last.label}."
        )
    return " ".join(parts)
