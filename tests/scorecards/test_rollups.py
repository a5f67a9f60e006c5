"""The quality rollups: kept by the review services in their transaction, rebuilt by
`manage.py rebuild_quality_rollups`, and giving the overview exactly the figures computed from the
reviews and ratings themselves (random data: fatal failures, N/A, several frameworks and versions,
agents moving teams, channels, corrections after submit, imported reviews, drafts and calibration
reviews that must not count; periods that do and do not align with weeks; every filter)."""

from __future__ import annotations

import datetime as dt
import random
import threading
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from qa_platform.people.models import Team, User
from scorecards import overview
from scorecards.models import (
    Channel,
    CriterionRollup,
    FrameworkVersion,
    QualityRollup,
    Review,
    ReviewPurpose,
    ReviewRating,
    RollupSpan,
)
from scorecards.services import rollups
from scorecards.services.review_import import import_reviews
from scorecards.services.reviews import RatingInput, rate, submit_review
from tests.conftest import Org
from tests.people.factories import MembershipFactory, UserFactory
from tests.scorecards.factories import (
    FrameworkFactory,
    InteractionFactory,
    ReviewFactory,
    demo_definition,
    published_version,
)

CHANNELS = [c.value for c in Channel]
TODAY = dt.date(2026, 3, 18)  # a Wednesday: "this quarter" and "last 4 weeks" cut weeks


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), tzinfo=tz)


def _ratings(rng: random.Random) -> dict[str, RatingInput]:
    """Random ratings of the demo framework: a fatal failure now and then, N/A greetings."""
    greeting_na = rng.random() < 0.25
    return {
        "verify-identity": RatingInput(value=Decimal(0 if rng.random() < 0.2 else 1)),
        "greeting": RatingInput(
            value=None if greeting_na else Decimal(rng.randint(1, 3)), na=greeting_na
        ),
        "empathy": RatingInput(value=Decimal(rng.randint(1, 5))),
        "contact-reason": RatingInput(value=Decimal(rng.randint(1, 3))),
    }


def _graded(
    rng: random.Random,
    *,
    agent: User,
    team: Team,
    version: FrameworkVersion,
    reviewer: User,
    day: dt.date,
    submit: bool = True,
    purpose: str = ReviewPurpose.QUALITY,
) -> Review:
    interaction = InteractionFactory(
        agent=agent, team=team, channel=rng.choice(CHANNELS), started_at=_moment(day, rng)
    )
    review = ReviewFactory(
        interaction=interaction, reviewer=reviewer, framework_version=version, purpose=purpose
    )
    rate(review=review, by=reviewer, ratings=_ratings(rng))
    if submit:
        submit_review(review=review, by=reviewer)
    review.refresh_from_db()
    return review


@pytest.fixture
def world(org: Org, reviewer: User, qa_manager: User) -> dict[str, Any]:
    """Three agents (one moves from Billing to Tech halfway, one in another department), two
    versions of one framework and a second framework."""
    v1 = published_version(demo_definition())
    v2 = published_version(demo_definition(), framework=v1.framework, number=2)
    other = published_version(demo_definition(), framework=FrameworkFactory(name="Sales standard"))
    moved_on = TODAY - dt.timedelta(days=40)
    mover = UserFactory(full_name="Mo Mover")
    MembershipFactory(
        user=mover,
        team=org.team,
        start=TODAY - dt.timedelta(days=200),
        end=moved_on - dt.timedelta(days=1),
    )
    MembershipFactory(user=mover, team=org.sibling_team, start=moved_on)
    stayer = UserFactory(full_name="Sam Stayer")
    MembershipFactory(user=stayer, team=org.sibling_team, start=TODAY - dt.timedelta(days=200))
    seller = UserFactory(full_name="Sue Seller")
    MembershipFactory(user=seller, team=org.other_team, start=TODAY - dt.timedelta(days=200))
    return {
        "org": org,
        "versions": (v1, v2, other),
        "agents": (mover, stayer, seller),
        "reviewer": reviewer,
        "qa_manager": qa_manager,
        "moved_on": moved_on,
    }


def _random_reviews(world: dict[str, Any], rng: random.Random, count: int) -> list[Review]:
    org: Org = world["org"]
    mover, stayer, seller = world["agents"]
    v1, v2, other = world["versions"]
    reviews = []
    for _ in range(count):
        day = TODAY - dt.timedelta(days=rng.randrange(120))
        agent = rng.choice([mover, stayer, seller])
        if agent is mover:
            team = org.team if day < world["moved_on"] else org.sibling_team  # team of the day
        else:
            team = org.sibling_team if agent is stayer else org.other_team
        version = other if agent is seller and rng.random() < 0.7 else rng.choice([v1, v2])
        roll = rng.random()
        reviews.append(
            _graded(
                rng,
                agent=agent,
                team=team,
                version=version,
                reviewer=world["reviewer"],
                day=day,
                submit=roll > 0.1,  # some drafts, which never count
                purpose=ReviewPurpose.CALIBRATION if 0.1 < roll < 0.15 else ReviewPurpose.QUALITY,
            )
        )
    # Corrections after submit: a rating changed, sometimes to a fatal failure or to N/A.
    submitted = [r for r in reviews if r.status == "submitted"]
    for review in rng.sample(submitted, k=min(6, len(submitted))):
        rate(review=review, by=world["qa_manager"], ratings=dict(list(_ratings(rng).items())[:2]))
    return reviews


def _import(world: dict[str, Any], rng: random.Random, count: int) -> None:
    """Historical reviews through `import_reviews` (framework 1, versions 1 and 2)."""
    mover = world["agents"][0]
    records = []
    for n in range(count):
        day = TODAY - dt.timedelta(days=rng.randrange(60, 120))
        interaction = InteractionFactory(
            agent=mover,
            team=world["org"].team,
            source="oldtool",
            source_id=f"OLD-{n}",
            channel=rng.choice(CHANNELS),
            started_at=_moment(day, rng),
        )
        ratings = {k: ("N/A" if r.na else str(r.value)) for k, r in _ratings(rng).items()}
        records.append(
            {
                "external_id": f"X-{n}",
                "framework": "Support standard",
                "version": rng.choice([1, 2]),
                "interaction_source": "oldtool",
                "interaction_source_id": interaction.source_id,
                "reviewer_email": world["reviewer"].email,
                "ratings": ratings,
                "submitted_at": (interaction.started_at + dt.timedelta(hours=3)).isoformat(),
            }
        )
    result = import_reviews(records=records, by=world["qa_manager"])
    assert result.created == count, result.errors


def _same(rolled: overview.Overview, live: overview.Overview) -> None:
    """Identical on PostgreSQL (exact decimal sums); on SQLite the database sums in floating
    point, so the last digits may differ there."""
    if connection.vendor == "postgresql":
        assert rolled == live
        return
    assert [(r.key, r.n, r.pass_n, r.passed) for r in rolled.agents] == [
        (r.key, r.n, r.pass_n, r.passed) for r in live.agents
    ]
    for name in ("overall", "teams", "agents", "weeks", "criteria"):
        a, b = getattr(rolled, name), getattr(live, name)
        pairs = zip(a, b, strict=True) if isinstance(a, tuple) else [(a, b)]
        for x, y in pairs:
            assert (x.key, x.n, x.too_few) == (y.key, y.n, y.too_few)
            for field in ("mean", "low", "high"):
                expected = getattr(y, field)
                if expected is None:
                    assert getattr(x, field) is None
                else:
                    assert getattr(x, field) == pytest.approx(expected, rel=1e-9, abs=1e-9)
            assert x.score.value_text == y.score.value_text
            assert x.score.interval_text == y.score.interval_text
            if hasattr(x, "na"):
                assert x.na == y.na


def _periods(rng: random.Random) -> list[overview.Period]:
    periods = [overview.period_for(key, TODAY) for key, _ in overview.PERIOD_CHOICES[:4]]
    for _ in range(4):  # random custom ranges, most of them cutting weeks
        start = TODAY - dt.timedelta(days=rng.randrange(130))
        end = min(TODAY, start + dt.timedelta(days=rng.randrange(60)))
        periods.append(overview.period_for("custom", TODAY, start, end))
    monday = TODAY - dt.timedelta(days=TODAY.weekday() + 21)
    periods.append(overview.period_for("custom", TODAY, monday, monday + dt.timedelta(days=13)))
    periods.append(overview.period_for("custom", TODAY, TODAY - dt.timedelta(days=1), TODAY))
    return periods


@pytest.mark.parametrize("seed", [4, 11])
def test_the_overview_from_the_rollups_equals_the_overview_from_the_reviews(
    world: dict[str, Any], seed: int
) -> None:
    rng = random.Random(seed)
    _random_reviews(world, rng, 40)
    _import(world, rng, 5)
    org: Org = world["org"]
    v1, v2, other = world["versions"]
    qa_manager = world["qa_manager"]
    narrowing: list[dict[str, Any]] = [
        {},
        {"team_path": org.support.path},
        {"team_path": org.team.path},
        {"framework_id": v1.framework_id},
        {"version_id": v2.pk},
        {"version_id": other.pk, "channel": "chat"},
        {"channel": "call"},
    ]
    compared = 0
    for period in _periods(rng):
        for kw in narrowing:
            filters = overview.Filters(period=period, **kw)
            rolled = overview.build_overview(qa_manager, filters, live=False)
            live = overview.build_overview(qa_manager, filters, live=True)
            _same(rolled, live)
            compared += rolled.overall.n
    assert compared > 100  # the comparisons were not all of empty selections


def test_the_rolled_up_figures_equal_a_computation_by_hand_from_the_reviews(
    world: dict[str, Any],
) -> None:
    rng = random.Random(7)
    _random_reviews(world, rng, 30)
    period = overview.period_for("custom", TODAY, TODAY - dt.timedelta(days=75), TODAY)
    start, end = period.bounds()
    counting = list(
        Review.objects.counting().filter(
            interaction_started_at__gte=start, interaction_started_at__lt=end
        )
    )
    finals = [float(r.final_score) for r in counting if r.final_score is not None]
    empathy = [
        float(r.normalised)
        for r in ReviewRating.objects.filter(review__in=counting, criterion_key="empathy")
    ]
    greeting_na = ReviewRating.objects.filter(
        review__in=counting, criterion_key="greeting", na=True
    ).count()

    shown = overview.build_overview(world["qa_manager"], overview.Filters(period=period))

    assert overview.uses_rollups(overview.Filters(period=period))
    assert shown.overall.n == len(finals) and len(finals) > 10
    assert shown.overall.mean == pytest.approx(sum(finals) / len(finals), rel=1e-12)
    assert any(r.fatal_failed for r in counting)  # fatal failures are among them
    criteria = {(c.framework, c.key): c for c in shown.criteria}
    both = [c for (_, key), c in criteria.items() if key == "empathy"]
    assert sum(c.n for c in both) == len(empathy)
    # Per-criterion averages ignore the fatal override: the normalised scores, not the finals.
    assert sum(c.mean * c.n for c in both if c.mean is not None) == pytest.approx(sum(empathy))
    assert sum(c.na for (_, key), c in criteria.items() if key == "greeting") == greeting_na


def _rows() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    quality = set(
        QualityRollup.objects.values_list(
            "span", "start", "week", "team_id", "agent_id", "framework_version_id", "channel",
            "reviews", "n", "total", "squares", "passed", "pass_n", "fatal",
        )
    )  # fmt: skip
    criteria = set(
        CriterionRollup.objects.values_list(
            "span", "start", "week", "team_id", "framework_version_id", "channel",
            "criterion_key", "ratings", "n", "total", "squares", "na",
        )
    )  # fmt: skip
    return quality, criteria


def _normalised(rows: set[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    """Decimal sums compared by value (SQLite hands back floats turned into decimals)."""
    return {
        tuple(round(Decimal(str(v)), 6) if isinstance(v, Decimal | float) else v for v in row)
        for row in rows
    }


def test_rebuild_quality_rollups_gives_the_rows_the_services_kept_and_is_idempotent(
    world: dict[str, Any],
) -> None:
    rng = random.Random(5)
    _random_reviews(world, rng, 25)
    _import(world, rng, 3)
    kept = _rows()
    assert kept[0] and kept[1]

    out = StringIO()
    call_command("rebuild_quality_rollups", stdout=out)
    rebuilt = _rows()
    call_command("rebuild_quality_rollups", stdout=StringIO())

    assert "Quality rollups rebuilt" in out.getvalue()
    assert _normalised(rebuilt[0]) == _normalised(kept[0])
    assert _normalised(rebuilt[1]) == _normalised(kept[1])
    assert _normalised(_rows()[0]) == _normalised(rebuilt[0])
    assert _normalised(_rows()[1]) == _normalised(rebuilt[1])


def test_rebuild_fills_the_rollups_of_reviews_written_without_the_services(
    world: dict[str, Any],
) -> None:
    rng = random.Random(9)
    _random_reviews(world, rng, 8)
    QualityRollup.objects.all().delete()
    CriterionRollup.objects.all().delete()
    period = overview.period_for("custom", TODAY, TODAY - dt.timedelta(days=130), TODAY)
    filters = overview.Filters(period=period)
    live = overview.build_overview(world["qa_manager"], filters, live=True)
    assert overview.build_overview(world["qa_manager"], filters).overall.n == 0

    call_command("rebuild_quality_rollups", stdout=StringIO())

    _same(overview.build_overview(world["qa_manager"], filters), live)
    assert live.overall.n > 0


def test_a_rating_corrected_after_submit_moves_the_sums_by_the_change(
    world: dict[str, Any],
) -> None:
    mover = world["agents"][0]
    v1 = world["versions"][0]
    review = _graded(
        random.Random(1),
        agent=mover,
        team=world["org"].team,
        version=v1,
        reviewer=world["reviewer"],
        day=TODAY - dt.timedelta(days=3),
    )
    review.refresh_from_db()
    day = QualityRollup.objects.get(span=RollupSpan.DAY)
    week = QualityRollup.objects.get(span=RollupSpan.WEEK)
    assert (day.reviews, day.n, Decimal(day.total)) == (1, 1, review.final_score)
    assert week.start == day.start - dt.timedelta(days=day.start.weekday()) == day.week

    rate(
        review=review,
        by=world["qa_manager"],
        ratings={"verify-identity": RatingInput(value=Decimal(0))},  # now a fatal failure
    )

    review.refresh_from_db()
    assert review.final_score == 0 and review.fatal_failed
    for row in QualityRollup.objects.all():
        assert (row.reviews, row.n, Decimal(row.total), row.fatal) == (1, 1, Decimal(0), 1)
        assert (row.passed, row.pass_n) == (0, 1)
    identity = CriterionRollup.objects.filter(criterion_key="verify-identity")
    assert {(r.ratings, r.n, Decimal(r.total)) for r in identity} == {(1, 1, Decimal(0))}
    # The empathy criterion keeps its score: criterion averages ignore the fatal override.
    empathy = CriterionRollup.objects.filter(criterion_key="empathy", span=RollupSpan.DAY).get()
    assert Decimal(empathy.total) == ReviewRating.objects.get(criterion_key="empathy").normalised


def test_drafts_and_calibration_reviews_add_nothing_to_the_rollups(
    world: dict[str, Any],
) -> None:
    rng = random.Random(3)
    kw = {"agent": world["agents"][1], "team": world["org"].sibling_team}
    kw |= {"version": world["versions"][0], "reviewer": world["reviewer"], "day": TODAY}
    _graded(rng, submit=False, **kw)
    _graded(rng, purpose=ReviewPurpose.CALIBRATION, **kw)

    assert not QualityRollup.objects.exists()
    assert not CriterionRollup.objects.exists()


def test_a_review_that_stops_counting_leaves_no_empty_rows(world: dict[str, Any]) -> None:
    review = _graded(
        random.Random(2),
        agent=world["agents"][1],
        team=world["org"].sibling_team,
        version=world["versions"][0],
        reviewer=world["reviewer"],
        day=TODAY,
    )
    review.refresh_from_db()
    counted = rollups.contribution_of(review)
    assert counted is not None and QualityRollup.objects.count() == 2

    rollups.record_change(counted, None)

    assert not QualityRollup.objects.exists()
    assert not CriterionRollup.objects.exists()


def test_submitting_writes_the_rollups_in_two_queries_and_a_draft_save_in_none(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    rng = random.Random(6)
    review = _graded(
        rng,
        agent=world["agents"][1],
        team=world["org"].sibling_team,
        version=world["versions"][0],
        reviewer=world["reviewer"],
        day=TODAY,
        submit=False,
    )
    review.refresh_from_db()
    stored = ReviewRating.objects.get(review=review, criterion_key="empathy").value
    changed = {"empathy": RatingInput(value=Decimal(5 if stored != 5 else 4))}
    with django_assert_max_num_queries(30) as draft:
        rate(review=review, by=world["reviewer"], ratings=changed)
    assert not [q for q in draft.captured_queries if "rollup" in q["sql"]]
    with django_assert_max_num_queries(30) as submit:
        submit_review(review=review, by=world["reviewer"])
    assert len([q for q in submit.captured_queries if "rollup" in q["sql"]]) == 2


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Wednesday to Wednesday: days, two whole weeks, days.
        (
            dt.date(2026, 3, 4),
            dt.date(2026, 3, 25),
            [
                ("w", dt.date(2026, 3, 9), dt.date(2026, 3, 16)),
                ("d", dt.date(2026, 3, 4), dt.date(2026, 3, 8)),
                ("d", dt.date(2026, 3, 23), dt.date(2026, 3, 25)),
            ],
        ),
        # Monday to Sunday: weeks only.
        (
            dt.date(2026, 3, 2),
            dt.date(2026, 3, 15),
            [("w", dt.date(2026, 3, 2), dt.date(2026, 3, 9))],
        ),
        # Inside one week: days only.
        (
            dt.date(2026, 3, 3),
            dt.date(2026, 3, 7),
            [("d", dt.date(2026, 3, 3), dt.date(2026, 3, 7))],
        ),
        # Sunday to the Monday eight days later: a day, a week, a day.
        (
            dt.date(2026, 3, 1),
            dt.date(2026, 3, 9),
            [
                ("w", dt.date(2026, 3, 2), dt.date(2026, 3, 2)),
                ("d", dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
                ("d", dt.date(2026, 3, 9), dt.date(2026, 3, 9)),
            ],
        ),
    ],
)
def test_a_period_is_read_as_whole_weeks_and_its_edge_days(
    start: dt.date, end: dt.date, expected: list[tuple[str, dt.date, dt.date]]
) -> None:
    period = overview.period_for("custom", end, start, end)

    assert overview.rollup_ranges(period) == expected


def test_one_agents_overview_and_another_time_zone_are_read_from_the_reviews(
    world: dict[str, Any],
) -> None:
    rng = random.Random(8)
    _random_reviews(world, rng, 12)
    period = overview.period_for("custom", TODAY, TODAY - dt.timedelta(days=130), TODAY)
    agent = world["agents"][0]

    assert not overview.uses_rollups(overview.Filters(period=period, agent_id=agent.pk))
    with timezone.override("Pacific/Auckland"):
        assert not overview.uses_rollups(overview.Filters(period=period))
    assert overview.uses_rollups(overview.Filters(period=period))
    one = overview.build_overview(
        world["qa_manager"], overview.Filters(period=period, agent_id=agent.pk)
    )
    assert [a.key for a in one.agents] == [agent.pk]


def _seed(scale: str) -> str:
    out = StringIO()
    call_command("seed_demo", scale=scale, stdout=out)
    return out.getvalue()


def test_the_small_demo_seed_fills_the_rollups_through_the_review_services(db: None) -> None:
    output = _seed("small")

    counting = Review.objects.counting().count()
    assert counting > 0
    day_rows = QualityRollup.objects.filter(span=RollupSpan.DAY)
    assert sum(day_rows.values_list("reviews", flat=True)) == counting
    assert "Quality rollups: rebuilt" not in output  # kept by the services, nothing to rebuild
    kept = _rows()
    call_command("rebuild_quality_rollups", stdout=StringIO())
    assert _normalised(_rows()[0]) == _normalised(kept[0])
    assert _normalised(_rows()[1]) == _normalised(kept[1])


def test_a_tiny_large_demo_seed_fills_the_rollups_of_its_bulk_reviews(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa_platform.people import demo as people_demo
    from scorecards import demo

    shape = people_demo.LargeShape(
        departments=1, teams_per_department=2, agents=6, teams_per_reviewer=2
    )
    monkeypatch.setattr(people_demo, "LARGE_SHAPE", shape)
    monkeypatch.setattr(demo, "INTERACTIONS_PER_AGENT", 50)
    monkeypatch.setattr(demo, "LARGE_BATCH", 70)
    monkeypatch.setattr(demo, "PATTERNS_PER_SKILL", 5)

    output = _seed("large")

    assert "Quality rollups: rebuilt" in output
    counting = Review.objects.counting().count()
    day_rows = QualityRollup.objects.filter(span=RollupSpan.DAY)
    assert sum(day_rows.values_list("reviews", flat=True)) == counting
    assert CriterionRollup.objects.filter(framework_version__framework__name__contains="extended")
    qa = User.objects.get(email="qa@demo.test")
    period = overview.period_for("custom", timezone.localdate(), TODAY, timezone.localdate())
    filters = overview.Filters(period=period)
    _same(overview.build_overview(qa, filters), overview.build_overview(qa, filters, live=True))


# Transactional: the threads need to see each other's commits. serialized_rollback restores what
# the migrations created (Wagtail's root page and site) for later tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reviews_submitted_at_once_into_one_cell_are_all_counted_once(
    org: Org, reviewer: User, agent: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises every write transaction, so two submissions cannot overlap; "
            "this race is only meaningful on PostgreSQL (run with DATABASE_URL=postgres://...)."
        )
    version = published_version()
    when = timezone.now() - dt.timedelta(days=1)
    drafts = []
    for _ in range(3):
        interaction = InteractionFactory(agent=agent, team=org.team, started_at=when)
        review = ReviewFactory(
            interaction=interaction, reviewer=reviewer, framework_version=version
        )
        rate(review=review, by=reviewer, ratings=_ratings(random.Random(1)))
        drafts.append(review)
    # Four submissions at once: three reviews of one cell, the first of them twice.
    targets = [*drafts, drafts[0]]
    barrier = threading.Barrier(len(targets))
    results: list[Any] = []

    def submit(pk: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(submit_review(review=Review.objects.get(pk=pk), by=reviewer))
        except Exception as exc:  # reported below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(r.pk,)) for r in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert all(isinstance(r, Review) for r in results), results
    finals = sorted(Review.objects.counting().values_list("final_score", flat=True))
    for span in (RollupSpan.DAY, RollupSpan.WEEK):
        row = QualityRollup.objects.get(span=span)
        assert (row.reviews, row.n, row.total) == (3, 3, sum(finals))
        empathy = CriterionRollup.objects.get(span=span, criterion_key="empathy")
        assert empathy.ratings == 3
