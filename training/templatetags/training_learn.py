"""Template tags for training panels shown on other apps' pages (the agent's home)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def training_due_panel(context: template.Context) -> dict[str, Any]:
    """The signed-in person's training due soon (overdue first), for the home page panel."""
    from training.views.learn import training_due

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"training_due": [], "training_due_count": 0}
    return training_due(user)
