"""Taking modules and role-plays: starting (pinned to the live revision), answering, submitting,
grading free responses, and what completing an item sets off.

Every answer is stored before the next question or step is shown. The attempt row is locked
(`select_for_update`) while an answer is checked and stored, and unique constraints back it up,
so a double click or two tabs cannot store two answers to one question or step. The pinned
revision decides what the questions, choices and steps are: publishing a new revision never
changes an attempt in progress or an old result.

Role-play results: points are the replies' points plus graded free responses; the attempt passes
when it ends with the customer's issue resolved or escalated and no critical mistake was made
(a "customer lost" ending, or a critical reply, fails it). With free responses an official attempt
waits in "pending grading" until every one is graded. Practice attempts are kept apart: their
written replies are never graded (nor queued), the attempt completes at its end step on the
replies' points, and it never counts toward completion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from wagtail.models import Page

from qa_platform.audit.services import record
from qa_platform.notifications.services import notify
from qa_platform.people.models import User
from training import checks, scenario
from training.access import can_grade
from training.models import (
    AnswerKind,
    Assignment,
    Attempt,
    AttemptAnswer,
    AttemptKind,
    AttemptStatus,
    FreeResponseGrade,
)

from .common import (
    AlreadyAnswered,
    AttemptFinished,
    AttemptLimitReached,
    InvalidAnswer,
    NotCurrentStep,
    NotPublished,
    NotYourAttempt,
    PrerequisitesNotDone,
    TrainingError,
    UnknownQuestion,
    revision_checks,
    revision_graph,
    revision_max_points,
    specific,
)

FREE_RESPONSE_MAX = 5000
# A free response is rated on each linked framework criterion's own scale; each criterion is
# worth this many points (the top of its scale earns them all, the bottom none). Without a
# framework it is rated as a whole on FREE_RESPONSE_SCALE.
FREE_RESPONSE_POINTS_PER_CRITERION = 10
OVERALL = "overall"
FREE_RESPONSE_SCALE: tuple[tuple[Decimal, str], ...] = (
    (Decimal(2), "Good"),
    (Decimal(1), "Partly there"),
    (Decimal(0), "Not yet"),
)
PASSING_OUTCOMES = (scenario.RESOLVED, scenario.ESCALATED)


def _kind_of(page: Any) -> str:
    name = page._meta.model_name
    if name == "modulepage":
        return AttemptKind.MODULE
    if name == "roleplayscenariopage":
        return AttemptKind.SCENARIO
    raise TrainingError("Only modules and role-plays can be taken.")


def _lock(attempt: Attempt, by: Any) -> Attempt:
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if by is not None and locked.person_id != by.pk:
        raise NotYourAttempt("This attempt belongs to someone else.")
    if locked.status != AttemptStatus.IN_PROGRESS:
        raise AttemptFinished("This attempt is finished; start a new one to try again.")
    return locked


def official_attempts_used(person: Any, page: Page) -> int:
    return Attempt.objects.counting().filter(person=person, page=page).count()


def _mark_started(person_id: int, page_id: int, now: dt.datetime) -> Assignment | None:
    """Set `started_at` on the person's open assignment of the page and of paths holding it;
    returns the page's own assignment."""
    from .completion import paths_holding

    own = (
        Assignment.objects.open()
        .filter(person_id=person_id, page_id=page_id)
        .order_by("pk")
        .first()
    )
    path_ids = [p.pk for p in paths_holding(page_id)]
    Assignment.objects.open().filter(
        person_id=person_id, page_id__in=[page_id, *path_ids], started_at__isnull=True
    ).update(started_at=now)
    return own


@transaction.atomic
def start_attempt(
    *,
    person: Any,
    page: Page,
    practice: bool = False,
    assignment: Assignment | None = None,
    by: Any = None,
    request: HttpRequest | None = None,
) -> Attempt:
    """The person's open attempt of `page` (resume), or a new one pinned to the live revision.
    `by` is who acts, for the audit trail (None: the system, as in the demo seed).

    Official attempts count against the module's attempt limit; practice attempts never do and
    never count toward completion. An official attempt at an item of a learning path assigned to
    the person waits until the item's prerequisites in that path are done (PrerequisitesNotDone,
    naming them); practice is always open."""
    page = specific(page)
    kind = _kind_of(page)
    if not page.live or page.live_revision_id is None:
        raise NotPublished(f"“{page.title}” is not published, so it cannot be taken.")
    # Lock the person's row so two starts at once cannot both create an attempt.
    User.objects.select_for_update().filter(pk=person.pk).first()
    open_attempt = (
        Attempt.objects.filter(
            person=person, page=page, practice=practice, status=AttemptStatus.IN_PROGRESS
        )
        .order_by("-pk")
        .first()
    )
    if open_attempt is not None:
        return open_attempt
    if not practice:
        from .completion import locked_by

        locked = locked_by(person.pk, page.pk)
        if locked is not None:
            raise PrerequisitesNotDone(
                f"You cannot start “{page.title}” yet. {locked.message} "
                "You can practise it meanwhile."
            )
    if not practice and kind == AttemptKind.MODULE and page.attempt_limit:
        used = official_attempts_used(person, page)
        if used >= page.attempt_limit:
            raise AttemptLimitReached(
                f"You have used all {page.attempt_limit} attempts at “{page.title}”. "
                "Ask your team lead if you need another."
            )
    now = timezone.now()
    revision_id = page.live_revision_id
    own = None if practice else _mark_started(person.pk, page.pk, now)
    if assignment is not None and (
        practice or assignment.person_id != person.pk or assignment.page_id != page.pk
    ):
        assignment = None
    assignment = assignment or own
    attempt = Attempt(
        person=person,
        page=page,
        revision_id=revision_id,
        kind=kind,
        practice=practice,
        started_at=now,
        assignment=assignment,
    )
    if kind == AttemptKind.MODULE:
        attempt.max_points = sum(q.points for q in revision_checks(revision_id))
    else:
        graph = revision_graph(revision_id)
        if graph.start is None:
            raise NotPublished(f"“{page.title}” has no start step.")
        attempt.current_step = graph.start.key
        attempt.max_points = revision_max_points(revision_id)
    attempt.save()
    record(
        action="training.attempt.start",
        actor=by,
        obj=attempt,
        after={"page": page.pk, "revision": revision_id, "practice": practice},
        request=request,
    )
    return attempt


# --- Modules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerResult:
    answer: AttemptAnswer
    graded: checks.Graded
    question: checks.Question


def questions_of(attempt: Attempt) -> tuple[checks.Question, ...]:
    """The knowledge checks of the revision the attempt is pinned to."""
    return revision_checks(attempt.revision_id)


def _next_ordinal(attempt: Attempt) -> int:
    top = AttemptAnswer.objects.filter(attempt=attempt).aggregate(top=Max("ordinal"))["top"]
    return (top or 0) + 1


@transaction.atomic
def answer_question(*, attempt: Attempt, key: str, raw: Any, by: Any = None) -> AnswerResult:
    """Store and grade the answer to one knowledge check of a module attempt.

    Refused (nothing stored) with: AttemptFinished, UnknownQuestion (not in the pinned revision),
    AlreadyAnswered, InvalidAnswer (unknown choice keys, an empty answer)."""
    attempt = _lock(attempt, by)
    if attempt.kind != AttemptKind.MODULE:
        raise TrainingError("This attempt is a role-play; answer its steps instead.")
    question = next((q for q in questions_of(attempt) if q.key == key), None)
    if question is None:
        raise UnknownQuestion("That question is not part of this module. Reload the page.")
    if AttemptAnswer.objects.filter(attempt=attempt, key=key).exists():
        raise AlreadyAnswered("You have already answered this question in this attempt.")
    parsed = checks.parse_answer(question, raw)
    if isinstance(parsed, str):
        raise InvalidAnswer(parsed)
    graded = checks.grade(question, parsed)
    try:
        with transaction.atomic():
            stored = AttemptAnswer.objects.create(
                attempt=attempt,
                kind=AnswerKind.QUESTION,
                key=key,
                ordinal=_next_ordinal(attempt),
                answer=parsed.to_json(),
                correct=graded.correct,
                points=graded.points,
                feedback=graded.feedback,
            )
    except IntegrityError as exc:
        raise AlreadyAnswered("You have already answered this question in this attempt.") from exc
    return AnswerResult(answer=stored, graded=graded, question=question)


@transaction.atomic
def submit_module_attempt(
    *, attempt: Attempt, by: Any = None, request: HttpRequest | None = None
) -> Attempt:
    """Finish a module attempt: grade the stored answers against the pinned revision's checks.
    Unanswered questions earn nothing."""
    attempt = _lock(attempt, by)
    if attempt.kind != AttemptKind.MODULE:
        raise TrainingError("This attempt is a role-play; it finishes at an end step.")
    page = specific(attempt.page)
    questions = questions_of(attempt)
    graded = {
        a.key: checks.Graded(correct=bool(a.correct), points=a.points, feedback=a.feedback)
        for a in attempt.answers.filter(kind=AnswerKind.QUESTION)
    }
    pass_mark = _pass_mark(attempt, page)
    result = checks.module_result(questions, graded, pass_mark)
    attempt.points, attempt.max_points = result.points, result.max_points
    attempt.percent, attempt.passed = result.percent, result.passed
    attempt.status = AttemptStatus.COMPLETED
    attempt.finished_at = timezone.now()
    attempt.save()
    record(
        action="training.attempt.submit",
        actor=by,
        obj=attempt,
        after={
            "points": result.points,
            "max_points": result.max_points,
            "percent": str(result.percent),
            "passed": result.passed,
            "practice": attempt.practice,
        },
        request=request,
    )
    if not attempt.practice:
        from .completion import item_finished

        item_finished(attempt=attempt, request=request)
    return attempt


def _pass_mark(attempt: Attempt, page: Any) -> int:
    from .common import revision_page

    pinned = revision_page(attempt.revision_id)
    return int(getattr(pinned, "pass_mark", page.pass_mark))


# --- Role-plays ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepResult:
    answer: AttemptAnswer
    step: scenario.Step
    reply: scenario.Reply | None
    next_step: scenario.Step | None
    attempt: Attempt

    @property
    def finished(self) -> bool:
        return self.attempt.status != AttemptStatus.IN_PROGRESS


def graph_of(attempt: Attempt) -> scenario.Graph:
    return revision_graph(attempt.revision_id)


@transaction.atomic
def answer_step(
    *,
    attempt: Attempt,
    step_key: str,
    reply_key: str | None = None,
    text: str | None = None,
    by: Any = None,
    request: HttpRequest | None = None,
) -> StepResult:
    """Store the learner's reply to the step the conversation is at, and move on.

    A choice step takes `reply_key` (one of that step's replies in the pinned revision); a free
    step takes `text`, graded later. Refused (nothing stored) with AttemptFinished, NotCurrentStep
    (the conversation is elsewhere: a stale page or a second click), InvalidAnswer."""
    attempt = _lock(attempt, by)
    if attempt.kind != AttemptKind.SCENARIO:
        raise TrainingError("This attempt is a module; answer its questions instead.")
    graph = graph_of(attempt)
    if step_key != attempt.current_step:
        raise NotCurrentStep(
            "The conversation has moved on since this page was shown; here is where it is now."
        )
    step = graph.step(step_key)
    if step is None or step.kind == scenario.END:
        raise NotCurrentStep("This step cannot be answered.")
    reply: scenario.Reply | None = None
    if step.kind == scenario.CHOICE:
        if text:
            raise InvalidAnswer("Choose one of the replies.")
        reply = step.reply(reply_key or "")
        if reply is None:
            raise InvalidAnswer("That reply is not one of this step's options. Reload the page.")
        stored_answer: dict[str, Any] = {"reply": reply.key}
        target = graph.step(reply.target)
    else:
        if reply_key:
            raise InvalidAnswer("This step needs a written reply.")
        clean = (text or "").strip()
        if not clean:
            raise InvalidAnswer("Write your reply to the customer.")
        if len(clean) > FREE_RESPONSE_MAX:
            raise InvalidAnswer(f"Keep the reply under {FREE_RESPONSE_MAX:,} characters.")
        stored_answer = {"text": clean}
        target = graph.step(step.next)
    if target is None:
        raise TrainingError("This role-play is broken at this step; tell your trainer.")
    try:
        with transaction.atomic():
            stored = AttemptAnswer.objects.create(
                attempt=attempt,
                kind=AnswerKind.STEP,
                key=step.key,
                ordinal=_next_ordinal(attempt),
                answer=stored_answer,
                correct=None,
                points=reply.points if reply else 0,
                critical=bool(reply and reply.critical),
                feedback=reply.feedback if reply else "",
            )
    except IntegrityError as exc:
        raise NotCurrentStep("This step was answered already.") from exc
    attempt.current_step = target.key
    attempt.points += stored.points
    if target.kind == scenario.END:
        _finish_scenario(attempt, target)
    attempt.save()
    if target.kind == scenario.END:
        record(
            action="training.attempt.finish",
            actor=by,
            obj=attempt,
            after={
                "outcome": attempt.outcome,
                "points": attempt.points,
                "status": attempt.status,
                "practice": attempt.practice,
            },
            request=request,
        )
        if not attempt.practice and attempt.status == AttemptStatus.COMPLETED:
            from .completion import item_finished

            item_finished(attempt=attempt, request=request)
        if attempt.status == AttemptStatus.PENDING_GRADING and not attempt.practice:
            _tell_graders(attempt)
    return StepResult(answer=stored, step=step, reply=reply, next_step=target, attempt=attempt)


def free_response_scales(
    attempt: Attempt, step: scenario.Step | None
) -> dict[str, tuple[Decimal, ...]]:
    """The criteria a free response at `step` is rated on, each with its scale's values: the
    step's criteria in the current version of the role-play's framework, else one overall
    rating on FREE_RESPONSE_SCALE."""
    from scorecards.models import FrameworkVersion

    from .common import revision_page

    framework_id = getattr(revision_page(attempt.revision_id), "framework_id", None)
    keys = tuple(step.criteria) if step is not None else ()
    if framework_id is not None and keys:
        version = (
            FrameworkVersion.objects.filter(framework_id=framework_id).order_by("-number").first()
        )
        if version is not None:
            scales = {}
            for key in keys:
                try:
                    criterion = version.defn.criterion(key)
                except KeyError:
                    continue
                scales[key] = tuple(option.value for option in criterion.options)
            if scales:
                return scales
    return {OVERALL: tuple(value for value, _ in FREE_RESPONSE_SCALE)}


def _criterion_points(value: Decimal, options: tuple[Decimal, ...]) -> int:
    low, high = min(options), max(options)
    if high == low:
        return FREE_RESPONSE_POINTS_PER_CRITERION
    share = (value - low) / (high - low)
    return int((share * FREE_RESPONSE_POINTS_PER_CRITERION).to_integral_value())


def _free_max(attempt: Attempt, answers: list[AttemptAnswer]) -> int:
    graph = graph_of(attempt)
    total = 0
    for a in answers:
        grade = getattr(a, "grade", None)
        if grade is not None:
            count = len(grade.ratings)
        else:
            step = graph.step(a.key)
            count = len(step.criteria) if step is not None and step.criteria else 1
        total += FREE_RESPONSE_POINTS_PER_CRITERION * max(count, 1)
    return total


def _settle(attempt: Attempt) -> None:
    """Points, percent and pass of a role-play attempt from its stored answers and grades."""
    answers = list(attempt.answers.filter(kind=AnswerKind.STEP).select_related("grade"))
    free = [a for a in answers if "text" in (a.answer or {})]
    points = sum(a.points for a in answers if "text" not in (a.answer or {}))
    graded_all = True
    for a in free:
        grade = getattr(a, "grade", None)
        if grade is None:
            graded_all = False
        else:
            points += grade.points
    attempt.points = points
    if attempt.practice:
        # Practice written replies are never graded: the result is the replies' points.
        attempt.max_points = revision_max_points(attempt.revision_id)
        attempt.status = AttemptStatus.COMPLETED
        attempt.percent = min(checks.percent_of(max(points, 0), attempt.max_points), Decimal(100))
        attempt.passed = attempt.outcome in PASSING_OUTCOMES and not any(
            a.critical for a in answers
        )
        return
    attempt.max_points = revision_max_points(attempt.revision_id) + _free_max(attempt, free)
    if not graded_all:
        attempt.status = AttemptStatus.PENDING_GRADING
        attempt.passed = None
        attempt.percent = None
        return
    attempt.status = AttemptStatus.COMPLETED
    attempt.percent = min(checks.percent_of(max(points, 0), attempt.max_points), Decimal(100))
    attempt.passed = attempt.outcome in PASSING_OUTCOMES and not any(a.critical for a in answers)


def _finish_scenario(attempt: Attempt, end: scenario.Step) -> None:
    attempt.outcome = end.outcome
    attempt.finished_at = timezone.now()
    # The answers stored so far are in the database (this one included).
    _settle(attempt)


def _tell_graders(attempt: Attempt) -> None:
    """Nothing to send per grader here: the grading queue lists pending attempts. The learner is
    told their result is on its way."""
    notify(
        recipient=attempt.person,
        kind="training.pending_grading",
        title=f"Your role-play “{attempt.page.title}” is waiting to be graded",
        body="A lead or reviewer will grade your written replies; you will be told the result.",
        email=False,
    )


@transaction.atomic
def grade_free_response(
    *,
    answer: AttemptAnswer,
    grader: Any,
    ratings: Mapping[str, Any],
    comment: str = "",
    by: Any = None,
    request: HttpRequest | None = None,
) -> FreeResponseGrade:
    """Grade one free role-play response against the step's criteria (each rated on
    FREE_RESPONSE_SCALE). When the attempt's last free response is graded the attempt completes.
    `by` is who acts, for the audit trail: the grader in the app, None for the system (the seed)."""
    attempt = (
        Attempt.objects.select_for_update()
        .select_related("person", "page")
        .get(pk=answer.attempt_id)
    )
    answer = AttemptAnswer.objects.select_related("grade").get(pk=answer.pk)
    if not can_grade(grader, attempt.person):
        raise TrainingError("You cannot grade this person's work.")
    if answer.kind != AnswerKind.STEP or "text" not in (answer.answer or {}):
        raise TrainingError("Only written role-play replies are graded.")
    if attempt.practice:
        raise TrainingError("This is a practice conversation: practice replies are not graded.")
    if attempt.status not in (AttemptStatus.PENDING_GRADING, AttemptStatus.COMPLETED):
        raise TrainingError("This role-play is not finished yet.")
    step = graph_of(attempt).step(answer.key)
    scales = free_response_scales(attempt, step)
    unknown = sorted(set(ratings) - set(scales))
    if unknown:
        raise InvalidAnswer(f"Not a criterion of this step: {', '.join(unknown)}.")
    missing = [c for c in scales if c not in ratings]
    if missing:
        raise InvalidAnswer(f"Rate every criterion: {', '.join(missing)} missing.")
    clean: dict[str, str] = {}
    points = 0
    for key, raw_value in ratings.items():
        try:
            value = Decimal(str(raw_value).strip())
        except (ArithmeticError, ValueError):
            value = None
        options = scales[key]
        if value is None or value not in options:
            raise InvalidAnswer(f"“{raw_value}” is not on the scale of {key}.")
        clean[key] = format(value.normalize(), "f")
        points += _criterion_points(value, options)
    existing = getattr(answer, "grade", None)
    before = (
        {"ratings": existing.ratings, "points": existing.points, "comment": existing.comment}
        if existing
        else None
    )
    if existing is None:
        grade = FreeResponseGrade.objects.create(
            answer=answer, grader=grader, ratings=clean, points=points, comment=comment.strip()
        )
    else:
        grade = existing
        grade.grader, grade.ratings, grade.points = grader, clean, points
        grade.comment, grade.graded_at = comment.strip(), timezone.now()
        grade.save()
    was = attempt.status
    _settle(attempt)
    attempt.save()
    record(
        action="training.free_response.grade",
        actor=by,
        obj=attempt,
        before=before,
        after={"answer": answer.pk, "ratings": clean, "points": points},
        request=request,
    )
    if was == AttemptStatus.PENDING_GRADING and attempt.status == AttemptStatus.COMPLETED:
        notify(
            recipient=attempt.person,
            kind="training.graded",
            title=f"Your role-play “{attempt.page.title}” has been graded",
            body=f"{attempt.points} of {attempt.max_points} points; "
            + ("passed." if attempt.passed else "not passed this time."),
        )
        if not attempt.practice:
            from .completion import item_finished

            item_finished(attempt=attempt, request=request)
    return grade
