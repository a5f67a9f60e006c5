"""Interactions and customer feedback endpoints: batch imports and the interactions list.

- `POST /interactions` and `POST /customer-feedback`: a JSON array of up to 10,000 records,
  imported all or nothing by the same service as the CSV upload (QA managers' and
  administrators' tokens only; 403 before the body is read). Row errors come back as 422
  `{"detail": [{"row": n, "field": "...", "reason": "..."}]}` with rows counted from 1.
- `GET /interactions`: the interactions the token's owner may see, paginated, oldest change
  first, filtered by `updated_since`, `agent_email` and `team`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from qa_platform.people.access import has_role
from qa_platform.people.models import Team
from scorecards.access import QA_ADMIN_ROLES
from scorecards.importing import CES_VERSIONS, CHANNELS
from scorecards.models import Interaction
from scorecards.services.interaction_import import (
    ImportResult,
    import_feedback,
    import_interactions,
)

router = Router(tags=["interactions"])

MAX_PAGE = 1_000_000
MAX_BODY_BYTES = 200 * 1024 * 1024


# --- Schemas --------------------------------------------------------------------------------


class MessageIn(Schema):
    speaker: str = Field(description="agent, customer or system")
    name: str | None = None
    at: str | None = Field(None, description="ISO 8601 date and time")
    offset: float | None = Field(None, description="Seconds into the recording")
    text: str
    internal: bool = False


class InteractionIn(Schema):
    """One interaction record (the CSV columns; `transcript` may also be text lines)."""

    source: str = Field(max_length=50, examples=["helpdesk"])
    source_id: str = Field(max_length=200, examples=["T-100231"])
    channel: str = Field(description=", ".join(CHANNELS), examples=["chat"])
    agent_email: str = Field(max_length=254)
    started_at: str = Field(
        description="ISO 8601; without an offset it is UTC", examples=["2026-03-02T09:15:00+01:00"]
    )
    duration_seconds: int | None = None
    queue: str | None = None
    topic: str | None = None
    recording_url: str | None = None
    ticket_url: str | None = None
    escalated: bool = False
    repeat_contact: bool = False
    transcript: list[MessageIn] | str | None = Field(
        None, description="Messages, or lines 'HH:MM:SS Speaker: text'; omitted: kept as stored"
    )
    custom_fields: dict[str, str] | None = Field(
        None, description="Extra fields; omitted: kept as stored"
    )


class FeedbackIn(Schema):
    source: str = Field(max_length=50)
    source_id: str = Field(max_length=200)
    interaction_source: str | None = Field(
        None, description="The interaction's source, when not the same as `source`"
    )
    interaction_source_id: str | None = None
    agent_email: str | None = Field(None, description="Needed when no interaction is given")
    team_external_id: str | None = None
    received_at: str = Field(examples=["2026-03-02T10:00:00Z"])
    csat: int | None = Field(None, description="1 to 5")
    nps: int | None = Field(None, description="0 to 10")
    ces: int | None = None
    ces_version: str | None = Field(None, description=" or ".join(CES_VERSIONS))
    comment: str | None = None


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    rows: int


class RowErrorOut(Schema):
    row: int | None
    field: str | None
    reason: str


class RowErrorsOut(Schema):
    detail: list[RowErrorOut]


class DetailOut(Schema):
    detail: str


class InteractionFilters(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        settings.API_PAGE_SIZE,
        ge=1,
        le=settings.API_PAGE_SIZE,
        description=f"Items per page, at most {settings.API_PAGE_SIZE}.",
    )
    updated_since: dt.datetime | None = Field(
        None, description="Only interactions created or changed at or after this time."
    )
    agent_email: str | None = Field(None, max_length=254)
    team: int | None = Field(None, ge=1, description="A team's id: its and its sub-teams'.")


class InteractionOut(Schema):
    id: int
    source: str
    source_id: str
    channel: str
    agent_id: int
    agent_email: str
    team_id: int
    team_name: str
    started_at: dt.datetime
    duration_seconds: int | None
    queue: str
    topic: str
    recording_url: str
    ticket_url: str
    escalated: bool
    repeat_contact: bool
    custom_fields: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class InteractionsPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[InteractionOut]


# --- Batches --------------------------------------------------------------------------------


def _problem(reason: str) -> Status:
    return Status(422, {"detail": [{"row": None, "field": None, "reason": reason}]})


def _require_qa_admin(request: HttpRequest) -> None:
    if not has_role(request.user, *QA_ADMIN_ROLES):
        raise HttpError(403, "Only a QA manager's or an administrator's token may import.")


def _records(request: HttpRequest, what: str) -> list[Any] | Status:
    """The JSON array in the body, or a 422 saying what is wrong with it (read without the
    2.5 MB form-data limit: a batch of 10,000 records with transcripts is larger)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _problem(
            f"The body is {length / (1024 * 1024):,.0f} MB; at most "
            f"{MAX_BODY_BYTES // (1024 * 1024)} MB. Send smaller batches."
        )
    try:
        body = request.read(MAX_BODY_BYTES + 1)
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError, OSError):
        return _problem(f"The body is not valid JSON: send a JSON array of {what}.")
    if not isinstance(data, list):
        return _problem(f"Send a JSON array of {what} (not an object or a single value).")
    if len(data) > settings.API_MAX_BATCH:
        return _problem(
            f"At most {settings.API_MAX_BATCH:,} {what} per request; this one has "
            f"{len(data):,}. Send them in batches: nothing was saved."
        )
    return data


def _answer(result: ImportResult) -> Any:
    if not result.ok:
        return Status(422, {"detail": result.error_dicts()})
    return {**result.counts.as_dict(), "rows": result.rows}


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The JSON schema with its "#/$defs/..." references replaced by the definitions, so it can
    sit inside the OpenAPI document (where those references would not resolve)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _body(schema: type[Schema]) -> dict[str, Any]:
    items = schema.model_json_schema()
    items = _inline(items, items.get("$defs", {}))
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "maxItems": settings.API_MAX_BATCH,
                        "items": items,
                    }
                }
            },
        }
    }


@router.post(
    "/interactions",
    response={200: ImportOut, 403: DetailOut, 422: RowErrorsOut},
    url_name="interactions",
    summary="Import interactions",
    openapi_extra=_body(InteractionIn),
)
def post_interactions(request: HttpRequest) -> Any:
    """Create or update interactions by (source, source_id), all or nothing.

    The agent's team on the day of each interaction is recorded with it. Transcripts are masked
    when the quality settings say so. Sending the same batch again changes nothing."""
    _require_qa_admin(request)
    records = _records(request, "interactions")
    if isinstance(records, Status):
        return records
    if not records:
        return {"created": 0, "updated": 0, "unchanged": 0, "rows": 0}
    return _answer(
        import_interactions(records=records, by=request.user, source_label="api", request=request)  # type: ignore[arg-type]
    )


@router.post(
    "/customer-feedback",
    response={200: ImportOut, 403: DetailOut, 422: RowErrorsOut},
    url_name="customer_feedback",
    summary="Import customer feedback",
    openapi_extra=_body(FeedbackIn),
)
def post_customer_feedback(request: HttpRequest) -> Any:
    """Create or update CSAT/NPS/CES answers by (source, source_id), all or nothing."""
    _require_qa_admin(request)
    records = _records(request, "feedback records")
    if isinstance(records, Status):
        return records
    if not records:
        return {"created": 0, "updated": 0, "unchanged": 0, "rows": 0}
    return _answer(
        import_feedback(records=records, by=request.user, source_label="api", request=request)  # type: ignore[arg-type]
    )


# --- The list -------------------------------------------------------------------------------


def _out(i: Interaction) -> dict[str, Any]:
    return {
        "id": i.pk,
        "source": i.source,
        "source_id": i.source_id,
        "channel": i.channel,
        "agent_id": i.agent_id,
        "agent_email": i.agent.email,
        "team_id": i.team_id,
        "team_name": i.team.name,
        "started_at": i.started_at,
        "duration_seconds": i.duration_seconds,
        "queue": i.queue,
        "topic": i.topic,
        "recording_url": i.recording_url,
        "ticket_url": i.ticket_url,
        "escalated": i.escalated,
        "repeat_contact": i.repeat_contact,
        "custom_fields": i.custom_fields,
        "created_at": i.created_at,
        "updated_at": i.updated_at,
    }


@router.get(
    "/interactions",
    response={200: InteractionsPage, 404: DetailOut},
    url_name="interactions",
    summary="List interactions",
)
def list_interactions(request: HttpRequest, filters: Query[InteractionFilters]) -> Any:
    """Interactions the token's owner may see, oldest change first (sync with
    `updated_since` = the last `updated_at` you received)."""
    found = Interaction.objects.visible_to(request.user)
    if filters.updated_since is not None:
        since = filters.updated_since
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        found = found.filter(updated_at__gte=since)
    if filters.agent_email:
        found = found.filter(agent__email__iexact=filters.agent_email.strip())
    if filters.team is not None:
        team = Team.objects.visible_to(request.user).filter(pk=filters.team).first()
        if team is None:
            return Status(404, {"detail": f"No team {filters.team} that you can see."})
        found = found.filter(team__path__startswith=team.path)
    count = found.count()
    start = (filters.page - 1) * filters.page_size
    items: list[Interaction] = []
    if start < count:
        items = list(
            found.select_related("agent", "team").order_by("updated_at", "pk")[
                start : start + filters.page_size
            ]
        )
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [_out(i) for i in items],
    }
