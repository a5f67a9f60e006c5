"""Home-page cards for acting on survey results, and a small number filter for the CX overview.

- `{% you_said_we_did %}`: published "you said, we did" updates of plans whose team contains the
  person's current team (the team itself or one above it), on members' homes.
- `{% lead_action_plans %}`: open plans of the teams the person leads, overdue first.
- `{% hr_action_plans %}`: open plans across the teams HR's (or an administrator's) grants reach.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from qa_platform.people.roles import Role

from ..forms_actions import driver_label
from ..services.actions import is_overdue, open_plans_for, updates_for_member

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.filter
def share_pct(value: float | None, decimals: int = 1) -> str:
    """A share (0..1) as a percentage, e.g. 0.0202 -> "2.0%"; None -> "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.{int(decimals)}f}%"


@register.inclusion_tag("engagement/actions/_you_said_we_did.html", takes_context=True)
def you_said_we_did(context: template.Context) -> dict[str, Any]:
    user = _user(context)
    updates = updates_for_member(user) if user else []
    return {
        "items": [{"update": u, "driver": driver_label(u.plan.driver)} for u in updates],
    }


def _plans_card(context: template.Context, roles: tuple[str, ...], heading: str) -> dict[str, Any]:
    user = _user(context)
    plans, total = open_plans_for(user, roles=roles) if user else ([], 0)
    today = timezone.localdate()
    return {
        "heading": heading,
        "rows": [
            {"plan": p, "driver": driver_label(p.driver), "overdue": is_overdue(p, today)}
            for p in plans
        ],
        "total": total,
    }


@register.inclusion_tag("engagement/actions/_open_plans.html", takes_context=True)
def lead_action_plans(context: template.Context) -> dict[str, Any]:
    return _plans_card(context, (Role.LEAD,), "Action plans")


@register.inclusion_tag("engagement/actions/_open_plans.html", takes_context=True)
def hr_action_plans(context: template.Context) -> dict[str, Any]:
    return _plans_card(context, (Role.HR, Role.ADMIN), "Action plans")
