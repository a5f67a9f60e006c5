"""Every write to a review: start, rate (draft or correction), submit, acknowledge.

Scores are always recomputed from the stored ratings by the pure rules in scorecards.scoring, so a
review's raw and final score can never disagree with its ratings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, TextField
from django.db.models.functions import Cast, JSONObject
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from qa_platform.audit.services import record
from qa_platform.notifications.services import notify
from scorecards import scoring
from scorecards.framework_def import Problem
from scorecards.models import (
    FrameworkVersion,
    Interaction,
    Review,
    ReviewPurpose,
    ReviewRating,
    ReviewStatus,
)
from scorecards.services import rollups

SCORE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class RatingInput:
    """What a reviewer entered for one criterion. `value=None, na=False` clears the rating."""

    value: Decimal | None = None
    na: bool = False
    root_cause: str = ""
    comment: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)


class ReviewIncomplete(Exception):
    """Submitting was refused; `problems` name the criteria to fix."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _quantise(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(SCORE_PLACES)


def ratings_of(review: Review) -> dict[str, scoring.Rating]:
    """The stored ratings as the pure scoring input (uses a prefetched `ratings` if present)."""
    return {
        r.criterion_key: scoring.Rating(key=r.criterion_key, value=r.value, na=r.na)
        for r in review.ratings.all()
    }


def score_of(review: Review) -> scoring.ReviewScore:
    return scoring.score_review(review.framework_version.defn, ratings_of(review))


def competing_reviews(review: Review) -> list[Review]:
    """Other people's reviews of the same interaction for the same purpose (a reviewer is warned
    before submitting a competing one)."""
    return list(
        Review.objects.filter(interaction_id=review.interaction_id, purpose=review.purpose)
        .exclude(pk=review.pk)
        .select_related("reviewer")
        .order_by("pk")
    )


@transaction.atomic
def start_review(
    *,
    reviewer: Any,
    interaction: Interaction,
    framework_version: FrameworkVersion,
    purpose: str = ReviewPurpose.QUALITY,
) -> Review:
    """The reviewer's open draft of this interaction for this purpose, or a new one."""
    if interaction.agent_id == reviewer.pk:
        raise PermissionDenied("Nobody reviews their own contact.")
    # Lock the interaction so two starts at once (a double click) cannot both create a draft.
    Interaction.objects.select_for_update().filter(pk=interaction.pk).first()
    existing = (
        Review.objects.select_for_update()
        .filter(
            interaction=interaction,
            reviewer=reviewer,
            purpose=purpose,
            status=ReviewStatus.DRAFT,
        )
        .first()
    )
    if existing is not None:
        return existing
    return Review.objects.create(
        interaction=interaction,
        framework_version=framework_version,
        reviewer=reviewer,
        agent_id=interaction.agent_id,
        team_id=interaction.team_id,
        interaction_started_at=interaction.started_at,
        channel=interaction.channel,
        purpose=purpose,
    )


def _plain(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _snapshot(rating: ReviewRating | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {
        # Normalised, so a stored 4.000 and an entered 4 compare (and read) as the same value.
        "value": None if rating.value is None else _plain(rating.value),
        "na": rating.na,
        "root_cause": rating.root_cause,
        "comment": rating.comment,
        "evidence": rating.evidence,
    }


def _apply_scores(review: Review, result: scoring.ReviewScore) -> None:
    review.raw_score = _quantise(result.raw)
    review.final_score = _quantise(result.final)
    review.passed = result.passed
    review.fatal_failed = bool(result.fatal_failures)


def lock_review(queryset: QuerySet[Review], **lookup: Any) -> Review:
    """The review `lookup` finds in `queryset`, locked for the rest of the transaction that is
    open now (only the review's row: joined rows such as the framework version stay free), with
    its stored ratings read alongside where the database can (PostgreSQL: one query). Pass the
    result to `rate(locked=True)` inside the same transaction. DoesNotExist as `get()`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_review() must run inside transaction.atomic().")
    queryset = queryset.select_for_update(of=("self",))
    if connection.vendor != "postgresql":
        return queryset.get(**lookup)
    rows = (
        ReviewRating.objects.filter(review=OuterRef("pk"))
        .order_by("pk")
        .values(
            row=JSONObject(
                id="id",
                key="criterion_key",
                # As text, so the decimals come back exact (JSON numbers would be floats).
                value=Cast("value", TextField()),
                na="na",
                normalised=Cast("normalised", TextField()),
                root_cause="root_cause",
                comment="comment",
                evidence="evidence",
            )
        )
    )
    review = queryset.annotate(_stored_ratings=ArraySubquery(rows)).get(**lookup)
    stored = [
        ReviewRating(
            id=row["id"],
            review_id=review.pk,
            criterion_key=row["key"],
            value=None if row["value"] is None else Decimal(row["value"]),
            na=row["na"],
            normalised=None if row["normalised"] is None else Decimal(row["normalised"]),
            root_cause=row["root_cause"],
            comment=row["comment"],
            evidence=row["evidence"],
        )
        for row in review.__dict__.pop("_stored_ratings")
    ]
    for rating in stored:
        rating._state.adding = False
        rating._state.db = review._state.db
        Review.ratings.field.set_cached_value(rating, review)  # type: ignore[attr-defined]
    review._prefetched_objects_cache = {"ratings": _prefetched(review, stored)}  # type: ignore[attr-defined]
    return review


def _prefetched(review: Review, rows: list[ReviewRating]) -> QuerySet[ReviewRating]:
    """A ratings queryset already holding `rows`, as prefetch_related leaves one."""
    queryset = review.ratings.all()
    queryset._result_cache = rows  # type: ignore[attr-defined]
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    return queryset


def rate(
    *,
    review: Review,
    by: Any,
    ratings: Mapping[str, RatingInput],
    comment: str | None = None,
    answers: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
    locked: bool = False,
) -> scoring.ReviewScore:
    """Store ratings (a draft save, or a correction of a submitted review) and rescore.

    Unknown criterion keys, values outside a criterion's options and N/A where it is not allowed
    are refused with `ReviewIncomplete`; nothing is saved then. So is a correction that would
    leave a submitted review with a criterion unrated. Criteria not in `ratings` keep what they
    have; an empty `RatingInput` clears a rating (and stores no row where there was none).
    Changing a submitted review writes one audit event per changed criterion with before and
    after.

    `locked=True`: `review` came from `lock_review()` in the transaction open now, so it is
    fresh and locked already and is not read again (the grading workspace's rate POST).
    """
    if locked:
        # The caller's transaction is the all-or-nothing unit (and no savepoint is needed).
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("rate(locked=True) needs the caller's transaction.")
        return _rate_locked(
            review=review, by=by, ratings=ratings, comment=comment, answers=answers, request=request
        )
    with transaction.atomic():
        given = review
        review = Review.objects.select_for_update().get(pk=review.pk)
        if Review.framework_version.is_cached(given) and (
            given.framework_version_id == review.framework_version_id
        ):
            # Versions never change: reuse the caller's, whose definition is already parsed.
            review.framework_version = given.framework_version
        return _rate_locked(
            review=review, by=by, ratings=ratings, comment=comment, answers=answers, request=request
        )


def _rate_locked(
    *,
    review: Review,
    by: Any,
    ratings: Mapping[str, RatingInput],
    comment: str | None,
    answers: Mapping[str, str] | None,
    request: HttpRequest | None,
) -> scoring.ReviewScore:
    """`rate()` on a review locked (and read fresh) in the transaction open now."""
    defn = review.framework_version.defn
    problems = scoring.check_ratings(
        defn,
        {k: scoring.Rating(key=k, value=r.value, na=r.na) for k, r in ratings.items()},
    )
    if problems:
        raise ReviewIncomplete(problems)

    existing = {r.criterion_key: r for r in review.ratings.all()}
    # What a submitted review adds to the quality figures now (None for a draft): corrected
    # below by the difference, in this transaction.
    counted_before = rollups.contribution(review, existing.values())
    changed: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]] = []
    dirty: set[str] = set()  # rows to write, each once
    for key, entered in ratings.items():
        row = existing.get(key)
        before = _snapshot(row)
        if row is None:
            if entered == RatingInput():
                continue  # nothing entered and nothing stored: no empty row
            row = ReviewRating(review=review, criterion_key=key)
        row.value = None if entered.na else entered.value
        row.na = entered.na
        row.root_cause = entered.root_cause[:200]
        row.comment = entered.comment
        row.evidence = list(entered.evidence)
        after = _snapshot(row)
        if before != after or row.pk is None:
            existing[key] = row
            dirty.add(key)
            changed.append((key, before, after))

    if comment is not None:
        review.comment = comment
    if answers is not None:
        known = {criterion.key for criterion in defn.criteria}
        review.answers = {k: v for k, v in answers.items() if k in known}

    result = scoring.score_review(
        defn, {k: scoring.Rating(key=k, value=r.value, na=r.na) for k, r in existing.items()}
    )
    if review.is_submitted and result.unrated_required:
        # A correction may change a rating, never take one away: a submitted review stays whole.
        raise ReviewIncomplete(
            [
                Problem(key, f"'{defn.criterion(key).title}' must keep a rating (or N/A).")
                for key in result.unrated_required
            ]
        )
    normalised = {c.key: c.normalised for c in result.criteria}
    for key, row in existing.items():
        value = _quantise(normalised.get(key))
        if row.normalised != value:
            row.normalised = value
            dirty.add(key)
    for key in dirty:
        existing[key].save()
    before_scores = {"raw": str(review.raw_score), "final": str(review.final_score)}
    _apply_scores(review, result)
    review.save()
    rollups.record_change(counted_before, rollups.contribution(review, existing.values()))

    if review.is_submitted:
        for key, before, after in changed:
            record(
                action="review.rating_changed",
                actor=by,
                obj=review,
                before={"criterion": key, **(before or {}), **before_scores},
                after={
                    "criterion": key,
                    **(after or {}),
                    "raw": str(review.raw_score),
                    "final": str(review.final_score),
                },
                request=request,
            )
    return result


@transaction.atomic
def submit_review(*, review: Review, by: Any, request: HttpRequest | None = None) -> Review:
    """Submit a draft: every scoring criterion rated or N/A (where allowed). Submitting a review
    that is already submitted (a double click, two tabs) stores nothing more and returns it."""
    locked = (
        Review.objects.select_for_update()
        .select_related("framework_version")
        .prefetch_related("ratings")
        .get(pk=review.pk)
    )
    if locked.is_submitted:
        return locked
    result = score_of(locked)
    problems = scoring.can_submit(locked.framework_version.defn, ratings_of(locked))
    if problems:
        raise ReviewIncomplete(problems)
    _apply_scores(locked, result)
    locked.status = ReviewStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save()
    rollups.record_change(None, rollups.contribution(locked, locked.ratings.all()))
    record(
        action="review.submitted",
        actor=by,
        obj=locked,
        after={
            "raw": str(locked.raw_score),
            "final": str(locked.final_score),
            "passed": locked.passed,
            "ratings": {
                k: "N/A" if r.na else ("" if r.value is None else _plain(r.value))
                for k, r in ratings_of(locked).items()
            },
        },
        request=request,
    )
    if locked.purpose == ReviewPurpose.QUALITY:
        notify(
            recipient=locked.agent,
            kind="review.published",
            title="A new review of your work is ready",
            body="Open it to read the scores and comments, then acknowledge it.",
            url=_review_url(locked),
        )
    return locked


def _review_url(review: Review) -> str:
    try:
        return reverse("scorecards:review", args=[review.pk])
    except Exception:  # the review page's URL belongs to the reviews views module
        return f"/quality/reviews/{review.pk}/"


@transaction.atomic
def acknowledge_review(*, review: Review, by: Any, request: HttpRequest | None = None) -> Review:
    """The agent confirms they have read the review; the first time counts."""
    if review.agent_id != by.pk:
        raise PermissionDenied("Only the reviewed agent acknowledges a review.")
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if not locked.is_submitted:
        raise PermissionDenied("Only submitted reviews can be acknowledged.")
    if locked.acknowledged_at is None:
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["acknowledged_at", "updated_at"])
        record(action="review.acknowledged", actor=by, obj=locked, request=request)
    return locked
