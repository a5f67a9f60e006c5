"""Playing a role-play: a chat-like conversation with a customer persona.

- ``GET  /training/scenarios/<page>/`` (``scenario``): the persona, the situation, the goal, past
  attempts, and "Start" / "Resume" / "Practise".
- ``POST /training/scenarios/<page>/start/`` (``scenario_start``): resumes the open attempt of
  that kind or starts one pinned to the live revision.
- ``GET  /training/scenarios/<page>/attempts/<id>/`` (``scenario_attempt``): the conversation so
  far, the customer's current line and the agent's replies as buttons (or a text box for a free
  response); at the end the outcome, the debrief, the path taken and the best path.
- ``POST .../answer/`` (``scenario_answer``): one reply or free response for the step shown. htmx
  gets the conversation back (feedback on the reply just chosen, then the next line); a plain
  POST is redirected. The step shown travels with the answer, so answering the same step twice
  (two tabs, a double click) is refused by the service rather than skipping a step.

The page is always the one the attempt began on (its revision), parsed once per process.
The answer view stays lean: one query for the attempt, the service's writes, one for the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_POST

from qa_platform.http import AuthedRequest
from training import scenario
from training.services.attempts import FREE_RESPONSE_MAX
from training.services.common import TrainingError
from training.services.completion import done_items, locked_by
from training.views.common import (
    error_text,
    is_htmx,
    live_page_or_404,
    own_attempt_or_404,
    page_of_attempt,
    start_or_resume,
)

TEMPLATE = "training/learn/scenario_attempt.html"
IN_PROGRESS = "in_progress"
OUTCOME_LABELS = {"resolved": "Resolved", "escalated": "Escalated", "lost": "Customer lost"}


@dataclass
class Turn:
    """One exchange in the conversation: what the customer said and what the agent answered."""

    step: scenario.Step | None
    customer_text: str
    agent_text: str
    feedback: str = ""
    points: int | None = None
    critical: bool = False
    free: bool = False
    grade: Any = None  # FreeResponseGrade once graded
    best: bool | None = None  # whether the reply is the one on the best path from this step


@dataclass
class BestMove:
    customer_text: str
    reply_text: str
    points: int | None
    end: bool = False


def _graph(page: Any) -> scenario.Graph:
    cached = page.__dict__.get("_graph")
    if cached is None:
        cached = page.__dict__["_graph"] = page.graph()
    return cached


def _best(page: Any) -> scenario.Path | None:
    if "_best" not in page.__dict__:
        page.__dict__["_best"] = scenario.best_path(_graph(page))
    return page.__dict__["_best"]


def turns_of(graph: scenario.Graph, answers: list[Any], grades: dict[int, Any]) -> list[Turn]:
    turns = []
    for a in answers:
        step = graph.step(a.key)
        stored = a.answer if isinstance(a.answer, dict) else {"reply": a.answer}
        reply_key = stored.get("reply") or stored.get("choice")
        if step is not None and step.kind == scenario.FREE:
            turns.append(
                Turn(
                    step=step,
                    customer_text=step.customer_text,
                    agent_text=str(stored.get("text", "")),
                    free=True,
                    grade=grades.get(a.pk),
                    points=a.points if a.pk in grades else None,
                )
            )
            continue
        reply = step.reply(str(reply_key)) if step is not None and reply_key else None
        turns.append(
            Turn(
                step=step,
                customer_text=step.customer_text if step is not None else "",
                agent_text=reply.text if reply is not None else str(reply_key or ""),
                feedback=a.feedback or (reply.feedback if reply is not None else ""),
                points=a.points,
                critical=bool(a.critical),
            )
        )
    return turns


def _answered_moves(graph: scenario.Graph, best: scenario.Path) -> tuple[tuple[str, Any], ...]:
    """The best path's moves the learner answers (end steps take no answer)."""
    return tuple(
        (step_key, reply_key)
        for step_key, reply_key in best.moves
        if (step := graph.step(step_key)) is not None and step.kind != scenario.END
    )


def best_moves(graph: scenario.Graph, best: scenario.Path | None) -> list[BestMove]:
    if best is None:
        return []
    moves = []
    for step_key, reply_key in best.moves:
        step = graph.step(step_key)
        if step is None:
            continue
        reply = step.reply(reply_key) if reply_key else None
        if step.kind == scenario.END:
            text = f"Outcome: {OUTCOME_LABELS.get(step.outcome, step.outcome)}"
        elif reply is not None:
            text = reply.text
        else:
            text = (
                f"A written reply ({step.free_prompt})" if step.free_prompt else "A written reply"
            )
        moves.append(
            BestMove(
                customer_text=step.customer_text,
                reply_text=text,
                points=reply.points if reply is not None else None,
                end=step.kind == scenario.END,
            )
        )
    return moves


def _answers(attempt: Any) -> tuple[list[Any], dict[int, Any]]:
    from training.models import AttemptAnswer, FreeResponseGrade

    answers = list(AttemptAnswer.objects.filter(attempt=attempt).order_by("ordinal", "pk"))
    grades: dict[int, Any] = {}
    if attempt.status != IN_PROGRESS and any(a.correct is None for a in answers):
        grades = {
            g.answer_id: g
            for g in FreeResponseGrade.objects.filter(answer__attempt=attempt).select_related(
                "grader"
            )
        }
    return answers, grades


def _chat_context(attempt: Any) -> dict[str, Any]:
    page = page_of_attempt(attempt)
    graph = _graph(page)
    answers, grades = _answers(attempt)
    current = graph.step(attempt.current_step) if attempt.current_step else None
    finished = attempt.status != IN_PROGRESS
    context: dict[str, Any] = {
        "page": page,
        "attempt": attempt,
        "turns": turns_of(graph, answers, grades),
        "current": current,
        "finished": finished,
        "answer_url": reverse("training:scenario_answer", args=[attempt.page_id, attempt.pk]),
        "free_max": FREE_RESPONSE_MAX,
    }
    end = current if current is not None and current.kind == scenario.END else None
    if finished or end is not None:
        best = _best(page)
        context.update(
            {
                "end": end,
                "outcome_label": OUTCOME_LABELS.get(end.outcome, "") if end else "",
                "best_moves": best_moves(graph, best),
                "best_points": best.points if best else None,
                "max_points": attempt.max_points,
                "critical_count": sum(1 for a in answers if a.critical),
                "took_best_path": best is not None
                and tuple((a.key, (a.answer or {}).get("reply")) for a in answers)
                == _answered_moves(graph, best),
            }
        )
    return context


def _attempts_of(person: Any, page_id: int) -> list[Any]:
    from training.models import Attempt

    return list(
        Attempt.objects.filter(person=person, page_id=page_id).order_by("-started_at", "-pk")
    )


@require_GET
def scenario_view(request: AuthedRequest, page_id: int) -> HttpResponse:
    from training.models import Assignment
    from training.pages import RolePlayScenarioPage

    page = live_page_or_404(RolePlayScenarioPage, page_id)
    attempts = _attempts_of(request.user, page_id)
    return render(
        request,
        "training/learn/scenario.html",
        {
            "page": page,
            "persona": page.persona,
            "attempts": attempts,
            "open_official": next(
                (a for a in attempts if not a.practice and a.status == IN_PROGRESS), None
            ),
            "open_practice": next(
                (a for a in attempts if a.practice and a.status == IN_PROGRESS), None
            ),
            "outcome_labels": OUTCOME_LABELS,
            "locked": locked_by(request.user.pk, page_id),
            "done": page_id in done_items(request.user.pk, [page_id]),
            "assignment": Assignment.objects.filter(
                person=request.user, page_id=page_id, withdrawn_at__isnull=True
            )
            .order_by("-created_at")
            .first(),
        },
    )


@require_POST
def scenario_start(request: AuthedRequest, page_id: int) -> HttpResponse:
    from training.pages import RolePlayScenarioPage

    page = live_page_or_404(RolePlayScenarioPage, page_id)
    return start_or_resume(
        request, page, page_view="training:scenario", attempt_view="training:scenario_attempt"
    )


@require_GET
def scenario_attempt(request: AuthedRequest, page_id: int, attempt_id: int) -> HttpResponse:
    attempt = own_attempt_or_404(request, attempt_id, page_id)
    context = _chat_context(attempt)
    if is_htmx(request):
        return render(request, f"{TEMPLATE}#chat", context)
    page = context["page"]
    context["persona"] = page.persona
    current = context["current"]
    if current is not None:
        context["current_media"] = _step_media(page, current.key)
    return render(request, TEMPLATE, context)


def _step_media(page: Any, step_key: str) -> dict[str, Any]:
    for block in page.steps:
        if block.value["key"] == step_key:
            return {"image": block.value.get("image"), "audio": block.value.get("audio")}
    return {}


@require_POST
def scenario_answer(request: AuthedRequest, page_id: int, attempt_id: int) -> HttpResponse:
    from training.services import answer_step

    attempt = own_attempt_or_404(request, attempt_id, page_id)
    step_key = request.POST.get("step", "")
    reply_key = request.POST.get("reply") or None
    text = request.POST.get("text")
    error = ""
    try:
        result = answer_step(
            attempt=attempt,
            step_key=step_key,
            reply_key=reply_key,
            text=text,
            by=request.user,
            request=request,
        )
    except TrainingError as exc:
        error = error_text(exc)
    if is_htmx(request):
        if error:
            # Where the conversation is now (another tab may have moved it on).
            attempt = own_attempt_or_404(request, attempt_id, page_id)
        else:
            revision = attempt.revision
            attempt = result.attempt
            attempt.revision = revision  # the same pinned revision, already loaded
        context = _chat_context(attempt)
        context["error"] = error
        return render(request, f"{TEMPLATE}#chat", context)
    if error:
        messages.error(request, error)
    url = reverse("training:scenario_attempt", args=[page_id, attempt_id])
    return redirect(f"{url}#latest")


urlpatterns: list[URLPattern] = [
    path("scenarios/<int:page_id>/", scenario_view, name="scenario"),
    path("scenarios/<int:page_id>/start/", scenario_start, name="scenario_start"),
    path(
        "scenarios/<int:page_id>/attempts/<int:attempt_id>/",
        scenario_attempt,
        name="scenario_attempt",
    ),
    path(
        "scenarios/<int:page_id>/attempts/<int:attempt_id>/answer/",
        scenario_answer,
        name="scenario_answer",
    ),
]
