"""The one place that writes the quality rollups (scorecards.models.rollups).

The review services call `record_change(before, after)` inside their transaction with what a
review added to the figures before and after the write (`contribution(...)`; None for a review
that does not count: a draft, a calibration). The difference is added to the review's day and
week cells with INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x, so two reviews submitted
at once in the same cell both count (each transaction adds its own delta; cells are written in a
fixed order so two writers cannot deadlock), and a rating corrected after submit moves the sums
by exactly the change. `rebuild()` (`manage.py rebuild_quality_rollups`) recomputes everything
from the reviews; the seeders that bulk-insert reviews call it at their end.

Days and weeks are taken in the default time zone (settings.TIME_ZONE): the overview reads the
rollups only when that is the current time zone (scorecards.overview).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.utils import timezone

from scorecards.models import (
    CriterionRollup,
    QualityRollup,
    Review,
    ReviewPurpose,
    ReviewRating,
    ReviewStatus,
    RollupSpan,
)

# Cell keys, in the order of the tables' unique constraints.
REVIEW_KEY = ("span", "start", "week", "team_id", "agent_id", "framework_version_id", "channel")
REVIEW_SUMS = ("reviews", "n", "total", "squares", "passed", "pass_n", "fatal")
CRITERION_KEY = (
    "span",
    "start",
    "week",
    "team_id",
    "framework_version_id",
    "channel",
    "criterion_key",
)
CRITERION_SUMS = ("ratings", "n", "total", "squares", "na")
BATCH = 500  # cells per INSERT statement


@dataclass(frozen=True)
class Contribution:
    """What one counting review adds to the figures: its cell and its scores, and per rating
    (criterion key, normalised score or None, N/A)."""

    day: dt.date
    team_id: int
    agent_id: int
    version_id: int
    channel: str
    final: Decimal | None
    passed: bool | None
    fatal: bool
    ratings: tuple[tuple[str, Decimal | None, bool], ...]

    @property
    def week(self) -> dt.date:
        return self.day - dt.timedelta(days=self.day.weekday())


def local_day(moment: dt.datetime) -> dt.date:
    """The day of `moment` in the default time zone (the rollups' days)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def counts(review: Review) -> bool:
    """Whether the review is in the quality figures (as `Review.objects.counting()`)."""
    return review.status == ReviewStatus.SUBMITTED and review.purpose == ReviewPurpose.QUALITY


def contribution(review: Review, ratings: Iterable[ReviewRating]) -> Contribution | None:
    """What `review` with these rating rows adds now; None when it does not count. Read the
    values at once: the rating objects may be changed afterwards."""
    if not counts(review):
        return None
    return Contribution(
        day=local_day(review.interaction_started_at),
        team_id=review.team_id,
        agent_id=review.agent_id,
        version_id=review.framework_version_id,
        channel=review.channel,
        final=None if review.final_score is None else Decimal(review.final_score),
        passed=review.passed,
        fatal=bool(review.fatal_failed),
        ratings=tuple(
            sorted(
                (
                    r.criterion_key,
                    None if r.normalised is None else Decimal(r.normalised),
                    bool(r.na),
                )
                for r in ratings
            )
        ),
    )


def contribution_of(review: Review) -> Contribution | None:
    """`contribution` with the review's stored ratings (one query when it counts)."""
    if not counts(review):
        return None
    return contribution(review, ReviewRating.objects.filter(review_id=review.pk).order_by())


def _review_sums(c: Contribution) -> list[Any]:
    final = c.final
    return [
        1,
        0 if final is None else 1,
        final or Decimal(0),
        final * final if final is not None else Decimal(0),
        1 if c.passed else 0,
        0 if c.passed is None else 1,
        1 if c.fatal else 0,
    ]


def _add(
    into: dict[tuple[Any, ...], list[Any]], key: tuple[Any, ...], sums: list[Any], sign: int
) -> None:
    cell = into.setdefault(key, [0] * len(sums))
    for i, value in enumerate(sums):
        cell[i] += sign * value


def _deltas(
    changes: Iterable[tuple[Contribution | None, Contribution | None]],
) -> tuple[dict[tuple[Any, ...], list[Any]], dict[tuple[Any, ...], list[Any]]]:
    reviews: dict[tuple[Any, ...], list[Any]] = {}
    criteria: dict[tuple[Any, ...], list[Any]] = {}
    for before, after in changes:
        for sign, c in ((-1, before), (1, after)):
            if c is None:
                continue
            for span, start in ((RollupSpan.DAY, c.day), (RollupSpan.WEEK, c.week)):
                cell = (str(span), start, c.week, c.team_id, c.agent_id, c.version_id, c.channel)
                _add(reviews, cell, _review_sums(c), sign)
                for key, normalised, na in c.ratings:
                    sums = [
                        1,
                        0 if normalised is None else 1,
                        normalised or Decimal(0),
                        normalised * normalised if normalised is not None else Decimal(0),
                        1 if na else 0,
                    ]
                    where = (str(span), start, c.week, c.team_id, c.version_id, c.channel, key)
                    _add(criteria, where, sums, sign)
    return (
        {k: v for k, v in reviews.items() if any(v)},
        {k: v for k, v in criteria.items() if any(v)},
    )


def _upsert(
    model: type[Any],
    key: Sequence[str],
    sums: Sequence[str],
    cells: dict[tuple[Any, ...], list[Any]],
    count_column: str,
) -> None:
    """Add each cell's sums to its row (creating it), then drop rows left with nothing."""
    if not cells:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [*key, *sums]
    conflict = [c for c in key if c != "week"]  # the week follows from the start
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    updates = ", ".join(
        f"{connection.ops.quote_name(c)} = {table}.{connection.ops.quote_name(c)} + "
        f"excluded.{connection.ops.quote_name(c)}"
        for c in sums
    )
    row_marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    ordered = sorted(cells.items())  # one order for every writer: no deadlocks between them
    ops = connection.ops
    with connection.cursor() as cursor:
        for offset in range(0, len(ordered), BATCH):
            chunk = ordered[offset : offset + BATCH]
            params: list[Any] = []
            for cell, values in chunk:
                span, start, week, *rest = cell
                params.extend(
                    [span, ops.adapt_datefield_value(start), ops.adapt_datefield_value(week)]
                )
                params.extend(rest)
                params.extend(values)
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES "  # noqa: S608
                + ", ".join([row_marks] * len(chunk))
                + f" ON CONFLICT ({', '.join(ops.quote_name(c) for c in conflict)}) "
                f"DO UPDATE SET {updates}",
                params,
            )
    emptied = Q()
    for cell, values in ordered:
        if values[0] < 0:  # a row lost a review or a rating: it may have none left
            values_of = [v for i, v in enumerate(cell) if i != 2]  # the week: not in the key
            emptied |= Q(**dict(zip(conflict, values_of, strict=True)))
    if emptied:
        model.objects.filter(emptied, **{count_column: 0}).delete()


def record_changes(changes: Iterable[tuple[Contribution | None, Contribution | None]]) -> None:
    """Move the rollups from each `before` to its `after` (either may be None). Call inside the
    transaction that writes the reviews."""
    reviews, criteria = _deltas(changes)
    _upsert(QualityRollup, REVIEW_KEY, REVIEW_SUMS, reviews, "reviews")
    _upsert(CriterionRollup, CRITERION_KEY, CRITERION_SUMS, criteria, "ratings")


def record_change(before: Contribution | None, after: Contribution | None) -> None:
    """One review's change; nothing to do (no query) when neither side counts or nothing moved."""
    if before == after:  # both None (neither counts), or nothing moved
        return
    record_changes([(before, after)])


# ---------------------------------------------------------------------------------------------
# Rebuilding from the reviews
# ---------------------------------------------------------------------------------------------


def _sum(column: str) -> Coalesce:
    """SUM of the column, 0 rather than NULL when every value is NULL."""
    return Coalesce(
        Sum(column), Value(Decimal(0)), output_field=DecimalField(max_digits=20, decimal_places=4)
    )


def _squares(column: str) -> Coalesce:
    square = ExpressionWrapper(
        F(column) * F(column), output_field=DecimalField(max_digits=26, decimal_places=8)
    )
    return Coalesce(
        Sum(square), Value(Decimal(0)), output_field=DecimalField(max_digits=26, decimal_places=8)
    )


def _insert_select(model: type[Any], columns: Sequence[str], sql: str, params: Any) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({quoted}) {sql}", params)


def _weeks_from_days(model: type[Any], key: Sequence[str], sums: Sequence[str]) -> None:
    """The week rows as the sums of the day rows."""
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    rest = [c for c in key if c not in ("span", "start", "week")]
    group = ", ".join(q(c) for c in ["week", *rest])
    summed = ", ".join(f"SUM({q(c)})" for c in sums)
    _insert_select(
        model,
        [*key, *sums],
        f"SELECT %s, {q('week')}, {group}, {summed} FROM {table} "  # noqa: S608
        f"WHERE {q('span')} = %s GROUP BY {group}",
        [str(RollupSpan.WEEK), str(RollupSpan.DAY)],
    )


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Recompute both rollups from the counting reviews and their ratings (idempotent: the
    same reviews give the same rows). Returns the number of day and week cells of reviews and
    of criteria."""
    tz = timezone.get_default_timezone()
    CriterionRollup.objects.all().delete()
    QualityRollup.objects.all().delete()

    day = TruncDate("interaction_started_at", tzinfo=tz)
    week = TruncWeek("interaction_started_at", tzinfo=tz, output_field=DateField())
    reviews = (
        Review.objects.counting()
        .annotate(r_day=day, r_week=week)
        .values("r_day", "r_week", "team_id", "agent_id", "framework_version_id", "channel")
        .annotate(
            s_reviews=Count("pk"),
            s_n=Count("final_score"),
            s_total=_sum("final_score"),
            s_squares=_squares("final_score"),
            s_passed=Count("pk", filter=Q(passed=True)),
            s_pass_n=Count("passed"),
            s_fatal=Count("pk", filter=Q(fatal_failed=True)),
        )
        .order_by()
        .values_list(
            "r_day",
            "r_week",
            "team_id",
            "agent_id",
            "framework_version_id",
            "channel",
            "s_reviews",
            "s_n",
            "s_total",
            "s_squares",
            "s_passed",
            "s_pass_n",
            "s_fatal",
        )
    )
    sql, params = reviews.query.sql_with_params()
    _insert_select(
        QualityRollup,
        [*REVIEW_KEY, *REVIEW_SUMS],
        f"SELECT %s, sub.* FROM ({sql}) sub",  # noqa: S608
        [str(RollupSpan.DAY), *params],
    )
    _weeks_from_days(QualityRollup, REVIEW_KEY, REVIEW_SUMS)

    rday = TruncDate("review__interaction_started_at", tzinfo=tz)
    rweek = TruncWeek("review__interaction_started_at", tzinfo=tz, output_field=DateField())
    ratings = (
        ReviewRating.objects.filter(
            review__status=ReviewStatus.SUBMITTED, review__purpose=ReviewPurpose.QUALITY
        )
        .annotate(r_day=rday, r_week=rweek)
        .values(
            "r_day",
            "r_week",
            "review__team_id",
            "review__framework_version_id",
            "review__channel",
            "criterion_key",
        )
        .annotate(
            s_ratings=Count("pk"),
            s_n=Count("normalised"),
            s_total=_sum("normalised"),
            s_squares=_squares("normalised"),
            s_na=Count("pk", filter=Q(na=True)),
        )
        .order_by()
        .values_list(
            "r_day",
            "r_week",
            "review__team_id",
            "review__framework_version_id",
            "review__channel",
            "criterion_key",
            "s_ratings",
            "s_n",
            "s_total",
            "s_squares",
            "s_na",
        )
    )
    sql, params = ratings.query.sql_with_params()
    _insert_select(
        CriterionRollup,
        [*CRITERION_KEY, *CRITERION_SUMS],
        f"SELECT %s, sub.* FROM ({sql}) sub",  # noqa: S608
        [str(RollupSpan.DAY), *params],
    )
    _weeks_from_days(CriterionRollup, CRITERION_KEY, CRITERION_SUMS)
    with connection.cursor() as cursor:
        for model in (QualityRollup, CriterionRollup):
            # Fresh statistics, so the first overview after a rebuild gets a good plan.
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return QualityRollup.objects.count(), CriterionRollup.objects.count()
