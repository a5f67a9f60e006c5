"""Training reports for leads and trainers: completion and overdue by team and item, pass
rates, average attempts, time spent, and the questions and role-play replies people get wrong
most often (a content problem or a skill gap), with CSV exports.

Scoped like everything else: a lead sees the teams they lead (and the teams below); trainers,
training leads, QA managers and administrators the teams their role reaches. Every figure is
aggregated in the database, so the number of queries stays the same however many people and
assignments there are (pinned in the tests): one per table, one for the team filter, two for the
wording of the questions and replies.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
)
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from qa_platform.http import AuthedRequest
from qa_platform.people.access import _path_q, grants_of, require_role
from qa_platform.people.models import Membership, Team
from training.access import ASSIGN_ROLES
from training.views.common import is_htmx

TEMPLATE = "training/reports/reports.html"
TOP_WRONG = 10
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
KIND_LABELS = {
    "modulepage": "Module",
    "roleplayscenariopage": "Role-play",
    "learningpathpage": "Learning path",
}


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class TeamItemRow:
    team_id: int
    team: str
    page_id: int
    item: str
    kind: str
    assigned: int
    completed: int
    overdue: int

    @property
    def completion(self) -> Decimal | None:
        return _pct(self.completed, self.assigned)


@dataclass
class ItemRow:
    page_id: int
    item: str
    kind: str
    people: int
    attempts: int
    finished: int
    passed: int
    avg_minutes: Decimal | None

    @property
    def pass_rate(self) -> Decimal | None:
        return _pct(self.passed, self.finished)

    @property
    def avg_attempts(self) -> Decimal | None:
        if not self.people:
            return None
        return (Decimal(self.attempts) / self.people).quantize(Decimal("0.1"))


@dataclass
class WrongRow:
    page_id: int
    item: str
    key: str
    text: str  # the question's prompt, or "customer line → reply"
    wrong: int
    total: int
    critical: int = 0

    @property
    def wrong_rate(self) -> Decimal | None:
        return _pct(self.wrong, self.total)


@dataclass
class Scope:
    paths: tuple[str, ...] | None  # None: everything (superusers)
    team: Team | None  # the team filter, if any

    def team_q(self, lookup: str) -> Q:
        if self.team is not None:
            return Q(**{f"{lookup}__startswith": self.team.path})
        return _path_q(self.paths, lookup)

    def people_q(self, field: str) -> Q:
        members = Membership.objects.current().filter(self.team_q("team__path"))
        if self.team is None and self.paths is None:
            return Q()
        return Q(**{f"{field}__in": members.values("user_id")})


def scope_for(user: Any, team_id: str) -> tuple[Scope, list[Team]]:
    paths = grants_of(user).paths(ASSIGN_ROLES)
    teams = list(
        Team.objects.filter(_path_q(paths, "path"), is_active=True)
        .only("pk", "name", "path", "depth")
        .order_by("path")
    )
    chosen = next((t for t in teams if str(t.pk) == team_id), None)
    return Scope(paths=paths, team=chosen), teams


def team_item_rows(scope: Scope, today: dt.date) -> list[TeamItemRow]:
    a = "user__training_assignments"
    rows = (
        Membership.objects.current()
        .filter(
            scope.team_q("team__path"),
            **{f"{a}__isnull": False, f"{a}__withdrawn_at__isnull": True},
        )
        .values(
            "team_id",
            "team__name",
            f"{a}__page_id",
            f"{a}__page__title",
            f"{a}__page__content_type__model",
        )
        .annotate(
            assigned=Count(a),
            completed=Count(a, filter=Q(**{f"{a}__completed_at__isnull": False})),
            overdue=Count(
                a,
                filter=Q(**{f"{a}__completed_at__isnull": True, f"{a}__due_at__lt": today}),
            ),
        )
        .order_by("team__name", f"{a}__page__title")
    )
    return [
        TeamItemRow(
            team_id=r["team_id"],
            team=r["team__name"],
            page_id=r[f"{a}__page_id"],
            item=r[f"{a}__page__title"],
            kind=KIND_LABELS.get(r[f"{a}__page__content_type__model"], ""),
            assigned=r["assigned"],
            completed=r["completed"],
            overdue=r["overdue"],
        )
        for r in rows
    ]


def item_rows(scope: Scope) -> list[ItemRow]:
    from training.models import Attempt, AttemptStatus

    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    finished = Q(status__in=[AttemptStatus.COMPLETED, AttemptStatus.PENDING_GRADING])
    rows = (
        Attempt.objects.counting()
        .filter(scope.people_q("person_id"))
        .values("page_id", "page__title", "page__content_type__model")
        .annotate(
            people=Count("person_id", distinct=True),
            attempts=Count("pk"),
            finished=Count("pk", filter=finished),
            passed=Count("pk", filter=Q(status=AttemptStatus.COMPLETED, passed=True)),
            avg_time=Avg(duration, filter=Q(finished_at__isnull=False)),
        )
        .order_by("page__title")
    )
    out = []
    for r in rows:
        avg = r["avg_time"]
        minutes = (
            (Decimal(avg.total_seconds()) / 60).quantize(Decimal("0.1"))
            if isinstance(avg, dt.timedelta)
            else None
        )
        out.append(
            ItemRow(
                page_id=r["page_id"],
                item=r["page__title"],
                kind=KIND_LABELS.get(r["page__content_type__model"], ""),
                people=r["people"],
                attempts=r["attempts"],
                finished=r["finished"],
                passed=r["passed"],
                avg_minutes=minutes,
            )
        )
    return out


def wrong_questions(scope: Scope) -> list[WrongRow]:
    from training.models import AnswerKind, AttemptAnswer
    from training.pages import ModulePage

    rows = list(
        AttemptAnswer.objects.filter(
            scope.people_q("attempt__person_id"),
            kind=AnswerKind.QUESTION,
            attempt__practice=False,
            correct__isnull=False,
        )
        .values("attempt__page_id", "key")
        .annotate(total=Count("pk"), wrong=Count("pk", filter=Q(correct=False)))
        .filter(wrong__gt=0)
        .order_by("-wrong", "attempt__page_id", "key")[:TOP_WRONG]
    )
    pages = {
        p.pk: p for p in ModulePage.objects.filter(pk__in={r["attempt__page_id"] for r in rows})
    }
    prompts = {(pk, q.key): q.prompt for pk, p in pages.items() for q in p.checks()}
    return [
        WrongRow(
            page_id=r["attempt__page_id"],
            item=pages[r["attempt__page_id"]].title if r["attempt__page_id"] in pages else "",
            key=r["key"],
            text=prompts.get((r["attempt__page_id"], r["key"]), r["key"]),
            wrong=r["wrong"],
            total=r["total"],
        )
        for r in rows
    ]


def wrong_replies(scope: Scope) -> list[WrongRow]:
    """Replies that lost points or were critical mistakes, most often chosen first."""
    from training.models import AnswerKind, AttemptAnswer
    from training.pages import RolePlayScenarioPage

    base = AttemptAnswer.objects.filter(
        scope.people_q("attempt__person_id"),
        kind=AnswerKind.STEP,
        attempt__practice=False,
        answer__has_key="reply",
    )
    rows = list(
        base.filter(Q(points__lt=0) | Q(critical=True))
        .values("attempt__page_id", "key", "answer__reply")
        .annotate(wrong=Count("pk"), critical=Count("pk", filter=Q(critical=True)))
        .order_by("-critical", "-wrong", "attempt__page_id", "key")[:TOP_WRONG]
    )
    pages = {
        p.pk: p
        for p in RolePlayScenarioPage.objects.filter(pk__in={r["attempt__page_id"] for r in rows})
    }
    graphs = {pk: p.graph() for pk, p in pages.items()}
    out = []
    for r in rows:
        graph = graphs.get(r["attempt__page_id"])
        step = graph.step(r["key"]) if graph else None
        reply = step.reply(str(r["answer__reply"])) if step else None
        text = reply.text if reply else str(r["answer__reply"])
        if step is not None and step.customer_text:
            text = f"“{step.customer_text}” → “{text}”"
        out.append(
            WrongRow(
                page_id=r["attempt__page_id"],
                item=pages[r["attempt__page_id"]].title if r["attempt__page_id"] in pages else "",
                key=f"{r['key']} / {r['answer__reply']}",
                text=text,
                wrong=r["wrong"],
                total=r["wrong"],
                critical=r["critical"],
            )
        )
    return out


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(filename: str, header: list[str], rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def reports(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    require_role(request.user, *ASSIGN_ROLES)
    scope, teams = scope_for(request.user, request.GET.get("team", ""))
    today = timezone.localdate()
    export = request.GET.get("export", "")
    if export == "teams":
        return _csv(
            "training-completion-by-team.csv",
            ["Team", "Item", "Kind", "Assigned", "Completed", "Overdue", "Completion %"],
            (
                [r.team, r.item, r.kind, r.assigned, r.completed, r.overdue, r.completion]
                for r in team_item_rows(scope, today)
            ),
        )
    if export == "items":
        return _csv(
            "training-results-by-item.csv",
            [
                "Item",
                "Kind",
                "People",
                "Attempts",
                "Finished",
                "Passed",
                "Pass rate %",
                "Average attempts",
                "Average minutes",
            ],
            (
                [
                    r.item,
                    r.kind,
                    r.people,
                    r.attempts,
                    r.finished,
                    r.passed,
                    r.pass_rate,
                    r.avg_attempts,
                    r.avg_minutes,
                ]
                for r in item_rows(scope)
            ),
        )
    team_rows = team_item_rows(scope, today)
    context = {
        "teams": teams,
        "scope": scope,
        "team_rows": team_rows,
        "totals": {
            "assigned": sum(r.assigned for r in team_rows),
            "completed": sum(r.completed for r in team_rows),
            "overdue": sum(r.overdue for r in team_rows),
            "completion": _pct(
                sum(r.completed for r in team_rows), sum(r.assigned for r in team_rows)
            ),
        },
        "item_rows": item_rows(scope),
        "wrong_questions": wrong_questions(scope),
        "wrong_replies": wrong_replies(scope),
        "query": f"team={scope.team.pk}" if scope.team else "",
    }
    return render(request, f"{TEMPLATE}#results" if is_htmx(request) else TEMPLATE, context)


urlpatterns: list[URLPattern] = [
    path("reports/", reports, name="reports"),
]
