"""Surveys ready to answer, for the answering tests and the submit bench: a survey from a bank
template (or a small hand-made one), launched as far as answering needs (status, an invitation
with its token hash and snapshot). Launching itself is tested by the manage part."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from qa_platform.engagement import question_bank as bank
from qa_platform.engagement.models import (
    Invitation,
    PrivacyMode,
    QuestionPart,
    Survey,
    SurveyQuestion,
    SurveySection,
    SurveyStatus,
)
from qa_platform.people.models import Team, User

_tokens = itertools.count(1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_from_template(
    template_key: str = "pulse",
    *,
    privacy: str = PrivacyMode.ANONYMOUS,
    status: str = SurveyStatus.OPEN,
    title: str = "",
) -> Survey:
    template = bank.TEMPLATES_BY_KEY[template_key]
    survey = Survey.objects.create(
        title=title or template.name,
        template_key=template_key,
        privacy=privacy,
        status=status,
        introduction="Tell us how it is going.",
    )
    order = 0
    for s_order, section in enumerate(template.sections):
        sec = SurveySection.objects.create(survey=survey, title=section.title, order=s_order)
        for key in section.items:
            item = bank.item(key)
            order += 1
            SurveyQuestion.objects.create(
                survey=survey,
                section=sec,
                order=order,
                key=item.key,
                text=item.text,
                scale=item.scale.value,
                part=item.part.value,
                driver=item.driver or "",
                options=list(item.options),
                required=not item.optional,
                follow_up_of=item.follow_up_of or "",
            )
    return survey


def small_survey(
    *, privacy: str = PrivacyMode.ANONYMOUS, status: str = SurveyStatus.OPEN
) -> Survey:
    """Two sections: two index items and a 0-10 item; a single choice, a multiple choice and an
    optional comment."""
    survey = Survey.objects.create(title="Quick check", privacy=privacy, status=status)
    first = SurveySection.objects.create(survey=survey, title="How you feel", order=0)
    second = SurveySection.objects.create(survey=survey, title="Your work", order=1)
    rows: list[dict[str, Any]] = [
        dict(section=first, key="index.pride", scale="agreement_5", part=QuestionPart.INDEX),
        dict(section=first, key="index.stay", scale="agreement_5", part=QuestionPart.INDEX),
        dict(section=first, key="enps.score", scale="zero_to_ten", part=QuestionPart.ENPS),
        dict(
            section=second,
            key="own.shift",
            scale="single_choice",
            options=["Early", "Late", "Night"],
        ),
        dict(
            section=second,
            key="own.channels",
            scale="multiple_choice",
            options=["Phone", "Chat", "Email"],
        ),
        dict(section=second, key="comment.other", scale="comment", required=False),
    ]
    for order, row in enumerate(rows):
        SurveyQuestion.objects.create(
            survey=survey, order=order, text=f"Question about {row['key']}?", **row
        )
    return survey


def invite(
    survey: Survey,
    person: User,
    *,
    team: Team | None = None,
    token: str | None = None,
    attributes: dict[str, str] | None = None,
) -> Invitation:
    if team is None:
        membership = person.memberships.select_related("team").first()
        assert membership is not None, "invite() needs a team for a person without membership"
        team = membership.team
    token = token or f"token-{next(_tokens)}-{survey.pk}-{person.pk}"
    return Invitation.objects.create(
        survey=survey,
        person=person,
        team=team,
        attributes=attributes
        if attributes is not None
        else {"location": "Lisbon", "role": "Agent", "tenure_band": "1-2 years"},
        token_hash=token_hash(token),
    )


SMALL_ANSWERS: dict[str, Any] = {
    "index.pride": 5,
    "index.stay": 3,
    "enps.score": 9,
    "own.shift": 1,
    "own.channels": [0, 2],
    "comment.other": "  More breaks, please.  ",
}


def full_answers(survey: Survey) -> dict[str, Any]:
    """A valid answer to every question of `survey` (comments included)."""
    out: dict[str, Any] = {}
    for n, q in enumerate(survey.questions.all()):
        if q.scale == "agreement_5":
            out[q.key] = 1 + n % 5
        elif q.scale == "zero_to_ten":
            out[q.key] = n % 11
        elif q.scale == "single_choice":
            out[q.key] = 0
        elif q.scale == "multiple_choice":
            out[q.key] = [0, 1]
        else:
            out[q.key] = f"A comment on {q.key}."
    return out
