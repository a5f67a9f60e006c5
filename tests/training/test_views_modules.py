"""Taking a module: start, answer, feedback, submit, resume, pinning, refusals."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from qa_platform.people.models import User
from tests.conftest import signed_in
from tests.training.factories import AssignmentFactory, module_page, single, true_false
from tests.training.views_helpers import HTMX
from training.models import Attempt, AttemptAnswer
from training.pages import ModulePage

pytestmark = pytest.mark.django_db


def _start(client: Client, page: ModulePage, practice: bool = False) -> Attempt:
    data = {"practice": "1"} if practice else {}
    response = client.post(reverse("training:module_start", args=[page.pk]), data)
    assert response.status_code == 302
    attempt = Attempt.objects.filter(page=page, practice=practice).latest("pk")
    assert response["Location"] == reverse("training:module_attempt", args=[page.pk, attempt.pk])
    return attempt


def _answer(client: Client, attempt: Attempt, key: str, **data: object) -> object:
    url = reverse("training:module_answer", args=[attempt.page_id, attempt.pk])
    return client.post(url, {"key": key, **data})


def _attempt_url(attempt: Attempt) -> str:
    return reverse("training:module_attempt", args=[attempt.page_id, attempt.pk])


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    page = module_page()
    response = client.get(reverse("training:module", args=[page.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_module_page_shows_pass_mark_and_attempts(client: Client, agent: User) -> None:
    page = module_page(pass_mark=75, attempt_limit=3)
    body = signed_in(client, agent).get(reverse("training:module", args=[page.pk])).content.decode()
    assert "75%" in body
    assert "3 of 3 left" in body
    assert "Start module" in body


def test_unpublished_module_is_not_found(client: Client, agent: User) -> None:
    page = module_page()
    page.unpublish()
    response = signed_in(client, agent).get(reverse("training:module", args=[page.pk]))
    assert response.status_code == 404


def test_each_answer_is_stored_before_the_next_question_is_shown(
    client: Client, agent: User
) -> None:
    page = module_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    body = client.get(_attempt_url(attempt)).content.decode()
    assert "Question window?" in body
    assert "receipt is true?" not in body  # the next question waits for this answer
    response = _answer(client, attempt, "window", choice="b")
    assert response.status_code == 302
    assert AttemptAnswer.objects.filter(attempt=attempt, key="window", correct=True).exists()
    body = client.get(_attempt_url(attempt)).content.decode()
    assert "Correct" in body  # feedback after each answer (the default)
    assert "Because of window." in body
    assert "receipt is true?" in body


def test_htmx_answer_returns_the_module_body_fragment(client: Client, agent: User) -> None:
    page = module_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    url = reverse("training:module_answer", args=[page.pk, attempt.pk])
    response = client.post(url, {"key": "window", "choice": "a"}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="module-body"' in body
    assert "Not correct" in body


def test_failing_then_passing_with_a_second_attempt(client: Client, agent: User) -> None:
    page = module_page(pass_mark=100, attempt_limit=2)
    AssignmentFactory(person=agent, page=page)
    signed_in(client, agent)
    first = _start(client, page)
    _answer(client, first, "window", choice="a")
    _answer(client, first, "receipt", choice="true")
    client.post(reverse("training:module_submit", args=[page.pk, first.pk]))
    first.refresh_from_db()
    assert first.passed is False
    body = client.get(_attempt_url(first)).content.decode()
    assert "Fail" in body and "1 attempt left" in body and "Try again" in body
    second = _start(client, page)
    assert second.pk != first.pk
    _answer(client, second, "window", choice="b")
    _answer(client, second, "receipt", choice="true")
    client.post(reverse("training:module_submit", args=[page.pk, second.pk]))
    second.refresh_from_db()
    assert second.passed is True
    body = client.get(reverse("training:my_training")).content.decode()
    assert "Completed" in body


def test_feedback_at_the_end_hides_results_until_submitted(client: Client, agent: User) -> None:
    page = module_page()
    page.feedback_timing = "end"
    page.save_revision().publish()
    signed_in(client, agent)
    attempt = _start(client, page)
    _answer(client, attempt, "window", choice="a")
    body = client.get(_attempt_url(attempt)).content.decode()
    assert "Answer saved" in body
    assert "Not correct" not in body
    _answer(client, attempt, "receipt", choice="true")
    client.post(reverse("training:module_submit", args=[page.pk, attempt.pk]))
    body = client.get(_attempt_url(attempt)).content.decode()
    assert "Not correct" in body


def test_leaving_and_coming_back_resumes_the_same_attempt(client: Client, agent: User) -> None:
    page = module_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    _answer(client, attempt, "window", choice="b")
    body = client.get(reverse("training:module", args=[page.pk])).content.decode()
    assert "Resume" in body
    again = client.post(reverse("training:module_start", args=[page.pk]))
    assert again["Location"] == _attempt_url(attempt)
    assert Attempt.objects.filter(page=page, person=agent).count() == 1


def test_attempt_renders_from_its_revision_not_the_live_page(client: Client, agent: User) -> None:
    page = module_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    page.body = [single("window", "b"), true_false("new-question")]
    page.save_revision().publish()
    body = client.get(_attempt_url(attempt)).content.decode()
    assert "Refunds within 30 days." in body  # the old revision's text
    _answer(client, attempt, "window", choice="b")
    body = client.get(_attempt_url(attempt)).content.decode()
    assert "receipt is true?" in body
    assert "new-question" not in body


def test_answering_twice_is_refused_with_a_message(client: Client, agent: User) -> None:
    page = module_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    _answer(client, attempt, "window", choice="b")
    response = _answer(client, attempt, "window", choice="a")
    assert response.status_code == 302
    body = client.get(_attempt_url(attempt)).content.decode()
    assert "already answered" in body
    stored = AttemptAnswer.objects.get(attempt=attempt, key="window")
    assert stored.correct is True


def test_tampered_choice_key_is_refused_and_nothing_is_saved(client: Client, agent: User) -> None:
    page = module_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    response = _answer(client, attempt, "window", choice="zzz")
    assert response.status_code == 302
    body = client.get(_attempt_url(attempt)).content.decode()
    assert "not one of this question" in body
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()


def test_answering_a_finished_attempt_is_refused(client: Client, agent: User) -> None:
    page = module_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    _answer(client, attempt, "window", choice="b")
    client.post(reverse("training:module_submit", args=[page.pk, attempt.pk]))
    response = _answer(client, attempt, "receipt", choice="true")
    assert response.status_code == 302
    assert not AttemptAnswer.objects.filter(attempt=attempt, key="receipt").exists()
    messages = [str(m) for m in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert any("finished" in m.lower() or "no longer" in m.lower() for m in messages), messages


def test_another_persons_attempt_is_not_found(
    client: Client, agent: User, other_team_agent: User
) -> None:
    page = module_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    other = signed_in(Client(), other_team_agent)
    assert other.get(_attempt_url(attempt)).status_code == 404
    response = _answer(other, attempt, "window", choice="b")
    assert response.status_code == 404
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()


def test_practice_attempt_is_kept_apart(client: Client, agent: User) -> None:
    page = module_page(attempt_limit=1)
    AssignmentFactory(person=agent, page=page)
    signed_in(client, agent)
    practice = _start(client, page, practice=True)
    _answer(client, practice, "window", choice="b")
    _answer(client, practice, "receipt", choice="true")
    client.post(reverse("training:module_submit", args=[page.pk, practice.pk]))
    body = client.get(reverse("training:module", args=[page.pk])).content.decode()
    assert "1 of 1 left" in body  # practice used no attempt
    body = client.get(reverse("training:my_training")).content.decode()
    assert "Completed" not in body


def test_get_on_answer_endpoint_is_not_allowed(client: Client, agent: User) -> None:
    page = module_page()
    signed_in(client, agent)
    attempt = _start(client, page)
    url = reverse("training:module_answer", args=[page.pk, attempt.pk])
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("questions", [2, 10])
def test_attempt_page_query_count_does_not_grow_with_answers(
    client: Client, agent: User, questions: int, django_assert_max_num_queries: object
) -> None:
    page = module_page(body=[single(f"q{i}", "a") for i in range(questions)])
    signed_in(client, agent)
    attempt = _start(client, page)
    for i in range(questions - 1):
        _answer(client, attempt, f"q{i}", choice="a")
    client.get(_attempt_url(attempt))  # warm the revision cache, as a running server has
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        response = client.get(_attempt_url(attempt))
    assert response.status_code == 200
