"""Results pages: the list, overview, heatmap, item detail and comments, for HR (everything) and a
lead (their subtree), only for closed surveys with results; query counts pinned."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from qa_platform.engagement.models import Survey
from qa_platform.people.models import Team, User
from qa_platform.people.roles import Role
from tests.conftest import Org, signed_in
from tests.engagement.factories_results import results_survey
from tests.people.factories import RoleGrantFactory, TeamFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def attributes(i: int, team: Team) -> dict[str, str]:
    return {
        "location": "Lisbon" if i % 2 else "Porto",
        "role": "Agent",
        "tenure_band": "1–3 years" if i % 3 else "Under 1 year",
    }


@pytest.fixture
def survey(org: Org) -> Survey:
    return results_survey(
        [(org.team, 12), (org.sibling_team, 11), (org.other_team, 10)], attributes=attributes
    )


def pages(survey: Survey) -> list[str]:
    return [
        reverse("engagement:results_overview", args=[survey.pk]),
        reverse("engagement:results_heatmap", args=[survey.pk]),
        reverse("engagement:results_item", args=[survey.pk, "driver.manager.helps"]),
        reverse("engagement:results_comments", args=[survey.pk, "comment.change"]),
    ]


def test_hr_sees_every_results_page_of_a_closed_survey(
    client: Client, hr: User, survey: Survey, org: Org
) -> None:
    signed_in(client, hr)

    for url in pages(survey):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<html" in response.content
    heatmap = client.get(pages(survey)[1]).content.decode()
    assert "Renewals" in heatmap and "Billing" in heatmap and "Manager support" in heatmap


def test_the_results_list_names_closed_surveys_with_results(
    client: Client, hr: User, survey: Survey
) -> None:
    response = signed_in(client, hr).get(reverse("engagement:results_list"))

    assert response.status_code == 200
    assert survey.title in response.content.decode()


def test_the_overview_prints_index_enps_participation_and_drivers(
    client: Client, hr: User, survey: Survey
) -> None:
    html = signed_in(client, hr).get(pages(survey)[0]).content.decode()

    assert "Engagement index" in html and "eNPS" in html
    assert "33 of 33 invited" in html
    assert "Strongest drivers" in html and "Weakest drivers" in html


def test_a_signed_out_visitor_is_sent_to_sign_in(client: Client, survey: Survey) -> None:
    for url in pages(survey):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_an_agent_may_not_read_results(client: Client, agent: User, survey: Survey) -> None:
    signed_in(client, agent)

    for url in pages(survey):
        assert client.get(url).status_code == 403
    assert client.get(reverse("engagement:results_list")).status_code == 403


def test_a_lead_of_a_team_outside_the_survey_gets_a_404(
    client: Client, org: Org, other_team_lead: User
) -> None:
    survey = results_survey([(org.team, 12), (org.sibling_team, 11)])
    signed_in(client, other_team_lead)

    for url in pages(survey):
        assert client.get(url).status_code == 404


def test_a_lead_asking_for_a_team_outside_their_subtree_gets_a_404(
    client: Client, lead: User, survey: Survey, org: Org
) -> None:
    signed_in(client, lead)

    response = client.get(pages(survey)[0], {"team": org.other_team.pk})

    assert response.status_code == 404


def test_a_lead_sees_only_their_subtree_on_the_heatmap(
    client: Client, lead: User, survey: Survey
) -> None:
    html = signed_in(client, lead).get(pages(survey)[1]).content.decode()

    assert "Billing" in html
    assert "Renewals" not in html and "Tech" not in html


def test_an_open_survey_has_no_results_pages(client: Client, hr: User, org: Org) -> None:
    survey = results_survey([(org.team, 12)], compute=False)
    Survey.objects.filter(pk=survey.pk).update(status="open")
    signed_in(client, hr)

    for url in pages(survey):
        assert client.get(url).status_code == 404


def test_an_htmx_request_gets_only_the_results_fragment(
    client: Client, hr: User, survey: Survey
) -> None:
    signed_in(client, hr)

    for url in pages(survey):
        response = client.get(url, headers=HTMX)
        assert response.status_code == 200
        assert b"<html" not in response.content
        assert b'id="results"' in response.content


def test_a_team_that_is_not_a_number_gets_a_message_and_the_default_team(
    client: Client, hr: User, survey: Survey
) -> None:
    response = signed_in(client, hr).get(pages(survey)[0], {"team": "abc"})

    assert response.status_code == 200
    assert "Choose a team from the list" in response.content.decode()


def test_an_unknown_filter_value_gets_a_message(client: Client, hr: User, survey: Survey) -> None:
    response = signed_in(client, hr).get(pages(survey)[2], {"location": "Atlantis"})

    assert response.status_code == 200
    assert "Location: choose one of the listed values." in response.content.decode()


def test_comments_filtered_by_two_attributes_are_refused_with_a_message(
    client: Client, hr: User, survey: Survey
) -> None:
    response = signed_in(client, hr).get(
        pages(survey)[3], {"location": "Lisbon", "tenure_band": "1–3 years"}
    )

    html = response.content.decode()
    assert "Comments can be filtered by one attribute at a time." in html
    assert "Comment 1 from" not in html


def test_comments_are_dated_only_to_the_close_and_not_in_the_order_written(
    client: Client, hr: User, survey: Survey, org: Org
) -> None:
    html = signed_in(client, hr).get(pages(survey)[3], {"team": org.root.pk}).content.decode()

    written = [f"Comment {i} from Billing on comment.change" for i in range(12)]
    positions = [html.index(text + "<") for text in written]
    assert positions != sorted(positions)
    assert survey.closed_at is not None
    assert survey.closed_at.strftime("%H:%M") not in html


def test_the_overview_shows_changes_since_the_previous_wave(
    client: Client, hr: User, org: Org
) -> None:
    before = results_survey([(org.team, 12), (org.sibling_team, 11), (org.other_team, 10)])
    after = results_survey(
        [(org.team, 12), (org.sibling_team, 11), (org.other_team, 10)],
        answer=lambda i, team, q: (
            5 if q.scale == "agreement_5" else 9 if q.scale == "zero_to_ten" else "ok"
        ),
        previous_wave=before,
    )

    html = signed_in(client, hr).get(pages(after)[0]).content.decode()

    assert "Biggest changes since" in html
    assert "meaningful" in html


def test_the_change_in_a_driver_shows_the_actions_taken_on_it_after_the_previous_wave(
    client: Client, hr: User, org: Org
) -> None:
    from tests.engagement.factories_actions import make_plan
    from tests.engagement.factories_results import default_answer

    groups = [(org.team, 12), (org.sibling_team, 11), (org.other_team, 10)]
    before = results_survey(groups)
    plan = make_plan(
        survey=before, team=org.root, owner=hr, actor=hr, driver="manager", action="Weekly 1:1s"
    )
    # Only the manager items change (to all "strongly agree"): the biggest change, on any database.
    after = results_survey(
        groups,
        answer=lambda i, team, q: 5 if q.driver == "manager" else default_answer(i, team, q),
        previous_wave=before,
    )

    html = signed_in(client, hr).get(pages(after)[0]).content.decode()

    changes = html[html.index('id="changes"') : html.index('id="all-drivers"')]
    row = changes[changes.index("Manager support</th>") :].split("</tr>")[0]
    assert reverse("engagement:action_plan", args=[plan.pk]) in row
    assert "Weekly 1:1s" in row and "(planned)" in row


def _bigger_org(org: Org, teams: int) -> list[tuple[Team, int]]:
    groups: list[tuple[Team, int]] = [(org.team, 6), (org.sibling_team, 6), (org.other_team, 6)]
    for i in range(teams):
        groups.append((TeamFactory(name=f"Extra {i}", parent=org.sales), 6))
    return groups


@pytest.mark.parametrize("name", ["results_overview", "results_heatmap"])
def test_the_overview_and_heatmap_cost_the_same_queries_however_many_teams(
    client: Client, hr: User, org: Org, name: str, django_assert_max_num_queries: object
) -> None:
    small = results_survey(_bigger_org(org, 0))
    large = results_survey(_bigger_org(org, 8))
    signed_in(client, hr)
    client.get(reverse(f"engagement:{name}", args=[small.pk]))  # warm caches (session, grants)

    with django_assert_max_num_queries(10):  # type: ignore[operator]
        assert client.get(reverse(f"engagement:{name}", args=[small.pk])).status_code == 200
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        assert client.get(reverse(f"engagement:{name}", args=[large.pk])).status_code == 200


def test_an_admin_reads_results_like_hr(client: Client, admin: User, survey: Survey) -> None:
    assert signed_in(client, admin).get(pages(survey)[1]).status_code == 200


def test_a_lead_of_a_department_sees_its_teams(client: Client, org: Org, survey: Survey) -> None:
    from tests.people.factories import UserFactory

    head = UserFactory()
    RoleGrantFactory(user=head, role=Role.LEAD, team=org.support)

    html = signed_in(client, head).get(pages(survey)[1]).content.decode()

    assert "Billing" in html and "Tech" in html and "Renewals" not in html
