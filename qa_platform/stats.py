"""Pure statistics for the figures the product shows (DOMAIN.md §3 and §4). No ORM.

Distributions come from scipy (t for means, Wilson via `binomtest`, the normal quantile for NPS);
nothing here hand-rolls them. Results are floats at full precision: round only for display.
Every result carries its `n` and `too_few` (n < MIN_N), which the UI shows as "too few reviews"
(or responses) with the number greyed.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from scipy import special, stats

MIN_N = 5  # under this many, a figure is shown greyed with "too few"
CES_7PT_AGREE = "7pt-agree"  # "The company made it easy to handle my issue", 1..7, higher is better
CES_5PT_EFFORT = "5pt-effort"  # the older form: effort 1..5, lower is better
CES_VERSIONS = (CES_7PT_AGREE, CES_5PT_EFFORT)


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval."""

    n: int
    value: float
    low: float
    high: float
    too_few: bool


@dataclass(frozen=True)
class Proportion:
    """A share (0..1) with its Wilson interval. value/low/high are None when n is 0."""

    n: int
    successes: int
    value: float | None
    low: float | None
    high: float | None
    too_few: bool


@dataclass(frozen=True)
class NpsResult:
    """NPS in points, -100..100, with its interval. value/low/high are None when n is 0."""

    n: int
    value: float | None
    low: float | None
    high: float | None
    too_few: bool
    promoters: int
    passives: int
    detractors: int


@dataclass(frozen=True)
class CesResult:
    """CES for one version only (never mix versions): the mean with its interval (None below 2
    answers) and the share of "easy" answers (5-7 agree, or 1-2 effort)."""

    n: int
    version: str
    value: float | None  # the mean answer
    low: float | None
    high: float | None
    share: Proportion
    lower_is_better: bool
    too_few: bool


def mean_interval(
    values: Sequence[float | int | Decimal], confidence: float = 0.95
) -> Interval | None:
    """The mean with a Student-t interval; None below 2 values (no spread to measure)."""
    data = np.asarray([float(v) for v in values], dtype=float)
    n = int(data.size)
    if n < 2:
        return None
    mean = float(data.mean())
    sem = float(data.std(ddof=1)) / math.sqrt(n)  # sample standard deviation / sqrt(n)
    if sem == 0:  # every value equal: no spread, the interval is the mean itself
        low = high = mean
    else:
        # The Student-t quantile from scipy.special.stdtrit, which scipy.stats.t.ppf evaluates:
        # the same figures without the frozen distribution's ~5 ms a call, which a page of a few
        # hundred team means (the engagement index per team) noticed.
        margin = float(special.stdtrit(n - 1, 0.5 + confidence / 2)) * sem
        low, high = mean - margin, mean + margin
    return Interval(n=n, value=mean, low=low, high=high, too_few=n < MIN_N)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Proportion:
    """A proportion with its Wilson score interval (no continuity correction)."""
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"Need 0 <= successes <= n, got {successes} of {n}.")
    if n == 0:
        return Proportion(n=0, successes=0, value=None, low=None, high=None, too_few=True)
    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    return Proportion(
        n=n,
        successes=successes,
        value=successes / n,
        low=float(ci.low),
        high=float(ci.high),
        too_few=n < MIN_N,
    )


def csat(answers: Sequence[int]) -> Proportion:
    """CSAT: the share of 1..5 answers that are 4 or 5 (top-two box). A proportion, not a mean."""
    _check_range(answers, 1, 5, "CSAT")
    return wilson_interval(sum(1 for a in answers if a >= 4), len(answers))


def nps(answers: Sequence[int], confidence: float = 0.95) -> NpsResult:
    """NPS = %promoters (9-10) - %detractors (0-6), -100..100, with the normal-approximation
    interval: variance = pP + pD - (pP - pD)^2, SE = sqrt(variance / n), +- z * SE, clipped."""
    _check_range(answers, 0, 10, "NPS")
    n = len(answers)
    promoters = sum(1 for a in answers if a >= 9)
    detractors = sum(1 for a in answers if a <= 6)
    passives = n - promoters - detractors
    if n == 0:
        return NpsResult(0, None, None, None, True, 0, 0, 0)
    p_promoters, p_detractors = promoters / n, detractors / n
    score = p_promoters - p_detractors
    # Rounding can push the variance a hair below 0 when everyone is a promoter (or detractor).
    variance = max(p_promoters + p_detractors - score**2, 0.0)
    margin = float(stats.norm.ppf(0.5 + confidence / 2)) * math.sqrt(variance / n)
    return NpsResult(
        n=n,
        value=score * 100,
        low=max(-100.0, (score - margin) * 100),
        high=min(100.0, (score + margin) * 100),
        too_few=n < MIN_N,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
    )


def ces(answers: Sequence[int], version: str) -> CesResult:
    """CES for one version: "7pt-agree" (mean, share of 5-7) or "5pt-effort" (mean, share of
    1-2; lower is better)."""
    if version == CES_7PT_AGREE:
        _check_range(answers, 1, 7, "CES (7-point)")
        easy = sum(1 for a in answers if a >= 5)
    elif version == CES_5PT_EFFORT:
        _check_range(answers, 1, 5, "CES (5-point effort)")
        easy = sum(1 for a in answers if a <= 2)
    else:
        raise ValueError(f"Unknown CES version '{version}'; use one of {', '.join(CES_VERSIONS)}.")
    n = len(answers)
    interval = mean_interval(answers)
    return CesResult(
        n=n,
        version=version,
        value=float(np.mean(answers)) if n else None,
        low=interval.low if interval else None,
        high=interval.high if interval else None,
        share=wilson_interval(easy, n),
        lower_is_better=version == CES_5PT_EFFORT,
        too_few=n < MIN_N,
    )


def _check_range(answers: Sequence[int], low: int, high: int, measure: str) -> None:
    bad = [a for a in answers if isinstance(a, bool) or not low <= a <= high or a != int(a)]
    if bad:
        raise ValueError(f"{measure} answers must be whole numbers {low}-{high}; got {bad[:5]}.")


# --- Correlation (engagement ↔ CX, DOMAIN.md §7) ---------------------------------------------

CORRELATION_MIN_N = 4  # Fisher z needs n - 3 > 0: fewer pairs give no interval at all


@dataclass(frozen=True)
class Correlation:
    """A correlation coefficient with its Fisher z interval. `r`, `low`, `high` are None when the
    coefficient is undefined (`reason` says why: too few pairs, or one side constant)."""

    method: str  # "spearman" or "pearson"
    n: int
    r: float | None
    low: float | None
    high: float | None
    confidence: float
    reason: str | None = None

    @property
    def defined(self) -> bool:
        return self.r is not None

    @property
    def crosses_zero(self) -> bool:
        """Whether the interval includes 0 (or there is none): no clear relationship."""
        if self.low is None or self.high is None:
            return True
        return self.low <= 0.0 <= self.high


@functools.lru_cache(maxsize=8)
def _normal_quantile(p: float) -> float:
    """scipy's normal quantile (1.96 for 0.975), computed once per level."""
    return float(stats.norm.ppf(p))


def fisher_interval(r: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The interval of a correlation by Fisher's z: z = atanh r, SE = 1/√(n−3),
    z ± z₀.₉₇₅·SE, back through tanh. A perfect correlation (|r| = 1) has the interval [r, r]."""
    if n < CORRELATION_MIN_N:
        raise ValueError(f"A Fisher z interval needs at least {CORRELATION_MIN_N} pairs, got {n}.")
    if not -1.0 <= r <= 1.0:
        raise ValueError(f"A correlation lies in -1..1, got {r}.")
    if abs(r) == 1.0:
        return r, r
    z = math.atanh(r)
    margin = _normal_quantile(0.5 + confidence / 2) / math.sqrt(n - 3)
    return math.tanh(z - margin), math.tanh(z + margin)


def _correlation(
    method: str,
    x: Sequence[float | int | Decimal],
    y: Sequence[float | int | Decimal],
    confidence: float,
) -> Correlation:
    if len(x) != len(y):
        raise ValueError(f"Need one y for every x, got {len(x)} and {len(y)}.")
    xs = np.asarray([float(v) for v in x], dtype=float)
    ys = np.asarray([float(v) for v in y], dtype=float)
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("Correlation needs finite numbers on both sides.")
    n = int(xs.size)

    def undefined(reason: str) -> Correlation:
        return Correlation(method, n, None, None, None, confidence, reason)

    if n < CORRELATION_MIN_N:
        return undefined(f"Fewer than {CORRELATION_MIN_N} pairs ({n}): no correlation to compute.")
    if np.all(xs == xs[0]):
        return undefined("Every first value is the same, so nothing can move with it.")
    if np.all(ys == ys[0]):
        return undefined("Every second value is the same, so nothing can move with it.")
    if method == "spearman":
        r = float(stats.spearmanr(xs, ys).statistic)
    else:
        r = float(stats.pearsonr(xs, ys).statistic)
    if abs(abs(r) - 1.0) < 1e-12:  # a perfect ranking computes as 0.9999999999999999
        r = math.copysign(1.0, r)
    low, high = fisher_interval(r, n, confidence)
    return Correlation(method, n, r, low, high, confidence)


def spearman_with_interval(
    x: Sequence[float | int | Decimal],
    y: Sequence[float | int | Decimal],
    confidence: float = 0.95,
) -> Correlation:
    """Spearman's rank correlation (scipy; ties get average ranks) with its Fisher z interval.
    Undefined (r None, with a reason) under 4 pairs or when one side is constant."""
    return _correlation("spearman", x, y, confidence)


def pearson_with_interval(
    x: Sequence[float | int | Decimal],
    y: Sequence[float | int | Decimal],
    confidence: float = 0.95,
) -> Correlation:
    """Pearson's correlation (scipy) with its Fisher z interval; undefined as for Spearman."""
    return _correlation("pearson", x, y, confidence)
