"""Each role's home page: who lands where, what it shows, and a query count that does not grow."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qa_platform.notifications.services import notify
from qa_platform.people.models import User
from qa_platform.people.roles import Role
from tests.conftest import Org
from tests.people.factories import MembershipFactory, RoleGrantFactory, UserFactory

HOMES = {
    "agent": "home_agent",
    "reviewer": "home_reviewer",
    "lead": "home_lead",
    "qa_manager": "home_qa",
    "hr": "home_hr",
    "admin": "home_admin",
    "trainer": "home_trainer",
    "training_lead": "home_trainer",
}


def _fill_team(org: Org, n: int) -> None:
    for user in UserFactory.create_batch(n):
        MembershipFactory(user=user, team=org.team)
        RoleGrantFactory(user=user, role=Role.AGENT, team=org.team)


@pytest.mark.parametrize("role", list(HOMES))
def test_the_root_url_sends_each_person_to_the_home_of_their_main_role(
    role: str, request: pytest.FixtureRequest, client: Client
) -> None:
    user: User = request.getfixturevalue(role)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(HOMES[role])


def test_a_lead_who_is_also_an_agent_lands_on_the_lead_home(
    org: Org, lead: User, client: Client
) -> None:
    RoleGrantFactory(user=lead, role=Role.AGENT, team=org.team)
    client.force_login(lead)
    assert client.get("/")["Location"] == reverse("home_lead")


def test_a_person_without_a_role_sees_a_welcome_page_that_says_what_to_do(
    no_role_user: User, client: Client
) -> None:
    client.force_login(no_role_user)
    response = client.get("/")
    assert response.status_code == 200
    assert b"no role yet" in response.content


@pytest.mark.parametrize("role", list(HOMES))
def test_each_home_renders_its_empty_states_and_navigation(
    role: str, request: pytest.FixtureRequest, client: Client
) -> None:
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(HOMES[role]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-label="Main"' in html
    assert "empty-state" in html
    assert "No notifications" in html


def test_the_agent_navigation_shows_only_what_agents_may_use(agent: User, client: Client) -> None:
    client.force_login(agent)
    html = client.get(reverse("home_agent")).content.decode()
    assert reverse("people:list") not in html
    assert reverse("audit:list") not in html
    assert reverse("people:tokens") not in html


def test_the_admin_navigation_shows_the_admin_pages(admin: User, client: Client) -> None:
    client.force_login(admin)
    html = client.get(reverse("home_admin")).content.decode()
    for name in ("people:list", "people:teams", "people:import", "audit:list", "people:tokens"):
        assert reverse(name) in html


def test_the_lead_home_counts_the_current_members_of_the_team(
    org: Org, lead: User, agent: User, client: Client
) -> None:
    _fill_team(org, 3)
    client.force_login(lead)
    response = client.get(reverse("home_lead"))
    team_row = next(t for t in response.context["teams"] if t.pk == org.team.pk)
    assert team_row.member_count == 5  # lead, agent and the three added


def test_the_bell_shows_the_unread_count_on_every_page(agent: User, client: Client) -> None:
    notify(recipient=agent, kind="test", title="One", email=False)
    notify(recipient=agent, kind="test", title="Two", email=False)
    client.force_login(agent)
    html = client.get(reverse("home_agent")).content.decode()
    assert "Notifications, 2 unread" in html


@pytest.mark.parametrize("role", list(HOMES))
def test_home_query_count_stays_the_same_for_5_or_60_team_members(
    role: str,
    request: pytest.FixtureRequest,
    org: Org,
    django_assert_max_num_queries: pytest.FixtureRequest,
) -> None:
    user: User = request.getfixturevalue(role)
    client = Client()
    client.force_login(user)
    url = reverse(HOMES[role])
    _fill_team(org, 3)
    with django_assert_max_num_queries(15) as small:
        assert client.get(url).status_code == 200
    _fill_team(org, 57)
    with django_assert_max_num_queries(15) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def _role_play_waiting_for_a_grade(agent: User) -> None:
    from tests.training.factories import scenario_page
    from training.services import answer_step, start_attempt

    played = start_attempt(person=agent, page=scenario_page("Home role-play", free=True))
    answer_step(attempt=played, step_key="greet", reply_key="kind")
    answer_step(attempt=played, step_key="middle", text="Sorry, fixing it now.")


def _submitted_for_review(title: str, by: User) -> Any:
    """A draft module under the training index, submitted to the training review by `by`."""
    from tests.training.factories import module_page

    page = module_page(title)
    page.save_revision(user=by)
    page.get_workflow().start(page, by)
    return page


def test_a_trainer_and_a_training_lead_land_on_the_trainer_home_before_their_lead_home(
    org: Org, trainer: User, client: Client
) -> None:
    RoleGrantFactory(user=trainer, role=Role.LEAD, team=org.team)
    client.force_login(trainer)
    assert client.get("/")["Location"] == reverse("home_trainer")


def test_the_trainer_home_lists_their_pages_in_review_and_counts_responses_to_grade(
    trainer: User, agent: User, client: Client
) -> None:
    _role_play_waiting_for_a_grade(agent)
    page = _submitted_for_review("Refunds in review", trainer)
    client.force_login(trainer)

    response = client.get(reverse("home_trainer"))

    assert response.context["grading_count"] == 1
    assert [row.title for row in response.context["submitted"]] == ["Refunds in review"]
    html = response.content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[page.pk]) in html
    assert "Awaiting your approval" not in html  # a trainer approves nothing
    for name in ("training:assign", "training:rules", "training:reports", "training:grading"):
        assert reverse(name) in html
    index = page.get_parent()
    assert reverse("wagtailadmin_explore", args=[index.pk]) in html


def test_the_training_lead_home_lists_the_pages_awaiting_their_approval(
    org: Org, trainer: User, client: Client
) -> None:
    from qa_platform.people.services import grant_role

    # Granting the role (not the factory) puts the person in the "Training approvers" group.
    training_lead = UserFactory(email="approver@example.test")
    grant_role(person=training_lead, role=Role.TRAINING_LEAD, team=org.root)
    _submitted_for_review("Escalations in review", trainer)
    client.force_login(training_lead)

    response = client.get(reverse("home_trainer"))

    assert response.context["awaiting_count"] == 1
    [row] = response.context["awaiting"]
    assert row.title == "Escalations in review"
    assert row.requested_by == (trainer.get_full_name() or trainer.email)
    assert "Awaiting your approval" in response.content.decode()
    assert response.context["submitted"] == []


def test_the_trainer_home_is_refused_to_the_other_roles(
    lead: User, qa_manager: User, client: Client
) -> None:
    for user in (lead, qa_manager):
        client.force_login(user)
        assert client.get(reverse("home_trainer")).status_code == 403


def test_the_trainer_home_query_count_stays_the_same_for_1_or_12_pages_in_review(
    trainer: User, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(trainer)
    _submitted_for_review("In review 0", trainer)
    with django_assert_max_num_queries(12) as one:
        assert client.get(reverse("home_trainer")).status_code == 200
    for n in range(1, 12):
        _submitted_for_review(f"In review {n}", trainer)
    with django_assert_max_num_queries(12) as many:
        response = client.get(reverse("home_trainer"))
    assert response.context["submitted_count"] == 12
    assert len(response.context["submitted"]) == 10
    assert len(many.captured_queries) <= len(one.captured_queries) + 1  # the count, past 10
