"""Assigning training, assignment rules, issued certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform.people.models import User
from tests.conftest import Org, signed_in
from tests.training.factories import module_page
from tests.training.views_helpers import HTMX
from training.models import Assignment, AssignmentRule, Certificate
from training.services import issue_certificate

pytestmark = pytest.mark.django_db

ASSIGN = "/training/assign/"
RULES = "/training/rules/"
CERTS = "/training/certificates/"


def _due() -> str:
    return (timezone.localdate() + dt.timedelta(days=7)).isoformat()


@pytest.mark.parametrize("url", [ASSIGN, RULES, CERTS])
def test_anonymous_is_sent_to_sign_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", [ASSIGN, RULES, CERTS])
def test_agent_is_forbidden(client: Client, agent: User, url: str) -> None:
    assert signed_in(client, agent).get(url).status_code == 403


def test_lead_assigns_a_module_to_a_person_with_a_due_date(
    client: Client, lead: User, agent: User
) -> None:
    page = module_page("Refunds")
    signed_in(client, lead)
    assert "Refunds" in client.get(ASSIGN).content.decode()
    response = client.post(ASSIGN, {"page": page.pk, "people": [agent.pk], "due_at": _due()})
    assert response.status_code == 302
    assignment = Assignment.objects.get(person=agent, page=page)
    assert assignment.source == "manual"
    assert assignment.assigned_by == lead
    assert str(assignment.due_at) == _due()


def test_lead_assigns_to_a_whole_team(client: Client, lead: User, agent: User, org: Org) -> None:
    page = module_page("Team module")
    response = signed_in(client, lead).post(ASSIGN, {"page": page.pk, "teams": [org.team.pk]})
    assert response.status_code == 302
    assert Assignment.objects.filter(person=agent, page=page).exists()


def test_lead_cannot_assign_to_another_team(
    client: Client, lead: User, other_team_agent: User, org: Org
) -> None:
    page = module_page("Not yours")
    signed_in(client, lead)
    response = client.post(ASSIGN, {"page": page.pk, "people": [other_team_agent.pk]})
    assert response.status_code == 400
    response = client.post(ASSIGN, {"page": page.pk, "teams": [org.other_team.pk]})
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_assigning_with_a_past_due_date_is_refused(client: Client, lead: User, agent: User) -> None:
    page = module_page("Late")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = signed_in(client, lead).post(
        ASSIGN, {"page": page.pk, "people": [agent.pk], "due_at": yesterday}
    )
    assert response.status_code == 400
    assert "later day" in response.content.decode()
    assert not Assignment.objects.exists()


def test_assigning_nobody_is_refused(client: Client, lead: User) -> None:
    page = module_page("Nobody")
    response = signed_in(client, lead).post(ASSIGN, {"page": page.pk})
    assert response.status_code == 400
    assert "at least one person or team" in response.content.decode()


def test_qa_manager_creates_a_rule_that_assigns_at_once(
    client: Client, qa_manager: User, agent: User, org: Org
) -> None:
    page = module_page("Rule module")
    signed_in(client, qa_manager)
    response = client.post(
        RULES, {"name": "Billing refunds", "page": page.pk, "team": org.team.pk, "due_days": 14}
    )
    assert response.status_code == 302
    rule = AssignmentRule.objects.get(name="Billing refunds")
    assert Assignment.objects.filter(person=agent, page=page, rule=rule).exists()
    assert "Billing refunds" in client.get(RULES).content.decode()


def test_lead_must_choose_one_of_their_teams_for_a_rule(
    client: Client, lead: User, org: Org
) -> None:
    page = module_page("Lead rule")
    signed_in(client, lead)
    response = client.post(RULES, {"name": "Everyone", "page": page.pk})
    assert response.status_code == 400
    response = client.post(RULES, {"name": "Theirs", "page": page.pk, "team": org.other_team.pk})
    assert response.status_code == 400
    assert not AssignmentRule.objects.exists()


def test_rules_htmx_request_gets_the_list_fragment(client: Client, qa_manager: User) -> None:
    response = signed_in(client, qa_manager).get(RULES, headers=HTMX)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="rule-results"' in response.content


def _certificate(person: User) -> Certificate:
    from tests.training.views_helpers import make_path

    path = make_path("Certified path", [(module_page("Cert item"), [], True)])
    return issue_certificate(person=person, path=path)


def test_lead_lists_certificates_of_their_team(client: Client, lead: User, agent: User) -> None:
    cert = _certificate(agent)
    body = signed_in(client, lead).get(CERTS).content.decode()
    assert cert.code in body
    assert "Revoke" not in body  # admins only


def test_lead_of_another_team_does_not_see_the_certificate(
    client: Client, other_team_lead: User, agent: User
) -> None:
    cert = _certificate(agent)
    signed_in(client, other_team_lead)
    assert cert.code not in client.get(CERTS).content.decode()
    url = reverse("training:certificate_revoke", args=[cert.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_only_admins_revoke(client: Client, lead: User, admin: User, agent: User) -> None:
    cert = _certificate(agent)
    url = reverse("training:certificate_revoke", args=[cert.pk])
    assert signed_in(client, lead).post(url, {"reason": "Cheated"}).status_code == 403
    response = signed_in(Client(), admin).post(url, {"reason": "Issued by mistake"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.revoked_at is not None
    assert cert.revoked_reason == "Issued by mistake"


def test_revoking_without_a_reason_is_refused(client: Client, admin: User, agent: User) -> None:
    cert = _certificate(agent)
    url = reverse("training:certificate_revoke", args=[cert.pk])
    signed_in(client, admin).post(url, {"reason": " "})
    cert.refresh_from_db()
    assert cert.revoked_at is None


def test_certificate_pdf_downloads(client: Client, lead: User, agent: User) -> None:
    cert = _certificate(agent)
    response = signed_in(client, lead).get(reverse("training:certificate_pdf", args=[cert.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("count", [1, 6])
def test_certificates_query_count_does_not_grow(
    client: Client, lead: User, org: Org, count: int, django_assert_max_num_queries: Any
) -> None:
    from qa_platform.people.roles import Role
    from tests.people.factories import person_with_role

    for i in range(count):
        _certificate(person_with_role(Role.AGENT, org.team, email=f"c{i}@example.test"))
    signed_in(client, lead)
    with django_assert_max_num_queries(8):
        assert client.get(CERTS).status_code == 200


def test_a_trainer_assigns_in_the_teams_their_role_reaches_only(
    client: Client, trainer: User, agent: User, other_team_agent: User, org: Org
) -> None:
    page = module_page("Trainer's module")
    signed_in(client, trainer)
    response = client.post(ASSIGN, {"page": page.pk, "people": [agent.pk], "due_at": _due()})
    assert response.status_code == 302
    assert Assignment.objects.get(person=agent, page=page).assigned_by == trainer
    response = client.post(ASSIGN, {"page": page.pk, "people": [other_team_agent.pk]})
    assert response.status_code == 400
    response = client.post(ASSIGN, {"page": page.pk, "teams": [org.other_team.pk]})
    assert response.status_code == 400
    assert not Assignment.objects.filter(person=other_team_agent).exists()


def test_a_training_lead_creates_an_organisation_wide_rule_as_a_qa_manager_does(
    client: Client, training_lead: User, agent: User
) -> None:
    page = module_page("Everyone's module")
    signed_in(client, training_lead)
    response = client.post(RULES, {"name": "Everyone", "page": page.pk})
    assert response.status_code == 302
    rule = AssignmentRule.objects.get(name="Everyone")
    assert rule.team is None
    assert Assignment.objects.filter(person=agent, page=page, rule=rule).exists()


def test_a_trainer_lists_certificates_of_the_teams_they_reach(
    client: Client, trainer: User, agent: User, other_team_agent: User
) -> None:
    ours, theirs = _certificate(agent), _certificate(other_team_agent)
    body = signed_in(client, trainer).get(CERTS).content.decode()
    assert ours.code in body
    assert theirs.code not in body
    assert "Revoke" not in body  # admins only
