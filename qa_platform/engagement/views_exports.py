"""Exports of a closed survey's results: a CSV of aggregates and a PDF report for a team or the
organisation. Both read only through `reading` (via `exports`), so the anonymity decisions are the
results pages' own: a hidden cell is "hidden" in the CSV and the PDF, never a number.

Who: HR, administrators and leads (`access.require_results_reader`, else 403), each for the teams
they may read (`reading.visible_result_teams`); a survey with none of their teams, or not closed
yet, is not found (404). Never individual answers or comments, in any privacy mode.
"""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from qa_platform.http import AuthedRequest
from scorecards.pdf import html_to_pdf

from . import exports, reading
from .access import require_results_reader
from .models import Survey

if TYPE_CHECKING:
    from qa_platform.people.models import Team

PDF_TEMPLATE = "engagement/cx/report_pdf.html"


def readable_survey(user: Any, survey_id: int) -> tuple[Survey, list[Team]]:
    """The survey and the teams of it `user` may read results for; 403 / 404 as the module says."""
    require_results_reader(user)
    survey = get_object_or_404(Survey, pk=survey_id)
    if not reading.has_results(survey):
        raise Http404("This survey's results are not available yet.")
    teams = reading.visible_result_teams(survey, user)
    if not teams:
        raise Http404
    return survey, teams


def _generated_at(viewer: Any) -> str:
    """Now, in the viewer's time zone (UTC when theirs is unknown), as the PDF header prints it."""
    try:
        zone = zoneinfo.ZoneInfo(getattr(viewer, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.now().astimezone(zone).strftime("%-d %b %Y, %H:%M %Z")


def _filename(survey: Survey, suffix: str) -> str:
    return f"{slugify(survey.title) or 'survey'}-{survey.pk}-{suffix}"


@require_GET
def results_csv(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey, teams = readable_survey(request.user, survey_id)
    rows = exports.cells(survey, teams, exports.scored_items(survey))
    response = HttpResponse(exports.to_csv(survey, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(survey, "results.csv")}"'
    return response


def report_team(teams: list[Team], raw: str | None) -> Team:
    """The team the report is for: the one asked for (404 outside the person's reach), or the
    highest team they may read (the organisation, for HR)."""
    if raw:
        chosen = next((t for t in teams if raw.isdigit() and t.pk == int(raw)), None)
        if chosen is None:
            raise Http404
        return chosen
    return min(teams, key=lambda t: (t.depth, t.path))


def report_context(survey: Survey, teams: list[Team], top: Team, viewer: Any) -> dict[str, Any]:
    items = exports.scored_items(survey)
    subtree = [t for t in teams if t.path.startswith(top.path)]
    rows = exports.cells(survey, subtree, items)
    summary_items = [i for i in items if i.kind in ("index", "enps", "driver")]
    summary_keys = {i.key for i in summary_items}
    own = [r for r in rows if r.team_id == top.pk]
    grid = [
        (team, [r for r in rows if r.team_id == team.pk and r.item.key in summary_keys])
        for team in subtree
    ]
    return {
        "survey": survey,
        "team": top,
        "is_organisation": top.parent_id is None,
        "participation": reading.participation(survey, top.pk),
        "summary_items": summary_items,
        "own_summary": [r for r in own if r.item.key in summary_keys],
        "own_questions": [r for r in own if r.item.kind == "question"],
        "grid": grid,
        "organisation": _organisation(teams, top),
        "generated_at": _generated_at(viewer),
        "title": f"{survey.title}: {top.name}",
    }


def _organisation(teams: list[Team], top: Team) -> str:
    from qa_platform.people.models import Team

    root_id = top.ancestor_ids()[0] if top.ancestor_ids() else top.pk
    name = Team.objects.filter(pk=root_id).values_list("name", flat=True).first()
    return name or top.name


@require_GET
def results_pdf(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey, teams = readable_survey(request.user, survey_id)
    top = report_team(teams, request.GET.get("team"))
    html = render_to_string(PDF_TEMPLATE, report_context(survey, teams, top, request.user))
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    name = _filename(survey, f"{slugify(top.name) or 'team'}.pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
