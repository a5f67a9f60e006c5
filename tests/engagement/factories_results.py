"""Closed surveys with results, arranged directly through the models (fast, exact control over who
answered what in which team with which attributes). The survey's questions come from a bank
template through the real service; invitations, responses and answers are written directly, then
`publishing.compute_results` decides the results as `close_survey` would."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from qa_platform.engagement import measures, publishing
from qa_platform.engagement.models import (
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
from qa_platform.engagement.services import surveys as services
from qa_platform.people.models import Team, User

AnswerFn = Callable[[int, Team, SurveyQuestion], Any]
AttributesFn = Callable[[int, Team], Mapping[str, str]]


def default_answer(i: int, team: Team, question: SurveyQuestion) -> Any:
    """Agreement 1..5 and 0..10 spread by position; a comment from everyone."""
    if question.scale == QuestionScale.AGREEMENT_5:
        return (i + team.pk + question.order) % 5 + 1
    if question.scale == QuestionScale.ZERO_TO_TEN:
        return (i * 3 + team.pk) % 11
    if question.scale == QuestionScale.SINGLE_CHOICE:
        return i % max(1, len(question.options))
    if question.scale == QuestionScale.MULTIPLE_CHOICE:
        return [i % max(1, len(question.options))]
    return f"Comment {i} from {team.name} on {question.key}"


def results_survey(
    groups: Sequence[tuple[Team, int]],
    *,
    template_key: str = "pulse",
    title: str = "Engagement survey",
    privacy: str = PrivacyMode.ANONYMOUS,
    answer: AnswerFn = default_answer,
    attributes: AttributesFn | None = None,
    invited_only: Sequence[tuple[Team, int]] = (),
    previous_wave: Survey | None = None,
    score_threshold: int = 5,
    compute: bool = True,
) -> Survey:
    """A CLOSED survey where, for each (team, n), n people of that team answered (`answer` gives
    each answer; None skips it) and `invited_only` people were invited without answering."""
    survey = services.create_survey_from_template(
        template_key=template_key, title=title, actor=None
    )
    now = timezone.now()
    survey.privacy = privacy
    survey.score_threshold = score_threshold
    survey.previous_wave = previous_wave
    survey.status = SurveyStatus.CLOSED
    survey.launched_at = now
    survey.closed_at = now
    survey.save()
    questions = list(SurveyQuestion.objects.filter(survey=survey).order_by("order", "pk"))
    index_items = [q.key for q in questions if q.part == QuestionPart.INDEX]
    people = User.objects.bulk_create(
        [
            User(email=f"r-{uuid.uuid4().hex[:12]}@example.test", full_name="Respondent")
            for _ in range(sum(n for _, n in groups) + sum(n for _, n in invited_only))
        ]
    )
    invitations, responses, answers = [], [], []
    position = 0
    for answered, batch in ((True, groups), (False, invited_only)):
        for team, n in batch:
            for i in range(n):
                person = people[position]
                position += 1
                attrs = dict(attributes(i, team)) if attributes else {}
                invitations.append(
                    Invitation(
                        survey=survey,
                        person=person,
                        team=team,
                        attributes=attrs,
                        token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
                        submitted=answered,
                    )
                )
                if not answered:
                    continue
                values = {q.key: answer(i, team, q) for q in questions}
                score = measures.respondent_index(
                    {k: v for k, v in values.items() if k in index_items and v is not None},
                    index_items,
                )
                response = Response(
                    survey=survey,
                    team=team,
                    attributes={k: attrs.get(k, "(not recorded)") for k in attrs},
                    respondent=None if privacy == PrivacyMode.ANONYMOUS else person,
                    index_score=None if score is None else Decimal(str(round(score, 2))),
                )
                responses.append(response)
                for q in questions:
                    value = values[q.key]
                    if value is None:
                        continue
                    if q.scale == QuestionScale.COMMENT:
                        answers.append(Answer(response=response, question=q, text=str(value)))
                    elif q.scale == QuestionScale.MULTIPLE_CHOICE:
                        answers.append(Answer(response=response, question=q, choices=value))
                    else:
                        answers.append(Answer(response=response, question=q, value=value))
    Invitation.objects.bulk_create(invitations)
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    Survey.objects.filter(pk=survey.pk).update(invited_count=len(invitations))
    survey.invited_count = len(invitations)
    if compute:
        publishing.compute_results(survey)
    survey.refresh_from_db()
    return survey
