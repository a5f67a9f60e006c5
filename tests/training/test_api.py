"""GET /api/v1/training/completions: scoped, paginated, incremental."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qa_platform.people.models import User
from qa_platform.people.roles import Role
from tests.conftest import Org
from tests.people.factories import ApiTokenFactory, person_with_role
from tests.training.factories import module_page, path_page, true_false
from training.models import Assignment
from training.services import answer_question, assign_training, start_attempt, submit_module_attempt

pytestmark = pytest.mark.django_db
URL = "/api/v1/training/completions"
_keys = itertools.count()


def auth(user: User) -> dict[str, str]:
    key = f"qap_training_api_{next(_keys):06d}"
    ApiTokenFactory(user=user, key=key)
    return {"Authorization": f"Bearer {key}"}


def complete(person: User, page: Any) -> None:
    attempt = start_attempt(person=person, page=page)
    answer_question(attempt=attempt, key="t", raw="true")
    submit_module_attempt(attempt=attempt)


@pytest.fixture
def module() -> Any:
    return module_page(body=[true_false("t")])


def test_without_a_token_it_is_401(client: Client) -> None:
    assert client.get(URL).status_code == 401


def test_an_agent_sees_only_their_own_completions(
    client: Client, agent: User, other_team_agent: User, qa_manager: User, module: Any
) -> None:
    assign_training(page=module, people=[agent, other_team_agent], actor=qa_manager)
    complete(agent, module)
    complete(other_team_agent, module)
    body = client.get(URL, headers=auth(agent)).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["person_email"], item["item_kind"], item["source"]) == (
        "agent@example.test",
        "module",
        "manual",
    )
    assert item["on_time"] is None and item["certificate_code"] is None


def test_a_lead_sees_their_team_and_open_assignments_are_not_completions(
    client: Client,
    org: Org,
    agent: User,
    lead: User,
    other_team_agent: User,
    qa_manager: User,
    module: Any,
) -> None:
    teammate = person_with_role(Role.AGENT, org.team)
    assign_training(page=module, people=[agent, teammate, other_team_agent], actor=qa_manager)
    complete(agent, module)
    complete(other_team_agent, module)
    body = client.get(URL, headers=auth(lead)).json()
    assert [i["person_email"] for i in body["items"]] == ["agent@example.test"]


def test_updated_since_returns_later_completions_and_pages_are_stable(
    client: Client, org: Org, qa_manager: User, module: Any
) -> None:
    people = [person_with_role(Role.AGENT, org.team) for _ in range(3)]
    assign_training(page=module, people=people, actor=qa_manager)
    for p in people:
        complete(p, module)
    rows = list(Assignment.objects.filter(page=module).order_by("pk"))
    base = timezone.now() - dt.timedelta(days=3)
    for offset, row in enumerate(rows):
        Assignment.objects.filter(pk=row.pk).update(completed_at=base + dt.timedelta(days=offset))
    headers = auth(qa_manager)
    since = (base + dt.timedelta(days=1)).isoformat()
    body = client.get(URL, {"updated_since": since}, headers=headers).json()
    assert body["count"] == 2
    first = client.get(URL, {"page_size": 2}, headers=headers).json()
    second = client.get(URL, {"page_size": 2, "page": 2}, headers=headers).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert ids == [r.pk for r in rows]


def test_a_completed_path_carries_its_certificate_code(
    client: Client, agent: User, qa_manager: User, module: Any
) -> None:
    path = path_page(items=[(module, [], True)])
    assign_training(page=path, people=[agent], due_at=timezone.localdate(), actor=qa_manager)
    complete(agent, module)
    body = client.get(URL, {"item": path.pk}, headers=auth(qa_manager)).json()
    item = body["items"][0]
    assert item["item_kind"] == "learning_path" and item["on_time"] is True
    assert item["certificate_code"] == agent.training_certificates.get().code


def test_an_unknown_or_invisible_team_is_404(client: Client, org: Org, lead: User) -> None:
    response = client.get(URL, {"team": org.other_team.pk}, headers=auth(lead))
    assert response.status_code == 404


def test_bad_filters_are_422(client: Client, agent: User) -> None:
    response = client.get(URL, {"updated_since": "yesterday"}, headers=auth(agent))
    assert response.status_code == 422


def test_the_query_count_does_not_grow_with_the_rows(
    client: Client,
    org: Org,
    qa_manager: User,
    module: Any,
    django_assert_max_num_queries: Any,
) -> None:
    path = path_page(items=[(module, [], True)])
    headers = auth(qa_manager)
    person = person_with_role(Role.AGENT, org.team)
    assign_training(page=path, people=[person], actor=qa_manager)
    complete(person, module)
    with django_assert_max_num_queries(8):
        assert client.get(URL, headers=headers).json()["count"] == 1
    others = [person_with_role(Role.AGENT, org.team) for _ in range(5)]
    assign_training(page=path, people=others, actor=qa_manager)
    for p in others:
        complete(p, module)
    with django_assert_max_num_queries(8):
        assert client.get(URL, headers=headers).json()["count"] == 6
