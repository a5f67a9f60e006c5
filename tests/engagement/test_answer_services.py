"""Answering a survey through the services: drafts saved as the person goes, one submission per
invitation, nothing accepted outside the open period, and anonymous responses that name nobody."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qa_platform.engagement.anonymity import NOT_RECORDED
from qa_platform.engagement.models import (
    Answer,
    Invitation,
    PrivacyMode,
    Response,
    SurveyStatus,
)
from qa_platform.engagement.services.responses import (
    AlreadySubmitted,
    InvalidAnswers,
    SurveyNotOpen,
    save_draft,
    submit_response,
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


def test_saving_a_draft_merges_new_answers_into_the_saved_ones(agent: User) -> None:
    invitation = invite(small_survey(), agent)

    save_draft(invitation=invitation, answers={"index.pride": "4", "comment.other": " Hi "})
    save_draft(invitation=invitation, answers={"index.pride": "5", "enps.score": "0"})

    invitation.refresh_from_db()
    assert invitation.draft == {"index.pride": 5, "enps.score": 0, "comment.other": "Hi"}


def test_a_comment_emptied_in_a_later_save_is_removed_from_the_draft(agent: User) -> None:
    invitation = invite(small_survey(), agent)
    save_draft(invitation=invitation, answers={"comment.other": "Something"})

    save_draft(invitation=invitation, answers={"comment.other": ""})

    invitation.refresh_from_db()
    assert invitation.draft == {}


def test_a_draft_with_an_invalid_answer_saves_nothing_and_names_the_question(agent: User) -> None:
    invitation = invite(small_survey(), agent)
    save_draft(invitation=invitation, answers={"index.pride": 2})

    with pytest.raises(InvalidAnswers) as refused:
        save_draft(invitation=invitation, answers={"index.pride": 4, "enps.score": 12})

    assert set(refused.value.errors) == {"enps.score"}
    invitation.refresh_from_db()
    assert invitation.draft == {"index.pride": 2}


@pytest.mark.parametrize("status", [SurveyStatus.SCHEDULED, SurveyStatus.CLOSED])
def test_a_draft_is_refused_when_the_survey_is_not_open(agent: User, status: str) -> None:
    invitation = invite(small_survey(status=status), agent)

    with pytest.raises(SurveyNotOpen, match=r"not open yet|has closed"):
        save_draft(invitation=invitation, answers={"index.pride": 4})

    invitation.refresh_from_db()
    assert invitation.draft == {}


def test_a_draft_is_refused_once_the_invitation_was_submitted(agent: User) -> None:
    invitation = invite(small_survey(), agent)
    stale = Invitation.objects.get(pk=invitation.pk)
    submit_response(invitation=invitation, answers=SMALL_ANSWERS)

    with pytest.raises(AlreadySubmitted):
        save_draft(invitation=stale, answers={"index.pride": 1})

    assert Invitation.objects.get(pk=invitation.pk).draft == {}


def test_submitting_stores_one_response_with_its_answers_and_empties_the_draft(
    agent: User,
) -> None:
    survey = small_survey()
    invitation = invite(survey, agent)
    save_draft(invitation=invitation, answers={"index.pride": 5})

    response = submit_response(invitation=invitation, answers=SMALL_ANSWERS)

    invitation.refresh_from_db()
    assert invitation.submitted and invitation.draft == {}
    assert response.survey == survey and response.team_id == invitation.team_id
    assert response.attributes == {
        "location": "Lisbon",
        "role": "Agent",
        "tenure_band": "1-2 years",
    }
    stored = {a.question.key: a for a in Answer.objects.filter(response=response)}
    assert stored["index.pride"].value == 5
    assert stored["own.channels"].choices == [0, 2]
    assert stored["comment.other"].text == "More breaks, please."
    assert stored["own.shift"].value == 1


def test_the_index_score_is_the_mean_of_the_index_items_on_zero_to_one_hundred(
    agent: User,
) -> None:
    response = submit_response(invitation=invite(small_survey(), agent), answers=SMALL_ANSWERS)

    # index.pride 5 -> 100, index.stay 3 -> 50: mean 75; the 0-10 item does not count.
    assert Response.objects.get(pk=response.pk).index_score == Decimal("75.00")


def test_a_survey_without_index_items_stores_no_index_score(agent: User) -> None:
    survey = survey_from_template("exit", privacy=PrivacyMode.IDENTIFIABLE)
    response = submit_response(invitation=invite(survey, agent), answers=full_answers(survey))
    assert response.index_score is None


def test_attributes_missing_from_the_snapshot_are_stored_as_not_recorded(agent: User) -> None:
    invitation = invite(small_survey(), agent, attributes={"role": "Agent"})
    response = submit_response(invitation=invitation, answers=SMALL_ANSWERS)
    assert response.attributes == {
        "location": NOT_RECORDED,
        "role": "Agent",
        "tenure_band": NOT_RECORDED,
    }


def test_a_second_submission_is_refused_with_a_message_and_stores_nothing(agent: User) -> None:
    invitation = invite(small_survey(), agent)
    submit_response(invitation=invitation, answers=SMALL_ANSWERS)
    stale = Invitation.objects.get(pk=invitation.pk)
    stale.submitted = False  # as a second tab holding the page from before would

    with pytest.raises(AlreadySubmitted, match="already answered this survey"):
        submit_response(invitation=stale, answers=SMALL_ANSWERS)

    assert Response.objects.count() == 1


@pytest.mark.parametrize("status", [SurveyStatus.SCHEDULED, SurveyStatus.CLOSED])
def test_submitting_is_refused_when_the_survey_is_not_open(agent: User, status: str) -> None:
    invitation = invite(small_survey(status=status), agent)

    with pytest.raises(SurveyNotOpen):
        submit_response(invitation=invitation, answers=SMALL_ANSWERS)

    invitation.refresh_from_db()
    assert not invitation.submitted and Response.objects.count() == 0


def test_a_submission_missing_a_required_answer_changes_nothing(agent: User) -> None:
    invitation = invite(small_survey(), agent)
    save_draft(invitation=invitation, answers={"index.pride": 4})
    answers = {k: v for k, v in SMALL_ANSWERS.items() if k != "own.shift"}

    with pytest.raises(InvalidAnswers) as refused:
        submit_response(invitation=invitation, answers=answers)

    assert refused.value.errors == {"own.shift": "This question needs an answer."}
    invitation.refresh_from_db()
    assert not invitation.submitted and invitation.draft == {"index.pride": 4}
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_an_anonymous_response_names_nobody(agent: User) -> None:
    survey = small_survey(privacy=PrivacyMode.ANONYMOUS)

    response = submit_response(invitation=invite(survey, agent), answers=SMALL_ANSWERS)

    assert Response.objects.get(pk=response.pk).respondent_id is None


def test_no_column_on_the_answer_side_can_point_at_a_person_except_the_nullable_respondent() -> (
    None
):
    """The answer tables carry no link to a person other than `Response.respondent`, which the
    service leaves empty in anonymous mode; no timestamp or address either."""
    user_model = User._meta.label_lower
    for model in (Response, Answer):
        for field in model._meta.concrete_fields:
            related = field.related_model._meta.label_lower if field.related_model else None
            if related == user_model:
                assert (model, field.name) == (Response, "respondent") and field.null
            assert field.get_internal_type() not in (
                "DateTimeField",
                "DateField",
                "GenericIPAddressField",
                "IPAddressField",
            )
    assert Response._meta.pk.get_internal_type() == "UUIDField"  # no insert order to line up


def test_every_anonymous_response_in_the_database_has_no_respondent(
    agent: User, lead: User
) -> None:
    survey = small_survey(privacy=PrivacyMode.ANONYMOUS)
    for person in (agent, lead):
        submit_response(invitation=invite(survey, person), answers=SMALL_ANSWERS)

    assert not Response.objects.filter(
        survey__privacy=PrivacyMode.ANONYMOUS, respondent__isnull=False
    ).exists()


@pytest.mark.parametrize("privacy", [PrivacyMode.CONFIDENTIAL, PrivacyMode.IDENTIFIABLE])
def test_a_confidential_or_identifiable_response_keeps_the_respondent(
    agent: User, privacy: str
) -> None:
    survey = small_survey(privacy=privacy)
    response = submit_response(invitation=invite(survey, agent), answers=SMALL_ANSWERS)
    assert Response.objects.get(pk=response.pk).respondent == agent


def test_a_full_template_survey_is_submitted_with_every_answer(agent: User) -> None:
    survey = survey_from_template("full")
    answers = full_answers(survey)

    response = submit_response(invitation=invite(survey, agent), answers=answers)

    assert response.answers.count() == len(answers) == survey.questions.count()
    assert response.index_score is not None
