"""The "Surveys to answer" card on the agent's and lead's home: one link per open survey the
signed-in person was invited to and has not answered yet (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from qa_platform.engagement.models import Invitation, SurveyStatus

register = template.Library()

CARD_LIMIT = 5


@register.inclusion_tag("engagement/answer/_home_card.html", takes_context=True)
def surveys_to_answer(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"invitations": []}
    invitations = list(
        Invitation.objects.filter(person=user, submitted=False, survey__status=SurveyStatus.OPEN)
        .select_related("survey")
        .order_by("survey__closes_at", "survey__pk")[:CARD_LIMIT]
    )
    return {"invitations": invitations}
