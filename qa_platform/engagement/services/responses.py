"""Answering a survey: saving answers as the person goes (`save_draft`) and submitting them once
(`submit_response`).

Identity and answers stay apart (models.py): while answering, the answers sit in the person's own
`Invitation.draft`; submitting moves them, in one transaction, into a new `Response` + `Answer`
rows and empties the draft. In anonymous mode nothing on the answer side names the person.

No audit event, no timestamp and no IP address are written for a response, on purpose: an audit
row ("Ada submitted survey 12 at 10:41:07 from 10.0.0.7") sitting beside responses with random
keys would let anyone holding both line a response up with a person by time or order, which is
exactly what anonymous mode promises cannot happen. The only trace on the identity side is
`Invitation.submitted`, which stops a second answer and leaves non-respondents out of reminders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime

from qa_platform.engagement import answers as rules
from qa_platform.engagement import measures
from qa_platform.engagement.anonymity import NOT_RECORDED
from qa_platform.engagement.models import (
    DIMENSIONS,
    Answer,
    Invitation,
    PrivacyMode,
    QuestionPart,
    QuestionScale,
    Response,
    Survey,
    SurveyQuestion,
    SurveyStatus,
)

__all__ = [
    "AlreadySubmitted",
    "InvalidAnswers",
    "ResponseError",
    "SurveyNotOpen",
    "question_specs",
    "save_draft",
    "submit_response",
]


class ResponseError(Exception):
    """An answer or submission the service refuses; the message is for the respondent."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SurveyNotOpen(ResponseError):
    pass


class AlreadySubmitted(ResponseError):
    pass


class InvalidAnswers(ResponseError):
    """Some answers are not valid; `errors` has one message per question key."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        count = len(errors)
        super().__init__(
            f"{count} answer{'s' if count != 1 else ''} need{'' if count != 1 else 's'} "
            "your attention."
        )
        self.errors = dict(errors)


ALREADY_SUBMITTED = (
    "You have already answered this survey. Each person answers once, so this second "
    "submission was not saved."
)


def question_specs(questions: Sequence[SurveyQuestion]) -> list[rules.QuestionSpec]:
    return [
        rules.QuestionSpec(
            key=q.key,
            scale=q.scale,
            required=q.required,
            options=tuple(str(o) for o in (q.options or [])),
            text=q.text,
        )
        for q in questions
    ]


def not_open_message(survey: Survey) -> str:
    if survey.status == SurveyStatus.CLOSED:
        return "This survey has closed, so answers can no longer be saved or submitted."
    if survey.status == SurveyStatus.SCHEDULED:
        when = f" on {date_format(localtime(survey.opens_at), 'j F Y')}" if survey.opens_at else ""
        return f"This survey is not open yet: it opens{when}. Your answers can be given then."
    return "This survey is not open for answers."


def _require_open(survey: Survey) -> None:
    if survey.status != SurveyStatus.OPEN:
        raise SurveyNotOpen(not_open_message(survey))


def _hold_open(survey_id: int) -> None:
    """Keep the survey from closing under this submission. On PostgreSQL a KEY SHARE lock on the
    survey row: submissions do not wait for each other, but `close_survey` (which locks the row
    FOR UPDATE) waits for the submissions in flight, and a submission that starts after the close
    finds it CLOSED. Without it an answer could commit just after the results were decided and
    never be counted. SQLite lets one writer at a time in anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM engagement_survey WHERE id = %s FOR KEY SHARE", [survey_id]
            )


@transaction.atomic
def save_draft(
    *,
    invitation: Invitation,
    answers: Mapping[str, Any],
    questions: Sequence[SurveyQuestion] | None = None,
) -> Invitation:
    """Merge `answers` (raw, by question key) into the invitation's draft. Answers left empty
    remove a saved one. Refused when the survey is not open, the invitation was submitted, or an
    answer is not valid (then nothing is saved). `questions` may be passed when already loaded."""
    # Lock the invitation so a submission running at the same time either happens first (and
    # this is refused) or waits: a draft is never written back after the submit emptied it.
    current = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("survey")
        .get(pk=invitation.pk)
    )
    _require_open(current.survey)
    if current.submitted:
        raise AlreadySubmitted(ALREADY_SUBMITTED)
    if questions is None:
        questions = list(SurveyQuestion.objects.filter(survey_id=current.survey_id))
    checked = rules.check_answers(question_specs(questions), answers, require=False)
    if not checked.ok:
        raise InvalidAnswers(checked.errors)
    merged = rules.merge_draft(current.draft or {}, checked)
    if merged != current.draft:
        Invitation.objects.filter(pk=current.pk).update(draft=merged)
    invitation.draft = merged
    invitation.submitted = False
    return invitation


def index_score(
    questions: Sequence[SurveyQuestion], cleaned: Mapping[str, rules.Answer]
) -> Decimal | None:
    """The respondent's engagement index (0-100, two decimals) over the index items answered."""
    items = [
        q.key
        for q in questions
        if q.part == QuestionPart.INDEX and q.scale == QuestionScale.AGREEMENT_5
    ]
    values = {
        key: answer.value
        for key, answer in cleaned.items()
        if key in items and answer.value is not None
    }
    score = measures.respondent_index(values, items)
    if score is None:
        return None
    return Decimal(str(score)).quantize(Decimal("0.01"))


@transaction.atomic
def submit_response(*, invitation: Invitation, answers: Mapping[str, Any]) -> Response:
    """Submit the invitation's answers once: mark it submitted (refused if it already was, also
    when two submissions arrive at the same moment), store a `Response` with its `Answer`s and
    empty the draft, all in one transaction. In anonymous mode the response names nobody."""
    # The guard against a second answer: only one transaction can flip submitted False -> True
    # (the other waits for the row lock, then finds nothing to update). The survey must be open
    # at that moment too; the condition on `submitted` stays on the invitation row itself (no
    # join), so PostgreSQL re-checks it after waiting for the lock.
    _hold_open(invitation.survey_id)
    open_surveys = Survey.objects.filter(status=SurveyStatus.OPEN).values("pk")
    flipped = Invitation.objects.filter(
        pk=invitation.pk, submitted=False, survey_id__in=open_surveys
    ).update(submitted=True, draft={})
    if flipped == 0:
        _require_open(Survey.objects.get(pk=invitation.survey_id))
        raise AlreadySubmitted(ALREADY_SUBMITTED)
    survey = invitation.survey  # privacy is locked at launch: the loaded copy is current
    questions = list(SurveyQuestion.objects.filter(survey=survey))
    checked = rules.check_answers(question_specs(questions), answers, require=True)
    if not checked.ok:
        raise InvalidAnswers(checked.errors)  # rolls the flip back: nothing changes
    snapshot = invitation.attributes or {}
    response = Response.objects.create(
        survey=survey,
        team_id=invitation.team_id,
        attributes={dim: snapshot.get(dim) or NOT_RECORDED for dim in DIMENSIONS},
        respondent_id=(None if survey.privacy == PrivacyMode.ANONYMOUS else invitation.person_id),
        index_score=index_score(questions, checked.answers),
    )
    by_key = {q.key: q for q in questions}
    Answer.objects.bulk_create(
        [
            Answer(
                response=response,
                question=by_key[key],
                value=answer.value,
                choices=list(answer.choices) if answer.choices is not None else None,
                text=answer.text,
            )
            for key, answer in checked.answers.items()
        ]
    )
    invitation.submitted = True
    invitation.draft = {}
    return response
