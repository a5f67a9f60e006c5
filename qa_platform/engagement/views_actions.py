"""Action plans after a survey: the list (filters by team, driver, status; overdue marked), the
create form, the detail page with "you said, we did" updates, and the htmx actions (change status,
due date or owner; publish an update).

Leads keep plans for the teams their lead grant reaches, HR and administrators for theirs; every
other role gets 403, a plan or survey outside the person's teams 404 (access.result_teams_q).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from qa_platform.http import AuthedRequest
from qa_platform.people.access import get_visible_or_404
from qa_platform.people.models import Membership, Team, User

from .access import require_results_reader, result_teams_q
from .forms_actions import (
    ActionPlanForm,
    PlanFilterForm,
    PlanUpdateForm,
    PublishUpdateForm,
    driver_label,
)
from .models import ActionPlan, ActionStatus, Invitation, Survey
from .services.actions import (
    create_action_plan,
    owner_candidates,
    plans_visible_to,
    publish_update,
    survey_drivers,
    update_action_plan,
)

PAGE_SIZE = 50


def _render(
    request: AuthedRequest, template: str, context: dict[str, Any], *, partial: str
) -> HttpResponse:
    name = f"{template}#{partial}" if request.htmx else template
    return render(request, name, context)


def _scope_teams(user: User) -> QuerySet[Team]:
    return Team.objects.filter(result_teams_q(user))


def _survey_teams(survey: Survey, user: User) -> QuerySet[Team]:
    """Teams in the person's reach that took part in `survey` (they or a team below invited)."""
    took_part = Invitation.objects.filter(survey=survey, team__path__startswith=OuterRef("path"))
    return _scope_teams(user).filter(Exists(took_part)).order_by("path")


def _closed_survey(request: AuthedRequest, survey_id: int) -> Survey:
    """A closed survey some of whose invited teams the person reaches, or 404."""
    require_results_reader(request.user)
    in_reach = Invitation.objects.filter(survey=OuterRef("pk"), team__in=_scope_teams(request.user))
    return get_visible_or_404(
        Survey.objects.closed().filter(Exists(in_reach)).select_related("previous_wave"),
        pk=survey_id,
    )


def _plan(request: AuthedRequest, pk: int) -> ActionPlan:
    require_results_reader(request.user)
    return get_visible_or_404(
        plans_visible_to(request.user).select_related("survey", "team", "owner", "created_by"),
        pk=pk,
    )


def _owners_in_reach(user: User) -> QuerySet[User]:
    """People the person could name as owner somewhere in their reach (the service checks the
    chosen team): current members of their teams, and themselves."""
    members = Membership.objects.current().filter(team__in=_scope_teams(user))
    return User.objects.filter(is_active=True).filter(
        Q(pk__in=members.values("user_id")) | Q(pk=user.pk)
    )


# --- The list -------------------------------------------------------------------------------


@require_http_methods(["GET"])
def action_plans(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = _closed_survey(request, survey_id)
    drivers = survey_drivers(survey)
    teams = _survey_teams(survey, request.user)
    form = PlanFilterForm(request.GET or None, teams=teams, drivers=drivers)
    plans = (
        plans_visible_to(request.user)
        .filter(survey=survey)
        .select_related("team", "owner")
        .order_by("due_date", "pk")
    )
    problems: list[str] = []
    filtered = False
    if form.is_bound:
        if form.is_valid():
            team, driver, status = (form.cleaned_data[k] for k in ("team", "driver", "status"))
            if team:
                plans = plans.filter(team__path__startswith=team.path)
            if driver:
                plans = plans.filter(driver=driver)
            if status == "open":
                plans = plans.filter(status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS])
            elif status:
                plans = plans.filter(status=status)
            filtered = bool(team or driver or status)
        else:
            problems = [f"{form.fields[f].label}: {e[0]}" for f, e in form.errors.items()]
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "plan": p,
            "driver": driver_label(p.driver),
            "overdue": p.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
            and p.due_date < today,
        }
        for p in page.object_list
    ]
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return _render(
        request,
        "engagement/actions/plan_list.html",
        {
            "survey": survey,
            "form": form,
            "rows": rows,
            "page_obj": page,
            "query_string": urlencode(query),
            "filtered": filtered,
            "problems": problems,
            "list_url": reverse("engagement:action_plans", args=[survey.pk]),
            "create_url": reverse("engagement:action_plan_create", args=[survey.pk]),
            "has_drivers": bool(drivers),
        },
        partial="results",
    )


# --- Create ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def action_plan_create(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = _closed_survey(request, survey_id)
    form = ActionPlanForm(
        request.POST or None,
        teams=_survey_teams(survey, request.user),
        drivers=survey_drivers(survey),
        owners=_owners_in_reach(request.user),
        initial={"driver": request.GET.get("driver", ""), "team": request.GET.get("team")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = create_action_plan(
                survey=survey,
                actor=request.user,
                **{
                    k: form.cleaned_data[k]
                    for k in ("team", "driver", "action", "details", "owner", "due_date")
                },
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Action plan “{plan.action}” created.")
            url = reverse("engagement:action_plan", args=[plan.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return _render(
        request,
        "engagement/actions/plan_form.html",
        {
            "survey": survey,
            "form": form,
            "list_url": reverse("engagement:action_plans", args=[survey.pk]),
            "action_url": reverse("engagement:action_plan_create", args=[survey.pk]),
        },
        partial="form",
    )


# --- Detail and its actions -----------------------------------------------------------------


def _detail_context(
    request: AuthedRequest,
    plan: ActionPlan,
    *,
    update_form: PlanUpdateForm | None = None,
    publish_form: PublishUpdateForm | None = None,
) -> dict[str, Any]:
    owners = owner_candidates(plan.team)
    return {
        "plan": plan,
        "driver": driver_label(plan.driver),
        "overdue": plan.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
        and plan.due_date < timezone.localdate(),
        "updates": plan.updates.filter(published_at__isnull=False).select_related("author"),
        "update_form": update_form
        or PlanUpdateForm(
            owners=owners,
            initial={"status": plan.status, "owner": plan.owner_id, "due_date": plan.due_date},
        ),
        "publish_form": publish_form or PublishUpdateForm(),
        "list_url": reverse("engagement:action_plans", args=[plan.survey_id]),
        "update_url": reverse("engagement:action_plan_update", args=[plan.pk]),
        "publish_url": reverse("engagement:action_plan_publish", args=[plan.pk]),
    }


@require_http_methods(["GET"])
def action_plan(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return _render(
        request,
        "engagement/actions/plan_detail.html",
        _detail_context(request, plan),
        partial="main",
    )


@require_POST
def action_plan_update(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change status, owner or due date: htmx gets the plan summary back, a plain POST a
    redirect."""
    plan = _plan(request, pk)
    form = PlanUpdateForm(request.POST, owners=owner_candidates(plan.team))
    if form.is_valid():
        try:
            plan = update_action_plan(
                plan=plan,
                actor=request.user,
                status=form.cleaned_data["status"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not request.htmx:
                messages.success(request, "Action plan updated.")
                return redirect(reverse("engagement:action_plan", args=[plan.pk]))
            form = None  # type: ignore[assignment]
            plan = _plan(request, pk)
    context = _detail_context(request, plan, update_form=form)
    if form is None:
        context["saved"] = True
    if request.htmx:
        return render(request, "engagement/actions/plan_detail.html#summary", context)
    return render(request, "engagement/actions/plan_detail.html", context, status=400)


@require_POST
def action_plan_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    """Publish a "you said, we did" update. htmx gets the updates list back."""
    plan = _plan(request, pk)
    form = PublishUpdateForm(request.POST)
    if form.is_valid():
        try:
            publish_update(plan=plan, text=form.cleaned_data["text"], actor=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not request.htmx:
                messages.success(request, "Update published to the team.")
                return redirect(reverse("engagement:action_plan", args=[plan.pk]))
            context = _detail_context(request, plan)
            context["published"] = True
            return render(request, "engagement/actions/plan_detail.html#updates", context)
    context = _detail_context(request, plan, publish_form=form)
    if request.htmx:
        return render(request, "engagement/actions/plan_detail.html#updates", context)
    return render(request, "engagement/actions/plan_detail.html", context, status=400)
