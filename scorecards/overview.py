"""The quality overview's figures (issue 4): functions over scoped querysets returning plain rows.

Everything is aggregated in the database with COUNT, SUM and the sum of squares, so a 95%
t-interval comes from (n, mean, sd) without loading a single review: one GROUP BY of the reviews
per (team, agent, week), one of the ratings per (framework, criterion), one of the customer
feedback per (team, agent). Counts, sums and sums of squares add up, so the team, agent and week
rows and the whole selection are summed from those cells in Python (a few thousand at most)
instead of scanning the reviews once per table; names come from two small lookups afterwards.
bench/overview_bench.py measures it against hand-written SQL.

The rules (DOMAIN.md §3, §4):
- a quality score is the plain mean of the final scores of submitted quality reviews
  (`Review.objects.counting()`), each review once, with n and a 95% t-interval, greyed with
  "too few reviews" under `stats.MIN_N`;
- a criterion's average is the mean of its normalised criterion scores (`ReviewRating.normalised`),
  which never carry the fatal override; N/A ratings have no score and are counted apart;
- CSAT % is the share of 4-5 answers (top-two box) with a Wilson interval; NPS is %promoters -
  %detractors with its normal-approximation interval. Both are computed from database counts.

Scope: the reviews the person may see (`visible_to`) inside the teams their overview roles
(lead, QA manager, administrator) reach, so a lead who also reviews elsewhere or was reviewed
themself sees only their subtree's figures here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone
from scipy import special as scipy_special
from scipy import stats as scipy_stats

from qa_platform import stats
from qa_platform.people.access import _path_q, grants_of
from qa_platform.people.models import Team, User
from scorecards.access import OVERVIEW_ROLES, reviews_q
from scorecards.models import (
    CriterionRollup,
    CustomerFeedback,
    FrameworkVersion,
    QualityRollup,
    Review,
    ReviewPurpose,
    ReviewQuerySet,
    ReviewRating,
    ReviewStatus,
    RollupSpan,
)

CONFIDENCE = 0.95
MIN_N = stats.MIN_N
DEFAULT_PERIOD = "4w"
PERIOD_CHOICES: tuple[tuple[str, str], ...] = (
    ("week", "This week"),
    ("4w", "Last 4 weeks"),
    ("quarter", "This quarter"),
    ("last-quarter", "Last quarter"),
    ("custom", "Custom dates"),
)
MAX_CUSTOM_DAYS = 731  # two years of weekly points is the most a trend chart can show readably
DASH = "\u2013"


# ---------------------------------------------------------------------------------------------
# Statistics from summaries and counts (qa_platform.stats takes lists of values)
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _z(confidence: float) -> float:
    """The two-sided normal quantile (1.96 for 95%), from scipy, computed once."""
    return float(scipy_stats.norm.ppf(0.5 + confidence / 2))


def mean_interval_from_summary(
    n: int, mean: float, sd: float, confidence: float = CONFIDENCE
) -> stats.Interval | None:
    """`stats.mean_interval` from summary statistics: the mean with a Student-t interval from
    n, the mean and the sample standard deviation (ddof=1). None below 2 values, as there.

    The t quantile comes from `scipy.special.stdtrit`, the function `scipy.stats.t` itself
    evaluates, called directly: the frozen-distribution machinery cost ~0.1 ms a row, which a
    page of 300 agents noticed (bench/overview_bench.py)."""
    if n < 2:
        return None
    sem = sd / math.sqrt(n)
    if sem == 0 or not math.isfinite(sem):
        low = high = mean
    else:
        margin = float(scipy_special.stdtrit(n - 1, 0.5 + confidence / 2)) * sem
        low, high = mean - margin, mean + margin
    return stats.Interval(n=n, value=mean, low=low, high=high, too_few=n < MIN_N)


def sample_sd(n: int, total: float, sum_of_squares: float) -> float:
    """The sample standard deviation from n, Σx and Σx² (clamped at 0 against rounding)."""
    if n < 2:
        return 0.0
    mean = total / n
    variance = (sum_of_squares - n * mean * mean) / (n - 1)
    # Σx² - n·mean² cancels to a rounding residue when every value is equal.
    if variance <= 1e-10 * max(1.0, sum_of_squares / n):
        return 0.0
    return math.sqrt(variance)


def wilson_from_counts(successes: int, n: int, confidence: float = CONFIDENCE) -> stats.Proportion:
    """`stats.wilson_interval` without its cost: the same Wilson score interval (no continuity
    correction, as scipy's `proportion_ci(method="wilson")` computes it), with z from scipy.

    `stats.wilson_interval` goes through `scipy.stats.binomtest`, which first computes an exact
    p-value the interval never uses: about 3 ms per call, 1 s for a page of 300 agents."""
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"Need 0 <= successes <= n, got {successes} of {n}.")
    if n == 0:
        return stats.Proportion(n=0, successes=0, value=None, low=None, high=None, too_few=True)
    z = _z(confidence)
    p = successes / n
    denominator = 2 * (n + z * z)
    centre = (2 * n * p + z * z) / denominator
    half = z * math.sqrt(z * z + 4 * n * p * (1 - p)) / denominator
    return stats.Proportion(
        n=n,
        successes=successes,
        value=p,
        low=0.0 if successes == 0 else centre - half,
        high=1.0 if successes == n else centre + half,
        too_few=n < MIN_N,
    )


def csat_from_counts(top_two: int, n: int) -> stats.Proportion:
    """CSAT %: the share of answers that are 4 or 5, with its Wilson interval."""
    return wilson_from_counts(top_two, n)


def nps_from_counts(
    promoters: int, detractors: int, n: int, confidence: float = CONFIDENCE
) -> stats.NpsResult:
    """`stats.nps` from counts: %promoters - %detractors (-100..100) with the interval
    variance = pP + pD - (pP - pD)², SE = √(variance / n), ± z·SE, clipped to -100..100."""
    if n < 0 or promoters < 0 or detractors < 0 or promoters + detractors > n:
        raise ValueError(f"Need promoters + detractors <= n, got {promoters} + {detractors} > {n}.")
    passives = n - promoters - detractors
    if n == 0:
        return stats.NpsResult(0, None, None, None, True, 0, 0, 0)
    p_promoters, p_detractors = promoters / n, detractors / n
    score = p_promoters - p_detractors
    variance = max(p_promoters + p_detractors - score**2, 0.0)
    margin = _z(confidence) * math.sqrt(variance / n)
    return stats.NpsResult(
        n=n,
        value=score * 100,
        low=max(-100.0, (score - margin) * 100),
        high=min(100.0, (score + margin) * 100),
        too_few=n < MIN_N,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
    )


# ---------------------------------------------------------------------------------------------
# What the score component prints
# ---------------------------------------------------------------------------------------------


def one_decimal(value: float) -> str:
    """One decimal, half away from zero (62.45 → "62.5"); never "-0.0"."""
    rounded = math.floor(abs(value) * 10 + 0.5 + 1e-9) / 10
    text = f"{rounded:.1f}"
    return f"-{text}" if value < 0 and rounded != 0 else text


@dataclass(frozen=True)
class Figure:
    """One number as `components/score.html` prints it: "78.4 ± 6.1, n = 23", "84.2%
    (80.1-87.6%), n = 312", "+32.0 (25.1 to 38.9), n = 300", or greyed "too few reviews (n = 3)".

    kind: "mean" (symmetric t-interval), "percent" (a proportion on 0..100, Wilson interval) or
    "nps" (points, -100..100)."""

    n: int
    value: float | None
    low: float | None
    high: float | None
    too_few: bool
    kind: str = "mean"
    noun: str = "reviews"

    @property
    def has_value(self) -> bool:
        return self.n > 0 and self.value is not None

    @property
    def n_text(self) -> str:
        return f"{self.n:,}"

    @property
    def value_text(self) -> str:
        if self.value is None:
            return DASH
        if self.kind == "percent":
            return f"{one_decimal(self.value)}%"
        if self.kind == "nps":
            return ("+" if self.value > 0.04999 else "") + one_decimal(self.value)
        return one_decimal(self.value)

    @property
    def interval_text(self) -> str:
        """The interval beside the value ("± 6.1", "(80.1-87.6%)"); empty when there is none."""
        if self.value is None or self.low is None or self.high is None or self.n < 2:
            return ""
        if self.kind == "mean":
            return f"\u00b1 {one_decimal((self.high - self.low) / 2)}"
        if self.kind == "percent":
            return f"({one_decimal(self.low)}{DASH}{one_decimal(self.high)}%)"
        return f"({one_decimal(self.low)} to {one_decimal(self.high)})"

    @property
    def interval_title(self) -> str:
        """The interval spelt out, for the hover title."""
        if not self.interval_text:
            return f"n = {self.n_text}"
        assert self.low is not None and self.high is not None
        unit = "%" if self.kind == "percent" else ""
        return (
            f"95% interval {one_decimal(self.low)}{unit} to {one_decimal(self.high)}{unit}, "
            f"n = {self.n_text}"
        )


def mean_figure(n: int, mean: float | None, sd: float) -> Figure:
    if n == 0 or mean is None:
        return Figure(0, None, None, None, True)
    interval = mean_interval_from_summary(n, mean, sd)
    return Figure(
        n=n,
        value=mean,
        low=interval.low if interval else None,
        high=interval.high if interval else None,
        too_few=n < MIN_N,
    )


def csat_figure(top_two: int, n: int) -> Figure:
    result = csat_from_counts(top_two, n)

    def pct(x: float | None) -> float | None:
        return None if x is None else 100.0 * x

    return Figure(
        n=n,
        value=pct(result.value),
        low=pct(result.low),
        high=pct(result.high),
        too_few=result.too_few,
        kind="percent",
        noun="answers",
    )


def nps_figure(promoters: int, detractors: int, n: int) -> Figure:
    result = nps_from_counts(promoters, detractors, n)
    return Figure(
        n=n,
        value=result.value,
        low=result.low,
        high=result.high,
        too_few=result.too_few,
        kind="nps",
        noun="answers",
    )


# ---------------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------------


def _day(value: dt.date, with_year: bool = True) -> str:
    return f"{value.day} {value:%b %Y}" if with_year else f"{value.day} {value:%b}"


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date  # first day
    end: dt.date  # last day, inclusive
    name: str  # "Last 4 weeks"

    @property
    def label(self) -> str:
        if self.start == self.end:
            return _day(self.end)
        same_year = self.start.year == self.end.year
        return f"{_day(self.start, not same_year)} {DASH} {_day(self.end)}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, the day after end 00:00) in the current time zone."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def week_starts(self) -> list[dt.date]:
        """The Mondays of every week the period touches."""
        monday = self.start - dt.timedelta(days=self.start.weekday())
        weeks = []
        while monday <= self.end:
            weeks.append(monday)
            monday += dt.timedelta(days=7)
        return weeks


def period_for(
    key: str, today: dt.date, start: dt.date | None = None, end: dt.date | None = None
) -> Period:
    """The named period as of `today`; "custom" takes `start` and `end` (inclusive, checked by
    the caller). Unknown keys give the default (last 4 weeks)."""
    names = dict(PERIOD_CHOICES)
    if key == "week":
        return Period(key, today - dt.timedelta(days=today.weekday()), today, names[key])
    if key == "quarter":
        return Period(key, _quarter_start(today), today, names[key])
    if key == "last-quarter":
        this_start = _quarter_start(today)
        last_end = this_start - dt.timedelta(days=1)
        return Period(key, _quarter_start(last_end), last_end, names[key])
    if key == "custom" and start is not None and end is not None and start <= end:
        return Period(key, start, end, names[key])
    return Period(DEFAULT_PERIOD, today - dt.timedelta(days=27), today, names[DEFAULT_PERIOD])


# ---------------------------------------------------------------------------------------------
# Filters and the scoped querysets
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    period: Period
    team_path: str | None = None  # the chosen team's subtree
    framework_id: int | None = None
    version_id: int | None = None
    channel: str | None = None
    agent_id: int | None = None


def overview_paths(user: Any) -> tuple[str, ...] | None:
    """Team paths the person's overview roles reach; None means every team."""
    return grants_of(user).paths(OVERVIEW_ROLES)


def _narrowing(user: Any, filters: Filters) -> Q:
    """The overview scope and the filters, as conditions on Review fields."""
    start, end = filters.period.bounds()
    q = _path_q(overview_paths(user), "team__path") & Q(
        interaction_started_at__gte=start, interaction_started_at__lt=end
    )
    if filters.team_path:
        q &= Q(team__path__startswith=filters.team_path)
    if filters.version_id is not None:
        q &= Q(framework_version_id=filters.version_id)
    elif filters.framework_id is not None:
        q &= Q(framework_version__framework_id=filters.framework_id)
    if filters.channel:
        q &= Q(channel=filters.channel)
    if filters.agent_id is not None:
        q &= Q(agent_id=filters.agent_id)
    return q


def uses_rollups(filters: Filters) -> bool:
    """Whether the overview reads the rollups (scorecards.models.rollups) rather than the
    reviews: always, except for one agent's overview (a few hundred reviews at most, read
    directly, so the criterion rollup needs no agent) and in a time zone other than the one the
    rollups' days are cut in."""
    return (
        filters.agent_id is None
        and timezone.get_current_timezone_name() == timezone.get_default_timezone_name()
    )


def rollup_ranges(period: Period) -> list[tuple[str, dt.date, dt.date]]:
    """The rollup rows that make up `period` exactly, as (span, first start, last start): the
    week rows of the whole weeks (Monday to Sunday) inside it, and the day rows of the days
    before the first whole week and after the last."""
    start, end = period.start, period.end
    first_monday = start + dt.timedelta(days=-start.weekday() % 7)
    last_sunday = end - dt.timedelta(days=(end.weekday() + 1) % 7)
    if first_monday > last_sunday:  # no whole week inside: days only
        return [(RollupSpan.DAY, start, end)]
    ranges = [(str(RollupSpan.WEEK), first_monday, last_sunday - dt.timedelta(days=6))]
    if start < first_monday:
        ranges.append((RollupSpan.DAY, start, first_monday - dt.timedelta(days=1)))
    if last_sunday < end:
        ranges.append((RollupSpan.DAY, last_sunday + dt.timedelta(days=1), end))
    return [(str(span), first, last) for span, first, last in ranges]


def rollup_spans(period: Period) -> Q:
    """`rollup_ranges` as a condition on rollup rows."""
    conditions = [
        Q(span=span, start__gte=first, start__lte=last)
        for span, first, last in rollup_ranges(period)
    ]
    q = conditions[0]
    for condition in conditions[1:]:
        q |= condition
    return q


def scope_teams(user: Any, filters: Filters) -> Q:
    """The overview's teams (the person's overview scope, narrowed to the chosen team's subtree)
    as `team_id IN (SELECT id FROM team WHERE path LIKE …)`: a semi-join on the small team table
    instead of a join tested on every row (about a third faster for the feedback counts).

    Within the overview scope every submitted review and every feedback answer is visible to the
    person (an overview role is a quality role, which sees its teams' submitted reviews and
    feedback: scorecards.access), so this is the whole scope of the rows read here."""
    teams = Q(pk__isnull=False) & _path_q(overview_paths(user), "path")
    if filters.team_path:
        teams &= Q(path__startswith=filters.team_path)
    return Q(team_id__in=Team.objects.filter(teams).values("pk"))


def _rollup_narrowing(user: Any, filters: Filters) -> Q:
    """`_narrowing` on rollup rows (tests/scorecards/test_rollups.py checks the figures equal
    those computed from the reviews)."""
    q = scope_teams(user, filters) & rollup_spans(filters.period)
    if filters.version_id is not None:
        q &= Q(framework_version_id=filters.version_id)
    elif filters.framework_id is not None:
        q &= Q(framework_version__framework_id=filters.framework_id)
    if filters.channel:
        q &= Q(channel=filters.channel)
    return q


def counting_reviews(user: Any, filters: Filters) -> ReviewQuerySet:
    """Submitted quality reviews the person may see, in their overview scope, filtered."""
    return Review.objects.visible_to(user).counting().filter(_narrowing(user, filters))


# The same conditions as `Review.objects.counting()`, for queries that reach reviews through a
# relation (tests/scorecards/test_overview.py checks both count the same reviews).
COUNTING_Q = Q(status=ReviewStatus.SUBMITTED, purpose=ReviewPurpose.QUALITY)


def prefixed(q: Q, prefix: str) -> Q:
    """`q` with every lookup reached through `prefix` ("review__"), so conditions written for
    Review filter ReviewRating through a join instead of an `IN (subquery)` (measured in
    bench/overview_bench.py). Values are kept as they are: use it on plain-value conditions."""
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    clone.children = [
        prefixed(child, prefix) if isinstance(child, Q) else _prefixed_lookup(child, prefix)
        for child in q.children
    ]
    return clone


def _prefixed_lookup(child: Any, prefix: str) -> tuple[str, Any]:
    lookup, value = child
    return prefix + lookup, value


def counting_ratings(user: Any, filters: Filters) -> QuerySet[ReviewRating]:
    """The ratings of `counting_reviews(user, filters)`, filtered through the join."""
    conditions = reviews_q(user) & COUNTING_Q & _narrowing(user, filters)
    return ReviewRating.objects.filter(prefixed(conditions, "review__"))


def counting_feedback(user: Any, filters: Filters) -> QuerySet[CustomerFeedback]:
    """Customer feedback received in the period from the same teams and agents (`scope_teams`).
    Frameworks do not apply to feedback; the channel is the channel of the interaction it
    answers."""
    start, end = filters.period.bounds()
    feedback = CustomerFeedback.objects.filter(
        scope_teams(user, filters), received_at__gte=start, received_at__lt=end
    )
    if filters.channel:
        feedback = feedback.filter(interaction__channel=filters.channel)
    if filters.agent_id is not None:
        feedback = feedback.filter(agent_id=filters.agent_id)
    return feedback


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


ZERO = Decimal(0)


def exact(value: Any) -> Decimal:
    """A database sum as an exact decimal (0 for NULL)."""
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Sums:
    """What the database returns for a group of reviews; sums add up across groups. The sums
    stay exact decimals until a row is computed, so the figures do not depend on the order the
    groups arrive in (the rollups and the reviews give them in different orders)."""

    n: int = 0  # reviews with a final score
    total: Decimal = ZERO  # Σ final score
    squares: Decimal = ZERO  # Σ final score²
    passed: int = 0
    pass_n: int = 0  # reviews with a pass/fail verdict

    def __add__(self, other: Sums) -> Sums:
        return Sums(
            self.n + other.n,
            self.total + other.total,
            self.squares + other.squares,
            self.passed + other.passed,
            self.pass_n + other.pass_n,
        )


@dataclass(frozen=True)
class FeedbackCounts:
    csat_n: int = 0
    csat_top: int = 0  # answers of 4 or 5
    nps_n: int = 0
    promoters: int = 0
    detractors: int = 0

    def __add__(self, other: FeedbackCounts) -> FeedbackCounts:
        return FeedbackCounts(
            self.csat_n + other.csat_n,
            self.csat_top + other.csat_top,
            self.nps_n + other.nps_n,
            self.promoters + other.promoters,
            self.detractors + other.detractors,
        )


@dataclass(frozen=True)
class ScoreRow:
    """A team's, an agent's, a week's or the whole selection's quality score.

    mean/low/high are 0..100 (None without reviews, low/high None below 2); pass_rate is the
    share of passed reviews in percent over `pass_n` reviews with a verdict."""

    key: Any
    label: str
    n: int
    mean: float | None
    low: float | None
    high: float | None
    too_few: bool
    pass_rate: float | None
    passed: int = 0
    pass_n: int = 0
    sd: float = 0.0
    detail: str = ""  # a team's depth in the tree, an agent's email
    depth: int = 0
    csat: Figure | None = None
    nps: Figure | None = None

    @property
    def score(self) -> Figure:
        return Figure(self.n, self.mean, self.low, self.high, self.too_few)

    @property
    def n_text(self) -> str:
        return f"{self.n:,}"

    @property
    def pass_n_text(self) -> str:
        return f"{self.pass_n:,}"

    @property
    def passed_text(self) -> str:
        return f"{self.passed:,}"

    @property
    def pass_figure(self) -> Figure:
        """The pass rate with its Wilson interval, greyed under the minimum n like the score."""
        result = wilson_from_counts(self.passed, self.pass_n)

        def pct(x: float | None) -> float | None:
            return None if x is None else 100.0 * x

        return Figure(
            self.pass_n,
            pct(result.value),
            pct(result.low),
            pct(result.high),
            result.too_few,
            kind="percent",
        )

    @property
    def pass_too_few(self) -> bool:
        return self.pass_n < MIN_N

    @property
    def pass_rate_text(self) -> str:
        return DASH if self.pass_rate is None else f"{one_decimal(self.pass_rate)}%"


def score_row(
    key: Any,
    label: str,
    sums: Sums,
    feedback: FeedbackCounts | None = None,
    *,
    detail: str = "",
    depth: int = 0,
) -> ScoreRow:
    mean = float(sums.total) / sums.n if sums.n else None
    sd = sample_sd(sums.n, float(sums.total), float(sums.squares))
    interval = mean_interval_from_summary(sums.n, mean, sd) if mean is not None else None
    return ScoreRow(
        key=key,
        label=label,
        n=sums.n,
        mean=mean,
        low=interval.low if interval else None,
        high=interval.high if interval else None,
        too_few=sums.n < MIN_N,
        pass_rate=100.0 * sums.passed / sums.pass_n if sums.pass_n else None,
        passed=sums.passed,
        pass_n=sums.pass_n,
        sd=sd,
        detail=detail,
        depth=depth,
        csat=csat_figure(feedback.csat_top, feedback.csat_n) if feedback else None,
        nps=nps_figure(feedback.promoters, feedback.detractors, feedback.nps_n)
        if feedback
        else None,
    )


@dataclass(frozen=True)
class CriterionRow:
    """One criterion's average over the period: the mean criterion score (0..100) of the reviews
    that rated it, with n, its interval and how many marked it N/A."""

    framework_id: int
    framework: str
    key: str
    title: str
    section: str
    n: int
    mean: float | None
    low: float | None
    high: float | None
    too_few: bool
    na: int
    removed: bool = False  # no longer in the framework's latest version

    @property
    def score(self) -> Figure:
        return Figure(self.n, self.mean, self.low, self.high, self.too_few, noun="ratings")


@dataclass(frozen=True)
class Overview:
    period: Period
    overall: ScoreRow
    teams: tuple[ScoreRow, ...]
    agents: tuple[ScoreRow, ...]
    weeks: tuple[ScoreRow, ...]
    criteria: tuple[CriterionRow, ...]
    frameworks_shown: int = 0  # how many frameworks the criteria come from

    @property
    def empty(self) -> bool:
        return self.overall.n == 0 and not self.agents


# ---------------------------------------------------------------------------------------------
# The aggregates
# ---------------------------------------------------------------------------------------------


def _score_aggregates(value: str = "final_score") -> dict[str, Any]:
    """COUNT, SUM and the sum of squares, in the column's own exact decimal type: PostgreSQL
    converts numeric to float through text, which made the criterion query ~20% slower
    (bench/overview_bench.py); exact sums also keep 52.97 exactly 52.97."""
    return {
        "n": Count(value),
        "total": Sum(value),
        "squares": Sum(
            ExpressionWrapper(
                F(value) * F(value), output_field=DecimalField(max_digits=20, decimal_places=8)
            )
        ),
    }


def _review_aggregates() -> dict[str, Any]:
    return {
        **_score_aggregates(),
        "passed_n": Count("pk", filter=Q(passed=True)),
        "pass_n": Count("passed"),
    }


def _sums(row: Mapping[str, Any]) -> Sums:
    return Sums(
        n=int(row["n"] or 0),
        total=exact(row["total"]),
        squares=exact(row["squares"]),
        passed=int(row.get("passed_n") or 0),
        pass_n=int(row.get("pass_n") or 0),
    )


def _feedback_aggregates() -> dict[str, Any]:
    return {
        "csat_n": Count("csat"),
        "csat_top": Count("pk", filter=Q(csat__gte=4)),
        "nps_n": Count("nps"),
        "promoters": Count("pk", filter=Q(nps__gte=9)),
        "detractors": Count("pk", filter=Q(nps__lte=6)),
    }


def quality_summary(user: Any, filters: Filters) -> ScoreRow:
    """The whole selection's quality score in one query (the homes' "Quality" card)."""
    row = counting_reviews(user, filters).aggregate(**_review_aggregates())
    return score_row(None, "All teams", _sums(row))


@dataclass(frozen=True)
class Group:
    """One (team, agent, week) cell of the reviews, or one (team, agent) cell of the feedback.
    Teams, agents, weeks and the whole selection are all sums of these cells, so one narrow
    GROUP BY (ids only: names are looked up once afterwards) feeds every table and the trend."""

    team_id: int
    agent_id: int | None
    week: dt.date | None
    sums: Sums = Sums()
    counts: FeedbackCounts = FeedbackCounts()


_REVIEW_SUMS = ("n", "total", "squares", "passed_n", "pass_n")
_FEEDBACK_COUNTS = ("csat_n", "csat_top", "nps_n", "promoters", "detractors")


def review_groups(user: Any, filters: Filters) -> list[Group]:
    """Review sums per team, agent and week (weeks start on Monday in the current time zone)."""
    rows = (
        counting_reviews(user, filters)
        .annotate(week=TruncWeek("interaction_started_at", output_field=DateField()))
        .values("team_id", "agent_id", "week")
        .annotate(**_review_aggregates())
        .order_by()
        .values_list("team_id", "agent_id", "week", *_REVIEW_SUMS)
    )
    return [
        Group(
            team_id,
            agent_id,
            week,
            sums=Sums(
                int(n or 0), exact(total), exact(squares), int(passed or 0), int(pass_n or 0)
            ),
        )
        for team_id, agent_id, week, n, total, squares, passed, pass_n in rows
    ]


def _rollup_review_sums(user: Any, filters: Filters, *group: str) -> Any:
    return (
        QualityRollup.objects.filter(_rollup_narrowing(user, filters))
        .values(*group)
        .annotate(
            s_reviews=Sum("reviews"),
            s_n=Sum("n"),
            s_total=Sum("total"),
            s_squares=Sum("squares"),
            s_passed=Sum("passed"),
            s_pass_n=Sum("pass_n"),
        )
        .filter(s_reviews__gt=0)
        .order_by()
        .values_list(*group, "s_n", "s_total", "s_squares", "s_passed", "s_pass_n")
    )


def _exact_sums(n: Any, total: Any, squares: Any, passed: Any, pass_n: Any) -> Sums:
    return Sums(int(n or 0), exact(total), exact(squares), int(passed or 0), int(pass_n or 0))


def rollup_review_groups(user: Any, filters: Filters) -> list[Group]:
    """Review sums per team and agent over the whole period, from the rollups (the weeks come
    from `rollup_week_sums`: two narrow GROUP BYs return ~300 rows where one per team, agent
    and week returned thousands for Python to add up)."""
    rows = _rollup_review_sums(user, filters, "team_id", "agent_id")
    return [Group(team, agent, None, _exact_sums(*sums)) for team, agent, *sums in rows]


def rollup_week_sums(user: Any, filters: Filters) -> dict[dt.date, Sums]:
    """Review sums per week (Monday), from the rollups."""
    rows = _rollup_review_sums(user, filters, "week")
    return {week: _exact_sums(*sums) for week, *sums in rows}


def feedback_groups(user: Any, filters: Filters) -> list[Group]:
    """Feedback counts per team and agent (agent None for answers tied to no agent)."""
    rows = (
        counting_feedback(user, filters)
        .values("team_id", "agent_id")
        .annotate(**_feedback_aggregates())
        .order_by()
        .values_list("team_id", "agent_id", *_FEEDBACK_COUNTS)
    )
    return [
        Group(team_id, agent_id, None, counts=FeedbackCounts(*(int(c or 0) for c in counts)))
        for team_id, agent_id, *counts in rows
    ]


def team_labels(ids: Iterable[int]) -> dict[int, tuple[str, str, int]]:
    """Name, path and depth of each team (ids from the scoped aggregates)."""
    return {
        pk: (name, path, depth)
        for pk, name, path, depth in Team.objects.filter(pk__in=set(ids)).values_list(
            "pk", "name", "path", "depth"
        )
    }


def agent_labels(ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Name (or email) and email of each agent (ids from the scoped aggregates)."""
    return {
        pk: (name or email, email)
        for pk, name, email in User.objects.filter(pk__in=set(ids)).values_list(
            "pk", "full_name", "email"
        )
    }


def by_criterion(user: Any, filters: Filters) -> list[tuple[int, str, Sums, int]]:
    """(framework id, criterion key, sums of normalised scores, N/A count) per criterion. Keys are
    stable across a framework's versions, so versions of one framework share a row."""
    framework = "review__framework_version__framework_id"
    rows = (
        counting_ratings(user, filters)
        .values(framework, "criterion_key")
        .annotate(**_score_aggregates("normalised"), na_n=Count("pk", filter=Q(na=True)))
        .order_by()
    )
    return [(r[framework], r["criterion_key"], _sums(r), int(r["na_n"] or 0)) for r in rows]


def rollup_by_criterion(user: Any, filters: Filters) -> list[tuple[int, str, Sums, int]]:
    """`by_criterion` from the rollups."""
    framework = "framework_version__framework_id"
    rows = (
        CriterionRollup.objects.filter(_rollup_narrowing(user, filters))
        .values(framework, "criterion_key")
        .annotate(
            s_ratings=Sum("ratings"),
            s_n=Sum("n"),
            s_total=Sum("total"),
            s_squares=Sum("squares"),
            s_na=Sum("na"),
        )
        .filter(s_ratings__gt=0)
        .order_by()
        .values_list(framework, "criterion_key", "s_n", "s_total", "s_squares", "s_na")
    )
    return [
        (framework_id, key, Sums(int(n or 0), exact(total), exact(squares)), int(na or 0))
        for framework_id, key, n, total, squares, na in rows
    ]


def latest_definitions(framework_ids: Iterable[int]) -> dict[int, FrameworkVersion]:
    """The latest published version of each framework (titles and order come from it)."""
    ids = sorted(set(framework_ids))
    if not ids:
        return {}
    newest = (
        FrameworkVersion.objects.filter(framework_id=OuterRef("framework_id"))
        .order_by("-number")
        .values("pk")[:1]
    )
    versions = FrameworkVersion.objects.filter(
        framework_id__in=ids, pk=Subquery(newest)
    ).select_related("framework")
    return {version.framework_id: version for version in versions}


def criterion_rows(
    found: list[tuple[int, str, Sums, int]], versions: Mapping[int, FrameworkVersion]
) -> list[CriterionRow]:
    """Rows in each framework's own order (latest version); criteria no longer in it last;
    non-scoring questions left out."""
    rows: list[tuple[tuple[str, int, int], CriterionRow]] = []
    for framework_id, key, sums, na in found:
        version = versions.get(framework_id)
        framework = version.framework.name if version else ""
        order, section, title, removed = 10_000, "", key, True
        if version is not None:
            defn = version.defn
            position = 0
            for s in defn.sections:
                for c in s.criteria:
                    position += 1
                    if c.key == key:
                        order, section, title, removed = position, s.title, c.title, False
                        if not c.scoring:
                            order = -1
            if order == -1:
                continue  # a non-scoring question: never a criterion average
        if removed and sums.n == 0 and na == 0:
            continue  # a removed question's answers
        row = score_row(key, title, sums)
        rows.append(
            (
                (framework, framework_id, order),
                CriterionRow(
                    framework_id=framework_id,
                    framework=framework,
                    key=key,
                    title=title if not removed else f"{key} (no longer in the framework)",
                    section=section,
                    n=row.n,
                    mean=row.mean,
                    low=row.low,
                    high=row.high,
                    too_few=row.too_few,
                    na=na,
                    removed=removed,
                ),
            )
        )
    rows.sort(key=lambda item: (item[0], item[1].key))
    return [row for _, row in rows]


def build_overview(user: Any, filters: Filters, *, live: bool | None = None) -> Overview:
    """Every figure of the overview page in seven queries, whatever the number of reviews: review
    sums per (team, agent) and per week, feedback counts per (team, agent), criterion sums, the
    latest framework versions (criterion titles), and the names of the teams and agents found.

    The review and criterion sums come from the rollups when `uses_rollups(filters)`; from the
    reviews and ratings themselves otherwise or with `live=True` (then review sums per (team,
    agent, week) in one query: six queries). Both give the same figures, to the last digit: the
    sums are exact decimals until each row is computed."""
    rolled = uses_rollups(filters) if live is None else not live
    if rolled:
        reviews = rollup_review_groups(user, filters)
        week_sums = rollup_week_sums(user, filters)
    else:
        reviews = review_groups(user, filters)
        week_sums = {}  # summed from the groups below
    feedback = feedback_groups(user, filters)
    found = (rollup_by_criterion if rolled else by_criterion)(user, filters)
    versions = latest_definitions(f for f, _, _, _ in found)

    team_sums: dict[int, Sums] = {}
    team_counts: dict[int, FeedbackCounts] = {}
    agent_sums: dict[int, Sums] = {}
    agent_counts: dict[int, FeedbackCounts] = {}
    for g in reviews:
        team_sums[g.team_id] = team_sums.get(g.team_id, Sums()) + g.sums
        if g.agent_id is not None:
            agent_sums[g.agent_id] = agent_sums.get(g.agent_id, Sums()) + g.sums
        if g.week is not None:
            week_sums[g.week] = week_sums.get(g.week, Sums()) + g.sums
    for g in feedback:
        team_counts[g.team_id] = team_counts.get(g.team_id, FeedbackCounts()) + g.counts
        if g.agent_id is not None:
            agent_counts[g.agent_id] = agent_counts.get(g.agent_id, FeedbackCounts()) + g.counts

    teams = team_labels([*team_sums, *team_counts]) if team_sums or team_counts else {}
    top = min((depth for _, _, depth in teams.values()), default=0)  # indent below the top
    agents = agent_labels([*agent_sums, *agent_counts]) if agent_sums or agent_counts else {}
    team_rows = [
        score_row(
            pk,
            name,
            team_sums.get(pk, Sums()),
            team_counts.get(pk, FeedbackCounts()),
            detail=path,
            depth=depth - top,
        )
        for pk, (name, path, depth) in sorted(teams.items(), key=lambda item: item[1][1])
    ]
    agent_rows = [
        score_row(
            pk,
            name,
            agent_sums.get(pk, Sums()),
            agent_counts.get(pk, FeedbackCounts()),
            detail=email,
        )
        for pk, (name, email) in agents.items()
    ]
    agent_rows.sort(key=lambda r: (r.label.casefold(), r.detail))

    overall = score_row(
        None,
        "Selection",
        sum(team_sums.values(), Sums()),
        sum(team_counts.values(), FeedbackCounts()),
    )
    weeks = filters.period.week_starts()
    many_years = bool(weeks) and weeks[0].year != weeks[-1].year
    week_rows = [
        score_row(monday, _day(monday, many_years), week_sums.get(monday, Sums()))
        for monday in weeks
    ]
    criteria = criterion_rows(found, versions)
    return Overview(
        period=filters.period,
        overall=overall,
        teams=tuple(team_rows),
        agents=tuple(agent_rows),
        weeks=tuple(week_rows),
        criteria=tuple(criteria),
        frameworks_shown=len({c.framework_id for c in criteria}),
    )


AGENT_SORTS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("score", "Quality score, lowest first"),
    ("reviews", "Most reviews first"),
)


def sort_agents(rows: Iterable[ScoreRow], sort: str) -> list[ScoreRow]:
    """By name; or lowest score first (rows without reviews last); or most reviews first."""
    ordered = list(rows)
    if sort == "score":
        ordered.sort(key=lambda r: (r.mean is None, r.mean if r.mean is not None else 0.0))
    elif sort == "reviews":
        ordered.sort(key=lambda r: -r.n)
    return ordered


def home_quality(user: Any) -> ScoreRow:
    """The homes' "Quality, last 4 weeks" card: one aggregate query over the person's scope."""
    filters = Filters(period=period_for(DEFAULT_PERIOD, timezone.localdate()))
    return quality_summary(user, filters)
