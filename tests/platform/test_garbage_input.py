"""No input ever produces a 500: garbage posted to every form and API endpoint, garbage
in every query string, as the most privileged person (admin) and as an agent.

The test client re-raises exceptions from views, so an unhandled error fails with its traceback.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.people.factories import ApiTokenFactory
from tests.platform.test_authorisation_matrix import API_MATRIX, MATRIX

GARBAGE_VALUES: list[Any] = [
    "",
    "   ",
    "x" * 20_000,
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2026-13-45",
    "31/02/2026",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "💥 ünïcødé ☃",
    "null",
    "[]",
    "{}",
    "true",
]
FIELD_NAMES = [
    "email", "full_name", "employee_id", "team", "team_id", "start", "end", "start_date",
    "end_date", "role", "parent", "kind", "name", "external_id", "is_active", "active", "status",
    "q", "page", "page_size", "owner", "user", "action", "actor", "object_type", "date_from",
    "date_to", "from", "to", "full", "confirm", "step", "token", "old_password",
    "new_password1", "new_password2", "username", "password", "next",
]  # fmt: skip
API_BODIES = [
    "not json at all",
    "{",
    "[]",
    "null",
    json.dumps({"people": "lots"}),
    json.dumps({"people": [{"email": 12}]}),
    json.dumps({"people": [{}] * 3, "full": "sometimes"}),
    json.dumps({"teams": [{"code": None, "name": ["x"]}]}),
    json.dumps({"people": [{"email": "a@b.test", "start_date": "2026-99-99", "roles": "agent"}]}),
]


def _payloads() -> list[dict[str, Any]]:
    payloads = [{name: value for name in FIELD_NAMES} for value in GARBAGE_VALUES]
    payloads.append({name: [GARBAGE_VALUES[2], GARBAGE_VALUES[12]] for name in FIELD_NAMES})
    return payloads


def _url(name: str, world: dict[str, Any]) -> str:
    case = MATRIX.get(name) or API_MATRIX[name]
    return reverse(name, args=case.args, kwargs=case.kwargs(world) if case.kwargs else None)


@pytest.mark.parametrize("role", ["admin", "agent"])
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_garbage_in_any_form_or_query_string_never_produces_a_server_error(
    name: str, role: str, world: dict[str, Any]
) -> None:
    url = _url(name, world)
    client = Client()
    client.force_login(world[role])
    for payload in _payloads():
        for method in ("get", "post"):
            response = getattr(client, method)(url, data=payload)
            assert response.status_code < 500, (method, payload)
    upload = {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00garbage\x00" * 50, "text/csv")}
    response = client.post(url, data=upload)
    assert response.status_code < 500
    response = client.post(url, data="\x00\x01{{", content_type="application/json")
    assert response.status_code < 500


@pytest.mark.parametrize("role", ["admin", "agent"])
@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_garbage_sent_to_any_api_endpoint_never_produces_a_server_error(
    name: str, role: str, world: dict[str, Any]
) -> None:
    url = _url(name, world)
    ApiTokenFactory(user=world[role], key=f"qap_garbage_{role}")
    headers = {"Authorization": f"Bearer qap_garbage_{role}"}
    client = Client()
    for body in API_BODIES:
        response = client.post(url, data=body, content_type="application/json", headers=headers)
        assert response.status_code < 500, body
    for payload in _payloads()[:6]:
        response = client.get(url, data=payload, headers=headers)
        assert response.status_code < 500, payload
    for header in ("Bearer", "Bearer " + "x" * 5000, "Basic Zm9vOmJhcg==", "Bearer \x00"):
        response = client.get(url, headers={"Authorization": header})
        assert response.status_code < 500
