"""The grading queue for written role-play replies and the grade form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qa_platform.people.models import Team, User
from qa_platform.people.roles import Role
from tests.conftest import signed_in
from tests.people.factories import person_with_role
from tests.training.factories import scenario_page
from tests.training.views_helpers import HTMX
from training.models import AttemptAnswer, FreeResponseGrade
from training.services import answer_step, start_attempt

pytestmark = pytest.mark.django_db

QUEUE = "/training/grading/"


def _pending_answer(person: User, page: Any) -> AttemptAnswer:
    attempt = start_attempt(person=person, page=page)
    answer_step(attempt=attempt, step_key="greet", reply_key="kind")
    answer_step(attempt=attempt, step_key="middle", text="Sorry about that, I will fix it.")
    return AttemptAnswer.objects.get(attempt=attempt, key="middle")


def _framework_scenario() -> Any:
    """A role-play whose free step is graded on the framework's "empathy" criterion."""
    return scenario_page(free=True)


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_agent_cannot_open_the_grading_queue(client: Client, agent: User) -> None:
    assert signed_in(client, agent).get(QUEUE).status_code == 403


def test_reviewer_sees_written_replies_of_their_teams(
    client: Client, agent: User, reviewer: User
) -> None:
    answer = _pending_answer(agent, scenario_page(free=True))
    body = signed_in(client, reviewer).get(QUEUE).content.decode()
    assert "Ada Agent" in body
    assert reverse("training:grade", args=[answer.pk]) in body


def test_htmx_queue_request_gets_the_results_fragment(client: Client, reviewer: User) -> None:
    response = signed_in(client, reviewer).get(QUEUE, headers=HTMX)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="grading-results"' in response.content


def test_lead_of_another_team_cannot_grade(
    client: Client, agent: User, other_team_lead: User
) -> None:
    answer = _pending_answer(agent, scenario_page(free=True))
    signed_in(client, other_team_lead)
    assert "Ada Agent" not in client.get(QUEUE).content.decode()
    url = reverse("training:grade", args=[answer.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"rating-empathy": "4"}).status_code == 404
    assert not FreeResponseGrade.objects.exists()


def test_lead_grades_against_the_framework_criterion_and_learner_sees_it(
    client: Client, agent: User, lead: User
) -> None:
    page = _framework_scenario()
    answer = _pending_answer(agent, page)
    signed_in(client, lead)
    url = reverse("training:grade", args=[answer.pk])
    body = client.get(url).content.decode()
    assert "Shows empathy" in body
    assert "Acknowledges the customer" in body  # the criterion's guidance
    response = client.post(url, {"rating-empathy": "4", "comment": "Warm and clear."})
    assert response.status_code == 302
    grade = FreeResponseGrade.objects.get(answer=answer)
    assert grade.ratings == {"empathy": "4"}
    assert grade.comment == "Warm and clear."
    attempt_url = reverse("training:scenario_attempt", args=[page.pk, answer.attempt_id])
    body = signed_in(Client(), agent).get(attempt_url).content.decode()
    assert "Warm and clear." in body
    assert "Graded" in body


def test_a_rating_off_the_scale_is_refused_and_nothing_saved(
    client: Client, agent: User, lead: User
) -> None:
    answer = _pending_answer(agent, _framework_scenario())
    url = reverse("training:grade", args=[answer.pk])
    response = signed_in(client, lead).post(url, {"rating-empathy": "99"})
    assert response.status_code == 400
    assert "not on this criterion" in response.content.decode()
    assert not FreeResponseGrade.objects.exists()


def test_grading_the_last_reply_completes_the_attempt(
    client: Client, agent: User, reviewer: User
) -> None:
    answer = _pending_answer(agent, scenario_page(free=True))
    url = reverse("training:grade", args=[answer.pk])
    signed_in(client, reviewer)
    assert client.post(url, {"rating-empathy": "5"}).status_code == 302
    answer.attempt.refresh_from_db()
    assert answer.attempt.status == "completed"


def test_nobody_grades_their_own_reply(client: Client, lead: User) -> None:
    answer = _pending_answer(lead, scenario_page(free=True))
    assert (
        signed_in(client, lead).get(reverse("training:grade", args=[answer.pk])).status_code == 404
    )


@pytest.mark.parametrize("count", [1, 6])
def test_queue_query_count_does_not_grow(
    client: Client, reviewer: User, count: int, django_assert_max_num_queries: Any
) -> None:
    team = Team.objects.get(name="Billing")
    page = scenario_page(free=True)
    for i in range(count):
        _pending_answer(person_with_role(Role.AGENT, team, email=f"a{i}@example.test"), page)
    signed_in(client, reviewer)
    with django_assert_max_num_queries(9):
        response = client.get(QUEUE)
    assert response.status_code == 200


def test_a_trainer_grades_written_replies_of_the_teams_they_reach_only(
    client: Client, agent: User, other_team_agent: User, trainer: User
) -> None:
    page = scenario_page(free=True)
    ours = _pending_answer(agent, page)
    theirs = _pending_answer(other_team_agent, page)
    signed_in(client, trainer)
    body = client.get(QUEUE).content.decode()
    assert reverse("training:grade", args=[ours.pk]) in body
    assert reverse("training:grade", args=[theirs.pk]) not in body
    assert client.get(reverse("training:grade", args=[ours.pk])).status_code == 200
    assert client.get(reverse("training:grade", args=[theirs.pk])).status_code == 404
