"""Engagement ↔ CX: which teams may be compared, the correlation, and what it means (pure, no ORM).

Only team-level aggregates are joined, never individuals (DOMAIN.md §7). A team takes part in a
comparison only when

1. its engagement result is **shown for the team itself**: a team whose result is hidden (fewer
   than k answers, or hidden so a smaller group cannot be worked out) has no figure of its own,
   and the figure it rolls up to belongs to its parent group, so it is left out, never plotted;
2. it has at least `Guards.min_customer_n` (default 30) customer answers in the window for the
   CX measure (reviews with a final score for the QA score), so its CX figure is not mostly noise.

Every team left out is counted under one reason (the first guard it fails, in the order above).
Teams hidden on the engagement side are only counted, never named here: the comparison page
lists them by number, so no dot, row or name stands for a group under the threshold.

The figures are Spearman's rank correlation (the headline: it needs no straight line and shrugs
off one odd team) with Pearson's beside it, each with a 95% interval by Fisher's z
(qa_platform.stats). The reading says, in words, whether there are too few teams to tell, whether
the interval crosses zero ("no clear relationship"), otherwise the direction and strength; and,
always, that a correlation is not a cause.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from qa_platform import stats

MIN_CUSTOMER_N = 30  # customer answers (or reviews) a team needs in the window
MIN_TEAMS = stats.CORRELATION_MIN_N  # fewer teams give no figure at all
# Teams needed to detect r = 0.3 with 80% power at the 5% level (two-sided):
# n = ((z_0.975 + z_0.8) / atanh 0.3)^2 + 3 = (2.8016 / 0.30952)^2 + 3 ≈ 84.9 → 85 (DOMAIN.md §7).
TEAMS_TO_DETECT_0_3 = 85


class Exclusion(StrEnum):
    ENGAGEMENT_HIDDEN = "engagement_hidden"
    NO_CUSTOMER_DATA = "no_customer_data"
    TOO_FEW_CUSTOMER = "too_few_customer"


EXCLUSION_TEXT = {
    Exclusion.ENGAGEMENT_HIDDEN: (
        "Engagement result hidden for the team (too few answers, or hidden so a smaller group "
        "cannot be worked out); the figure it rolls up to belongs to a larger group."
    ),
    Exclusion.NO_CUSTOMER_DATA: "No {cx_noun} in the window.",
    Exclusion.TOO_FEW_CUSTOMER: "Fewer than {min_n} {cx_noun} in the window.",
}


@dataclass(frozen=True)
class Guards:
    min_customer_n: int = MIN_CUSTOMER_N
    min_teams: int = MIN_TEAMS

    def __post_init__(self) -> None:
        if self.min_customer_n < 1:
            raise ValueError("The minimum number of customer answers must be at least 1.")
        if self.min_teams < MIN_TEAMS:
            raise ValueError(f"A correlation needs at least {MIN_TEAMS} teams.")


@dataclass(frozen=True)
class TeamInput:
    """One team's two figures. `engagement_shown` is True only when the team's own engagement
    cell is shown (not rolled up, not suppressed); `engagement` is then its value."""

    team_id: int
    name: str
    engagement_shown: bool
    engagement: float | None
    engagement_n: int | None
    cx: float | None
    cx_n: int


@dataclass(frozen=True)
class Pair:
    team_id: int
    name: str
    engagement: float
    engagement_n: int
    cx: float
    cx_n: int


@dataclass(frozen=True)
class Excluded:
    team_id: int
    name: str  # empty for engagement-hidden teams: never named
    reason: Exclusion
    cx_n: int | None  # given for customer-side reasons only


@dataclass(frozen=True)
class ExclusionCount:
    reason: Exclusion
    text: str
    count: int
    teams: tuple[Excluded, ...]  # named teams (customer-side reasons); empty for hidden ones


@dataclass(frozen=True)
class Reading:
    verdict: str  # "too_few" | "unclear" | "positive" | "negative"
    headline: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    engagement_label: str
    cx_label: str
    pairs: tuple[Pair, ...]
    excluded: tuple[Excluded, ...]
    exclusions: tuple[ExclusionCount, ...]
    spearman: stats.Correlation
    pearson: stats.Correlation
    reading: Reading
    guards: Guards

    @property
    def teams(self) -> int:
        return len(self.pairs)

    @property
    def excluded_count(self) -> int:
        return len(self.excluded)


def select(
    inputs: Iterable[TeamInput], guards: Guards
) -> tuple[tuple[Pair, ...], tuple[Excluded, ...]]:
    """The teams that pass the guards (sorted by name) and those left out, each with its reason."""
    pairs: list[Pair] = []
    excluded: list[Excluded] = []
    for team in inputs:
        if not team.engagement_shown or team.engagement is None or team.engagement_n is None:
            excluded.append(Excluded(team.team_id, "", Exclusion.ENGAGEMENT_HIDDEN, None))
        elif team.cx_n <= 0 or team.cx is None:
            excluded.append(
                Excluded(team.team_id, team.name, Exclusion.NO_CUSTOMER_DATA, team.cx_n)
            )
        elif team.cx_n < guards.min_customer_n:
            excluded.append(
                Excluded(team.team_id, team.name, Exclusion.TOO_FEW_CUSTOMER, team.cx_n)
            )
        else:
            pairs.append(
                Pair(
                    team.team_id,
                    team.name,
                    float(team.engagement),
                    int(team.engagement_n),
                    float(team.cx),
                    int(team.cx_n),
                )
            )
    pairs.sort(key=lambda p: (p.name.lower(), p.team_id))
    excluded.sort(key=lambda e: (list(Exclusion).index(e.reason), e.name.lower(), e.team_id))
    return tuple(pairs), tuple(excluded)


def count_exclusions(
    excluded: Sequence[Excluded], guards: Guards, cx_noun: str
) -> tuple[ExclusionCount, ...]:
    counts = []
    for reason in Exclusion:
        of_reason = tuple(e for e in excluded if e.reason is reason)
        if not of_reason:
            continue
        text = EXCLUSION_TEXT[reason].format(min_n=guards.min_customer_n, cx_noun=cx_noun)
        named = () if reason is Exclusion.ENGAGEMENT_HIDDEN else of_reason
        counts.append(ExclusionCount(reason, text, len(of_reason), named))
    return tuple(counts)


def strength(r: float) -> str:
    """A word for |r| (the usual rough bands for correlations between groups)."""
    size = abs(r)
    if size < 0.1:
        return "negligible"
    if size < 0.3:
        return "weak"
    if size < 0.5:
        return "moderate"
    return "strong"


def _num(value: float) -> str:
    """Two decimals, with a true minus sign; never "−0.00"."""
    text = f"{abs(value):.2f}"
    return f"\u2212{text}" if value < 0 and text != "0.00" else text


def interval_text(correlation: stats.Correlation) -> str:
    if correlation.low is None or correlation.high is None:
        return ""
    return f"{_num(correlation.low)} to {_num(correlation.high)}"


def r_text(correlation: stats.Correlation) -> str:
    return "–" if correlation.r is None else _num(correlation.r)


NOT_CAUSE = (
    "Correlation is not cause: teams that do well on one may do well on the other for a third "
    "reason (workload, the customers they serve, their lead), and the link may run either way."
)


def read(
    spearman: stats.Correlation,
    *,
    engagement_label: str,
    cx_label: str,
    guards: Guards,
) -> Reading:
    """The plain-language reading of a Spearman correlation over `spearman.n` teams."""
    n = spearman.n
    teams = f"{n} team" if n == 1 else f"{n} teams"
    power = (
        f"Detecting a correlation of about 0.3 (what large studies find between engagement and "
        f"customer satisfaction) reliably needs about {TEAMS_TO_DETECT_0_3} teams; with {teams} "
        "the interval is wide."
    )
    if n < guards.min_teams or spearman.r is None:
        why = (
            f"Too few teams to tell: {teams} passed the guards, and a correlation needs at least "
            f"{guards.min_teams}."
            if n < guards.min_teams
            else f"No correlation can be computed over these {teams}: {spearman.reason}"
        )
        return Reading("too_few", why, (power, NOT_CAUSE))
    r = spearman.r
    assert spearman.low is not None and spearman.high is not None
    figures = f"Spearman r = {_num(r)}, 95% interval {interval_text(spearman)}, {teams}"
    details: list[str] = []
    if n < TEAMS_TO_DETECT_0_3:
        details.append(power)
    details.append(NOT_CAUSE)
    if spearman.crosses_zero:
        return Reading(
            "unclear",
            f"No clear relationship between {engagement_label} and {cx_label}: the interval "
            f"includes zero ({figures}), so the true correlation could be positive, nil or "
            "negative.",
            tuple(details),
        )
    direction = "positive" if r > 0 else "negative"
    moves = "higher" if r > 0 else "lower"
    return Reading(
        direction,
        f"A {strength(r)} {direction} relationship: teams with higher {engagement_label} tended "
        f"to have {moves} {cx_label} ({figures}).",
        tuple(details),
    )


def analyse(
    inputs: Iterable[TeamInput],
    *,
    engagement_label: str,
    cx_label: str,
    cx_noun: str = "customer answers",
    guards: Guards | None = None,
) -> Analysis:
    """Apply the guards, correlate the teams that pass, and read the result."""
    guards = guards or Guards()
    pairs, excluded = select(inputs, guards)
    xs = [p.engagement for p in pairs]
    ys = [p.cx for p in pairs]
    spearman = stats.spearman_with_interval(xs, ys)
    pearson = stats.pearson_with_interval(xs, ys)
    return Analysis(
        engagement_label=engagement_label,
        cx_label=cx_label,
        pairs=pairs,
        excluded=excluded,
        exclusions=count_exclusions(excluded, guards, cx_noun),
        spearman=spearman,
        pearson=pearson,
        reading=read(spearman, engagement_label=engagement_label, cx_label=cx_label, guards=guards),
        guards=guards,
    )


# --- Driver view ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriverRow:
    key: str
    name: str
    analysis: Analysis

    @property
    def verdict(self) -> str:
        return self.analysis.reading.verdict


def driver_view(
    drivers: Iterable[tuple[str, str, Sequence[TeamInput]]],
    *,
    cx_label: str,
    cx_noun: str = "customer answers",
    guards: Guards | None = None,
) -> tuple[DriverRow, ...]:
    """One analysis per driver (key, name, its team inputs against the same CX measure), with the
    same guards. Ordered by how strongly the driver moves with CX: drivers with a figure first,
    by Spearman r from highest to lowest, then those too few to tell, by name."""
    rows = [
        DriverRow(
            key,
            name,
            analyse(
                inputs,
                engagement_label=f"“{name}” favourable %",
                cx_label=cx_label,
                cx_noun=cx_noun,
                guards=guards,
            ),
        )
        for key, name, inputs in drivers
    ]

    def order(row: DriverRow) -> tuple[int, float, str]:
        r = row.analysis.spearman.r
        return (0, -r, row.name.lower()) if r is not None else (1, 0.0, row.name.lower())

    return tuple(sorted(rows, key=order))
