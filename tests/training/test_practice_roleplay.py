"""Practice role-plays with written replies are kept apart: they finish at their end step on the
replies' points, never wait for grading nor appear in the grading queue, cannot be graded, never
count toward completion, and the debrief shows the written reply marked "practice, not graded"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qa_platform.people.models import User
from tests.conftest import signed_in
from tests.training.factories import AssignmentFactory, scenario_page
from training.models import AnswerKind, AttemptStatus
from training.services import answer_step, grade_free_response, start_attempt
from training.services.common import TrainingError
from training.services.completion import done_items
from training.views.grading import waiting_for_grade

pytestmark = pytest.mark.django_db


def _play_with_free_reply(agent: User, page: Any, *, practice: bool) -> Any:
    attempt = start_attempt(person=agent, page=page, practice=practice)
    answer_step(attempt=attempt, step_key="greet", reply_key="kind")
    result = answer_step(attempt=attempt, step_key="middle", text="I am sorry; I refund it now.")
    return result.attempt


def test_a_practice_role_play_with_a_written_reply_completes_without_grading(
    agent: User,
) -> None:
    page = scenario_page(free=True)

    attempt = _play_with_free_reply(agent, page, practice=True)

    assert attempt.status == AttemptStatus.COMPLETED
    assert attempt.outcome == "resolved"
    # The replies' points only: "kind" earns 2, the best path's replies 2 (written replies: none).
    assert (attempt.points, attempt.max_points) == (2, 2)
    assert attempt.passed is True


def test_a_practice_written_reply_never_enters_the_grading_queue(agent: User, lead: User) -> None:
    page = scenario_page(free=True)
    _play_with_free_reply(agent, page, practice=True)
    official = _play_with_free_reply(agent, page, practice=False)

    queued = list(waiting_for_grade(lead))

    assert [a.attempt_id for a in queued] == [official.pk]


def test_grading_a_practice_written_reply_is_refused(agent: User, lead: User) -> None:
    page = scenario_page(free=True)
    attempt = _play_with_free_reply(agent, page, practice=True)
    free = attempt.answers.get(kind=AnswerKind.STEP, key="middle")

    with pytest.raises(TrainingError, match="practice"):
        grade_free_response(answer=free, grader=lead, ratings={"empathy": "5"})

    assert not hasattr(free, "grade") or free.grade is None  # type: ignore[attr-defined]


def test_a_passed_practice_role_play_never_completes_the_assignment(agent: User) -> None:
    page = scenario_page(free=True)
    assignment: Any = AssignmentFactory(person=agent, page=page)

    _play_with_free_reply(agent, page, practice=True)

    assignment.refresh_from_db()
    assert assignment.completed_at is None
    assert done_items(agent.pk, [page.pk]) == set()


def test_the_debrief_shows_the_practice_reply_as_not_graded(client: Client, agent: User) -> None:
    page = scenario_page(free=True)
    attempt = _play_with_free_reply(agent, page, practice=True)

    body = (
        signed_in(client, agent)
        .get(reverse("training:scenario_attempt", args=[page.pk, attempt.pk]))
        .content.decode()
    )

    assert "I am sorry; I refund it now." in body
    assert "Practice, not graded" in body
    assert "waiting to be graded" not in body


def test_my_training_does_not_show_a_practice_role_play_as_pending_grading(
    client: Client, agent: User
) -> None:
    page = scenario_page("Practice only", free=True)
    AssignmentFactory(person=agent, page=page)
    _play_with_free_reply(agent, page, practice=True)

    body = signed_in(client, agent).get(reverse("training:my_training")).content.decode()

    assert "Pending grading" not in body
