"""Authoring training in the Wagtail admin: publishing refuses invalid scenarios, modules and paths
with messages naming the step or check; drafts save; the review workflow (trainer submits, training
lead or QA manager approves); scheduled publishing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import rich_text

from qa_platform.people.models import User
from qa_platform.people.roles import Role
from qa_platform.people.services import grant_role
from tests.people.factories import UserFactory
from tests.training.factories_pages import (
    choice_step,
    end_step,
    form_check,
    free_step,
    module_form_data,
    module_page,
    path_item,
    path_page,
    reply,
    scenario_form_data,
    scenario_page,
    training_index,
    valid_steps,
)
from training.moderation import APPROVERS, TRAINERS, WORKFLOW_NAME
from training.pages import LearningPathPage, ModulePage, RolePlayScenarioPage, TrainingIndexPage

pytestmark = pytest.mark.django_db

DANGLING = [
    choice_step("greet", reply("apologise", "offer", 5), reply("argue", "happy"), start=True),
    choice_step("offer", reply("refund", "nowhere", 5), reply("credit", "happy", 1)),
    end_step("happy"),
]


def member_of(group_name: str, **kwargs: Any) -> User:
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def index() -> TrainingIndexPage:
    return training_index()


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def trainer_client(index: TrainingIndexPage) -> Client:
    client = Client()
    client.force_login(member_of(TRAINERS, email="trainer@example.test"))
    return client


def edit_url(page: Page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def form_errors(response: Any) -> dict[str, list[str]]:
    form = response.context["form"]
    found: dict[str, list[str]] = {}
    for field, errors in form.errors.items():
        for error in errors.as_data():
            messages = [error.message] if hasattr(error, "block_errors") else error.messages
            found.setdefault(field, []).extend(str(message) for message in messages)
    return found


def step_errors(response: Any) -> dict[int, list[str]]:
    error = response.context["form"].errors["steps"].as_data()[0]
    return {index: list(block_error.messages) for index, block_error in error.block_errors.items()}


def test_publishing_a_scenario_with_a_reply_to_a_missing_step_is_refused_naming_the_step(
    admin_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)
    live_revision = page.live_revision_id

    response = admin_client.post(
        edit_url(page), scenario_form_data(page, DANGLING, **{"action-publish": "publish"})
    )

    assert response.status_code == 200
    errors = form_errors(response)
    assert errors["__all__"] == [
        "This role-play scenario cannot be published yet: 1 problem to fix."
    ]
    assert errors["steps"] == ["Step 'offer': reply 'refund' points at a missing step 'nowhere'."]
    assert step_errors(response) == {
        1: ["Step 'offer': reply 'refund' points at a missing step 'nowhere'."]
    }
    content = response.content.decode()
    assert "The page could not be saved due to validation errors." in content
    assert "Step &#x27;offer&#x27;: reply &#x27;refund&#x27; points at a missing step" in content
    page.refresh_from_db()
    assert page.live_revision_id == live_revision
    assert page.graph().step("offer").reply("refund").target == "happy"  # type: ignore[union-attr]


def test_every_problem_of_an_invalid_scenario_is_listed_against_its_step(
    admin_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)
    steps = [
        choice_step("greet", reply("only", "done"), start=True),
        choice_step("island", reply("x", "done"), reply("y", "done")),
        choice_step("loop", reply("x", "loop"), reply("y", "loop")),
        end_step("done"),
        end_step("done"),
    ]

    response = admin_client.post(
        edit_url(page), scenario_form_data(page, steps, **{"action-publish": "publish"})
    )

    assert response.status_code == 200
    by_step = step_errors(response)
    assert by_step[0] == ["Step 'greet': a choice step needs at least two replies (it has 1)."]
    assert by_step[1] == ["Step 'island': cannot be reached from the start step."]
    assert by_step[2] == ["Step 'loop': cannot be reached from the start step."]
    assert by_step[3] == ["Step 'done': the key is used by 2 steps; keys must be unique."]


def test_saving_a_draft_of_an_invalid_scenario_is_allowed_and_leaves_the_live_page(
    admin_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)

    response = admin_client.post(edit_url(page), scenario_form_data(page, DANGLING))

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.has_unpublished_changes
    draft = page.get_latest_revision_as_object()
    assert draft.graph().step("offer").reply("refund").target == "nowhere"
    assert page.graph().step("offer").reply("refund").target == "happy"  # type: ignore[union-attr]


def test_publishing_a_valid_scenario_goes_live(
    admin_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)
    steps = valid_steps()
    steps[0]["value"]["customer_text"] = "My parcel is broken and I want my money back."

    response = admin_client.post(
        edit_url(page), scenario_form_data(page, steps, **{"action-publish": "publish"})
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.graph().step("greet").customer_text == (  # type: ignore[union-attr]
        "My parcel is broken and I want my money back."
    )
    assert not page.has_unpublished_changes


def test_a_free_response_step_needs_a_framework_and_its_criteria(
    admin_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)
    steps = [
        choice_step("greet", reply("a", "write"), reply("b", "done"), start=True),
        free_step("write", "done", ["empathy"]),
        end_step("done"),
    ]

    response = admin_client.post(
        edit_url(page), scenario_form_data(page, steps, **{"action-publish": "publish"})
    )

    assert response.status_code == 200
    assert form_errors(response)["steps"] == [
        "Choose a framework: free-response steps are graded against its criteria."
    ]


def test_a_free_response_criterion_outside_the_framework_is_refused_naming_the_step(
    admin_client: Client, index: TrainingIndexPage
) -> None:
    from tests.scorecards.factories import FrameworkFactory, published_version

    framework = FrameworkFactory()
    published_version(framework=framework)
    page = scenario_page(index)
    page.framework = framework
    steps = [
        choice_step("greet", reply("a", "write"), reply("b", "done"), start=True),
        free_step("write", "done", ["empathy", "made-up"]),
        end_step("done"),
    ]

    response = admin_client.post(
        edit_url(page), scenario_form_data(page, steps, **{"action-publish": "publish"})
    )

    assert response.status_code == 200
    assert step_errors(response) == {
        1: ["Step 'write': unknown criteria 'made-up' (not in the scenario's framework)."]
    }


def test_publishing_a_module_with_a_repeated_check_key_is_refused_naming_the_check(
    admin_client: Client, index: TrainingIndexPage
) -> None:
    page = module_page(index)
    body = [
        ("rich_text", rich_text("<p>Hi</p>")),
        form_check("refunds", ["a"]),
        form_check("refunds", ["b"]),
    ]

    response = admin_client.post(
        edit_url(page), module_form_data(page, body, **{"action-publish": "publish"})
    )

    assert response.status_code == 200
    assert form_errors(response)["body"] == [
        "Knowledge check 2 ('refunds'): the key is already used by knowledge check 1; keys must "
        "be unique in the module."
    ]


def test_a_single_choice_check_with_two_correct_choices_is_refused_even_as_a_draft(
    admin_client: Client, index: TrainingIndexPage
) -> None:
    page = module_page(index)
    body = [form_check("refunds", ["a", "b"])]

    response = admin_client.post(edit_url(page), module_form_data(page, body))

    assert response.status_code == 200
    error = response.context["form"].errors["body"].as_data()[0]
    choices_error = error.block_errors[0].block_errors["choices"]
    assert choices_error.messages == ["Mark exactly one choice as correct (now 2)."]


def test_a_path_prerequisite_must_come_earlier_in_the_path(index: TrainingIndexPage) -> None:
    first = module_page(index, title="First")
    second = module_page(index, title="Second")
    path = path_page(index, [path_item(first), path_item(second)])
    path.items = [  # type: ignore[assignment]
        path_item(first, prerequisites=[second]),
        path_item(second),
    ]

    problems = path.publish_problems()

    assert problems == [
        (0, "Item 1 ('First'): the prerequisite 'Second' must be an earlier item in this path.")
    ]


def test_a_trainer_cannot_publish_but_submits_to_the_training_review(
    trainer_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)
    data = scenario_form_data(page, valid_steps(), title="Upset customer (v2)")

    trainer_client.post(edit_url(page), {**data, "action-publish": "publish"})
    page.refresh_from_db()
    assert page.title == "Upset customer"  # publish needs permission: saved as a draft only

    response = trainer_client.post(edit_url(page), {**data, "action-submit": "submit"})

    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == WORKFLOW_NAME
    page.refresh_from_db()
    assert page.title == "Upset customer"


def test_a_trainer_submitting_an_invalid_scenario_is_refused_with_the_step_named(
    trainer_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)

    response = trainer_client.post(
        edit_url(page), scenario_form_data(page, DANGLING, **{"action-submit": "submit"})
    )

    assert response.status_code == 200
    assert form_errors(response)["steps"] == [
        "Step 'offer': reply 'refund' points at a missing step 'nowhere'."
    ]
    assert not WorkflowState.objects.filter(object_id=str(page.pk)).exists()


def _submit(client: Client, page: RolePlayScenarioPage, title: str) -> WorkflowState:
    client.post(
        edit_url(page),
        scenario_form_data(page, valid_steps(), title=title, **{"action-submit": "submit"}),
    )
    return WorkflowState.objects.get(object_id=str(page.pk))


@pytest.mark.parametrize("approver", ["training_lead", "qa_manager"])
def test_a_training_lead_or_qa_manager_approves_and_the_page_goes_live(
    approver: str, trainer_client: Client, index: TrainingIndexPage, request: Any
) -> None:
    page = scenario_page(index)
    state = _submit(trainer_client, page, "Upset customer (reviewed)")
    # Granting the role puts the person in the "Training approvers" or "QA managers" Wagtail group
    # (people.services.ROLE_ADMIN_GROUPS).
    user = UserFactory()
    role = Role.TRAINING_LEAD if approver == "training_lead" else Role.QA_MANAGER
    grant_role(person=user, role=role, team=request.getfixturevalue("org").root)
    client = Client()
    client.force_login(user)

    response = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[page.pk, "approve", state.current_task_state.pk],
        ),
        {"comment": "Looks right."},
    )

    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.title == "Upset customer (reviewed)"
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED


def test_granting_the_trainer_role_lets_a_person_author_in_the_cms_and_revoking_it_stops_them(
    org: Any, index: TrainingIndexPage
) -> None:
    from qa_platform.people.models import RoleGrant
    from qa_platform.people.services import revoke_role

    person = UserFactory(email="newtrainer@example.test")
    grant = grant_role(person=person, role=Role.TRAINER, team=org.support)
    person = User.objects.get(pk=person.pk)  # fresh permission cache
    assert set(person.groups.values_list("name", flat=True)) == {TRAINERS}
    assert person.has_perm("wagtailadmin.access_admin")
    assert not person.is_staff
    page = scenario_page(index)
    data = scenario_form_data(page, valid_steps(), title="Upset customer (by a trainer)")
    client = Client()
    client.force_login(person)

    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert client.get(edit_url(page)).status_code == 200
    client.post(edit_url(page), {**data, "action-publish": "publish"})
    page.refresh_from_db()
    assert page.title == "Upset customer"  # no publish permission: a draft only
    client.post(edit_url(page), {**data, "action-submit": "submit"})
    assert WorkflowState.objects.get(object_id=str(page.pk)).requested_by_id == person.pk

    revoke_role(grant=RoleGrant.objects.get(pk=grant.pk))

    person = User.objects.get(pk=person.pk)
    assert not person.groups.filter(name=TRAINERS).exists()
    assert not person.has_perm("wagtailadmin.access_admin")
    client.force_login(person)
    assert client.get(reverse("wagtailadmin_home")).status_code in (302, 403)
    assert client.get(edit_url(page)).status_code in (302, 403)


def test_granting_the_training_lead_role_puts_the_person_among_the_approvers(org: Any) -> None:
    from qa_platform.people.models import RoleGrant
    from qa_platform.people.services import revoke_role

    person = UserFactory(email="newtraininglead@example.test")
    grant = grant_role(person=person, role=Role.TRAINING_LEAD, team=org.root)

    assert set(person.groups.values_list("name", flat=True)) == {APPROVERS}
    revoke_role(grant=RoleGrant.objects.get(pk=grant.pk))
    assert not person.groups.exists()


def test_other_roles_get_no_training_group(org: Any) -> None:
    person = UserFactory(email="leadonly@example.test")

    grant_role(person=person, role=Role.LEAD, team=org.team)
    grant_role(person=person, role=Role.REVIEWER, team=org.team)

    assert not person.groups.filter(name__in=[TRAINERS, APPROVERS]).exists()


def test_a_trainer_cannot_approve_their_own_submission(
    trainer_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)
    state = _submit(trainer_client, page, "Upset customer (self-approved)")

    trainer_client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[page.pk, "approve", state.current_task_state.pk],
        ),
        {"comment": ""},
    )

    page.refresh_from_db()
    assert page.title == "Upset customer"
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS


def test_people_outside_the_training_groups_cannot_edit_training(
    agent: User, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)
    client = Client()
    client.force_login(agent)

    response = client.get(edit_url(page))

    assert response.status_code in (302, 403)


def test_a_trainer_opens_the_scenario_editor_with_its_diagram_tab(
    trainer_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)

    response = trainer_client.get(edit_url(page))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Diagram" in content
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="scenario-diagram"' in content


def test_a_trainer_can_add_a_module_under_the_training_index(
    trainer_client: Client, index: TrainingIndexPage
) -> None:
    url = reverse("wagtailadmin_pages:add", args=["training", "modulepage", index.pk])
    draft = ModulePage(title="Handling refunds", slug="handling-refunds")

    response = trainer_client.post(
        url, module_form_data(draft, [("rich_text", rich_text("<p>Refunds.</p>"))])
    )

    assert response.status_code == 302
    created = ModulePage.objects.get(slug="handling-refunds")
    assert not created.live
    assert created.get_parent().pk == index.pk


def test_a_future_go_live_is_not_live_until_publish_scheduled_runs(
    index: TrainingIndexPage,
) -> None:
    page = ModulePage(title="Writing clear chat replies", slug="chat", live=False)
    index.add_child(instance=page)
    go_live = timezone.now() + dt.timedelta(days=1)
    page.go_live_at = go_live
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    assert not page.live
    assert revision.approved_go_live_at == go_live

    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live

    # A minute after the scheduled time (moved back rather than waiting a day):
    past = timezone.now() - dt.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live


def test_the_training_review_workflow_covers_a_new_top_level_index() -> None:
    index = training_index("Onboarding")
    nested = training_index("Billing", parent=index)

    assert index.get_workflow().name == WORKFLOW_NAME  # type: ignore[union-attr]
    assert nested.get_workflow().name == WORKFLOW_NAME  # type: ignore[union-attr]
    assert {
        p.permission.codename for p in index.group_permissions.filter(group__name=TRAINERS)
    } == {
        "add_page",
        "change_page",
    }
    assert not nested.group_permissions.exists()


def test_learning_path_page_type_is_only_allowed_under_a_training_index(
    index: TrainingIndexPage,
) -> None:
    assert TrainingIndexPage in LearningPathPage.allowed_parent_page_models()
    assert LearningPathPage.can_create_at(index)
    assert not LearningPathPage.can_create_at(index.get_parent())
