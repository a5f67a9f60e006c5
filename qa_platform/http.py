"""Request typing and small response helpers shared by every app's views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from qa_platform.people.models import User


class AuthedRequest(HttpRequest):
    """A request from a signed-in person (LoginRequiredMiddleware guarantees it)."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


def redirect_or_partial(
    request: AuthedRequest, *, to: str, partial: HttpResponse | None = None
) -> HttpResponse:
    """One POST endpoint per action: htmx gets the partial, plain requests get a redirect."""
    if request.htmx and partial is not None:
        return partial
    return redirect(to)
