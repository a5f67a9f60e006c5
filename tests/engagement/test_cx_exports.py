"""Exports of a closed survey's results (CSV of aggregates, PDF report) and the results API:
aggregates only, hidden cells say "hidden", never an individual answer or comment; scoped to the
person's (or token owner's) teams."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from django.urls import reverse

from qa_platform.engagement import exports, reading
from qa_platform.engagement.models import PrivacyMode, Response, Survey, SurveyStatus
from qa_platform.engagement.views_exports import report_context
from qa_platform.people.roles import Role
from tests.conftest import signed_in
from tests.engagement.factories_cx import SECRET_COMMENT, cx_world
from tests.people.factories import ApiTokenFactory, TeamFactory, person_with_role


@pytest.fixture
def world(org):
    return cx_world(org)


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def csv_url(survey):
    return reverse("engagement:results_csv", args=[survey.pk])


def pdf_url(survey):
    return reverse("engagement:results_pdf", args=[survey.pk])


# --- CSV ----------------------------------------------------------------------------------------


def test_hr_downloads_every_team_and_item_with_n_and_value(client, hr, world):
    response = signed_in(client, hr).get(csv_url(world.survey))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == list(exports.CSV_HEADER)
    squad = world.shown[0]
    index = next(r for r in rows if r["team_id"] == str(squad.pk) and r["item_key"] == "index")
    expected = reading.team_results(world.survey, "index", [squad.pk])[squad.pk].figure
    assert index["n"] == str(expected.n) == "8"
    assert index["value"] == f"{expected.value:.1f}"
    items = {r["item_key"] for r in rows}
    assert {"index", "enps"} <= items
    assert any(k.startswith("driver.") for k in items)
    teams = {r["team_id"] for r in rows}
    assert len(teams) == len(reading.visible_result_teams(world.survey, hr))


def test_a_hidden_team_is_hidden_in_the_csv_without_n_or_value(client, hr, world):
    rows = csv_rows(signed_in(client, hr).get(csv_url(world.survey)))
    tiny = [r for r in rows if r["team_id"] == str(world.tiny.pk)]
    assert tiny
    for r in tiny:
        assert r["value"] == "hidden"
        assert r["n"] == "" and r["low_95"] == "" and r["high_95"] == ""
        assert r["note"]


@pytest.mark.parametrize("privacy", [PrivacyMode.ANONYMOUS, PrivacyMode.CONFIDENTIAL])
def test_the_csv_never_holds_individual_answers_or_comments(client, hr, org, privacy):
    world = cx_world(org)
    Survey.objects.filter(pk=world.survey.pk).update(privacy=privacy)
    text = signed_in(client, hr).get(csv_url(world.survey)).content.decode()
    assert SECRET_COMMENT not in text
    for response_id in Response.objects.filter(survey=world.survey).values_list("pk", flat=True):
        assert str(response_id) not in text
    # One row per team and item: no row per response.
    rows = csv_rows(signed_in(client, hr).get(csv_url(world.survey)))
    pairs = [(r["team_id"], r["item_key"]) for r in rows]
    assert len(pairs) == len(set(pairs))


def test_a_lead_gets_only_their_subtree(client, org, world):
    lead = person_with_role(Role.LEAD, org.sales)
    rows = csv_rows(signed_in(client, lead).get(csv_url(world.survey)))
    teams = {int(r["team_id"]) for r in rows}
    assert world.shown[0].pk not in teams  # under Support
    assert world.few_customers.pk in teams and world.tiny.pk in teams
    assert all(r["value"] == "hidden" for r in rows if r["team_id"] == str(world.tiny.pk))


def test_a_lead_of_a_team_outside_the_survey_gets_404(client, org, world):
    elsewhere = TeamFactory(name="Elsewhere", parent=org.root)
    lead = person_with_role(Role.LEAD, elsewhere)
    assert signed_in(client, lead).get(csv_url(world.survey)).status_code == 404


def test_an_agent_gets_403(client, agent, world):
    assert signed_in(client, agent).get(csv_url(world.survey)).status_code == 403


def test_a_survey_not_closed_is_not_found(client, hr, world):
    Survey.objects.filter(pk=world.survey.pk).update(status=SurveyStatus.OPEN)
    assert signed_in(client, hr).get(csv_url(world.survey)).status_code == 404
    assert (
        signed_in(client, hr).get(reverse("engagement:results_csv", args=[999999])).status_code
        == 404
    )


def test_anonymous_user_is_sent_to_sign_in_for_exports(client, world):
    for url in (csv_url(world.survey), pdf_url(world.survey)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_text_that_a_spreadsheet_would_run_is_defused(client, hr, world):
    Survey.objects.filter(pk=world.survey.pk).update(title="=HYPERLINK(1)")
    rows = csv_rows(signed_in(client, hr).get(csv_url(world.survey)))
    assert rows[0]["survey"] == "'=HYPERLINK(1)"


# --- PDF ----------------------------------------------------------------------------------------


def test_hr_downloads_the_organisation_report_as_a_pdf(client, hr, world):
    response = signed_in(client, hr).get(pdf_url(world.survey))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_report_marks_hidden_teams_and_holds_no_comment(hr, org, world):
    from django.template.loader import render_to_string

    teams = reading.visible_result_teams(world.survey, hr)
    context = report_context(world.survey, teams, org.root, hr)
    html = render_to_string("engagement/cx/report_pdf.html", context)
    assert SECRET_COMMENT not in html
    assert "the whole organisation" in html
    tiny_cells = next(cells for team, cells in context["grid"] if team.pk == world.tiny.pk)
    assert tiny_cells and all(not c.shown and c.value is None for c in tiny_cells)
    row = html[html.index('<th scope="row">Tiny</th>') :].split("</tr>")[0]
    assert "hidden" in row and "n =" not in row


def test_a_team_report_covers_the_team_and_its_subtree(client, hr, org, world):
    response = signed_in(client, hr).get(pdf_url(world.survey), {"team": org.sales.pk})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    teams = reading.visible_result_teams(world.survey, hr)
    context = report_context(world.survey, teams, org.sales, hr)
    assert {t.pk for t, _ in context["grid"]} >= {world.tiny.pk, world.few_customers.pk}
    assert world.shown[0].pk not in {t.pk for t, _ in context["grid"]}


def test_a_lead_cannot_get_the_report_of_a_team_outside_their_reach(client, org, world):
    lead = person_with_role(Role.LEAD, org.sales)
    client = signed_in(client, lead)
    assert client.get(pdf_url(world.survey), {"team": org.support.pk}).status_code == 404
    assert client.get(pdf_url(world.survey), {"team": "abc"}).status_code == 404
    assert client.get(pdf_url(world.survey)).status_code == 200


def test_an_agent_cannot_get_the_report(client, agent, world):
    assert signed_in(client, agent).get(pdf_url(world.survey)).status_code == 403


# --- API ----------------------------------------------------------------------------------------


_keys = itertools.count()


def api(client, user, path):
    key = f"qap_cx_{next(_keys):06d}_{user.pk}"
    ApiTokenFactory(user=user, key=key)
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {key}"})


def test_the_api_lists_surveys_with_results_the_token_may_read(client, hr, world):
    response = api(client, hr, "/engagement/surveys")
    assert response.status_code == 200
    body = response.json()
    assert [s["id"] for s in body] == [world.survey.pk]
    assert body[0]["results_url"].endswith(f"/engagement/surveys/{world.survey.pk}/results")


def test_the_api_results_are_aggregates_with_hidden_cells_empty(client, hr, world):
    response = api(client, hr, f"/engagement/surveys/{world.survey.pk}/results")
    assert response.status_code == 200
    body = response.json()
    assert SECRET_COMMENT not in response.content.decode()
    teams = {t["team_id"]: t for t in body["teams"]}
    tiny = teams[world.tiny.pk]["items"]
    assert tiny and all(
        i["status"] == "hidden" and i["value"] is None and i["n"] is None for i in tiny
    )
    squad = {i["item_key"]: i for i in teams[world.shown[0].pk]["items"]}
    assert squad["index"]["status"] == "shown" and squad["index"]["n"] == 8


def test_the_api_scopes_a_leads_token_to_their_subtree(client, org, world):
    lead = person_with_role(Role.LEAD, org.sales)
    body = api(client, lead, f"/engagement/surveys/{world.survey.pk}/results").json()
    assert world.shown[0].pk not in {t["team_id"] for t in body["teams"]}
    elsewhere = person_with_role(Role.LEAD, TeamFactory(name="Elsewhere", parent=org.root))
    assert api(client, elsewhere, "/engagement/surveys").json() == []
    assert (
        api(client, elsewhere, f"/engagement/surveys/{world.survey.pk}/results").status_code == 404
    )


def test_the_api_refuses_an_agents_token_and_no_token(client, agent, world):
    assert api(client, agent, "/engagement/surveys").status_code == 403
    assert api(client, agent, f"/engagement/surveys/{world.survey.pk}/results").status_code == 403
    assert client.get("/api/v1/engagement/surveys").status_code == 401


def test_the_api_says_not_found_for_a_survey_without_results(client, hr, world):
    Survey.objects.filter(pk=world.survey.pk).update(status=SurveyStatus.OPEN)
    assert api(client, hr, f"/engagement/surveys/{world.survey.pk}/results").status_code == 404
