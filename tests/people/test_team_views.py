"""The team tree and the administrator's team forms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import Team, TeamKind, User
from qa_platform.people.roles import Role
from tests.conftest import Org, signed_in
from tests.people.factories import MembershipFactory, TeamFactory, person_with_role

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
TEAMS = reverse("people:teams")
CREATE = reverse("people:team_create")
MAX_QUERIES = 15


def edit_url(team: Team) -> str:
    return reverse("people:team_edit", args=[team.pk])


def team_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Nights",
        "kind": TeamKind.TEAM,
        "parent": "",
        "external_id": "",
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def support_admin(org: Org) -> User:
    """An administrator of the Support department only (not a superuser)."""
    return person_with_role(Role.ADMIN, org.support, email="support-admin@example.test")


# ---------------------------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------------------------


def test_an_admin_sees_the_tree_in_order_with_kinds_and_member_counts(
    client: Client, org: Org, admin: User, agent: User, lead: User, other_team_agent: User
) -> None:
    response = signed_in(client, admin).get(TEAMS)

    assert response.status_code == 200
    rows = [(r.team.name, r.level, r.team.member_count) for r in response.context["rows"]]
    assert rows == [
        ("Acme", 0, 0),
        ("Sales", 1, 0),
        ("Renewals", 2, 1),
        ("Support", 1, 0),
        ("Billing", 2, 2),
        ("Tech", 2, 0),
    ]
    html = response.content.decode()
    assert 'class="tree-level-2"' in html
    assert "Department" in html
    assert edit_url(org.team) in html


def test_member_counts_ignore_people_who_left(
    client: Client, org: Org, admin: User, agent: User
) -> None:
    MembershipFactory(team=org.team, start="2024-01-01", end="2025-01-01")

    response = signed_in(client, admin).get(TEAMS)

    counts = {r.team.name: r.team.member_count for r in response.context["rows"]}
    assert counts["Billing"] == 1


def test_external_ids_and_inactive_teams_are_shown_in_words(
    client: Client, org: Org, admin: User
) -> None:
    Team.objects.filter(pk=org.sibling_team.pk).update(is_active=False, external_id="TECH-01")

    html = signed_in(client, admin).get(TEAMS).content.decode()

    assert "TECH-01" in html
    assert ">Inactive<" in html


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, org: Org) -> None:
    response = client.get(TEAMS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["agent", "reviewer", "lead", "qa_manager", "hr"])
def test_only_admins_see_the_team_tree(client: Client, role: str, request: Any) -> None:
    user = request.getfixturevalue(role)

    assert signed_in(client, user).get(TEAMS).status_code == 403
    assert signed_in(client, user).get(CREATE).status_code == 403


def test_a_department_admin_sees_only_their_department(
    client: Client, org: Org, support_admin: User
) -> None:
    response = signed_in(client, support_admin).get(TEAMS)

    rows = [(r.team.name, r.level) for r in response.context["rows"]]
    assert rows == [("Support", 0), ("Billing", 1), ("Tech", 1)]


def test_the_tree_for_htmx_is_only_the_fragment(client: Client, admin: User) -> None:
    response = signed_in(client, admin).get(TEAMS, headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert 'id="team-tree"' in response.content.decode()


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(TEAMS).status_code == 200
    return len(ctx.captured_queries)


def test_the_tree_needs_the_same_few_queries_for_few_or_many_teams_and_members(
    client: Client, org: Org, admin: User, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(client, admin)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(TEAMS)
    few = _queries(client)

    for i in range(40):
        team = TeamFactory(name=f"Pod {i}", parent=org.team if i % 2 else org.other_team)
        for _ in range(5):
            MembershipFactory(team=team)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(TEAMS)

    assert len(response.context["rows"]) == 46
    assert _queries(client) == few


# ---------------------------------------------------------------------------------------------
# Adding and changing teams
# ---------------------------------------------------------------------------------------------


def test_an_admin_adds_a_team_under_a_parent(client: Client, org: Org, admin: User) -> None:
    client = signed_in(client, admin)
    assert "Add team</button>" in client.get(CREATE).content.decode()

    response = client.post(CREATE, team_data(parent=org.team.pk, external_id="NIGHT"), follow=True)

    team = Team.objects.get(name="Nights")
    assert response.redirect_chain[-1][0] == TEAMS
    assert team.parent == org.team
    assert team.path == f"{org.team.path}{team.pk}/"
    assert team.external_id == "NIGHT"
    assert AuditEvent.objects.filter(action="team.create", object_id=str(team.pk)).exists()
    assert "Added the team Nights." in response.content.decode()


def test_the_add_form_can_start_under_a_chosen_parent(
    client: Client, org: Org, admin: User
) -> None:
    html = signed_in(client, admin).get(CREATE, {"parent": org.team.pk}).content.decode()

    assert re.search(rf'<option value="{org.team.pk}" selected>', html)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 500}, "name"),
        ({"kind": "galaxy"}, "kind"),
        ({"parent": "abc"}, "parent"),
        ({"parent": "999999"}, "parent"),
        ({"external_id": "TAKEN"}, "external_id"),
    ],
)
def test_bad_team_input_re_renders_the_form_and_saves_nothing(
    client: Client, org: Org, admin: User, overrides: dict[str, str], field: str
) -> None:
    TeamFactory(name="Taken", external_id="TAKEN")
    before = Team.objects.count()

    response = signed_in(client, admin).post(CREATE, team_data(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Team.objects.count() == before


def test_a_department_admin_must_add_teams_inside_their_department(
    client: Client, org: Org, support_admin: User
) -> None:
    client = signed_in(client, support_admin)

    at_top = client.post(CREATE, team_data())
    outside = client.post(CREATE, team_data(parent=org.sales.pk))
    inside = client.post(CREATE, team_data(parent=org.support.pk))

    assert "parent" in at_top.context["form"].errors
    assert "parent" in outside.context["form"].errors
    assert inside.status_code == 302
    assert list(Team.objects.filter(name="Nights").values_list("parent", flat=True)) == [
        org.support.pk
    ]


def test_an_admin_renames_and_deactivates_a_team(client: Client, org: Org, admin: User) -> None:
    client = signed_in(client, admin)
    assert 'value="Tech"' in client.get(edit_url(org.sibling_team)).content.decode()

    response = client.post(
        edit_url(org.sibling_team),
        team_data(name="Technical", parent=org.support.pk, is_active=None),
    )

    assert response.status_code == 302
    org.sibling_team.refresh_from_db()
    assert (org.sibling_team.name, org.sibling_team.is_active) == ("Technical", False)
    assert AuditEvent.objects.filter(action="team.update").exists()


def test_an_admin_moves_a_team_with_its_subtree(client: Client, org: Org, admin: User) -> None:
    response = signed_in(client, admin).post(
        edit_url(org.support),
        team_data(name="Support", kind=TeamKind.DEPARTMENT, parent=org.sales.pk),
    )

    assert response.status_code == 302
    org.team.refresh_from_db()
    assert org.team.path.startswith(org.sales.path)


def test_a_team_cannot_be_placed_under_itself_or_its_own_sub_team(
    client: Client, org: Org, admin: User
) -> None:
    client = signed_in(client, admin)
    for parent in (org.support, org.team):
        response = client.post(
            edit_url(org.support),
            team_data(name="Support", kind=TeamKind.DEPARTMENT, parent=parent.pk),
        )
        assert response.status_code == 200
        assert "not this team or one of its sub-teams" in response.content.decode()
    org.support.refresh_from_db()
    assert org.support.parent == org.root


def test_a_department_admin_gets_not_found_for_teams_outside_their_department(
    client: Client, org: Org, support_admin: User
) -> None:
    client = signed_in(client, support_admin)

    assert client.get(edit_url(org.team)).status_code == 200
    assert client.get(edit_url(org.other_team)).status_code == 404
    assert client.post(edit_url(org.other_team), team_data(name="Mine")).status_code == 404
    org.other_team.refresh_from_db()
    assert org.other_team.name == "Renewals"


def test_a_lead_cannot_change_their_own_team(client: Client, org: Org, lead: User) -> None:
    response = signed_in(client, lead).post(edit_url(org.team), team_data(name="Lead's team"))

    assert response.status_code == 403
    org.team.refresh_from_db()
    assert org.team.name == "Billing"


def test_an_unknown_team_is_not_found(client: Client, admin: User) -> None:
    assert (
        signed_in(client, admin).get(reverse("people:team_edit", args=[999_999])).status_code == 404
    )


def test_saving_a_team_over_htmx_redirects_the_browser_and_errors_come_back_as_a_fragment(
    client: Client, org: Org, admin: User
) -> None:
    client = signed_in(client, admin)

    bad = client.post(CREATE, team_data(name=""), headers=HTMX)
    assert "<html" not in bad.content.decode()
    assert "Please fix" in bad.content.decode()

    good = client.post(CREATE, team_data(parent=org.root.pk), headers=HTMX)
    assert good["HX-Redirect"] == TEAMS
