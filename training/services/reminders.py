"""Reminders before a due date and when overdue, and recertification before a certificate
expires. Each is sent or assigned once: the assignment or certificate records that it was."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from qa_platform.audit.services import record
from training.models import Assignment, AssignmentSource, Certificate

from .assignments import assign_training, my_training_url, notify_each
from .common import TrainingError

DUE_SOON_DAYS = 3
RECERTIFY_DAYS_BEFORE = 30


@dataclass(frozen=True)
class Reminders:
    due_soon: int = 0
    overdue: int = 0


@transaction.atomic
def send_reminders(*, today: dt.date | None = None, days_before: int = DUE_SOON_DAYS) -> Reminders:
    """In-app and email reminders: once when the due date is `days_before` days away or less,
    once when it has passed."""
    today = today or timezone.localdate()
    now = timezone.now()
    base = Assignment.objects.open().filter(person__is_active=True).select_related("page")
    soon = list(
        base.filter(
            due_at__gte=today,
            due_at__lte=today + dt.timedelta(days=days_before),
            due_reminder_sent_at__isnull=True,
        )
    )
    late = list(base.filter(due_at__lt=today, overdue_reminder_sent_at__isnull=True))
    url = my_training_url()
    notify_each(
        kind="training.due_soon",
        url=url,
        messages=[
            (
                a.person_id,
                f"Due {a.due_at:%-d %b}: {a.page.title}",
                f"“{a.page.title}” is due on {a.due_at:%-d %b %Y}.",
            )
            for a in soon
            if a.due_at is not None
        ],
    )
    notify_each(
        kind="training.overdue",
        url=url,
        messages=[
            (
                a.person_id,
                f"Overdue: {a.page.title}",
                f"“{a.page.title}” was due on {a.due_at:%-d %b %Y}. Please complete it soon.",
            )
            for a in late
            if a.due_at is not None
        ],
    )
    Assignment.objects.filter(pk__in=[a.pk for a in soon]).update(due_reminder_sent_at=now)
    Assignment.objects.filter(pk__in=[a.pk for a in late]).update(overdue_reminder_sent_at=now)
    # An overdue reminder covers the "due soon" one if that was never sent.
    Assignment.objects.filter(pk__in=[a.pk for a in late], due_reminder_sent_at=None).update(
        due_reminder_sent_at=now
    )
    return Reminders(due_soon=len(soon), overdue=len(late))


@transaction.atomic
def recertify_expiring(
    *, now: dt.datetime | None = None, days_before: int = RECERTIFY_DAYS_BEFORE, actor: Any = None
) -> int:
    """Re-assign a path to people whose certificate expires within `days_before` days (or has
    expired without being renewed), due the day it expires. Once per certificate."""
    now = now or timezone.now()
    candidates = list(
        Certificate.objects.filter(
            revoked_at__isnull=True,
            recertification__isnull=True,
            expires_at__isnull=False,
            expires_at__lte=now + dt.timedelta(days=days_before),
            person__is_active=True,
        )
        .select_related("person", "path")
        .order_by("person_id", "path_id", "-issued_at")
    )
    latest: dict[tuple[int, int], Certificate] = {}
    for c in candidates:
        latest.setdefault((c.person_id, c.path_id), c)
    newer = set(
        Certificate.objects.filter(
            revoked_at__isnull=True,
            person_id__in=[c.person_id for c in latest.values()],
            path_id__in=[c.path_id for c in latest.values()],
        ).values_list("person_id", "path_id", "issued_at")
    )
    count = 0
    for (person_id, path_id), cert in latest.items():
        if any(p == person_id and q == path_id and at > cert.issued_at for p, q, at in newer):
            continue  # renewed already
        assert cert.expires_at is not None
        due = max(timezone.localdate(cert.expires_at), timezone.localdate(now))
        try:
            result = assign_training(
                page=cert.path,
                people=[person_id],
                due_at=due,
                source=AssignmentSource.RECERTIFICATION,
                actor=actor,
            )
        except TrainingError:
            continue  # the path is no longer published
        assignment = (
            result.created[0]
            if result.created
            else Assignment.objects.open().filter(person_id=person_id, page_id=path_id).first()
        )
        cert.recertification = assignment
        cert.save(update_fields=["recertification"])
        if result.created:
            count += 1
    if count:
        record(action="training.recertify", actor=actor, after={"assigned": count})
    return count
