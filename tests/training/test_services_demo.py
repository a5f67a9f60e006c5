"""The training demo seeder: rules, assignments, attempts and a certificate; re-running adds
nothing."""

from __future__ import annotations

import random
from io import StringIO

import pytest

from qa_platform.people import demo as people_demo
from qa_platform.people.models import User
from qa_platform.people.roles import Role
from tests.training.factories import module_page, path_page, scenario_page, single, true_false
from training import demo
from training.models import Assignment, AssignmentRule, Attempt, AttemptStatus, Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_org() -> None:
    people_demo.seed_people("small", random.Random(1), StringIO())


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small real pages standing in for training.demo_pages."""
    first = module_page(title="Complaint handling", body=[single("listen", "a"), true_false("t")])
    second = module_page(title="Refund policy", body=[true_false("r"), true_false("s", False)])
    third = module_page(title="Billing errors", body=[true_false("b")])
    refund = scenario_page(title="Upset customer wants a refund")
    escalate = scenario_page(title="Billing error needing escalation")
    path_page(
        title="Service recovery",
        items=[(first, [], True), (refund, [first], True), (second, [], True)],
    )
    del third, escalate
    monkeypatch.setattr(demo.importlib.util, "find_spec", lambda name: None)


def run() -> str:
    out = StringIO()
    demo.seed_training("small", random.Random(7), out)
    return out.getvalue()


def test_the_demo_gives_demo_agents_assignments_attempts_and_a_certificate(
    demo_org: None, pages: None
) -> None:
    output = run()
    assert "Training (small)" in output
    agent = User.objects.get(email="agent@demo.test")
    agent2 = User.objects.get(email="agent2@demo.test")
    assert AssignmentRule.objects.count() == 3
    statuses = set(Attempt.objects.filter(person=agent).values_list("status", flat=True))
    assert {AttemptStatus.COMPLETED, AttemptStatus.IN_PROGRESS} <= statuses
    assert Assignment.objects.overdue().filter(person=agent).exists()
    assert Assignment.objects.filter(person=agent, completed_at__isnull=False).exists()
    assert Certificate.objects.filter(person=agent2).count() == 1
    lead = User.objects.get(email="lead@demo.test")
    assert Assignment.objects.filter(person=lead, rule__name__startswith="All leads").exists()


def test_running_the_demo_again_adds_nothing(demo_org: None, pages: None) -> None:
    run()
    before = (
        Assignment.objects.count(),
        Attempt.objects.count(),
        Certificate.objects.count(),
        AssignmentRule.objects.count(),
    )
    run()
    after = (
        Assignment.objects.count(),
        Attempt.objects.count(),
        Certificate.objects.count(),
        AssignmentRule.objects.count(),
    )
    assert after == before


def test_without_demo_pages_the_seeder_says_so(
    demo_org: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo.importlib.util, "find_spec", lambda name: None)
    assert "no demo training pages" in run()


def test_the_large_demo_gives_every_other_agent_the_first_module_in_bulk(
    demo_org: None, pages: None
) -> None:
    from tests.people.factories import TeamFactory, person_with_role

    bench_team = TeamFactory(name="Bench team", external_id="L-T-001")
    agents = [person_with_role(Role.AGENT, bench_team) for _ in range(12)]
    run()
    found = demo.demo_pages()
    assert found is not None
    counts = demo.seed_large(found, random.Random(3))
    module = found["modules"][0]
    assigned = set(
        Assignment.objects.filter(page=module, person__in=agents).values_list(
            "person_id", flat=True
        )
    )
    assert assigned == {a.pk for a in agents}
    attempts = Attempt.objects.filter(page=module, person__in=agents)
    assert attempts.count() == counts["attempts"] > 0
    passed = attempts.filter(passed=True)
    assert passed.count() == counts["completed"]
    assert (
        Assignment.objects.filter(
            page=module, person__in=passed.values("person_id"), completed_at__isnull=False
        ).count()
        == passed.count()
    )
    # Again: nothing new.
    assert demo.seed_large(found, random.Random(3))["attempts"] == 0
