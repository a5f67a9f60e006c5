"""POST /api/v1/customer-periods: token roles, all or nothing with row errors, idempotent
re-sends, the batch limit."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from django.test import Client

from qa_platform.engagement.models import CustomerPeriod
from qa_platform.people.models import Team, User
from tests.conftest import Org
from tests.people.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/customer-periods"
_KEYS = itertools.count()
LAST_MONTH = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def auth(user: User) -> dict[str, str]:
    key = f"qap_cust_{user.pk}_{next(_KEYS)}"
    ApiTokenFactory(user=user, key=key)
    return {"Authorization": f"Bearer {key}"}


def post(client: Client, body: Any, headers: dict[str, str]) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def month(**values: Any) -> dict[str, Any]:
    return {"month": LAST_MONTH, "customers_at_start": 1000, "customers_lost": 20, **values}


def test_without_a_token_it_is_401(client: Client, org: Org) -> None:
    assert post(client, [month()], {}).status_code == 401
    assert not CustomerPeriod.objects.exists()


@pytest.mark.parametrize("role", ["agent", "lead", "qa_manager"])
def test_other_roles_tokens_get_403(client: Client, role: str, request: Any) -> None:
    response = post(client, [month()], auth(request.getfixturevalue(role)))
    assert response.status_code == 403
    assert not CustomerPeriod.objects.exists()


def test_hr_imports_a_batch_and_sending_it_again_changes_nothing(
    client: Client, org: Org, hr: User
) -> None:
    Team.objects.filter(pk=org.team.pk).update(external_id="BILL")
    batch = [
        month(revenue="50000.00", customers_gained=30, source="crm"),
        month(team_code="BILL", customers_at_start=300, customers_lost=3, revenue=1200.5),
    ]
    headers = auth(hr)
    response = post(client, batch, headers)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0, "rows": 2}
    before = list(CustomerPeriod.objects.values())
    again = post(client, batch, headers)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2, "rows": 2}
    assert list(CustomerPeriod.objects.values()) == before


def test_one_bad_record_saves_nothing_and_every_error_has_its_row(
    client: Client, org: Org, admin: User
) -> None:
    batch = [month(), month(month="soon", customers_lost=2000), month(team_code="NOPE")]
    response = post(client, batch, auth(admin))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(d["row"], d["field"]) for d in detail] == [
        (2, "month"),
        (2, "customers_lost"),
        (3, "team_code"),
    ]
    assert not CustomerPeriod.objects.exists()


def test_a_body_that_is_not_a_json_array_is_a_clear_422(client: Client, hr: User) -> None:
    headers = auth(hr)
    for body in ("{not json", json.dumps({"month": LAST_MONTH})):
        response = post(client, body, headers)
        assert response.status_code == 422
        assert "JSON array" in response.json()["detail"][0]["reason"]


def test_more_than_ten_thousand_records_are_refused_whole(client: Client, hr: User) -> None:
    response = post(client, [month()] * 10_001, auth(hr))
    assert response.status_code == 422
    assert "At most 10,000" in response.json()["detail"][0]["reason"]
    assert not CustomerPeriod.objects.exists()


def test_the_endpoint_is_in_the_openapi_document(client: Client, hr: User) -> None:
    client.force_login(hr)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/customer-periods" in schema["paths"]
