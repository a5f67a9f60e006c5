"""A closed survey over several teams with customer feedback, for the engagement ↔ CX view and the
exports. `Tiny` has 3 answers (under k = 5): its result is hidden and must never be plotted,
listed or exported as a figure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from qa_platform.engagement.models import Survey
from qa_platform.people.models import Team
from scorecards.models import CustomerFeedback
from tests.engagement.factories_results import results_survey
from tests.people.factories import TeamFactory

SECRET_COMMENT = "Secret comment"


@dataclass
class CxWorld:
    survey: Survey
    shown: list[Team]  # teams whose results are shown
    tiny: Team  # 3 answers: hidden
    few_customers: Team  # shown, but only 12 customer answers


def _answer(i, team, question):
    from qa_platform.engagement.models import QuestionScale

    # Engagement rises with the team's position (its name's number), with some spread.
    level = int(team.name.split()[-1]) if team.name.split()[-1].isdigit() else 2
    if question.scale == QuestionScale.AGREEMENT_5:
        return min(5, max(1, 1 + (level + i) % 3 + level // 3))
    if question.scale == QuestionScale.ZERO_TO_TEN:
        return min(10, 3 + level + i % 3)
    if question.scale == QuestionScale.COMMENT:
        return f"{SECRET_COMMENT} {i} from {team.name}"
    return 0


def feedback(team: Team, count: int, csat: int, start: dt.datetime, prefix: str) -> None:
    CustomerFeedback.objects.bulk_create(
        CustomerFeedback(
            source="test",
            source_id=f"{prefix}-{team.pk}-{i}",
            team=team,
            received_at=start + dt.timedelta(hours=i),
            csat=csat if i % 4 else max(1, csat - 2),
            nps=min(10, 2 * csat),
        )
        for i in range(count)
    )


def cx_world(org, teams: int = 6) -> CxWorld:
    shown = [TeamFactory(name=f"Squad {i}", parent=org.support) for i in range(1, teams + 1)]
    few = TeamFactory(name="Squad 9", parent=org.sales)
    tiny = TeamFactory(name="Tiny", parent=org.sales)
    # Hidden with Tiny so that Tiny's 3 cannot be worked out from Sales minus Squad 9.
    buffer = TeamFactory(name="Buffer", parent=org.sales)
    groups = [(t, 8) for t in shown] + [(few, 12), (tiny, 3), (buffer, 6)]
    survey = results_survey(groups, answer=_answer, template_key="pulse")
    now = timezone.now()
    opens, closes = now - dt.timedelta(days=20), now - dt.timedelta(days=5)
    Survey.objects.filter(pk=survey.pk).update(opens_at=opens, closes_at=closes)
    survey.refresh_from_db()
    for i, team in enumerate(shown):
        feedback(team, 40, csat=min(5, 2 + i // 2), start=opens + dt.timedelta(days=1), prefix="s")
    feedback(few, 12, csat=5, start=opens + dt.timedelta(days=1), prefix="f")
    feedback(tiny, 60, csat=5, start=opens + dt.timedelta(days=1), prefix="t")
    return CxWorld(survey, shown, tiny, few)
