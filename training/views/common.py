"""Small helpers shared by the training views: roles, live pages, attempts pinned to revisions."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from wagtail.models import Page, Revision

from qa_platform.http import AuthedRequest
from qa_platform.people.roles import Role
from training.access import ASSIGN_ROLES, GRADER_ROLES, TRAINER_ROLES

__all__ = ["ASSIGN_ROLES", "GRADER_ROLES", "MANAGER_ROLES", "TRAINER_ROLES"]

if TYPE_CHECKING:
    from training.models import Attempt

# Who assigns training, reads training reports and issued certificates: leads and trainers.
MANAGER_ROLES: tuple[Role, ...] = ASSIGN_ROLES


def is_htmx(request: AuthedRequest) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def error_text(exc: Exception) -> str:
    """A service's refusal in words (training.services raise TrainingError with the message)."""
    return str(exc)


def live_page_or_404[P: Page](model: type[P], page_id: int) -> P:
    """A published page of `model` (unpublished, missing or another type: 404)."""
    page = model.objects.live().filter(pk=page_id).first()  # type: ignore[attr-defined]
    if page is None:
        raise Http404
    return page


@lru_cache(maxsize=256)
def _page_at_revision(revision_id: int, created_at: Any) -> Any:
    """The page as it was at a revision. Revisions never change, so each is parsed once per
    process: a role-play step answer does not re-read and re-parse the page's JSON. The key
    carries the revision's creation time too, so a reused id (a test database) never matches."""
    return Revision.objects.get(pk=revision_id).as_object()


def page_of_attempt(attempt: Attempt) -> Any:
    """The page the attempt was taken on, rebuilt from its pinned revision (never the live one)."""
    return _page_at_revision(attempt.revision_id, attempt.revision.created_at)


def own_attempt_or_404(request: AuthedRequest, attempt_id: int, page_id: int) -> Attempt:
    """The signed-in person's own attempt of that page; anyone else's attempt is a 404."""
    from training.models import Attempt

    attempt = (
        Attempt.objects.filter(pk=attempt_id, page_id=page_id, person=request.user)
        .select_related("revision")
        .defer("revision__content")
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


def start_or_resume(
    request: AuthedRequest, page: Page, *, page_view: str, attempt_view: str
) -> HttpResponse:
    """POST "Start" of a module or role-play: the person's open attempt (official or practice, as
    asked), or a new one tied to their open assignment of the page; refusals go back to the page."""
    from training.models import Assignment, Attempt, AttemptStatus
    from training.services import start_attempt
    from training.services.common import TrainingError

    practice = request.POST.get("practice") == "1"
    existing = Attempt.objects.filter(
        person=request.user, page_id=page.pk, practice=practice, status=AttemptStatus.IN_PROGRESS
    ).first()
    if existing is not None:
        return redirect(attempt_view, page.pk, existing.pk)
    assignment = None
    if not practice:
        assignment = Assignment.objects.filter(
            person=request.user,
            page_id=page.pk,
            withdrawn_at__isnull=True,
            completed_at__isnull=True,
        ).first()
    try:
        attempt = start_attempt(
            person=request.user,
            page=page,
            practice=practice,
            assignment=assignment,
            by=request.user,
            request=request,
        )
    except TrainingError as exc:
        messages.error(request, error_text(exc))
        return redirect(page_view, page.pk)
    return redirect(attempt_view, page.pk, attempt.pk)
