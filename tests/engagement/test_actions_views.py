"""Action-plan pages: the list with its filters, the create form, the detail page, the htmx
status change and publishing an update; each for the right person, anonymous visitors, another
team, a role without the right, htmx and plain requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform.engagement.models import ActionPlan, ActionStatus, ActionUpdate, Survey
from qa_platform.people.models import User
from tests.conftest import Org, signed_in
from tests.engagement.factories_actions import make_plan, quick_closed_survey

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SOON = (timezone.localdate() + dt.timedelta(days=14)).isoformat()


@pytest.fixture
def survey(org: Org, agent: User, other_team_agent: User, lead: User) -> Survey:
    return quick_closed_survey([org.support, org.sales])


@pytest.fixture
def plan(survey: Survey, org: Org, lead: User, agent: User) -> ActionPlan:
    return make_plan(survey=survey, team=org.team, owner=agent, actor=lead, driver="manager")


def list_url(survey: Survey) -> str:
    return reverse("engagement:action_plans", args=[survey.pk])


def create_url(survey: Survey) -> str:
    return reverse("engagement:action_plan_create", args=[survey.pk])


def detail_url(plan: ActionPlan) -> str:
    return reverse("engagement:action_plan", args=[plan.pk])


# --- The list ---------------------------------------------------------------------------------


def test_a_lead_sees_their_teams_plans_with_overdue_ones_marked(
    client: Client,
    survey: Survey,
    plan: ActionPlan,
    org: Org,
    lead: User,
    hr: User,
    other_team_agent: User,
) -> None:
    ActionPlan.objects.filter(pk=plan.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    make_plan(
        survey=survey, team=org.other_team, owner=other_team_agent, actor=hr, action="Sales only"
    )
    response = signed_in(client, lead).get(list_url(survey))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert "Weekly one-to-ones" in body
    assert "Overdue" in body
    assert "Sales only" not in body


def test_the_list_filters_by_team_driver_and_status(
    client: Client, survey: Survey, plan: ActionPlan, org: Org, hr: User, other_team_agent: User
) -> None:
    make_plan(
        survey=survey,
        team=org.other_team,
        owner=other_team_agent,
        actor=hr,
        driver="recognition",
        action="Thank-you board",
    )
    client = signed_in(client, hr)
    body = client.get(list_url(survey), {"team": org.sales.pk}).content.decode()
    assert "Thank-you board" in body and "Weekly one-to-ones" not in body
    body = client.get(list_url(survey), {"driver": "manager"}).content.decode()
    assert "Weekly one-to-ones" in body and "Thank-you board" not in body
    body = client.get(list_url(survey), {"status": "done"}).content.decode()
    assert "No action plans match these filters" in body
    body = client.get(list_url(survey), {"status": "open"}).content.decode()
    assert "Weekly one-to-ones" in body and "Thank-you board" in body


def test_a_filter_outside_the_choices_is_reported_not_a_500(
    client: Client, survey: Survey, plan: ActionPlan, lead: User, org: Org
) -> None:
    response = signed_in(client, lead).get(
        list_url(survey), {"team": org.other_team.pk, "status": "x"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Some filters were not used" in body


def test_the_htmx_list_is_the_results_fragment(
    client: Client, survey: Survey, plan: ActionPlan, lead: User
) -> None:
    body = signed_in(client, lead).get(list_url(survey), headers=HTMX).content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="plan-results">')
    assert "Weekly one-to-ones" in body


def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, survey: Survey, plan: ActionPlan
) -> None:
    for url in (list_url(survey), create_url(survey), detail_url(plan)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["agent", "reviewer", "qa_manager", "trainer"])
def test_roles_without_the_right_are_refused(
    client: Client, survey: Survey, plan: ActionPlan, role: str, request: Any
) -> None:
    client = signed_in(client, request.getfixturevalue(role))
    for url in (list_url(survey), create_url(survey), detail_url(plan)):
        assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("engagement:action_plan_publish", args=[plan.pk]), {"text": "x"}
        ).status_code
        == 403
    )


def test_another_teams_lead_gets_not_found(
    client: Client, survey: Survey, plan: ActionPlan, org: Org, other_team_lead: User
) -> None:
    client = signed_in(client, other_team_lead)
    assert client.get(detail_url(plan)).status_code == 404
    assert (
        client.post(
            reverse("engagement:action_plan_update", args=[plan.pk]), {"status": "done"}
        ).status_code
        == 404
    )
    only_support = quick_closed_survey([org.support], title="Support only")
    assert client.get(list_url(only_support)).status_code == 404


def test_a_survey_still_open_has_no_action_plans_page(
    client: Client, survey: Survey, lead: User
) -> None:
    Survey.objects.filter(pk=survey.pk).update(status="open")
    assert signed_in(client, lead).get(list_url(survey)).status_code == 404


def test_the_list_query_count_does_not_grow_with_the_plans(
    client: Client,
    survey: Survey,
    plan: ActionPlan,
    org: Org,
    lead: User,
    agent: User,
    django_assert_max_num_queries: Any,
) -> None:
    client = signed_in(client, lead)
    client.get(list_url(survey))  # session and grants warm
    with django_assert_max_num_queries(9):
        assert client.get(list_url(survey)).status_code == 200
    for i in range(12):
        make_plan(survey=survey, team=org.team, owner=agent, actor=lead, action=f"Action {i}")
    with django_assert_max_num_queries(9):
        body = client.get(list_url(survey)).content.decode()
    assert "Action 11" in body


# --- Create -----------------------------------------------------------------------------------


def test_the_create_form_offers_the_surveys_drivers_and_the_leads_teams(
    client: Client, survey: Survey, org: Org, lead: User
) -> None:
    body = signed_in(client, lead).get(create_url(survey)).content.decode()
    assert "Manager support" in body and "Recognition" in body
    assert f'value="{org.team.pk}"' in body
    assert f'value="{org.other_team.pk}"' not in body


def test_a_lead_creates_a_plan_and_is_taken_to_it(
    client: Client, survey: Survey, org: Org, lead: User, agent: User
) -> None:
    response = signed_in(client, lead).post(
        create_url(survey),
        {
            "team": org.team.pk,
            "driver": "manager",
            "action": "Fortnightly coaching",
            "owner": agent.pk,
            "due_date": SOON,
        },
    )
    plan = ActionPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(plan)
    assert plan.owner == agent and plan.created_by == lead


def test_a_past_due_date_and_a_missing_action_are_shown_on_the_form(
    client: Client, survey: Survey, org: Org, lead: User, agent: User
) -> None:
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = signed_in(client, lead).post(
        create_url(survey),
        {
            "team": org.team.pk,
            "driver": "manager",
            "action": "",
            "owner": agent.pk,
            "due_date": past,
        },
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "The due date must be in the future." in body
    assert "This field is required." in body
    assert not ActionPlan.objects.exists()


def test_an_owner_outside_the_team_is_refused_with_a_message(
    client: Client, survey: Survey, org: Org, hr: User, other_team_agent: User
) -> None:
    body = (
        signed_in(client, hr)
        .post(
            create_url(survey),
            {
                "team": org.team.pk,
                "driver": "manager",
                "action": "Coaching",
                "owner": other_team_agent.pk,
                "due_date": SOON,
            },
        )
        .content.decode()
    )
    assert "The owner must be an active member of Billing" in body
    assert not ActionPlan.objects.exists()


def test_an_htmx_create_redirects_on_the_client(
    client: Client, survey: Survey, org: Org, lead: User, agent: User
) -> None:
    response = signed_in(client, lead).post(
        create_url(survey),
        {
            "team": org.team.pk,
            "driver": "manager",
            "action": "Coaching",
            "owner": agent.pk,
            "due_date": SOON,
        },
        headers=HTMX,
    )
    assert response["HX-Redirect"] == detail_url(ActionPlan.objects.get())


# --- Detail, status and updates ---------------------------------------------------------------


def test_the_detail_page_shows_the_plan_and_its_published_updates(
    client: Client, plan: ActionPlan, lead: User
) -> None:
    from qa_platform.engagement.services.actions import publish_update

    publish_update(plan=plan, text="We moved one-to-ones to Mondays.", actor=lead)
    response = signed_in(client, lead).get(detail_url(plan))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert "Manager support" in body
    assert "We moved one-to-ones to Mondays." in body


def test_the_htmx_detail_is_the_main_fragment(client: Client, plan: ActionPlan, lead: User) -> None:
    body = signed_in(client, lead).get(detail_url(plan), headers=HTMX).content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="plan-main">')


def test_an_htmx_status_change_returns_the_plan_summary(
    client: Client, plan: ActionPlan, lead: User, agent: User
) -> None:
    response = signed_in(client, lead).post(
        reverse("engagement:action_plan_update", args=[plan.pk]),
        {
            "status": ActionStatus.IN_PROGRESS,
            "owner": agent.pk,
            "due_date": plan.due_date.isoformat(),
        },
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card" id="plan-summary"')
    assert "In progress" in body and "Saved." in body
    plan.refresh_from_db()
    assert plan.status == ActionStatus.IN_PROGRESS


def test_a_plain_status_change_redirects_to_the_plan(
    client: Client, plan: ActionPlan, lead: User, agent: User
) -> None:
    response = signed_in(client, lead).post(
        reverse("engagement:action_plan_update", args=[plan.pk]),
        {"status": ActionStatus.DONE, "owner": agent.pk, "due_date": plan.due_date.isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(plan)
    plan.refresh_from_db()
    assert plan.status == ActionStatus.DONE


def test_a_bad_status_change_says_why_and_changes_nothing(
    client: Client, plan: ActionPlan, lead: User, agent: User
) -> None:
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = signed_in(client, lead).post(
        reverse("engagement:action_plan_update", args=[plan.pk]),
        {"status": "finished", "owner": agent.pk, "due_date": past},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == ActionStatus.PLANNED


def test_publishing_by_htmx_returns_the_updates_with_the_new_one(
    client: Client, plan: ActionPlan, lead: User
) -> None:
    response = signed_in(client, lead).post(
        reverse("engagement:action_plan_publish", args=[plan.pk]),
        {"text": "You said you lacked feedback; we now meet weekly."},
        headers=HTMX,
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="plan-updates"')
    assert "we now meet weekly" in body
    assert ActionUpdate.objects.get().published_at is not None


def test_publishing_plainly_redirects_and_an_empty_update_is_refused(
    client: Client, plan: ActionPlan, lead: User
) -> None:
    client = signed_in(client, lead)
    url = reverse("engagement:action_plan_publish", args=[plan.pk])
    assert client.post(url, {"text": ""}).status_code == 400
    assert not ActionUpdate.objects.exists()
    response = client.post(url, {"text": "Done."})
    assert response.status_code == 302
    assert ActionUpdate.objects.count() == 1


def test_the_actions_only_accept_posts(client: Client, plan: ActionPlan, lead: User) -> None:
    client = signed_in(client, lead)
    assert client.get(reverse("engagement:action_plan_update", args=[plan.pk])).status_code == 405
    assert client.get(reverse("engagement:action_plan_publish", args=[plan.pk])).status_code == 405
