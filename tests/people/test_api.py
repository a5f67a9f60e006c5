"""The people and teams API: token auth, scoping, pagination, bulk upserts, 422 details."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import Team, User
from qa_platform.people.roles import Role
from tests.conftest import Org
from tests.people.factories import ApiTokenFactory, MembershipFactory, person_with_role

PEOPLE = "/api/v1/people"
TEAMS = "/api/v1/teams"
PEOPLE_BULK = "/api/v1/people/bulk"
TEAMS_BULK = "/api/v1/teams/bulk"


def auth(user: User, key: str | None = None) -> dict[str, str]:
    key = key or f"qap_test_{user.pk}_{user.email}"
    ApiTokenFactory(user=user, key=key)
    return {"Authorization": f"Bearer {key}"}


def post(client: Client, url: str, body: Any, headers: dict[str, str]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def coded(org: Org) -> Org:
    for team, code in [(org.root, "ACME"), (org.support, "SUP"), (org.team, "BILL")]:
        team.external_id = code
        team.save(update_fields=["external_id"])
    return org


# --- Authentication -----------------------------------------------------------------------


@pytest.mark.parametrize("url", [PEOPLE, TEAMS])
def test_lists_without_a_token_are_401(client: Client, db: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


@pytest.mark.parametrize("url", [PEOPLE_BULK, TEAMS_BULK])
def test_bulk_without_a_token_is_401_and_saves_nothing(client: Client, db: None, url: str) -> None:
    response = post(client, url, {"people": [{"email": "a@example.com"}]}, {})
    assert response.status_code == 401
    assert not User.objects.filter(email="a@example.com").exists()


def test_a_revoked_or_unknown_token_is_401(client: Client, admin: User) -> None:
    token = ApiTokenFactory(user=admin, key="qap_revoked_key")
    token.revoked_at = timezone.now()
    token.save()
    for header in ("Bearer qap_revoked_key", "Bearer qap_nobody", "Basic Zm9vOmJhcg=="):
        assert client.get(PEOPLE, headers={"Authorization": header}).status_code == 401
        response = post(client, PEOPLE_BULK, {"people": []}, {"Authorization": header})
        assert response.status_code == 401


def test_a_deactivated_persons_token_is_401(client: Client, admin: User) -> None:
    headers = auth(admin)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    assert client.get(PEOPLE, headers=headers).status_code == 401


@pytest.mark.parametrize("role", ["agent", "lead", "qa_manager", "hr"])
@pytest.mark.parametrize("url", [PEOPLE_BULK, TEAMS_BULK])
def test_bulk_is_403_for_a_non_admin_token_even_with_a_bad_body(
    client: Client, role: str, url: str, request: Any
) -> None:
    headers = auth(request.getfixturevalue(role))
    good = {"people": [{"email": "a@example.com"}], "teams": [{"code": "X", "name": "X"}]}
    assert post(client, url, good, headers).status_code == 403
    assert post(client, url, {"people": "lots"}, headers).status_code == 403
    assert not User.objects.filter(email="a@example.com").exists()
    assert not Team.objects.filter(external_id="X").exists()


# --- Listing people -----------------------------------------------------------------------


def test_admin_lists_people_with_team_and_roles(client: Client, admin: User, coded: Org) -> None:
    agent = person_with_role(Role.AGENT, coded.team, email="agent@example.test", employee_id="E7")
    response = client.get(PEOPLE, headers=auth(admin))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert (body["page"], body["page_size"]) == (1, settings.API_PAGE_SIZE)
    item = next(i for i in body["items"] if i["email"] == "agent@example.test")
    assert item == {
        "id": agent.pk,
        "email": "agent@example.test",
        "full_name": agent.full_name,
        "employee_id": "E7",
        "is_active": True,
        "team_id": coded.team.pk,
        "team_code": "BILL",
        "team_name": "Billing",
        "roles": [{"role": "agent", "team_id": coded.team.pk, "team_code": "BILL"}],
    }


def test_a_leads_token_lists_only_their_teams_people(
    client: Client, lead: User, agent: User, other_team_agent: User, org: Org
) -> None:
    sibling = person_with_role(Role.AGENT, org.sibling_team, email="tech@example.test")
    body = client.get(PEOPLE, headers=auth(lead)).json()
    emails = {i["email"] for i in body["items"]}
    assert emails == {"lead@example.test", "agent@example.test"}
    assert body["count"] == 2
    assert sibling.email not in emails
    assert other_team_agent.email not in emails


def test_an_agents_token_lists_only_themself(client: Client, agent: User, lead: User) -> None:
    body = client.get(PEOPLE, headers=auth(agent)).json()
    assert [i["email"] for i in body["items"]] == ["agent@example.test"]


def test_people_are_paginated_with_the_total_count(client: Client, admin: User, org: Org) -> None:
    for i in range(5):
        MembershipFactory(user__email=f"p{i}@example.test", team=org.team)
    headers = auth(admin)
    first = client.get(PEOPLE, {"page_size": 2}, headers=headers).json()
    third = client.get(PEOPLE, {"page_size": 2, "page": 3}, headers=headers).json()
    beyond = client.get(PEOPLE, {"page_size": 2, "page": 9}, headers=headers).json()
    assert first["count"] == third["count"] == beyond["count"] == 6
    assert len(first["items"]) == 2
    assert len(third["items"]) == 2
    assert beyond["items"] == []
    everyone = client.get(PEOPLE, headers=headers).json()["items"]
    assert [i["email"] for i in third["items"]] == [i["email"] for i in everyone[4:6]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": settings.API_PAGE_SIZE + 1}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "first"}, "page"),
        ({"page": "99999999999999999999999"}, "page"),
        ({"active": "sometimes"}, "active"),
    ],
)
def test_bad_list_parameters_are_422_with_the_field(
    client: Client, admin: User, params: dict[str, Any], field: str
) -> None:
    response = client.get(PEOPLE, params, headers=auth(admin))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [d["field"] for d in detail] == [field]
    assert detail[0]["reason"]


def test_people_can_be_filtered_by_team_code_or_id_and_by_active(
    client: Client, admin: User, coded: Org, agent: User, other_team_agent: User
) -> None:
    User.objects.filter(pk=other_team_agent.pk).update(is_active=False)
    headers = auth(admin)

    def emails(**params: Any) -> set[str]:
        return {i["email"] for i in client.get(PEOPLE, params, headers=headers).json()["items"]}

    assert emails(team="BILL") == {"agent@example.test"}
    assert emails(team=str(coded.other_team.pk)) == {"agent2@example.test"}
    assert emails(team="SUP") == {"agent@example.test"}  # a department: its teams' people too
    assert emails(active="false") == {"agent2@example.test"}
    assert "agent2@example.test" not in emails(active="true")
    assert client.get(PEOPLE, {"team": "NOPE"}, headers=headers).status_code == 404


def test_a_lead_cannot_filter_on_a_team_they_cannot_see(
    client: Client, lead: User, org: Org
) -> None:
    response = client.get(PEOPLE, {"team": str(org.other_team.pk)}, headers=auth(lead))
    assert response.status_code == 404


def _people_queries(client: Client, headers: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(PEOPLE, headers=headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_people_list_query_count_does_not_grow_with_the_page(
    client: Client, admin: User, org: Org
) -> None:
    headers = auth(admin)
    client.get(PEOPLE, headers=headers)  # the token's last-used time is written once a minute
    one = _people_queries(client, headers)
    for i in range(40):
        person = person_with_role(Role.AGENT, org.team, email=f"p{i}@example.test")
        person_with_role(Role.REVIEWER, org.sibling_team, member_of=org.sibling_team)
        MembershipFactory(user=person, team=org.sibling_team, start=timezone.localdate())
    many = _people_queries(client, headers)
    assert one == many
    # token, grants, count, page, current memberships + teams, active grants + teams
    assert many == 6


def test_the_teams_list_query_count_does_not_grow_with_the_page(
    client: Client, admin: User, org: Org
) -> None:
    headers = auth(admin)
    client.get(TEAMS, headers=headers)
    with CaptureQueriesContext(connection) as few:
        client.get(TEAMS, headers=headers)
    for i in range(30):
        Team.objects.create(name=f"T{i}", parent=org.team, path=f"{org.team.path}x{i}/")
    with CaptureQueriesContext(connection) as many:
        body = client.get(TEAMS, headers=headers).json()
    assert body["count"] == 36
    assert len(few.captured_queries) == len(many.captured_queries) == 4


# --- Listing teams ------------------------------------------------------------------------


def test_teams_are_listed_in_tree_order_with_parent_codes(
    client: Client, admin: User, coded: Org
) -> None:
    body = client.get(TEAMS, headers=auth(admin)).json()
    assert body["count"] == 6
    assert body["items"][0]["code"] == "ACME"
    billing = next(i for i in body["items"] if i["code"] == "BILL")
    assert billing["parent_code"] == "SUP"
    assert billing["parent_id"] == coded.support.pk
    assert billing["kind"] == "team"


def test_an_agents_token_lists_only_their_own_teams(client: Client, agent: User, org: Org) -> None:
    body = client.get(TEAMS, headers=auth(agent)).json()
    assert [i["name"] for i in body["items"]] == ["Billing"]


# --- Bulk people --------------------------------------------------------------------------

PEOPLE_BODY: dict[str, Any] = {
    "people": [
        {
            "email": "grace@example.com",
            "full_name": "Grace Hopper",
            "employee_id": "E1",
            "team_code": "CX",
            "team_name": "Customer care",
            "parent_team_code": "ACME",
            "team_kind": "department",
            "roles": ["lead"],
            "start_date": "2025-01-06",
        },
        {
            "email": "ada@example.com",
            "full_name": "Ada Lovelace",
            "employee_id": "E2",
            "team_code": "CX-1",
            "team_name": "Care one",
            "parent_team_code": "CX",
            "roles": ["agent", "reviewer"],
            "active": True,
        },
    ]
}


def test_an_admin_token_bulk_upserts_people_and_a_repeat_changes_nothing(
    client: Client, admin: User, coded: Org
) -> None:
    headers = auth(admin)
    response = post(client, PEOPLE_BULK, PEOPLE_BODY, headers)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 2,
        "updated": 0,
        "moved": 0,
        "granted": 3,
        "deactivated": 0,
        "unchanged": 0,
        "teams_created": 2,
        "teams_updated": 0,
        "dry_run": False,
    }
    ada = User.objects.get(email="ada@example.com")
    assert ada.memberships.get().team.external_id == "CX-1"
    assert Team.objects.get(external_id="CX").parent == coded.root
    events = AuditEvent.objects.count()
    again = post(client, PEOPLE_BULK, PEOPLE_BODY, headers).json()
    assert again["unchanged"] == 2
    assert again["created"] == again["granted"] == again["teams_created"] == 0
    assert AuditEvent.objects.count() == events + 1
    summary = AuditEvent.objects.filter(action="people.import").order_by("-pk").first()
    assert summary is not None and summary.after is not None
    assert summary.after["source"] == "api"


def test_bad_rows_are_422_with_row_field_and_reason_and_nothing_is_saved(
    client: Client, admin: User, coded: Org
) -> None:
    body = {
        "people": [
            *PEOPLE_BODY["people"],
            {"email": "not-an-email", "team_code": "BILL"},
            {"email": "x@example.com", "team_code": "BILL", "roles": ["wizard"]},
            {
                "email": "y@example.com",
                "team_code": "NEW",
                "team_name": "N",
                "parent_team_code": "?",
            },
            {"email": "z@example.com", "start_date": "2026-99-99"},
        ]
    }
    response = post(client, PEOPLE_BULK, body, auth(admin))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(d["row"], d["field"]) for d in detail] == [
        (3, "email"),
        (4, "roles"),
        (5, "parent_team_code"),
        (6, "start_date"),
    ]
    assert all(d["reason"] for d in detail)
    assert not User.objects.filter(email="grace@example.com").exists()
    assert not Team.objects.filter(external_id="CX").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"people": [{"full_name": "No email"}]}, "people.0.email"),
        ({"people": [{"email": 12}]}, "people.0.email"),
        ({"people": "lots"}, "people"),
        ({"people": [{"email": "a@example.com", "roles": "agent"}]}, "people.0.roles"),
        ({"people": [{"email": "a@example.com"}], "full": "sometimes"}, "full"),
        ({}, "people"),
    ],
)
def test_schema_errors_are_422_with_field_and_reason(
    client: Client, admin: User, body: dict[str, Any], field: str
) -> None:
    response = post(client, PEOPLE_BULK, body, auth(admin))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert field in [d["field"] for d in detail]
    assert all(d["reason"] for d in detail)


def test_a_batch_over_the_limit_is_422(client: Client, admin: User) -> None:
    body = {"people": [{"email": "a@example.com"}] * (settings.API_MAX_BATCH + 1)}
    response = post(client, PEOPLE_BULK, body, auth(admin))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "people"


def test_an_empty_batch_changes_nothing(client: Client, admin: User) -> None:
    headers = auth(admin)
    response = post(client, PEOPLE_BULK, {"people": []}, headers)
    assert response.status_code == 200
    assert response.json()["created"] == response.json()["unchanged"] == 0
    response = post(client, TEAMS_BULK, {"teams": []}, headers)
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 0, "dry_run": False}


def test_an_empty_full_batch_is_422_and_deactivates_nobody(
    client: Client, admin: User, agent: User
) -> None:
    response = post(client, PEOPLE_BULK, {"full": True, "people": []}, auth(admin))
    assert response.status_code == 422
    assert "deactivate everyone" in response.json()["detail"][0]["reason"]
    assert User.objects.get(pk=agent.pk).is_active


def test_a_body_that_is_not_json_is_a_client_error(client: Client, admin: User) -> None:
    response = client.post(
        PEOPLE_BULK, data="{not json", content_type="application/json", headers=auth(admin)
    )
    assert 400 <= response.status_code < 500


def test_a_full_batch_deactivates_people_missing_from_it(
    client: Client, admin: User, coded: Org, agent: User
) -> None:
    response = post(client, PEOPLE_BULK, {**PEOPLE_BODY, "full": True}, auth(admin))
    assert response.json()["deactivated"] == 1
    assert not User.objects.get(pk=agent.pk).is_active
    assert User.objects.get(pk=admin.pk).is_active


def test_a_dry_run_batch_counts_and_saves_nothing(client: Client, admin: User, coded: Org) -> None:
    response = post(client, PEOPLE_BULK, {**PEOPLE_BODY, "dry_run": True}, auth(admin))
    assert response.json()["created"] == 2
    assert response.json()["dry_run"] is True
    assert not User.objects.filter(email="ada@example.com").exists()


# --- Bulk teams ---------------------------------------------------------------------------


def test_an_admin_token_bulk_upserts_teams(client: Client, admin: User, coded: Org) -> None:
    body = {
        "teams": [
            {"code": "CX", "name": "Customer care", "parent_code": "ACME", "kind": "department"},
            {"code": "CX-1", "name": "Care one", "parent_code": "CX"},
            {"code": "BILL", "name": "Billing & invoices"},
        ]
    }
    headers = auth(admin)
    response = post(client, TEAMS_BULK, body, headers)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 1, "unchanged": 0, "dry_run": False}
    assert Team.objects.get(external_id="CX-1").parent == Team.objects.get(external_id="CX")
    again = post(client, TEAMS_BULK, body, headers).json()
    assert again == {"created": 0, "updated": 0, "unchanged": 3, "dry_run": False}


def test_bad_team_rows_are_422_and_nothing_is_saved(
    client: Client, admin: User, coded: Org
) -> None:
    body = {
        "teams": [
            {"code": "OK", "name": "Fine"},
            {"code": "A", "name": "A", "parent_code": "B"},
            {"code": "B", "name": "B", "parent_code": "A"},
            {"code": "C", "name": "C", "kind": "tribe"},
            {"code": "D", "name": "D", "parent_code": "NOWHERE"},
        ]
    }
    headers = auth(admin)
    response = post(client, TEAMS_BULK, body, headers)
    assert response.status_code == 422
    assert [(d["row"], d["field"]) for d in response.json()["detail"]] == [
        (2, "parent_code"),
        (3, "parent_code"),
        (4, "kind"),
        (5, "parent_code"),
    ]
    assert not Team.objects.filter(external_id="OK").exists()
    schema = post(client, TEAMS_BULK, {"teams": [{"code": None, "name": ["x"]}]}, headers)
    assert schema.status_code == 422
    assert {d["field"] for d in schema.json()["detail"]} == {"teams.0.code", "teams.0.name"}
