"""The home cards: "You said, we did" for the plan's team members only, the lead's open plans
(overdue first) and HR's open plans across the organisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform.engagement.models import ActionPlan, ActionStatus, Survey
from qa_platform.engagement.services.actions import publish_update, update_action_plan
from qa_platform.people.models import User
from tests.conftest import Org, signed_in
from tests.engagement.factories_actions import make_plan, quick_closed_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org: Org, agent: User, other_team_agent: User, lead: User) -> Survey:
    return quick_closed_survey([org.support, org.sales])


def home(client: Client, user: User) -> str:
    response = signed_in(client, user).get(reverse("home"), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_plans_team_members_see_its_update_on_their_home(
    client: Client, survey: Survey, org: Org, lead: User, agent: User
) -> None:
    plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead)
    publish_update(plan=plan, text="You said one-to-ones were rare; now weekly.", actor=lead)
    body = home(client, agent)
    assert "You said, we did" in body
    assert "You said one-to-ones were rare; now weekly." in body


def test_people_outside_the_plans_team_do_not_see_it(
    client: Client, survey: Survey, org: Org, lead: User, agent: User, other_team_agent: User
) -> None:
    plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead)
    publish_update(plan=plan, text="Billing-only update", actor=lead)
    body = home(client, other_team_agent)
    assert "You said, we did" in body
    assert "Billing-only update" not in body
    assert "No updates yet" in body


def test_a_department_plan_reaches_the_members_of_its_teams(
    client: Client, survey: Survey, org: Org, hr: User, agent: User, other_team_agent: User
) -> None:
    plan = make_plan(survey=survey, team=org.support, owner=hr, actor=hr)
    publish_update(plan=plan, text="Support-wide update", actor=hr)
    assert "Support-wide update" in home(client, agent)
    client.logout()
    assert "Support-wide update" not in home(client, other_team_agent)


def test_the_lead_home_lists_open_plans_overdue_first(
    client: Client, survey: Survey, org: Org, lead: User, agent: User
) -> None:
    later = make_plan(survey=survey, team=org.team, owner=agent, actor=lead, action="Later one")
    overdue = make_plan(survey=survey, team=org.team, owner=agent, actor=lead, action="Late one")
    ActionPlan.objects.filter(pk=overdue.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=3)
    )
    done = make_plan(survey=survey, team=org.team, owner=agent, actor=lead, action="Done one")
    update_action_plan(plan=done, actor=lead, status=ActionStatus.DONE)
    body = home(client, lead)
    assert body.index("Late one") < body.index("Later one")
    assert "Overdue" in body
    assert "Done one" not in body
    assert later.action in body


def test_the_hr_home_lists_open_plans_across_the_organisation(
    client: Client,
    survey: Survey,
    org: Org,
    lead: User,
    hr: User,
    agent: User,
    other_team_agent: User,
) -> None:
    make_plan(survey=survey, team=org.team, owner=agent, actor=lead, action="Billing plan")
    make_plan(
        survey=survey, team=org.other_team, owner=other_team_agent, actor=hr, action="Renewals plan"
    )
    body = home(client, hr)
    assert "Billing plan" in body and "Renewals plan" in body
    assert "No action plans" not in body


def test_the_hr_home_says_when_there_are_no_open_plans(client: Client, org: Org, hr: User) -> None:
    assert "No open action plans" in home(client, hr)
