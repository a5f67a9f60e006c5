"""Demo learner state for `manage.py seed_demo` (see qa_platform.people.demo for the rules).

``small``
    The demo training pages (`training.demo_pages.ensure_demo_training_pages`: 3 modules, 2
    role-plays, a learning path with a certificate), then three assignment rules reconciled
    through `services.reconcile_rules` ("Customer Care: the learning path", "New agents: the
    first module", "All leads: the escalation role-play"), manual assignments to
    agent@demo.test (one due soon, one overdue), and attempts through the services:
    agent@demo.test has passed the first module, is half-way through the second and has played
    the first role-play (its written reply waits in the grading queue); agent2@demo.test has
    completed the whole path (written replies graded by qa@demo.test) and holds a certificate;
    a few other small-demo agents have started or finished items.
``large`` (for ``bench/``)
    Everything in ``small`` plus a rule "All agents: <first module>" reconciled for every agent
    (about 2,000 assignments), and for each large-demo agent official attempts written in bulk:
    about 55% passed (assignment completed), 15% failed, 15% in progress.

Re-running creates nothing new: rules are found by name, an agent who has attempts at a page gets
no more, and reconciling is idempotent.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import time
from decimal import Decimal
from io import TextIOBase
from typing import Any

from django.db.models import Count
from django.utils import timezone

from qa_platform.audit.services import record
from qa_platform.people.demo import SMALL_TEAMS, demo_people, seeder
from qa_platform.people.models import RoleGrant, Team, User
from qa_platform.people.roles import Role
from training import checks, scenario
from training.models import (
    AnswerKind,
    Assignment,
    AssignmentRule,
    Attempt,
    AttemptAnswer,
    AttemptKind,
    AttemptStatus,
)
from training.services import (
    TrainingError,
    answer_question,
    answer_step,
    assign_training,
    reconcile_rules,
    save_rule,
    start_attempt,
    submit_module_attempt,
)
from training.services.common import revision_checks

DEMO_FREE_TEXT = (
    "I'm sorry about the double charge — that's frustrating. I've refunded the second payment "
    "now; you'll see it in 3 to 5 working days, and I'll email you the confirmation."
)


def demo_pages() -> dict[str, Any] | None:
    """The demo's live training pages, created by training.demo_pages when that module exists."""
    from training.pages import LearningPathPage, ModulePage, RolePlayScenarioPage

    if importlib.util.find_spec("training.demo_pages") is not None:
        module = importlib.import_module("training.demo_pages")
        ensure = getattr(module, "ensure_demo_training_pages", None)
        if ensure is not None:
            ensure()
    modules = list(ModulePage.objects.live().order_by("path"))
    scenarios = list(RolePlayScenarioPage.objects.live().order_by("path"))
    paths = list(LearningPathPage.objects.live().filter(certificate=True).order_by("path"))
    if not modules or not scenarios or not paths:
        return None
    return {"modules": modules, "scenarios": scenarios, "path": paths[0]}


def right_answer(question: checks.Question) -> Any:
    if question.kind == checks.SINGLE_CHOICE:
        return sorted(question.correct_keys)[0]
    if question.kind == checks.MULTIPLE_CHOICE:
        return sorted(question.correct_keys)
    if question.kind == checks.TRUE_FALSE:
        return "true" if question.answer else "false"
    if question.kind == checks.ORDERING:
        return list(question.choice_keys)
    return question.accepted[0] if question.accepted else "?"


def wrong_answer(question: checks.Question) -> Any:
    if question.kind in (checks.SINGLE_CHOICE, checks.MULTIPLE_CHOICE):
        wrong = [k for k in question.choice_keys if k not in question.correct_keys]
        return wrong[0] if wrong else right_answer(question)
    if question.kind == checks.TRUE_FALSE:
        return "false" if question.answer else "true"
    if question.kind == checks.ORDERING:
        return list(reversed(question.choice_keys))
    return "I am not sure"


def take_module(person: User, page: Any, *, finish: bool = True, right: bool = True) -> Attempt:
    attempt = start_attempt(person=person, page=page)
    questions = revision_checks(attempt.revision_id)
    for index, question in enumerate(questions):
        if not finish and index >= max(1, len(questions) // 2):
            return attempt
        raw = right_answer(question) if right else wrong_answer(question)
        answer_question(attempt=attempt, key=question.key, raw=raw, by=None)
    return submit_module_attempt(attempt=attempt, by=None) if finish else attempt


def play_scenario(person: User, page: Any, *, steps: int | None = None) -> Attempt:
    """Play the best path (or only its first `steps` replies)."""
    attempt = start_attempt(person=person, page=page)
    best = scenario.best_path(page.graph())
    if best is None:
        return attempt
    graph = page.graph()
    for count, (step_key, reply_key) in enumerate(best.moves):
        if steps is not None and count >= steps:
            break
        step = graph.step(step_key)
        if step is None or step.kind == scenario.END:
            break
        if step.kind == scenario.FREE:
            answer_step(attempt=attempt, step_key=step_key, text=DEMO_FREE_TEXT, by=None)
        else:
            answer_step(attempt=attempt, step_key=step_key, reply_key=reply_key, by=None)
    attempt.refresh_from_db()
    return attempt


def grade_all(attempt: Attempt, grader: User) -> None:
    """Grade the attempt's free responses at the top of each criterion's scale."""
    from training.services import grade_free_response
    from training.services.attempts import free_response_scales, graph_of

    if attempt.status != AttemptStatus.PENDING_GRADING:
        return
    graph = graph_of(attempt)
    for answer in attempt.answers.filter(kind=AnswerKind.STEP).order_by("ordinal"):
        if "text" not in (answer.answer or {}):
            continue
        scales = free_response_scales(attempt, graph.step(answer.key))
        grade_free_response(
            answer=answer,
            grader=grader,
            ratings={key: str(max(values)) for key, values in scales.items()},
            comment="Warm, clear and owns the next step.",
            by=None,  # the seed writes as the system, like every demo seeder
        )


def _stored(question: checks.Question, raw: Any) -> dict[str, Any]:
    parsed = checks.parse_answer(question, raw)
    return parsed.to_json() if isinstance(parsed, checks.Answer) else {}


def _has_attempts(person: User, page: Any) -> bool:
    return Attempt.objects.filter(person=person, page=page).exists()


def ensure_rules(pages: dict[str, Any]) -> list[AssignmentRule]:
    care = Team.objects.filter(external_id="D-CARE").first()
    wanted = [
        ("Customer Care: learning path", pages["path"], care, "", None, 30),
        ("New agents: first module", pages["modules"][0], None, Role.AGENT, 30, 14),
        ("All leads: escalation role-play", pages["scenarios"][-1], None, Role.LEAD, None, 21),
    ]
    rules = []
    for name, page, team, role, first_days, due_days in wanted:
        found = AssignmentRule.objects.filter(name=name).first()
        if found is None:
            found = save_rule(
                name=name,
                page=page,
                team=team,
                role=role,
                first_days=first_days,
                due_days=due_days,
            )
        rules.append(found)
    return rules


def seed_small(pages: dict[str, Any], rng: random.Random) -> dict[str, int]:
    people = {u.email: u for u in demo_people().filter(is_active=True)}
    agent, agent2 = people.get("agent@demo.test"), people.get("agent2@demo.test")
    grader = people.get("qa@demo.test")
    modules, scenarios, path = pages["modules"], pages["scenarios"], pages["path"]
    today = timezone.localdate()
    counts = {"rules": AssignmentRule.objects.count(), "attempts": Attempt.objects.count()}
    ensure_rules(pages)
    reconcile_rules()
    if agent is not None:
        soon, late = modules[-1], scenarios[-1]
        for page, days in ((soon, 3), (late, 10)):
            if not Assignment.objects.filter(person=agent, page=page).exists():
                made = assign_training(
                    page=page,
                    people=[agent],
                    due_at=today + dt.timedelta(days=days),
                    actor=None,  # the seed writes as the system
                    source="manual",
                )
                if page is late:
                    # Assigned three weeks ago and now overdue.
                    Assignment.objects.filter(pk__in=[a.pk for a in made.created]).update(
                        due_at=today - dt.timedelta(days=4),
                        created_at=timezone.now() - dt.timedelta(days=21),
                    )
        if not _has_attempts(agent, modules[0]):
            if not Assignment.objects.filter(person=agent, page=modules[0]).exists():
                assign_training(
                    page=modules[0],
                    people=[agent],
                    due_at=today + dt.timedelta(days=7),
                    actor=None,  # the seed writes as the system
                    source="manual",
                )
            take_module(agent, modules[0])
        # The path's role-plays wait for its first two modules (prerequisites): the agent has
        # done both, plays the first role-play, and is part-way through the third module.
        if len(modules) > 1 and not _has_attempts(agent, modules[1]):
            take_module(agent, modules[1])
        if len(modules) > 2 and not _has_attempts(agent, modules[2]):
            take_module(agent, modules[2], finish=False)
        if not _has_attempts(agent, scenarios[0]):
            play_scenario(agent, scenarios[0])
    if agent2 is not None and not Attempt.objects.filter(person=agent2).exists():
        from training.services.common import path_items

        by_id = {p.pk: p for p in [*modules, *scenarios]}
        for item in path_items(path):
            page = by_id.get(item.page_id)
            if page is None:
                continue
            if page._meta.model_name == "modulepage":
                take_module(agent2, page)
            else:
                attempt = play_scenario(agent2, page)
                if grader is not None:
                    grade_all(attempt, grader)
    # A few other small-demo agents: some progress, drawn from the rng.
    small = [spec.external_id for spec in SMALL_TEAMS]
    others = list(
        User.objects.filter(
            pk__in=RoleGrant.objects.active()
            .filter(role=Role.AGENT, team__external_id__in=small)
            .values("user_id"),
            is_active=True,
        )
        .exclude(email__in=["agent@demo.test", "agent2@demo.test"])
        .order_by("email")
    )
    plan = [(person, rng.random()) for person in others]
    for person, roll in plan[:12]:
        if _has_attempts(person, modules[0]):
            continue
        try:
            if roll < 0.5:
                take_module(person, modules[0])
            elif roll < 0.7:
                take_module(person, modules[0], right=False)
            elif roll < 0.85:
                take_module(person, modules[0], finish=False)
        except TrainingError:
            continue
    return {
        "rules": AssignmentRule.objects.count() - counts["rules"],
        "attempts": Attempt.objects.count() - counts["attempts"],
    }


LARGE_RULE = "All agents: first module"


def seed_large(pages: dict[str, Any], rng: random.Random) -> dict[str, int]:
    """Assignments for every agent through a rule, then attempts written in bulk."""
    module = pages["modules"][0]
    if not AssignmentRule.objects.filter(name=LARGE_RULE).exists():
        save_rule(name=LARGE_RULE, page=module, role=Role.AGENT, due_days=28)
    else:
        reconcile_rules()
    small = [spec.external_id for spec in SMALL_TEAMS]
    agent_ids = sorted(
        set(
            RoleGrant.objects.active()
            .filter(role=Role.AGENT, user__is_active=True)
            .exclude(team__external_id__in=small)
            .values_list("user_id", flat=True)
        )
    )
    rolls = [(pid, rng.random(), rng.random()) for pid in agent_ids]
    done_already = set(
        Attempt.objects.filter(page=module, person_id__in=agent_ids)
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", flat=True)
    )
    revision_id = module.live_revision_id
    questions = revision_checks(revision_id)
    max_points = sum(q.points for q in questions)
    assignments = dict(
        Assignment.objects.open()
        .filter(page=module, person_id__in=agent_ids)
        .values_list("person_id", "pk")
    )
    now = timezone.now()
    attempts: list[Attempt] = []
    answers_for: list[tuple[Attempt, bool]] = []
    for pid, roll, when in rolls:
        if pid in done_already or roll >= 0.85:
            continue
        started = now - dt.timedelta(days=1 + int(when * 20), hours=int(when * 7))
        status = AttemptStatus.IN_PROGRESS if roll >= 0.70 else AttemptStatus.COMPLETED
        passed = roll < 0.55
        attempt = Attempt(
            person_id=pid,
            page=module,
            revision_id=revision_id,
            kind=AttemptKind.MODULE,
            practice=False,
            status=status,
            started_at=started,
            max_points=max_points,
            assignment_id=assignments.get(pid),
        )
        if status == AttemptStatus.COMPLETED:
            attempt.finished_at = started + dt.timedelta(minutes=12)
            attempt.points = max_points if passed else 0
            attempt.percent = Decimal(100) if passed else Decimal(0)
            attempt.passed = passed
        attempts.append(attempt)
        answers_for.append((attempt, passed))
    Attempt.objects.bulk_create(attempts, batch_size=1000)
    rows = []
    for attempt, passed in answers_for:
        if attempt.status != AttemptStatus.COMPLETED:
            continue
        for ordinal, q in enumerate(questions, start=1):
            rows.append(
                AttemptAnswer(
                    attempt=attempt,
                    kind=AnswerKind.QUESTION,
                    key=q.key,
                    ordinal=ordinal,
                    answer=_stored(q, right_answer(q) if passed else wrong_answer(q)),
                    correct=passed,
                    points=q.points if passed else 0,
                    answered_at=attempt.started_at,
                )
            )
    AttemptAnswer.objects.bulk_create(rows, batch_size=2000)
    started_ids = [a.assignment_id for a in attempts if a.assignment_id]
    Assignment.objects.filter(pk__in=started_ids).update(started_at=now)
    passed_ids = [a.assignment_id for a in attempts if a.passed and a.assignment_id]
    Assignment.objects.filter(pk__in=passed_ids).update(completed_at=now)
    if attempts:
        record(
            action="demo.seed_training",
            after={"attempts": len(attempts), "answers": len(rows), "completed": len(passed_ids)},
        )
    return {"attempts": len(attempts), "answers": len(rows), "completed": len(passed_ids)}


@seeder
def seed_training(scale: str, rng: random.Random, stdout: TextIOBase) -> None:
    """Rules, assignments, attempts and a certificate on the demo training pages."""
    started = time.perf_counter()
    pages = demo_pages()
    if pages is None:
        stdout.write("Training: no demo training pages yet, so no assignments or attempts.\n")
        return
    small_rng, large_rng = random.Random(rng.random()), random.Random(rng.random())
    counts = seed_small(pages, small_rng)
    stdout.write(
        f"Training (small): {counts['rules']} new rules, {counts['attempts']} new attempts "
        f"in {time.perf_counter() - started:.1f} s.\n"
    )
    if scale == "large":
        started = time.perf_counter()
        large = seed_large(pages, large_rng)
        stdout.write(
            f"Training (large): {large['attempts']} attempts, {large['completed']} completions "
            f"in {time.perf_counter() - started:.1f} s.\n"
        )
