"""Engagement ↔ CX: each team's engagement beside its customer results, for HR (DOMAIN.md §7).

HR and administrators only (`access.require_survey_admin`); leads get 403. The person picks a
closed survey, an engagement measure (the index, eNPS or one driver's favourable %), a CX measure
(CSAT %, NPS, QA score) and a window (the survey period, or the N days after it closed), and the
minimum customer answers a team needs. The page shows a server-rendered scatter plot (one dot per
team) with a table listing every dot, Spearman's r with its 95% interval, Pearson's beside it, the
number of teams, how many were left out and why, the plain-language reading, and the driver view.

Teams compared: the survey snapshot's leaf teams within the person's reach
(`reading.visible_result_teams`), so the units do not overlap. Engagement figures come only from
`reading.team_results`; a team is plotted only when its own cell is shown (correlation.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from qa_platform.charts import format_number
from qa_platform.http import AuthedRequest
from qa_platform.people.models import Team

from . import correlation, exports, reading
from . import cx as customer
from .access import require_survey_admin
from .models import Survey, SurveyStatus
from .scatter import Point, ScatterPlot, scatter

TEMPLATE = "engagement/cx/correlation.html"
INDEX = reading.INDEX_KEY
ENPS = reading.ENPS_KEY
DRIVER_PREFIX = "driver."
WINDOW_CHOICES = [("same", "The survey period"), ("lagged", "After the survey closed")]


@dataclass(frozen=True)
class EngagementMeasure:
    key: str
    label: str  # "engagement index"
    unit: str


def engagement_measure(key: str) -> EngagementMeasure:
    if key == INDEX:
        return EngagementMeasure(key, "engagement index", "")
    if key == ENPS:
        return EngagementMeasure(key, "eNPS", "")
    return EngagementMeasure(key, f"“{reading.driver_name(key)}” favourable", "%")


def results_surveys() -> Any:
    return Survey.objects.filter(
        status=SurveyStatus.CLOSED, results_computed_at__isnull=False
    ).order_by("-closes_at", "-closed_at", "-pk")


class CxForm(forms.Form):
    survey = forms.ModelChoiceField(queryset=Survey.objects.none(), empty_label=None)
    engagement = forms.ChoiceField(label="Engagement measure")
    cx = forms.ChoiceField(
        label="Customer measure", choices=[(m.key, m.label) for m in customer.MEASURES.values()]
    )
    window = forms.ChoiceField(label="Window", choices=WINDOW_CHOICES)
    lag = forms.IntegerField(
        label="Days after closing",
        min_value=1,
        max_value=customer.MAX_LAG_DAYS,
        initial=customer.DEFAULT_LAG_DAYS,
        required=False,
        help_text="For the window after the survey closed.",
    )
    min_n = forms.IntegerField(
        label="Minimum customer answers per team",
        min_value=1,
        max_value=100_000,
        initial=correlation.MIN_CUSTOMER_N,
        required=False,
        help_text="Reviews, for the QA score.",
    )

    def __init__(self, *args: Any, surveys: Any, driver_keys: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        survey_field = self.fields["survey"]
        assert isinstance(survey_field, forms.ModelChoiceField)
        survey_field.queryset = surveys
        engagement_field = self.fields["engagement"]
        assert isinstance(engagement_field, forms.ChoiceField)
        engagement_field.choices = [
            (INDEX, "Engagement index"),
            (ENPS, "eNPS"),
            *[(k, f"Driver: {reading.driver_name(k)}") for k in driver_keys],
        ]


def leaf_teams(teams: list[Team]) -> list[Team]:
    """The teams with no child among `teams` (the snapshot's teams where people were invited)."""
    parents = {t.parent_id for t in teams}
    return [t for t in teams if t.pk not in parents]


def team_inputs(
    teams: list[Team],
    results: dict[int, reading.CellResult],
    figures: dict[int, customer.TeamCx],
    measure: str,
) -> list[correlation.TeamInput]:
    inputs = []
    for team in teams:
        result = results.get(team.pk)
        shown = result is not None and result.shown and result.figure is not None
        figure = figures[team.pk].figure(measure)
        inputs.append(
            correlation.TeamInput(
                team_id=team.pk,
                name=team.name,
                engagement_shown=shown,
                engagement=result.figure.value if shown and result and result.figure else None,
                engagement_n=result.figure.n if shown and result and result.figure else None,
                cx=figure.value,
                cx_n=figure.n,
            )
        )
    return inputs


def plot(
    analysis: correlation.Analysis, eng: EngagementMeasure, measure: customer.Measure
) -> ScatterPlot:
    return scatter(
        [Point(p.name, p.engagement, p.cx, p.engagement_n, p.cx_n) for p in analysis.pairs],
        title=f"{eng.label.capitalize()} and {measure.label}, one dot per team",
        x_label=eng.label,
        y_label=measure.label,
        x_unit=eng.unit,
        y_unit=measure.unit,
        x_noun="answers",
        y_noun=measure.noun,
    )


DEFAULTS = {
    "engagement": INDEX,
    "cx": customer.CSAT,
    "window": "same",
    "lag": str(customer.DEFAULT_LAG_DAYS),
    "min_n": str(correlation.MIN_CUSTOMER_N),
}


def _problems(form: forms.Form) -> list[str]:
    return [f"{form.fields[f].label or f.capitalize()}: {e[0]}" for f, e in form.errors.items()]


@require_GET
def engagement_cx(request: AuthedRequest) -> HttpResponse:
    require_survey_admin(request.user)
    surveys = results_surveys()
    raw_survey = request.GET.get("survey", "")
    chosen = surveys.filter(pk=int(raw_survey)).first() if raw_survey.isdigit() else None
    survey = chosen or (None if raw_survey else surveys.first())
    driver_keys = exports.driver_item_keys(survey) if survey is not None else []
    data = {**DEFAULTS, **{k: v for k, v in request.GET.items() if v != ""}}
    if survey is not None and not raw_survey:
        data["survey"] = str(survey.pk)
    form = CxForm(data, surveys=surveys, driver_keys=driver_keys)
    context: dict[str, Any] = {
        "form": form,
        "problems": [],
        "survey": survey,
        "has_surveys": surveys.exists(),
        "page_url": reverse("engagement:engagement_cx"),
        "filtered": bool(request.GET),
    }
    if raw_survey or survey is not None:
        if not form.is_valid():
            context["problems"] = _problems(form)
        else:
            context.update(
                _analysis(
                    request,
                    form.cleaned_data["survey"],
                    engagement_key=form.cleaned_data["engagement"],
                    cx_key=form.cleaned_data["cx"],
                    window_kind=form.cleaned_data["window"],
                    lag=form.cleaned_data["lag"] or customer.DEFAULT_LAG_DAYS,
                    min_n=form.cleaned_data["min_n"] or correlation.MIN_CUSTOMER_N,
                    driver_keys=driver_keys,
                )
            )
    name = f"{TEMPLATE}#results" if request.htmx else TEMPLATE
    return render(request, name, context)


def _analysis(
    request: AuthedRequest,
    survey: Survey,
    *,
    engagement_key: str,
    cx_key: str,
    window_kind: str,
    lag: int,
    min_n: int,
    driver_keys: list[str],
) -> dict[str, Any]:
    window = (
        customer.lagged_window(survey, lag)
        if window_kind == "lagged"
        else customer.survey_window(survey)
    )
    if window is None:
        return {"no_window": True}
    teams = leaf_teams(reading.visible_result_teams(survey, request.user))
    if not teams:  # none of the survey's teams is within the person's reach
        raise Http404
    ids = [t.pk for t in teams]
    measure = customer.MEASURES[cx_key]
    eng = engagement_measure(engagement_key)
    guards = correlation.Guards(min_customer_n=min_n)
    reading.prefetch(survey, [engagement_key, reading.ALL_DRIVERS])
    figures = customer.team_cx(teams, window, measures=[cx_key])
    results = reading.team_results(survey, engagement_key, ids)
    analysis = correlation.analyse(
        team_inputs(teams, results, figures, cx_key),
        engagement_label=eng.label,
        cx_label=measure.label,
        cx_noun=measure.noun,
        guards=guards,
    )
    drivers = correlation.driver_view(
        [
            (
                key,
                reading.driver_name(key),
                team_inputs(teams, reading.team_results(survey, key, ids), figures, cx_key),
            )
            for key in driver_keys
        ],
        cx_label=measure.label,
        cx_noun=measure.noun,
        guards=guards,
    )
    rows = [
        (
            p.name,
            f"{format_number(p.engagement)}{eng.unit}",
            p.engagement_n,
            f"{format_number(p.cx)}{measure.unit}",
            p.cx_n,
        )
        for p in analysis.pairs
    ]
    return {
        "rows": rows,
        "window": window,
        "window_unfinished": window.unfinished(timezone.localdate()),
        "measure": measure,
        "eng": eng,
        "analysis": analysis,
        "chart": plot(analysis, eng, measure),
        "drivers": drivers,
        "teams_considered": len(teams),
        "spearman_r": correlation.r_text(analysis.spearman),
        "spearman_interval": correlation.interval_text(analysis.spearman),
        "pearson_r": correlation.r_text(analysis.pearson),
        "pearson_interval": correlation.interval_text(analysis.pearson),
        "teams_to_detect": correlation.TEAMS_TO_DETECT_0_3,
    }
