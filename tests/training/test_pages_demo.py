"""The demo training pages (training.demo_pages): valid, complete, linked to the demo framework and
personas, and created once however often the seeder runs."""

from __future__ import annotations

import pytest
from wagtail.models import Page

from training import scenario
from training.blocks import CHECK_BLOCK_NAMES
from training.demo_pages import ensure_demo_training_pages
from training.moderation import WORKFLOW_NAME
from training.pages import LearningPathPage, ModulePage, RolePlayScenarioPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> dict:
    return ensure_demo_training_pages()


def test_three_modules_each_with_five_to_seven_content_blocks_and_three_to_five_checks(
    demo: dict,
) -> None:
    modules = demo["modules"]
    assert [m.title for m in modules] == [
        "Empathy on the phone",
        "Handling refunds",
        "Writing clear chat replies",
    ]
    for module in modules:
        assert module.live
        content = [b for b in module.body if b.block_type not in CHECK_BLOCK_NAMES]
        assert 5 <= len(content) <= 7, module.title
        assert 3 <= len(module.checks()) <= 5, module.title
        assert module.publish_problems() == []
    kinds = {q.kind for m in modules for q in m.checks()}
    assert kinds == set(CHECK_BLOCK_NAMES)


def test_two_valid_role_plays_with_a_critical_mistake_and_a_graded_free_response(
    demo: dict,
) -> None:
    refund, billing = demo["scenarios"]
    assert "refund" in refund.title.lower()
    assert "billing" in billing.title.lower()
    for page in (refund, billing):
        graph = page.graph()
        assert page.live
        assert page.publish_problems() == []
        assert len(graph.steps) >= 6
        assert sum(r.critical for s in graph.steps for r in s.replies) == 1
        free = [s for s in graph.steps if s.kind == scenario.FREE]
        assert len(free) == 1 and len(free[0].criteria) == 2
        assert set(free[0].criteria) <= set(page.criterion_keys() or ())
        assert page.framework.name == "Customer Support Standard"
        ends = [s for s in graph.steps if s.kind == scenario.END]
        assert all(s.outcome and s.debrief for s in ends)
    assert scenario.best_path(refund.graph()).outcome == "resolved"  # type: ignore[union-attr]
    assert scenario.best_path(billing.graph()).outcome == "escalated"  # type: ignore[union-attr]


def test_the_scenarios_use_the_content_demo_personas(demo: dict) -> None:
    refund, billing = demo["scenarios"]
    assert refund.persona.name == "Maya Okafor"
    assert billing.persona.name == "Harold Lindqvist"


def test_new_agent_essentials_has_every_item_and_a_twelve_month_certificate(demo: dict) -> None:
    path = demo["path"]
    assert isinstance(path, LearningPathPage)
    assert path.title == "New agent essentials"
    assert path.certificate is True
    assert path.validity_months == 12
    assert {p.pk for p in path.item_pages()} == {p.pk for p in demo["modules"] + demo["scenarios"]}
    assert path.publish_problems() == []


def test_the_training_index_is_under_review(demo: dict) -> None:
    assert demo["index"].get_workflow().name == WORKFLOW_NAME


def test_running_it_again_creates_nothing(demo: dict) -> None:
    before = Page.objects.count()
    again = ensure_demo_training_pages()
    assert Page.objects.count() == before
    assert again["path"].pk == demo["path"].pk
    assert ModulePage.objects.count() == 3
    assert RolePlayScenarioPage.objects.count() == 2
