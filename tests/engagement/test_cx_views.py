"""The engagement ↔ CX page: HR and administrators only; a team under the threshold never appears
as a dot, a table row or a name; bad input gets a message; the query count does not grow."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from qa_platform.people.roles import Role
from tests.conftest import signed_in
from tests.engagement.factories_cx import cx_world
from tests.people.factories import person_with_role

URL = reverse("engagement:engagement_cx")


@pytest.fixture
def world(org):
    return cx_world(org)


def test_hr_sees_the_comparison_with_every_figure(client, hr, world):
    response = signed_in(client, hr).get(URL, {"survey": world.survey.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert 'id="cx-scatter"' in html and "<svg" in html
    analysis = response.context["analysis"]
    assert analysis.teams == 6
    assert analysis.spearman.r is not None and analysis.pearson.r is not None
    assert "Spearman rank correlation" in html and "Pearson correlation" in html
    assert "Correlation is not cause" in html
    assert html.count('class="chart-point scatter-dot"') == 6
    rows = re.findall(r'<tr><th scope="row">(Squad \d)</th>', html)
    assert sorted(rows) == [f"Squad {i}" for i in range(1, 7)]
    assert response.context["drivers"]  # the pulse asks one item per driver


def test_the_page_defaults_to_the_latest_survey(client, hr, world):
    response = signed_in(client, hr).get(URL)
    assert response.status_code == 200
    assert response.context["analysis"].teams == 6


def test_a_team_under_the_threshold_is_never_a_dot_a_row_or_a_name(client, hr, world):
    response = signed_in(client, hr).get(URL, {"survey": world.survey.pk})
    html = response.content.decode()
    assert "Tiny" not in html
    analysis = response.context["analysis"]
    assert world.tiny.pk not in {p.team_id for p in analysis.pairs}
    hidden = [x for x in analysis.exclusions if x.reason == "engagement_hidden"]
    assert hidden and hidden[0].count >= 1 and hidden[0].teams == ()
    for row in response.context["drivers"]:
        assert world.tiny.pk not in {p.team_id for p in row.analysis.pairs}


def test_a_team_with_few_customer_answers_is_left_out_and_named_with_its_n(client, hr, world):
    response = signed_in(client, hr).get(URL, {"survey": world.survey.pk})
    html = response.content.decode()
    assert "Fewer than 30 customer answers in the window." in html
    assert "Squad 9: n = 12" in html


def test_the_customer_minimum_can_be_lowered_on_the_page(client, hr, world):
    response = signed_in(client, hr).get(URL, {"survey": world.survey.pk, "min_n": 10})
    analysis = response.context["analysis"]
    assert world.few_customers.pk in {p.team_id for p in analysis.pairs}
    assert "Tiny" not in response.content.decode()


@pytest.mark.parametrize("cx", ["csat", "nps", "qa"])
@pytest.mark.parametrize("window", ["same", "lagged"])
def test_every_measure_and_window_renders(client, hr, world, cx, window):
    response = signed_in(client, hr).get(
        URL, {"survey": world.survey.pk, "cx": cx, "window": window, "lag": 30}
    )
    assert response.status_code == 200
    assert "analysis" in response.context
    assert "Tiny" not in response.content.decode()


def test_the_lagged_window_that_has_not_ended_says_so(client, hr, world):
    response = signed_in(client, hr).get(
        URL, {"survey": world.survey.pk, "window": "lagged", "lag": 90}
    )
    assert "This window has not ended yet" in response.content.decode()
    # No customer answers after the close: nobody passes, and the reading says so.
    assert response.context["analysis"].reading.verdict == "too_few"


@pytest.mark.parametrize("engagement", ["enps", "driver.growth"])
def test_enps_and_a_driver_can_be_compared(client, hr, world, engagement):
    from qa_platform.engagement import reading

    keys = reading.driver_keys(world.survey)
    chosen = engagement if engagement == "enps" else keys[0]
    response = signed_in(client, hr).get(URL, {"survey": world.survey.pk, "engagement": chosen})
    assert response.status_code == 200
    assert response.context["eng"].key == chosen


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lag": "abc"}, "Days after closing"),
        ({"lag": "0"}, "Days after closing"),
        ({"min_n": "-3"}, "Minimum customer answers"),
        ({"cx": "ces"}, "Customer measure"),
        ({"engagement": "driver.nonsense"}, "Engagement measure"),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_comparison(client, hr, world, params, message):
    response = signed_in(client, hr).get(URL, {"survey": world.survey.pk, **params})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was compared" in html and message in html
    assert "analysis" not in response.context


def test_an_unknown_survey_gets_a_message(client, hr, world):
    response = signed_in(client, hr).get(URL, {"survey": 999999})
    assert response.status_code == 200
    assert "Nothing was compared" in response.content.decode()
    assert "analysis" not in response.context


def test_without_surveys_the_page_says_what_comes(client, hr):
    response = signed_in(client, hr).get(URL)
    assert response.status_code == 200
    assert "No survey results yet" in response.content.decode()


def test_anonymous_user_is_sent_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("role", ["lead", "agent", "qa_manager"])
def test_roles_without_the_right_get_403(client, world, role, request):
    user = request.getfixturevalue(role)
    response = signed_in(client, user).get(URL, {"survey": world.survey.pk})
    assert response.status_code == 403


def test_admin_may_open_it(client, admin, world):
    assert signed_in(client, admin).get(URL, {"survey": world.survey.pk}).status_code == 200


def test_hr_of_a_part_without_any_of_the_surveys_teams_gets_404(client, org, world):
    from tests.people.factories import TeamFactory

    elsewhere = TeamFactory(name="Elsewhere", parent=org.root)
    hr_elsewhere = person_with_role(Role.HR, elsewhere)
    response = signed_in(client, hr_elsewhere).get(URL, {"survey": world.survey.pk})
    assert response.status_code == 404


def test_htmx_request_gets_the_fragment(client, hr, world):
    response = signed_in(client, hr).get(
        URL, {"survey": world.survey.pk}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="cx-correlation"' in html
    assert "Tiny" not in html


def test_the_query_count_does_not_grow_with_teams(client, hr, org, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(client, hr)
    small = cx_world(org, teams=4)
    client.get(URL, {"survey": small.survey.pk})  # warm the session and the grants
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"survey": small.survey.pk})
    big = cx_world(org, teams=14)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"survey": big.survey.pk})
    assert response.context["analysis"].teams == 14
    assert len(few.captured_queries) <= 16
