"""Engagement measures (DOMAIN.md §7): favourable %, the engagement index, eNPS, participation and
the change since the previous wave. Pure functions, no ORM; every result carries its n.

Whether a figure may be *shown* is not decided here: ask `qa_platform.engagement.anonymity`.
Intervals come from `qa_platform.stats` (Wilson for shares, the NPS interval, Student t for means)
and scipy (Welch's t for the change in the index); nothing here hand-rolls a distribution.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scipy import stats as scipy_stats

from qa_platform import stats
from qa_platform.stats import Interval, NpsResult, Proportion

AGREEMENT_SCALE = (1, 2, 3, 4, 5)  # strongly disagree .. strongly agree
FAVOURABLE = (4, 5)  # the top two boxes
NEUTRAL = (3,)
UNFAVOURABLE = (1, 2)
CONFIDENCE = 0.95

Response = Mapping[str, int]  # one respondent's answers, by item key (skipped items are absent)


@dataclass(frozen=True)
class Favourability:
    """An item's answers on the 5-point agreement scale. `share` is the favourable share (4 or 5)
    with its Wilson interval; `distribution` counts the answers 1..5."""

    n: int
    favourable: int
    neutral: int
    unfavourable: int
    distribution: tuple[int, int, int, int, int]
    share: Proportion

    @property
    def percent(self) -> float | None:
        return None if self.share.value is None else self.share.value * 100


@dataclass(frozen=True)
class DriverFavourability:
    """A driver's favourable % over every answer to its items (pooled), with how many people
    answered at least one of them. No interval: one person's answers to several items are not
    independent, so a Wilson interval over the pooled answers would be too narrow."""

    respondents: int
    answers: int
    favourable: int
    value: float | None  # 0..1
    items: Mapping[str, Favourability]

    @property
    def percent(self) -> float | None:
        return None if self.value is None else self.value * 100


@dataclass(frozen=True)
class IndexResult:
    """The engagement index, 0..100: the mean over respondents of each one's mean index item
    (1..5 mapped to 0..100). `interval` is None below 2 respondents."""

    n: int
    value: float | None
    interval: Interval | None
    scores: tuple[float, ...]  # one per respondent, for the comparison with another wave

    @property
    def too_few(self) -> bool:
        return self.n < stats.MIN_N


@dataclass(frozen=True)
class Participation:
    invited: int
    responded: int
    rate: float | None  # 0..1; None when nobody was invited

    @property
    def n(self) -> int:
        return self.invited


@dataclass(frozen=True)
class Change:
    """This wave minus the previous one, in points, with a 95% interval. The change is
    `meaningful` when the interval does not include 0 (and neither wave is empty)."""

    current: float | None
    previous: float | None
    change: float | None
    low: float | None
    high: float | None
    n_current: int
    n_previous: int

    @property
    def meaningful(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low > 0 or self.high < 0


def favourable(answers: Sequence[int]) -> Favourability:
    """Favourable % of one agreement item: the share of answers that are 4 or 5."""
    _check_agreement(answers)
    distribution = tuple(sum(1 for a in answers if a == option) for option in AGREEMENT_SCALE)
    good = sum(1 for a in answers if a in FAVOURABLE)
    return Favourability(
        n=len(answers),
        favourable=good,
        neutral=sum(1 for a in answers if a in NEUTRAL),
        unfavourable=sum(1 for a in answers if a in UNFAVOURABLE),
        distribution=distribution,  # type: ignore[arg-type]
        share=stats.wilson_interval(good, len(answers), CONFIDENCE),
    )


def driver_favourable(responses: Sequence[Response], items: Sequence[str]) -> DriverFavourability:
    """A driver's favourable %: favourable answers / all answers to the driver's items."""
    if not items:
        raise ValueError("A driver needs at least one item.")
    per_item = {key: [r[key] for r in responses if key in r] for key in items}
    by_item = {key: favourable(answers) for key, answers in per_item.items()}
    answers = sum(f.n for f in by_item.values())
    good = sum(f.favourable for f in by_item.values())
    return DriverFavourability(
        respondents=sum(1 for r in responses if any(key in r for key in items)),
        answers=answers,
        favourable=good,
        value=good / answers if answers else None,
        items=by_item,
    )


def pooled_favourable(distribution: Sequence[int]) -> float | None:
    """A driver's favourable share (0..1) from its pooled answer counts for 1..5 (the same
    favourable answers / all answers as `driver_favourable`, for results stored as counts)."""
    if len(distribution) != len(AGREEMENT_SCALE) or any(c < 0 for c in distribution):
        raise ValueError(f"Need one count per agreement value 1-5, got {list(distribution)}.")
    answers = sum(distribution)
    good = sum(distribution[v - 1] for v in FAVOURABLE)
    return good / answers if answers else None


def respondent_index(response: Response, items: Sequence[str]) -> float | None:
    """One respondent's index: the mean of their answered index items, 1..5 mapped to 0..100."""
    answered = [response[key] for key in items if key in response]
    _check_agreement(answered)
    if not answered:
        return None
    return sum((a - 1) / 4 * 100 for a in answered) / len(answered)


def engagement_index(responses: Sequence[Response], items: Sequence[str]) -> IndexResult:
    """The index: per respondent the mean of the index items on 0..100, then the mean across
    respondents. Respondents who answered none of the index items are left out."""
    if not items:
        raise ValueError("The index needs at least one item.")
    scores = tuple(score for r in responses if (score := respondent_index(r, items)) is not None)
    return IndexResult(
        n=len(scores),
        value=sum(scores) / len(scores) if scores else None,
        interval=stats.mean_interval(scores, CONFIDENCE),
        scores=scores,
    )


def enps(answers: Sequence[int]) -> NpsResult:
    """eNPS = %9-10 - %0-6 on "how likely are you to recommend this workplace" (0..10), with the
    NPS interval of DOMAIN.md §3."""
    return stats.nps(answers, CONFIDENCE)


def participation(invited: int, responded: int) -> Participation:
    """Respondents / invited (invited counted at launch). Whether it may be shown for a group:
    `anonymity.participation_shown`."""
    if invited < 0 or not 0 <= responded <= invited:
        raise ValueError(f"Need 0 <= responded <= invited, got {responded} of {invited}.")
    return Participation(invited, responded, responded / invited if invited else None)


# --- Change since the previous wave (the same item keys) ------------------------------------


def _z() -> float:
    return float(scipy_stats.norm.ppf(0.5 + CONFIDENCE / 2))


def favourable_change(current: Favourability, previous: Favourability) -> Change:
    """Change in favourable % (points) with Newcombe's interval for a difference of two
    independent proportions, built from each wave's Wilson interval."""
    p1, p2 = current.share, previous.share
    if p1.value is None or p2.value is None:
        return _empty_change(current.percent, previous.percent, current.n, previous.n)
    assert p1.low is not None and p1.high is not None
    assert p2.low is not None and p2.high is not None
    diff = p1.value - p2.value
    low = diff - math.sqrt((p1.value - p1.low) ** 2 + (p2.high - p2.value) ** 2)
    high = diff + math.sqrt((p1.high - p1.value) ** 2 + (p2.value - p2.low) ** 2)
    return Change(
        current=p1.value * 100,
        previous=p2.value * 100,
        change=diff * 100,
        low=low * 100,
        high=high * 100,
        n_current=current.n,
        n_previous=previous.n,
    )


def enps_change(current: NpsResult, previous: NpsResult) -> Change:
    """Change in eNPS (points) with a normal interval: the two waves' standard errors (from the
    NPS variance p_P + p_D - (p_P - p_D)^2) added in quadrature."""
    if current.value is None or previous.value is None:
        return _empty_change(current.value, previous.value, current.n, previous.n)
    se = math.sqrt(_nps_variance(current) / current.n + _nps_variance(previous) / previous.n)
    diff = current.value - previous.value
    margin = _z() * se * 100
    return Change(
        current=current.value,
        previous=previous.value,
        change=diff,
        low=diff - margin,
        high=diff + margin,
        n_current=current.n,
        n_previous=previous.n,
    )


def index_change(current: IndexResult, previous: IndexResult) -> Change:
    """Change in the index (points) with Welch's t interval (scipy), unequal variances."""
    if current.value is None or previous.value is None:
        return _empty_change(current.value, previous.value, current.n, previous.n)
    diff = current.value - previous.value
    low: float | None = None
    high: float | None = None
    if current.n >= 2 and previous.n >= 2:
        if len(set(current.scores)) == 1 and len(set(previous.scores)) == 1:
            low = high = diff  # no spread in either wave: scipy would give nan
        else:
            test = scipy_stats.ttest_ind(current.scores, previous.scores, equal_var=False)
            ci = test.confidence_interval(confidence_level=CONFIDENCE)
            low, high = float(ci.low), float(ci.high)
    return Change(
        current=current.value,
        previous=previous.value,
        change=diff,
        low=low,
        high=high,
        n_current=current.n,
        n_previous=previous.n,
    )


def _nps_variance(result: NpsResult) -> float:
    p_promoters, p_detractors = result.promoters / result.n, result.detractors / result.n
    return max(p_promoters + p_detractors - (p_promoters - p_detractors) ** 2, 0.0)


def _empty_change(
    current: float | None, previous: float | None, n_current: int, n_previous: int
) -> Change:
    return Change(current, previous, None, None, None, n_current, n_previous)


def _check_agreement(answers: Sequence[int]) -> None:
    bad = [a for a in answers if isinstance(a, bool) or a not in AGREEMENT_SCALE]
    if bad:
        raise ValueError(f"Agreement answers must be whole numbers 1-5; got {bad[:5]}.")
