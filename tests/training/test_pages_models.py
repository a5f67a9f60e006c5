"""The page models' own API: checks() and graph() from the page or a revision, path items, the
publish rules outside the admin, and the moderation set-up."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from wagtail.models import GroupPagePermission, Workflow, WorkflowPage

from tests.training.factories_pages import (
    check,
    choice_step,
    end_step,
    module_page,
    path_item,
    path_page,
    reply,
    scenario_page,
    single_choice,
    training_index,
)
from training import checks
from training.moderation import APPROVERS, TRAINERS, WORKFLOW_NAME, ensure_training_moderation
from training.pages import TrainingIndexPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def index() -> TrainingIndexPage:
    return training_index()


def test_checks_are_read_from_every_knowledge_check_block_in_order(
    index: TrainingIndexPage,
) -> None:
    page = module_page(
        index,
        body=[
            {"type": "rich_text", "value": "<p>Intro</p>"},
            single_choice("first", correct="c"),
            check(
                "multiple_choice",
                "many",
                points=2,
                choices=[
                    {"key": "x", "text": "X", "correct": True},
                    {"key": "y", "text": "Y", "correct": True},
                    {"key": "z", "text": "Z", "correct": False},
                ],
            ),
            check("true_false", "tf", answer=False),
            check(
                "ordering",
                "order",
                items=[{"key": "one", "text": "One"}, {"key": "two", "text": "Two"}],
            ),
            check("short_answer", "short", accepted=["CSAT", "customer satisfaction"]),
        ],
    )

    found = page.checks()

    assert [q.key for q in found] == ["first", "many", "tf", "order", "short"]
    assert found[0].correct_keys == frozenset({"c"})
    assert found[1].points == 2 and found[1].correct_keys == frozenset({"x", "y"})
    assert found[2].answer is False
    assert found[3].choice_keys == ("one", "two")
    assert found[4].accepted == ("CSAT", "customer satisfaction")
    assert all(isinstance(q, checks.Question) for q in found)


def test_checks_come_from_the_revision_an_attempt_is_pinned_to(index: TrainingIndexPage) -> None:
    page = module_page(index, body=[single_choice("old", correct="a")])
    old_revision = page.live_revision

    page.body = [single_choice("new", correct="b")]  # type: ignore[assignment]
    page.save_revision().publish()
    page.refresh_from_db()

    assert [q.key for q in old_revision.as_object().checks()] == ["old"]
    assert [q.key for q in page.checks()] == ["new"]


def test_the_graph_is_read_from_the_steps(index: TrainingIndexPage) -> None:
    page = scenario_page(index)

    graph = page.graph()

    assert graph.start is not None and graph.start.key == "greet"
    argue = graph.step("greet").reply("argue")  # type: ignore[union-attr]
    assert argue is not None and argue.critical and argue.points == -5
    assert graph.step("happy").outcome == "resolved"  # type: ignore[union-attr]
    assert "Debrief for happy." in graph.step("happy").debrief  # type: ignore[union-attr,operator]


def test_an_invalid_scenario_cannot_be_published_outside_the_admin_either(
    index: TrainingIndexPage,
) -> None:
    page = scenario_page(index)
    page.steps = [  # type: ignore[assignment]
        choice_step("greet", reply("x", "missing"), reply("y", "done"), start=True),
        end_step("done"),
    ]

    with pytest.raises(ValidationError) as refused:
        page.save_revision().publish()

    assert "Step 'greet': reply 'x' points at a missing step 'missing'." in str(refused.value)


def test_path_items_keep_their_order_and_skip_deleted_pages(index: TrainingIndexPage) -> None:
    first = module_page(index, title="First")
    gone = module_page(index, title="Gone")
    last = scenario_page(index, title="Last")
    path = path_page(index, [path_item(first), path_item(gone), path_item(last)])
    gone.delete()
    path.refresh_from_db()

    assert [p.title for p in path.item_pages()] == ["First", "Last"]
    assert [item.page.title for item in path.path_items()] == ["First", "Last"]


def test_ensuring_moderation_twice_changes_nothing(index: TrainingIndexPage) -> None:
    ensure_training_moderation()
    counts = (
        Workflow.objects.count(),
        WorkflowPage.objects.count(),
        GroupPagePermission.objects.count(),
        Group.objects.count(),
    )

    ensure_training_moderation()

    assert counts == (
        Workflow.objects.count(),
        WorkflowPage.objects.count(),
        GroupPagePermission.objects.count(),
        Group.objects.count(),
    )
    assert Workflow.objects.filter(name=WORKFLOW_NAME).count() == 1
    approvers = {
        p.permission.codename for p in index.group_permissions.filter(group__name=APPROVERS)
    }
    assert "publish_page" in approvers
    assert Group.objects.get(name=TRAINERS).permissions.filter(codename="access_admin").exists()
