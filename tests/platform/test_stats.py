"""Statistics helpers: intervals and the customer-side measures of DOMAIN.md §3. No database."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from scipy import stats as scipy_stats

from qa_platform import stats


def test_too_few_means_under_five() -> None:
    assert stats.MIN_N == 5


# --- Mean with a t-interval -----------------------------------------------------------------


def test_mean_interval_matches_a_t_interval_worked_by_hand() -> None:
    values = [1, 2, 3, 4, 5]
    interval = stats.mean_interval(values)
    assert interval is not None
    sd = math.sqrt(sum((v - 3) ** 2 for v in values) / 4)  # sample standard deviation
    margin = scipy_stats.t.ppf(0.975, df=4) * sd / math.sqrt(5)
    assert interval.n == 5
    assert interval.value == 3
    assert interval.low == pytest.approx(3 - margin)
    assert interval.high == pytest.approx(3 + margin)
    assert (interval.low, interval.high) == pytest.approx((1.0368, 4.9632), abs=1e-4)
    assert interval.too_few is False


def test_mean_interval_of_review_scores_accepts_decimals() -> None:
    finals = [Decimal(100), Decimal("9.91"), Decimal("63.96"), Decimal("90.99"), Decimal(0)]
    interval = stats.mean_interval(finals)
    assert interval is not None
    assert interval.value == pytest.approx(52.972)
    data = np.array([100, 9.91, 63.96, 90.99, 0])
    margin = scipy_stats.t.ppf(0.975, df=4) * data.std(ddof=1) / math.sqrt(5)
    assert (interval.low, interval.high) == pytest.approx((52.972 - margin, 52.972 + margin))


def test_a_lower_confidence_gives_a_narrower_interval() -> None:
    wide = stats.mean_interval([3, 5, 4, 8, 6, 7], confidence=0.95)
    narrow = stats.mean_interval([3, 5, 4, 8, 6, 7], confidence=0.80)
    assert wide is not None and narrow is not None
    assert wide.low < narrow.low < narrow.value == wide.value < narrow.high < wide.high


@pytest.mark.parametrize("values", [[], [42.0]])
def test_there_is_no_mean_interval_below_two_values(values: list[float]) -> None:
    assert stats.mean_interval(values) is None


def test_identical_values_give_a_zero_width_interval() -> None:
    assert stats.mean_interval([4, 4, 4]) == stats.Interval(
        n=3, value=4.0, low=4.0, high=4.0, too_few=True
    )


@pytest.mark.parametrize(("n", "too_few"), [(2, True), (4, True), (5, False), (30, False)])
def test_a_mean_of_fewer_than_five_is_too_few(n: int, too_few: bool) -> None:
    interval = stats.mean_interval(list(range(n)))
    assert interval is not None and interval.too_few is too_few


# --- Proportions: Wilson --------------------------------------------------------------------


def wilson_by_hand(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_wilson_interval_for_8_of_10_is_about_0_490_to_0_943() -> None:
    share = stats.wilson_interval(8, 10)
    assert (share.n, share.successes, share.value) == (10, 8, 0.8)
    assert share.low == pytest.approx(0.490, abs=5e-4)
    assert share.high == pytest.approx(0.943, abs=5e-4)
    assert share.too_few is False


@pytest.mark.parametrize(("successes", "n"), [(0, 10), (10, 10), (1, 3), (37, 120), (5, 5)])
def test_wilson_interval_matches_the_formula(successes: int, n: int) -> None:
    share = stats.wilson_interval(successes, n)
    assert (share.low, share.high) == pytest.approx(wilson_by_hand(successes, n), abs=1e-6)
    assert share.low is not None and share.high is not None
    assert 0 <= share.low <= successes / n <= share.high <= 1


def test_wilson_interval_of_nothing_has_no_value() -> None:
    assert stats.wilson_interval(0, 0) == stats.Proportion(
        n=0, successes=0, value=None, low=None, high=None, too_few=True
    )


@pytest.mark.parametrize(("successes", "n"), [(3, 2), (-1, 5), (0, -1)])
def test_wilson_interval_refuses_impossible_counts(successes: int, n: int) -> None:
    with pytest.raises(ValueError, match="successes"):
        stats.wilson_interval(successes, n)


# --- CSAT -----------------------------------------------------------------------------------


def test_csat_is_the_share_of_fours_and_fives() -> None:
    result = stats.csat([5, 4, 3, 2, 1, 5, 4, 4, 5, 2])
    assert (result.n, result.successes, result.value) == (10, 6, 0.6)
    assert result == stats.wilson_interval(6, 10)


def test_csat_is_a_proportion_not_a_mean() -> None:
    # Mean 3.0 either way, but very different satisfaction.
    assert stats.csat([3, 3, 3, 3, 3]).value == 0
    assert stats.csat([5, 5, 1, 1, 3]).value == pytest.approx(0.4)


def test_csat_of_few_answers_is_flagged_too_few() -> None:
    assert stats.csat([5, 4, 4, 5]).too_few is True
    assert stats.csat([5, 4, 4, 5, 1]).too_few is False


def test_csat_with_no_answers_has_no_value() -> None:
    result = stats.csat([])
    assert (result.n, result.value, result.low, result.high, result.too_few) == (
        0,
        None,
        None,
        None,
        True,
    )


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_csat_refuses_answers_outside_1_to_5(bad: int) -> None:
    with pytest.raises(ValueError, match="CSAT answers must be whole numbers 1-5"):
        stats.csat([5, 4, bad])


# --- NPS ------------------------------------------------------------------------------------

NPS_SAMPLE = [10, 9, 9, 8, 7, 6, 3, 10, 9, 0]  # 5 promoters, 2 passives, 3 detractors


def test_nps_is_percent_promoters_minus_percent_detractors() -> None:
    result = stats.nps(NPS_SAMPLE)
    assert (result.promoters, result.passives, result.detractors, result.n) == (5, 2, 3, 10)
    assert result.value == pytest.approx(20.0)  # 50% - 30%


def test_nps_interval_follows_the_documented_variance() -> None:
    result = stats.nps(NPS_SAMPLE)
    # variance = 0.5 + 0.3 - 0.2² = 0.76; SE = √(0.76/10) = 0.2757; ±1.96·SE ≈ ±54.0 points
    se = math.sqrt((0.5 + 0.3 - 0.2**2) / 10)
    assert result.low == pytest.approx(20 - 1.96 * se * 100, abs=0.01)
    assert result.high == pytest.approx(20 + 1.96 * se * 100, abs=0.01)
    assert (result.low, result.high) == pytest.approx((-34.03, 74.03), abs=0.01)


def test_nps_interval_is_clipped_to_minus_100_and_100() -> None:
    mostly_promoters = stats.nps([10] * 9 + [0])
    assert mostly_promoters.value == pytest.approx(80.0)
    assert mostly_promoters.high == 100.0
    assert mostly_promoters.low == pytest.approx(80 - 1.96 * math.sqrt(0.36 / 10) * 100, abs=0.01)
    mostly_detractors = stats.nps([0] * 9 + [10])
    assert mostly_detractors.low == -100.0


def test_nps_when_everyone_agrees_has_a_zero_width_interval() -> None:
    everyone = stats.nps([10, 9, 10, 9, 10])
    assert (everyone.value, everyone.low, everyone.high) == (100.0, 100.0, 100.0)
    nobody = stats.nps([0, 1, 2, 3, 4])
    assert (nobody.value, nobody.low, nobody.high) == (-100.0, -100.0, -100.0)


def test_passives_count_in_n_but_not_in_the_score() -> None:
    assert stats.nps([7, 8, 7, 8, 7]).value == 0
    assert stats.nps([10, 8]).value == pytest.approx(50.0)


def test_nps_with_no_answers_has_no_value() -> None:
    assert stats.nps([]) == stats.NpsResult(0, None, None, None, True, 0, 0, 0)


def test_nps_of_few_answers_is_flagged_too_few() -> None:
    assert stats.nps([10, 9, 0, 8]).too_few is True


@pytest.mark.parametrize("bad", [-1, 11])
def test_nps_refuses_answers_outside_0_to_10(bad: int) -> None:
    with pytest.raises(ValueError, match="NPS answers must be whole numbers 0-10"):
        stats.nps([9, bad])


# --- CES ------------------------------------------------------------------------------------


def test_ces_7_point_reports_the_mean_and_the_share_of_5_to_7() -> None:
    answers = [7, 6, 5, 4, 3, 2, 1]
    result = stats.ces(answers, stats.CES_7PT_AGREE)
    assert (result.n, result.version, result.value) == (7, "7pt-agree", 4.0)
    assert result.share == stats.wilson_interval(3, 7)
    assert result.lower_is_better is False
    interval = stats.mean_interval(answers)
    assert interval is not None
    assert (result.low, result.high) == (interval.low, interval.high)


def test_ces_5_point_effort_reports_the_share_of_1_and_2_and_that_lower_is_better() -> None:
    result = stats.ces([1, 2, 2, 3, 5], stats.CES_5PT_EFFORT)
    assert result.value == pytest.approx(2.6)
    assert (result.share.successes, result.share.n) == (3, 5)
    assert result.lower_is_better is True
    assert result.too_few is False


def test_ces_with_one_answer_has_a_mean_but_no_interval() -> None:
    result = stats.ces([6], stats.CES_7PT_AGREE)
    assert (result.value, result.low, result.high, result.too_few) == (6.0, None, None, True)


def test_ces_with_no_answers_has_no_value() -> None:
    result = stats.ces([], stats.CES_5PT_EFFORT)
    assert (result.n, result.value, result.low, result.high) == (0, None, None, None)
    assert result.share.value is None


@pytest.mark.parametrize(("answers", "version"), [([8], "7pt-agree"), ([6], "5pt-effort")])
def test_ces_refuses_answers_outside_the_versions_scale(answers: list[int], version: str) -> None:
    with pytest.raises(ValueError, match="CES"):
        stats.ces(answers, version)


def test_ces_refuses_an_unknown_version() -> None:
    with pytest.raises(ValueError, match="Unknown CES version"):
        stats.ces([3, 4], "10pt")
