"""Training completions for other systems (an HR system, an LMS report).

`GET /training/completions`: completed assignments the token's owner may see (their own; as a
lead, QA manager, HR or administrator those of the teams they reach), oldest completion first,
paginated, filtered by `updated_since` (completed at or after), `team`, `person_email` and
`item` (a page id; `page` is the page number). A completed learning path carries the code of
the certificate it earned, if any.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from qa_platform.people.models import Team
from training.models import Assignment, Certificate

router = Router(tags=["training"])

MAX_PAGE = 1_000_000
PAGE_KINDS = {
    "modulepage": "module",
    "roleplayscenariopage": "role_play",
    "learningpathpage": "learning_path",
}


class CompletionFilters(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        settings.API_PAGE_SIZE,
        ge=1,
        le=settings.API_PAGE_SIZE,
        description=f"Items per page, at most {settings.API_PAGE_SIZE}.",
    )
    updated_since: dt.datetime | None = Field(
        None, description="Only completions at or after this time (ISO 8601; UTC if no offset)."
    )
    team: int | None = Field(None, ge=1, description="A team's id: its and its sub-teams' members.")
    person_email: str | None = Field(None, max_length=254)
    item: int | None = Field(None, ge=1, description="A module, role-play or path (page id).")


class CompletionOut(Schema):
    id: int
    person_id: int
    person_email: str
    person_name: str
    employee_id: str | None
    item_id: int
    item_title: str
    item_kind: str = Field(description="module, role_play or learning_path")
    source: str = Field(description="manual, rule, recertification or qa_trigger")
    assigned_at: dt.datetime
    due_at: dt.date | None
    completed_at: dt.datetime
    on_time: bool | None = Field(description="Completed by the due date; null without one.")
    certificate_code: str | None
    certificate_expires_at: dt.datetime | None


class CompletionsPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CompletionOut]


class DetailOut(Schema):
    detail: str


def _out(a: Assignment, certificate: Certificate | None) -> dict[str, Any]:
    completed = a.completed_at
    assert completed is not None
    on_time = None
    if a.due_at is not None:
        on_time = completed.astimezone(dt.UTC).date() <= a.due_at
    return {
        "id": a.pk,
        "person_id": a.person_id,
        "person_email": a.person.email,
        "person_name": a.person.get_full_name(),
        "employee_id": a.person.employee_id,
        "item_id": a.page_id,
        "item_title": a.page.title,
        "item_kind": PAGE_KINDS.get(a.page.content_type.model, a.page.content_type.model),
        "source": a.source,
        "assigned_at": a.created_at,
        "due_at": a.due_at,
        "completed_at": completed,
        "on_time": on_time,
        "certificate_code": certificate.code if certificate else None,
        "certificate_expires_at": certificate.expires_at if certificate else None,
    }


@router.get(
    "/training/completions",
    response={200: CompletionsPage, 404: DetailOut},
    url_name="training_completions",
    summary="List training completions",
)
def list_completions(request: HttpRequest, filters: Query[CompletionFilters]) -> Any:
    """Completed assignments the token's owner may see, oldest completion first (sync with
    `updated_since` = the last `completed_at` you received)."""
    found = Assignment.objects.visible_to(request.user).filter(completed_at__isnull=False)
    if filters.updated_since is not None:
        since = filters.updated_since
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        found = found.filter(completed_at__gte=since)
    if filters.person_email:
        found = found.filter(person__email__iexact=filters.person_email.strip())
    if filters.item is not None:
        found = found.filter(page_id=filters.item)
    if filters.team is not None:
        team = Team.objects.visible_to(request.user).filter(pk=filters.team).first()
        if team is None:
            return Status(404, {"detail": f"No team {filters.team} that you can see."})
        found = found.for_team(team)
    count = found.count()
    start = (filters.page - 1) * filters.page_size
    rows: list[Assignment] = []
    if start < count:
        rows = list(
            found.select_related("person", "page", "page__content_type").order_by(
                "completed_at", "pk"
            )[start : start + filters.page_size]
        )
    certificates: dict[tuple[int, int], Certificate] = {}
    path_rows = [a for a in rows if a.page.content_type.model == "learningpathpage"]
    if path_rows:
        for c in Certificate.objects.filter(
            person_id__in={a.person_id for a in path_rows},
            path_id__in={a.page_id for a in path_rows},
        ).order_by("issued_at"):
            certificates[(c.person_id, c.path_id)] = c  # the latest one wins
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [_out(a, certificates.get((a.person_id, a.page_id))) for a in rows],
    }
