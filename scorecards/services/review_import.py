"""Importing historical reviews from another QA tool (the API's `POST /reviews`).

All or nothing: every record is checked first (framework and version, interaction, reviewer,
criterion keys, values, N/A, missing ratings); if any is wrong, nothing is saved and every problem
comes back with its row (counted from 1), field and reason. A valid batch creates submitted
reviews with `source="import"`, scored by our own rules under the named framework version (the
other tool's score is never trusted). Re-posting the same `external_id`s changes nothing: those
records count as unchanged.

The reviews are checked and scored by the same pure rules `services.reviews` uses (`can_submit`,
`score_review`, `_apply_scores`), and written in bulk instead of one `start_review` + `rate` +
`submit_review` per record: those cost about 20 queries each (10,000 records would take minutes).
Each review gets a `review.imported` audit event shaped like `review.submitted`, and the batch one
`reviews.import` summary event. Agents are not notified: these are old reviews.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from qa_platform.audit.models import AuditEvent
from qa_platform.audit.services import client_ip, record
from qa_platform.people.access import _path_q, grants_of
from qa_platform.people.importing import RowError
from qa_platform.people.models import User
from scorecards import scoring
from scorecards.access import QA_ADMIN_ROLES
from scorecards.models import (
    FrameworkVersion,
    Interaction,
    Review,
    ReviewPurpose,
    ReviewRating,
    ReviewSource,
    ReviewStatus,
)
from scorecards.services import rollups
from scorecards.services.reviews import _apply_scores, _quantise

CHUNK = 2_000  # ids per `__in` query (SQLite allows 32,766 parameters)
BULK_BATCH = 500
NA = "N/A"


@dataclass
class ReviewImportResult:
    """What an import did. Nothing was saved when `errors`."""

    created: int = 0
    unchanged: int = 0
    errors: tuple[RowError, ...] = ()
    created_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Record:
    """One record after the checks that need no database."""

    row: int
    external_id: str
    framework: str
    version: int
    interaction_key: tuple[str, str]
    reviewer_email: str
    ratings: dict[str, scoring.Rating]
    comments: dict[str, str]
    comment: str
    submitted_at: dt.datetime


def _chunks[T](items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _text(
    raw: Mapping[str, Any],
    name: str,
    row: int,
    errors: list[RowError],
    *,
    max_length: int,
    required: bool = True,
) -> str:
    value = raw.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # numeric ids from the other tool
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(RowError(row, name, f"Give {name}."))
        return ""
    if not isinstance(value, str):
        errors.append(RowError(row, name, f"{name} must be text."))
        return ""
    if len(value) > max_length:
        errors.append(RowError(row, name, f"{name} is longer than {max_length} characters."))
        return ""
    return value.strip()


def _rating(value: Any) -> scoring.Rating | str:
    """The rating a value stands for, or the reason it cannot be one."""
    if isinstance(value, str) and value.strip().upper() == NA:
        return scoring.Rating(key="", value=None, na=True)
    if isinstance(value, bool) or value is None:
        return f'Give a number or "{NA}", not {value!r}.'
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return f'Give a number or "{NA}", not {value!r}.'
    if not number.is_finite():
        return "Give a finite number."
    return scoring.Rating(key="", value=number)


def _when(value: Any, row: int, errors: list[RowError]) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        when: dt.datetime | None = value
    elif isinstance(value, str):
        try:
            when = parse_datetime(value.strip())
        except ValueError:
            when = None
    else:
        when = None
    if when is None:
        errors.append(
            RowError(row, "submitted_at", "Give the time as ISO 8601, e.g. 2025-03-01T14:05:00Z.")
        )
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    if when > timezone.now() + dt.timedelta(minutes=5):
        errors.append(
            RowError(row, "submitted_at", "The review cannot be submitted in the future.")
        )
        return None
    return when


def _parse(raw: Any, row: int, errors: list[RowError]) -> _Record | None:
    """The checks that need no database; None when the record is unusable."""
    if not isinstance(raw, Mapping):
        errors.append(RowError(row, "", "Each review must be an object."))
        return None
    before = len(errors)
    external_id = _text(raw, "external_id", row, errors, max_length=200)
    framework = _text(raw, "framework", row, errors, max_length=200)
    source = _text(raw, "interaction_source", row, errors, max_length=50)
    source_id = _text(raw, "interaction_source_id", row, errors, max_length=200)
    email = _text(raw, "reviewer_email", row, errors, max_length=254)
    comment = _text(raw, "comment", row, errors, max_length=20_000, required=False)

    version = raw.get("version")
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version.strip())
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 10**6:
        errors.append(RowError(row, "version", "Give the framework's version number (1, 2, …)."))
        version = 0

    ratings: dict[str, scoring.Rating] = {}
    given = raw.get("ratings")
    if not isinstance(given, Mapping) or not given:
        errors.append(RowError(row, "ratings", "Give the ratings by criterion key."))
    else:
        for key, value in given.items():
            rating = _rating(value)
            if isinstance(rating, str):
                errors.append(RowError(row, f"ratings.{key}", rating))
            else:
                ratings[str(key)] = scoring.Rating(key=str(key), value=rating.value, na=rating.na)

    comments: dict[str, str] = {}
    notes = raw.get("comments") or {}
    if not isinstance(notes, Mapping):
        errors.append(RowError(row, "comments", "Give the comments by criterion key."))
    else:
        for key, text in notes.items():
            if not isinstance(text, str):
                errors.append(RowError(row, f"comments.{key}", "A comment must be text."))
            elif text.strip():
                comments[str(key)] = text.strip()

    submitted_at = _when(raw.get("submitted_at"), row, errors)
    if len(errors) > before or submitted_at is None:
        return None
    return _Record(
        row=row,
        external_id=external_id,
        framework=framework,
        version=int(version),
        interaction_key=(source, source_id),
        reviewer_email=email.lower(),
        ratings=ratings,
        comments=comments,
        comment=comment,
        submitted_at=submitted_at,
    )


class _Lookups:
    """Everything the records refer to, read in a few queries whatever the batch size."""

    def __init__(self, records: list[_Record], by: User) -> None:
        names = sorted({r.framework for r in records})
        self.versions: dict[tuple[str, int], list[FrameworkVersion]] = {}
        for version in FrameworkVersion.objects.filter(framework__name__in=names).select_related(
            "framework"
        ):
            self.versions.setdefault((version.framework.name, version.number), []).append(version)
        self.framework_names = {name for name, _ in self.versions}

        # Only interactions of teams where the importer is a QA manager or administrator.
        scope = _path_q(grants_of(by).paths(QA_ADMIN_ROLES), "team__path")
        self.interactions: dict[tuple[str, str], Interaction] = {}
        by_source: dict[str, set[str]] = {}
        for source, source_id in {r.interaction_key for r in records}:
            by_source.setdefault(source, set()).add(source_id)
        for source, ids in by_source.items():
            for chunk in _chunks(sorted(ids)):
                for interaction in Interaction.objects.filter(
                    scope, source=source, source_id__in=chunk
                ):
                    self.interactions[(interaction.source, interaction.source_id)] = interaction

        emails = sorted({r.reviewer_email for r in records})
        self.reviewers: dict[str, User] = {}
        for chunk in _chunks(emails):
            for user in User.objects.annotate(email_lower=Lower("email")).filter(
                email_lower__in=chunk
            ):
                self.reviewers[user.email.lower()] = user

        external_ids = sorted({r.external_id for r in records})
        self.existing: set[str] = set()
        for chunk in _chunks(external_ids):
            self.existing.update(
                Review.objects.filter(
                    source=ReviewSource.IMPORT, external_id__in=chunk
                ).values_list("external_id", flat=True)
            )


def _check(record: _Record, lookups: _Lookups, errors: list[RowError]) -> FrameworkVersion | None:
    row = record.row
    version: FrameworkVersion | None = None
    candidates = lookups.versions.get((record.framework, record.version), [])
    if record.framework not in lookups.framework_names:
        errors.append(RowError(row, "framework", f"There is no framework “{record.framework}”."))
    elif not candidates:
        errors.append(
            RowError(
                row,
                "version",
                f"Framework “{record.framework}” has no version {record.version}.",
            )
        )
    elif len(candidates) > 1:
        errors.append(
            RowError(
                row,
                "framework",
                f"Several frameworks are called “{record.framework}”; rename one first.",
            )
        )
    else:
        version = candidates[0]

    interaction = lookups.interactions.get(record.interaction_key)
    if interaction is None:
        source, source_id = record.interaction_key
        errors.append(
            RowError(
                row,
                "interaction_source_id",
                f"There is no interaction {source} “{source_id}” in the teams you manage.",
            )
        )
    reviewer = lookups.reviewers.get(record.reviewer_email)
    if reviewer is None:
        errors.append(
            RowError(row, "reviewer_email", f"Nobody has the email {record.reviewer_email}.")
        )
    elif interaction is not None and interaction.agent_id == reviewer.pk:
        errors.append(RowError(row, "reviewer_email", "Nobody reviews their own contact."))
    if interaction is not None and record.submitted_at < interaction.started_at:
        errors.append(
            RowError(row, "submitted_at", "The review is dated before the contact started.")
        )

    if version is not None:
        defn = version.defn
        for problem in scoring.can_submit(defn, record.ratings):
            errors.append(RowError(row, f"ratings.{problem.where}", problem.message))
        known = {c.key for c in defn.criteria}
        for key in record.comments:
            if key not in known:
                errors.append(
                    RowError(row, f"comments.{key}", f"There is no criterion '{key}' here.")
                )
    return version


def _new_review(
    record: _Record, version: FrameworkVersion, lookups: _Lookups
) -> tuple[Review, scoring.ReviewScore]:
    interaction = lookups.interactions[record.interaction_key]
    review = Review(
        interaction=interaction,
        framework_version=version,
        reviewer=lookups.reviewers[record.reviewer_email],
        agent_id=interaction.agent_id,
        team_id=interaction.team_id,
        interaction_started_at=interaction.started_at,
        channel=interaction.channel,
        purpose=ReviewPurpose.QUALITY,
        status=ReviewStatus.SUBMITTED,
        source=ReviewSource.IMPORT,
        external_id=record.external_id,
        comment=record.comment,
        submitted_at=record.submitted_at,
    )
    result = scoring.score_review(version.defn, record.ratings)
    _apply_scores(review, result)
    return review, result


def _event(review: Review, record: _Record, by: User, request: HttpRequest | None) -> AuditEvent:
    """Shaped as `audit.services.record` writes it, for a bulk insert."""
    return AuditEvent(
        actor=by,
        actor_label=by.email[:254],
        action="review.imported",
        object_type=review._meta.label_lower,
        object_id=str(review.pk),
        object_repr=str(review)[:255],
        after={
            "external_id": record.external_id,
            "raw": str(review.raw_score),
            "final": str(review.final_score),
            "passed": review.passed,
            "ratings": {
                k: (NA if r.na else str(r.value)) for k, r in sorted(record.ratings.items())
            },
        },
        ip=client_ip(request),
    )


@transaction.atomic
def import_reviews(
    *,
    records: Sequence[Mapping[str, Any]],
    by: User,
    request: HttpRequest | None = None,
) -> ReviewImportResult:
    """Create the reviews of a batch that do not exist yet (by external id). All or nothing."""
    result = ReviewImportResult()
    if len(records) > settings.API_MAX_BATCH:
        result.errors = (
            RowError(None, "reviews", f"Send at most {settings.API_MAX_BATCH:,} reviews per call."),
        )
        return result

    errors: list[RowError] = []
    parsed: list[_Record] = []
    seen: dict[str, int] = {}
    for row, raw in enumerate(records, start=1):
        parsed_record = _parse(raw, row, errors)
        if parsed_record is None:
            continue
        first = seen.setdefault(parsed_record.external_id, row)
        if first != row:
            errors.append(
                RowError(row, "external_id", f"Row {first} has the same external_id already.")
            )
            continue
        parsed.append(parsed_record)

    lookups = _Lookups(parsed, by)
    versions = {r.row: _check(r, lookups, errors) for r in parsed}
    if errors:
        result.errors = tuple(sorted(errors, key=lambda e: (e.row or 0, e.column)))
        return result

    new = [r for r in parsed if r.external_id not in lookups.existing]
    result.unchanged = len(parsed) - len(new)
    reviews: list[Review] = []
    scores: list[scoring.ReviewScore] = []
    for record_ in new:
        version = versions[record_.row]
        assert version is not None  # checked above
        review, score = _new_review(record_, version, lookups)
        reviews.append(review)
        scores.append(score)
    try:
        with transaction.atomic():
            Review.objects.bulk_create(reviews, batch_size=BULK_BATCH)
    except IntegrityError:
        result.errors = (
            RowError(
                None,
                "external_id",
                "Another import of the same reviews ran at the same time; send the batch again "
                "(reviews already imported are left unchanged).",
            ),
        )
        result.unchanged = 0
        return result

    ratings: list[ReviewRating] = []
    counted: list[tuple[None, rollups.Contribution | None]] = []
    for review, record_, score in zip(reviews, new, scores, strict=True):
        normalised = {c.key: c.normalised for c in score.criteria}
        own = [
            ReviewRating(
                review=review,
                criterion_key=key,
                value=None if rating.na else rating.value,
                na=rating.na,
                normalised=_quantise(normalised.get(key)),
                comment=record_.comments.get(key, ""),
            )
            for key, rating in record_.ratings.items()
        ]
        ratings.extend(own)
        counted.append((None, rollups.contribution(review, own)))
    ReviewRating.objects.bulk_create(ratings, batch_size=BULK_BATCH)
    rollups.record_changes(counted)  # the quality overview's sums, in this transaction
    AuditEvent.objects.bulk_create(
        [_event(review, r, by, request) for review, r in zip(reviews, new, strict=True)],
        batch_size=BULK_BATCH,
    )
    result.created = len(reviews)
    result.created_ids = [review.pk for review in reviews]
    record(
        action="reviews.import",
        actor=by,
        object_type="reviews.import",
        object_repr=f"api import of {len(records)} reviews",
        after={"created": result.created, "unchanged": result.unchanged, "rows": len(records)},
        request=request,
    )
    return result
