"""The reviews CSV export: the list's filters, one row per review, a column per criterion key."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform.people.models import User
from qa_platform.people.roles import Role
from scorecards.models import QualitySettings, Review
from scorecards.views.reviews import csv_safe
from tests.conftest import Org
from tests.people.factories import MembershipFactory, RoleGrantFactory, UserFactory
from tests.scorecards.factories import published_version
from tests.scorecards.test_review_pages import FATAL, PASSING, WITH_NA, graded_review

EXPORT = "scorecards:reviews_export"


def rows_of(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def export(client: Client, user: User, **params: Any) -> Any:
    client.force_login(user)
    return client.get(reverse(EXPORT), params)


def test_the_export_has_a_row_per_review_and_a_column_per_criterion_key(
    qa_manager: User, agent: User, reviewer: User, client: Client
) -> None:
    fatal = graded_review(agent=agent, reviewer=reviewer, ratings=FATAL)
    na = graded_review(agent=agent, reviewer=reviewer, ratings=WITH_NA)

    response = export(client, qa_manager)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="reviews-')
    rows = {int(r["review_id"]): r for r in rows_of(response)}
    assert set(rows) == {fatal.pk, na.pk}
    row = rows[fatal.pk]
    assert row["verify-identity"] == "0"
    assert row["greeting"] == "3"
    assert row["empathy"] == "4"
    assert row["contact-reason"] == "2"
    assert row["raw_score"] == "62.5"
    assert row["final_score"] == "0"
    assert row["passed"] == "no"
    assert row["fatal_failed"] == "yes"
    assert row["agent_email"] == agent.email
    assert row["reviewer"] == reviewer.get_full_name()
    assert row["reviewer_email"] == reviewer.email
    assert row["framework"] == "Support standard"
    assert row["framework_version"] == "1"
    assert row["submitted_at"].startswith(str(timezone.now().year))
    assert rows[na.pk]["greeting"] == "N/A"
    assert rows[na.pk]["passed"] == "yes"


def test_the_export_names_the_reviewer_even_when_agents_do_not_see_it(
    lead: User, agent: User, reviewer: User, client: Client
) -> None:
    settings = QualitySettings.load()
    settings.hide_reviewer_from_agents = True
    settings.save()
    graded_review(agent=agent, reviewer=reviewer)
    [row] = rows_of(export(client, lead))
    assert row["reviewer"] == reviewer.get_full_name()


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(
    admin: User, org: Org, reviewer: User, client: Client
) -> None:
    sneaky = UserFactory(full_name='=HYPERLINK("http://evil.test","Click")')
    MembershipFactory(user=sneaky, team=org.team)
    RoleGrantFactory(user=sneaky, role=Role.AGENT, team=org.team)
    graded_review(agent=sneaky, reviewer=reviewer, team=org.team)

    [row] = rows_of(export(client, admin))

    assert row["agent"] == "'" + '=HYPERLINK("http://evil.test","Click")'
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx"):
        assert csv_safe(text) == "'" + text
    assert csv_safe("Ada") == "Ada"
    assert csv_safe(None) == ""


def test_the_export_keeps_the_lists_filters_and_the_leads_scope(
    lead: User, org: Org, agent: User, other_team_agent: User, reviewer: User, client: Client
) -> None:
    recent = graded_review(agent=agent, reviewer=reviewer, days_ago=2)
    graded_review(agent=agent, reviewer=reviewer, ratings=FATAL, days_ago=40)
    graded_review(agent=other_team_agent, reviewer=UserFactory(), days_ago=2)

    everything = rows_of(export(client, lead))
    assert len(everything) == 2  # the other team's review is not the lead's to see

    start = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    filtered = rows_of(export(client, lead, start=start, result="passed", agent="Ada"))
    assert [int(r["review_id"]) for r in filtered] == [recent.pk]
    assert rows_of(export(client, lead, team=org.other_team.pk)) == everything  # not their team


def test_the_export_has_the_columns_of_every_framework_version_in_it(
    qa_manager: User, agent: User, reviewer: User, client: Client
) -> None:
    from tests.scorecards.test_review_pages import fifteen_criteria

    graded_review(agent=agent, reviewer=reviewer)
    graded_review(
        agent=agent,
        reviewer=reviewer,
        version=published_version(fifteen_criteria()),
        ratings={f"c{i}": "3" for i in range(15)},
    )
    rows = rows_of(export(client, qa_manager))
    columns = list(rows[0])
    assert {"verify-identity", "empathy", "c0", "c14"} <= set(columns)
    by_framework = {r["framework"]: r for r in rows}
    assert by_framework["Fifteen"]["empathy"] == ""
    assert by_framework["Support standard"]["c0"] == ""


def test_an_empty_export_still_has_its_header(qa_manager: User, client: Client) -> None:
    response = export(client, qa_manager)
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("review_id,submitted_at,")


@pytest.mark.parametrize("role", ["agent", "reviewer", "hr", "other_team_agent"])
def test_the_export_is_for_leads_qa_managers_and_administrators(
    role: str, request: pytest.FixtureRequest, client: Client
) -> None:
    assert export(client, request.getfixturevalue(role)).status_code == 403


def test_the_export_sends_anonymous_people_to_sign_in(org: Org, client: Client) -> None:
    response = client.get(reverse(EXPORT))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_export_query_count_does_not_grow_with_the_rows(
    qa_manager: User, org: Org, agent: User, reviewer: User, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(qa_manager)
    graded_review(agent=agent, reviewer=reviewer, ratings=PASSING)
    with django_assert_max_num_queries(12) as one:
        assert len(rows_of(client.get(reverse(EXPORT)))) == 1
    for _ in range(10):
        graded_review(agent=agent, reviewer=reviewer, version=published_version())
    with django_assert_max_num_queries(12) as many:
        assert len(rows_of(client.get(reverse(EXPORT)))) == 11
    assert len(many.captured_queries) == len(one.captured_queries)
    assert Review.objects.count() == 11
