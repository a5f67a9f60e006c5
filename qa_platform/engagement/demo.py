"""Demo engagement surveys for `manage.py seed_demo` (see qa_platform.people.demo for the rules).

``small``
    Two waves of the full engagement survey for the five front-line teams, run through the services
    (as the system, like every demo seeder: create from the template, population, schedule,
    launch, answers, close):
    "Engagement survey: spring" (about 200 days ago) and "Engagement survey: autumn" (about 40
    days ago, compared with spring). Answers follow a per-team level with driver offsets, so the
    results look like a real organisation's:

    - **Tier 2 Escalations** was the most engaged team in spring and dropped sharply in autumn;
    - **Billing EMEA** (lead@demo.test's team) had only 4 answers in autumn, under the threshold
      of 5, so its lead sees Customer Care's result with the note saying so;
    - **Customer Care** scored low on recognition in spring; HR's action plan on it is done, with
      a "you said, we did" update its members see on their home, and recognition rose in autumn;
    - lead@demo.test keeps an action plan on workload for Billing EMEA after autumn.

    A November pulse is open now: about half the organisation has answered; agent@demo.test and
    lead@demo.test have not, so it waits on their homes.
``large`` (for ``bench/``)
    Everything in ``small`` plus, for the 180 large-demo teams, two full waves and monthly pulses
    written in bulk (invitations, responses and answers as rows; about 30,000 responses), each
    closed wave's results decided by `publishing.compute_results` exactly as when HR closes one.

Re-running creates nothing new: surveys are found by title.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from io import TextIOBase
from typing import Any

from django.db import transaction
from django.utils import timezone

from qa_platform.people.demo import seeder
from qa_platform.people.models import Team, User

from .anonymity import NOT_RECORDED
from .models import (
    DIMENSIONS,
    Answer,
    Invitation,
    QuestionScale,
    Response,
    Survey,
    SurveyQuestion,
    SurveyStatus,
)
from .services import actions, responses, surveys

SPRING = "Engagement survey: spring"
AUTUMN = "Engagement survey: autumn"
PULSE = "November pulse"
HR_EMAIL = "hr@demo.test"
WAITING = ("agent@demo.test", "lead@demo.test")  # the open pulse waits on their homes

# Team level per wave (latent engagement, about -1..1). These front-line teams are invited.
LEVELS: dict[str, tuple[float, float]] = {
    "T-BILL-EMEA": (0.35, 0.25),
    "T-BILL-AMER": (0.25, 0.45),
    "T-ONBOARD": (0.0, 0.1),
    "T-TECH-CHAT": (0.2, 0.3),
    "T-TECH-ESC": (0.6, -0.7),  # the team whose engagement (and CSAT) dropped
}
# How many of each team answer (the team has 6 agents and, in Billing EMEA, its lead): fixed, so
# the story holds whatever the random draw. Billing EMEA's 4 in autumn is under the threshold.
ANSWERED: dict[tuple[str, str], int] = {
    ("T-BILL-EMEA", SPRING): 6,
    ("T-BILL-EMEA", AUTUMN): 4,
    ("T-BILL-AMER", SPRING): 5,
    ("T-BILL-AMER", AUTUMN): 6,
    ("T-ONBOARD", SPRING): 6,
    ("T-ONBOARD", AUTUMN): 5,
    ("T-TECH-CHAT", SPRING): 6,
    ("T-TECH-CHAT", AUTUMN): 5,
    ("T-TECH-ESC", SPRING): 5,
    ("T-TECH-ESC", AUTUMN): 6,
}
RATE = 0.85
# Driver offsets per department (external id) and wave.
DRIVER_OFFSETS: dict[tuple[str, str, str], float] = {
    ("D-CARE", "recognition", SPRING): -0.9,
    ("D-CARE", "recognition", AUTUMN): 0.2,
    ("D-CARE", "workload", SPRING): -0.4,
    ("D-CARE", "workload", AUTUMN): -0.6,
    ("D-TECH", "tools", SPRING): -0.5,
    ("D-TECH", "customer_empowerment", AUTUMN): -0.5,
}
COMMENTS = {
    "low": (
        "Targets went up again but the tools did not change. Most days feel like catching up.",
        "I would like to hear when I do something well, not only when a review fails.",
        "Escalations take too long to get a reply from second line, customers blame us.",
        "Too many process changes announced in chat with no time to learn them.",
    ),
    "mid": (
        "Good team, but the knowledge base is hard to search during a call.",
        "Coaching sessions help when they happen; they get cancelled when queues are long.",
        "I like the work. More say in how we handle refunds would help customers.",
    ),
    "high": (
        "My lead backs me when I go the extra mile for a customer.",
        "The new call-back option makes a real difference to angry customers.",
        "I feel trusted to fix problems without asking permission every time.",
    ),
}


def _agreement(rng: random.Random, level: float) -> int:
    return max(1, min(5, round(3.2 + 1.3 * level + rng.gauss(0, 0.8))))


def _zero_to_ten(rng: random.Random, level: float) -> int:
    return max(0, min(10, round(6.8 + 2.6 * level + rng.gauss(0, 1.5))))


def plan_answers(
    rng: random.Random,
    questions: Sequence[SurveyQuestion],
    *,
    level: float,
    department: str,
    wave: str,
) -> dict[str, Any]:
    """One respondent's answers: every required question, comments about one time in three."""
    person = level + rng.gauss(0, 0.45)
    out: dict[str, Any] = {}
    for q in questions:
        offset = DRIVER_OFFSETS.get((department, q.driver, wave), 0.0) if q.driver else 0.0
        if q.scale == QuestionScale.AGREEMENT_5:
            out[q.key] = _agreement(rng, person + offset)
        elif q.scale == QuestionScale.ZERO_TO_TEN:
            out[q.key] = _zero_to_ten(rng, person)
        elif q.scale == QuestionScale.SINGLE_CHOICE and q.options:
            out[q.key] = rng.randrange(len(q.options))
        elif q.scale == QuestionScale.MULTIPLE_CHOICE and q.options:
            out[q.key] = sorted(rng.sample(range(len(q.options)), k=1))
        elif q.scale == QuestionScale.COMMENT and rng.random() < 0.35:
            mood = "low" if person < 0 else "high" if person > 0.6 else "mid"
            out[q.key] = rng.choice(COMMENTS[mood])
    return out


# --- Small: through the services ----------------------------------------------------------------


@dataclass(frozen=True)
class Wave:
    title: str
    template: str
    opens_days_ago: int
    closes_days_ago: int  # negative: closes in the future (still open)
    wave: str  # key into LEVELS/DRIVER_OFFSETS: SPRING or AUTUMN


WAVES = (
    Wave(SPRING, "full", 200, 186, SPRING),
    Wave(AUTUMN, "full", 40, 26, AUTUMN),
    Wave(PULSE, "pulse", 3, -11, AUTUMN),
)


def _at(days_ago: int, now: dt.datetime) -> dt.datetime:
    return (now - dt.timedelta(days=days_ago)).replace(hour=9, minute=0, second=0, microsecond=0)


def _department(team: Team, by_id: dict[int, Team]) -> str:
    """The external id of the team's department (or its own, for departments and the root)."""
    node = team
    while node.parent_id is not None and node.kind != "department":
        node = by_id[node.parent_id]
    return node.external_id or ""


def seed_small(rng: random.Random, now: dt.datetime) -> dict[str, int]:
    counts = {"surveys": 0, "responses": 0, "plans": 0, "feedback": 0}
    hr = User.objects.filter(email=HR_EMAIL).first()
    teams = {t.pk: t for t in Team.objects.all()}
    # The front-line teams are invited (HR, QA and trainers sit on the departments and the root).
    front_line = sorted(t.pk for t in teams.values() if (t.external_id or "") in LEVELS)
    if hr is None or not front_line:
        return counts
    previous: Survey | None = None
    for wave in WAVES:
        survey = Survey.objects.filter(title=wave.title).first()
        if survey is None:
            survey = _run_wave(
                rng, wave, front_line=front_line, teams=teams, previous=previous, now=now
            )
            counts["surveys"] += 1
            counts["responses"] += survey.responses.count()
        previous = survey if wave.title != PULSE else previous
    counts["plans"] = _action_plans(hr, now)
    counts["feedback"] = _customer_feedback(rng, now)
    return counts


FEEDBACK_SOURCE = "demo-engagement"
FEEDBACK_PER_WINDOW = 40  # per team and window: over the 30 the engagement <-> CX view asks for


def _customer_feedback(rng: random.Random, now: dt.datetime) -> int:
    """Customer feedback for each small team during each closed wave and in the 90 days after
    (up to today), with CSAT following the team's level: so the engagement <-> CX view has data,
    and Tier 2 Escalations' CSAT drops with its engagement. Written as rows with their source ids,
    like the scorecards seeder's feedback (the demo's history is the system's, not a person's)."""
    from scorecards.models import CustomerFeedback

    if Survey.objects.filter(title=AUTUMN).first() is None:
        return 0
    if CustomerFeedback.objects.filter(source=FEEDBACK_SOURCE).exists():
        return 0
    rows: list[CustomerFeedback] = []
    for wave in WAVES[:2]:
        opens, closes = _at(wave.opens_days_ago, now), _at(wave.closes_days_ago, now)
        windows = ((opens, closes), (closes, min(now, closes + dt.timedelta(days=90))))
        for code, levels in LEVELS.items():
            team = Team.objects.filter(external_id=code).first()
            if team is None:
                continue
            agents = list(
                User.objects.filter(memberships__team=team, memberships__end__isnull=True)
            )
            level = levels[0] if wave.wave == SPRING else levels[1]
            happy = max(0.05, min(0.97, 0.8 + 0.2 * level))
            for start, end in windows:
                span = max(1.0, (end - start).total_seconds())
                for _ in range(FEEDBACK_PER_WINDOW):
                    csat = rng.choice((4, 5)) if rng.random() < happy else rng.choice((1, 2, 3))
                    rows.append(
                        CustomerFeedback(
                            source=FEEDBACK_SOURCE,
                            source_id=f"{code}-{len(rows) + 1:05d}",
                            agent=rng.choice(agents),
                            team=team,
                            received_at=start + dt.timedelta(seconds=rng.random() * span),
                            csat=csat,
                            nps=max(0, min(10, round(2 * csat - 1 + rng.gauss(0, 1.2)))),
                        )
                    )
    CustomerFeedback.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _run_wave(
    rng: random.Random,
    wave: Wave,
    *,
    front_line: list[int],
    teams: dict[int, Team],
    previous: Survey | None,
    now: dt.datetime,
) -> Survey:
    opens, closes = _at(wave.opens_days_ago, now), _at(wave.closes_days_ago, now)
    survey = surveys.create_survey_from_template(
        template_key=wave.template, title=wave.title, actor=None
    )
    if previous is not None and wave.template == "full":
        surveys.update_survey_settings(
            survey=survey,
            actor=None,
            title=survey.title,
            introduction=survey.introduction,
            privacy=survey.privacy,
            score_threshold=survey.score_threshold,
            comment_threshold=survey.comment_threshold,
            previous_wave=previous,
        )
    surveys.set_population(survey=survey, actor=None, team_ids=front_line)
    surveys.update_schedule(
        survey=survey, actor=None, opens_at=opens, closes_at=closes, reminder_days=[3]
    )
    surveys.launch_survey(survey=survey, actor=None, now=opens)
    questions = list(SurveyQuestion.objects.filter(survey=survey).order_by("order", "pk"))
    invitations = list(
        Invitation.objects.filter(survey=survey).select_related("person", "team").order_by("pk")
    )
    by_team: dict[int, list[Invitation]] = {}
    for invitation in invitations:
        by_team.setdefault(invitation.team_id, []).append(invitation)
    for team_id, group in sorted(by_team.items()):
        team = teams[team_id]
        levels = LEVELS[team.external_id or ""]
        level = levels[0] if wave.wave == SPRING else levels[1]
        fixed = ANSWERED.get((team.external_id or "", wave.wave))
        if wave.title == PULSE:
            chosen = [i for i in group if i.person.email not in WAITING and rng.random() < 0.55]
        elif fixed is not None:
            chosen = rng.sample(group, k=min(fixed, len(group)))
        else:
            chosen = [i for i in group if rng.random() < RATE]
        department = _department(team, teams)
        for invitation in chosen:
            answers = plan_answers(
                rng, questions, level=level, department=department, wave=wave.wave
            )
            responses.submit_response(invitation=invitation, answers=answers)
    if closes <= now:
        surveys.close_survey(survey=survey, actor=None, now=closes)
    return survey


def _action_plans(hr: User, now: dt.datetime) -> int:
    """HR's recognition plan after spring (done, with an update) and the lead's workload plan
    after autumn (in progress, with an update)."""
    spring = Survey.objects.filter(title=SPRING, status=SurveyStatus.CLOSED).first()
    autumn = Survey.objects.filter(title=AUTUMN, status=SurveyStatus.CLOSED).first()
    care = Team.objects.filter(external_id="D-CARE").first()
    billing = Team.objects.filter(external_id="T-BILL-EMEA").first()
    lead = User.objects.filter(email="lead@demo.test").first()
    made = 0
    if spring and care and not spring.action_plans.exists():
        closed = (spring.closed_at or now).date()
        plan = actions.create_action_plan(
            survey=spring,
            team=care,
            driver="recognition",
            action="Weekly shout-outs for great customer moments, nominated by the team",
            details="Leads collect nominations in the team channel; two are read out each Monday.",
            owner=hr,
            due_date=closed + dt.timedelta(days=45),
            actor=None,
            today=closed,
        )
        actions.publish_update(
            plan=plan,
            actor=None,
            text=(
                "You said good work goes unnoticed. We started Monday shout-outs in every Customer "
                "Care team: 48 colleagues have been recognised by name since June."
            ),
        )
        actions.update_action_plan(plan=plan, actor=None, status="done")
        made += 1
    if autumn and billing and lead and not autumn.action_plans.exists():
        closed = (autumn.closed_at or now).date()
        plan = actions.create_action_plan(
            survey=autumn,
            team=billing,
            driver="workload",
            action="Protect 30 minutes a day off the queue for follow-ups and learning",
            owner=lead,
            due_date=closed + dt.timedelta(days=60),
            actor=None,
            today=closed,
        )
        actions.update_action_plan(plan=plan, actor=None, status="in_progress")
        actions.publish_update(
            plan=plan,
            actor=None,
            text=(
                "You said the queue never lets up. From this week each of us has a protected "
                "30-minute block on the rota for follow-ups and training."
            ),
        )
        made += 1
    return made


# --- Large: bulk rows -----------------------------------------------------------------------------

LARGE_PREFIX = "Large demo"
LARGE_PULSES = 16


def _large_waves(now: dt.datetime) -> list[tuple[str, str, dt.datetime, dt.datetime]]:
    """(title, template, opens, closes): two full waves and monthly pulses, all closed."""
    waves = [
        (f"{LARGE_PREFIX}: full survey, last year", "full", _at(400, now), _at(386, now)),
        (f"{LARGE_PREFIX}: full survey", "full", _at(60, now), _at(46, now)),
    ]
    for month in range(LARGE_PULSES):
        opens = _at(30 * (month + 1) + 5, now)
        waves.append(
            (f"{LARGE_PREFIX}: pulse {month + 1:02d}", "pulse", opens, opens + dt.timedelta(days=7))
        )
    return waves


def seed_large(rng: random.Random, now: dt.datetime) -> dict[str, int]:
    """Each wave is launched through `launch_survey` a minute before it opens (so the population
    is snapshotted by the same rules and nobody is notified), answered in bulk, then closed
    through `close_survey`, which decides its results."""
    counts = {"surveys": 0, "responses": 0, "answers": 0}
    codes = _large_department_ids()
    departments = list(Team.objects.filter(kind="department", external_id__in=codes))
    if not departments:
        return counts
    previous: Survey | None = None
    for title, template, opens, closes in _large_waves(now):
        existing = Survey.objects.filter(title=title).first()
        if existing is not None:
            previous = existing if template == "full" else previous
            continue
        with transaction.atomic():
            survey = surveys.create_survey_from_template(
                template_key=template, title=title, actor=None
            )
            if previous is not None and template == "full":
                survey.previous_wave = previous
                survey.save(update_fields=["previous_wave"])
            surveys.set_population(survey=survey, actor=None, team_ids=[d.pk for d in departments])
            surveys.update_schedule(survey=survey, actor=None, opens_at=opens, closes_at=closes)
            surveys.launch_survey(survey=survey, actor=None, now=opens - dt.timedelta(minutes=1))
            written = _bulk_answers(rng, survey)
            surveys.close_survey(survey=survey, actor=None, now=closes)
        counts["surveys"] += 1
        counts["responses"] += written[0]
        counts["answers"] += written[1]
        if template == "full":
            previous = survey
    return counts


def _large_department_ids() -> list[str]:
    from qa_platform.people.demo import LARGE_DEPARTMENTS, LARGE_SHAPE

    return [f"D-{code}" for code, _ in LARGE_DEPARTMENTS[: LARGE_SHAPE.departments]]


def _bulk_answers(rng: random.Random, survey: Survey) -> tuple[int, int]:
    """About 85% of the invitations answered, written as rows: what `submit_response` writes,
    without its one-transaction-per-person cost. Responses are shuffled before they are written so
    their order says nothing about the invitations'."""
    questions = list(SurveyQuestion.objects.filter(survey=survey).order_by("order", "pk"))
    levels: dict[int, float] = {}
    answered: list[int] = []
    rows: list[Response] = []
    answer_rows: list[Answer] = []
    for invitation in Invitation.objects.filter(survey=survey).order_by("pk"):
        if rng.random() >= RATE:
            continue
        answered.append(invitation.pk)
        level = levels.setdefault(invitation.team_id, rng.gauss(0.25, 0.35))
        raw = plan_answers(rng, questions, level=level, department="", wave=SPRING)
        cleaned = _cleaned(questions, raw)
        snapshot = invitation.attributes or {}
        response = Response(
            survey=survey,
            team_id=invitation.team_id,
            attributes={dim: snapshot.get(dim) or NOT_RECORDED for dim in DIMENSIONS},
            index_score=responses.index_score(questions, cleaned),
        )
        rows.append(response)
        by_key = {q.key: q for q in questions}
        answer_rows.extend(
            Answer(
                response=response,
                question=by_key[key],
                value=answer.value,
                choices=list(answer.choices) if answer.choices is not None else None,
                text=answer.text,
            )
            for key, answer in cleaned.items()
        )
    rng.shuffle(rows)
    Response.objects.bulk_create(rows, batch_size=2000)
    Answer.objects.bulk_create(answer_rows, batch_size=5000)
    Invitation.objects.filter(pk__in=answered).update(submitted=True)
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.OPEN)
    return len(rows), len(answer_rows)


def _cleaned(questions: Sequence[SurveyQuestion], raw: dict[str, Any]) -> dict[str, Any]:
    from . import answers as rules

    checked = rules.check_answers(responses.question_specs(list(questions)), raw, require=True)
    if not checked.ok:  # the plan writes only valid answers; say so loudly if that ever breaks
        raise ValueError(f"Planned demo answers are not valid: {checked.errors}")
    return dict(checked.answers)


@seeder
def seed_engagement(scale: str, rng: random.Random, stdout: TextIOBase) -> None:
    """Survey waves, answers, results and action plans (see the module docstring)."""
    started = time.perf_counter()
    now = timezone.now()
    small_rng, large_rng = random.Random(rng.random()), random.Random(rng.random())
    counts = seed_small(small_rng, now)
    stdout.write(
        f"Engagement (small): {counts['surveys']} new surveys, {counts['responses']} responses, "
        f"{counts['plans']} action plans, {counts['feedback']} customer feedback answers "
        f"in {time.perf_counter() - started:.1f} s.\n"
    )
    if scale == "large":
        started = time.perf_counter()
        large = seed_large(large_rng, now)
        stdout.write(
            f"Engagement (large): {large['surveys']} surveys, {large['responses']:,} responses, "
            f"{large['answers']:,} answers in {time.perf_counter() - started:.1f} s.\n"
        )
