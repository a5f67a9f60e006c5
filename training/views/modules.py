"""Taking a module: read, answer its knowledge checks, see the result.

- ``GET  /training/modules/<page>/`` (``module``): what the module is, the pass mark, attempts
  used and left, results so far, and "Start" / "Resume" / "Practise".
- ``POST /training/modules/<page>/start/`` (``module_start``): resumes the open attempt of that
  kind (official or practice) or starts one, pinned to the page's live revision.
- ``GET  /training/modules/<page>/attempts/<id>/`` (``module_attempt``): the module as it was
  when the attempt began (its revision, never the live page), up to the first unanswered
  question: every answer is stored before the next part is shown, so leaving loses nothing.
- ``POST .../answer/`` (``module_answer``): one answer; htmx gets the module's body back (with
  feedback when the module gives it after each answer), a plain POST is redirected.
- ``POST .../submit/`` (``module_submit``): marks the attempt; the result page follows.

Only the person's own attempts are reachable (anyone else's is a 404). The services refuse
answering a finished attempt, answering a question twice and choice keys that do not exist;
the views show their message and change nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_POST

from qa_platform.http import AuthedRequest
from training import progress
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

TEMPLATE = "training/learn/module_attempt.html"
CHECK_KINDS = ("single_choice", "multiple_choice", "true_false", "ordering", "short_answer")
IN_PROGRESS = "in_progress"


@dataclass
class Segment:
    """One block of the module as the learner sees it: content, or a question with its state."""

    kind: str  # block type
    block: Any  # the StreamChild (content blocks render with {% include_block %})
    is_check: bool
    number: int = 0  # question number (1-based) for checks
    answer: Any = None  # the stored AttemptAnswer, if answered
    show_feedback: bool = False
    shown_answer: str = ""  # the learner's answer in words
    options: list[dict[str, str]] | None = None  # choices or items to order, as shown

    @property
    def key(self) -> str:
        return str(self.block.value.get("key", "")) if self.is_check else ""


def _shown_options(kind: str, value: Any, seed: int) -> list[dict[str, str]] | None:
    if kind in ("single_choice", "multiple_choice"):
        return [{"key": c["key"], "text": c["text"]} for c in value["choices"]]
    if kind == "true_false":
        return [{"key": "true", "text": "True"}, {"key": "false", "text": "False"}]
    if kind == "ordering":
        items = [{"key": i["key"], "text": i["text"]} for i in value["items"]]
        # Shuffled the same way every time this attempt shows the question.
        random.Random(f"{seed}-{value['key']}").shuffle(items)
        return items
    return None


def _answer_in_words(kind: str, value: Any, stored: Any) -> str:
    """The learner's stored answer as text ("Refund within 14 days", "B, A, C")."""
    texts: dict[str, str] = {}
    if kind in ("single_choice", "multiple_choice"):
        texts = {c["key"]: c["text"] for c in value["choices"]}
    elif kind == "ordering":
        texts = {i["key"]: i["text"] for i in value["items"]}
    elif kind == "true_false":
        texts = {"true": "True", "false": "False", "True": "True", "False": "False"}
    if isinstance(stored, dict):
        for name in ("choice", "choices", "value", "order", "text", "answer"):
            if name in stored:
                stored = stored[name]
                break
    if isinstance(stored, bool):
        return "True" if stored else "False"
    if isinstance(stored, list):
        return ", ".join(texts.get(str(k), str(k)) for k in stored)
    return texts.get(str(stored), str(stored))


def build_segments(page: Any, attempt: Any, answers: dict[str, Any]) -> tuple[list[Segment], bool]:
    """The module up to and including its first unanswered question, and whether every
    question is answered."""
    finished = attempt.status != IN_PROGRESS
    feedback_each = getattr(page, "feedback_timing", "each") == "each"
    segments: list[Segment] = []
    number = 0
    for block in page.body:
        if block.block_type not in CHECK_KINDS:
            segments.append(Segment(kind=block.block_type, block=block, is_check=False))
            continue
        number += 1
        key = block.value["key"]
        answer = answers.get(key)
        seg = Segment(
            kind=block.block_type,
            block=block,
            is_check=True,
            number=number,
            answer=answer,
            show_feedback=answer is not None and (feedback_each or finished),
            options=_shown_options(block.block_type, block.value, attempt.pk),
        )
        if answer is not None:
            seg.shown_answer = _answer_in_words(block.block_type, block.value, answer.answer)
        segments.append(seg)
        if answer is None and not finished:
            return segments, False
    return segments, True


def raw_answer(request: AuthedRequest, kind: str) -> Any:
    """The answer as posted, in the shape training.checks.parse_answer reads."""
    if kind == "multiple_choice":
        return request.POST.getlist("choice")
    if kind == "ordering":
        return request.POST.getlist("order")
    if kind == "short_answer":
        return request.POST.get("text", "")
    return request.POST.get("choice", "")


def _attempts_of(person: Any, page_id: int) -> list[Any]:
    from training.models import Attempt

    return list(
        Attempt.objects.filter(person=person, page_id=page_id).order_by("-started_at", "-pk")
    )


def _counts_against_limit(attempt: Any) -> bool:
    return not attempt.practice and attempt.status != "abandoned"


@require_GET
def module(request: AuthedRequest, page_id: int) -> HttpResponse:
    from training.models import Assignment
    from training.pages import ModulePage

    page = live_page_or_404(ModulePage, page_id)
    attempts = _attempts_of(request.user, page_id)
    official = [a for a in attempts if not a.practice]
    used = sum(1 for a in official if _counts_against_limit(a))
    left = progress.attempts_left(limit=page.attempt_limit, used=used)
    open_official = next((a for a in official if a.status == IN_PROGRESS), None)
    open_practice = next((a for a in attempts if a.practice and a.status == IN_PROGRESS), None)
    assignment = (
        Assignment.objects.filter(person=request.user, page_id=page_id, withdrawn_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    locked = None if open_official else locked_by(request.user.pk, page_id)
    return render(
        request,
        "training/learn/module.html",
        {
            "page": page,
            "attempts": attempts,
            "official": official,
            "attempts_used": used,
            "attempts_left": left,
            "can_start": left is None or left > 0,
            "open_official": open_official,
            "open_practice": open_practice,
            # The module's result as everywhere else: the best or last official attempt.
            "passed": page_id in done_items(request.user.pk, [page_id]),
            "locked": locked,
            "assignment": assignment,
            "question_count": len([b for b in page.body if b.block_type in CHECK_KINDS]),
        },
    )


@require_POST
def module_start(request: AuthedRequest, page_id: int) -> HttpResponse:
    from training.pages import ModulePage

    page = live_page_or_404(ModulePage, page_id)
    return start_or_resume(
        request, page, page_view="training:module", attempt_view="training:module_attempt"
    )


def _attempt_context(request: AuthedRequest, attempt: Any) -> dict[str, Any]:
    from training.models import AttemptAnswer

    page = page_of_attempt(attempt)
    answers = {a.key: a for a in AttemptAnswer.objects.filter(attempt=attempt)}
    segments, all_answered = build_segments(page, attempt, answers)
    questions = sum(1 for b in page.body if b.block_type in CHECK_KINDS)
    return {
        "page": page,
        "page_id": attempt.page_id,
        "attempt": attempt,
        "segments": segments,
        "all_answered": all_answered,
        "answered": len(answers),
        "questions": questions,
        "finished": attempt.status != IN_PROGRESS,
        "feedback_each": getattr(page, "feedback_timing", "each") == "each",
        "answer_url": reverse("training:module_answer", args=[attempt.page_id, attempt.pk]),
        "submit_url": reverse("training:module_submit", args=[attempt.page_id, attempt.pk]),
    }


@require_GET
def module_attempt(request: AuthedRequest, page_id: int, attempt_id: int) -> HttpResponse:
    attempt = own_attempt_or_404(request, attempt_id, page_id)
    context = _attempt_context(request, attempt)
    if attempt.status != IN_PROGRESS and not attempt.practice:
        from training.pages import ModulePage

        live = ModulePage.objects.live().filter(pk=page_id).first()
        if live is not None:
            used = sum(1 for a in _attempts_of(request.user, page_id) if _counts_against_limit(a))
            context["attempts_left"] = progress.attempts_left(limit=live.attempt_limit, used=used)
            context["can_retry"] = context["attempts_left"] is None or context["attempts_left"] > 0
    return render(request, f"{TEMPLATE}#body" if is_htmx(request) else TEMPLATE, context)


def _back_to_attempt(request: AuthedRequest, attempt: Any, anchor: str = "") -> HttpResponse:
    if is_htmx(request):
        attempt = own_attempt_or_404(request, attempt.pk, attempt.page_id)
        return render(request, f"{TEMPLATE}#body", _attempt_context(request, attempt))
    url = reverse("training:module_attempt", args=[attempt.page_id, attempt.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@require_POST
def module_answer(request: AuthedRequest, page_id: int, attempt_id: int) -> HttpResponse:
    from training.services import answer_question

    attempt = own_attempt_or_404(request, attempt_id, page_id)
    key = request.POST.get("key", "")
    page = page_of_attempt(attempt)
    kind = next(
        (b.block_type for b in page.body if b.block_type in CHECK_KINDS and b.value["key"] == key),
        None,
    )
    if kind is None:
        messages.error(request, "That question is not part of this module.")
        return _back_to_attempt(request, attempt)
    try:
        answer_question(attempt=attempt, key=key, raw=raw_answer(request, kind), by=request.user)
    except TrainingError as exc:
        messages.error(request, error_text(exc))
    return _back_to_attempt(request, attempt, f"check-{key}")


@require_POST
def module_submit(request: AuthedRequest, page_id: int, attempt_id: int) -> HttpResponse:
    from training.services import submit_module_attempt

    attempt = own_attempt_or_404(request, attempt_id, page_id)
    try:
        attempt = submit_module_attempt(attempt=attempt, by=request.user, request=request)
    except TrainingError as exc:
        messages.error(request, error_text(exc))
    else:
        if attempt.passed:
            messages.success(request, f"Passed with {attempt.percent:.0f}%.")
        else:
            messages.info(request, f"Not passed this time: {attempt.percent:.0f}%.")
    return redirect("training:module_attempt", page_id, attempt.pk)


urlpatterns: list[URLPattern] = [
    path("modules/<int:page_id>/", module, name="module"),
    path("modules/<int:page_id>/start/", module_start, name="module_start"),
    path(
        "modules/<int:page_id>/attempts/<int:attempt_id>/",
        module_attempt,
        name="module_attempt",
    ),
    path(
        "modules/<int:page_id>/attempts/<int:attempt_id>/answer/",
        module_answer,
        name="module_answer",
    ),
    path(
        "modules/<int:page_id>/attempts/<int:attempt_id>/submit/",
        module_submit,
        name="module_submit",
    ),
]
