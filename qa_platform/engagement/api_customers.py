"""`POST /api/v1/customer-periods`: monthly customer figures for the CX overview.

A JSON array of up to 10,000 records (the CSV columns), imported all or nothing by the same service
as the CSV upload, upserted on (month, team): sending the same batch again changes nothing. HR's
and administrators' tokens only (403 before the body is read). Row errors come back as 422
`{"detail": [{"row": n, "field": "...", "reason": "..."}]}` with rows counted from 1.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from .access import can_manage_surveys
from .customer_periods import MAX_ROWS
from .services.customer_periods import import_customer_periods

router = Router(tags=["customer figures"])

MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_BATCH = min(MAX_ROWS, settings.API_MAX_BATCH)


class CustomerPeriodIn(Schema):
    """One month of customer figures, for the whole organisation or one team."""

    month: str = Field(description="YYYY-MM (or the first day, YYYY-MM-01)", examples=["2026-03"])
    team_code: str | None = Field(
        None, max_length=64, description="The team's HR code; omitted: the whole organisation"
    )
    customers_at_start: int = Field(ge=0, examples=[12000])
    customers_lost: int = Field(0, ge=0, examples=[240])
    customers_gained: int = Field(0, ge=0, examples=[310])
    revenue: str | float | None = Field(None, description="0 or more, two decimals at most")
    source: str | None = Field(None, max_length=100, examples=["crm"])


class PeriodImportOut(Schema):
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


def _problem(reason: str) -> Status:
    return Status(422, {"detail": [{"row": None, "field": None, "reason": reason}]})


def _records(request: HttpRequest) -> list[Any] | Status:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _problem(f"The body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB.")
    try:
        data = json.loads(request.read(MAX_BODY_BYTES + 1))
    except (ValueError, UnicodeDecodeError, RecursionError, OSError):
        return _problem("The body is not valid JSON: send a JSON array of monthly records.")
    if not isinstance(data, list):
        return _problem("Send a JSON array of monthly records (not an object or a single value).")
    if len(data) > MAX_BATCH:
        return _problem(
            f"At most {MAX_BATCH:,} records per request; this one has {len(data):,}. "
            "Send them in batches: nothing was saved."
        )
    return data


@router.post(
    "/customer-periods",
    response={200: PeriodImportOut, 403: DetailOut, 422: RowErrorsOut},
    url_name="customer_periods",
    summary="Import monthly customer figures",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "maxItems": MAX_BATCH,
                        "items": CustomerPeriodIn.model_json_schema(),
                    }
                }
            },
        }
    },
)
def post_customer_periods(request: HttpRequest) -> Any:
    """Create or update customers at start, lost, gained and revenue per month (and team), all or
    nothing. Retention, churn and the estimated lifetime value on the CX overview use them."""
    if not can_manage_surveys(request.user):
        raise HttpError(403, "Only an HR person's or an administrator's token may import.")
    records = _records(request)
    if isinstance(records, Status):
        return records
    result = import_customer_periods(
        actor=request.user,  # type: ignore[arg-type]
        records=records,
        source_label="api",
        request=request,
    )
    if not result.ok:
        return Status(422, {"detail": result.error_dicts()})
    return result.counts()
