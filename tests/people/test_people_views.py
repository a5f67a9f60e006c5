"""The people list, a person's page, and the administrator's actions on people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import Membership, RoleGrant, Team, User
from qa_platform.people.roles import Role
from qa_platform.people.services import grant_role
from tests.conftest import Org, signed_in
from tests.people.factories import (
    PASSWORD,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
    person_with_role,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LIST = reverse("people:list")
MAX_QUERIES = 15


def detail_url(person: User) -> str:
    return reverse("people:detail", args=[person.pk])


def names_in(response: Any) -> set[str]:
    return {p.email for p in response.context["people"]}


@pytest.fixture
def support_admin(org: Org) -> User:
    """An administrator of the Support department only (not a superuser)."""
    return person_with_role(Role.ADMIN, org.support, email="support-admin@example.test")


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, org: Org) -> None:
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_agent_cannot_open_the_people_list(client: Client, agent: User) -> None:
    assert signed_in(client, agent).get(LIST).status_code == 403


def test_a_person_without_a_role_cannot_open_the_people_list(
    client: Client, no_role_user: User
) -> None:
    assert signed_in(client, no_role_user).get(LIST).status_code == 403


def test_lead_sees_only_people_in_their_team_subtree(
    client: Client, org: Org, lead: User, agent: User, other_team_agent: User
) -> None:
    sibling = MembershipFactory(team=org.sibling_team).user

    response = signed_in(client, lead).get(LIST)

    assert response.status_code == 200
    assert names_in(response) == {lead.email, agent.email}
    assert sibling.email not in response.content.decode()
    assert other_team_agent.email not in response.content.decode()


def test_reviewer_on_a_department_sees_the_people_of_all_its_teams(
    client: Client, org: Org, reviewer: User, agent: User, other_team_agent: User
) -> None:
    sibling = MembershipFactory(team=org.sibling_team).user

    response = signed_in(client, reviewer).get(LIST)

    assert {agent.email, sibling.email, reviewer.email} <= names_in(response)
    assert other_team_agent.email not in names_in(response)


def test_the_list_shows_team_roles_and_status_in_words(
    client: Client, org: Org, lead: User, agent: User
) -> None:
    response = signed_in(client, lead).get(LIST)
    html = response.content.decode()

    assert "<html" in html
    assert "Ada Agent" in html
    assert "Billing" in html
    assert "Team lead" in html
    assert ">Active<" in html
    assert f'href="{detail_url(agent)}"' in html


def test_the_list_shows_only_active_people_unless_asked(
    client: Client, org: Org, hr: User, agent: User
) -> None:
    left = MembershipFactory(team=org.team, user=UserFactory(is_active=False)).user
    client = signed_in(client, hr)

    assert left.email not in names_in(client.get(LIST))
    assert names_in(client.get(LIST, {"status": "inactive"})) == {left.email}
    assert {left.email, agent.email} <= names_in(client.get(LIST, {"status": "all"}))
    assert "Deactivated" in client.get(LIST, {"status": "inactive"}).content.decode()


def test_search_matches_name_email_and_employee_id(
    client: Client, org: Org, hr: User, agent: User, other_team_agent: User
) -> None:
    client = signed_in(client, hr)
    agent.employee_id = "HR-4711"
    agent.save()

    assert names_in(client.get(LIST, {"q": "ada"})) == {agent.email}
    assert names_in(client.get(LIST, {"q": "agent2@"})) == {other_team_agent.email}
    assert names_in(client.get(LIST, {"q": "hr-4711"})) == {agent.email}
    assert names_in(client.get(LIST, {"q": "ada otto"})) == set()


def test_the_team_filter_includes_sub_teams_and_only_current_members(
    client: Client, org: Org, qa_manager: User, agent: User, other_team_agent: User
) -> None:
    today = timezone.localdate()
    left = MembershipFactory(
        team=org.sibling_team, start=today - dt.timedelta(days=90), end=today
    ).user
    MembershipFactory(user=left, team=org.other_team, start=today)

    response = signed_in(client, qa_manager).get(LIST, {"team": org.support.pk})

    assert agent.email in names_in(response)
    assert qa_manager.email in names_in(response)  # member of Support itself
    assert left.email not in names_in(response)
    assert other_team_agent.email not in names_in(response)


def test_the_role_filter_shows_holders_of_that_role(
    client: Client, org: Org, hr: User, agent: User, lead: User, other_team_lead: User
) -> None:
    response = signed_in(client, hr).get(LIST, {"role": Role.LEAD})

    assert names_in(response) == {lead.email, other_team_lead.email}


def test_a_team_outside_the_leads_scope_is_ignored_as_a_filter(
    client: Client, org: Org, lead: User, agent: User, other_team_agent: User
) -> None:
    response = signed_in(client, lead).get(LIST, {"team": org.other_team.pk})

    assert response.status_code == 200
    assert other_team_agent.email not in names_in(response)
    assert agent.email in names_in(response)


@pytest.mark.parametrize(
    "query",
    [
        {"team": "abc"},
        {"team": "99999999999999999999"},
        {"team": "-1"},
        {"page": "abc"},
        {"page": "99999"},
        {"status": "everyone"},
        {"role": "overlord"},
        {"q": "x" * 5000},
        {"q": "\x00"},
    ],
)
def test_nonsense_in_the_query_string_never_breaks_the_list(
    client: Client, org: Org, hr: User, agent: User, query: dict[str, str]
) -> None:
    response = signed_in(client, hr).get(LIST, query)

    assert response.status_code == 200


def test_the_filtered_list_for_htmx_is_only_the_results_fragment(
    client: Client, org: Org, lead: User, agent: User
) -> None:
    response = signed_in(client, lead).get(LIST, {"q": "ada"}, headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="people-results"' in html
    assert "Ada Agent" in html
    assert 'class="filters"' not in html


def test_the_filter_bar_works_without_javascript_and_keeps_its_state(
    client: Client, org: Org, lead: User, agent: User
) -> None:
    response = signed_in(client, lead).get(LIST, {"q": "ada", "status": "all"})
    html = response.content.decode()

    assert 'method="get"' in html
    assert 'hx-get="/people/"' in html and 'hx-push-url="true"' in html
    assert 'value="ada"' in html
    assert '<option value="all" selected>' in html


def test_the_list_is_paginated_with_a_total_count(client: Client, org: Org, admin: User) -> None:
    for _ in range(60):
        MembershipFactory(team=org.team)
    client = signed_in(client, admin)

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert len(first.context["people"]) == 50
    assert first.context["page_obj"].paginator.count == 61  # the 60, and the admin themself
    assert "of 61" in first.content.decode()
    assert len(second.context["people"]) == 11


def test_the_pagination_links_keep_the_filters(client: Client, org: Org, admin: User) -> None:
    for i in range(55):
        MembershipFactory(team=org.team, user=UserFactory(full_name=f"Sam {i:02d}"))

    html = signed_in(client, admin).get(LIST, {"q": "sam", "status": "all"}).content.decode()

    assert "?q=sam&amp;status=all&amp;page=2" in html


def _queries_for_list(client: Client, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_needs_the_same_few_queries_for_one_person_or_sixty(
    client: Client, org: Org, lead: User, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(client, lead)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(LIST)
    one_row = _queries_for_list(client)

    for _ in range(60):
        person = MembershipFactory(team=org.team).user
        RoleGrantFactory(user=person, role=Role.AGENT, team=org.team)
        RoleGrantFactory(user=person, role=Role.REVIEWER, team=org.sibling_team)
        MembershipFactory(user=person, team=org.sibling_team)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(LIST)
    assert len(response.context["people"]) == 50

    assert _queries_for_list(client) == one_row
    assert _queries_for_list(client, {"q": "a", "team": org.team.pk, "role": "agent"}) <= (
        MAX_QUERIES
    )


def test_an_admin_sees_add_person_and_import_actions(client: Client, admin: User) -> None:
    html = signed_in(client, admin).get(LIST).content.decode()

    assert f'href="{reverse("people:create")}"' in html
    assert "Add person" in html
    assert f'href="{reverse("people:import")}"' in html


def test_a_lead_sees_no_admin_actions(client: Client, lead: User) -> None:
    html = signed_in(client, lead).get(LIST).content.decode()

    assert "Add person" not in html
    assert reverse("people:import") not in html


# ---------------------------------------------------------------------------------------------
# A person's page
# ---------------------------------------------------------------------------------------------


def test_an_agent_sees_their_own_page(client: Client, agent: User) -> None:
    response = signed_in(client, agent).get(detail_url(agent))

    assert response.status_code == 200
    assert "Ada Agent" in response.content.decode()
    assert "Revoke" not in response.content.decode()


def test_an_agent_cannot_see_a_teammates_page(client: Client, org: Org, agent: User) -> None:
    teammate = MembershipFactory(team=org.team).user

    assert signed_in(client, agent).get(detail_url(teammate)).status_code == 404


def test_a_lead_of_another_team_gets_not_found(
    client: Client, agent: User, other_team_lead: User
) -> None:
    assert signed_in(client, other_team_lead).get(detail_url(agent)).status_code == 404


def test_an_unknown_person_is_not_found(client: Client, admin: User) -> None:
    client = signed_in(client, admin)
    assert client.get(reverse("people:detail", args=[999_999])).status_code == 404
    assert client.get("/people/abc/").status_code == 404


def test_anonymous_visitors_cannot_see_a_person(client: Client, agent: User) -> None:
    response = client.get(detail_url(agent))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_lead_sees_a_members_history_and_roles_but_no_admin_controls(
    client: Client, org: Org, lead: User
) -> None:
    person = UserFactory(full_name="Mo Mover")
    MembershipFactory(user=person, team=org.sibling_team, start=dt.date(2025, 3, 3))
    MembershipFactory(user=person, team=org.team, start=dt.date(2026, 1, 5))
    Membership.objects.filter(user=person, team=org.sibling_team).update(end=dt.date(2026, 1, 5))
    RoleGrantFactory(user=person, role=Role.AGENT, team=org.team)

    html = signed_in(client, lead).get(detail_url(person)).content.decode()

    assert "Team history" in html
    assert "3 Mar 2025" in html and "5 Jan 2026" in html
    assert "Tech" in html and "Billing" in html
    assert "Ended" in html and "Current" in html
    assert "Agent" in html
    assert "Revoke" not in html
    assert "Recent changes" not in html
    assert reverse("people:edit", args=[person.pk]) not in html


def test_an_admin_sees_revoke_buttons_actions_and_recent_changes(
    client: Client, org: Org, admin: User, agent: User
) -> None:
    grant_role(person=agent, role=Role.REVIEWER, team=org.team, actor=admin)

    html = signed_in(client, admin).get(detail_url(agent)).content.decode()

    grant = RoleGrant.objects.get(user=agent, role=Role.REVIEWER)
    assert reverse("people:revoke", args=[grant.pk]) in html
    assert "Recent changes" in html and "role.grant" in html
    assert "Move to team" in html and "Grant role" in html
    assert reverse("people:end_membership", args=[agent.memberships.get().pk]) in html


def test_the_person_page_for_htmx_is_a_fragment(client: Client, agent: User) -> None:
    response = signed_in(client, agent).get(detail_url(agent), headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Adding a person
# ---------------------------------------------------------------------------------------------

CREATE = reverse("people:create")


def new_person(org: Org, **overrides: Any) -> dict[str, Any]:
    return {
        "email": "New.Person@Example.test",
        "full_name": "Nia New",
        "employee_id": "E-1",
        "team": org.team.pk,
        "start": "2026-03-03",
        "role": Role.AGENT,
        **overrides,
    }


def test_an_admin_adds_a_person_to_a_team_with_a_role(
    client: Client, org: Org, admin: User
) -> None:
    response = signed_in(client, admin).post(CREATE, new_person(org), follow=True)

    person = User.objects.get(email="new.person@example.test")
    assert response.redirect_chain[-1][0] == detail_url(person)
    assert person.full_name == "Nia New" and person.employee_id == "E-1"
    assert [(m.team, m.start) for m in person.memberships.all()] == [
        (org.team, dt.date(2026, 3, 3))
    ]
    assert list(person.role_grants.values_list("role", "team")) == [("agent", org.team.pk)]
    actions = set(
        AuditEvent.objects.filter(object_id=str(person.pk)).values_list("action", flat=True)
    )
    assert {"person.create", "membership.move", "role.grant"} <= actions
    assert "Added Nia New to Billing." in response.content.decode()


def test_adding_a_person_without_a_role_gives_them_none(
    client: Client, org: Org, admin: User
) -> None:
    signed_in(client, admin).post(CREATE, new_person(org, role=""))

    assert not RoleGrant.objects.filter(user__email="new.person@example.test").exists()


def test_the_add_person_form_shows_labels_required_marks_and_a_clear_button(
    client: Client, admin: User
) -> None:
    html = signed_in(client, admin).get(CREATE).content.decode()

    assert '<label for="id_email">Email' in html
    assert "(required)" in html
    assert "Add person</button>" in html
    assert 'type="date"' in html


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "agent@example.test"}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"employee_id": "TAKEN"}, "employee_id"),
        ({"start": "2026-13-45"}, "start"),
        ({"team": "abc"}, "team"),
        ({"team": "999999"}, "team"),
        ({"role": "overlord"}, "role"),
        ({"full_name": "   "}, "full_name"),
    ],
)
def test_bad_input_re_renders_the_add_form_with_errors_and_saves_nothing(
    client: Client, org: Org, admin: User, agent: User, overrides: dict[str, str], field: str
) -> None:
    UserFactory(employee_id="TAKEN")
    before = User.objects.count()

    response = signed_in(client, admin).post(CREATE, new_person(org, **overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Please fix" in response.content.decode()
    assert User.objects.count() == before


def test_a_lead_cannot_add_people(client: Client, org: Org, lead: User) -> None:
    client = signed_in(client, lead)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, new_person(org)).status_code == 403
    assert not User.objects.filter(email="new.person@example.test").exists()


def test_a_department_admin_cannot_add_someone_to_a_team_outside_their_department(
    client: Client, org: Org, support_admin: User
) -> None:
    response = signed_in(client, support_admin).post(
        CREATE, new_person(org, team=org.other_team.pk)
    )

    assert "team" in response.context["form"].errors
    assert not User.objects.filter(email="new.person@example.test").exists()


def test_adding_a_person_over_htmx_redirects_the_browser_and_errors_come_back_as_a_fragment(
    client: Client, org: Org, admin: User
) -> None:
    client = signed_in(client, admin)

    bad = client.post(CREATE, new_person(org, email="nope"), headers=HTMX)
    assert "<html" not in bad.content.decode()
    assert 'id="page-form"' in bad.content.decode()

    good = client.post(CREATE, new_person(org), headers=HTMX)
    person = User.objects.get(email="new.person@example.test")
    assert good["HX-Redirect"] == detail_url(person)


# ---------------------------------------------------------------------------------------------
# Editing and deactivating
# ---------------------------------------------------------------------------------------------


def edit_data(person: User, **overrides: Any) -> dict[str, Any]:
    data = {
        "email": person.email,
        "full_name": person.full_name,
        "employee_id": person.employee_id or "",
        "is_active": "on" if person.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_deactivates_a_person_who_then_cannot_sign_in(
    client: Client, admin: User, agent: User
) -> None:
    url = reverse("people:edit", args=[agent.pk])
    response = signed_in(client, admin).post(url, edit_data(agent, is_active=None))

    assert response.status_code == 302
    assert response["Location"] == detail_url(agent)
    agent.refresh_from_db()
    assert not agent.is_active
    assert User.objects.filter(pk=agent.pk).exists()
    sign_in = Client().post(reverse("login"), {"username": agent.email, "password": PASSWORD})
    assert sign_in.status_code == 200  # the form again, not a redirect into the app
    assert not sign_in.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="person.deactivate", object_id=str(agent.pk)).exists()


def test_an_admin_corrects_a_persons_details(client: Client, admin: User, agent: User) -> None:
    url = reverse("people:edit", args=[agent.pk])
    signed_in(client, admin).post(
        url, edit_data(agent, full_name="Ada Lovelace", email="ADA@example.test", employee_id="")
    )

    agent.refresh_from_db()
    assert (agent.full_name, agent.email, agent.employee_id) == (
        "Ada Lovelace",
        "ada@example.test",
        None,
    )


def test_an_admin_cannot_deactivate_themself(client: Client, admin: User) -> None:
    url = reverse("people:edit", args=[admin.pk])
    response = signed_in(client, admin).post(url, edit_data(admin, is_active=None))

    assert response.status_code == 200
    assert "cannot deactivate your own account" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_editing_to_an_email_someone_else_uses_is_refused(
    client: Client, admin: User, agent: User, lead: User
) -> None:
    url = reverse("people:edit", args=[agent.pk])
    response = signed_in(client, admin).post(url, edit_data(agent, email=lead.email))

    assert "email" in response.context["form"].errors
    agent.refresh_from_db()
    assert agent.email == "agent@example.test"


def test_the_edit_form_is_prefilled(client: Client, admin: User, agent: User) -> None:
    html = signed_in(client, admin).get(reverse("people:edit", args=[agent.pk])).content.decode()

    assert 'value="agent@example.test"' in html
    assert "Save details</button>" in html


def test_only_admins_may_edit_people(
    client: Client, agent: User, lead: User, hr: User, qa_manager: User
) -> None:
    url = reverse("people:edit", args=[agent.pk])
    for user in (agent, lead, hr, qa_manager):
        assert signed_in(Client(), user).get(url).status_code == 403
        assert signed_in(Client(), user).post(url, edit_data(agent)).status_code == 403


def test_a_department_admin_gets_not_found_for_people_outside_their_department(
    client: Client, org: Org, support_admin: User, agent: User, other_team_agent: User
) -> None:
    client = signed_in(client, support_admin)

    assert client.get(reverse("people:edit", args=[agent.pk])).status_code == 200
    for name in ("people:edit", "people:move", "people:grant"):
        assert client.get(reverse(name, args=[other_team_agent.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Moving, ending a membership
# ---------------------------------------------------------------------------------------------


def test_moving_a_person_keeps_the_old_membership_in_the_history(
    client: Client, org: Org, admin: User, agent: User
) -> None:
    url = reverse("people:move", args=[agent.pk])
    client = signed_in(client, admin)
    assert "Move to team</button>" in client.get(url).content.decode()

    response = client.post(url, {"team": org.sibling_team.pk, "start": "2026-03-03"}, follow=True)

    rows = list(agent.memberships.order_by("start"))
    assert [(m.team, m.end) for m in rows] == [
        (org.team, dt.date(2026, 3, 3)),
        (org.sibling_team, None),
    ]
    assert "is in Tech from 3 Mar 2026" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"team": "", "start": "2026-03-03"},
        {"team": "abc", "start": "2026-03-03"},
        {"team": "999999", "start": "2026-03-03"},
        {"start": "2026-13-45"},
        {"start": "31/02/2026"},
    ],
)
def test_bad_move_input_changes_nothing(
    client: Client, org: Org, admin: User, agent: User, data: dict[str, str]
) -> None:
    data = {"team": str(org.sibling_team.pk), **data}
    response = signed_in(client, admin).post(reverse("people:move", args=[agent.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert agent.memberships.count() == 1


def test_a_move_the_rules_refuse_shows_the_reason_on_the_form(
    client: Client, org: Org, admin: User, agent: User
) -> None:
    start = agent.memberships.get().start
    response = signed_in(client, admin).post(
        reverse("people:move", args=[agent.pk]),
        {"team": org.sibling_team.pk, "start": (start - dt.timedelta(days=3)).isoformat()},
    )

    assert "membership starting after" in response.content.decode()
    assert agent.memberships.count() == 1


def test_a_lead_cannot_move_people(client: Client, org: Org, lead: User, agent: User) -> None:
    response = signed_in(client, lead).post(
        reverse("people:move", args=[agent.pk]),
        {"team": org.sibling_team.pk, "start": "2026-03-03"},
    )

    assert response.status_code == 403
    assert agent.memberships.count() == 1


def test_an_admin_ends_a_membership(client: Client, org: Org, admin: User, agent: User) -> None:
    membership = agent.memberships.get()
    end = timezone.localdate() + dt.timedelta(days=7)

    response = signed_in(client, admin).post(
        reverse("people:end_membership", args=[membership.pk]), {"end": end.isoformat()}
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.end == end


def test_ending_a_membership_before_it_started_shows_the_reason(
    client: Client, admin: User, agent: User
) -> None:
    membership = agent.memberships.get()
    url = reverse("people:end_membership", args=[membership.pk])

    response = signed_in(client, admin).post(url, {"end": membership.start.isoformat()})

    assert response.status_code == 200
    assert "must end after the day it started" in response.content.decode()
    membership.refresh_from_db()
    assert membership.end is None


def test_ending_an_ended_membership_is_refused(client: Client, org: Org, admin: User) -> None:
    membership = MembershipFactory(team=org.team, end=timezone.localdate())
    url = reverse("people:end_membership", args=[membership.pk])

    response = signed_in(client, admin).post(url, {"end": "2099-01-01"})

    assert "already ended" in response.content.decode()
    membership.refresh_from_db()
    assert membership.end == timezone.localdate()


def test_ending_a_membership_is_for_admins_in_scope_only(
    client: Client, org: Org, lead: User, support_admin: User, agent: User, other_team_agent: User
) -> None:
    mine = reverse("people:end_membership", args=[agent.memberships.get().pk])
    theirs = reverse("people:end_membership", args=[other_team_agent.memberships.get().pk])

    assert signed_in(Client(), lead).post(mine, {"end": "2099-01-01"}).status_code == 403
    assert signed_in(Client(), support_admin).post(theirs, {"end": "2099-01-01"}).status_code == 404
    assert not Membership.objects.filter(end=dt.date(2099, 1, 1)).exists()


def test_ending_a_membership_over_htmx_with_a_bad_date_returns_the_form_fragment(
    client: Client, admin: User, agent: User
) -> None:
    url = reverse("people:end_membership", args=[agent.memberships.get().pk])

    response = signed_in(client, admin).post(url, {"end": "2026-13-45"}, headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Enter a real date" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Granting and revoking roles
# ---------------------------------------------------------------------------------------------


def test_an_admin_grants_a_role_on_a_team(
    client: Client, org: Org, admin: User, agent: User
) -> None:
    url = reverse("people:grant", args=[agent.pk])
    client = signed_in(client, admin)
    assert "Grant role</button>" in client.get(url).content.decode()

    response = client.post(url, {"role": Role.REVIEWER, "team": org.support.pk})

    assert response.status_code == 302
    assert RoleGrant.objects.active().filter(user=agent, role="reviewer", team=org.support).exists()
    assert AuditEvent.objects.filter(action="role.grant", object_id=str(agent.pk)).exists()


def test_granting_an_unknown_role_or_team_is_a_form_error(
    client: Client, org: Org, admin: User, agent: User
) -> None:
    url = reverse("people:grant", args=[agent.pk])
    response = signed_in(client, admin).post(url, {"role": "overlord", "team": "x"})

    assert set(response.context["form"].errors) == {"role", "team"}
    assert agent.role_grants.count() == 1


def test_a_hr_person_cannot_grant_roles(client: Client, org: Org, hr: User, agent: User) -> None:
    url = reverse("people:grant", args=[agent.pk])
    response = signed_in(client, hr).post(url, {"role": Role.ADMIN, "team": org.root.pk})

    assert response.status_code == 403
    assert not RoleGrant.objects.filter(user=agent, role=Role.ADMIN).exists()


def test_an_admin_revokes_a_role(client: Client, admin: User, agent: User) -> None:
    grant = agent.role_grants.get()

    response = signed_in(client, admin).post(reverse("people:revoke", args=[grant.pk]))

    assert response.status_code == 302
    assert response["Location"] == detail_url(agent)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert AuditEvent.objects.filter(action="role.revoke", object_id=str(agent.pk)).exists()


def test_revoking_needs_a_post(client: Client, admin: User, agent: User) -> None:
    grant = agent.role_grants.get()

    response = signed_in(client, admin).get(reverse("people:revoke", args=[grant.pk]))

    assert response.status_code == 405
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_revoking_over_htmx_returns_the_updated_roles_fragment(
    client: Client, admin: User, agent: User
) -> None:
    grant = agent.role_grants.get()

    response = signed_in(client, admin).post(
        reverse("people:revoke", args=[grant.pk]), headers=HTMX
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="grants"' in html
    assert "No roles" in html
    assert "Revoked Agent on Billing" in html


def test_an_admin_cannot_revoke_their_own_last_admin_role(client: Client, admin: User) -> None:
    grant = admin.role_grants.get(role=Role.ADMIN)

    response = signed_in(client, admin).post(reverse("people:revoke", args=[grant.pk]), follow=True)

    assert "cannot revoke your own last administrator role" in response.content.decode()
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_only_admins_may_revoke(client: Client, lead: User, agent: User) -> None:
    grant = agent.role_grants.get()

    assert (
        signed_in(client, lead).post(reverse("people:revoke", args=[grant.pk])).status_code == 403
    )
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_a_department_admin_cannot_revoke_grants_of_other_departments(
    client: Client, org: Org, support_admin: User, other_team_agent: User, qa_manager: User
) -> None:
    client = signed_in(client, support_admin)
    far = other_team_agent.role_grants.get()
    above = qa_manager.role_grants.get()  # QA manager is in Support, but the grant is on the org

    assert client.post(reverse("people:revoke", args=[far.pk])).status_code == 404
    assert client.post(reverse("people:revoke", args=[above.pk])).status_code == 403
    assert RoleGrant.objects.active().filter(pk__in=[far.pk, above.pk]).count() == 2


def test_unknown_ids_in_action_urls_are_not_found(client: Client, admin: User) -> None:
    client = signed_in(client, admin)
    for name in ("people:edit", "people:move", "people:grant", "people:end_membership"):
        assert client.get(reverse(name, args=[999_999])).status_code == 404
    assert client.post(reverse("people:revoke", args=[999_999])).status_code == 404


def test_team_choices_in_admin_forms_are_active_teams_only(
    client: Client, org: Org, admin: User, agent: User
) -> None:
    Team.objects.filter(pk=org.sibling_team.pk).update(is_active=False)

    response = signed_in(client, admin).post(
        reverse("people:move", args=[agent.pk]),
        {"team": org.sibling_team.pk, "start": "2026-03-03"},
    )

    assert "team" in response.context["form"].errors
