"""Reviews endpoints: an incremental, access-scoped feed of submitted reviews, and the import of
historical reviews from another QA tool.

`GET /reviews?updated_since=…` pages through the submitted reviews the token's owner may see
(`Review.objects.visible_to`), oldest change first, so a script can keep the last `updated_at` it
saw and ask again from there. `POST /reviews` is for QA managers' and administrators' tokens; it
goes through `services.review_import.import_reviews` (all or nothing; row errors as
`{"detail": [{"row": n, "field": "...", "reason": "..."}]}`, rows counted from 1).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from qa_platform.people.access import has_role
from qa_platform.people.tokens import user_for_token
from scorecards.access import QA_ADMIN_ROLES
from scorecards.models import QualitySettings, Review, ReviewRating
from scorecards.services.review_import import import_reviews

router = Router(tags=["reviews"])

MAX_PAGE = 1_000_000


class QaAdminTokenAuth(HttpBearer):
    """A valid token (else 401) whose owner is a QA manager or administrator (else 403, before
    the body is read)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        if not has_role(user, *QA_ADMIN_ROLES):
            raise HttpError(403, "Only a QA manager's or an administrator's token may do this.")
        return user


# --- Schemas --------------------------------------------------------------------------------


class ReviewFilters(Schema):
    updated_since: dt.datetime | None = Field(
        None,
        description="Only reviews changed at or after this time (ISO 8601; UTC if no offset).",
    )
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        settings.API_PAGE_SIZE,
        ge=1,
        le=settings.API_PAGE_SIZE,
        description=f"Items per page, at most {settings.API_PAGE_SIZE}.",
    )


class ReviewOut(Schema):
    id: int
    source: str = Field(description="'app' (graded here) or 'import'.")
    external_id: str | None = Field(description="The other tool's id, for imported reviews.")
    purpose: str
    framework: str
    framework_version: int
    interaction_source: str
    interaction_source_id: str
    channel: str
    interaction_started_at: dt.datetime
    team_id: int
    agent_email: str
    reviewer_email: str | None = Field(
        description="Empty for the agent's own reviews when the organisation hides reviewers."
    )
    ratings: dict[str, int | float | str] = Field(
        description='The chosen value by criterion key, or "N/A".'
    )
    comments: dict[str, str] = Field(description="Comments by criterion key.")
    comment: str
    raw_score: float | None = Field(description="What the criteria add up to (0 to 100).")
    final_score: float | None = Field(description="0 when a fatal criterion failed, else raw.")
    passed: bool | None
    fatal_failed: bool
    submitted_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    updated_at: dt.datetime


class ReviewsPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ReviewOut]


class ReviewIn(Schema):
    external_id: str | int = Field(description="The other tool's id for the review.")
    framework: str = Field(max_length=200, description="The framework's name here.")
    version: int | str = Field(description="The framework version to score under (1, 2, …).")
    interaction_source: str = Field(max_length=50, examples=["zendesk"])
    interaction_source_id: str | int = Field(examples=["48213"])
    reviewer_email: str = Field(max_length=254)
    ratings: dict[str, Decimal | str | None] = Field(
        description='By criterion key: one of the criterion\'s option values, or "N/A".',
        examples=[{"verify-identity": 1, "empathy": 4, "greeting": "N/A"}],
    )
    comments: dict[str, str] = Field(default_factory=dict, description="By criterion key.")
    comment: str = Field("", max_length=20_000)
    submitted_at: dt.datetime | str = Field(
        description="When the review was submitted in that tool (ISO 8601; UTC if no offset)."
    )


class ReviewsIn(Schema):
    reviews: list[ReviewIn] = Field(max_length=settings.API_MAX_BATCH)


class ImportOut(Schema):
    created: int
    unchanged: int


class RowErrorOut(Schema):
    row: int | None
    field: str | None
    reason: str


class RowErrorsOut(Schema):
    detail: list[RowErrorOut]


# --- Endpoints ------------------------------------------------------------------------------


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _review_out(review: Review, *, hide_reviewer: bool, viewer_pk: int | None) -> dict[str, Any]:
    ratings: dict[str, int | float | str] = {}
    comments: dict[str, str] = {}
    for rating in review.ratings.all():
        if rating.na:
            ratings[rating.criterion_key] = "N/A"
        elif rating.value is not None:
            ratings[rating.criterion_key] = _number(rating.value)  # type: ignore[assignment]
        if rating.comment:
            comments[rating.criterion_key] = rating.comment
    hidden = hide_reviewer and review.agent_id == viewer_pk
    version = review.framework_version
    return {
        "id": review.pk,
        "source": review.source,
        "external_id": review.external_id or None,
        "purpose": review.purpose,
        "framework": version.framework.name,
        "framework_version": version.number,
        "interaction_source": review.interaction.source,
        "interaction_source_id": review.interaction.source_id,
        "channel": review.channel,
        "interaction_started_at": review.interaction_started_at,
        "team_id": review.team_id,
        "agent_email": review.agent.email,
        "reviewer_email": None if hidden else review.reviewer.email,
        "ratings": ratings,
        "comments": comments,
        "comment": review.comment,
        "raw_score": _number(review.raw_score),
        "final_score": _number(review.final_score),
        "passed": review.passed,
        "fatal_failed": review.fatal_failed,
        "submitted_at": review.submitted_at,
        "acknowledged_at": review.acknowledged_at,
        "updated_at": review.updated_at,
    }


@router.get("/reviews", response=ReviewsPage, url_name="reviews", summary="List reviews")
def list_reviews(request: HttpRequest, filters: Query[ReviewFilters]) -> Any:
    """Submitted reviews the token's owner may see, oldest change first, with their ratings by
    criterion key and their scores (computed here under the review's framework version)."""
    user = request.user
    reviews = Review.objects.visible_to(user).submitted()
    if filters.updated_since is not None:
        since = filters.updated_since
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        reviews = reviews.filter(updated_at__gte=since)
    count = reviews.count()
    start = (filters.page - 1) * filters.page_size
    items: list[Review] = []
    if start < count:
        items = list(
            reviews.select_related(
                "interaction", "framework_version__framework", "agent", "reviewer"
            )
            .prefetch_related(Prefetch("ratings", queryset=ReviewRating.objects.order_by("pk")))
            .order_by("updated_at", "pk")[start : start + filters.page_size]
        )
    hide = any(r.agent_id == user.pk for r in items) and bool(
        QualitySettings.load().hide_reviewer_from_agents
    )
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [_review_out(r, hide_reviewer=hide, viewer_pk=user.pk) for r in items],
    }


@router.post(
    "/reviews",
    auth=QaAdminTokenAuth(),
    response={200: ImportOut, 422: RowErrorsOut},
    url_name="reviews_import",
    summary="Import historical reviews from another QA tool (all or nothing, idempotent)",
)
def post_reviews(request: HttpRequest, payload: ReviewsIn) -> Any:
    """Each review is scored here under the named framework version. Reviews whose external_id
    was imported before are left as they are and counted as unchanged."""
    result = import_reviews(
        records=[item.model_dump() for item in payload.reviews],
        by=request.user,  # type: ignore[arg-type]
        request=request,
    )
    if not result.ok:
        return Status(422, {"detail": [e.as_dict() for e in result.errors]})
    return {"created": result.created, "unchanged": result.unchanged}
