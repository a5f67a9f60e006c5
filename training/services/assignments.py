"""Assigning training: `assign_training` is the one way in (UI, rules, recertification, API, QA
triggers), plus withdrawing, and the notifications people get about their assignments.

Assigning many people at once (a team, a rule reaching hundreds) is a few queries: one read of
who already has the page, one bulk insert, one bulk insert of in-app notifications, one audit
event, and one background task that emails them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.models import Page

from qa_platform.audit.services import record
from qa_platform.notifications.models import Notification
from qa_platform.people.models import Team, User
from training.access import can_assign_to
from training.models import Assignment, AssignmentRule, AssignmentSource

from .common import TrainingError, specific

ASSIGNABLE_TYPES = ("modulepage", "roleplayscenariopage", "learningpathpage")
NOTIFICATION_KIND = "training.assigned"


@dataclass
class AssignResult:
    created: list[Assignment] = field(default_factory=list)
    # People who already had an open assignment of the page (nothing new for them).
    already: list[int] = field(default_factory=list)


def my_training_url() -> str:
    try:
        return reverse("training:my_training")
    except NoReverseMatch:
        return "/training/"


def _person_ids(people: Iterable[User | int]) -> list[int]:
    ids = []
    for p in people:
        ids.append(p if isinstance(p, int) else p.pk)
    return list(dict.fromkeys(ids))


def _check_page(page: Page) -> Any:
    page = specific(page)
    if page._meta.model_name not in ASSIGNABLE_TYPES or page._meta.app_label != "training":
        raise TrainingError("Only modules, role-plays and learning paths can be assigned.")
    if not page.live:
        raise TrainingError(f"“{page.title}” is not published, so it cannot be assigned yet.")
    return page


def team_members(teams: Iterable[Team]) -> list[int]:
    """Active current members of `teams` and the teams below them."""
    ids: list[int] = []
    for team in teams:
        ids.extend(User.objects.get_queryset().active().in_team(team).values_list("pk", flat=True))
    return list(dict.fromkeys(ids))


def notify_each(*, kind: str, url: str, messages: list[tuple[int, str, str]]) -> None:
    """In-app notifications (person id, title, body) in one insert, and one background task that
    emails them all (the notification rows carry the text)."""
    if not messages:
        return
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pid, kind=kind, title=title[:200], body=body, url=url, created_at=now
            )
            for pid, title, body in messages
        ],
        batch_size=1000,
    )
    ids = [n.pk for n in rows]
    from training.tasks import email_notifications

    transaction.on_commit(lambda: email_notifications.enqueue(notification_ids=ids))


@transaction.atomic
def assign_training(
    *,
    page: Page,
    people: Iterable[User | int] = (),
    teams: Iterable[Team] = (),
    due_at: dt.date | None = None,
    source: str = AssignmentSource.MANUAL,
    actor: Any = None,
    rule: AssignmentRule | None = None,
    request: HttpRequest | None = None,
    notify: bool = True,
) -> AssignResult:
    """Give `page` to `people` and the current members of `teams`, due on `due_at`.

    People who already have an open assignment of the page are left as they are (reported in
    `already`). A person assigning by hand (`source="manual"`) may only assign people their lead,
    QA manager or administrator role reaches."""
    if source not in AssignmentSource.values:
        raise TrainingError(f"“{source}” is not a source of assignments.")
    if source == AssignmentSource.RULE and rule is None:
        raise TrainingError("An assignment made by a rule must name the rule.")
    page = _check_page(page)
    today = timezone.localdate()
    if due_at is not None and due_at < today and source == AssignmentSource.MANUAL:
        raise TrainingError("The due date is in the past; choose today or a later day.")
    ids = _person_ids(people)
    ids = list(dict.fromkeys([*ids, *team_members(teams)]))
    if not ids:
        raise TrainingError("Choose at least one person or a team with members.")
    if source == AssignmentSource.MANUAL and actor is not None:
        found = {u.pk: u for u in User.objects.filter(pk__in=ids)}
        out_of_reach = [found[i] for i in ids if i in found and not can_assign_to(actor, found[i])]
        if out_of_reach:
            names = ", ".join(str(u) for u in out_of_reach[:5])
            raise TrainingError(f"You cannot assign training to {names}: not in your teams.")
    already = set(
        Assignment.objects.open()
        .filter(page=page, person_id__in=ids)
        .values_list("person_id", flat=True)
    )
    new_ids = [i for i in ids if i not in already]
    now = timezone.now()
    by = actor if getattr(actor, "is_authenticated", False) else None
    created = Assignment.objects.bulk_create(
        [
            Assignment(
                person_id=pid,
                page=page,
                due_at=due_at,
                source=source,
                rule=rule,
                assigned_by=by,
                created_at=now,
            )
            for pid in new_ids
        ],
        batch_size=1000,
    )
    if created:
        record(
            action="training.assign",
            actor=actor,
            obj=page,
            after={
                "people": [a.person_id for a in created],
                "source": source,
                "rule": rule.pk if rule else None,
                "due_at": due_at.isoformat() if due_at else None,
            },
            request=request,
        )
    if notify and created:
        due = f" Due {due_at:%-d %b %Y}." if due_at else ""
        title = f"New training: {page.title}"
        body = f"You have been assigned “{page.title}”.{due}"
        notify_each(
            kind=NOTIFICATION_KIND,
            url=my_training_url(),
            messages=[(a.person_id, title, body) for a in created],
        )
    return AssignResult(created=created, already=sorted(already))


@transaction.atomic
def withdraw_assignments(
    *,
    assignments: Iterable[Assignment] | None = None,
    ids: Iterable[int] = (),
    actor: Any = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> int:
    """Withdraw open assignments (nothing is deleted; attempts keep their history)."""
    wanted = {*ids, *(a.pk for a in assignments or ())}
    if not wanted:
        return 0
    rows = list(
        Assignment.objects.open().filter(pk__in=wanted).values_list("pk", "person_id", "page_id")
    )
    if not rows:
        return 0
    Assignment.objects.filter(pk__in=[r[0] for r in rows]).update(withdrawn_at=timezone.now())
    record(
        action="training.withdraw",
        actor=actor,
        object_type="training.assignment",
        object_id=",".join(str(r[0]) for r in rows[:50]),
        object_repr=f"{len(rows)} assignment(s)",
        before={"assignments": [{"id": a, "person": p, "page": g} for a, p, g in rows]},
        after={"reason": reason} if reason else None,
        request=request,
    )
    return len(rows)


def email_subject(title: str) -> str:
    return f"[{settings.PLATFORM_NAME}] {title}"
