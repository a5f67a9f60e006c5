"""The interactions and customer-feedback API: token roles, batch imports, 422 details, list."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import User
from scorecards.models import CustomerFeedback, Interaction, Transcript
from tests.conftest import Org
from tests.people.factories import ApiTokenFactory
from tests.scorecards.factories import InteractionFactory

pytestmark = pytest.mark.django_db

INTERACTIONS = "/api/v1/interactions"
FEEDBACK = "/api/v1/customer-feedback"
WHEN = (timezone.now() - dt.timedelta(days=2)).replace(microsecond=0).isoformat()


_KEYS = itertools.count()


def auth(user: User) -> dict[str, str]:
    key = f"qap_test_{user.pk}_{next(_KEYS)}"
    ApiTokenFactory(user=user, key=key)
    return {"Authorization": f"Bearer {key}"}


def post(client: Client, url: str, body: Any, headers: dict[str, str]) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", headers=headers)


def record(source_id: str = "T-1", **values: Any) -> dict[str, Any]:
    return {
        "source": "helpdesk",
        "source_id": source_id,
        "channel": "chat",
        "agent_email": "agent@example.test",
        "started_at": WHEN,
        **values,
    }


# --- Who may do what ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [INTERACTIONS, FEEDBACK])
def test_without_a_token_it_is_401_and_nothing_is_saved(client: Client, org: Org, url: str) -> None:
    assert post(client, url, [record()], {}).status_code == 401
    assert client.get(INTERACTIONS).status_code == 401
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("role", ["agent", "reviewer", "lead", "hr"])
@pytest.mark.parametrize("url", [INTERACTIONS, FEEDBACK])
def test_posting_is_403_for_roles_other_than_qa_manager_and_admin_even_with_a_bad_body(
    client: Client, role: str, url: str, request: Any, agent: User
) -> None:
    headers = auth(request.getfixturevalue(role))
    response = post(client, url, [record()], headers)
    assert response.status_code == 403
    assert "QA manager" in response.json()["detail"]
    assert post(client, url, "not json", headers).status_code == 403
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("role", ["qa_manager", "admin"])
def test_qa_managers_and_administrators_import_interactions(
    client: Client, role: str, request: Any, agent: User, org: Org
) -> None:
    body = [
        record("T-1", duration_seconds=420, escalated=True,
               transcript=[{"speaker": "customer", "text": "call me on 07700 900123"}],
               custom_fields={"priority": "high"}),
        record("T-2", channel="call", transcript="00:00:01 Agent: Hello"),
    ]  # fmt: skip
    response = post(client, INTERACTIONS, body, auth(request.getfixturevalue(role)))
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0, "rows": 2}
    first = Interaction.objects.get(source_id="T-1")
    assert (first.team, first.escalated, first.custom_fields) == (
        org.team,
        True,
        {"priority": "high"},
    )
    assert Transcript.objects.get(interaction=first).messages[0]["text"] == "call me on [phone]"
    event = AuditEvent.objects.get(action="interactions.import")
    assert event.after["source"] == "api"


def test_sending_the_same_batch_again_changes_nothing(
    client: Client, qa_manager: User, agent: User
) -> None:
    headers = auth(qa_manager)
    body = [record("T-1"), record("T-2", queue="Tech")]
    post(client, INTERACTIONS, body, headers)
    stamps = list(Interaction.objects.order_by("pk").values_list("updated_at", flat=True))
    response = post(client, INTERACTIONS, body, headers)
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 2, "rows": 2}
    assert list(Interaction.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    body[1]["queue"] = "Billing"
    assert post(client, INTERACTIONS, body, headers).json()["updated"] == 1


def test_row_errors_are_422_with_row_field_and_reason_and_nothing_is_saved(
    client: Client, qa_manager: User, agent: User
) -> None:
    body = [
        record("T-1"),
        record("T-2", channel="fax"),
        record("T-3", agent_email="ghost@example.test", started_at="yesterday"),
        record("T-1"),
        "not an object",
    ]
    response = post(client, INTERACTIONS, body, auth(qa_manager))
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"row": 2, "field": "channel",
             "reason": "Unknown channel “fax”; use call, chat, email, messaging, social."},
            {"row": 3, "field": "started_at",
             "reason": "“yesterday” is not a date and time in ISO 8601, e.g. "
                       "2026-03-15T10:30:00+01:00 (without an offset it is taken as UTC)."},
            {"row": 4, "field": "source_id",
             "reason": "helpdesk T-1 is also on row 1; one row per source id."},
            {"row": 5, "field": None, "reason": "Each item must be a JSON object."},
        ]
    }  # fmt: skip
    assert not Interaction.objects.exists()


def test_an_unknown_agent_is_a_row_error(client: Client, qa_manager: User, agent: User) -> None:
    response = post(
        client, INTERACTIONS, [record(agent_email="ghost@example.test")], auth(qa_manager)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "agent_email"


def test_more_than_ten_thousand_records_is_422_with_a_clear_reason(
    client: Client, qa_manager: User, agent: User
) -> None:
    body = [record(f"T-{i}") for i in range(settings.API_MAX_BATCH + 1)]
    response = post(client, INTERACTIONS, body, auth(qa_manager))
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "row": None,
            "field": None,
            "reason": "At most 10,000 interactions per request; this one has 10,001. Send them "
            "in batches: nothing was saved.",
        }
    ]
    assert not Interaction.objects.exists()


def test_a_full_batch_of_ten_thousand_is_accepted(
    client: Client, qa_manager: User, agent: User
) -> None:
    body = [record(f"T-{i}") for i in range(settings.API_MAX_BATCH)]
    response = post(client, INTERACTIONS, body, auth(qa_manager))
    assert response.status_code == 200
    assert response.json()["created"] == settings.API_MAX_BATCH


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json at all", "The body is not valid JSON: send a JSON array of interactions."),
        ("{", "The body is not valid JSON: send a JSON array of interactions."),
        ("null", "Send a JSON array of interactions (not an object or a single value)."),
        ({"interactions": []}, "Send a JSON array of interactions (not an object or a single"),
        (b"\xff\xfe\x00", "The body is not valid JSON"),
        ("[" * 100_000, "The body is not valid JSON"),
    ],
)
def test_a_body_that_is_not_a_json_array_is_422(
    client: Client, qa_manager: User, body: Any, reason: str
) -> None:
    response = post(client, INTERACTIONS, body, auth(qa_manager))
    assert response.status_code == 422
    assert response.json()["detail"][0]["reason"].startswith(reason)


def test_an_empty_batch_does_nothing(client: Client, qa_manager: User) -> None:
    response = post(client, INTERACTIONS, [], auth(qa_manager))
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 0, "rows": 0}


def test_values_of_the_wrong_type_are_row_errors_not_server_errors(
    client: Client, qa_manager: User, agent: User
) -> None:
    body = [
        record(source=5, queue=["x"], duration_seconds="soon", escalated="maybe"),
        record("T-2", transcript={"speaker": "agent"}, custom_fields=[1]),
        {"source": None},
    ]
    response = post(client, INTERACTIONS, body, auth(qa_manager))
    assert response.status_code == 422
    fields = {(d["row"], d["field"]) for d in response.json()["detail"]}
    assert {(1, "queue"), (1, "duration_seconds"), (1, "escalated")} <= fields
    assert {(2, "transcript"), (2, "custom_fields"), (3, "source")} <= fields


# --- Customer feedback --------------------------------------------------------------------


def test_feedback_is_imported_and_attached(
    client: Client, qa_manager: User, agent: User, org: Org
) -> None:
    interaction = InteractionFactory(source="helpdesk", source_id="T-1", agent=agent, team=org.team)
    body = [
        {"source": "helpdesk", "source_id": "F-1", "interaction_source_id": "T-1",
         "received_at": WHEN, "csat": 2, "ces": 6, "ces_version": "7pt-agree"},
        {"source": "survey", "source_id": "F-2", "agent_email": "agent@example.test",
         "received_at": WHEN, "nps": 10, "comment": "Great"},
    ]  # fmt: skip
    response = post(client, FEEDBACK, body, auth(qa_manager))
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0, "rows": 2}
    assert CustomerFeedback.objects.get(source_id="F-1").interaction == interaction
    assert post(client, FEEDBACK, body, auth(qa_manager)).json()["unchanged"] == 2


def test_feedback_scores_out_of_range_are_422(
    client: Client, qa_manager: User, agent: User
) -> None:
    body = [
        {"source": "s", "source_id": "F-1", "agent_email": "agent@example.test",
         "received_at": WHEN, "csat": 6},
        {"source": "s", "source_id": "F-2", "agent_email": "agent@example.test",
         "received_at": WHEN, "ces": 3},
    ]  # fmt: skip
    response = post(client, FEEDBACK, body, auth(qa_manager))
    assert response.status_code == 422
    assert [(d["row"], d["field"]) for d in response.json()["detail"]] == [
        (1, "csat"),
        (2, "ces_version"),
    ]
    assert not CustomerFeedback.objects.exists()


# --- Listing ------------------------------------------------------------------------------


@pytest.fixture
def listed(org: Org, agent: User, other_team_agent: User) -> list[Interaction]:
    return [
        InteractionFactory(source_id="A", agent=agent, team=org.team),
        InteractionFactory(source_id="B", agent=agent, team=org.team),
        InteractionFactory(source_id="C", agent=other_team_agent, team=org.other_team),
    ]


def ids(response: Any) -> list[str]:
    return [i["source_id"] for i in response.json()["items"]]


def test_the_list_is_scoped_to_what_the_token_owner_may_see(
    client: Client, listed: list[Interaction], admin: User, lead: User, agent: User
) -> None:
    assert ids(client.get(INTERACTIONS, headers=auth(admin))) == ["A", "B", "C"]
    assert ids(client.get(INTERACTIONS, headers=auth(lead))) == ["A", "B"]
    assert ids(client.get(INTERACTIONS, headers=auth(agent))) == ["A", "B"]  # their own contacts


def test_a_listed_interaction_has_its_fields(
    client: Client, listed: list[Interaction], admin: User, org: Org, agent: User
) -> None:
    item = client.get(INTERACTIONS, headers=auth(admin)).json()["items"][0]
    assert item["source_id"] == "A"
    assert (item["agent_email"], item["team_id"], item["team_name"]) == (
        agent.email, org.team.pk, "Billing",
    )  # fmt: skip
    assert {"started_at", "updated_at", "custom_fields", "channel", "queue"} <= set(item)


def test_the_list_filters_by_update_time_agent_and_team(
    client: Client, listed: list[Interaction], admin: User, org: Org
) -> None:
    headers = auth(admin)
    later = timezone.now() + dt.timedelta(seconds=1)
    Interaction.objects.filter(source_id="B").update(updated_at=later + dt.timedelta(minutes=1))
    response = client.get(INTERACTIONS, {"updated_since": later.isoformat()}, headers=headers)
    assert ids(response) == ["B"]
    assert ids(
        client.get(INTERACTIONS, {"agent_email": "AGENT2@example.test"}, headers=headers)
    ) == ["C"]
    assert ids(client.get(INTERACTIONS, {"team": org.sales.pk}, headers=headers)) == ["C"]


def test_an_invisible_team_is_404(
    client: Client, listed: list[Interaction], lead: User, org: Org
) -> None:
    response = client.get(INTERACTIONS, {"team": org.other_team.pk}, headers=auth(lead))
    assert response.status_code == 404


def test_the_list_is_paginated(client: Client, admin: User, agent: User, org: Org) -> None:
    for i in range(7):
        InteractionFactory(agent=agent, team=org.team, source_id=f"P-{i}")
    headers = auth(admin)
    body = client.get(INTERACTIONS, {"page": 2, "page_size": 3}, headers=headers).json()
    assert (body["count"], body["page"], body["page_size"], len(body["items"])) == (7, 2, 3, 3)
    assert client.get(INTERACTIONS, {"page": 9}, headers=headers).json()["items"] == []
    assert client.get(INTERACTIONS, {"page_size": 1000}, headers=headers).status_code == 422


def test_the_api_reference_describes_the_batch_bodies(client: Client, admin: User) -> None:
    client.force_login(admin)
    document = client.get("/api/v1/openapi.json").json()
    body = document["paths"]["/api/v1/interactions"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert (schema["type"], schema["maxItems"]) == ("array", 10_000)
    assert {"source", "source_id", "channel", "agent_email", "started_at"} <= set(
        schema["items"]["required"]
    )
    ours = [document["paths"][p] for p in ("/api/v1/interactions", "/api/v1/customer-feedback")]
    assert "#/$defs/" not in json.dumps(ours)
    assert "post" in document["paths"]["/api/v1/customer-feedback"]
