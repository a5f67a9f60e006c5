"""Each role's home page: who lands where, what it shows, and a query count that does not grow."""

from __future__ import annotations

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
