"""bench/training_bench.py on a tiny organisation: its pages are valid and idempotent, every row
it measures answers 200 (the role-play player starts a new attempt after each end), the
reconciliation it times changes nothing on the re-run and is rolled back, the PDF timings run,
and the budgets are judged as the issue states them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bench.training_bench import (
    QUESTIONS,
    STEPS,
    Row,
    StepPlayer,
    arrange,
    judge,
    measure,
    reconcile_twice,
    time_pdf,
)
from qa_platform.people.models import Team, User
from tests.conftest import Org
from training import scenario
from training.models import Assignment, AssignmentRule, Attempt

pytestmark = pytest.mark.django_db


def test_the_bench_arranges_its_data_and_measures_every_row_on_a_tiny_organisation(
    org: Org, agent: User, lead: User, qa_manager: User
) -> None:
    Team.objects.filter(pk=org.support.pk).update(external_id="D-TINY")

    bench = arrange("D-TINY")
    again = arrange("D-TINY")

    assert (again.module.pk, again.learner.pk, again.certificate.pk) == (
        bench.module.pk,
        bench.learner.pk,
        bench.certificate.pk,
    )
    assert len(bench.module.body) == 30 and len(bench.module.checks()) == QUESTIONS
    assert scenario.validate(bench.scenario.graph()) == []
    assert Assignment.objects.filter(person=bench.learner, withdrawn_at__isnull=True).count() == 30
    assert bench.few_learner == agent
    finished = Attempt.objects.get(person=bench.learner, page=bench.module, status="completed")
    report = reverse("training:reports")
    rows = [
        Row("module", bench.learner, reverse("training:module", args=[bench.module.pk])),
        Row("library", bench.learner, bench.module.url),
        Row(
            "attempt",
            bench.learner,
            reverse("training:module_attempt", args=[bench.module.pk, finished.pk]),
        ),
        Row("step", bench.learner, send=StepPlayer(bench.learner, bench.scenario)),
        Row("my training", bench.learner, reverse("training:my_training")),
        Row("report (lead)", lead, report),
        Row("report (department)", qa_manager, f"{report}?team={org.support.pk}"),
    ]

    measure(rows, requests=STEPS + 1, warmup=1)  # the role-play reaches its end and starts again

    for row in rows:
        assert row.statuses == {200}, row.label
        assert len(row.timings) == STEPS + 1 and row.queries > 0
    played = Attempt.objects.filter(person=bench.learner, page=bench.scenario)
    assert played.filter(status="completed").exists() and played.count() >= 2


def test_the_timed_reconciliation_changes_nothing_when_rerun_and_is_rolled_back(
    org: Org, agent: User, lead: User
) -> None:
    Team.objects.filter(pk=org.support.pk).update(external_id="D-TINY")
    bench = arrange("D-TINY")
    before = Assignment.objects.count()

    result = reconcile_twice(bench.extras, [org.support, org.sales])

    assert result.first_assigned > 0 and result.people >= 3
    assert (result.again_assigned, result.again_withdrawn) == (0, 0)
    assert result.count_after_again == result.count_after_first == before + result.first_assigned
    assert not AssignmentRule.objects.filter(name__startswith="Bench rule").exists()
    assert Assignment.objects.count() == before


def test_the_certificate_pdf_is_timed_as_a_download_and_as_weasyprint_alone(
    org: Org, qa_manager: User
) -> None:
    Team.objects.filter(pk=org.support.pk).update(external_id="D-TINY")
    bench = arrange("D-TINY")

    times = time_pdf(bench.certificate, qa_manager, rounds=1)

    assert times.status == {200} and times.size > 1000
    assert len(times.view) == len(times.render) == len(times.weasyprint) == 1


def _row(label: str, median: float, queries: int) -> Row:
    return Row(label, None, timings=[median], queries=queries, statuses={200})


def test_the_budgets_are_judged_as_the_issue_states_them() -> None:
    rows = {
        "baseline": _row("baseline", 10, 2),
        "module": _row("module", 20, 10),
        "library": _row("library", 20, 11),
        "attempt": _row("attempt", 20, 9),
        "step": _row("step", 51, 12),
        "learn_few": _row("few", 20, 10),
        "learn_many": _row("many", 20, 11),
        "report_small": _row("small", 20, 9),
        "report_dept": _row("dept", 299, 12),
        "report_qa_dept": _row("qa dept", 301, 12),
        "report_org": _row("org", 900, 12),
    }

    judge(rows)

    failed = {key for key, row in rows.items() if row.problems}
    assert failed == {"library", "step", "learn_many", "report_qa_dept"}
    assert rows["learn_many"].problems == ["11 queries > 10 with fewer assignments"]
