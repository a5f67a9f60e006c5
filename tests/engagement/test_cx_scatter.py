"""Scatter-plot geometry (qa_platform.engagement.scatter): dots inside the plot area, round axes,
hover texts with both n's, an empty plot when no team passed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_platform.engagement import scatter as s


def plot(points):
    return s.scatter(
        points, title="Index and CSAT %", x_label="engagement index", y_label="CSAT %", y_unit="%"
    )


def test_dots_are_placed_by_value_within_the_plot_area():
    chart = plot([s.Point("A", 50, 80, 8, 40), s.Point("B", 70, 90, 9, 41)])
    a, b = chart.dots
    assert s.LEFT < a.cx < b.cx < s.RIGHT
    assert s.TOP < b.cy < a.cy < s.BOTTOM  # higher CSAT is higher up (smaller y)


def test_hover_text_names_the_team_with_both_figures_and_their_n():
    chart = plot([s.Point("Billing", 71.24, 88.0, 9, 64)])
    assert chart.dots[0].text == (
        "Billing: engagement index 71.2 (n = 9 answers), CSAT % 88.0% (n = 64 answers)"
    )


def test_axes_are_round_and_labelled_with_units():
    chart = plot([s.Point("A", 52, 81, 5, 30), s.Point("B", 77, 93, 5, 30)])
    assert chart.x_label == "engagement index"
    assert chart.y_label == "CSAT % (%)"
    assert [t.label for t in chart.x_ticks] == ["50", "60", "70", "80"]
    assert all(t.label.endswith("%") for t in chart.y_ticks)
    assert "One dot per team" in chart.description and "2 teams" in chart.description


def test_no_points_give_an_empty_plot():
    chart = plot([])
    assert chart.empty and chart.x_ticks == () and chart.dots == ()


def test_one_point_or_equal_values_still_have_a_range():
    chart = plot([s.Point("A", 60, 80, 5, 30), s.Point("B", 60, 80, 5, 30)])
    assert not chart.empty
    assert chart.dots[0].cx == pytest.approx((s.LEFT + s.RIGHT) / 2)


@given(st.lists(st.tuples(st.floats(-100, 100), st.floats(0, 100)), min_size=1, max_size=50))
def test_every_dot_lies_inside_the_plot_area(values):
    chart = plot([s.Point(f"T{i}", x, y, 5, 30) for i, (x, y) in enumerate(values)])
    for dot in chart.dots:
        assert s.LEFT <= dot.cx <= s.RIGHT
        assert s.TOP <= dot.cy <= s.BOTTOM
