"""Journey map PDFs: the page's own template with `pdf=True` (print layout, no navigation),
rendered by WeasyPrint through the scorecards' static-file fetcher (nothing is fetched over the
network; fonts come from print.css and are embedded)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string

from qa_platform.people.models import Team, TeamKind
from scorecards.pdf import _generated_at, html_to_pdf

if TYPE_CHECKING:
    from content.models import JourneyMapPage


def organisation_name() -> str:
    name = (
        Team.objects.filter(kind=TeamKind.ORGANISATION, parent__isnull=True)
        .order_by("pk")
        .values_list("name", flat=True)
        .first()
    )
    return name or settings.PLATFORM_NAME


def render_journey_html(page: JourneyMapPage, request: HttpRequest) -> str:
    context = page.get_context(request)
    context["pdf"] = True
    context["organisation"] = organisation_name()
    context["generated_at"] = _generated_at(request.user)
    return render_to_string(page.get_template(request), context)


def render_journey_pdf(page: JourneyMapPage, request: HttpRequest) -> bytes:
    return html_to_pdf(render_journey_html(page, request))
