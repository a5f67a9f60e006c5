"""The interactions list: scope, search, filters in the URL, htmx, pagination, query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qa_platform.people.models import User
from scorecards.models import Channel, Interaction, ReviewStatus
from scorecards.views.interactions import WORKSPACE_FALLBACK, duration_display, review_url
from tests.conftest import Org, signed_in
from tests.scorecards.factories import CustomerFeedbackFactory, InteractionFactory, ReviewFactory

pytestmark = pytest.mark.django_db

LIST = reverse("scorecards:interactions")
HTMX = {"HX-Request": "true"}
MAX_QUERIES = 12


def shown(response: Any) -> list[str]:
    return [i.source_id for i in response.context["interactions"]]


@pytest.fixture
def contacts(org: Org, agent: User, other_team_agent: User) -> dict[str, Interaction]:
    now = timezone.now()
    return {
        "chat": InteractionFactory(
            source_id="T-100", agent=agent, team=org.team, channel=Channel.CHAT,
            started_at=now - dt.timedelta(hours=3), queue="Billing", topic="Refund",
            duration_seconds=425,
        ),
        "call": InteractionFactory(
            source_id="C-200", agent=agent, team=org.team, channel=Channel.CALL,
            started_at=now - dt.timedelta(days=5), queue="Tech", topic="Login", escalated=True,
            repeat_contact=True, duration_seconds=3723,
        ),
        "other": InteractionFactory(
            source_id="R-300", agent=other_team_agent, team=org.other_team,
            started_at=now - dt.timedelta(days=1), queue="Renewals",
        ),
    }  # fmt: skip


# --- Who sees what ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, org: Org) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["agent", "hr", "no_role_user"])
def test_people_without_a_quality_role_are_refused(client: Client, role: str, request: Any) -> None:
    assert signed_in(client, request.getfixturevalue(role)).get(LIST).status_code == 403


def test_a_qa_manager_sees_every_teams_interactions_newest_first(
    client: Client, qa_manager: User, contacts: dict[str, Interaction]
) -> None:
    response = signed_in(client, qa_manager).get(LIST)
    assert response.status_code == 200
    assert shown(response) == ["T-100", "R-300", "C-200"]
    body = response.content.decode()
    assert "<html" in body
    assert "3 interactions" in body
    assert "Ada Agent" in body and "Billing" in body and "Renewals" in body
    assert "7:05" in body and "1:02:03" in body  # durations
    assert "Escalated" in body and "Repeat contact" in body
    assert "Import interactions" in body


def test_a_lead_sees_only_their_teams_interactions(
    client: Client, lead: User, contacts: dict[str, Interaction], org: Org
) -> None:
    response = signed_in(client, lead).get(LIST)
    assert shown(response) == ["T-100", "C-200"]
    assert "Import interactions" not in response.content.decode()
    # Asking for another team's interactions shows nothing of theirs (the filter is ignored).
    response = client.get(LIST, {"team": org.other_team.pk})
    assert shown(response) == ["T-100", "C-200"]


def test_another_teams_lead_does_not_see_this_teams_interactions(
    client: Client, other_team_lead: User, contacts: dict[str, Interaction]
) -> None:
    response = signed_in(client, other_team_lead).get(LIST, {"q": "T-100"})
    assert shown(response) == []
    assert signed_in(client, other_team_lead).get(LIST).context["page_obj"].paginator.count == 1


def test_an_htmx_request_gets_the_results_only(
    client: Client, reviewer: User, contacts: dict[str, Interaction]
) -> None:
    response = signed_in(client, reviewer).get(LIST, {"channel": "call"}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="interaction-results">')
    assert "C-200" in body and "T-100" not in body


# --- Search and filters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "t-100"}, ["T-100"]),
        ({"q": "ada"}, ["T-100", "C-200"]),
        ({"q": "agent2@example"}, ["R-300"]),
        ({"q": "login"}, ["C-200"]),
        ({"q": "renewals"}, ["R-300"]),
        ({"q": "billing refund"}, ["T-100"]),
        ({"agent": "otto"}, ["R-300"]),
        ({"channel": "call"}, ["C-200"]),
        ({"escalated": "yes"}, ["C-200"]),
        ({"escalated": "no"}, ["T-100", "R-300"]),
        ({"repeat": "yes"}, ["C-200"]),
        ({"repeat": "no"}, ["T-100", "R-300"]),
    ],
)
def test_search_and_filters_narrow_the_list(
    client: Client,
    qa_manager: User,
    contacts: dict[str, Interaction],
    params: dict[str, str],
    expected: list[str],
) -> None:
    response = signed_in(client, qa_manager).get(LIST, params)
    assert shown(response) == expected
    assert response.context["filtered"]


def test_the_team_filter_includes_sub_teams(
    client: Client, qa_manager: User, contacts: dict[str, Interaction], org: Org
) -> None:
    response = signed_in(client, qa_manager).get(LIST, {"team": org.support.pk})
    assert shown(response) == ["T-100", "C-200"]
    assert f'<option value="{org.support.pk}" selected>' in response.content.decode()


def test_the_date_range_is_inclusive_of_both_days(
    client: Client, qa_manager: User, contacts: dict[str, Interaction]
) -> None:
    today = timezone.now().date()
    five_days_ago = (timezone.now() - dt.timedelta(days=5)).date()
    client = signed_in(client, qa_manager)
    assert shown(client.get(LIST, {"start": five_days_ago, "end": five_days_ago})) == ["C-200"]
    assert shown(client.get(LIST, {"start": today - dt.timedelta(days=2)})) == ["T-100", "R-300"]
    assert shown(client.get(LIST, {"end": today - dt.timedelta(days=2)})) == ["C-200"]


def test_the_csat_filter_uses_the_customers_answers(
    client: Client, qa_manager: User, contacts: dict[str, Interaction], agent: User, org: Org
) -> None:
    CustomerFeedbackFactory(interaction=contacts["chat"], agent=agent, team=org.team, csat=2)
    CustomerFeedbackFactory(interaction=contacts["call"], agent=agent, team=org.team, csat=5)
    CustomerFeedbackFactory(interaction=contacts["other"], agent=agent, team=org.team, csat=None)
    client = signed_in(client, qa_manager)
    assert shown(client.get(LIST, {"csat": "1-2"})) == ["T-100"]
    assert shown(client.get(LIST, {"csat": "3"})) == []
    assert shown(client.get(LIST, {"csat": "4-5"})) == ["C-200"]
    assert shown(client.get(LIST, {"csat": "none"})) == ["R-300"]
    body = client.get(LIST).content.decode()
    assert '<td class="num">2<span class="visually-hidden"> out of 5</span></td>' in body


def test_the_reviewed_filter_counts_submitted_reviews(
    client: Client, qa_manager: User, contacts: dict[str, Interaction]
) -> None:
    ReviewFactory(
        interaction=contacts["call"], status=ReviewStatus.SUBMITTED, submitted_at=timezone.now()
    )
    ReviewFactory(interaction=contacts["chat"])  # a draft
    client = signed_in(client, qa_manager)
    assert shown(client.get(LIST, {"reviewed": "yes"})) == ["C-200"]
    assert shown(client.get(LIST, {"reviewed": "no"})) == ["T-100", "R-300"]
    body = client.get(LIST).content.decode()
    assert body.count('<span class="pill pill-success">Reviewed</span>') == 1


def test_filters_stay_in_the_url_and_in_the_pagination_links(
    client: Client, qa_manager: User, agent: User, org: Org
) -> None:
    for i in range(55):
        InteractionFactory(agent=agent, team=org.team, channel=Channel.EMAIL, source_id=f"E-{i}")
    response = signed_in(client, qa_manager).get(LIST, {"channel": "email", "q": "E-"})
    assert response.context["page_obj"].paginator.count == 55
    assert len(shown(response)) == 50
    assert response.context["query_string"] == "q=E-&channel=email"
    assert "?q=E-&amp;channel=email&amp;page=2" in response.content.decode()
    assert len(shown(client.get(LIST, {"channel": "email", "q": "E-", "page": 2}))) == 5


@pytest.mark.parametrize(
    "params",
    [
        {"team": "abc"},
        {"team": "999999"},
        {"start": "2026-13-45"},
        {"end": "yesterday"},
        {"csat": "7"},
        {"channel": "fax"},
        {"reviewed": "maybe"},
        {"page": "-1"},
        {"page": "99999"},
        {"q": "x" * 5000},
    ],
)
def test_bad_filter_values_are_ignored(
    client: Client, qa_manager: User, contacts: dict[str, Interaction], params: dict[str, str]
) -> None:
    response = signed_in(client, qa_manager).get(LIST, params)
    assert response.status_code == 200


def test_an_end_before_the_start_is_read_the_other_way_round(
    client: Client, qa_manager: User, contacts: dict[str, Interaction]
) -> None:
    today = timezone.now().date()
    response = signed_in(client, qa_manager).get(
        LIST, {"start": today, "end": today - dt.timedelta(days=2)}
    )
    assert shown(response) == ["T-100", "R-300"]


def test_an_empty_list_says_what_to_do(client: Client, qa_manager: User, lead: User) -> None:
    body = signed_in(client, qa_manager).get(LIST).content.decode()
    assert "No interactions yet" in body and "Import interactions" in body
    body = signed_in(client, lead).get(LIST, {"channel": "call"}).content.decode()
    assert "No interactions match these filters" in body


# --- The review link ----------------------------------------------------------------------


def test_each_row_links_to_the_grading_workspace(
    client: Client, qa_manager: User, contacts: dict[str, Interaction]
) -> None:
    body = signed_in(client, qa_manager).get(LIST).content.decode()
    pk = contacts["chat"].pk
    assert f'href="{review_url(pk)}"' in body
    assert review_url(pk).endswith(f"/{pk}/review/") or "/quality/" in review_url(pk)


def test_the_review_link_falls_back_to_the_workspace_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.urls import NoReverseMatch

    from scorecards.views import interactions as views

    def missing(*args: Any, **kwargs: Any) -> str:
        raise NoReverseMatch

    monkeypatch.setattr(views, "reverse", missing)
    assert views.review_url(42) == WORKSPACE_FALLBACK.format(pk=42)


def test_durations_are_shown_as_clock_times() -> None:
    assert [duration_display(s) for s in (None, 0, 59, 425, 3600, 3723)] == [
        "", "0:00", "0:59", "7:05", "1:00:00", "1:02:03",
    ]  # fmt: skip


# --- Query counts -------------------------------------------------------------------------


def _queries(client: Client, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_list_needs_the_same_few_queries_for_one_row_or_sixty(
    client: Client,
    lead: User,
    agent: User,
    org: Org,
    django_assert_max_num_queries: Any,
) -> None:
    client = signed_in(client, lead)
    first = InteractionFactory(agent=agent, team=org.team)
    CustomerFeedbackFactory(interaction=first, agent=agent, team=org.team, csat=4)
    client.get(LIST)  # warm up: the settings row, the session
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(LIST)
    one_row = _queries(client)

    for i in range(59):
        interaction = InteractionFactory(agent=agent, team=org.team, escalated=i % 2 == 0)
        CustomerFeedbackFactory(interaction=interaction, agent=agent, team=org.team, csat=i % 5 + 1)
        ReviewFactory(interaction=interaction)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(LIST)
    assert len(response.context["interactions"]) == 50
    assert _queries(client) == one_row
    filters = {"q": "Billing", "team": org.team.pk, "csat": "4-5", "reviewed": "no",
               "escalated": "yes", "start": "2020-01-01", "channel": "chat"}  # fmt: skip
    assert _queries(client, filters) == one_row


def test_a_very_long_list_counts_up_to_a_cap_and_says_more_than(
    client: Client, qa_manager: User, agent: User, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scorecards.views import interactions as views

    monkeypatch.setattr(views, "COUNT_CAP", 5)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for i in range(7):
        InteractionFactory(agent=agent, team=org.team, source_id=f"M-{i}")
    client = signed_in(client, qa_manager)
    response = client.get(LIST)
    body = response.content.decode()
    assert "More than 5 interactions: the newest 5 are listed" in body
    assert "1–2 of more than 5" in body
    assert 'rel="next"' in body
    assert len(shown(client.get(LIST, {"page": 3}))) == 2
    # Narrowed below the cap: the exact count again.
    body = client.get(LIST, {"q": "M-1"}).content.decode()
    assert "1 interaction match these filters" in body
