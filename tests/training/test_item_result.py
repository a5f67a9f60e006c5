"""One rule decides an item's result (`progress.counting_attempt` / `item_done`): the best or
the last official completed attempt, as the grading method of the pinned revision says; role-plays
count a passed attempt. My training, the path page, the module page and completion agree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from qa_platform.people.models import User
from tests.conftest import signed_in
from tests.training.factories import AssignmentFactory, module_page, publish, true_false
from tests.training.views_helpers import make_path
from training.progress import AttemptFacts, counting_attempt, item_done
from training.services import answer_question, start_attempt, submit_module_attempt
from training.services.completion import done_items


def facts(*rows: tuple[str, bool | None, str], method: str = "best") -> list[AttemptFacts]:
    return [
        AttemptFacts(status="completed", passed=passed, percent=Decimal(pct), method=method)
        for pct, passed, method in rows
    ]


def test_the_best_attempt_counts_when_the_latest_revision_says_best() -> None:
    runs = facts(("90", True, "best"), ("40", False, "best"))

    assert counting_attempt(runs) == runs[0]
    assert item_done(runs)


def test_the_last_attempt_counts_when_the_latest_revision_says_last() -> None:
    runs = facts(("90", True, "last"), ("40", False, "last"))

    assert counting_attempt(runs) == runs[1]
    assert not item_done(runs)


def test_the_grading_method_of_the_latest_attempts_revision_decides() -> None:
    assert item_done(facts(("90", True, "last"), ("40", False, "best")))
    assert not item_done(facts(("90", True, "best"), ("40", False, "last")))


def test_practice_and_unfinished_attempts_never_decide_the_result() -> None:
    runs = [
        AttemptFacts(status="completed", passed=True, practice=True, method="best"),
        AttemptFacts(status="in_progress", method="best"),
        AttemptFacts(status="pending_grading"),
    ]

    assert counting_attempt(runs) is None
    assert not item_done(runs)


def test_a_role_play_counts_its_passed_attempt_whatever_came_after() -> None:
    runs = [
        AttemptFacts(status="completed", passed=True, percent=Decimal(50)),
        AttemptFacts(status="completed", passed=False, percent=Decimal(90)),
    ]

    assert counting_attempt(runs) == runs[0]


# --- Through the services and views ---------------------------------------------------------


def _take(person: User, page: object, answer: str) -> None:
    attempt = start_attempt(person=person, page=page)
    answer_question(attempt=attempt, key="t", raw=answer)
    submit_module_attempt(attempt=attempt)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "done", "shown"),
    [("last", False, "0 of 2 items done"), ("best", True, "1 of 2 items done")],
)
def test_a_fail_after_a_pass_reads_the_same_on_every_page_per_grading_method(
    method: str, done: bool, shown: str, client: Client, agent: User
) -> None:
    page = module_page("Graded item", body=[true_false("t", True)], grading_method=method)
    other = module_page("Other item", body=[true_false("t", True)])
    path = make_path("Two items", [(page, [], True), (other, [], True)])
    AssignmentFactory(person=agent, page=path)
    _take(agent, page, "true")
    _take(agent, page, "false")
    client = signed_in(client, agent)

    module_body = client.get(reverse("training:module", args=[page.pk])).content.decode()
    path_body = client.get(reverse("training:path", args=[path.pk])).content.decode()
    mine = client.get(reverse("training:my_training")).content.decode()

    assert (page.pk in done_items(agent.pk, [page.pk])) is done
    assert ("Not done yet" not in module_body) is done
    assert shown in path_body
    assert shown in mine


@pytest.mark.django_db
def test_changing_the_grading_method_applies_to_attempts_on_the_new_revision(
    agent: User,
) -> None:
    page = module_page("Switched", body=[true_false("t", True)], grading_method="best")
    _take(agent, page, "true")
    _take(agent, page, "false")
    assert done_items(agent.pk, [page.pk]) == {page.pk}  # pinned revision says "best"

    page.grading_method = "last"
    publish(page)
    assert done_items(agent.pk, [page.pk]) == {page.pk}  # old attempts keep their revision

    _take(agent, page, "false")
    assert done_items(agent.pk, [page.pk]) == set()  # the latest attempt's revision says "last"
