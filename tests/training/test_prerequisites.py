"""Prerequisites in a learning path: an official attempt at an item waits until the items before
it that it depends on are done, with a message naming them; practice is always open; the learner
sees the item locked with the reason on the path page, on My training and on the item's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qa_platform.people.models import User
from tests.conftest import signed_in
from tests.training.factories import AssignmentFactory, module_page, scenario_page
from tests.training.views_helpers import make_path, pass_default_module
from training.models import Attempt
from training.services import start_attempt
from training.services.common import PrerequisitesNotDone

pytestmark = pytest.mark.django_db


@dataclass
class TwoSteps:
    path: Any
    basics: Any
    advanced: Any


@pytest.fixture
def two_step_path(agent: User) -> TwoSteps:
    basics = module_page("Refund basics")
    advanced = module_page("Refund escalations")
    path = make_path("Refunds path", [(basics, [], True), (advanced, [basics], True)])
    AssignmentFactory(person=agent, page=path)
    return TwoSteps(path=path, basics=basics, advanced=advanced)


def test_starting_an_item_before_its_prerequisite_is_refused_naming_the_prerequisite(
    agent: User, two_step_path: TwoSteps
) -> None:
    steps = two_step_path

    with pytest.raises(PrerequisitesNotDone) as refused:
        start_attempt(person=agent, page=steps.advanced)

    assert "“Refund basics”" in str(refused.value)
    assert "“Refunds path”" in str(refused.value)
    assert not Attempt.objects.filter(person=agent, page=steps.advanced).exists()


def test_the_item_opens_once_its_prerequisite_is_done(agent: User, two_step_path: TwoSteps) -> None:
    steps = two_step_path
    pass_default_module(agent, steps.basics)

    attempt = start_attempt(person=agent, page=steps.advanced)

    assert attempt.page_id == steps.advanced.pk and not attempt.practice


def test_a_failed_prerequisite_keeps_the_item_locked(agent: User, two_step_path: TwoSteps) -> None:
    from training.services import submit_module_attempt

    steps = two_step_path
    submit_module_attempt(
        attempt=start_attempt(person=agent, page=steps.basics)
    )  # nothing answered

    with pytest.raises(PrerequisitesNotDone):
        start_attempt(person=agent, page=steps.advanced)


def test_practice_is_open_before_the_prerequisites_are_done(
    agent: User, two_step_path: TwoSteps
) -> None:
    steps = two_step_path

    attempt = start_attempt(person=agent, page=steps.advanced, practice=True)

    assert attempt.practice


def test_prerequisites_of_a_path_the_person_is_not_taking_do_not_lock_the_item(
    agent: User,
) -> None:
    basics = module_page("Refund basics")
    advanced = module_page("Refund escalations")
    make_path("Another team path", [(basics, [], True), (advanced, [basics], True)])

    attempt = start_attempt(person=agent, page=advanced)

    assert attempt.page_id == advanced.pk


def test_a_role_play_behind_a_module_is_locked_too(agent: User) -> None:
    basics = module_page("Refund basics")
    talk = scenario_page("Refund call")
    path = make_path("Refunds path", [(basics, [], True), (talk, [basics], True)])
    AssignmentFactory(person=agent, page=path)

    with pytest.raises(PrerequisitesNotDone):
        start_attempt(person=agent, page=talk)


def test_the_start_button_refuses_with_the_reason_and_the_module_page_shows_it_locked(
    client: Client, agent: User, two_step_path: TwoSteps
) -> None:
    steps = two_step_path
    client = signed_in(client, agent)

    response = client.post(reverse("training:module_start", args=[steps.advanced.pk]), follow=True)

    body = response.content.decode()
    assert response.status_code == 200
    assert "You cannot start “Refund escalations” yet" in body
    assert "Finish “Refund basics” first" in body
    assert 'id="locked-reason"' in body
    assert ">Start module<" not in body
    assert ">Practise<" in body
    assert not Attempt.objects.filter(person=agent, page=steps.advanced).exists()


def test_the_path_page_and_my_training_name_what_a_locked_item_waits_for(
    client: Client, agent: User, two_step_path: TwoSteps
) -> None:
    steps = two_step_path
    client = signed_in(client, agent)

    path_body = client.get(reverse("training:path", args=[steps.path.pk])).content.decode()
    mine = client.get(reverse("training:my_training")).content.decode()

    assert "locked, finish “Refund basics” first" in path_body
    assert "finish “Refund basics” first" in mine
