"""bench/overview_bench.py on a tiny shape: its bulk seed works on this database, and its
hand-written SQL (over the reviews and over the rollups) computes the same numbers as the overview
(so the bench compares like with like)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from bench.overview_bench import (
    LEAD_EMAIL,
    MARKER,
    Shape,
    check_same_numbers,
    hand_written_queries,
    hand_written_rollup_queries,
    is_seeded,
    run_sql,
    seed,
)
from qa_platform.people.models import Team, User
from scorecards import overview
from scorecards.models import CustomerFeedback, Interaction, Review, ReviewRating

TINY = Shape(teams=3, agents=12, interactions=600, reviews=200, feedback=300, patterns=20)


def test_the_bench_seed_and_its_hand_written_sql_agree_with_the_overview(db: None) -> None:
    assert not is_seeded()
    seed(random.Random(7), TINY)

    assert is_seeded()
    assert Interaction.objects.count() == 600
    assert Review.objects.counting().count() == 200
    assert ReviewRating.objects.count() == 200 * 15
    assert CustomerFeedback.objects.count() == 300
    department = Team.objects.get(external_id=MARKER)
    lead = User.objects.get(email=LEAD_EMAIL)
    today = timezone.localdate()
    period = overview.period_for("custom", today, today - dt.timedelta(days=200), today)
    shown = overview.build_overview(lead, overview.Filters(period=period))
    start, end = period.bounds()
    sql = run_sql(hand_written_queries(department.path, start, end))

    assert shown.overall.n == 200 and len(shown.teams) == 3 and len(shown.agents) == 12
    assert sum(int(row[3]) for row in sql[0]) == 200
    assert sum(int(row[2]) for row in sql[1]) == sum(c.n for c in shown.criteria)
    assert check_same_numbers(shown, sql) == []
    naive = run_sql(hand_written_queries(department.path, start, end, naive=True))
    assert sum(int(row[3]) for row in naive[0]) == 200
    # The seed rebuilt the rollups: the SQL over them, and the page's figures from them, agree.
    rolled = run_sql(
        hand_written_rollup_queries(department.path, start, end, overview.rollup_ranges(period))
    )
    assert sum(int(row[3]) for row in rolled[0]) == 200
    assert check_same_numbers(shown, rolled) == []
    live = overview.build_overview(lead, overview.Filters(period=period), live=True)
    assert (live.overall.n, live.overall.mean) == (200, pytest.approx(shown.overall.mean))
    assert [(c.key, c.n, c.na) for c in live.criteria] == [
        (c.key, c.n, c.na) for c in shown.criteria
    ]
