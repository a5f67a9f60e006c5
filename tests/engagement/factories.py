"""Shared engagement factories: surveys built and launched through the real services.

Owned by the manage part (H3); other parts may append functions at the end. Everything here goes
through `qa_platform.engagement.services.surveys`, so a launched survey has exactly what launch
makes: invitations snapshotted per current member of the chosen teams' subtrees (team and
attributes as of launch), `invited_count`, status OPEN (or SCHEDULED when it opens later).

Invitation tokens: launch stores only a placeholder hash; the real token is made by the email
task. Use `invitation_token(invitation)` to give an invitation a token you know.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from qa_platform.engagement.models import Invitation, Survey, SurveyStatus
from qa_platform.engagement.services import surveys as services
from qa_platform.people.models import Team, TeamKind, User
from qa_platform.people.roles import Role
from tests.people.factories import MembershipFactory, RoleGrantFactory, TeamFactory, UserFactory


def make_survey(
    *,
    template_key: str = "pulse",
    title: str = "Autumn engagement survey",
    teams: Iterable[Team] = (),
    actor: User | None = None,
    privacy: str | None = None,
    score_threshold: int | None = None,
    comment_threshold: int | None = None,
    introduction: str = "",
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    reminder_days: Sequence[int] = (),
    previous_wave: Survey | None = None,
) -> Survey:
    """A DRAFT survey from a bank template ("full", "pulse", "onboarding_week1", ..., or "blank"),
    with the population `teams` (each with its subtree) and, when given, settings and schedule.
    A close date 14 days from now is set when `teams` are given and `closes_at` is not, so the
    survey is ready to launch."""
    survey = services.create_survey_from_template(
        template_key=template_key, title=title, actor=actor, introduction=introduction
    )
    if privacy or score_threshold or comment_threshold or previous_wave:
        services.update_survey_settings(
            survey=survey,
            actor=actor,
            title=title,
            introduction=introduction,
            privacy=privacy or survey.privacy,
            score_threshold=score_threshold or survey.score_threshold,
            comment_threshold=comment_threshold or survey.comment_threshold,
            previous_wave=previous_wave,
        )
    team_list = list(teams)
    if team_list:
        services.set_population(survey=survey, actor=actor, team_ids=[t.pk for t in team_list])
    if team_list and closes_at is None:
        closes_at = (opens_at or timezone.now()) + dt.timedelta(days=14)
    if opens_at or closes_at or reminder_days:
        services.update_schedule(
            survey=survey,
            actor=actor,
            opens_at=opens_at,
            closes_at=closes_at,
            reminder_days=reminder_days,
        )
    survey.refresh_from_db()
    return survey


def launched_survey(
    *,
    teams: Iterable[Team],
    template_key: str = "pulse",
    title: str = "Autumn engagement survey",
    actor: User | None = None,
    now: dt.datetime | None = None,
    **settings: Any,
) -> Survey:
    """A survey launched through `launch_survey` (OPEN unless `opens_at` is later than `now`).
    `settings` go to `make_survey` (privacy, thresholds, opens_at, closes_at, reminder_days...).
    The teams must have current members. On-commit callbacks (the invitation emails) run only if
    the test captures them (django_capture_on_commit_callbacks(execute=True))."""
    survey = make_survey(
        template_key=template_key, title=title, teams=teams, actor=actor, **settings
    )
    return services.launch_survey(survey=survey, actor=actor, now=now)


def closed_survey(
    *,
    teams: Iterable[Team],
    template_key: str = "pulse",
    actor: User | None = None,
    compute: bool = True,
    **settings: Any,
) -> Survey:
    """A launched survey, closed through `close_survey` (which calls
    `publishing.compute_results`). With `compute=False` the survey is marked closed directly,
    without deciding results (for tests that arrange ItemResult rows themselves)."""
    survey = launched_survey(teams=teams, template_key=template_key, actor=actor, **settings)
    if compute:
        return services.close_survey(survey=survey, actor=actor)
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED, closed_at=timezone.now())
    survey.refresh_from_db()
    return survey


def team_with_members(
    parent: Team | None,
    size: int,
    *,
    name: str | None = None,
    role: str = Role.AGENT,
    location: str = "",
    started: dt.date | None = None,
) -> tuple[Team, list[User]]:
    """A team under `parent` with `size` current members holding `role` on it (each starting on
    `started`, default a year and a half ago, so their tenure band is "1–3 years")."""
    team = TeamFactory(parent=parent, kind=TeamKind.TEAM, **({"name": name} if name else {}))
    start = started or timezone.localdate() - dt.timedelta(days=550)
    people = []
    for _ in range(size):
        person = UserFactory(location=location)
        MembershipFactory(user=person, team=team, start=start)
        RoleGrantFactory(user=person, role=role, team=team)
        people.append(person)
    return team, people


def invitation_token(invitation: Invitation, token: str | None = None) -> str:
    """Give `invitation` a token you know (its sha256 is stored, as the email task does)."""
    token = token or f"test-token-{invitation.pk}-{invitation.survey_id}"
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=services.hash_token(token))
    invitation.token_hash = services.hash_token(token)
    return token
