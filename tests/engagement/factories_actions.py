"""Helpers for the action-plan and CX-overview tests: closed surveys (through the manage part's
factories, without deciding results) and plans made through the real service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from qa_platform.engagement.models import ActionPlan, Survey
from qa_platform.engagement.services.actions import create_action_plan, survey_drivers
from qa_platform.people.models import Team, User
from tests.engagement.factories import closed_survey


def closed_pulse(teams: Iterable[Team], *, previous_wave: Survey | None = None) -> Survey:
    """A pulse survey of `teams` (which need current members), launched and closed."""
    return closed_survey(teams=list(teams), compute=False, previous_wave=previous_wave)


def make_plan(
    *,
    survey: Survey,
    team: Team,
    owner: User,
    actor: User,
    driver: str | None = None,
    action: str = "Weekly one-to-ones",
    due_in_days: int = 30,
    **extra: Any,
) -> ActionPlan:
    return create_action_plan(
        survey=survey,
        team=team,
        driver=driver or survey_drivers(survey)[0],
        action=action,
        details=extra.pop("details", ""),
        owner=owner,
        due_date=timezone.localdate() + dt.timedelta(days=due_in_days),
        actor=actor,
        **extra,
    )


def quick_closed_survey(
    teams: Iterable[Team],
    *,
    drivers: tuple[str, ...] = ("manager", "recognition"),
    title: str = "Spring pulse",
    previous_wave: Survey | None = None,
) -> Survey:
    """A closed survey made directly with the models (fast): one agreement question per driver
    and one invitation per current member of `teams` (with their subtrees)."""
    import hashlib

    from qa_platform.engagement.models import Invitation, SurveyQuestion, SurveyStatus
    from qa_platform.people.models import Membership

    now = timezone.now()
    survey = Survey.objects.create(
        title=title,
        status=SurveyStatus.CLOSED,
        opens_at=now - dt.timedelta(days=20),
        closes_at=now - dt.timedelta(days=6),
        launched_at=now - dt.timedelta(days=20),
        closed_at=now - dt.timedelta(days=6),
        previous_wave=previous_wave,
    )
    for i, driver in enumerate(drivers):
        SurveyQuestion.objects.create(
            survey=survey,
            order=i,
            key=f"driver.{driver}.q{i}",
            text=f"A question on {driver}",
            scale="agreement_5",
            part="driver",
            driver=driver,
        )
    for team in teams:
        survey.teams.add(team)
        for m in Membership.objects.current().filter(team__path__startswith=team.path):
            Invitation.objects.get_or_create(
                survey=survey,
                person_id=m.user_id,
                defaults={
                    "team_id": m.team_id,
                    "token_hash": hashlib.sha256(f"{survey.pk}-{m.user_id}".encode()).hexdigest(),
                },
            )
    survey.invited_count = survey.invitations.count()
    survey.save(update_fields=["invited_count"])
    return survey
