"""Engagement measures (DOMAIN.md §7) on constructed data with known answers. No database."""

from __future__ import annotations

import math

import pytest
from scipy import stats as scipy_stats

from qa_platform.engagement import measures

Z = 1.959963984540054


def wilson(successes: int, n: int) -> tuple[float, float]:
    p = successes / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


# --- Favourable % ---------------------------------------------------------------------------


def test_favourable_is_the_share_of_fours_and_fives() -> None:
    result = measures.favourable([5, 4, 3, 2, 1, 4, 4, 5, 2, 3])
    assert result.n == 10
    assert (result.favourable, result.neutral, result.unfavourable) == (5, 2, 3)
    assert result.distribution == (1, 2, 2, 3, 2)
    assert result.percent == 50.0
    assert (result.share.low, result.share.high) == pytest.approx(wilson(5, 10))
    assert (result.share.low, result.share.high) == pytest.approx((0.2366, 0.7634), abs=1e-4)


def test_favourable_of_no_answers_has_no_value_and_n_zero() -> None:
    result = measures.favourable([])
    assert result.n == 0 and result.percent is None and result.share.too_few


@pytest.mark.parametrize("bad", [[0], [6], [3.5], [True], [-1]])
def test_favourable_refuses_answers_off_the_five_point_scale(bad: list[int]) -> None:
    with pytest.raises(ValueError, match="1-5"):
        measures.favourable(bad)


def test_a_driver_pools_every_answer_to_its_items() -> None:
    responses = [
        {"mgr.1": 5, "mgr.2": 4},
        {"mgr.1": 2, "mgr.2": 4},
        {"mgr.1": 3},  # skipped mgr.2
        {"other": 5},  # answered none of the driver's items
    ]
    result = measures.driver_favourable(responses, ["mgr.1", "mgr.2"])
    assert result.respondents == 3
    assert result.answers == 5
    assert result.favourable == 3
    assert result.percent == pytest.approx(60.0)
    assert result.items["mgr.1"].n == 3 and result.items["mgr.2"].favourable == 2


def test_a_driver_needs_items() -> None:
    with pytest.raises(ValueError, match="at least one item"):
        measures.driver_favourable([], [])


# --- Index ----------------------------------------------------------------------------------


def test_the_index_is_the_mean_of_each_respondents_mean_on_0_to_100() -> None:
    items = ["eng.pride", "eng.stay"]
    responses = [
        {"eng.pride": 5, "eng.stay": 4},  # (100 + 75) / 2 = 87.5
        {"eng.pride": 3, "eng.stay": 3},  # 50
        {"eng.pride": 1},  # only one item answered: 0
        {"other": 4},  # no index item: left out
    ]
    result = measures.engagement_index(responses, items)
    assert result.n == 3
    assert result.scores == (87.5, 50.0, 0.0)
    assert result.value == pytest.approx(137.5 / 3)  # 45.83
    assert result.interval is not None
    margin = scipy_stats.t.ppf(0.975, 2) * scipy_stats.tstd([87.5, 50, 0]) / math.sqrt(3)
    assert result.interval.low == pytest.approx(137.5 / 3 - margin)
    assert result.too_few is True


def test_the_index_weights_respondents_not_answers() -> None:
    # A person who answered five items counts once, like one who answered a single item.
    items = [f"eng.{i}" for i in range(5)]
    result = measures.engagement_index([dict.fromkeys(items, 5), {"eng.0": 1}], items)
    assert result.value == 50.0


def test_the_index_of_nobody_has_no_value() -> None:
    result = measures.engagement_index([], ["eng.pride"])
    assert (result.n, result.value, result.interval) == (0, None, None)


# --- eNPS -----------------------------------------------------------------------------------


def test_enps_worked_example_with_its_interval() -> None:
    # 5 promoters (9-10), 2 passives (7-8), 3 detractors (0-6) of 10.
    result = measures.enps([10, 9, 9, 8, 7, 6, 5, 10, 3, 9])
    assert (result.promoters, result.passives, result.detractors) == (5, 2, 3)
    assert result.value == pytest.approx(20.0)
    se = math.sqrt((0.5 + 0.3 - 0.2**2) / 10)
    assert result.low == pytest.approx((0.2 - Z * se) * 100)
    assert result.high == pytest.approx((0.2 + Z * se) * 100)
    assert (result.low, result.high) == pytest.approx((-34.03, 74.03), abs=0.01)
    assert result.n == 10


def test_enps_refuses_answers_off_the_0_to_10_scale() -> None:
    with pytest.raises(ValueError):
        measures.enps([11])


# --- Participation --------------------------------------------------------------------------


def test_participation_is_respondents_over_invited() -> None:
    result = measures.participation(invited=60, responded=42)
    assert result.rate == pytest.approx(0.7)
    assert result.n == 60


def test_participation_with_nobody_invited_has_no_rate() -> None:
    assert measures.participation(0, 0).rate is None


@pytest.mark.parametrize(("invited", "responded"), [(5, 6), (5, -1), (-1, 0)])
def test_participation_refuses_impossible_counts(invited: int, responded: int) -> None:
    with pytest.raises(ValueError, match="responded"):
        measures.participation(invited, responded)


# --- Change since the previous wave ---------------------------------------------------------


def test_favourable_change_matches_newcombes_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 against 48/80,
    # difference 0.2000, score interval without continuity correction 0.0524 to 0.3339.
    current = measures.favourable([5] * 56 + [1] * 14)
    previous = measures.favourable([4] * 48 + [2] * 32)
    change = measures.favourable_change(current, previous)
    assert change.change == pytest.approx(20.0)
    assert (change.low, change.high) == pytest.approx((5.24, 33.39), abs=0.01)
    assert change.meaningful is True
    assert (change.n_current, change.n_previous) == (70, 80)


def test_a_small_favourable_change_is_not_meaningful() -> None:
    current = measures.favourable([5] * 6 + [1] * 4)
    previous = measures.favourable([5] * 5 + [1] * 5)
    change = measures.favourable_change(current, previous)
    assert change.change == pytest.approx(10.0)
    assert change.low is not None and change.low < 0 < (change.high or 0)
    assert change.meaningful is False


def test_a_change_against_an_empty_wave_has_no_value() -> None:
    change = measures.favourable_change(measures.favourable([5]), measures.favourable([]))
    assert (change.change, change.low, change.meaningful) == (None, None, False)


def test_enps_change_adds_the_standard_errors_in_quadrature() -> None:
    now = measures.enps([10] * 30 + [8] * 10 + [3] * 10)  # 60 - 20 = 40
    before = measures.enps([10] * 20 + [8] * 10 + [3] * 20)  # 40 - 40 = 0
    change = measures.enps_change(now, before)
    se_now = math.sqrt((0.6 + 0.2 - 0.4**2) / 50)
    se_before = math.sqrt((0.4 + 0.4 - 0.0) / 50)
    margin = Z * math.sqrt(se_now**2 + se_before**2) * 100
    assert change.change == pytest.approx(40.0)
    assert (change.low, change.high) == pytest.approx((40 - margin, 40 + margin))
    assert change.meaningful is True


def test_index_change_uses_welchs_interval() -> None:
    items = ["eng.pride"]
    now = measures.engagement_index([{"eng.pride": a} for a in [5, 4, 4, 5, 3, 4]], items)
    before = measures.engagement_index([{"eng.pride": a} for a in [3, 2, 4, 3, 3]], items)
    change = measures.index_change(now, before)
    a, b = now.scores, before.scores
    va, vb = scipy_stats.tvar(a) / len(a), scipy_stats.tvar(b) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    diff = sum(a) / len(a) - sum(b) / len(b)
    margin = scipy_stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert change.change == pytest.approx(diff)
    assert (change.low, change.high) == pytest.approx((diff - margin, diff + margin))
    assert change.meaningful is True


def test_index_change_without_any_spread_is_exact() -> None:
    items = ["eng.pride"]
    now = measures.engagement_index([{"eng.pride": 5}] * 3, items)
    before = measures.engagement_index([{"eng.pride": 3}] * 3, items)
    change = measures.index_change(now, before)
    assert (change.change, change.low, change.high) == (50.0, 50.0, 50.0)
    assert change.meaningful is True
