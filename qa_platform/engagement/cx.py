"""Team-level customer results per window, for the engagement ↔ CX view (DOMAIN.md §3, §4, §7).

For each team: **CSAT %** (the share of 1–5 answers that are 4 or 5, with its Wilson interval),
**NPS** (%promoters − %detractors with its interval) and the **QA score** (the mean of the final
scores of the counting reviews, with its t-interval), each with its n. The figures are the
scorecards quality overview's own (`scorecards.overview.csat_figure`, `nps_figure`,
`mean_figure`), so a team's CSAT here is its CSAT there for the same days.

Which customers count for a team
    A team's figure covers its **subtree**: the feedback and reviews attributed to the team itself
    and to any team below it. The engagement figure of a team is that of its subtree too (an
    anonymity cell is a group with its whole subtree), so both sides describe the same people. The
    engagement ↔ CX view compares the snapshot's leaf teams (where people were invited), for which
    the subtree is usually the team alone; a sub-team created after the survey still counts with
    its parent. Feedback and reviews are attributed to the team of the day (the agent's team when
    the contact happened), as everywhere else.

Windows
    Whole days in the default time zone (the one the quality rollups cut their days in):
    the **survey period** is the day the survey opened to the day it closed, inclusive; the
    **lagged window** is the N days after the closing day (default 90).

Speed
    Aggregated in the database, one query per source whatever the number of teams: one for the
    teams under the chosen ones (ids and paths), one GROUP BY team over the customer feedback
    (CSAT and NPS counts together), one GROUP BY team over the quality rollups (Σn, Σscore,
    Σscore² of whole weeks plus edge days, exactly as the quality overview reads them). The
    subtree sums are added up in Python over a few hundred team rows. bench/engagement_cx_bench.py
    measures it at 180 teams and 200,000 feedback records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, Sum
from django.utils import timezone

from qa_platform.people.models import Team
from scorecards.models import CustomerFeedback, QualityRollup
from scorecards.overview import (
    Figure,
    Period,
    csat_figure,
    exact,
    mean_figure,
    nps_figure,
    rollup_spans,
    sample_sd,
)

if TYPE_CHECKING:
    from .models import Survey

DEFAULT_LAG_DAYS = 90
MAX_LAG_DAYS = 365

CSAT = "csat"
NPS = "nps"
QA = "qa"


@dataclass(frozen=True)
class Measure:
    key: str
    label: str  # "CSAT %"
    noun: str  # what its n counts: "customer answers", "reviews"
    unit: str  # "%", " points", ""


MEASURES: dict[str, Measure] = {
    CSAT: Measure(CSAT, "CSAT %", "customer answers", "%"),
    NPS: Measure(NPS, "NPS", "customer answers", ""),
    QA: Measure(QA, "QA score", "reviews", ""),
}


# --- Windows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    kind: str  # "same" or "lagged"
    start: dt.date  # first day
    end: dt.date  # last day, inclusive
    lag_days: int = 0

    @property
    def period(self) -> Period:
        return Period("custom", self.start, self.end, self.name)

    @property
    def name(self) -> str:
        if self.kind == "lagged":
            return f"The {self.lag_days} days after the survey closed"
        return "The survey period"

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first day 00:00, the day after the last 00:00) in the default time zone."""
        zone = timezone.get_default_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return start, end

    def unfinished(self, today: dt.date) -> bool:
        """Whether the window has not ended yet (its figures are so far only)."""
        return self.end >= today


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def survey_days(survey: Survey) -> tuple[dt.date, dt.date] | None:
    """The survey's first and last day (opened … closed); None when it never opened."""
    opened = survey.opens_at or survey.launched_at
    closed = survey.closes_at or survey.closed_at
    if opened is None or closed is None:
        return None
    first, last = _local_day(opened), _local_day(closed)
    return (first, last) if first <= last else (last, first)


def survey_window(survey: Survey) -> Window | None:
    days = survey_days(survey)
    return None if days is None else Window("same", days[0], days[1])


def lagged_window(survey: Survey, lag_days: int = DEFAULT_LAG_DAYS) -> Window | None:
    if not 1 <= lag_days <= MAX_LAG_DAYS:
        raise ValueError(f"The lag must be between 1 and {MAX_LAG_DAYS} days, got {lag_days}.")
    days = survey_days(survey)
    if days is None:
        return None
    closed = days[1]
    return Window(
        "lagged",
        closed + dt.timedelta(days=1),
        closed + dt.timedelta(days=lag_days),
        lag_days,
    )


# --- Figures ----------------------------------------------------------------------------------


@dataclass
class _Counts:
    csat_n: int = 0
    csat_top: int = 0
    nps_n: int = 0
    promoters: int = 0
    detractors: int = 0
    qa_n: int = 0
    qa_total: Decimal = field(default_factory=Decimal)
    qa_squares: Decimal = field(default_factory=Decimal)


@dataclass(frozen=True)
class TeamCx:
    team_id: int
    csat: Figure
    nps: Figure
    qa: Figure

    def figure(self, measure: str) -> Figure:
        if measure not in MEASURES:
            raise ValueError(f"Unknown CX measure {measure!r}.")
        found: Figure = getattr(self, measure)
        return found


def _subtree_map(teams: Sequence[Team]) -> dict[int, list[int]]:
    """Every team at or under one of `teams` → the chosen teams whose subtree holds it (one
    query: the teams whose path starts with the chosen ones' common prefix)."""
    if not teams:
        return {}
    paths = [t.path for t in teams]
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    rows = Team.objects.filter(path__startswith=prefix).values_list("pk", "path")
    chosen = {t.path: t.pk for t in teams}
    owners: dict[int, list[int]] = defaultdict(list)
    for pk, path in rows:
        # Every ancestor path of `path` (itself included) that is a chosen team owns it.
        parts = [p for p in path.strip("/").split("/") if p]
        for depth in range(1, len(parts) + 1):
            ancestor = "/" + "/".join(parts[:depth]) + "/"
            if ancestor in chosen:
                owners[pk].append(chosen[ancestor])
    return owners


def team_cx(
    teams: Sequence[Team], window: Window, measures: Iterable[str] = tuple(MEASURES)
) -> dict[int, TeamCx]:
    """CSAT %, NPS and QA score of each team's subtree in `window` (only the measures asked for
    are queried; the others come back empty)."""
    wanted = set(measures)
    unknown = wanted - set(MEASURES)
    if unknown:
        raise ValueError(f"Unknown CX measure(s): {', '.join(sorted(unknown))}.")
    owners = _subtree_map(teams)
    counts = {t.pk: _Counts() for t in teams}
    ids = sorted(owners)
    if ids and (CSAT in wanted or NPS in wanted):
        start, end = window.bounds()
        rows = (
            CustomerFeedback.objects.filter(
                team_id__in=ids, received_at__gte=start, received_at__lt=end
            )
            .values("team_id")
            .annotate(
                csat_n=Count("csat"),
                csat_top=Count("pk", filter=Q(csat__gte=4)),
                nps_n=Count("nps"),
                promoters=Count("pk", filter=Q(nps__gte=9)),
                detractors=Count("pk", filter=Q(nps__lte=6)),
            )
            .order_by()
            .values_list("team_id", "csat_n", "csat_top", "nps_n", "promoters", "detractors")
        )
        for team_id, csat_n, csat_top, nps_n, promoters, detractors in rows:
            for owner in owners.get(team_id, ()):
                c = counts[owner]
                c.csat_n += csat_n
                c.csat_top += csat_top
                c.nps_n += nps_n
                c.promoters += promoters
                c.detractors += detractors
    if ids and QA in wanted:
        qa_rows = (
            QualityRollup.objects.filter(rollup_spans(window.period), team_id__in=ids)
            .values("team_id")
            .annotate(
                n=Sum("n"),
                total=Sum("total"),
                squares=Sum("squares"),
            )
            .order_by()
            .values_list("team_id", "n", "total", "squares")
        )
        for team_id, n, total, squares in qa_rows:
            for owner in owners.get(team_id, ()):
                c = counts[owner]
                c.qa_n += int(n or 0)
                c.qa_total += exact(total)
                c.qa_squares += exact(squares)
    return {pk: _figures(pk, c) for pk, c in counts.items()}


def _figures(team_id: int, c: _Counts) -> TeamCx:
    if c.qa_n:
        mean = float(c.qa_total / c.qa_n)
        qa = mean_figure(c.qa_n, mean, sample_sd(c.qa_n, float(c.qa_total), float(c.qa_squares)))
    else:
        qa = mean_figure(0, None, 0.0)
    return TeamCx(
        team_id=team_id,
        csat=csat_figure(c.csat_top, c.csat_n),
        nps=nps_figure(c.promoters, c.detractors, c.nps_n),
        qa=qa,
    )


__all__ = [
    "CSAT",
    "DEFAULT_LAG_DAYS",
    "MAX_LAG_DAYS",
    "MEASURES",
    "NPS",
    "QA",
    "Measure",
    "TeamCx",
    "Window",
    "lagged_window",
    "survey_days",
    "survey_window",
    "team_cx",
]
