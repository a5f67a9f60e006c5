"""Correlation with a Fisher z interval (qa_platform.stats): r checked against scipy, the interval
against a worked example done by hand (docs/engagement.md, "Engagement and customer results")."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from qa_platform import stats

# The worked example of docs/engagement.md: eight teams' engagement index and CSAT %.
INDEX = [62, 70, 55, 81, 74, 66, 59, 77]
CSAT = [84.0, 88.5, 86.0, 91.0, 85.5, 83.0, 80.5, 92.5]


def test_spearman_of_the_worked_example_is_two_thirds_as_done_by_hand():
    # Ranks differ by 0, -1, -4, 1, 2, 2, 1, -1: Σd² = 28, r = 1 - 6·28 / (8·63) = 2/3.
    result = stats.spearman_with_interval(INDEX, CSAT)
    assert result.method == "spearman"
    assert result.n == 8
    assert result.r == pytest.approx(2 / 3, abs=1e-12)


def test_fisher_interval_of_the_worked_example_matches_the_hand_computation():
    # z = atanh(2/3) = ½ ln 5 = 0.80472; SE = 1/√5 = 0.44721; ± 1.95996 · SE = ± 0.87652;
    # z from -0.07180 to 1.68124; back through tanh: -0.0717 to 0.9332.
    result = stats.spearman_with_interval(INDEX, CSAT)
    assert result.low == pytest.approx(-0.0717, abs=5e-4)
    assert result.high == pytest.approx(0.9332, abs=5e-4)
    assert result.crosses_zero


def test_spearman_matches_scipy_with_ties():
    x = [1, 2, 2, 3, 5, 5, 5, 8, 9, 10]
    y = [3.1, 2.0, 4.4, 4.4, 6.0, 5.5, 7.1, 7.0, 9.9, 8.0]
    expected = scipy_stats.spearmanr(x, y).statistic
    assert stats.spearman_with_interval(x, y).r == pytest.approx(expected, abs=1e-12)


def test_pearson_matches_scipy_and_its_interval_matches_scipys_fisher_interval():
    x = [1.0, 2.5, 3.0, 4.5, 5.0, 6.5, 7.0, 9.0]
    y = [2.0, 2.9, 3.5, 4.0, 6.1, 6.0, 8.2, 8.0]
    expected = scipy_stats.pearsonr(x, y)
    result = stats.pearson_with_interval(x, y)
    assert result.method == "pearson"
    assert result.r == pytest.approx(expected.statistic, abs=1e-12)
    ci = expected.confidence_interval(0.95)  # scipy's is Fisher z with SE = 1/√(n-3) too
    assert result.low == pytest.approx(ci.low, abs=1e-9)
    assert result.high == pytest.approx(ci.high, abs=1e-9)


def test_a_clear_negative_relationship_has_an_interval_below_zero():
    x = list(range(20))
    y = [40 - 2 * v + (v % 3) for v in x]
    result = stats.spearman_with_interval(x, y)
    assert result.r is not None and result.r < -0.9
    assert result.high is not None and result.high < 0
    assert not result.crosses_zero


def test_fewer_than_four_pairs_give_no_figure_and_say_why():
    result = stats.spearman_with_interval([1, 2, 3], [3, 1, 2])
    assert result.r is None and result.low is None and result.high is None
    assert result.n == 3
    assert "Fewer than 4 pairs" in (result.reason or "")
    assert not result.defined
    assert result.crosses_zero


def test_no_pairs_at_all_give_no_figure():
    result = stats.pearson_with_interval([], [])
    assert result.r is None and result.n == 0


@pytest.mark.parametrize(
    ("x", "y", "side"),
    [([5, 5, 5, 5, 5], [1, 2, 3, 4, 5], "first"), ([1, 2, 3, 4, 5], [7, 7, 7, 7, 7], "second")],
)
def test_a_constant_side_gives_no_figure_and_says_which(x, y, side):
    for method in (stats.spearman_with_interval, stats.pearson_with_interval):
        result = method(x, y)
        assert result.r is None
        assert f"Every {side} value is the same" in (result.reason or "")


def test_a_perfect_correlation_has_a_zero_width_interval():
    result = stats.spearman_with_interval([1, 2, 3, 4, 5], [10, 20, 30, 40, 50])
    assert result.r == pytest.approx(1.0)
    assert result.low == result.high == pytest.approx(1.0)


def test_mismatched_lengths_and_non_finite_values_are_refused():
    with pytest.raises(ValueError, match="one y for every x"):
        stats.spearman_with_interval([1, 2, 3, 4], [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        stats.pearson_with_interval([1, 2, 3, math.nan], [1, 2, 3, 4])


def test_decimals_are_accepted():
    x = [Decimal("1.5"), Decimal("2.5"), Decimal("3.0"), Decimal("4.0")]
    assert stats.pearson_with_interval(x, [1, 2, 4, 3]).r == pytest.approx(
        scipy_stats.pearsonr([1.5, 2.5, 3.0, 4.0], [1, 2, 4, 3]).statistic
    )


def test_fisher_interval_refuses_too_few_pairs_and_impossible_r():
    with pytest.raises(ValueError, match="at least 4"):
        stats.fisher_interval(0.5, 3)
    with pytest.raises(ValueError, match=r"-1\.\.1"):
        stats.fisher_interval(1.2, 10)


def test_a_wider_confidence_gives_a_wider_interval():
    low95, high95 = stats.fisher_interval(0.4, 30, 0.95)
    low99, high99 = stats.fisher_interval(0.4, 30, 0.99)
    assert low99 < low95 < 0.4 < high95 < high99


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1000, 1000, allow_nan=False), st.floats(-1000, 1000, allow_nan=False)),
        min_size=4,
        max_size=40,
    )
)
def test_r_agrees_with_scipy_and_lies_inside_its_interval(pairs):
    x = [a for a, _ in pairs]
    y = [b for _, b in pairs]
    for ours, theirs in (
        (stats.spearman_with_interval, scipy_stats.spearmanr),
        (stats.pearson_with_interval, scipy_stats.pearsonr),
    ):
        result = ours(x, y)
        if len(set(x)) == 1 or len(set(y)) == 1:
            assert result.r is None
            continue
        expected = float(theirs(x, y).statistic)
        if math.isnan(expected):  # scipy gives nan on near-constant floats; so may we not
            continue
        assert result.r == pytest.approx(expected, abs=1e-9)
        assert result.low is not None and result.high is not None
        assert -1.0 <= result.low <= result.r <= result.high <= 1.0
