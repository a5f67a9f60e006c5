"""HR builds, launches, runs and closes surveys.

Locks (DOMAIN.md §7): from launch on, the privacy mode, the thresholds, the title and
introduction (the first page respondents read), the questions, the sections, the population and
the previous wave are fixed. Every service that would change them refuses with `SurveyLocked`
(a `SurveyError`: its message is shown to the user as is) and appends an audit event
``engagement.locked_change_refused`` naming who tried what. The one change allowed after launch
is extending the close date of a survey that has not closed (`extend_close_date`), audited.

Invitations: `launch_survey` snapshots one `Invitation` per current member of the chosen teams'
subtrees (their team and attributes as of launch; later moves change nothing). Invitation links
carry a random token of which only the sha256 is stored; the token is made, stored as a hash and
emailed in one background task (`tasks.send_invitation_emails`), so it is never written anywhere
in the clear, not even in the task queue. People are told (in-app and by email) only when the
survey opens: at launch when it opens at once, otherwise when the schedule opens it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.db import transaction
from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qa_platform.audit.services import record
from qa_platform.people.models import Membership, RoleGrant, Team, User

from .. import anonymity, population, publishing
from .. import question_bank as bank
from ..models import (
    Invitation,
    PrivacyMode,
    QuestionPart,
    QuestionScale,
    Survey,
    SurveyQuestion,
    SurveySection,
    SurveyStatus,
)

LOCKED_REFUSED = "engagement.locked_change_refused"
BLANK_TEMPLATE = "blank"
CHOICE_SCALES = (QuestionScale.SINGLE_CHOICE, QuestionScale.MULTIPLE_CHOICE)
MAX_OPTIONS = 20
MAX_REMINDER_DAYS = 60


class SurveyError(ValueError):
    """A request that breaks a survey rule; the message is shown to the user as is."""


class SurveyLocked(SurveyError):
    """A change to something that is fixed from launch on (audited by the service refusing it)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A random invitation token and its sha256 (the only part stored)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


# --- Locks and audit -------------------------------------------------------------------------


def _lockable[**P, T](what: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Run the service in a transaction on the survey's locked row; if it raises SurveyLocked,
    record the refused attempt *after* the rollback (so the audit row stays) and re-raise.

    The wrapped service receives the freshly locked row as `survey`; the caller's instance is
    refreshed afterwards."""

    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            survey = cast(Survey, kwargs["survey"])
            try:
                with transaction.atomic():
                    row = Survey.objects.select_for_update().get(pk=survey.pk)
                    if row.is_locked:
                        raise SurveyLocked(_locked_message(row, what))
                    kwargs["survey"] = row
                    result = fn(*args, **kwargs)
            except SurveyLocked:
                _record_refusal(survey=survey, what=what, kwargs=dict(kwargs))
                raise
            _refresh(survey, row)
            return result

        return wrapper

    return decorate


def _locked_message(survey: Survey, what: str) -> str:
    state = "closed" if survey.status == SurveyStatus.CLOSED else "launched"
    return (
        f"This survey has been {state}, so {what} can no longer be changed: the privacy mode, "
        "thresholds, questions and population are locked at launch so that what respondents "
        "were told stays true."
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def _record_refusal(*, survey: Survey, what: str, kwargs: dict[str, Any]) -> None:
    actor = kwargs.pop("actor", None)
    kwargs.pop("survey", None)
    record(
        action=LOCKED_REFUSED,
        actor=actor,
        obj=survey,
        before={"status": survey.status},
        after={"attempted": what, "values": _jsonable(kwargs)},
    )


def _refresh(target: Survey, row: Survey) -> None:
    """Copy the saved row's fields onto the caller's instance so it sees the change."""
    if target is row:
        return
    for field in Survey._meta.concrete_fields:
        setattr(target, field.attname, getattr(row, field.attname))


def _audit(action: str, *, survey: Survey, actor: Any, before: Any, after: Any) -> None:
    record(
        action=action,
        actor=actor,
        obj=survey,
        before=_jsonable(before),
        after=_jsonable(after),
    )


# --- Creating and settings -------------------------------------------------------------------


def _add_bank_items(survey: Survey, keys: Iterable[str], section: SurveySection | None) -> None:
    start = _next_question_order(survey)
    existing = set(survey.questions.values_list("key", flat=True))
    rows = []
    for offset, key in enumerate(k for k in keys if k not in existing):
        item = bank.item(key)
        rows.append(
            SurveyQuestion(
                survey=survey,
                section=section,
                order=start + offset,
                key=item.key,
                text=item.text,
                scale=item.scale.value,
                part=item.part.value,
                driver=item.driver or "",
                options=list(item.options),
                required=not item.optional,
                follow_up_of=item.follow_up_of or "",
            )
        )
    SurveyQuestion.objects.bulk_create(rows)


def _next_question_order(survey: Survey) -> int:
    top = survey.questions.aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1


def _next_section_order(survey: Survey) -> int:
    top = survey.sections.aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1


def template_choices() -> list[tuple[str, str]]:
    return [(t.key, t.name) for t in bank.TEMPLATES] + [(BLANK_TEMPLATE, "Blank survey")]


@transaction.atomic
def create_survey_from_template(
    *, template_key: str, title: str, actor: Any, introduction: str = ""
) -> Survey:
    """A draft survey with the template's sections and questions (or none, for "blank")."""
    title = title.strip()
    if not title:
        raise SurveyError("Give the survey a title.")
    if len(title) > 200:
        raise SurveyError("The title can be at most 200 characters.")
    templates = {t.key: t for t in bank.TEMPLATES}
    if template_key != BLANK_TEMPLATE and template_key not in templates:
        raise SurveyError(f"There is no template {template_key!r}.")
    template = templates.get(template_key)
    survey = Survey.objects.create(
        title=title,
        introduction=introduction.strip(),
        template_key="" if template is None else template.key,
        privacy=PrivacyMode.ANONYMOUS if template is None else template.privacy.value,
        score_threshold=anonymity.SCORE_K,
        comment_threshold=anonymity.COMMENT_K,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if template is not None:
        for order, spec in enumerate(template.sections):
            section = SurveySection.objects.create(survey=survey, title=spec.title, order=order)
            _add_bank_items(survey, spec.items, section)
    _audit(
        "engagement.survey_created",
        survey=survey,
        actor=actor,
        before=None,
        after={"title": survey.title, "template": template_key, "privacy": survey.privacy},
    )
    return survey


def validate_thresholds(*, score_threshold: Any, comment_threshold: Any) -> anonymity.Thresholds:
    """The thresholds as anonymity.Thresholds, or SurveyError with a message a person can act on
    (never below the floors: scores 3, comments 10 and not below the score threshold)."""
    try:
        scores = int(score_threshold)
        comments = int(comment_threshold)
    except (TypeError, ValueError):
        raise SurveyError("Thresholds must be whole numbers of answers.") from None
    if scores < anonymity.SCORE_K_FLOOR:
        raise SurveyError(
            f"The score threshold cannot be below {anonymity.SCORE_K_FLOOR} answers: smaller "
            "groups could identify people. Small teams roll up into their parent instead."
        )
    if comments < max(anonymity.COMMENT_K, scores):
        raise SurveyError(
            f"The comment threshold cannot be below {anonymity.COMMENT_K} answers, nor below the "
            "score threshold: comments are easier to recognise than scores."
        )
    if scores > 1000 or comments > 1000:
        raise SurveyError("Thresholds above 1000 answers would hide every result.")
    try:
        return anonymity.Thresholds(scores=scores, comments=comments)
    except ValueError as exc:  # the pure module's rules are the final word
        raise SurveyError(str(exc)) from None


SETTINGS_FIELDS = (
    "title",
    "introduction",
    "privacy",
    "score_threshold",
    "comment_threshold",
    "previous_wave_id",
)


def _settings_of(survey: Survey) -> dict[str, Any]:
    return {name: getattr(survey, name) for name in SETTINGS_FIELDS}


@_lockable("the title, introduction, privacy mode, thresholds or previous wave")
def update_survey_settings(
    *,
    survey: Survey,
    actor: Any,
    title: str,
    introduction: str,
    privacy: str,
    score_threshold: Any,
    comment_threshold: Any,
    previous_wave: Survey | None = None,
) -> Survey:
    """Change the first-page settings of a draft survey (audited before/after)."""
    title = title.strip()
    if not title:
        raise SurveyError("Give the survey a title.")
    if len(title) > 200:
        raise SurveyError("The title can be at most 200 characters.")
    if privacy not in PrivacyMode.values:
        raise SurveyError("Choose anonymous, confidential or identifiable.")
    thresholds = validate_thresholds(
        score_threshold=score_threshold, comment_threshold=comment_threshold
    )
    if previous_wave is not None:
        if previous_wave.pk == survey.pk:
            raise SurveyError("A survey cannot be its own previous wave.")
        if previous_wave.status == SurveyStatus.DRAFT:
            raise SurveyError("The previous wave must be a survey that has been launched.")
    before = _settings_of(survey)
    survey.title = title
    survey.introduction = introduction.strip()
    survey.privacy = privacy
    survey.score_threshold = thresholds.scores
    survey.comment_threshold = thresholds.comments
    survey.previous_wave = previous_wave
    after = _settings_of(survey)
    if before != after:
        survey.save(update_fields=[f.removesuffix("_id") for f in SETTINGS_FIELDS])
        _audit(
            "engagement.survey_settings_changed",
            survey=survey,
            actor=actor,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return survey


# --- Sections and questions ------------------------------------------------------------------


def _section_of(survey: Survey, section_id: int | None) -> SurveySection | None:
    if section_id is None:
        return None
    section = survey.sections.filter(pk=section_id).first()
    if section is None:
        raise SurveyError("That section is not part of this survey.")
    return section


@_lockable("the sections")
def add_section(*, survey: Survey, actor: Any, title: str) -> SurveySection:
    title = title.strip()
    if not title:
        raise SurveyError("Give the section a title.")
    if len(title) > 200:
        raise SurveyError("A section title can be at most 200 characters.")
    section = SurveySection.objects.create(
        survey=survey, title=title, order=_next_section_order(survey)
    )
    _audit(
        "engagement.survey_section_added",
        survey=survey,
        actor=actor,
        before=None,
        after={"section": title},
    )
    return section


@_lockable("the sections")
def remove_section(*, survey: Survey, actor: Any, section_id: int) -> None:
    """Remove a section; its questions stay, outside any section."""
    section = _section_of(survey, section_id)
    assert section is not None
    title = section.title
    section.delete()
    _audit(
        "engagement.survey_section_removed",
        survey=survey,
        actor=actor,
        before={"section": title},
        after=None,
    )


@_lockable("the order of the sections")
def move_section(*, survey: Survey, actor: Any, section_id: int, direction: str) -> None:
    _section_of(survey, section_id)
    _swap(list(survey.sections.order_by("order", "pk")), section_id, direction)


@_lockable("the questions")
def add_bank_question(
    *, survey: Survey, actor: Any, key: str, section_id: int | None = None
) -> SurveyQuestion:
    """Add one question from the bank (with its "why?" follow-up not included: add it too)."""
    if key not in bank.BY_KEY:
        raise SurveyError("That question is not in the question bank.")
    if survey.questions.filter(key=key).exists():
        raise SurveyError("That question is already in this survey.")
    section = _section_of(survey, section_id)
    _add_bank_items(survey, [key], section)
    question = survey.questions.get(key=key)
    _audit(
        "engagement.survey_question_added",
        survey=survey,
        actor=actor,
        before=None,
        after={"key": key, "section": section.title if section else None},
    )
    return question


def _own_key(survey: Survey, text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40].strip("_") or "question"
    if not slug[0].isalpha():
        slug = f"q_{slug}"
    taken = set(survey.questions.filter(key__startswith="own.").values_list("key", flat=True))
    key, n = f"own.{slug}", 2
    while key in taken:
        key, n = f"own.{slug}_{n}", n + 1
    return key


def clean_options(scale: str, options: Sequence[str]) -> list[str]:
    """Choice questions need 2..20 distinct non-blank options; other scales take none."""
    cleaned = [o.strip() for o in options if o.strip()]
    if scale not in CHOICE_SCALES:
        if cleaned:
            raise SurveyError("Only single and multiple choice questions have options.")
        return []
    if len(cleaned) < 2:
        raise SurveyError("A choice question needs at least two options, one per line.")
    if len(cleaned) > MAX_OPTIONS:
        raise SurveyError(f"A choice question can have at most {MAX_OPTIONS} options.")
    if len({o.casefold() for o in cleaned}) != len(cleaned):
        raise SurveyError("Each option must be different.")
    if any(len(o) > 200 for o in cleaned):
        raise SurveyError("An option can be at most 200 characters.")
    return cleaned


@_lockable("the questions")
def add_own_question(
    *,
    survey: Survey,
    actor: Any,
    text: str,
    scale: str,
    options: Sequence[str] = (),
    optional: bool = False,
    section_id: int | None = None,
) -> SurveyQuestion:
    """HR's own question: agreement 5-point, 0-10, single/multiple choice or comment."""
    text = text.strip()
    if not text:
        raise SurveyError("Write the question.")
    if len(text) > 500:
        raise SurveyError("A question can be at most 500 characters.")
    if scale not in QuestionScale.values:
        raise SurveyError("Choose how people answer: agreement, 0 to 10, a choice or a comment.")
    cleaned = clean_options(scale, options)
    section = _section_of(survey, section_id)
    question = SurveyQuestion.objects.create(
        survey=survey,
        section=section,
        order=_next_question_order(survey),
        key=_own_key(survey, text),
        text=text,
        scale=scale,
        part=QuestionPart.CUSTOM,
        options=cleaned,
        required=not optional,
    )
    _audit(
        "engagement.survey_question_added",
        survey=survey,
        actor=actor,
        before=None,
        after={"key": question.key, "text": text, "scale": scale, "options": cleaned},
    )
    return question


def _question_of(survey: Survey, question_id: int) -> SurveyQuestion:
    question = survey.questions.filter(pk=question_id).first()
    if question is None:
        raise SurveyError("That question is not part of this survey.")
    return question


@_lockable("the questions")
def remove_question(*, survey: Survey, actor: Any, question_id: int) -> None:
    question = _question_of(survey, question_id)
    key = question.key
    question.delete()
    _audit(
        "engagement.survey_question_removed",
        survey=survey,
        actor=actor,
        before={"key": key},
        after=None,
    )


@_lockable("the order of the questions")
def move_question(*, survey: Survey, actor: Any, question_id: int, direction: str) -> None:
    """Swap a question with its neighbour in the same section ("up" or "down")."""
    question = _question_of(survey, question_id)
    siblings = list(survey.questions.filter(section_id=question.section_id).order_by("order", "pk"))
    _swap(siblings, question_id, direction)


def _swap(rows: list[Any], pk: int, direction: str) -> None:
    if direction not in ("up", "down"):
        raise SurveyError("Move up or down.")
    # Renumber first so equal orders cannot make a swap a no-op.
    for number, row in enumerate(rows):
        row.order = number
    at = next(i for i, row in enumerate(rows) if row.pk == pk)
    other = at - 1 if direction == "up" else at + 1
    if 0 <= other < len(rows):
        rows[at].order, rows[other].order = rows[other].order, rows[at].order
    type(rows[0]).objects.bulk_update(rows, ["order"])


# --- Population and schedule -----------------------------------------------------------------


@_lockable("the population")
def set_population(*, survey: Survey, actor: Any, team_ids: Iterable[int]) -> Survey:
    """The teams invited, each with its whole subtree (the members are snapshotted at launch)."""
    ids = sorted({int(i) for i in team_ids})
    teams = list(Team.objects.filter(pk__in=ids, is_active=True))
    if len(teams) != len(ids):
        raise SurveyError("Choose only active teams.")
    before = sorted(survey.teams.values_list("pk", flat=True))
    survey.teams.set(teams)
    if before != ids:
        _audit(
            "engagement.survey_population_changed",
            survey=survey,
            actor=actor,
            before={"teams": before},
            after={"teams": ids},
        )
    return survey


def clean_reminder_days(days: Iterable[Any]) -> list[int]:
    try:
        cleaned = sorted({int(d) for d in days}, reverse=True)
    except (TypeError, ValueError):
        raise SurveyError(
            "Reminder days are whole numbers of days before closing, e.g. 7, 2."
        ) from None
    if any(d < 0 or d > MAX_REMINDER_DAYS for d in cleaned):
        raise SurveyError(f"Reminder days must be between 0 and {MAX_REMINDER_DAYS}.")
    return cleaned


@_lockable("the schedule (only the close date can be extended after launch)")
def update_schedule(
    *,
    survey: Survey,
    actor: Any,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    reminder_days: Iterable[Any] = (),
) -> Survey:
    """Open and close times and reminder days of a draft survey. An empty open time means
    "when launched"."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise SurveyError("The survey must close after it opens.")
    days = clean_reminder_days(reminder_days)
    before = {
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "reminder_days": survey.reminder_days,
    }
    survey.opens_at, survey.closes_at, survey.reminder_days = opens_at, closes_at, days
    after = {"opens_at": opens_at, "closes_at": closes_at, "reminder_days": days}
    if before != after:
        survey.save(update_fields=["opens_at", "closes_at", "reminder_days"])
        _audit(
            "engagement.survey_schedule_changed",
            survey=survey,
            actor=actor,
            before=before,
            after=after,
        )
    return survey


def extend_close_date(
    *, survey: Survey, actor: Any, closes_at: dt.datetime, now: dt.datetime | None = None
) -> Survey:
    """After launch, HR may give people more time: a later close date (audited). Bringing the
    date forward is closing early (`close_survey`)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = Survey.objects.select_for_update().get(pk=survey.pk)
        if row.status == SurveyStatus.CLOSED:
            raise SurveyError("This survey has closed; its close date can no longer change.")
        if row.status == SurveyStatus.DRAFT:
            raise SurveyError("Set the dates of a draft survey on its schedule.")
        if row.closes_at and closes_at <= row.closes_at:
            raise SurveyError(
                "The close date can only be moved later. To end the survey now, close it."
            )
        if closes_at <= now:
            raise SurveyError("The new close date must be in the future.")
        before = row.closes_at
        row.closes_at = closes_at
        row.save(update_fields=["closes_at"])
        _audit(
            "engagement.survey_close_date_extended",
            survey=row,
            actor=actor,
            before={"closes_at": before},
            after={"closes_at": closes_at},
        )
    _refresh(survey, row)
    return survey


# --- Launch ----------------------------------------------------------------------------------


def population_problems(survey: Survey, *, now: dt.datetime) -> list[str]:
    """What stops a launch, in words HR can act on (empty when it can launch)."""
    problems = []
    if not survey.questions.exists():
        problems.append("Add at least one question.")
    if not survey.teams.exists():
        problems.append("Choose the teams to invite.")
    elif not current_members(survey, on=timezone.localdate(now)):
        problems.append("The chosen teams have no current members to invite.")
    opens = survey.opens_at or now
    if survey.closes_at is None:
        problems.append("Set when the survey closes.")
    elif survey.closes_at <= opens:
        problems.append("The survey must close after it opens.")
    elif survey.closes_at <= now:
        problems.append("The close date has already passed.")
    return problems


def current_members(survey: Survey, *, on: dt.date) -> dict[int, Membership]:
    """Person id -> the current membership that places them in the population (one per person:
    the deepest team, then the latest start)."""
    paths = list(survey.teams.filter(is_active=True).values_list("path", flat=True))
    if not paths:
        return {}
    in_subtrees = Q()
    for path in paths:
        in_subtrees |= Q(team__path__startswith=path)
    rows = (
        Membership.objects.on(on)
        .filter(in_subtrees, user__is_active=True, team__is_active=True)
        .select_related("user", "team")
        .order_by("user_id", "-team__depth", "-start", "-pk")
    )
    chosen: dict[int, Membership] = {}
    for membership in rows:
        chosen.setdefault(membership.user_id, membership)
    return chosen


def _snapshot(survey: Survey, *, now: dt.datetime) -> list[Invitation]:
    on = timezone.localdate(now)
    members = current_members(survey, on=on)
    ids = list(members)
    first_days: dict[int, dt.date] = {}
    for user_id, start in (
        Membership.objects.filter(user_id__in=ids)
        .order_by("user_id", "start")
        .values_list("user_id", "start")
    ):
        first_days.setdefault(user_id, start)
    roles: dict[int, set[str]] = {}
    for user_id, role in (
        RoleGrant.objects.active().filter(user_id__in=ids).values_list("user_id", "role")
    ):
        roles.setdefault(user_id, set()).add(role)
    invitations = []
    for user_id, membership in members.items():
        person: User = membership.user
        first_day = first_days.get(user_id) or timezone.localdate(person.date_joined)
        invitations.append(
            Invitation(
                survey=survey,
                person=person,
                team=membership.team,
                attributes=population.attributes_of(
                    first_day=first_day,
                    on=on,
                    roles=roles.get(user_id, set()),
                    location=person.location,
                ),
                # A placeholder until the survey opens: the real token is made, hashed and
                # emailed by tasks.send_invitation_emails; this one is never sent anywhere.
                token_hash=new_token()[1],
                invited_at=now,
            )
        )
    return Invitation.objects.bulk_create(invitations, batch_size=500)


def launch_survey(*, survey: Survey, actor: Any, now: dt.datetime | None = None) -> Survey:
    """Lock the survey, snapshot its invitations and open it (now, or at `opens_at` through the
    schedule). Refuses with every problem listed when it cannot launch."""
    now = now or timezone.now()
    with transaction.atomic():
        row = Survey.objects.select_for_update().get(pk=survey.pk)
        if row.is_locked:
            raise SurveyError("This survey has already been launched.")
        problems = population_problems(row, now=now)
        if problems:
            raise SurveyError(" ".join(problems))
        invitations = _snapshot(row, now=now)
        row.invited_count = len(invitations)
        row.launched_at = now
        row.launched_by = actor if getattr(actor, "is_authenticated", False) else None
        opens_later = row.opens_at is not None and row.opens_at > now
        if not opens_later:
            row.opens_at = row.opens_at or now
        row.status = SurveyStatus.SCHEDULED if opens_later else SurveyStatus.OPEN
        row.save(
            update_fields=["invited_count", "launched_at", "launched_by", "opens_at", "status"]
        )
        _audit(
            "engagement.survey_launched",
            survey=row,
            actor=actor,
            before={"status": SurveyStatus.DRAFT},
            after={
                "status": row.status,
                "invited_count": row.invited_count,
                "privacy": row.privacy,
                "score_threshold": row.score_threshold,
                "comment_threshold": row.comment_threshold,
                "questions": list(row.questions.values_list("key", flat=True)),
                "teams": sorted(row.teams.values_list("pk", flat=True)),
                "opens_at": row.opens_at,
                "closes_at": row.closes_at,
            },
        )
        if row.status == SurveyStatus.OPEN:
            _invite(row)
    _refresh(survey, row)
    return survey


def answer_url(survey: Survey) -> str:
    """The signed-in answer page (in-app notifications and reminders link here)."""
    try:
        return reverse("engagement:answer", args=[survey.pk])
    except NoReverseMatch:
        return ""


def token_url(token: str) -> str:
    try:
        return reverse("engagement:answer_token", args=[token])
    except NoReverseMatch:
        return f"/engagement/answer/{token}/"


def _invite(survey: Survey) -> int:
    """In-app notifications now; emails (with the token link) by a task after commit."""
    from qa_platform.notifications.models import Notification

    from ..tasks import send_invitation_emails

    people = list(survey.invitations.filter(submitted=False).values_list("pk", "person_id"))
    url = answer_url(survey)
    closes = (
        f" It closes on {timezone.localtime(survey.closes_at):%d %B %Y}."
        if survey.closes_at
        else ""
    )
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=person_id,
                kind="engagement.survey_open",
                title=f"Survey: {survey.title}"[:200],
                body=f"You are invited to answer “{survey.title}”.{closes}",
                url=url,
            )
            for _, person_id in people
        ],
        batch_size=500,
    )
    ids = [pk for pk, _ in people]
    if ids:
        transaction.on_commit(lambda: send_invitation_emails.enqueue(invitation_ids=ids))
    return len(ids)


# --- Close -----------------------------------------------------------------------------------


@transaction.atomic
def close_survey(*, survey: Survey, actor: Any, now: dt.datetime | None = None) -> Survey:
    """Close now (on schedule or early): no more answers; results are decided and stored by
    `publishing.compute_results` in the same transaction."""
    now = now or timezone.now()
    row = Survey.objects.select_for_update().get(pk=survey.pk)
    if row.status == SurveyStatus.DRAFT:
        raise SurveyError("A draft survey cannot be closed: it was never launched.")
    if row.status == SurveyStatus.CLOSED:
        raise SurveyError("This survey is already closed.")
    before = {"status": row.status, "closes_at": row.closes_at}
    early = row.closes_at is None or now < row.closes_at
    row.status = SurveyStatus.CLOSED
    row.closed_at = now
    row.save(update_fields=["status", "closed_at"])
    _audit(
        "engagement.survey_closed",
        survey=row,
        actor=actor,
        before=before,
        after={"status": row.status, "closed_at": now, "early": early},
    )
    publishing.compute_results(row)
    _refresh(survey, row)
    return survey


# --- The schedule ----------------------------------------------------------------------------


def open_due_surveys(*, now: dt.datetime | None = None) -> int:
    """Open scheduled surveys whose open time has passed, inviting everyone snapshotted."""
    now = now or timezone.now()
    opened = 0
    due = Survey.objects.filter(status=SurveyStatus.SCHEDULED, opens_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            row = Survey.objects.select_for_update().get(pk=pk)
            if row.status != SurveyStatus.SCHEDULED:  # opened by a concurrent run
                continue
            row.status = SurveyStatus.OPEN
            row.save(update_fields=["status"])
            _audit(
                "engagement.survey_opened",
                survey=row,
                actor=None,
                before={"status": SurveyStatus.SCHEDULED},
                after={"status": SurveyStatus.OPEN},
            )
            _invite(row)
            opened += 1
    return opened


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind people who have not submitted, on the survey's reminder days (days before it
    closes, in the server's time zone), at most once a day. Returns how many were reminded."""
    from qa_platform.notifications.models import Notification

    from ..tasks import send_reminder_emails

    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    reminded = 0
    for survey in Survey.objects.filter(status=SurveyStatus.OPEN, closes_at__gt=now):
        assert survey.closes_at is not None
        days_left = (timezone.localdate(survey.closes_at) - today).days
        if days_left not in survey.reminder_days:
            continue
        with transaction.atomic():
            due = list(
                Invitation.objects.select_for_update()
                .filter(survey=survey, submitted=False)
                .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=start_of_today))
                .values_list("pk", "person_id")
            )
            if not due:
                continue
            ids = [pk for pk, _ in due]
            Invitation.objects.filter(pk__in=ids).update(last_reminded_at=now)
            when = (
                "today" if days_left == 0 else f"in {days_left} day{'s' if days_left > 1 else ''}"
            )
            Notification.objects.bulk_create(
                [
                    Notification(
                        recipient_id=person_id,
                        kind="engagement.survey_reminder",
                        title=f"Reminder: {survey.title}"[:200],
                        body=f"“{survey.title}” closes {when}. Your answers count.",
                        url=answer_url(survey),
                    )
                    for _, person_id in due
                ],
                batch_size=500,
            )
            transaction.on_commit(
                functools.partial(send_reminder_emails.enqueue, invitation_ids=ids)
            )
            reminded += len(ids)
    return reminded


def close_due_surveys(*, now: dt.datetime | None = None) -> int:
    """Close open (or never-opened scheduled) surveys whose close time has passed."""
    now = now or timezone.now()
    closed = 0
    due = Survey.objects.filter(
        status__in=[SurveyStatus.OPEN, SurveyStatus.SCHEDULED], closes_at__lte=now
    )
    for survey in due:
        try:
            close_survey(survey=survey, actor=None, now=now)
        except SurveyError:  # closed by a concurrent run
            continue
        closed += 1
    return closed


def run_schedule(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass of the schedule: open, remind, close. Safe to run as often as wanted."""
    now = now or timezone.now()
    return {
        "opened": open_due_surveys(now=now),
        "reminded": send_due_reminders(now=now),
        "closed": close_due_surveys(now=now),
    }
