"""Two submissions of one invitation at the same moment (a double click, two tabs, two devices):
exactly one response is stored and the other is refused. Needs real concurrent transactions, so
it runs on PostgreSQL only."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from qa_platform.engagement.models import Answer, Invitation, Response
from qa_platform.engagement.services.responses import (
    AlreadySubmitted,
    ResponseError,
    save_draft,
    submit_response,
)
from qa_platform.people.models import User
from tests.engagement.factories_answer import SMALL_ANSWERS, invite, small_survey

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
    ),
]


def at_once(*fns: Any) -> list[Any]:
    barrier = threading.Barrier(len(fns))
    outcomes: list[Any] = []

    def run(fn: Any) -> None:
        try:
            barrier.wait()
            outcomes.append(fn())
        except ResponseError as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_submissions_at_once_store_one_response_and_refuse_the_other(agent: User) -> None:
    invitation = invite(small_survey(), agent)

    def submit() -> Any:
        # Each thread holds its own copy, as two requests would.
        return submit_response(
            invitation=Invitation.objects.get(pk=invitation.pk), answers=SMALL_ANSWERS
        )

    outcomes = at_once(submit, submit)

    assert len([o for o in outcomes if isinstance(o, AlreadySubmitted)]) == 1
    assert len([o for o in outcomes if isinstance(o, Response)]) == 1
    assert Response.objects.count() == 1
    assert Answer.objects.count() == len(SMALL_ANSWERS)


def test_a_draft_saved_while_submitting_never_leaves_answers_on_the_invitation(
    agent: User,
) -> None:
    invitation = invite(small_survey(), agent)

    def submit() -> Any:
        return submit_response(
            invitation=Invitation.objects.get(pk=invitation.pk), answers=SMALL_ANSWERS
        )

    def draft() -> Any:
        return save_draft(
            invitation=Invitation.objects.get(pk=invitation.pk), answers={"index.pride": 1}
        )

    at_once(submit, draft)

    invitation.refresh_from_db()
    assert invitation.submitted and invitation.draft == {}


def test_a_submission_arriving_while_the_survey_closes_waits_and_is_refused(
    agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The close holds the survey row while it decides the results; a submission that arrives
    meanwhile waits for it and then finds the survey closed, instead of committing an answer
    that the stored results would never count."""
    import time

    from qa_platform.engagement import publishing
    from qa_platform.engagement.services.responses import SurveyNotOpen
    from qa_platform.engagement.services.surveys import close_survey

    survey = small_survey()
    invitation = invite(survey, agent)
    deciding = threading.Event()
    real_compute = publishing.compute_results

    def slow_compute(target: Any) -> None:
        deciding.set()
        time.sleep(1.0)  # the submission arrives while the results are being decided
        real_compute(target)

    monkeypatch.setattr(publishing, "compute_results", slow_compute)

    def close() -> Any:
        return close_survey(survey=survey, actor=None)

    def submit() -> Any:
        deciding.wait(timeout=10)
        return submit_response(
            invitation=Invitation.objects.get(pk=invitation.pk), answers=SMALL_ANSWERS
        )

    outcomes = at_once(close, submit)

    assert len([o for o in outcomes if isinstance(o, SurveyNotOpen)]) == 1
    assert Response.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.submitted is False
