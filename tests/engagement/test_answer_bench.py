"""bench/engagement_submit_bench.py on a few people: it arranges its survey idempotently (45
questions, every invitation reset with a full draft), every row it measures succeeds, and the
budget is judged as the issue states it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bench.engagement_submit_bench import Row, arrange, judge, measure
from qa_platform.engagement.models import Invitation, Response

pytestmark = pytest.mark.django_db


def test_the_bench_arranges_its_survey_and_every_row_succeeds() -> None:
    survey, questions, invitations = arrange(6)

    assert len(questions) == 45 and len(invitations) == 6
    assert {s for q in questions for s in [q.scale]} == {
        "agreement_5",
        "zero_to_ten",
        "comment",
        "single_choice",
        "multiple_choice",
    }
    rows = measure(
        survey,
        questions,
        invitations,
        requests=2,
        warmup=1,
        bare_url=reverse("engagement:my_surveys"),  # bench/urls.py is not loaded in tests
    )
    judge(rows)
    assert [r.outcomes for r in rows] == [{"200"}, {"inserted"}, {"Response"}, {"302"}]
    assert all(len(r.timings) == 2 for r in rows)
    assert Invitation.objects.filter(survey=survey, submitted=True).count() == 6

    again, _, reset = arrange(6)  # a second run starts from unsubmitted invitations

    assert again.pk == survey.pk
    assert not Response.objects.filter(survey=survey).exists()
    assert all(not i.submitted and len(i.draft) == 45 for i in reset)


def test_the_submit_budget_fails_over_fifty_milliseconds_or_twelve_queries() -> None:
    rows = [Row("bare"), Row("insert"), Row("service"), Row("post")]
    for row, outcome in zip(rows, ("200", "inserted", "Response", "302"), strict=True):
        row.outcomes, row.timings, row.queries = {outcome}, [10.0, 20.0], 4
    rows[3].timings, rows[3].queries = [40.0, 60.0, 70.0], 13

    judge(rows)

    assert rows[3].problems == ["median 60.0 ms", "13 queries"]
    assert not any(r.problems for r in rows[:3])
