"""The quality overview for leads, QA managers and administrators, and "How scores work".

- `overview` (/quality/overview/): quality score by team and agent with n and 95% interval, pass
  rate, CSAT % and NPS beside them, per-criterion averages and a weekly trend chart, for the
  reviews the person may see, filtered by team (subtree), framework and version, channel, period
  and agent. The filter state lives in the URL; htmx swaps only the results.
- `how_scores_work` (/quality/how-scores-work/): the scoring rules with worked examples, for
  everyone signed in (agents read it from their reviews).

The figures come from scorecards.overview (database aggregates); this module only parses the
filters and lays the figures out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from qa_platform.charts import Datum, LineChart, Series, line_chart
from qa_platform.http import AuthedRequest
from qa_platform.people.access import people_q, teams_q
from qa_platform.people.models import Team, User
from qa_platform.templatetags.scores import score_html
from qa_platform.widgets import FastSelect
from scorecards import overview as figures
from scorecards.access import OVERVIEW_ROLES, require_overview_role
from scorecards.models import Channel, FrameworkVersion

TEMPLATE = "scorecards/overview.html"
AGENTS_PAGE_SIZE = 50


def _is_htmx(request: AuthedRequest) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def how_url() -> str:
    return reverse("scorecards:how_scores_work")


# ---------------------------------------------------------------------------------------------
# The filter bar
# ---------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class AgentField(forms.TypedChoiceField):
    """The agent picker lists current members of the person's teams, but any agent id is taken:
    an agent who has since left still has reviews here (the agent table links to them), and the
    figures are scoped through `visible_to`, so an id outside the scope only finds nothing."""

    def valid_value(self, value: Any) -> bool:
        return True


class OverviewFilterForm(forms.Form):
    """Filters of the overview. Invalid values never block the page: each is reported and the
    overview falls back to that filter's default."""

    team = forms.TypedChoiceField(
        label="Team", required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    framework = forms.TypedChoiceField(
        label="Framework", required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    version = forms.TypedChoiceField(label="Version", required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(
        label="Channel",
        required=False,
        choices=[("", "Any channel"), *Channel.choices],
        widget=FastSelect,
    )
    period = forms.ChoiceField(
        label="Period", required=False, choices=figures.PERIOD_CHOICES, widget=FastSelect
    )
    start = forms.DateField(
        label="From",
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
        help_text="With “Custom dates”.",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD, for example 2026-03-02."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
        help_text="Included.",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD, for example 2026-03-29."},
    )
    agent = AgentField(
        label="Agent",
        required=False,
        coerce=int,
        empty_value=None,
        widget=FastSelect,
        error_messages={"invalid_choice": "Choose one of the agents in the list."},
    )

    def __init__(self, data: Any, *, user: User) -> None:
        data = data.copy()
        if not data.get("period"):
            data["period"] = figures.DEFAULT_PERIOD
        super().__init__(data)
        self.team_paths: dict[int, str] = {}
        team_choices: list[tuple[Any, str]] = [("", "All your teams")]
        teams = Team.objects.filter(teams_q(user, OVERVIEW_ROLES)).order_by("path")
        rows = list(teams.values_list("pk", "name", "depth", "path", "is_active"))
        top = min((depth for _, _, depth, _, _ in rows), default=0)
        for pk, name, depth, path_, active in rows:
            self.team_paths[pk] = path_
            label = "\u2003" * (depth - top) + name + ("" if active else " (inactive)")
            team_choices.append((pk, label))
        self.fields["team"].choices = team_choices  # type: ignore[attr-defined]

        self.version_framework: dict[int, int] = {}
        frameworks: dict[int, str] = {}
        grouped: dict[int, list[tuple[int, str]]] = {}  # versions by framework, newest first
        versions = FrameworkVersion.objects.order_by("framework__name", "framework_id", "-number")
        for pk, number, framework_id, name in versions.values_list(
            "pk", "number", "framework_id", "framework__name"
        ):
            self.version_framework[pk] = framework_id
            frameworks[framework_id] = name
            grouped.setdefault(framework_id, []).append((pk, f"{name}, version {number}"))
        self.fields["framework"].choices = [  # type: ignore[attr-defined]
            ("", "Any framework"),
            *frameworks.items(),
        ]
        self.fields["version"].choices = [  # type: ignore[attr-defined]
            ("", "Any version"),
            *((frameworks[f], options) for f, options in grouped.items()),
        ]

        people = User.objects.filter(people_q(user, OVERVIEW_ROLES)).order_by("full_name", "email")
        self.fields["agent"].choices = [  # type: ignore[attr-defined]
            ("", "Every agent"),
            *(
                (pk, name or email)
                for pk, name, email in people.values_list("pk", "full_name", "email")
            ),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        dates_valid = "start" not in self.errors and "end" not in self.errors
        if cleaned.get("period") == "custom" and dates_valid:
            start, end = cleaned.get("start"), cleaned.get("end")
            if start is None or end is None:
                self.add_error(
                    "start" if start is None else "end",
                    "Enter both dates for a custom period.",
                )
            elif end < start:
                self.add_error("end", "The end date is before the start date.")
            elif (end - start).days + 1 > figures.MAX_CUSTOM_DAYS:
                self.add_error("end", "Choose at most two years.")
        version, framework = cleaned.get("version"), cleaned.get("framework")
        if (
            version is not None
            and framework is not None
            and self.version_framework.get(version) != framework
        ):
            self.add_error("version", "That version belongs to another framework.")
        return cleaned

    def problems(self) -> list[str]:
        """Every error as a sentence for the results area (htmx swaps only the results)."""
        out = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            for error in errors:
                out.append(f"{label}: {error}" if label else str(error))
        return out

    def filters(self, today: dt.date) -> tuple[figures.Filters, dict[str, str]]:
        """The valid filters and, for links, the same filters as query parameters."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        query: dict[str, str] = {}
        key = data.get("period") or figures.DEFAULT_PERIOD
        if "period" in self.errors or (key == "custom" and {"start", "end"} & set(self.errors)):
            key = figures.DEFAULT_PERIOD
        period = figures.period_for(key, today, data.get("start"), data.get("end"))
        if period.key != figures.DEFAULT_PERIOD:
            query["period"] = period.key
        if period.key == "custom":
            query["start"], query["end"] = period.start.isoformat(), period.end.isoformat()
        team_path = None
        if (team := data.get("team")) is not None and team in self.team_paths:
            team_path = self.team_paths[team]
            query["team"] = str(team)
        version = data.get("version")
        framework = data.get("framework")
        if version is not None:
            framework = self.version_framework.get(version, framework)
            query["version"] = str(version)
        if framework is not None:
            query["framework"] = str(framework)
        if channel := data.get("channel"):
            query["channel"] = channel
        if (agent := data.get("agent")) is not None:
            query["agent"] = str(agent)
        return (
            figures.Filters(
                period=period,
                team_path=team_path,
                framework_id=framework,
                version_id=version,
                channel=channel or None,
                agent_id=agent,
            ),
            query,
        )


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def trend_chart(weeks: tuple[figures.ScoreRow, ...]) -> LineChart:
    """The weekly quality score with its 95% interval as whiskers (where n >= 2)."""
    data = tuple(Datum(w.label, w.mean, w.low, w.high, w.n) for w in weeks)
    return line_chart(
        [Series("Quality score", data)],
        title="Quality score by week (95% interval)",
        x_label="Week starting (Monday)",
        y_label="Quality score (0\u2013100)",
        y_min=0,
        y_max=100,
    )


def figure_cells(row: figures.ScoreRow, header: str) -> SafeString:
    """A team's or an agent's table row without its `<tr>`: the row header, then the quality
    score, the pass rate (greyed under the minimum n) and the CSAT and NPS figures, as the
    overview's tables print them. Built here rather than in the template: ~65 rows of 5 cells,
    3 of them figures, were most of the page's rendering (see qa_platform/templatetags/scores.py).
    `header` is HTML already escaped; a row's key, a team's or agent's primary key, is a
    number with nothing to escape."""
    pass_class = "num score-too-few" if row.pass_too_few else "num"
    of = f' <span class="muted">of {escape(row.pass_n_text)}</span>' if row.pass_n else ""
    return SafeString(
        f"{header}<td>{score_html(row.score)}</td>"
        f'<td class="{pass_class}">{escape(row.pass_rate_text)}{of}</td>'
        f"<td>{score_html(row.csat)}</td><td>{score_html(row.nps)}</td>"
    )


def team_cells(rows: Iterable[figures.ScoreRow], base: str) -> list[SafeString]:
    """The "By team" rows: each team indented by its depth, linking to the overview of that
    team with the other filters kept (`base`, a query string)."""
    prefix = f"?{escape(base)}&amp;team=" if base else "?team="
    return [
        figure_cells(
            row,
            f'<th scope="row" class="tree-level-{row.depth}">'
            f'<a href="{prefix}{row.key}">{escape(row.label)}</a></th>',
        )
        for row in rows
    ]


def agent_cells(rows: Iterable[figures.ScoreRow], base: str) -> list[SafeString]:
    """The "By agent" rows of the page: each agent links to the overview of that agent."""
    prefix = f"?{escape(base)}&amp;agent=" if base else "?agent="
    return [
        figure_cells(
            row, f'<th scope="row"><a href="{prefix}{row.key}">{escape(row.label)}</a></th>'
        )
        for row in rows
    ]


def _link(query: dict[str, str], **changes: str) -> str:
    merged = {**query, **changes}
    return "?" + urlencode(merged)


@require_GET
def overview(request: AuthedRequest) -> HttpResponse:
    require_overview_role(request.user)
    form = OverviewFilterForm(request.GET, user=request.user)
    filters, query = form.filters(timezone.localdate())
    data = figures.build_overview(request.user, filters)

    sort = request.GET.get("sort", "name")
    if sort not in dict(figures.AGENT_SORTS):
        sort = "name"
    agents = figures.sort_agents(data.agents, sort)
    page = Paginator(agents, AGENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    page_query = {**query, **({"sort": sort} if sort != "name" else {})}
    # A team row links to the overview of that team, an agent row to that agent's.
    team_base = urlencode({k: v for k, v in query.items() if k not in ("team", "agent")})
    agent_base = urlencode({k: v for k, v in query.items() if k != "agent"})
    context = {
        "form": form,
        "problems": form.problems(),
        "overview": data,
        "overall": data.overall,
        "period": data.period,
        "chart": trend_chart(data.weeks),
        "agents_page": page,
        "agent_rows": page.object_list,
        "agent_cells": agent_cells(page.object_list, agent_base),
        "team_cells": team_cells(data.teams, team_base),
        "query_string": urlencode(page_query),
        "sort": sort,
        "sorts": [(key, label, _link(query, sort=key)) for key, label in figures.AGENT_SORTS],
        "filtered": bool(query),
        "how_scores_url": how_url(),
        "min_n": figures.MIN_N,
        "show_framework_column": data.frameworks_shown > 1,
    }
    template = f"{TEMPLATE}#results" if _is_htmx(request) else TEMPLATE
    return render(request, template, context)


@require_GET
def how_scores_work(request: AuthedRequest) -> HttpResponse:
    """The scoring rules in plain words with worked examples; open to everyone signed in."""
    return render(request, "scorecards/how_scores_work.html", {"min_n": figures.MIN_N})


urlpatterns: list[URLPattern] = [
    path("overview/", overview, name="overview"),
    path("how-scores-work/", how_scores_work, name="how_scores_work"),
]
