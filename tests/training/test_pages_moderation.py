"""Approving or publishing a role-play whose free-response step names framework criteria that a
newer version of the framework dropped: refused with a message naming the step and the criterion,
never a server error; the live page stays as it was."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.models import WorkflowState

from qa_platform.people.roles import Role
from qa_platform.people.services import grant_role
from tests.people.factories import UserFactory
from tests.scorecards.factories import FrameworkFactory, demo_definition, published_version
from tests.training.factories_pages import (
    choice_step,
    end_step,
    free_step,
    reply,
    scenario_form_data,
    scenario_page,
    training_index,
)
from training.moderation import TRAINERS
from training.pages import RolePlayScenarioPage, TrainingIndexPage

pytestmark = pytest.mark.django_db

STEPS = [
    choice_step("greet", reply("a", "write"), reply("b", "done"), start=True),
    free_step("write", "done", ["greeting"]),
    end_step("done"),
]


def _without(key: str) -> Any:
    """The demo framework definition with criterion `key` removed."""
    defn = demo_definition()
    sections = tuple(
        dataclasses.replace(s, criteria=tuple(c for c in s.criteria if c.key != key))
        for s in defn.sections
    )
    return dataclasses.replace(defn, sections=sections)


@pytest.fixture
def index() -> TrainingIndexPage:
    return training_index()


@pytest.fixture
def framework() -> Any:
    framework = FrameworkFactory()
    published_version(framework=framework)
    return framework


def _submitted(index: TrainingIndexPage, framework: Any) -> tuple[RolePlayScenarioPage, Any]:
    page = scenario_page(index)
    page.framework = framework
    trainer: Any = UserFactory()
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    client = Client()
    client.force_login(trainer)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        scenario_form_data(page, STEPS, title="Written reply", **{"action-submit": "submit"}),
    )
    assert response.status_code == 302
    return page, WorkflowState.objects.get(object_id=str(page.pk))


def _approver(org: Any) -> Client:
    user: Any = UserFactory()
    grant_role(person=user, role=Role.TRAINING_LEAD, team=org.root)
    client = Client()
    client.force_login(user)
    return client


def test_approving_a_scenario_whose_criterion_left_the_framework_is_refused_naming_the_step(
    index: TrainingIndexPage, framework: Any, org: Any
) -> None:
    page, state = _submitted(index, framework)
    published_version(definition=_without("greeting"), framework=framework, number=2)
    client = _approver(org)

    response = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[page.pk, "approve", state.current_task_state.pk],
        ),
        {"comment": "Fine."},
        follow=True,
    )

    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("Step 'write'" in m and "'greeting'" in m for m in shown), shown
    page.refresh_from_db()
    assert page.title == "Upset customer"  # the live page did not change
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
