"""The CX overview for HR and leadership: CSAT %, NPS and CES by month with 95% intervals,
retention and churn by month, and an estimated customer lifetime value when monthly customer
figures have been imported (labelled as an estimate, with its formula).

HR and administrators only (access.require_survey_admin); the team filter offers the whole
organisation or any team their grants reach, each with its subtree. One query per measure.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from qa_platform.http import AuthedRequest
from qa_platform.people.access import teams_q
from qa_platform.people.models import Team
from scorecards.models import CustomerFeedback

from . import cx_overview as cx
from .access import SURVEY_ADMIN_ROLES, require_survey_admin
from .forms_actions import CxFilterForm
from .models import CustomerPeriod

DEFAULT_MONTHS = 12
TEMPLATE = "engagement/cx_overview/overview.html"


@require_GET
def cx_overview(request: AuthedRequest) -> HttpResponse:
    require_survey_admin(request.user)
    scope = Team.objects.filter(teams_q(request.user, SURVEY_ADMIN_ROLES), is_active=True)
    form = CxFilterForm(request.GET or None, teams=scope.order_by("path"))
    team: Team | None = None
    months_count = DEFAULT_MONTHS
    problems: list[str] = []
    if form.is_bound:
        if form.is_valid():
            team = form.cleaned_data["team"]
            months_count = int(form.cleaned_data["months"] or DEFAULT_MONTHS)
        elif "team" in form.errors:
            # A team outside the person's reach (or no team at all) is not found.
            raise Http404
        else:
            problems = [f"{form.fields[f].label}: {e[0]}" for f, e in form.errors.items()]
    months = cx.month_range(timezone.localdate(), months_count)

    feedback = CustomerFeedback.objects.all()
    if team is not None:
        feedback = feedback.filter(team__path__startswith=team.path)
    else:
        feedback = feedback.filter(team__in=scope)
    trends = cx.feedback_trends(feedback, months)

    periods = (
        CustomerPeriod.objects.filter(team=team)
        if team
        else CustomerPeriod.objects.filter(team__isnull=True)
    )
    customers = cx.customer_months(periods, months)
    clv = cx.lifetime_value(customers) if customers else None

    context: dict[str, Any] = {
        "form": form,
        "team": team,
        "months": months,
        "months_count": months_count,
        "problems": problems,
        "trends": trends,
        "csat_chart": cx.csat_chart(trends),
        "nps_chart": cx.nps_chart(trends),
        "ces_charts": cx.ces_charts(trends),
        "customers": customers,
        "retention_chart": cx.retention_chart(customers, months) if customers else None,
        "clv": clv,
        "filtered": bool(team) or months_count != DEFAULT_MONTHS,
        "overview_url": reverse("engagement:cx_overview"),
        "import_url": reverse("engagement:customer_import"),
    }
    name = f"{TEMPLATE}#results" if request.htmx else TEMPLATE
    return render(request, name, context)
