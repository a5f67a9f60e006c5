"""Background work for training: emails about assignments, reconciling rules after membership
changes, and the nightly run (rules, recertification, reminders).

Run the nightly work from cron with `manage.py run_training_nightly` (it enqueues
`nightly_training`; add `--now` to run it in the command's own process).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def email_notifications(*, notification_ids: list[int]) -> int:
    """Email the people behind these in-app notifications (the notification carries the text)."""
    from qa_platform.notifications.models import Notification

    sent = 0
    rows = Notification.objects.filter(pk__in=notification_ids).select_related("recipient")
    for n in rows:
        person = n.recipient
        if not person.is_active or not person.email:
            continue
        link = f"\n\n{settings.WAGTAILADMIN_BASE_URL}{n.url}" if n.url else ""
        text = f"{n.body}{link}".strip() or n.title
        sent += send_mail(
            f"[{settings.PLATFORM_NAME}] {n.title}",
            text,
            settings.DEFAULT_FROM_EMAIL,
            [person.email],
            fail_silently=False,
        )
    return sent


@task()
def reconcile_people(*, person_ids: list[int]) -> dict[str, int]:
    """Re-evaluate the assignment rules for these people (after they joined, moved, left, or a
    role changed)."""
    from training.services.reconcile import reconcile_rules

    result = reconcile_rules(person_ids=person_ids)
    return {"assigned": result.assigned, "withdrawn": result.withdrawn}


@task()
def nightly_training() -> dict[str, Any]:
    """Every rule for everyone, recertification of certificates about to expire, reminders."""
    from training.services.reconcile import reconcile_rules
    from training.services.reminders import recertify_expiring, send_reminders

    reconciled = reconcile_rules()
    recertified = recertify_expiring()
    reminders = send_reminders()
    outcome = {
        "assigned": reconciled.assigned,
        "withdrawn": reconciled.withdrawn,
        "recertifications": recertified,
        "due_reminders": reminders.due_soon,
        "overdue_reminders": reminders.overdue,
    }
    logger.info("Nightly training run: %s", outcome)
    return outcome


def membership_changed(person_ids: list[int]) -> None:
    """Called by the people services after a membership or role change commits: reconciles the
    assignment rules for those people in the background."""
    if person_ids:
        reconcile_people.enqueue(person_ids=sorted(set(person_ids)))
