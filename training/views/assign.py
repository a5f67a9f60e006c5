"""Assigning training, assignment rules and issued certificates.

- ``GET/POST /training/assign/`` (``assign``): leads, trainers, training leads, QA managers and
  administrators give a module, role-play or path to people and teams they reach, with an
  optional due date, through `training.services.assign_training` (the one way to assign).
- ``GET/POST /training/rules/`` (``rules``): the assignment rules the person may see, and a form
  to add one (trainers, training leads, QA managers and administrators for any team they reach or
  the whole organisation; leads for teams they lead).
- ``GET /training/certificates/`` (``certificates``): certificates issued to people in reach;
  ``GET .../<id>/pdf/`` downloads one (the holder too); ``POST .../<id>/revoke/`` (admins).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Page

from qa_platform.http import AuthedRequest
from qa_platform.people.access import is_admin, require_role, teams_q
from qa_platform.people.models import Team, User
from qa_platform.people.roles import Role
from training.access import ASSIGN_ROLES, TRAINER_ROLES, people_in_reach_q
from training.services.common import TrainingError
from training.views.common import error_text, is_htmx

ASSIGNABLE = ("modulepage", "roleplayscenariopage", "learningpathpage")
KIND_LABELS = {
    "modulepage": "Module",
    "roleplayscenariopage": "Role-play",
    "learningpathpage": "Learning path",
}
PAGE_SIZE = 50


def assignable_pages() -> list[tuple[int, str]]:
    rows = (
        Page.objects.live()
        .filter(content_type__app_label="training", content_type__model__in=ASSIGNABLE)
        .order_by("title")
        .values_list("pk", "title", "content_type__model")
    )
    return [(pk, f"{title} ({KIND_LABELS[model]})") for pk, title, model in rows]


class AssignForm(forms.Form):
    page = forms.TypedChoiceField(
        label="Training", coerce=int, help_text="A published module, role-play or learning path."
    )
    people = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        help_text="Hold Ctrl (Cmd on a Mac) to choose several people.",
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        help_text="Everyone currently in the team and the teams below it.",
    )
    due_at = forms.DateField(
        label="Due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. People are reminded before it and when it has passed.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["page"].choices = [("", "Choose training…"), *assignable_pages()]  # type: ignore[attr-defined]
        self.fields["people"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            people_in_reach_q(user, ASSIGN_ROLES, "pk"), is_active=True
        ).order_by("full_name", "email")
        self.fields["teams"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            teams_q(user, ASSIGN_ROLES), is_active=True
        ).order_by("path")

    def clean_due_at(self) -> Any:
        due = self.cleaned_data.get("due_at")
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return due

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("people") and not data.get("teams"):
            raise forms.ValidationError("Choose at least one person or team.")
        return data


@require_http_methods(["GET", "POST"])
def assign(request: AuthedRequest) -> HttpResponse:
    from training.services import assign_training

    require_role(request.user, *ASSIGN_ROLES)
    initial = {}
    if request.GET.get("page", "").isdigit():
        initial["page"] = int(request.GET["page"])
    form = AssignForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        page = Page.objects.get(pk=form.cleaned_data["page"])
        try:
            result = assign_training(
                page=page,
                people=list(form.cleaned_data["people"]),
                teams=list(form.cleaned_data["teams"]),
                due_at=form.cleaned_data["due_at"],
                source="manual",
                actor=request.user,
                request=request,
            )
        except TrainingError as exc:
            form.add_error(None, error_text(exc))
        else:
            created = len(result.created)
            text = f"Assigned “{page.title}” to {created} {'person' if created == 1 else 'people'}."
            if result.already:
                n = len(result.already)
                text += f" {n} already had it."
            messages.success(request, text)
            return redirect("training:assign")
    return render(
        request,
        "training/learn/assign.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# --- Rules ----------------------------------------------------------------------------------


class RuleForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="e.g. “New starters: refunds module”.")
    page = forms.TypedChoiceField(label="Training", coerce=int)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        help_text="Everyone in this team and the teams below it.",
    )
    role = forms.ChoiceField(
        choices=[("", "Any role"), *Role.choices],
        required=False,
        help_text="Only people holding this role.",
    )
    first_days = forms.IntegerField(
        label="In their first … days",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Only new starters, e.g. 30. Empty: everyone.",
    )
    due_days = forms.IntegerField(
        label="Due after … days",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Due this many days after the rule assigns it. Empty: no due date.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["page"].choices = [("", "Choose training…"), *assignable_pages()]  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            teams_q(user, ASSIGN_ROLES), is_active=True
        ).order_by("path")
        if not any(r in TRAINER_ROLES for r in _held(user)):
            self.fields["team"].required = True
            self.fields["team"].help_text = "One of your teams (and the teams below it)."


def _held(user: Any) -> set[str]:
    from qa_platform.people.access import grants_of

    return grants_of(user).roles


@require_http_methods(["GET", "POST"])
def rules(request: AuthedRequest) -> HttpResponse:
    from training.models import AssignmentRule
    from training.services import create_rule

    require_role(request.user, *ASSIGN_ROLES)
    form = RuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule = create_rule(
                name=data["name"],
                page=Page.objects.get(pk=data["page"]),
                team=data["team"],
                role=data["role"],
                first_days=data["first_days"],
                due_days=data["due_days"],
                actor=request.user,
                request=request,
            )
        except TrainingError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"Rule “{rule.name}” saved and applied.")
            return redirect("training:rules")
    rows = (
        AssignmentRule.objects.visible_to(request.user)
        .select_related("page", "team", "created_by")
        .order_by("name", "pk")
    )
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "training/learn/rules.html"
    return render(
        request,
        f"{template}#results" if is_htmx(request) and request.method == "GET" else template,
        {
            "form": form,
            "page_obj": page_obj,
            "rules": page_obj.object_list,
            "roles": dict(Role.choices),
        },
        status=400 if form.errors else 200,
    )


# --- Certificates ---------------------------------------------------------------------------


def _certificates(user: Any) -> Any:
    from training.models import Certificate

    return Certificate.objects.visible_to(user)


@require_GET
def certificates(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *ASSIGN_ROLES)
    rows = (
        _certificates(request.user)
        .exclude(person=request.user)
        .select_related("person")
        .order_by("-issued_at", "-pk")
    )
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for c in page_obj.object_list:
        c.shown_state = c.state(now)
    template = "training/learn/certificates.html"
    return render(
        request,
        f"{template}#results" if is_htmx(request) else template,
        {
            "page_obj": page_obj,
            "certificates": page_obj.object_list,
            "can_revoke": is_admin(request.user),
        },
    )


def _certificate_or_404(user: Any, certificate_id: int) -> Any:
    cert = _certificates(user).filter(pk=certificate_id).first()
    if cert is None:
        raise Http404
    return cert


@require_GET
def certificate_pdf(request: AuthedRequest, certificate_id: int) -> HttpResponse:
    from training.certificates import pdf_filename, render_certificate_pdf

    cert = _certificate_or_404(request.user, certificate_id)
    response = HttpResponse(render_certificate_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(cert)}"'
    return response


@require_POST
def certificate_revoke(request: AuthedRequest, certificate_id: int) -> HttpResponse:
    from training.services import revoke_certificate

    cert = _certificate_or_404(request.user, certificate_id)
    if not is_admin(request.user):
        raise PermissionDenied
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, "Say why the certificate is revoked.")
    else:
        try:
            revoke_certificate(certificate=cert, actor=request.user, reason=reason, request=request)
        except TrainingError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"Revoked {cert.person_name}'s certificate.")
    return redirect("training:certificates")


urlpatterns: list[URLPattern] = [
    path("assign/", assign, name="assign"),
    path("rules/", rules, name="rules"),
    path("certificates/", certificates, name="certificates"),
    path("certificates/<int:certificate_id>/pdf/", certificate_pdf, name="certificate_pdf"),
    path(
        "certificates/<int:certificate_id>/revoke/",
        certificate_revoke,
        name="certificate_revoke",
    ),
]
