"""The people list's rows, team picker and pages, built by people.summaries.people_page in one
query: what each row shows, escaping, paging like Paginator.get_page, and the queries it needs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qa_platform.people.models import Membership, Team, User
from qa_platform.people.roles import Role
from qa_platform.people.summaries import people_page, team_rows
from tests.conftest import Org, signed_in
from tests.people.factories import MembershipFactory, RoleGrantFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("people:list")
HTMX = {"HX-Request": "true"}
TODAY = timezone.localdate()


def row_of(html: str, email: str) -> str:
    """The table row (<tr>...</tr>) of the person with `email`."""
    match = re.search(rf"<tr><td>(?:(?!</tr>).)*?>{re.escape(email)}</td>.*?</tr>", html, re.S)
    assert match, f"no row for {email}"
    return match.group(0)


@pytest.fixture
def busy(org: Org) -> User:
    """In Tech and Billing now; a lead of Billing and a reviewer of Support; history besides."""
    person = UserFactory(full_name="Bea Busy", email="bea@example.test")
    MembershipFactory(user=person, team=org.sibling_team)
    MembershipFactory(user=person, team=org.team)
    MembershipFactory(  # ended yesterday
        user=person, team=org.other_team, start=TODAY - dt.timedelta(days=30), end=TODAY
    )
    MembershipFactory(user=person, team=org.sales, start=TODAY + dt.timedelta(days=1))  # future
    RoleGrantFactory(user=person, role=Role.REVIEWER, team=org.support)
    RoleGrantFactory(user=person, role=Role.LEAD, team=org.team)
    RoleGrantFactory(user=person, role=Role.AGENT, team=org.team)
    RoleGrantFactory(user=person, role=Role.HR, team=org.root, revoked_at=timezone.now())
    return person


def test_a_row_shows_the_current_teams_by_name_and_the_active_roles_by_role(
    client: Client, org: Org, admin: User, busy: User
) -> None:
    html = signed_in(client, admin).get(LIST).content.decode()
    row = row_of(html, busy.email)

    assert f'<td><a href="{LIST}{busy.pk}/">Bea Busy</a></td>' in row
    assert "<td>Billing, Tech</td>" in row  # not Renewals (ended), not Sales (not yet)
    assert (
        '<td>Agent <span class="muted">on Billing</span><br>'
        'Team lead <span class="muted">on Billing</span><br>'
        'QA reviewer <span class="muted">on Support</span></td>'
    ) in row  # by role (agent, lead, reviewer), not HR (revoked)
    assert '<td><span class="pill pill-success">Active</span></td>' in row


def test_a_person_without_team_or_role_or_name_reads_so_in_words(
    client: Client, org: Org, admin: User
) -> None:
    nobody = UserFactory(full_name="", email="nobody@example.test", is_active=False)

    html = signed_in(client, admin).get(LIST, {"status": "inactive"}).content.decode()
    row = row_of(html, nobody.email)

    assert f'<a href="{LIST}{nobody.pk}/">nobody@example.test</a>' in row
    assert '<span class="muted">No team</span>' in row
    assert '<span class="muted">No role</span>' in row
    assert '<span class="pill pill-neutral">Deactivated</span>' in row


def test_names_emails_and_team_names_are_escaped_in_the_rows_and_the_team_picker(
    client: Client, org: Org, admin: User
) -> None:
    team = TeamFactory(name="R&D <b>lab</b>", parent=org.support)
    person = UserFactory(full_name="<script>alert(1)</script>", email="o'hara@example.test")
    MembershipFactory(user=person, team=team)
    RoleGrantFactory(user=person, role=Role.AGENT, team=team)

    html = signed_in(client, admin).get(LIST).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<b>lab</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</a>" in html
    assert "<td>o&#x27;hara@example.test</td>" in html
    assert "<td>R&amp;D &lt;b&gt;lab&lt;/b&gt;</td>" in html
    assert "on R&amp;D &lt;b&gt;lab&lt;/b&gt;</span>" in html
    assert f'<option value="{team.pk}">\u2003\u2003R&amp;D &lt;b&gt;lab&lt;/b&gt;</option>' in html


def test_the_team_picker_lists_the_teams_in_reach_as_a_tree_and_keeps_the_choice(
    client: Client, org: Org, lead: User
) -> None:
    below = TeamFactory(name="Billing nights", parent=org.team, is_active=False)

    html = signed_in(client, lead).get(LIST, {"team": below.pk}).content.decode()
    picker = re.search(r'<select name="team".*?</select>', html, re.S)

    assert picker
    assert re.findall(r"<option[^>]*>([^<]*)</option>", picker.group(0)) == [
        "Any team",
        "\u2003\u2003Billing",
        "\u2003\u2003\u2003Billing nights (inactive)",
    ]
    assert f'<option value="{below.pk}" selected>' in picker.group(0)
    assert '<label for="id_team">Team</label>' in html


def test_the_filters_keep_their_state_in_the_picker_and_the_search_box(
    client: Client, org: Org, admin: User, agent: User
) -> None:
    query = {"q": 'ada "x"', "team": org.team.pk, "role": "agent", "status": "all"}
    html = signed_in(client, admin).get(LIST, query).content.decode()

    assert 'value="ada &quot;x&quot;"' in html
    assert f'<option value="{org.team.pk}" selected>' in html
    assert '<option value="agent" selected>Agent</option>' in html
    assert '<option value="all" selected>All</option>' in html
    assert '<select name="status" id="id_status">' in html


@pytest.mark.parametrize("page", ["0", "-3", "4", "99999999999999999999999999"])
def test_a_page_out_of_range_shows_the_last_page(
    client: Client, org: Org, admin: User, page: str
) -> None:
    for _ in range(60):
        MembershipFactory(team=org.team)

    response = signed_in(client, admin).get(LIST, {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert len(response.context["people"]) == 11
    assert "51\u201361 of 61" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "1.5", ""])
def test_a_page_that_is_not_a_number_shows_the_first(
    client: Client, org: Org, admin: User, page: str
) -> None:
    for _ in range(60):
        MembershipFactory(team=org.team)

    response = signed_in(client, admin).get(LIST, {"page": page})

    assert response.context["page_obj"].number == 1
    assert len(response.context["people"]) == 50


def test_the_pages_follow_each_other_in_name_order_without_gaps(
    client: Client, org: Org, admin: User
) -> None:
    for i in range(60):
        MembershipFactory(team=org.team, user=UserFactory(full_name=f"Sam {59 - i:02d}"))
    client = signed_in(client, admin)

    first = [p.email for p in client.get(LIST, {"q": "sam"}).context["people"]]
    second = [p.email for p in client.get(LIST, {"q": "sam", "page": 2}).context["people"]]

    everyone = User.objects.filter(full_name__startswith="Sam").order_by("full_name", "email")
    assert first + second == [p.email for p in everyone]


def test_an_empty_list_counts_nobody_and_still_offers_every_team(
    client: Client, org: Org, admin: User
) -> None:
    response = signed_in(client, admin).get(LIST, {"q": "nobody-has-this-name"})
    html = response.content.decode()

    assert response.context["page_obj"].paginator.count == 0
    assert "0 people match these filters" in html
    assert "No people match these filters" in html
    assert f'<option value="{org.other_team.pk}">' in html


def test_the_htmx_fragment_has_the_rows_and_no_filter_bar(
    client: Client, org: Org, lead: User, agent: User
) -> None:
    html = signed_in(client, lead).get(LIST, headers=HTMX).content.decode()

    assert "<html" not in html and 'class="filters"' not in html
    assert "<td>Billing</td>" in row_of(html, agent.email)


def _queries(client: Client, params: dict[str, Any]) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST, params).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_rows_teams_roles_count_and_picker_come_in_one_query(
    client: Client, org: Org, admin: User, busy: User
) -> None:
    client = signed_in(client, admin)
    client.get(LIST)

    plain = _queries(client, {})
    with_team = _queries(client, {"team": org.team.pk})

    own = [sql for sql in plain if "people_membership" in sql]
    assert len(own) == 1  # rows, their teams and roles, the count and the picker's teams
    assert len(with_team) == len(plain) + 1  # the chosen team's row, for its subtree
    assert not any("COUNT(*) AS" in sql and "people_user" in sql for sql in plain)


def test_people_page_returns_the_page_the_total_and_the_teams(org: Org, busy: User) -> None:
    for _ in range(3):
        MembershipFactory(team=org.team)
    people = User.objects.filter(pk__in=Membership.objects.filter(team=org.team).values("user_id"))

    page = people_page(people, offset=0, limit=2, teams=Team.objects.all())
    past = people_page(people, offset=10, limit=2)

    assert page.total == 4
    assert len(page.people) == 2
    assert page.teams == team_rows(Team.objects.all())
    assert [t[4] for t in page.teams] == sorted(t.path for t in Team.objects.all())
    assert (past.people, past.total, past.teams) == ([], 4, None)
    bea = people_page(User.objects.filter(pk=busy.pk), offset=0, limit=2).people[0]
    assert bea.teams == ("Billing", "Tech")
    assert bea.grants == (("agent", "Billing"), ("lead", "Billing"), ("reviewer", "Support"))
    assert bea.is_active is True


def test_people_page_of_filters_that_match_nothing_is_empty(org: Org) -> None:
    page = people_page(
        User.objects.filter(pk__in=[]), offset=0, limit=50, teams=Team.objects.filter(pk__in=[])
    )

    assert (page.people, page.total, page.teams) == ([], 0, [])
    assert people_page(User.objects.all(), offset=0, limit=5, teams=Team.objects.none()).teams == []
