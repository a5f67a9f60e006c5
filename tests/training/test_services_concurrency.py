"""Two answers at once (a double click, two tabs): exactly one is stored, the other is refused.
Needs real concurrent transactions, so it runs on PostgreSQL only."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from qa_platform.people.models import User
from tests.training.factories import module_page, scenario_page
from training.models import AttemptAnswer
from training.services import (
    AlreadyAnswered,
    NotCurrentStep,
    TrainingError,
    answer_question,
    answer_step,
    start_attempt,
)

pytestmark = [
    # serialized_rollback: the flush after the test must not lose the home page and site that
    # migrations create (later tests build pages under them).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
    ),
]


def at_once(fn: Any, n: int = 2) -> list[Any]:
    barrier = threading.Barrier(n)
    outcomes: list[Any] = []

    def run() -> None:
        try:
            barrier.wait()
            outcomes.append(fn())
        except TrainingError as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_answering_a_question_twice_at_once_stores_one_answer(agent: User) -> None:
    attempt = start_attempt(person=agent, page=module_page())
    outcomes = at_once(lambda: answer_question(attempt=attempt, key="window", raw="b"))
    refused = [o for o in outcomes if isinstance(o, AlreadyAnswered)]
    assert len(refused) == 1
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1


def test_answering_a_step_twice_at_once_moves_on_once(agent: User) -> None:
    attempt = start_attempt(person=agent, page=scenario_page())
    outcomes = at_once(lambda: answer_step(attempt=attempt, step_key="greet", reply_key="kind"))
    assert len([o for o in outcomes if isinstance(o, NotCurrentStep)]) == 1
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1
