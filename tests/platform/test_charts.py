"""The pure chart geometry: positions, paths with gaps, whiskers only where n allows, ticks,
colours, direct labels and the table alternative carrying the same numbers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_platform.charts import (
    PALETTE,
    Datum,
    LineChart,
    Series,
    format_number,
    line_chart,
    nice_step,
    value_domain,
)


def chart_of(*data: Datum) -> LineChart:
    return line_chart(
        [Series("Quality score", tuple(data))],
        title="Quality score by week",
        x_label="Week starting",
        y_label="Quality score (0-100)",
        y_min=0,
        y_max=100,
    )


def test_points_spread_evenly_across_the_plot_and_values_map_onto_the_axis() -> None:
    chart = line_chart(
        [Series("Score", (Datum("a", 0), Datum("b", 50), Datum("c", 100)))],
        title="t",
        x_label="x",
        y_label="y",
        y_min=0,
        y_max=100,
        width=400,
        height=200,
    )
    points = chart.series[0].points
    assert [p.x for p in points] == [chart.left, (chart.left + chart.right) / 2, chart.right]
    assert points[0].y == chart.bottom
    assert points[2].y == chart.top
    assert points[1].y == pytest.approx((chart.top + chart.bottom) / 2, abs=0.1)
    assert chart.series[0].path == (
        f"M{points[0].x:g} {points[0].y:g} L{points[1].x:g} {points[1].y:g} "
        f"L{points[2].x:g} {points[2].y:g}"
    )


def test_a_missing_value_breaks_the_line_instead_of_joining_across_it() -> None:
    chart = chart_of(Datum("w1", 60), Datum("w2", None), Datum("w3", 70), Datum("w4", 80))
    path = chart.series[0].path
    assert path.count("M") == 2 and path.count("L") == 1
    assert [p.label for p in chart.series[0].points] == ["w1", "w3", "w4"]


def test_a_single_point_is_centred_and_drawn_as_a_marker_only() -> None:
    chart = chart_of(Datum("only", 42.0, 30.0, 54.0, 7))
    series = chart.series[0]
    assert series.points[0].x == pytest.approx((chart.left + chart.right) / 2, abs=0.1)
    assert "L" not in series.path


def test_whiskers_show_the_interval_only_from_two_values() -> None:
    chart = chart_of(
        Datum("two", 70.0, 60.0, 80.0, 2),
        Datum("one", 90.0, 90.0, 90.0, 1),
        Datum("unknown n", 50.0, 40.0, 60.0),
        Datum("no interval", 55.0, None, None, 9),
    )
    whiskers = [p.whisker for p in chart.series[0].points]
    assert whiskers[0] is not None and whiskers[1] is None
    assert whiskers[2] is not None and whiskers[3] is None
    w = whiskers[0]
    assert w.y_low > w.y_high  # SVG y grows downwards: the low end is lower on screen
    assert w.cap_right - w.cap_left == pytest.approx(8.0)


def test_whiskers_past_the_axis_are_clipped_to_the_plot() -> None:
    chart = chart_of(Datum("wide", 52.97, -4.06, 110.0, 5))
    whisker = chart.series[0].points[0].whisker
    assert whisker.y_low == chart.bottom and whisker.y_high == chart.top


def test_each_point_says_its_value_interval_and_n_in_words() -> None:
    chart = chart_of(Datum("3 Mar", 78.44, 72.3, 84.5, 23))
    assert chart.series[0].points[0].text == ("3 Mar: 78.4 (95% interval 72.3\u201384.5), n = 23")


def test_the_table_alternative_carries_the_same_numbers() -> None:
    chart = chart_of(Datum("w1", 62.45, 50.0, 74.9, 6), Datum("w2", None, None, None, 0))
    rows = chart.table
    assert [(r.label, r.cells[0].value, r.cells[0].interval, r.cells[0].n) for r in rows] == [
        ("w1", "62.5", "50.0\u201374.9", "6"),
        ("w2", "\u2013", "", "0"),
    ]


def test_value_ticks_are_round_numbers_with_units() -> None:
    chart = chart_of(Datum("a", 10), Datum("b", 90))
    assert [t.label for t in chart.y_ticks] == ["0", "20", "40", "60", "80", "100"]
    percent = line_chart(
        [Series("CSAT", (Datum("a", 81.0), Datum("b", 93.0)))],
        title="CSAT",
        x_label="Week",
        y_label="CSAT %",
        unit="%",
    )
    assert percent.y_ticks[0].label.endswith("%")
    assert percent.y_ticks[0].value <= 81.0 and percent.y_ticks[-1].value >= 93.0


def test_many_categories_label_every_kth_one_so_labels_do_not_overlap() -> None:
    data = tuple(Datum(f"w{i}", 50.0 + i % 7) for i in range(52))
    chart = chart_of(*data)
    assert len(chart.x_ticks) <= 13
    assert chart.x_ticks[0].label == "w0"


def test_series_take_the_okabe_ito_colours_and_are_labelled_directly() -> None:
    chart = line_chart(
        [
            Series("Quality score", (Datum("a", 70), Datum("b", 75))),
            Series("CSAT %", (Datum("a", 80), Datum("b", 85))),
        ],
        title="t",
        x_label="x",
        y_label="y",
        y_min=0,
        y_max=100,
    )
    assert [s.colour for s in chart.series] == list(PALETTE[:2])
    assert all(s.label_x > chart.series[0].points[-1].x for s in chart.series)
    assert chart.series_names == ("Quality score", "CSAT %")
    single = chart_of(Datum("a", 1))
    assert single.series[0].label_x == -1


def test_a_chart_without_any_value_is_empty() -> None:
    chart = chart_of(Datum("a", None), Datum("b", None))
    assert chart.empty and chart.y_ticks == () and chart.series[0].path == ""


def test_the_description_summarises_the_first_and_last_values() -> None:
    chart = chart_of(Datum("3 Mar", 70), Datum("10 Mar", None), Datum("17 Mar", 82.25))
    assert chart.description == (
        "From 3 Mar to 17 Mar. Quality score: 70.0 in 3 Mar, 82.3 in 17 Mar."
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [(62.45, "62.5"), (53.3333, "53.3"), (-0.04, "0.0"), (-3.25, "-3.3"), (0.05, "0.1")],
)
def test_numbers_round_half_away_from_zero(value: float, text: str) -> None:
    assert format_number(value) == text


def test_nice_steps_are_1_2_2_5_or_5_times_a_power_of_ten() -> None:
    assert nice_step(100) == 20
    assert nice_step(12) == 2.5
    assert nice_step(0) == 1.0
    assert value_domain([Series("s", (Datum("a", 13.0, 11.0, 17.0),))], None, None) == (10, 18)


@given(
    st.lists(
        st.one_of(st.none(), st.floats(min_value=-1000, max_value=1000, allow_nan=False)),
        min_size=1,
        max_size=60,
    )
)
def test_every_point_lies_inside_the_plot_whatever_the_values(values: list[float | None]) -> None:
    chart = line_chart(
        [Series("s", tuple(Datum(f"p{i}", v) for i, v in enumerate(values)))],
        title="t",
        x_label="x",
        y_label="y",
    )
    for point in chart.series[0].points:
        assert chart.left <= point.x <= chart.right
        assert chart.top <= point.y <= chart.bottom
    for tick in chart.y_ticks:
        assert chart.top - 0.1 <= tick.position <= chart.bottom + 0.1
    assert re.fullmatch(r"([ML]-?[\d.]+ -?[\d.]+ ?)*", chart.series[0].path)
