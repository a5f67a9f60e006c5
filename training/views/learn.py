"""The learner's side: "My training" (assigned items, progress per path, a library of optional
material), a learning path's page, and the "Training due" panel on the agent's home.

Reads only: one query for the person's assignments, one for their official attempts, one for the
pages those need (plus one per page type, Wagtail's `.specific()`), one for the paths' items. The
number of queries does not grow with the number of assignments (pinned in the tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from wagtail.models import Page

from qa_platform.http import AuthedRequest
from training import progress
from training.progress import AttemptFacts, PathItem, PathProgress, Status
from training.views.common import is_htmx, live_page_or_404

KIND_LABELS = {
    "modulepage": "Module",
    "roleplayscenariopage": "Role-play",
    "learningpathpage": "Learning path",
}
HOME_PANEL_LIMIT = 5
# Statuses in the order the learner should act on them.
STATUS_ORDER = {
    Status.OVERDUE: 0,
    Status.IN_PROGRESS: 1,
    Status.ASSIGNED: 2,
    Status.PENDING_GRADING: 3,
    Status.COMPLETED: 4,
}


def page_kind(page: Any) -> str:
    return str(page._meta.model_name)


def learn_url(page_id: int, kind: str) -> str:
    """Where the learner takes an item: its module, role-play or path page in /training/."""
    name = {
        "modulepage": "training:module",
        "roleplayscenariopage": "training:scenario",
        "learningpathpage": "training:path",
    }.get(kind)
    if name is None:
        return ""
    return reverse(name, args=[page_id])


@dataclass
class PathItemRow:
    page_id: int
    title: str
    kind: str
    url: str
    required: bool
    done: bool
    locked: bool
    waiting_for: tuple[str, ...] = ()  # titles of the prerequisites not done yet

    @property
    def locked_reason(self) -> str:
        names = " and ".join(f"“{title}”" for title in self.waiting_for)
        return f"finish {names} first" if names else ""


@dataclass
class TrainingRow:
    assignment: Any
    page_id: int
    title: str
    kind: str
    kind_label: str
    url: str
    status: Status
    due_at: dt.date | None
    summary: str = ""
    estimated_minutes: int | None = None
    path: PathProgress | None = None
    path_items: list[PathItemRow] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def sort_key(self) -> tuple[int, dt.date, str]:
        return (STATUS_ORDER[self.status], self.due_at or dt.date.max, self.title)


def path_items_of(path_page: Any) -> list[PathItem]:
    """A path's items from its stream's raw data (page ids only; no page is loaded)."""
    from training.services.common import path_items

    return path_items(path_page)


def _facts_by_page(person: Any) -> dict[int, list[AttemptFacts]]:
    """The person's official attempts per page, in the order they finished (one query)."""
    from training.services.completion import attempt_facts

    return attempt_facts(person.pk)


def _done_page_ids(facts: Mapping[int, Sequence[AttemptFacts]]) -> set[int]:
    """Items whose counting attempt passed (`progress.item_done`, the one rule)."""
    return {page_id for page_id, attempts in facts.items() if progress.item_done(attempts)}


@dataclass(frozen=True)
class LibraryItem:
    page_id: int
    title: str
    kind_label: str
    url: str
    summary: str
    estimated_minutes: int | None
    done: bool


@dataclass
class MyTraining:
    rows: list[TrainingRow]
    library: list[LibraryItem]

    @property
    def due(self) -> list[TrainingRow]:
        return [r for r in self.rows if r.status not in (Status.COMPLETED,)]

    @property
    def done(self) -> list[TrainingRow]:
        return [r for r in self.rows if r.status == Status.COMPLETED]

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.rows if r.status == Status.OVERDUE)


def my_training_of(person: Any, *, with_library: bool = True) -> MyTraining:
    """The person's open and recently completed assignments with status, and the library."""
    from training.models import Assignment
    from training.pages import LearningPathPage

    today = timezone.localdate()
    assignments = list(
        Assignment.objects.filter(person=person, withdrawn_at__isnull=True).order_by("due_at", "pk")
    )
    facts = _facts_by_page(person)
    done_ids = _done_page_ids(facts)
    assigned_ids = {a.page_id for a in assignments}

    # Paths (their items need the stream) in one query; everything else with streams deferred.
    paths = {
        p.pk: p
        for p in LearningPathPage.objects.filter(pk__in=assigned_ids).only(
            "pk", "title", "items", "summary"
        )
    }
    item_ids = {item.page_id for p in paths.values() for item in path_items_of(p)}
    wanted = Q(pk__in=(assigned_ids | item_ids) - set(paths))
    if with_library:
        wanted |= (
            Q(live=True)
            & (Q(content_type__model="modulepage") | Q(content_type__model="roleplayscenariopage"))
            & Q(content_type__app_label="training")
        )
    pages: dict[int, Any] = {
        p.pk: p for p in Page.objects.filter(wanted).defer_streamfields().specific()
    }

    rows: list[TrainingRow] = []
    for a in assignments:
        page = paths.get(a.page_id) or pages.get(a.page_id)
        if page is None:
            continue
        kind = page_kind(page)
        row = TrainingRow(
            assignment=a,
            page_id=a.page_id,
            title=page.title,
            kind=kind,
            kind_label=KIND_LABELS.get(kind, "Item"),
            url=learn_url(a.page_id, kind),
            status=Status.ASSIGNED,
            due_at=a.due_at,
            summary=str(getattr(page, "summary", "") or ""),
            estimated_minutes=getattr(page, "estimated_minutes", None),
        )
        if a.page_id in paths:
            items = path_items_of(page)
            prog = progress.path_progress(items, done_ids)
            row.path = prog
            row.path_items = _item_rows(prog, items, pages, done_ids)
            started = any(i.page_id in facts for i in items)
            attempts = [AttemptFacts(status=progress.IN_PROGRESS)] if started else []
            row.status = progress.assignment_status(
                attempts=attempts,
                due_at=a.due_at,
                today=today,
                completed=a.completed_at is not None or prog.complete,
            )
        else:
            row.status = progress.assignment_status(
                attempts=facts.get(a.page_id, ()),
                due_at=a.due_at,
                today=today,
                completed=a.completed_at is not None,
            )
        rows.append(row)
    rows.sort(key=lambda r: r.sort_key)
    library: list[LibraryItem] = []
    if with_library:
        pages_in_library = sorted(
            (
                p
                for pk, p in pages.items()
                if p.live
                and pk not in assigned_ids
                and page_kind(p) in ("modulepage", "roleplayscenariopage")
            ),
            key=lambda p: p.title,
        )
        library = [
            LibraryItem(
                page_id=p.pk,
                title=p.title,
                kind_label=KIND_LABELS[page_kind(p)],
                url=learn_url(p.pk, page_kind(p)),
                summary=str(getattr(p, "summary", "") or ""),
                estimated_minutes=getattr(p, "estimated_minutes", None),
                done=p.pk in done_ids,
            )
            for p in pages_in_library
        ]
    return MyTraining(rows=rows, library=library)


def _item_rows(
    prog: PathProgress, items: Sequence[PathItem], pages: Mapping[int, Any], done: set[int]
) -> list[PathItemRow]:
    """A path's items for the learner, each locked one naming the prerequisites it waits for."""
    prerequisites = {item.page_id: item.prerequisites for item in items}
    rows = []
    for state in prog.items:
        page = pages.get(state.page_id)
        kind = page_kind(page) if page is not None else ""
        live = page is not None and page.live
        waiting = tuple(
            pages[p].title if p in pages else "an item no longer published"
            for p in prerequisites.get(state.page_id, ())
            if p not in done
        )
        rows.append(
            PathItemRow(
                page_id=state.page_id,
                title=page.title if page is not None else "An item no longer published",
                kind=KIND_LABELS.get(kind, "Item"),
                url=learn_url(state.page_id, kind) if live else "",
                required=state.required,
                done=state.done,
                locked=state.locked,
                waiting_for=waiting,
            )
        )
    return rows


def training_due(person: Any, limit: int = HOME_PANEL_LIMIT) -> dict[str, Any]:
    """What the agent's home shows: the next items due (overdue first) and how many in all."""
    mine = my_training_of(person, with_library=False)
    due = mine.due
    return {
        "training_due": due[:limit],
        "training_due_count": len(due),
        "training_due_more": max(len(due) - limit, 0),
        "training_overdue_count": mine.overdue_count,
    }


@require_GET
def my_training(request: AuthedRequest) -> HttpResponse:
    """Everyone's own training: what is assigned, what is done, and optional material."""
    from training.models import Certificate

    mine = my_training_of(request.user)
    template = "training/learn/my_training.html"
    certificates = list(Certificate.objects.filter(person=request.user).order_by("-issued_at"))
    context = {"mine": mine, "certificates": certificates}
    return render(request, f"{template}#assigned" if is_htmx(request) else template, context)


@require_GET
def learning_path(request: AuthedRequest, page_id: int) -> HttpResponse:
    """A learning path: its items in order with what is done, open or locked."""
    from training.models import Assignment
    from training.pages import LearningPathPage

    path_page = live_page_or_404(LearningPathPage, page_id)
    facts = _facts_by_page(request.user)
    items = path_items_of(path_page)
    done_ids = _done_page_ids(facts)
    prog = progress.path_progress(items, done_ids)
    pages = {
        p.pk: p
        for p in Page.objects.filter(pk__in=[i.page_id for i in items])
        .defer_streamfields()
        .specific()
    }
    assignment = (
        Assignment.objects.filter(person=request.user, page_id=page_id, withdrawn_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    return render(
        request,
        "training/learn/path.html",
        {
            "page": path_page,
            "progress": prog,
            "items": _item_rows(prog, items, pages, done_ids),
            "assignment": assignment,
        },
    )


urlpatterns: list[URLPattern] = [
    path("", my_training, name="my_training"),
    path("paths/<int:page_id>/", learning_path, name="path"),
]
