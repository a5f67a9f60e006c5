"""HR's survey pages: list, create, builder (htmx rows), population, schedule, preview, launch,
close, the HR home card and the navigation entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.engagement import publishing
from qa_platform.engagement.models import Invitation, Survey, SurveyStatus
from qa_platform.engagement.services import surveys as services
from qa_platform.people.models import User
from qa_platform.people.roles import Role
from tests.conftest import Org, signed_in
from tests.engagement.factories import launched_survey, make_survey, team_with_members
from tests.people.factories import person_with_role

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LIST = "/engagement/manage/"
NEW = "/engagement/manage/new/"


def url(name: str, survey: Survey, *args: Any) -> str:
    return reverse(f"engagement:{name}", args=[survey.pk, *args])


SURVEY_PAGES = [
    "manage_builder",
    "manage_population",
    "manage_schedule",
    "manage_preview",
    "manage_launch",
    "manage_close",
]


@pytest.fixture
def survey(org: Org, hr: User) -> Survey:
    return make_survey(title="Autumn pulse", teams=[org.team], actor=hr)


@pytest.fixture
def sales_hr(org: Org) -> User:
    """HR for the Sales department only: Support's surveys are not theirs."""
    return person_with_role(Role.HR, org.sales, email="hr-sales@example.test")


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SURVEY_PAGES)
def test_anonymous_is_sent_to_sign_in(client: Client, survey: Survey, name: str) -> None:
    for target in (LIST, NEW, url(name, survey)):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", SURVEY_PAGES)
def test_roles_without_the_right_are_forbidden(
    client: Client, survey: Survey, lead: User, agent: User, name: str
) -> None:
    for user in (lead, agent):
        signed_in(client, user)
        assert client.get(LIST).status_code == 403
        assert client.get(url(name, survey)).status_code == 403


@pytest.mark.parametrize("name", SURVEY_PAGES)
def test_hr_of_another_department_gets_404_for_a_survey_of_teams_they_do_not_reach(
    client: Client, survey: Survey, sales_hr: User, name: str
) -> None:
    assert signed_in(client, sales_hr).get(url(name, survey)).status_code == 404


def test_hr_of_the_whole_organisation_sees_surveys_of_other_hr_people(
    client: Client, org: Org, hr: User, sales_hr: User
) -> None:
    make_survey(actor=sales_hr, title="Sales draft")
    assert "Sales draft" in signed_in(client, hr).get(LIST).content.decode()


def test_hr_of_another_department_cannot_change_a_survey(
    client: Client, survey: Survey, sales_hr: User
) -> None:
    question = survey.questions.first()
    assert question is not None
    signed_in(client, sales_hr)
    response = client.post(url("manage_question_remove", survey, question.pk))
    assert response.status_code == 404
    assert survey.questions.filter(pk=question.pk).exists()
    assert "Autumn pulse" not in client.get(LIST).content.decode()


@pytest.mark.parametrize("name", SURVEY_PAGES)
def test_an_administrator_opens_every_page(
    client: Client, survey: Survey, admin: User, name: str
) -> None:
    assert signed_in(client, admin).get(url(name, survey)).status_code == 200


# --- List -------------------------------------------------------------------------------------


def test_the_list_shows_status_dates_invited_and_a_rate_only_from_five_invited(
    client: Client, org: Org, hr: User
) -> None:
    big, people = team_with_members(org.support, 6)
    small, _ = team_with_members(org.support, 3)
    wide = launched_survey(teams=[big], actor=hr, title="Wide survey")
    launched_survey(teams=[small], actor=hr, title="Small survey")
    make_survey(actor=hr, title="Draft survey")
    Invitation.objects.filter(survey=wide, person__in=people[:3]).update(submitted=True)
    page = signed_in(client, hr).get(LIST).content.decode()
    assert "Wide survey" in page and "50.0%" in page
    assert "Small survey" in page and "Too few invited" in page
    assert "Draft survey" in page and "Draft" in page
    for person in people:  # never who responded
        assert person.email not in page and person.full_name not in page


def test_the_list_query_count_does_not_grow_with_surveys(
    client: Client, org: Org, hr: User, django_assert_max_num_queries: Any
) -> None:
    team, _ = team_with_members(org.support, 5)
    launched_survey(teams=[team], actor=hr, title="One")
    signed_in(client, hr)
    client.get(LIST)
    with django_assert_max_num_queries(6):
        assert client.get(LIST).status_code == 200
    for n in range(12):
        launched_survey(teams=[team], actor=hr, title=f"Survey {n}")
    with django_assert_max_num_queries(6):
        page = client.get(LIST).content.decode()
    assert "Survey 11" in page


def test_the_list_htmx_request_gets_the_results_fragment(client: Client, hr: User) -> None:
    make_survey(actor=hr, title="Fragment survey")
    response = signed_in(client, hr).get(LIST, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "Fragment survey" in body


def test_an_empty_list_says_what_to_do_next(client: Client, hr: User) -> None:
    body = signed_in(client, hr).get(LIST).content.decode()
    assert "No surveys yet" in body and NEW in body


# --- Create -----------------------------------------------------------------------------------


def test_hr_creates_a_survey_from_a_template(client: Client, hr: User) -> None:
    signed_in(client, hr)
    assert "Full engagement survey" in client.get(NEW).content.decode()
    response = client.post(NEW, {"title": "Spring", "template_key": "full"})
    survey = Survey.objects.get(title="Spring")
    assert response.status_code == 302 and response["Location"] == url("manage_builder", survey)
    assert survey.questions.count() > 30 and survey.created_by == hr


def test_creating_without_a_title_or_with_an_unknown_template_shows_errors(
    client: Client, hr: User
) -> None:
    response = signed_in(client, hr).post(NEW, {"title": "", "template_key": "nope"})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not Survey.objects.exists()


# --- Builder ----------------------------------------------------------------------------------


def test_the_builder_shows_settings_questions_and_the_bank_grouped_by_driver(
    client: Client, survey: Survey, hr: User
) -> None:
    body = signed_in(client, hr).get(url("manage_builder", survey)).content.decode()
    assert "Save settings" in body and "I am proud to tell people where I work." in body
    assert 'optgroup label="Driver: Customer focus"' in body
    assert "Launch…" in body


def test_settings_are_saved_and_bad_thresholds_explained(
    client: Client, survey: Survey, hr: User
) -> None:
    signed_in(client, hr)
    data = {
        "title": "Autumn pulse",
        "introduction": "Thanks!",
        "privacy": "confidential",
        "score_threshold": "2",
        "comment_threshold": "10",
    }
    response = client.post(url("manage_builder", survey), data)
    assert response.status_code == 400
    assert "cannot be below 3" in response.content.decode()
    survey.refresh_from_db()
    assert survey.privacy == "anonymous"
    data["score_threshold"] = "6"
    response = client.post(url("manage_builder", survey), data)
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.privacy == "confidential" and survey.score_threshold == 6


def test_settings_by_htmx_return_the_settings_fragment(
    client: Client, survey: Survey, hr: User
) -> None:
    data = {
        "title": "",
        "privacy": "anonymous",
        "score_threshold": "5",
        "comment_threshold": "10",
    }
    response = signed_in(client, hr).post(url("manage_builder", survey), data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 400 and "<html" not in body and 'id="settings"' in body


def test_adding_a_bank_question_by_htmx_returns_the_questions_fragment(
    client: Client, survey: Survey, hr: User
) -> None:
    response = signed_in(client, hr).post(
        url("manage_question_add_bank", survey), {"key": "driver.tools.systems"}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="questions"' in body
    assert "The systems I use help me more than they slow me down." in body
    assert survey.questions.filter(key="driver.tools.systems").exists()


def test_adding_a_question_without_javascript_redirects_back(
    client: Client, survey: Survey, hr: User
) -> None:
    response = signed_in(client, hr).post(
        url("manage_question_add_own", survey),
        {
            "text": "Which channel do you work on most?",
            "scale": "single_choice",
            "options": "Phone\nChat",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url("manage_builder", survey))
    question = survey.questions.get(key="own.which_channel_do_you_work_on_most")
    assert question.options == ["Phone", "Chat"]


def test_a_bad_own_question_shows_the_reason_and_adds_nothing(
    client: Client, survey: Survey, hr: User
) -> None:
    count = survey.questions.count()
    response = signed_in(client, hr).post(
        url("manage_question_add_own", survey),
        {"text": "Pick one", "scale": "single_choice", "options": "Only"},
        **HTMX,
    )
    assert response.status_code == 400 and "at least two options" in response.content.decode()
    assert survey.questions.count() == count


def test_moving_and_removing_questions_and_sections(
    client: Client, survey: Survey, hr: User
) -> None:
    signed_in(client, hr)
    first, second = list(survey.questions.order_by("order"))[:2]
    client.post(url("manage_question_move", survey, second.pk), {"direction": "up"}, **HTMX)
    assert list(survey.questions.order_by("order").values_list("pk", flat=True))[:2] == [
        second.pk,
        first.pk,
    ]
    client.post(url("manage_question_remove", survey, first.pk))
    assert not survey.questions.filter(pk=first.pk).exists()
    client.post(url("manage_section_add", survey), {"title": "Extra"})
    extra = survey.sections.get(title="Extra")
    client.post(url("manage_section_move", survey, extra.pk), {"direction": "up"})
    assert list(survey.sections.order_by("order"))[-2] == extra
    client.post(url("manage_section_remove", survey, extra.pk), **HTMX)
    assert not survey.sections.filter(pk=extra.pk).exists()


def test_a_launched_survey_shows_settings_read_only_and_refuses_changes(
    client: Client, org: Org, hr: User
) -> None:
    team, _ = team_with_members(org.support, 2)
    survey = launched_survey(teams=[team], actor=hr)
    signed_in(client, hr)
    body = client.get(url("manage_builder", survey)).content.decode()
    assert "Locked since launch" in body and "Save settings" not in body
    assert "Add question" not in body
    question = survey.questions.first()
    assert question is not None
    response = client.post(url("manage_question_remove", survey, question.pk), **HTMX)
    assert response.status_code == 400 and "locked at launch" in response.content.decode()
    assert survey.questions.filter(pk=question.pk).exists()
    response = client.post(
        url("manage_builder", survey),
        {
            "title": survey.title,
            "privacy": "identifiable",
            "score_threshold": "5",
            "comment_threshold": "10",
        },
    )
    assert response.status_code == 400 and "locked at launch" in response.content.decode()
    assert AuditEvent.objects.filter(action=services.LOCKED_REFUSED, actor=hr).count() == 2
    assert Survey.objects.get(pk=survey.pk).privacy == "anonymous"


# --- Population and schedule ------------------------------------------------------------------


def test_the_population_picker_lists_teams_with_member_counts_and_saves(
    client: Client, org: Org, hr: User, agent: User
) -> None:
    survey = make_survey(actor=hr)
    signed_in(client, hr)
    body = client.get(url("manage_population", survey)).content.decode()
    assert "Billing" in body and "Renewals" in body
    response = client.post(url("manage_population", survey), {"teams": [org.support.pk]})
    assert response.status_code == 302
    assert list(survey.teams.all()) == [org.support]


def test_the_population_picker_refuses_teams_out_of_reach(
    client: Client, org: Org, sales_hr: User
) -> None:
    survey = make_survey(actor=sales_hr)
    response = signed_in(client, sales_hr).post(
        url("manage_population", survey), {"teams": [org.team.pk]}
    )
    assert response.status_code == 400 and "Choose only teams listed here" in (
        response.content.decode()
    )
    assert not survey.teams.exists()


def test_the_schedule_is_saved_and_a_close_before_the_open_refused(
    client: Client, survey: Survey, hr: User
) -> None:
    signed_in(client, hr)
    response = client.post(
        url("manage_schedule", survey),
        {"opens_at": "2030-05-02T09:00", "closes_at": "2030-05-01T09:00", "reminder_days": ""},
    )
    assert response.status_code == 400 and "close after it opens" in response.content.decode()
    response = client.post(
        url("manage_schedule", survey),
        {"opens_at": "2030-05-01T09:00", "closes_at": "2030-05-15T17:00", "reminder_days": "7, 2"},
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.reminder_days == [7, 2] and survey.closes_at is not None


def test_after_launch_the_schedule_only_extends_the_close_date(
    client: Client, org: Org, hr: User
) -> None:
    team, _ = team_with_members(org.support, 2)
    survey = launched_survey(teams=[team], actor=hr)
    assert survey.closes_at is not None
    signed_in(client, hr)
    earlier = timezone.localtime(survey.closes_at - dt.timedelta(days=1))
    response = client.post(
        url("manage_schedule", survey), {"closes_at": earlier.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 400 and "only be moved later" in response.content.decode()
    later = timezone.localtime(survey.closes_at + dt.timedelta(days=3))
    response = client.post(
        url("manage_schedule", survey), {"closes_at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    assert Survey.objects.get(pk=survey.pk).closes_at > survey.closes_at  # type: ignore[operator]


# --- Preview, launch, close -------------------------------------------------------------------


def test_the_preview_renders_the_first_page_and_every_question_read_only(
    client: Client, survey: Survey, hr: User
) -> None:
    body = signed_in(client, hr).get(url("manage_preview", survey)).content.decode()
    # The same privacy notice as the respondents' first page and receipt.
    assert "Your privacy: anonymous survey" in body
    assert "at least <strong>5</strong> people answered" in body
    assert "<fieldset disabled>" in body
    for question in survey.questions.all():
        assert question.text.split("(")[0].strip()[:40] in body


def test_the_launch_page_says_what_locks_then_launches(client: Client, org: Org, hr: User) -> None:
    team, _ = team_with_members(org.support, 3)
    survey = make_survey(teams=[team], actor=hr)
    signed_in(client, hr)
    body = client.get(url("manage_launch", survey)).content.decode()
    assert "3 people" in body and "the privacy mode and the reporting thresholds" in body
    response = client.post(url("manage_launch", survey))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN and survey.invited_count == 3


def test_the_launch_page_lists_what_is_missing(client: Client, hr: User) -> None:
    survey = make_survey(template_key="blank", actor=hr)
    signed_in(client, hr)
    body = client.get(url("manage_launch", survey)).content.decode()
    assert "Add at least one question." in body and "Launch and lock" not in body
    response = client.post(url("manage_launch", survey))
    assert response.status_code == 400
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.DRAFT


def test_hr_closes_a_survey_early(
    client: Client, org: Org, hr: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(publishing, "compute_results", lambda survey: calls.append(survey.pk))
    team, _ = team_with_members(org.support, 2)
    survey = launched_survey(teams=[team], actor=hr)
    signed_in(client, hr)
    assert "Close the survey now" in client.get(url("manage_close", survey)).content.decode()
    response = client.post(url("manage_close", survey))
    assert response.status_code == 302
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.CLOSED
    assert calls == [survey.pk]
    response = client.post(url("manage_close", survey))
    assert response.status_code == 400 and "already closed" in response.content.decode()


# --- Home card and navigation -----------------------------------------------------------------


def test_the_hr_home_lists_the_latest_surveys(client: Client, org: Org, hr: User) -> None:
    make_survey(actor=hr, title="Home card survey")
    body = signed_in(client, hr).get(reverse("home_hr")).content.decode()
    assert "Home card survey" in body and LIST in body


def test_the_hr_home_card_is_empty_with_a_next_step(client: Client, hr: User) -> None:
    body = signed_in(client, hr).get(reverse("home_hr")).content.decode()
    assert "No surveys yet" in body and NEW in body


def test_hr_and_admins_see_surveys_in_the_navigation(client: Client, hr: User, lead: User) -> None:
    assert f'href="{LIST}"' in signed_in(client, hr).get(LIST).content.decode()
    body = signed_in(client, lead).get(reverse("home")).content.decode()
    assert f'href="{LIST}"' not in body
