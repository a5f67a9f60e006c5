"""Training reports: scope, figures, wrong answers, CSV export, query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qa_platform.people.models import User
from qa_platform.people.roles import Role
from tests.conftest import Org, signed_in
from tests.people.factories import person_with_role
from tests.training.factories import AssignmentFactory, module_page, scenario_page
from tests.training.views_helpers import HTMX, pass_default_module
from training.services import (
    answer_question,
    answer_step,
    start_attempt,
    submit_module_attempt,
)

pytestmark = pytest.mark.django_db

URL = "/training/reports/"


def _fail(person: User, page: Any) -> None:
    attempt = start_attempt(person=person, page=page)
    answer_question(attempt=attempt, key="window", raw="a")
    answer_question(attempt=attempt, key="receipt", raw="true")
    submit_module_attempt(attempt=attempt)


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_agent_is_forbidden(client: Client, agent: User) -> None:
    assert signed_in(client, agent).get(URL).status_code == 403


def test_reviewer_is_forbidden(client: Client, reviewer: User) -> None:
    assert signed_in(client, reviewer).get(URL).status_code == 403


def test_lead_sees_completion_overdue_and_pass_rate_of_their_team(
    client: Client, lead: User, agent: User, org: Org
) -> None:
    page = module_page("Refund basics")
    second = person_with_role(Role.AGENT, org.team, email="b@example.test")
    AssignmentFactory(person=agent, page=page)
    AssignmentFactory(person=second, page=page, due_at=timezone.localdate() - dt.timedelta(days=1))
    _fail(agent, page)
    pass_default_module(agent, page)
    body = signed_in(client, lead).get(URL).content.decode()
    assert "Billing" in body and "Refund basics" in body
    assert "1 of 2 assignments completed (50.0%), 1 overdue" in body
    assert "50.0%" in body  # pass rate: 1 of 2 finished attempts
    assert "Question window?" in body  # answered wrongly once


def test_lead_does_not_see_another_teams_people(
    client: Client, lead: User, other_team_agent: User
) -> None:
    page = module_page("Other team's module")
    AssignmentFactory(person=other_team_agent, page=page)
    _fail(other_team_agent, page)
    body = signed_in(client, lead).get(URL).content.decode()
    assert "Other team&#x27;s module" not in body and "Other team's module" not in body
    assert "Renewals" not in body


def test_team_filter_outside_scope_is_ignored(
    client: Client, lead: User, other_team_agent: User, org: Org
) -> None:
    page = module_page("Hidden module")
    AssignmentFactory(person=other_team_agent, page=page)
    body = signed_in(client, lead).get(f"{URL}?team={org.other_team.pk}").content.decode()
    assert "Hidden module" not in body


def test_scenario_replies_chosen_wrongly_are_listed(
    client: Client, qa_manager: User, agent: User
) -> None:
    page = scenario_page("Upset customer")
    attempt = start_attempt(person=agent, page=page)
    answer_step(attempt=attempt, step_key="greet", reply_key="rude")
    body = signed_in(client, qa_manager).get(URL).content.decode()
    assert "Reply rude" in body
    assert "⚠ 1" in body


def test_csv_exports_by_team_and_by_item(client: Client, lead: User, agent: User) -> None:
    page = module_page("=Formula title")
    AssignmentFactory(person=agent, page=page)
    pass_default_module(agent, page)
    signed_in(client, lead)
    response = client.get(f"{URL}?export=teams")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Team", "Item", "Kind"]
    assert rows[1][0] == "Billing"
    assert rows[1][1] == "'=Formula title", rows  # never a formula in a spreadsheet
    assert rows[1][3:6] == ["1", "1", "0"]
    response = client.get(f"{URL}?export=items")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Item"
    assert rows[1][6] == "100.0"


def test_htmx_request_gets_the_results_fragment(client: Client, lead: User) -> None:
    response = signed_in(client, lead).get(URL, headers=HTMX)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="report-results"' in response.content


@pytest.mark.parametrize("people", [1, 8])
def test_report_query_count_does_not_grow_with_rows(
    client: Client, qa_manager: User, org: Org, people: int, django_assert_max_num_queries: Any
) -> None:
    pages = [module_page(f"Module {i}") for i in range(2)]
    role_play = scenario_page("Role-play")
    for i in range(people):
        person = person_with_role(Role.AGENT, org.team, email=f"p{i}@example.test")
        for page in pages:
            AssignmentFactory(person=person, page=page)
        _fail(person, pages[0])
        attempt = start_attempt(person=person, page=role_play)
        answer_step(attempt=attempt, step_key="greet", reply_key="rude")
    signed_in(client, qa_manager)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200


def test_a_trainer_sees_the_reports_of_the_teams_their_role_reaches(
    client: Client, trainer: User, agent: User, other_team_agent: User
) -> None:
    ours, theirs = module_page("Support module"), module_page("Sales module")
    AssignmentFactory(person=agent, page=ours)
    AssignmentFactory(person=other_team_agent, page=theirs)
    body = signed_in(client, trainer).get(URL).content.decode()
    assert "Billing" in body and "Support module" in body
    assert "Renewals" not in body and "Sales module" not in body
