"""What django-axes records as the username of a failed sign-in.

Axes stores it in a 255-character column; a form that does not cap the field's length (Wagtail's
sign-in for restricted library pages, at /library/_util/login/) would hand it anything, and
PostgreSQL refuses the row (a 500 where the person should see "wrong email or password"). The name
is cut to the column's length; lockout still keys on it, so a long name cannot dodge the limit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

USERNAME_MAX_LENGTH = 255  # axes.models.AccessBase.username


def username_for_lockout(
    request: HttpRequest, credentials: dict[str, Any] | None = None
) -> str | None:
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "data", request.POST).get(field)
    return None if value is None else str(value)[:USERNAME_MAX_LENGTH]
