"""The scorecards demo seeder: a realistic framework, interactions, feedback and scored reviews."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.people import demo as people_demo
from qa_platform.people.models import Membership
from scorecards import demo, scoring
from scorecards import framework_def as fd
from scorecards.models import (
    Channel,
    CustomerFeedback,
    Framework,
    FrameworkVersion,
    Interaction,
    Review,
    ReviewRating,
    ReviewStatus,
    Transcript,
)
from scorecards.services.reviews import ratings_of

pytestmark = pytest.mark.django_db


def seed(scale: str = "small") -> str:
    out = StringIO()
    call_command("seed_demo", scale=scale, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "frameworks": Framework.objects.count(),
        "versions": FrameworkVersion.objects.count(),
        "interactions": Interaction.objects.count(),
        "transcripts": Transcript.objects.count(),
        "feedback": CustomerFeedback.objects.count(),
        "reviews": Review.objects.count(),
        "ratings": ReviewRating.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def assert_scores_follow_the_rules(reviews: list[Review]) -> None:
    for review in reviews:
        result = scoring.score_review(review.framework_version.defn, ratings_of(review))
        assert review.raw_score == result.raw, review.pk
        assert review.final_score == result.final, review.pk
        assert review.passed == result.passed, review.pk
        assert review.fatal_failed == bool(result.fatal_failures), review.pk
        normalised = {c.key: c.normalised for c in result.criteria}
        for rating in review.ratings.all():
            assert rating.normalised == normalised[rating.criterion_key]


def test_the_small_seed_publishes_the_customer_support_standard_as_version_one() -> None:
    output = seed()

    framework = Framework.objects.get(name="Customer Support Standard")
    assert framework.live
    assert framework.latest_revision is not None
    version = framework.versions.get()
    assert version.number == 1
    defn = version.defn
    assert fd.validate(defn) == []
    assert [s.title for s in defn.sections] == [
        "Opening",
        "Understanding",
        "Resolution",
        "Compliance",
    ]
    assert len(defn.scoring_criteria) == 12
    fatal = [c for c in defn.scoring_criteria if c.is_fatal]
    assert [c.title for c in fatal] == ["Verifies identity before discussing the account"]
    assert fatal[0].na_allowed and fatal[0].na_rule
    assert {c.scale for c in defn.scoring_criteria} == {"yes_no", "three", "five"}
    assert all(o.guidance for c in defn.scoring_criteria for o in c.options)
    assert sum(1 for c in defn.scoring_criteria if c.root_causes) >= 5
    questions = [c for c in defn.criteria if not c.scoring]
    assert [q.title for q in questions] == ["Contact reason"]
    assert "Quality (small)" in output


def test_the_small_seed_creates_interactions_with_transcripts_and_feedback() -> None:
    seed()

    interactions = list(Interaction.objects.filter(source=demo.SOURCE).select_related("team"))
    assert len(interactions) == demo.SMALL_INTERACTIONS
    assert Transcript.objects.count() == len(interactions)
    earliest = timezone.now() - dt.timedelta(weeks=demo.WEEKS)
    assert all(earliest <= i.started_at <= timezone.now() for i in interactions)
    assert len({i.agent_id for i in interactions}) >= 15
    assert {i.channel for i in interactions} >= {Channel.CHAT, Channel.CALL, Channel.EMAIL}
    for interaction in interactions:  # attributed to the agent's team of the day
        team_ids = Membership.objects.filter(user=interaction.agent).on(
            interaction.started_at.date()
        )
        assert interaction.team_id in set(team_ids.values_list("team_id", flat=True))

    call = Transcript.objects.filter(interaction__channel=Channel.CALL).first()
    assert call is not None
    assert all(m["offset"] is not None and m["at"] is None for m in call.messages)
    chat = Transcript.objects.filter(interaction__channel=Channel.CHAT).first()
    assert chat is not None
    assert all(m["at"] and m["offset"] is None for m in chat.messages)
    assert {m["speaker"] for m in chat.messages} >= {"agent", "customer"}
    assert not any("{" in m["text"] for t in Transcript.objects.all() for m in t.messages)

    feedback = CustomerFeedback.objects.filter(source=demo.FEEDBACK_SOURCE)
    assert 0.6 * len(interactions) <= feedback.count() < len(interactions)
    assert all(1 <= f.csat <= 5 for f in feedback if f.csat is not None)
    assert feedback.exclude(nps=None).exists()
    assert all(f.team_id == f.interaction.team_id for f in feedback.select_related("interaction"))


def test_the_small_seed_submits_thirty_reviews_scored_by_the_scoring_rules() -> None:
    seed()

    reviews = list(
        Review.objects.select_related("framework_version", "interaction").prefetch_related(
            "ratings"
        )
    )
    assert len(reviews) == demo.SMALL_REVIEWS
    assert all(r.status == ReviewStatus.SUBMITTED for r in reviews)
    assert all(r.reviewer_id != r.agent_id for r in reviews)
    assert all(r.submitted_at and r.submitted_at >= r.interaction.started_at for r in reviews)
    assert all(r.ratings.count() == 12 for r in reviews)
    assert all(r.answers.get("contact-reason") for r in reviews)
    assert_scores_follow_the_rules(reviews)
    finals = [r.final_score for r in reviews]
    assert any(r.passed for r in reviews) and any(r.passed is False for r in reviews)
    assert len(set(finals)) > 10
    assert AuditEvent.objects.filter(action="review.submitted").count() == demo.SMALL_REVIEWS


def test_re_running_the_seed_changes_nothing() -> None:
    seed()
    before = counts()

    seed()

    assert counts() == before


def test_the_small_plan_is_deterministic() -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)

    first = demo.plan_small(random.Random(7), now, 29, demo.STANDARD)
    second = demo.plan_small(random.Random(7), now, 29, demo.STANDARD)

    assert first == second
    assert len(first.reviews) == demo.SMALL_REVIEWS


def test_the_extended_framework_has_fifteen_valid_criteria() -> None:
    assert fd.validate(demo.EXTENDED) == []
    assert len(demo.EXTENDED.scoring_criteria) == 15


def test_a_tiny_large_seed_bulk_loads_scored_reviews_in_batches_and_reruns_cleanly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shape = people_demo.LargeShape(
        departments=1, teams_per_department=2, agents=6, teams_per_reviewer=2
    )
    monkeypatch.setattr(people_demo, "LARGE_SHAPE", shape)
    monkeypatch.setattr(demo, "INTERACTIONS_PER_AGENT", 50)
    monkeypatch.setattr(demo, "LARGE_BATCH", 70)
    monkeypatch.setattr(demo, "PATTERNS_PER_SKILL", 5)

    output = seed("large")

    bench = Interaction.objects.filter(source=demo.LARGE_SOURCE)
    assert bench.count() == 6 * 50
    # Written as raw rows: times read back aware and filter like any other.
    since = timezone.now() - dt.timedelta(weeks=demo.WEEKS, hours=2)
    assert bench.filter(started_at__gte=since, started_at__lte=timezone.now()).count() == 300
    newest = bench.order_by("-started_at").first()
    assert newest is not None and newest.started_at.tzinfo is not None
    assert newest.source_id == "L0000300"  # ids follow time, like a helpdesk's
    assert Interaction.objects.create(
        source="after", source_id="1", channel=Channel.CHAT, agent=newest.agent,
        team=newest.team, started_at=timezone.now(),
    ).pk > newest.pk  # fmt: skip
    reviews = list(
        Review.objects.filter(interaction__source=demo.LARGE_SOURCE)
        .select_related("framework_version")
        .prefetch_related("ratings")
    )
    assert 10 <= len(reviews) <= 60
    assert {r.framework_version.framework.name for r in reviews} == {
        "Customer Support Standard (extended)"
    }
    assert all(r.ratings.count() == 15 for r in reviews)
    assert_scores_follow_the_rules(reviews)
    feedback = CustomerFeedback.objects.filter(source=demo.LARGE_FEEDBACK_SOURCE).count()
    assert 25 <= feedback <= 100
    assert AuditEvent.objects.filter(action="demo.seed_quality").count() == 1
    assert "Quality (large): 300 interactions" in output

    before = counts()
    seed("large")
    assert counts() == before
