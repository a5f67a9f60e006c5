"""Survey results for HR (the whole organisation) and team leads (their own subtree): the list of
closed surveys, the overview, the team × driver heatmap, item detail with its answer distribution
and filters, and comments.

Every figure comes from `reading.py`, which answers from the decisions stored at close: this module
never decides what may be shown and never reads answers for a score. Only CLOSED surveys with
computed results are reachable; a survey whose snapshot holds none of the person's teams is a 404,
as is a team outside the person's scope. A team under the threshold shows its parent's result with
a note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from qa_platform.http import AuthedRequest
from qa_platform.people.models import Team

from . import reading
from .access import require_results_reader, result_teams_q
from .anonymity import Outcome, Reason, ResultKind
from .models import LOCATION, ROLE, TENURE_BAND, QuestionScale, Survey, SurveyQuestion, SurveyStatus
from .publishing import ENPS_KEY, INDEX_KEY
from .services.actions import previous_wave_actions

FILTER_LABELS = {TENURE_BAND: "Tenure band", ROLE: "Role", LOCATION: "Location"}
REASON_WORDS = {
    Reason.TOO_FEW: "too few answers",
    Reason.COMPLEMENTARY: "protects a smaller group",
    Reason.DIFFERENCING: "could be worked out from others",
    Reason.FILTER_NOT_ALLOWED: "filter not available",
    Reason.ONE_FILTER_FOR_COMMENTS: "one filter at a time",
}
TOP_DRIVERS = 3
BIGGEST_CHANGES = 5


def _is_htmx(request: AuthedRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- Access ----------------------------------------------------------------------------------


def _survey_or_404(request: AuthedRequest, survey_id: int) -> tuple[Survey, list[Team]]:
    """The closed survey with results, and the snapshot teams the person may read (403 for a role
    that reads no results, 404 when the survey is not closed or none of its teams are theirs)."""
    require_results_reader(request.user)
    survey = Survey.objects.filter(pk=survey_id, status=SurveyStatus.CLOSED).first()
    if survey is None or not reading.has_results(survey):
        raise Http404("No results for this survey.")
    teams = reading.visible_result_teams(survey, request.user)
    if not teams:
        raise Http404("No results for this survey.")
    return survey, teams


@dataclass(frozen=True)
class TeamRow:
    team: Team
    level: int

    @property
    def label(self) -> str:
        return "\u2003" * self.level + self.team.name


def _rows(teams: list[Team]) -> list[TeamRow]:
    top = min((t.depth for t in teams), default=0)
    return [TeamRow(t, min(t.depth - top, 8)) for t in teams]


def _scope(request: AuthedRequest, teams: list[Team]) -> tuple[Team, list[str]]:
    """The team asked for (?team=), which must be one the person may read (else 404); the top of
    the person's teams by default. Bad input gets a message and the default."""
    raw = request.GET.get("team", "").strip()
    if not raw:
        return teams[0], []
    if not raw.isdigit():
        return teams[0], ["Choose a team from the list; showing your top team instead."]
    chosen = next((t for t in teams if t.pk == int(raw)), None)
    if chosen is None:
        raise Http404("No results for this team.")
    return chosen, []


def _filters(
    data: QueryDict, options: dict[str, list[str]], all_dims: tuple[str, ...]
) -> tuple[dict[str, str], list[str]]:
    """The attribute filters asked for. Unknown values get a message and are left out; an attribute
    outside the published universe is kept, so the decision refuses it and the page says so."""
    chosen: dict[str, str] = {}
    problems: list[str] = []
    for dim in all_dims:
        value = data.get(dim, "").strip()
        if not value:
            continue
        if dim in options and value not in options[dim]:
            problems.append(f"{FILTER_LABELS.get(dim, dim)}: choose one of the listed values.")
            continue
        chosen[dim] = value
    return chosen, problems


# --- Cells for templates ---------------------------------------------------------------------


@dataclass(frozen=True)
class CellView:
    """One result as a page shows it: the number (or "hidden"), the word for its level, the note."""

    result: reading.CellResult
    unit: str = "%"

    @property
    def figure(self) -> reading.Figure | None:
        return self.result.figure

    @property
    def outcome(self) -> str:
        return self.result.decision.outcome.value

    @property
    def hidden(self) -> bool:
        return self.result.figure is None

    @property
    def rolled_up(self) -> bool:
        return self.result.decision.outcome is Outcome.ROLLED_UP

    @property
    def refused(self) -> bool:
        return self.result.decision.outcome is Outcome.REFUSED

    @property
    def rolled_up_name(self) -> str:
        return self.result.decision.rolled_up_name or ""

    @property
    def reason_word(self) -> str:
        reason = self.result.decision.reason
        return REASON_WORDS.get(reason, "hidden") if reason else ""

    @property
    def message(self) -> str:
        return self.result.decision.message

    @property
    def text(self) -> str:
        figure = self.result.figure
        if figure is None:
            return "hidden"
        if self.unit == "eNPS":
            return f"{figure.value:+.0f}"
        if self.unit == "%":
            return f"{figure.value:.0f}%"
        return f"{figure.value:.0f}"

    @property
    def interval(self) -> str:
        figure = self.result.figure
        if figure is None or figure.low is None or figure.high is None:
            return ""
        if self.unit == "eNPS":
            return f"{figure.low:+.0f} to {figure.high:+.0f}"
        suffix = "%" if self.unit == "%" else ""
        return f"{figure.low:.0f}{suffix} to {figure.high:.0f}{suffix}"

    @property
    def level(self) -> str:
        """A word beside the colour (never colour alone): favourable 70+ high, under 50 low."""
        figure = self.result.figure
        if figure is None:
            return "hidden"
        value = figure.value
        if self.unit == "eNPS":
            return "high" if value >= 20 else "low" if value < 0 else "middle"
        return "high" if value >= 70 else "low" if value < 50 else "middle"


def _label(key: str, texts: dict[str, str]) -> str:
    if key == INDEX_KEY:
        return "Engagement index"
    if key == ENPS_KEY:
        return "eNPS"
    if key.startswith("driver.") and key.count(".") == 1:
        return reading.driver_name(key)
    return texts.get(key, key)


def _unit(key: str) -> str:
    return "eNPS" if key == ENPS_KEY else "points" if key == INDEX_KEY else "%"


# --- Pages -----------------------------------------------------------------------------------


def _render(
    request: AuthedRequest, template: str, context: dict[str, Any], partial: str
) -> HttpResponse:
    if _is_htmx(request):
        return render(request, f"{template}#{partial}", context)
    survey = context["survey"]
    keys = SurveyQuestion.objects.filter(survey=survey).order_by("order", "pk")
    first_item = first_comment = None
    for key, scale in keys.values_list("key", "scale"):
        if scale == QuestionScale.COMMENT:
            first_comment = first_comment or key
        else:
            first_item = first_item or key
    context = {**context, "first_item": first_item, "first_comment": first_comment}
    return render(request, template, context)


@require_GET
def results_list(request: AuthedRequest) -> HttpResponse:
    """Closed surveys with results that hold at least one of the person's teams."""
    require_results_reader(request.user)
    surveys = list(
        Survey.objects.filter(
            status=SurveyStatus.CLOSED,
            results_computed_at__isnull=False,
            invitations__team__in=Team.objects.filter(result_teams_q(request.user)),
        )
        .distinct()
        .order_by("-closed_at", "-pk")[:100]
    )
    return render(request, "engagement/results/list.html", {"surveys": surveys})


@require_GET
def overview(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey, teams = _survey_or_404(request, survey_id)
    team, problems = _scope(request, teams)
    reading.prefetch(survey, [INDEX_KEY, ENPS_KEY, reading.ALL_DRIVERS])
    index = CellView(reading.team_results(survey, INDEX_KEY, [team.pk])[team.pk], "points")
    enps = CellView(reading.team_results(survey, ENPS_KEY, [team.pk])[team.pk], "eNPS")
    participation = reading.participation(survey, team.pk)
    drivers = []
    for key in reading.driver_keys(survey):
        cell = CellView(reading.team_results(survey, key, [team.pk])[team.pk])
        drivers.append((reading.driver_name(key), key, cell))
    ranked = sorted(
        (d for d in drivers if d[2].figure is not None),
        key=lambda d: (-d[2].figure.value, d[0]),  # type: ignore[union-attr]
    )
    top = ranked[:TOP_DRIVERS]
    bottom = [d for d in reversed(ranked[-TOP_DRIVERS:]) if d not in top]
    changes: list[tuple[str, str, Any, str, list[Any]]] = []
    if (
        survey.previous_wave_id
        and survey.previous_wave
        and reading.has_results(survey.previous_wave)
    ):
        reading.prefetch(survey.previous_wave, [INDEX_KEY, ENPS_KEY, reading.ALL_DRIVERS])
        # Beside the change in a driver, the actions taken on it after the previous wave.
        taken = previous_wave_actions(survey, team)
        for key in [INDEX_KEY, ENPS_KEY, *reading.driver_keys(survey)]:
            found = reading.change(survey, key, team.pk)
            if found is not None and found.change is not None:
                plans = taken.get(key.removeprefix(reading.DRIVER_PREFIX), [])
                changes.append((_label(key, {}), key, found, _unit(key), plans))
        changes.sort(key=lambda c: (-abs(c[2].change or 0.0), c[0]))
        changes = changes[:BIGGEST_CHANGES]
    context = {
        "survey": survey,
        "team": team,
        "rows": _rows(teams),
        "problems": problems,
        "index": index,
        "enps": enps,
        "participation": participation,
        "drivers": drivers,
        "top": top,
        "bottom": bottom,
        "changes": changes,
        "tab": "overview",
    }
    return _render(request, "engagement/results/overview.html", context, "results")


@require_GET
def heatmap(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey, teams = _survey_or_404(request, survey_id)
    reading.prefetch(survey, [INDEX_KEY, ENPS_KEY, reading.ALL_DRIVERS])
    keys = reading.driver_keys(survey)
    ids = [t.pk for t in teams]
    columns = []
    by_key = {}
    for key in keys:
        by_key[key] = reading.team_results(survey, key, ids)
        columns.append((key, _label(key, {})))
    rows = []
    for row in _rows(teams):
        cells = [_heat_cell(CellView(by_key[key][row.team.pk], _unit(key))) for key in keys]
        rows.append((row, cells))
    context = {
        "survey": survey,
        "columns": columns,
        "rows": rows,
        "tab": "heatmap",
        "threshold": survey.score_threshold,
        "overview_url": reverse("engagement:results_overview", args=[survey.pk]),
    }
    return _render(request, "engagement/results/heatmap.html", context, "results")


@require_GET
def item_detail(request: AuthedRequest, survey_id: int, item_key: str) -> HttpResponse:
    survey, teams = _survey_or_404(request, survey_id)
    question = SurveyQuestion.objects.filter(survey=survey, key=item_key).first()
    if question is None or question.scale == QuestionScale.COMMENT:
        raise Http404("No such question in this survey.")
    team, problems = _scope(request, teams)
    options = reading.filter_options(survey)
    filters, more = _filters(request.GET, options, (TENURE_BAND, ROLE, LOCATION))
    problems += more
    result = reading.distribution(survey, item_key, team.pk, filters=filters)
    unit = (
        "eNPS" if question.part == "enps" and question.scale == QuestionScale.ZERO_TO_TEN else "%"
    )
    if question.scale == QuestionScale.ZERO_TO_TEN and unit != "eNPS":
        unit = "points"
    biggest = max((b.percent for b in result.bars), default=0.0) or 1.0
    bars = [(b, b.percent / biggest * 100) for b in result.bars]
    context = {
        "survey": survey,
        "question": question,
        "team": team,
        "rows": _rows(teams),
        "problems": problems,
        "cell": CellView(result.result, unit),
        "bars": bars,
        "multiple": result.multiple,
        "filters": filters,
        "filter_fields": _filter_fields(options, filters),
        "unavailable": [
            FILTER_LABELS[d] for d in (TENURE_BAND, ROLE, LOCATION) if d not in options
        ],
        "max_filters": reading.max_filters(survey),
        "questions": _scored_questions(survey),
        "tab": "items",
    }
    return _render(request, "engagement/results/item.html", context, "results")


@require_GET
def comments(request: AuthedRequest, survey_id: int, item_key: str) -> HttpResponse:
    survey, teams = _survey_or_404(request, survey_id)
    question = SurveyQuestion.objects.filter(
        survey=survey, key=item_key, scale=QuestionScale.COMMENT
    ).first()
    if question is None:
        raise Http404("No such comment question in this survey.")
    team, problems = _scope(request, teams)
    options = reading.filter_options(survey, kind=ResultKind.COMMENTS)
    filters, more = _filters(request.GET, options, (TENURE_BAND, ROLE, LOCATION))
    problems += more
    found = reading.comments(survey, item_key, team.pk, filters=filters)
    context = {
        "survey": survey,
        "question": question,
        "team": team,
        "rows": _rows(teams),
        "problems": problems,
        "cell": CellView(found.result, "comments"),
        "texts": found.texts,
        "filters": filters,
        "filter_fields": _filter_fields(options, filters),
        "comment_questions": list(
            SurveyQuestion.objects.filter(survey=survey, scale=QuestionScale.COMMENT).order_by(
                "order", "pk"
            )
        ),
        "threshold": survey.comment_threshold,
        "tab": "comments",
    }
    return _render(request, "engagement/results/comments.html", context, "results")


def _heat_cell(cell: CellView) -> SafeString:
    """One heatmap cell, built here rather than in the template (2,000 cells at 180 teams): the
    number and its level word, or "hidden" with the reason; a rolled-up cell names its group."""
    if cell.figure is None:
        return format_html(
            '<td class="heat heat-hidden"><span class="result-hidden">hidden</span><br>'
            '<span class="result-note">{}</span></td>',
            cell.reason_word,
        )
    if cell.rolled_up:
        return format_html(
            '<td class="heat heat-{} heat-rolled"><span class="result-value">{}</span> '
            '<span class="result-level">{}</span><br>'
            '<span class="result-note">shows {}</span></td>',
            cell.level,
            cell.text,
            cell.level,
            cell.rolled_up_name,
        )
    return format_html(
        '<td class="heat heat-{}"><span class="result-value">{}</span> '
        '<span class="result-level">{}</span></td>',
        cell.level,
        cell.text,
        cell.level,
    )


def _filter_fields(
    options: dict[str, list[str]], chosen: dict[str, str]
) -> list[tuple[str, str, list[str], str]]:
    return [
        (dim, FILTER_LABELS.get(dim, dim), values, chosen.get(dim, ""))
        for dim, values in options.items()
    ]


def _scored_questions(survey: Survey) -> list[SurveyQuestion]:
    return list(
        SurveyQuestion.objects.filter(survey=survey)
        .exclude(scale=QuestionScale.COMMENT)
        .order_by("order", "pk")
    )
