"""The review services: start, rate (draft and correction), submit, acknowledge.

Scores stored on a review always equal what the pure scoring rules say about its ratings; changes
after submission are audited; submitting twice (even at the same moment) stores one submission.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from qa_platform.audit.models import AuditEvent
from qa_platform.notifications.models import Notification
from qa_platform.people.models import User
from scorecards import scoring
from scorecards.models import FrameworkVersion, Interaction, Review, ReviewStatus
from scorecards.services.reviews import (
    RatingInput,
    ReviewIncomplete,
    acknowledge_review,
    competing_reviews,
    rate,
    ratings_of,
    start_review,
    submit_review,
)
from tests.conftest import Org

from .factories import InteractionFactory, demo_definition, published_version

COMPLETE = {"verify-identity": "1", "greeting": "3", "empathy": "4", "contact-reason": "1"}


@pytest.fixture
def version(db: None) -> FrameworkVersion:
    return published_version()


@pytest.fixture
def interaction(org: Org, agent: User) -> Interaction:
    return InteractionFactory(agent=agent, team=org.team)


def inputs(values: dict[str, str]) -> dict[str, RatingInput]:
    return {
        key: RatingInput(na=True) if value == "na" else RatingInput(value=Decimal(value))
        for key, value in values.items()
    }


def draft(reviewer: User, interaction: Interaction, version: FrameworkVersion) -> Review:
    return start_review(reviewer=reviewer, interaction=interaction, framework_version=version)


def submitted(reviewer: User, interaction: Interaction, version: FrameworkVersion) -> Review:
    review = draft(reviewer, interaction, version)
    rate(review=review, by=reviewer, ratings=inputs(COMPLETE))
    return submit_review(review=review, by=reviewer)


# --- Starting ---------------------------------------------------------------------------------


def test_starting_twice_returns_the_same_draft(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    first = draft(reviewer, interaction, version)
    second = draft(reviewer, interaction, version)

    assert first == second
    assert first.agent == interaction.agent and first.team == interaction.team
    assert first.interaction_started_at == interaction.started_at


def test_nobody_starts_a_review_of_their_own_contact(
    agent: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    with pytest.raises(PermissionDenied):
        draft(agent, interaction, version)

    assert not Review.objects.exists()


# --- Rating -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["weighted", "points"])
@pytest.mark.parametrize(
    "values",
    [
        {"empathy": "3"},
        {"verify-identity": "1", "greeting": "na", "empathy": "5"},
        {"verify-identity": "0", "greeting": "2", "empathy": "5"},
        {"greeting": "na"},
        COMPLETE,
    ],
)
def test_stored_scores_equal_what_the_scoring_rules_say(
    mode: str, values: dict[str, str], reviewer: User, interaction: Interaction
) -> None:
    version = published_version(demo_definition(mode=mode))
    review = draft(reviewer, interaction, version)

    result = rate(review=review, by=reviewer, ratings=inputs(values))

    expected = scoring.score_review(version.defn, ratings_of(review))
    review.refresh_from_db()
    assert result == expected
    assert review.raw_score == expected.raw
    assert review.final_score == expected.final
    assert review.passed == expected.passed
    assert review.fatal_failed == bool(expected.fatal_failures)
    normalised = {c.key: c.normalised for c in expected.criteria}
    for row in review.ratings.all():
        assert row.normalised == normalised[row.criterion_key]


def test_rating_in_several_steps_keeps_the_earlier_ratings(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)

    rate(review=review, by=reviewer, ratings=inputs({"empathy": "2"}))
    rate(review=review, by=reviewer, ratings=inputs({"greeting": "3"}))

    assert {r.criterion_key: r.value for r in review.ratings.all()} == {
        "empathy": Decimal(2),
        "greeting": Decimal(3),
    }
    review.refresh_from_db()
    assert review.raw_score == Decimal("50.0000")  # (25 * 2 + 100 * 1) / 3


def test_nothing_entered_stores_no_empty_rating(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)

    rate(review=review, by=reviewer, ratings={"empathy": RatingInput(), "greeting": RatingInput()})

    assert not review.ratings.exists()


def test_clearing_a_draft_rating_leaves_it_unrated(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    rate(review=review, by=reviewer, ratings=inputs({"empathy": "2", "greeting": "3"}))

    rate(review=review, by=reviewer, ratings={"empathy": RatingInput()})

    empathy = review.ratings.get(criterion_key="empathy")
    assert empathy.value is None and empathy.normalised is None
    review.refresh_from_db()
    assert review.raw_score == Decimal(100)


def test_changing_only_the_evidence_is_saved(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    rate(review=review, by=reviewer, ratings=inputs({"empathy": "4"}))
    evidence = [{"kind": "time", "seconds": 12.5}]

    rate(
        review=review,
        by=reviewer,
        ratings={"empathy": RatingInput(value=Decimal(4), evidence=evidence)},
    )

    assert review.ratings.get(criterion_key="empathy").evidence == evidence


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ({"empathy": RatingInput(value=Decimal(7))}, "7 is not one of the options"),
        ({"empathy": RatingInput(na=True)}, "cannot be marked N/A"),
        ({"greeting": RatingInput(value=Decimal(1), na=True)}, "not both"),
        ({"no-such-key": RatingInput(value=Decimal(1))}, "There is no criterion 'no-such-key'"),
    ],
)
def test_invalid_ratings_are_refused_and_nothing_is_saved(
    ratings: dict[str, RatingInput],
    message: str,
    reviewer: User,
    interaction: Interaction,
    version: FrameworkVersion,
) -> None:
    review = draft(reviewer, interaction, version)
    good = {"greeting": RatingInput(value=Decimal(3))} if "greeting" not in ratings else {}

    with pytest.raises(ReviewIncomplete) as refused:
        rate(review=review, by=reviewer, ratings={**good, **ratings})

    assert message in str(refused.value)
    assert not review.ratings.exists()
    review.refresh_from_db()
    assert review.raw_score is None


def test_draft_changes_are_not_audited(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)

    rate(review=review, by=reviewer, ratings=inputs({"empathy": "2"}))
    rate(review=review, by=reviewer, ratings=inputs({"empathy": "4"}))

    assert not AuditEvent.objects.filter(action="review.rating_changed").exists()


def test_a_correction_after_submission_is_audited_with_before_and_after(
    reviewer: User, qa_manager: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = submitted(reviewer, interaction, version)

    rate(
        review=review,
        by=qa_manager,
        ratings={
            **inputs(COMPLETE),
            "empathy": RatingInput(value=Decimal(2), root_cause="Behaviour", comment="Curt."),
        },
    )

    event = AuditEvent.objects.get(action="review.rating_changed")
    assert event.actor == qa_manager
    assert event.object_id == str(review.pk)
    assert event.before == {
        "criterion": "empathy",
        "value": "4",
        "na": False,
        "root_cause": "",
        "comment": "",
        "evidence": [],
        "raw": "87.5000",
        "final": "87.5000",
    }
    assert event.after == {
        "criterion": "empathy",
        "value": "2",
        "na": False,
        "root_cause": "Behaviour",
        "comment": "Curt.",
        "evidence": [],
        "raw": "62.5000",
        "final": "62.5000",
    }
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.final_score == Decimal("62.5") and review.passed is False


def test_an_unchanged_correction_writes_no_audit_event(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = submitted(reviewer, interaction, version)

    rate(review=review, by=reviewer, ratings=inputs(COMPLETE))

    assert not AuditEvent.objects.filter(action="review.rating_changed").exists()


def test_a_correction_may_not_leave_a_criterion_unrated(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = submitted(reviewer, interaction, version)

    with pytest.raises(ReviewIncomplete) as refused:
        rate(review=review, by=reviewer, ratings={"empathy": RatingInput()})

    assert "'Shows empathy' must keep a rating" in str(refused.value)
    assert review.ratings.get(criterion_key="empathy").value == Decimal(4)
    assert not AuditEvent.objects.filter(action="review.rating_changed").exists()


def test_answers_keep_only_the_frameworks_questions(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)

    rate(
        review=review,
        by=reviewer,
        ratings={},
        answers={"contact-reason": "Billing", "made-up": "x"},
    )

    review.refresh_from_db()
    assert review.answers == {"contact-reason": "Billing"}


# --- Submitting -------------------------------------------------------------------------------


def test_an_incomplete_review_is_refused_naming_each_missing_criterion(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    rate(review=review, by=reviewer, ratings=inputs({"empathy": "3"}))

    with pytest.raises(ReviewIncomplete) as refused:
        submit_review(review=review, by=reviewer)

    assert [p.where for p in refused.value.problems] == ["verify-identity", "greeting"]
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT and review.submitted_at is None
    assert not Notification.objects.exists()


def test_submitting_stores_the_scores_audits_and_tells_the_agent(
    reviewer: User, agent: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = submitted(reviewer, interaction, version)

    expected = scoring.score_review(version.defn, ratings_of(review))
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_at is not None
    assert (review.raw_score, review.final_score, review.passed) == (
        expected.raw,
        expected.final,
        expected.passed,
    )
    event = AuditEvent.objects.get(action="review.submitted")
    assert event.after["final"] == "87.5000" and event.after["ratings"]["empathy"] == "4"
    assert Notification.objects.get().recipient == agent


def test_submitting_twice_stores_one_submission(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = submitted(reviewer, interaction, version)
    first_time = Review.objects.get(pk=review.pk).submitted_at

    again = submit_review(review=review, by=reviewer)

    assert again.submitted_at == first_time
    assert AuditEvent.objects.filter(action="review.submitted").count() == 1
    assert Notification.objects.count() == 1


def test_competing_reviews_are_other_peoples_reviews_of_the_same_interaction(
    reviewer: User,
    lead: User,
    qa_manager: User,
    interaction: Interaction,
    version: FrameworkVersion,
) -> None:
    mine = draft(reviewer, interaction, version)
    theirs = submitted(lead, interaction, version)
    InteractionFactory(agent=interaction.agent, team=interaction.team)  # another contact

    assert competing_reviews(mine) == [theirs]
    assert competing_reviews(theirs) == [mine]


# Transactional tests flush the database when they end; serialized_rollback restores what the
# migrations created (Wagtail's root page and site), which later tests need.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_review_submitted_twice_at_once_stores_one_submission(
    org: Org, reviewer: User, agent: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises every write transaction, so two submissions cannot overlap; "
            "this race is only meaningful on PostgreSQL (run with DATABASE_URL=postgres://...)."
        )
    version = published_version()
    interaction = InteractionFactory(agent=agent, team=org.team)
    review = draft(reviewer, interaction, version)
    rate(review=review, by=reviewer, ratings=inputs(COMPLETE))
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(submit_review(review=Review.objects.get(pk=review.pk), by=reviewer))
        except Exception as exc:  # reported below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert all(isinstance(r, Review) for r in results), results
    assert len(results) == 2
    assert {r.submitted_at for r in results} == {Review.objects.get(pk=review.pk).submitted_at}
    assert AuditEvent.objects.filter(action="review.submitted").count() == 1
    assert Notification.objects.filter(kind="review.published").count() == 1


# Transactional tests flush the database when they end; serialized_rollback restores what the
# migrations created (Wagtail's root page and site), which later tests need.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_starting_twice_at_once_makes_one_draft(org: Org, reviewer: User, agent: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises every write transaction, so two starts cannot overlap; "
            "this race is only meaningful on PostgreSQL (run with DATABASE_URL=postgres://...)."
        )
    version = published_version()
    interaction = InteractionFactory(agent=agent, team=org.team)
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def start() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(draft(reviewer, interaction, version))
        except Exception as exc:  # reported below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert all(isinstance(r, Review) for r in results), results
    assert Review.objects.filter(interaction=interaction).count() == 1


# --- Acknowledging ----------------------------------------------------------------------------


def test_only_the_reviewed_agent_acknowledges_and_the_first_time_counts(
    reviewer: User, agent: User, lead: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = submitted(reviewer, interaction, version)

    for someone in (reviewer, lead):
        with pytest.raises(PermissionDenied):
            acknowledge_review(review=review, by=someone)
    first = acknowledge_review(review=review, by=agent)
    again = acknowledge_review(review=review, by=agent)

    assert first.acknowledged_at is not None
    assert again.acknowledged_at == first.acknowledged_at
    assert AuditEvent.objects.filter(action="review.acknowledged").count() == 1


def test_a_draft_cannot_be_acknowledged(
    reviewer: User, agent: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)

    with pytest.raises(PermissionDenied):
        acknowledge_review(review=review, by=agent)

    review.refresh_from_db()
    assert review.acknowledged_at is None
