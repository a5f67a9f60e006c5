"""Answering views: My surveys, the form step by step (htmx and plain POST), the review and submit,
the thank-you page, the invitation link and the anonymity receipt; and the home card."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qa_platform.engagement.models import (
    Invitation,
    PrivacyMode,
    Response,
    Survey,
    SurveyStatus,
)
from qa_platform.people.models import User
from tests.engagement.factories_answer import (
    SMALL_ANSWERS,
    full_answers,
    invite,
    small_survey,
    survey_from_template,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def answer_url(survey: Survey, step: int | None = None) -> str:
    url = reverse("engagement:answer", args=[survey.pk])
    return url if step is None else f"{url}?step={step}"


def section_post(step: int, answers: dict[str, Any], action: str = "next") -> dict[str, Any]:
    data: dict[str, Any] = {"step": str(step), "action": action}
    for key, value in answers.items():
        data[f"q-{key}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


FIRST = {k: SMALL_ANSWERS[k] for k in ("index.pride", "index.stay", "enps.score")}
SECOND = {k: SMALL_ANSWERS[k] for k in ("own.shift", "own.channels", "comment.other")}


# --- The form -------------------------------------------------------------------------------


def test_the_first_page_shows_the_privacy_mode_and_thresholds_before_any_question(
    client: Client, agent: User
) -> None:
    survey = small_survey(privacy=PrivacyMode.ANONYMOUS)
    invite(survey, agent)

    response = signed_in(client, agent).get(answer_url(survey))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your privacy: anonymous survey" in html
    assert "at least <strong>5</strong> people answered" in html
    assert "at least <strong>10</strong> people in the group commented" in html
    assert "No link between you and your answers exists" in html
    assert "Start the survey" in html
    assert "Question about index.pride" not in html


def test_a_section_shows_progress_and_one_fieldset_with_a_legend_per_question(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invite(survey, agent)

    html = signed_in(client, agent).get(answer_url(survey, 1)).content.decode()

    assert "Section 1 of 2" in html
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    assert 'type="radio"' in html and "Strongly agree" in html
    assert 'name="q-enps.score" value="10"' in html


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, agent: User) -> None:
    survey = small_survey()
    invite(survey, agent)
    for url in (
        answer_url(survey),
        reverse("engagement:receipt", args=[survey.pk]),
        reverse("engagement:my_surveys"),
        reverse("engagement:answer_token", args=["whatever"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_person_not_invited_gets_404_whatever_their_role(
    client: Client, agent: User, other_team_agent: User, hr: User
) -> None:
    survey = small_survey()
    invite(survey, agent)
    for person in (other_team_agent, hr):
        signed_in(client, person)
        for url in (
            answer_url(survey),
            reverse("engagement:receipt", args=[survey.pk]),
            reverse("engagement:answer_thanks", args=[survey.pk]),
        ):
            assert client.get(url).status_code == 404
        post = client.post(answer_url(survey), section_post(1, FIRST))
        assert post.status_code == 404
        assert client.post(reverse("engagement:answer_submit", args=[survey.pk])).status_code == 404


def test_a_survey_still_in_draft_is_not_reachable_even_with_an_invitation(
    client: Client, agent: User
) -> None:
    survey = small_survey(status=SurveyStatus.DRAFT)
    invite(survey, agent)
    assert signed_in(client, agent).get(answer_url(survey)).status_code == 404


def test_a_plain_post_saves_the_section_and_redirects_to_the_next(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)

    response = signed_in(client, agent).post(answer_url(survey), section_post(1, FIRST))

    assert response.status_code == 302 and response["Location"] == answer_url(survey, 2)
    invitation.refresh_from_db()
    assert invitation.draft == FIRST


def test_an_htmx_post_saves_and_returns_the_next_section_as_a_fragment(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)

    response = signed_in(client, agent).post(
        answer_url(survey), section_post(1, FIRST), headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="answer-step"' in html and "Section 2 of 2" in html
    assert response["HX-Push-Url"] == answer_url(survey, 2)
    invitation.refresh_from_db()
    assert invitation.draft == FIRST


def test_back_saves_and_returns_to_the_previous_section(client: Client, agent: User) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    response = signed_in(client, agent).post(
        answer_url(survey), section_post(2, {"own.shift": 2}, action="back")
    )
    assert response["Location"] == answer_url(survey, 1)
    invitation.refresh_from_db()
    assert invitation.draft == {"own.shift": 2}


def test_an_invalid_answer_shows_the_error_linked_to_the_question_and_keeps_what_was_typed(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    question = survey.questions.get(key="comment.other")
    long_comment = "x" * 5001
    data = section_post(2, {"own.shift": 1, "own.channels": [0, 0], "comment.other": long_comment})

    response = signed_in(client, agent).post(answer_url(survey), data)

    html = response.content.decode()
    assert response.status_code == 200
    channels = survey.questions.get(key="own.channels")
    assert f'aria-describedby="q-{channels.pk}-hint q-{channels.pk}-error"' in html
    assert "Tick each option at most once." in html
    assert f'id="q-{question.pk}-error"' in html and "5,001" in html
    assert long_comment in html  # nothing typed is lost
    assert (
        f'id="q-{survey.questions.get(key="own.shift").pk}-1" name="q-own.shift" value="1" checked'
        in html
    )
    invitation.refresh_from_db()
    assert invitation.draft == {}


def test_the_autosave_endpoint_saves_on_change_and_says_so(client: Client, agent: User) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    url = reverse("engagement:answer_save", args=[survey.pk])

    response = signed_in(client, agent).post(url, section_post(1, {"index.pride": 4}), headers=HTMX)

    assert response.status_code == 200 and "Saved." in response.content.decode()
    assert "<html" not in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.draft == {"index.pride": 4}
    bad = client.post(url, section_post(1, {"index.pride": 9}), headers=HTMX)
    assert "Not saved yet" in bad.content.decode()
    invitation.refresh_from_db()
    assert invitation.draft == {"index.pride": 4}


def test_coming_back_resumes_at_the_first_section_with_a_question_left(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    Invitation.objects.filter(pk=invitation.pk).update(draft=FIRST)

    html = signed_in(client, agent).get(answer_url(survey)).content.decode()

    assert "Section 2 of 2" in html
    assert 'value="5" checked' not in html  # the second section's questions are shown


def test_saved_answers_are_checked_again_when_the_section_is_opened(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    Invitation.objects.filter(pk=invitation.pk).update(draft=FIRST)
    pride = survey.questions.get(key="index.pride")

    html = signed_in(client, agent).get(answer_url(survey, 1)).content.decode()

    assert f'id="q-{pride.pk}-5" name="q-index.pride" value="5" checked' in html


def test_the_review_lists_answers_and_flags_the_required_ones_missing(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    Invitation.objects.filter(pk=invitation.pk).update(draft=FIRST)

    html = signed_in(client, agent).get(answer_url(survey, 3)).content.decode()

    assert "Check your answers" in html and "Strongly agree" in html and "9 out of 10" in html
    assert "2 required questions still need an answer" in html
    assert "Submit my answers" in html


def test_submitting_stores_the_response_and_shows_the_thank_you_page(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    signed_in(client, agent)
    client.post(answer_url(survey), section_post(1, FIRST))
    client.post(answer_url(survey), section_post(2, SECOND))

    response = client.post(reverse("engagement:answer_submit", args=[survey.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("engagement:answer_thanks", args=[survey.pk])
    assert "Your answers are submitted" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.submitted and invitation.draft == {}
    stored = Response.objects.get(survey=survey)
    assert stored.respondent_id is None and stored.answers.count() == 6


def test_submitting_with_a_required_answer_missing_shows_the_review_with_the_question(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    Invitation.objects.filter(pk=invitation.pk).update(draft=FIRST)

    response = signed_in(client, agent).post(reverse("engagement:answer_submit", args=[survey.pk]))

    assert response.status_code == 200
    assert "Question about own.shift?" in response.content.decode()
    assert not Response.objects.exists()


def test_a_second_submission_shows_a_clear_message(client: Client, agent: User) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    Invitation.objects.filter(pk=invitation.pk).update(draft=SMALL_ANSWERS)
    signed_in(client, agent)
    client.post(reverse("engagement:answer_submit", args=[survey.pk]))

    again = client.post(reverse("engagement:answer_submit", args=[survey.pk]), follow=True)

    html = again.content.decode()
    assert "You have already answered this survey" in html
    assert "this second submission was not saved" in html
    assert Response.objects.filter(survey=survey).count() == 1
    assert (
        "You have already answered this survey" in client.get(answer_url(survey)).content.decode()
    )


def test_a_section_posted_after_submitting_is_refused_with_a_message(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    Invitation.objects.filter(pk=invitation.pk).update(submitted=True)

    response = signed_in(client, agent).post(
        answer_url(survey), section_post(1, FIRST), follow=True
    )

    assert "this second submission was not saved" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.draft == {}


@pytest.mark.parametrize(
    "status,words", [(SurveyStatus.SCHEDULED, "not open yet"), (SurveyStatus.CLOSED, "has closed")]
)
def test_a_survey_outside_its_open_period_says_so_and_takes_no_answers(
    client: Client, agent: User, status: str, words: str
) -> None:
    survey = small_survey(status=status)
    invite(survey, agent)
    signed_in(client, agent)

    assert words in client.get(answer_url(survey)).content.decode()
    posted = client.post(reverse("engagement:answer_submit", args=[survey.pk]), follow=True)
    assert words in posted.content.decode()
    assert not Response.objects.exists()


def test_the_form_page_runs_a_fixed_number_of_queries_for_a_full_survey(
    client: Client, agent: User, django_assert_max_num_queries: Any
) -> None:
    survey = survey_from_template("full")
    invitation = invite(survey, agent)
    Invitation.objects.filter(pk=invitation.pk).update(draft=full_answers(survey))
    signed_in(client, agent)
    client.get(answer_url(survey, 1))  # warm the session

    for step in (1, 5, 14):
        with django_assert_max_num_queries(12):
            assert client.get(answer_url(survey, step)).status_code == 200


def test_submitting_runs_a_fixed_number_of_queries_for_a_full_survey(
    client: Client, agent: User, django_assert_max_num_queries: Any
) -> None:
    survey = survey_from_template("full")
    invitation = invite(survey, agent)
    Invitation.objects.filter(pk=invitation.pk).update(draft=full_answers(survey))
    signed_in(client, agent)

    with django_assert_max_num_queries(12):
        response = client.post(reverse("engagement:answer_submit", args=[survey.pk]))

    assert response.status_code == 302
    assert Response.objects.get(survey=survey).answers.count() == survey.questions.count()


# --- The invitation link --------------------------------------------------------------------


def test_the_invitation_link_opens_the_form_for_the_invited_person(
    client: Client, agent: User
) -> None:
    survey = small_survey()
    invite(survey, agent, token="secret-token-1")

    response = signed_in(client, agent).get(
        reverse("engagement:answer_token", args=["secret-token-1"])
    )

    assert response.status_code == 302 and response["Location"] == answer_url(survey)


def test_the_invitation_link_is_404_for_anyone_else_and_for_a_wrong_token(
    client: Client, agent: User, lead: User
) -> None:
    survey = small_survey()
    invite(survey, agent, token="secret-token-2")
    invite(survey, lead, token="secret-token-3")
    signed_in(client, lead)
    assert (
        client.get(reverse("engagement:answer_token", args=["secret-token-2"])).status_code == 404
    )
    assert client.get(reverse("engagement:answer_token", args=["nope"])).status_code == 404


# --- My surveys, the receipt, the home card -------------------------------------------------


def test_my_surveys_lists_open_invitations_with_their_state(client: Client, agent: User) -> None:
    waiting = small_survey()
    waiting.title = "Spring pulse"
    waiting.save()
    done = survey_from_template("pulse", title="Winter pulse")
    closed = survey_from_template("pulse", title="Old survey", status=SurveyStatus.CLOSED)
    invite(waiting, agent)
    Invitation.objects.filter(pk=invite(done, agent).pk).update(submitted=True)
    invite(closed, agent)

    html = signed_in(client, agent).get(reverse("engagement:my_surveys")).content.decode()

    assert "Spring pulse" in html and "Not started" in html
    assert "Winter pulse" in html and "Answered" in html
    assert "Old survey" not in html


def test_my_surveys_says_so_when_nothing_is_open(client: Client, agent: User) -> None:
    signed_in(client, agent)
    assert "No open surveys" in client.get(reverse("engagement:my_surveys")).content.decode()


@pytest.mark.parametrize(
    "privacy,says",
    [
        (PrivacyMode.ANONYMOUS, "No link between you and your answers exists"),
        (PrivacyMode.CONFIDENTIAL, "Nobody can see your individual answers in the product"),
        (PrivacyMode.IDENTIFIABLE, "HR and administrators can see your individual answers"),
    ],
)
def test_the_receipt_says_who_sees_what_at_which_threshold_for_each_mode(
    client: Client, agent: User, privacy: str, says: str
) -> None:
    survey = small_survey(privacy=privacy)
    Survey.objects.filter(pk=survey.pk).update(score_threshold=7, comment_threshold=12)
    invite(survey, agent)

    html = (
        signed_in(client, agent)
        .get(reverse("engagement:receipt", args=[survey.pk]))
        .content.decode()
    )

    assert "Anonymity receipt" in html and says in html
    assert "at least <strong>7</strong> people answered" in html
    assert "at least <strong>12</strong> people in the group commented" in html
    assert "at least <strong>5</strong> people were invited" in html
    assert "No IP address and no exact time are kept" in html
    assert "Team leads" in html and "HR and administrators" in html


def test_the_receipt_stays_open_after_the_survey_closed(client: Client, agent: User) -> None:
    survey = small_survey(status=SurveyStatus.CLOSED)
    invite(survey, agent)
    response = signed_in(client, agent).get(reverse("engagement:receipt", args=[survey.pk]))
    assert response.status_code == 200


def test_the_agent_home_lists_surveys_to_answer_with_a_link(client: Client, agent: User) -> None:
    waiting = small_survey()
    done = survey_from_template("pulse", title="Answered pulse")
    invite(waiting, agent)
    Invitation.objects.filter(pk=invite(done, agent).pk).update(submitted=True)

    html = signed_in(client, agent).get(reverse("home"), follow=True).content.decode()

    assert "Surveys to answer" in html
    assert f'href="{answer_url(waiting)}"' in html
    assert "Answered pulse" not in html


def test_the_lead_home_lists_surveys_to_answer_too(client: Client, lead: User) -> None:
    survey = small_survey()
    invite(survey, lead)
    html = signed_in(client, lead).get(reverse("home"), follow=True).content.decode()
    assert "Surveys to answer" in html and f'href="{answer_url(survey)}"' in html


def test_a_full_template_survey_can_be_answered_section_by_section(
    client: Client, agent: User
) -> None:
    survey = survey_from_template("full")
    invite(survey, agent)
    answers = full_answers(survey)
    signed_in(client, agent)
    sections = list(survey.sections.all())
    for number, section in enumerate(sections, start=1):
        keys = section.questions.values_list("key", flat=True)
        response = client.post(
            answer_url(survey), section_post(number, {k: answers[k] for k in keys})
        )
        assert response.status_code == 302, response.content.decode()[:500]

    client.post(reverse("engagement:answer_submit", args=[survey.pk]))

    assert Response.objects.get(survey=survey).answers.count() == len(answers)
