"""The CX overview's figures: CSAT %, NPS and CES by month with 95% intervals (from customer
feedback), and retention, churn and an estimated customer lifetime value (from imported monthly
customer figures). docs/engagement.md, "The CX overview", explains each with a worked example.

Each measure is one aggregate query grouped by month and answer value (so a month's figure is
computed from counts, never from rows in Python): CSAT, NPS, CES (by version: never mixed) and the
customer figures. The formulas are the pure functions at the top (no ORM), tested on constructed
data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from qa_platform import stats
from qa_platform.charts import Datum, LineChart, Series, line_chart

# --- Pure formulas ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCustomers:
    """One month's customer figures and what follows from them."""

    month: dt.date
    at_start: int
    lost: int
    gained: int
    revenue: Decimal | None
    churn: stats.Proportion  # lost / at start, with its Wilson interval

    @property
    def at_end(self) -> int:
        return self.at_start - self.lost + self.gained

    @property
    def retention(self) -> float | None:
        """(customers at end − new customers) / customers at start = 1 − churn."""
        return None if self.churn.value is None else 1 - self.churn.value

    @property
    def revenue_per_customer(self) -> Decimal | None:
        if self.revenue is None or not self.at_start:
            return None
        return self.revenue / self.at_start


@dataclass(frozen=True)
class LifetimeValue:
    """The estimated customer lifetime value over the months shown.

    revenue per customer per month = Σ revenue / Σ customers at start (months with revenue);
    monthly churn = Σ customers lost / Σ customers at start;
    lifetime (months) = 1 / monthly churn; value = revenue per customer per month / monthly churn.
    `value` is None (with `reason`) when it cannot be estimated."""

    months: int
    revenue_per_customer_month: Decimal | None
    monthly_churn: float | None
    lifetime_months: float | None
    value: Decimal | None
    reason: str


def month_customers(
    month: dt.date, at_start: int, lost: int, gained: int, revenue: Decimal | None
) -> MonthCustomers:
    churn = stats.wilson_interval(min(lost, at_start), at_start)
    return MonthCustomers(month, at_start, lost, gained, revenue, churn)


def lifetime_value(months: Sequence[MonthCustomers]) -> LifetimeValue:
    with_customers = [m for m in months if m.at_start > 0]
    if not with_customers:
        return LifetimeValue(0, None, None, None, None, "No month has customers at its start.")
    at_start = sum(m.at_start for m in with_customers)
    churn = sum(m.lost for m in with_customers) / at_start
    paid = [m for m in with_customers if m.revenue is not None]
    arpc = (
        sum((m.revenue for m in paid if m.revenue is not None), Decimal(0))
        / sum(m.at_start for m in paid)
        if paid
        else None
    )
    if arpc is None:
        reason = "No revenue was imported for these months, so there is no value to estimate."
        return LifetimeValue(len(with_customers), None, churn, _lifetime(churn), None, reason)
    if churn == 0:
        reason = (
            "No customers were lost in these months, so a lifetime cannot be estimated "
            "(it would be endless)."
        )
        return LifetimeValue(len(with_customers), arpc, churn, None, None, reason)
    value = arpc / Decimal(repr(churn))
    return LifetimeValue(len(with_customers), arpc, churn, 1 / churn, value, "")


def _lifetime(churn: float) -> float | None:
    return 1 / churn if churn > 0 else None


def expand(counts: Iterable[tuple[int, int]]) -> list[int]:
    """Answers from (value, count) pairs: the statistics need the values, the database gave counts
    (at most 11 distinct values a month, so this stays small per value)."""
    return [value for value, count in counts for _ in range(count)]


def month_range(end: dt.date, months: int) -> list[dt.date]:
    """The first days of the `months` months up to and including `end`'s month, oldest first."""
    first = end.replace(day=1)
    out = []
    for _ in range(months):
        out.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out[::-1]


def month_label(month: dt.date) -> str:
    return f"{month:%b %Y}"


# --- Queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trends:
    months: list[dt.date]
    csat: dict[dt.date, stats.Proportion]
    nps: dict[dt.date, stats.NpsResult]
    ces: dict[str, dict[dt.date, stats.CesResult]]  # by version, never mixed

    @property
    def empty(self) -> bool:
        return not (self.csat or self.nps or any(self.ces.values()))


def _by_month(
    rows: Iterable[dict[str, Any]], value: str, *extra: str
) -> dict[tuple[Any, ...], list[tuple[int, int]]]:
    out: dict[tuple[Any, ...], list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        month = row["m"]
        if isinstance(month, dt.datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        key = (month.replace(day=1), *(row[e] for e in extra))
        out[key].append((row[value], row["c"]))
    return out


def feedback_trends(feedback: QuerySet[Any], months: list[dt.date]) -> Trends:
    """CSAT, NPS and CES per month for `feedback` (already scoped): three queries."""
    start = dt.datetime.combine(months[0], dt.time.min, tzinfo=timezone.get_current_timezone())
    base = feedback.filter(received_at__gte=start).annotate(m=TruncMonth("received_at")).order_by()
    csat_rows = base.filter(csat__isnull=False).values("m", "csat").annotate(c=Count("pk"))
    nps_rows = base.filter(nps__isnull=False).values("m", "nps").annotate(c=Count("pk"))
    ces_rows = (
        base.filter(ces__isnull=False)
        .exclude(ces_version="")
        .values("m", "ces_version", "ces")
        .annotate(c=Count("pk"))
    )
    shown = set(months)
    csat = {
        k[0]: stats.csat(expand(v))
        for k, v in _by_month(csat_rows, "csat").items()
        if k[0] in shown
    }
    nps = {
        k[0]: stats.nps(expand(v)) for k, v in _by_month(nps_rows, "nps").items() if k[0] in shown
    }
    ces: dict[str, dict[dt.date, stats.CesResult]] = defaultdict(dict)
    for (month, version), counts in _by_month(ces_rows, "ces", "ces_version").items():
        if month in shown and version in stats.CES_VERSIONS:
            ces[version][month] = stats.ces(expand(counts), version)
    return Trends(months=months, csat=csat, nps=nps, ces=dict(ces))


def customer_months(periods: QuerySet[Any], months: list[dt.date]) -> list[MonthCustomers]:
    """Monthly customer figures within `months` (one query), oldest first."""
    rows = (
        periods.filter(month__gte=months[0], month__lte=months[-1])
        .values("month")
        .annotate(
            at_start=Sum("customers_at_start"),
            lost=Sum("customers_lost"),
            gained=Sum("customers_gained"),
            total_revenue=Sum("revenue"),
            with_revenue=Count("pk", filter=Q(revenue__isnull=False)),
        )
        .order_by("month")
    )
    return [
        month_customers(
            r["month"],
            int(r["at_start"] or 0),
            int(r["lost"] or 0),
            int(r["gained"] or 0),
            Decimal(r["total_revenue"]) if r["with_revenue"] else None,
        )
        for r in rows
    ]


# --- Charts -------------------------------------------------------------------------------------


def _pct(p: stats.Proportion | None, label: str) -> Datum:
    if p is None or p.value is None:
        return Datum(label, None)
    assert p.low is not None and p.high is not None
    return Datum(label, p.value * 100, p.low * 100, p.high * 100, p.n)


def csat_chart(trends: Trends) -> LineChart:
    data = tuple(_pct(trends.csat.get(m), month_label(m)) for m in trends.months)
    return line_chart(
        [Series("CSAT %", data)],
        title="CSAT % (answers of 4 or 5) by month",
        x_label="Month",
        y_label="CSAT %",
        unit="%",
        y_min=0,
        y_max=100,
    )


def nps_chart(trends: Trends) -> LineChart:
    data = []
    for m in trends.months:
        r = trends.nps.get(m)
        if r is None or r.value is None:
            data.append(Datum(month_label(m), None))
        else:
            data.append(Datum(month_label(m), r.value, r.low, r.high, r.n))
    return line_chart(
        [Series("NPS", tuple(data))],
        title="NPS by month",
        x_label="Month",
        y_label="NPS (−100 to 100)",
        y_min=-100,
        y_max=100,
    )


CES_TITLES = {
    stats.CES_7PT_AGREE: ("CES, 7-point agreement (higher is easier) by month", 1, 7),
    stats.CES_5PT_EFFORT: ("CES, 5-point effort (lower is easier) by month", 1, 5),
}


def ces_charts(trends: Trends) -> list[tuple[str, LineChart]]:
    """One chart per CES version present: the versions are never mixed, not even on one axis."""
    charts = []
    for version in stats.CES_VERSIONS:
        by_month = trends.ces.get(version)
        if not by_month:
            continue
        title, low, high = CES_TITLES[version]
        data = []
        for m in trends.months:
            r = by_month.get(m)
            if r is None or r.value is None:
                data.append(Datum(month_label(m), None))
            else:
                data.append(Datum(month_label(m), r.value, r.low, r.high, r.n))
        charts.append(
            (
                version,
                line_chart(
                    [Series("Mean CES", tuple(data))],
                    title=title,
                    x_label="Month",
                    y_label="Mean answer",
                    y_min=low,
                    y_max=high,
                ),
            )
        )
    return charts


def retention_chart(customers: Sequence[MonthCustomers], months: list[dt.date]) -> LineChart:
    by_month = {c.month: c for c in customers}
    data = []
    for m in months:
        c = by_month.get(m)
        if c is None or c.churn.value is None:
            data.append(Datum(month_label(m), None))
            continue
        assert c.churn.low is not None and c.churn.high is not None
        data.append(
            Datum(
                month_label(m),
                (1 - c.churn.value) * 100,
                (1 - c.churn.high) * 100,
                (1 - c.churn.low) * 100,
                c.at_start,
            )
        )
    return line_chart(
        [Series("Retention %", tuple(data))],
        title="Monthly retention % (1 − churn)",
        x_label="Month",
        y_label="Retention %",
        unit="%",
    )
