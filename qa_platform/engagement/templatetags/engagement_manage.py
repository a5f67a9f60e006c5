"""The HR home card listing the latest surveys: `{% load engagement_manage %}{% hr_surveys %}`."""

from __future__ import annotations

from typing import Any

from django import template

from ..access import can_manage_surveys

register = template.Library()

HOME_LIMIT = 5


@register.inclusion_tag("engagement/manage/_home_card.html", takes_context=True)
def hr_surveys(context: template.Context) -> dict[str, Any]:
    """The latest surveys the person manages, with status and (where ≥ 5 invited) response rate."""
    from ..views_manage import survey_rows

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not can_manage_surveys(user):
        return {"rows": [], "can_manage": False}
    return {"rows": survey_rows(user, HOME_LIMIT), "can_manage": True}
