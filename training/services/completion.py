"""What finishing an item sets off: completing assignments, completing paths, certificates.

An item (module or role-play) is **done** for a person when the official attempt that counts
passed (`training.progress.item_done`: for modules the best or the last completed attempt, as the
grading method of the pinned revision says; for role-plays any passed attempt). Practice attempts
never count. A path is complete when every required item is done; for a
recertification only attempts finished since the recertification was assigned count.
"""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.fields.json import KeyTextTransform
from django.http import HttpRequest
from django.utils import timezone
from wagtail.models import Page

from qa_platform.audit.services import record
from qa_platform.notifications.services import notify
from training.models import (
    Assignment,
    AssignmentSource,
    Attempt,
    AttemptStatus,
    Certificate,
)
from training.progress import AttemptFacts, PathProgress, item_done, path_progress

from .common import TrainingError, path_items, specific

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed
CODE_LENGTH = 16  # 80 bits


def paths_holding(page_id: int) -> list[Any]:
    """Live learning paths that have `page_id` as an item."""
    from training.pages import LearningPathPage

    return [
        path
        for path in LearningPathPage.objects.live().order_by("pk")
        if any(item.page_id == page_id for item in path_items(path))
    ]


def attempt_facts(
    person_id: int, page_ids: Iterable[int] | None = None, since: dt.datetime | None = None
) -> dict[int, list[AttemptFacts]]:
    """The person's official attempts of `page_ids` (None: of everything) as the status rules
    need them, per page in the order they finished (open ones last), each with the grading
    method of the revision it is pinned to (one query, whatever the number of items)."""
    attempts = Attempt.objects.official().filter(person_id=person_id)
    if page_ids is not None:
        ids = list(page_ids)
        if not ids:
            return {}
        attempts = attempts.filter(page_id__in=ids)
    if since is not None:
        attempts = attempts.filter(finished_at__gte=since)
    facts: dict[int, list[AttemptFacts]] = defaultdict(list)
    for page_id, status, passed, percent, method in (
        attempts.annotate(method=KeyTextTransform("grading_method", "revision__content"))
        .order_by(F("finished_at").asc(nulls_last=True), "pk")
        .values_list("page_id", "status", "passed", "percent", "method")
    ):
        facts[page_id].append(
            AttemptFacts(status=status, passed=passed, percent=percent, method=method or "")
        )
    return dict(facts)


def done_items(
    person_id: int, page_ids: Iterable[int], since: dt.datetime | None = None
) -> set[int]:
    """Which of `page_ids` the person has done (`progress.item_done`; one query)."""
    return {
        page_id
        for page_id, facts in attempt_facts(person_id, page_ids, since).items()
        if item_done(facts)
    }


@dataclass(frozen=True)
class Locked:
    """An item of a path the person is taking whose prerequisites are not done yet."""

    path_id: int
    path_title: str
    missing: tuple[str, ...]  # titles of the prerequisites not done, in path order

    @property
    def message(self) -> str:
        names = " and ".join(f"“{title}”" for title in self.missing)
        return f"Finish {names} first: it comes before this item in “{self.path_title}”."


def locked_by(person_id: int, page_id: int) -> Locked | None:
    """Whether the person may not start an official attempt of `page_id` yet: it is an item of a
    learning path assigned to them (not withdrawn) whose prerequisites in that path they have not
    done. None when nothing holds it back."""
    from training.pages import LearningPathPage

    taking = LearningPathPage.objects.live().filter(
        pk__in=Assignment.objects.filter(person_id=person_id, withdrawn_at__isnull=True).values(
            "page_id"
        )
    )
    for path in taking.order_by("pk"):  # one query
        item = next((i for i in path_items(path) if i.page_id == page_id), None)
        if item is None or not item.prerequisites:
            continue
        done = done_items(person_id, item.prerequisites)
        missing = [p for p in item.prerequisites if p not in done]
        if missing:
            titles = dict(Page.objects.filter(pk__in=missing).values_list("pk", "title"))
            return Locked(
                path_id=path.pk,
                path_title=path.title,
                missing=tuple(titles.get(p, "an item no longer published") for p in missing),
            )
    return None


def progress_of(person_id: int, path: Any, since: dt.datetime | None = None) -> PathProgress:
    items = path_items(path)
    return path_progress(items, done_items(person_id, [i.page_id for i in items], since))


def _complete_assignments(person_id: int, page_id: int, request: HttpRequest | None) -> int:
    rows = list(
        Assignment.objects.open()
        .filter(person_id=person_id, page_id=page_id)
        .values_list("pk", flat=True)
    )
    if not rows:
        return 0
    now = timezone.now()
    Assignment.objects.filter(pk__in=rows).update(completed_at=now)
    record(
        action="training.complete",
        object_type="training.assignment",
        object_id=",".join(map(str, rows)),
        object_repr=f"Page {page_id} for person {person_id}",
        after={"person": person_id, "page": page_id, "completed_at": now.isoformat()},
        request=request,
    )
    return len(rows)


def item_finished(*, attempt: Attempt, request: HttpRequest | None = None) -> None:
    """After an official attempt completes: complete the item's assignments if it is now done,
    then complete the paths holding it."""
    if attempt.practice or attempt.status != AttemptStatus.COMPLETED:
        return
    if attempt.page_id in done_items(attempt.person_id, [attempt.page_id]):
        _complete_assignments(attempt.person_id, attempt.page_id, request)
    for path in paths_holding(attempt.page_id):
        complete_path(person_id=attempt.person_id, path=path, request=request)


@transaction.atomic
def complete_path(
    *, person_id: int, path: Any, request: HttpRequest | None = None
) -> Certificate | None:
    """If the person has done every required item of `path`: complete their open assignment of
    it and, when the path gives one, issue a certificate (unless a valid one stands and this is
    not a recertification). Returns the new certificate, if any."""
    path = specific(path)
    open_assignment = (
        Assignment.objects.open().filter(person_id=person_id, page=path).order_by("pk").first()
    )
    recertifying = (
        open_assignment is not None and open_assignment.source == AssignmentSource.RECERTIFICATION
    )
    since = open_assignment.created_at if recertifying and open_assignment else None
    if not progress_of(person_id, path, since).complete:
        return None
    _complete_assignments(person_id, path.pk, request)
    if not path.certificate:
        return None
    standing = Certificate.objects.valid().filter(person_id=person_id, path=path).exists()
    if standing and not recertifying:
        return None
    from qa_platform.people.models import User

    return issue_certificate(person=User.objects.get(pk=person_id), path=path, request=request)


def add_months(when: dt.datetime, months: int) -> dt.datetime:
    month_index = when.month - 1 + months
    year, month = when.year + month_index // 12, month_index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What someone typed or followed ("abcd-efgh-…") as the stored code."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def issue_certificate(
    *,
    person: Any,
    path: Page,
    actor: Any = None,
    issued_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Certificate:
    path = specific(path)
    if path._meta.model_name != "learningpathpage":
        raise TrainingError("Certificates are issued for learning paths only.")
    if not path.certificate:
        raise TrainingError(f"“{path.title}” does not give a certificate.")
    issued = issued_at or timezone.now()
    months = int(path.validity_months or 0)
    code = new_code()
    while Certificate.objects.filter(code=code).exists():  # pragma: no cover - 80 bits
        code = new_code()
    certificate = Certificate.objects.create(
        person=person,
        path=path,
        path_title=path.title,
        person_name=person.get_full_name(),
        code=code,
        issued_at=issued,
        expires_at=add_months(issued, months) if months else None,
    )
    record(
        action="training.certificate.issue",
        actor=actor,
        obj=certificate,
        after={
            "person": person.pk,
            "path": path.pk,
            "expires_at": certificate.expires_at.isoformat() if certificate.expires_at else None,
        },
        request=request,
    )
    notify(
        recipient=person,
        kind="training.certificate",
        title=f"Certificate earned: {path.title}",
        body=f"You completed “{path.title}”. Verification code {display_code(code)}.",
        url=f"/verify/{code}/",
    )
    return certificate


@transaction.atomic
def revoke_certificate(
    *,
    certificate: Certificate,
    reason: str,
    actor: Any,
    request: HttpRequest | None = None,
) -> Certificate:
    """Revoke a certificate: the verification page then says it was revoked (not why)."""
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError("Say why the certificate is revoked.")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise TrainingError("This certificate was revoked already.")
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    record(
        action="training.certificate.revoke",
        actor=actor,
        obj=certificate,
        before={"revoked_at": None},
        after={"revoked_at": certificate.revoked_at.isoformat(), "reason": reason},
        request=request,
    )
    return certificate
