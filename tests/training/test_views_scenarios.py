"""Playing a role-play: the chat, feedback per reply, critical mistakes, debrief and refusals."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from qa_platform.people.models import User
from tests.conftest import signed_in
from tests.training.factories import AssignmentFactory, scenario_page
from tests.training.views_helpers import HTMX
from training.models import Attempt, AttemptAnswer
from training.pages import RolePlayScenarioPage

pytestmark = pytest.mark.django_db


def _start(client: Client, page: RolePlayScenarioPage, practice: bool = False) -> Attempt:
    data = {"practice": "1"} if practice else {}
    response = client.post(reverse("training:scenario_start", args=[page.pk]), data)
    assert response.status_code == 302
    return Attempt.objects.filter(page=page, practice=practice).latest("pk")


def _url(attempt: Attempt) -> str:
    return reverse("training:scenario_attempt", args=[attempt.page_id, attempt.pk])


def _reply(client: Client, attempt: Attempt, step: str, reply: str, **kw: object) -> object:
    url = reverse("training:scenario_answer", args=[attempt.page_id, attempt.pk])
    return client.post(url, {"step": step, "reply": reply}, **kw)


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    page = scenario_page()
    response = client.get(reverse("training:scenario", args=[page.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_scenario_page_shows_the_brief_and_start(client: Client, agent: User) -> None:
    page = scenario_page()
    body = signed_in(client, agent).get(reverse("training:scenario", args=[page.pk])).content
    text = body.decode()
    assert "A refund request." in text
    assert "Keep the customer" in text
    assert "Start the conversation" in text


def test_chat_shows_the_customer_line_and_replies_as_buttons(client: Client, agent: User) -> None:
    page = scenario_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    body = client.get(_url(attempt)).content.decode()
    assert "Customer at greet" in body
    assert 'name="reply" value="kind"' in body
    assert 'name="reply" value="rude"' in body
    assert 'name="step" value="greet"' in body


def test_plain_reply_is_stored_and_redirects_back_with_feedback(
    client: Client, agent: User
) -> None:
    page = scenario_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    response = _reply(client, attempt, "greet", "kind")
    assert response.status_code == 302
    assert AttemptAnswer.objects.filter(attempt=attempt, key="greet", points=2).exists()
    body = client.get(_url(attempt)).content.decode()
    assert "Feedback kind" in body
    assert "Customer at middle" in body


def test_htmx_reply_returns_the_chat_fragment(client: Client, agent: User) -> None:
    page = scenario_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    response = _reply(client, attempt, "greet", "kind", headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="chat"' in body
    assert "Feedback kind" in body
    assert 'name="reply" value="fix"' in body


def test_playing_to_the_end_shows_outcome_debrief_path_and_best_path(
    client: Client, agent: User
) -> None:
    page = scenario_page()
    AssignmentFactory(person=agent, page=page)
    signed_in(client, agent)
    attempt = _start(client, page)
    _reply(client, attempt, "greet", "kind")
    _reply(client, attempt, "middle", "stall")
    attempt.refresh_from_db()
    assert attempt.status == "completed"
    body = client.get(_url(attempt)).content.decode()
    assert "Outcome: Customer lost" in body
    assert "Debrief angry" in body
    assert "Your path" in body and "The best path" in body
    assert "Reply fix" in body  # the best reply at the middle step
    assert 'name="reply"' not in body


def test_critical_mistake_is_marked_in_words(client: Client, agent: User) -> None:
    page = scenario_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    _reply(client, attempt, "greet", "rude")
    body = client.get(_url(attempt)).content.decode()
    assert "Critical mistake" in body
    assert "1 critical mistake" in body


def test_answering_the_same_step_twice_is_refused(client: Client, agent: User) -> None:
    page = scenario_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    _reply(client, attempt, "greet", "kind")
    response = _reply(client, attempt, "greet", "rude", headers=HTMX)
    assert response.status_code == 200
    assert "moved on" in response.content.decode()
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1


def test_tampered_reply_key_is_refused(client: Client, agent: User) -> None:
    page = scenario_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    response = _reply(client, attempt, "greet", "made-up")
    assert response.status_code == 302
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()
    body = client.get(_url(attempt)).content.decode()
    assert "not one of this step" in body


def test_answering_a_finished_conversation_is_refused(client: Client, agent: User) -> None:
    page = scenario_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    _reply(client, attempt, "greet", "rude")
    response = _reply(client, attempt, "angry", "x", headers=HTMX)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1


def test_free_response_waits_for_grading(client: Client, agent: User) -> None:
    page = scenario_page(free=True)
    signed_in(client, agent)
    attempt = _start(client, page)
    _reply(client, attempt, "greet", "kind")
    body = client.get(_url(attempt)).content.decode()
    assert "<textarea" in body
    url = reverse("training:scenario_answer", args=[page.pk, attempt.pk])
    client.post(url, {"step": "middle", "text": "I am sorry, let me fix it now."})
    attempt.refresh_from_db()
    assert attempt.status == "pending_grading"
    body = client.get(_url(attempt)).content.decode()
    assert "waiting to be graded" in body


def test_another_persons_conversation_is_not_found(
    client: Client, agent: User, other_team_agent: User
) -> None:
    page = scenario_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    other = signed_in(Client(), other_team_agent)
    assert other.get(_url(attempt)).status_code == 404
    assert _reply(other, attempt, "greet", "kind").status_code == 404
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()


def test_practice_conversation_is_labelled_and_kept_apart(client: Client, agent: User) -> None:
    page = scenario_page()
    signed_in(client, agent)
    attempt = _start(client, page, practice=True)
    assert attempt.practice
    body = client.get(_url(attempt)).content.decode()
    assert "Practice conversation" in body


def test_step_answer_stays_lean(
    client: Client, agent: User, django_assert_max_num_queries: object
) -> None:
    page = scenario_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    client.get(_url(attempt))  # warm the revision cache, as a running server has
    # Session, user, grants, the attempt, the service's lock/insert/update (with savepoints),
    # the conversation so far.
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        response = _reply(client, attempt, "greet", "kind", headers=HTMX)
    assert response.status_code == 200
