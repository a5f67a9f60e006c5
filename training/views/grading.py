"""Grading free role-play responses against the linked framework's criteria.

- ``GET  /training/grading/`` (``grading``): free responses waiting for a grade, of people the
  grader reaches (never their own), oldest first.
- ``GET  /training/grading/<answer>/`` (``grade``): the conversation up to the response, the
  prompt, and one rating per criterion the step names, with the criterion's scale and guidance
  from the framework's current version, and a comment.
- ``POST`` to the same URL grades it through `training.services.grade_free_response`; the
  learner sees the result on their attempt.

Who: reviewers, leads, trainers, training leads, QA managers, administrators (others 403); a
response of someone outside their teams is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from qa_platform.http import AuthedRequest
from qa_platform.people.access import require_role
from scorecards.framework_def import Criterion, ScaleOption
from training import scenario
from training.access import GRADER_ROLES, people_in_reach_q
from training.services.attempts import FREE_RESPONSE_SCALE, OVERALL, free_response_scales
from training.services.common import TrainingError
from training.views.common import error_text, is_htmx, page_of_attempt
from training.views.scenarios import turns_of

PAGE_SIZE = 50
COMMENT_MAX = 4000


def waiting_for_grade(user: Any) -> Any:
    """Free responses `user` may grade that have no grade yet (the grading queue). Practice
    conversations are never graded, so never queued."""
    from training.models import AnswerKind, AttemptAnswer, AttemptStatus

    return AttemptAnswer.objects.filter(
        people_in_reach_q(user, GRADER_ROLES, "attempt__person_id"),
        kind=AnswerKind.STEP,
        attempt__status=AttemptStatus.PENDING_GRADING,
        attempt__practice=False,
        grade__isnull=True,
        answer__has_key="text",
    ).exclude(attempt__person=user)


@require_GET
def grading(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *GRADER_ROLES)
    rows = (
        waiting_for_grade(request.user)
        .select_related("attempt__person", "attempt__page")
        .order_by("answered_at", "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "training/learn/grading.html"
    return render(
        request,
        f"{template}#results" if is_htmx(request) else template,
        {"page_obj": page, "answers": page.object_list},
    )


@dataclass
class CriterionField:
    criterion: Criterion
    value: str
    error: str = ""

    @property
    def name(self) -> str:
        return f"rating-{self.criterion.key}"


OVERALL_CRITERION = Criterion(
    key=OVERALL,
    title="Overall",
    guidance="How well the reply handles the customer, as a whole.",
    scale="custom",
    options=tuple(ScaleOption(value=v, label=label) for v, label in FREE_RESPONSE_SCALE),
)


def _criteria_for(page: Any, attempt: Any, step: scenario.Step | None) -> list[Criterion]:
    """What the response is rated on: the step's criteria in the current version of the
    role-play's framework (scale and guidance from there), else one overall rating."""
    from scorecards.models import FrameworkVersion

    scales = free_response_scales(attempt, step)
    if OVERALL in scales:
        return [OVERALL_CRITERION]
    version = (
        FrameworkVersion.objects.filter(framework_id=page.framework_id).order_by("-number").first()
    )
    if version is None:  # pragma: no cover - free_response_scales found one a moment ago
        return [OVERALL_CRITERION]
    return [version.defn.criterion(key) for key in scales]


@require_http_methods(["GET", "POST"])
def grade(request: AuthedRequest, answer_id: int) -> HttpResponse:
    from training.models import AttemptAnswer, FreeResponseGrade
    from training.services import grade_free_response

    require_role(request.user, *GRADER_ROLES)
    answer = (
        AttemptAnswer.objects.filter(
            people_in_reach_q(request.user, GRADER_ROLES, "attempt__person_id"),
            pk=answer_id,
            answer__has_key="text",
        )
        .exclude(attempt__person=request.user)
        .select_related("attempt__person", "attempt__revision")
        .defer("attempt__revision__content")
        .first()
    )
    if answer is None:
        raise Http404
    attempt = answer.attempt
    page = page_of_attempt(attempt)
    graph = page.graph()
    step = graph.step(answer.key)
    criteria = _criteria_for(page, attempt, step)
    existing = FreeResponseGrade.objects.filter(answer=answer).first()
    fields = [
        CriterionField(
            criterion=c,
            value=str((existing.ratings if existing else {}).get(c.key, "")),
        )
        for c in criteria
    ]
    comment = existing.comment if existing else ""
    errors: list[str] = []
    if request.method == "POST":
        comment = request.POST.get("comment", "").strip()
        ratings: dict[str, str] = {}
        for f in fields:
            f.value = request.POST.get(f.name, "").strip()
            allowed = {str(o.value) for o in f.criterion.options}
            if not f.value:
                f.error = "Choose a rating."
            elif f.value not in allowed:
                f.error = "That rating is not on this criterion's scale."
            else:
                ratings[f.criterion.key] = f.value
        if len(comment) > COMMENT_MAX:
            errors.append(f"Keep the comment under {COMMENT_MAX} characters.")
        if not errors and not any(f.error for f in fields):
            try:
                grade_free_response(
                    answer=answer,
                    grader=request.user,
                    ratings=ratings,
                    comment=comment,
                    by=request.user,
                    request=request,
                )
            except TrainingError as exc:
                errors.append(error_text(exc))
            else:
                messages.success(request, f"Graded {attempt.person.get_full_name()}'s response.")
                return redirect("training:grading")
    answers = list(AttemptAnswer.objects.filter(attempt=attempt).order_by("ordinal", "pk"))
    earlier = [a for a in answers if a.ordinal < answer.ordinal]
    return render(
        request,
        "training/learn/grade.html",
        {
            "answer": answer,
            "attempt": attempt,
            "page": page,
            "step": step,
            "turns": turns_of(graph, earlier, {}),
            "fields": fields,
            "comment": comment,
            "errors": errors,
            "existing": existing,
            "field_errors": [f for f in fields if f.error],
        },
        status=400 if errors or any(f.error for f in fields) else 200,
    )


urlpatterns: list[URLPattern] = [
    path("grading/", grading, name="grading"),
    path("grading/<int:answer_id>/", grade, name="grade"),
]
