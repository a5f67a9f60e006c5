"""The audit trail page: administrators browse and filter it. There is no edit or delete path."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from qa_platform.http import AuthedRequest
from qa_platform.people.access import require_role
from qa_platform.people.roles import Role

from .models import AuditEvent, AuditEventQuerySet

PAGE_SIZE = 50
ABSENT = "—"


class AuditFilterForm(forms.Form):
    """The filter bar. Every field is optional; invalid ones are reported and ignored."""

    action = forms.ChoiceField(required=False, label="Action")
    actor = forms.CharField(
        required=False,
        max_length=254,
        label="Actor",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Email contains…"}),
    )
    object_type = forms.ChoiceField(required=False, label="Object type")
    date_from = forms.DateField(
        required=False,
        label="From (UTC)",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    date_to = forms.DateField(
        required=False,
        label="To (UTC)",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    q = forms.CharField(
        required=False,
        max_length=255,
        label="Object",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name contains…"}),
    )

    def __init__(self, *args: Any, actions: list[str], object_types: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *((a, a) for a in actions)]  # type: ignore[attr-defined]
        self.fields["object_type"].choices = [  # type: ignore[attr-defined]
            ("", "Any type"),
            *((t, t) for t in object_types),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def valid_filters(self) -> dict[str, Any]:
        """The filters that passed validation (a bad date never blocks the other filters)."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}


def _filtered(events: AuditEventQuerySet, filters: dict[str, Any]) -> AuditEventQuerySet:
    if action := filters.get("action"):
        events = events.filter(action=action)
    if actor := filters.get("actor"):
        events = events.filter(actor_label__icontains=actor.strip())
    if object_type := filters.get("object_type"):
        events = events.filter(object_type=object_type)
    # Whole UTC days, as ranges on the indexed column (not `at__date`), so the index is used.
    if start := filters.get("date_from"):
        events = events.filter(at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC))
    if end := filters.get("date_to"):
        next_day = end + dt.timedelta(days=1)
        events = events.filter(at__lt=dt.datetime.combine(next_day, dt.time.min, tzinfo=dt.UTC))
    if q := filters.get("q"):
        events = events.filter(object_repr__icontains=q.strip())
    return events


@dataclass(frozen=True)
class Change:
    key: str
    before: str
    after: str


def _show(value: Any) -> str:
    if value is None:
        return ABSENT
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def changes(before: Any, after: Any) -> list[Change]:
    """The keys whose value differs between `before` and `after`, in a readable form."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        if before == after:
            return []
        if before is None or after is None:
            # Created or removed: every key of the side that exists is a change.
            side = after if before is None else before
            if isinstance(side, dict):
                return [
                    Change(
                        str(k),
                        ABSENT if before is None else _show(v),
                        _show(v) if before is None else ABSENT,
                    )
                    for k, v in side.items()
                ]
        return [Change("value", _show(before), _show(after))]
    keys = list(dict.fromkeys([*before, *after]))
    return [
        Change(str(k), _show(before.get(k)), _show(after.get(k)))
        for k in keys
        if before.get(k) != after.get(k)
    ]


def _distinct(events: AuditEventQuerySet, field: str) -> list[str]:
    values = events.order_by(field).values_list(field, flat=True).distinct()
    return [v for v in values if v]


@require_GET
def event_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    events = AuditEvent.objects.visible_to(request.user)
    form = AuditFilterForm(
        request.GET or None,
        actions=_distinct(events, "action"),
        object_types=_distinct(events, "object_type"),
    )
    filters = form.valid_filters() if form.is_bound else {}
    page = Paginator(_filtered(events, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, changes(event.before, event.after)) for event in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "query_string": query.urlencode(),
        "filtered": bool(filters),
    }
    template = "audit/event_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)
