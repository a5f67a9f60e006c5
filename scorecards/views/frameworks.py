"""Quality frameworks for QA managers and administrators: every framework with its versions,
links into the Wagtail editor (where frameworks are authored), and the actions that are not
editing: duplicate, retire, reinstate, and "Preview as reviewer" of a published version.

Frameworks belong to the whole organisation (they carry no team), so anyone holding the QA
manager or administrator role somewhere may open these pages; everyone else gets 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from qa_platform.http import AuthedRequest
from qa_platform.people.access import get_visible_or_404
from scorecards.access import require_qa_admin
from scorecards.frameworks import framework_status, with_listing_figures
from scorecards.models import Framework, FrameworkVersion, Review
from scorecards.services.frameworks import (
    FrameworkError,
    duplicate_framework,
    reinstate_framework,
    retire_framework,
)

LIST_TEMPLATE = "scorecards/frameworks/list.html"
PREVIEW_TEMPLATE = "scorecards/framework_preview.html"


def _is_htmx(request: AuthedRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _admin_url(action: str, *args: Any) -> str:
    return reverse(f"wagtailsnippets_scorecards_framework:{action}", args=args)


def _frameworks() -> QuerySet[Framework]:
    # A correlated count per version (the review index answers it), not a join grouped by every
    # column: that took 20 s with 100,000 reviews on SQLite.
    reviews = (
        Review.objects.filter(framework_version=OuterRef("pk"))
        .order_by()
        .values("framework_version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    versions = (
        FrameworkVersion.objects.select_related("published_by")
        .defer("definition")
        .annotate(review_count=Coalesce(Subquery(reviews, output_field=IntegerField()), 0))
        .order_by("-number")
    )
    return with_listing_figures(Framework.objects.all()).prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="version_list")
    )


def _row(framework: Framework) -> dict[str, Any]:
    return {
        "framework": framework,
        "status": framework_status(framework),
        "edit_url": _admin_url("edit", framework.pk),
        "history_url": _admin_url("history", framework.pk),
    }


@require_GET
def framework_list(request: AuthedRequest) -> HttpResponse:
    require_qa_admin(request.user)
    rows = [_row(framework) for framework in _frameworks().order_by("name", "pk")]
    context = {"rows": rows, "add_url": _admin_url("add")}
    template = f"{LIST_TEMPLATE}#frameworks" if _is_htmx(request) else LIST_TEMPLATE
    return render(request, template, context)


def _after_action(request: AuthedRequest, framework: Framework, notice: str) -> HttpResponse:
    """htmx gets the framework's refreshed card with the notice; plain requests go back to the
    list, where the notice shows as a toast."""
    if _is_htmx(request):
        fresh = _frameworks().get(pk=framework.pk)
        context = {"row": _row(fresh), "notice": notice}
        return render(request, f"{LIST_TEMPLATE}#framework", context)
    messages.success(request, notice)
    return redirect(reverse("scorecards:frameworks") + f"#framework-{framework.pk}")


@require_POST
def framework_retire(request: AuthedRequest, pk: int) -> HttpResponse:
    require_qa_admin(request.user)
    framework = get_visible_or_404(Framework.objects.all(), pk=pk)
    framework = retire_framework(framework=framework, by=request.user, request=request)
    notice = f"Retired {framework}: it takes no new reviews; its reviews stay as they are."
    return _after_action(request, framework, notice)


@require_POST
def framework_reinstate(request: AuthedRequest, pk: int) -> HttpResponse:
    require_qa_admin(request.user)
    framework = get_visible_or_404(Framework.objects.all(), pk=pk)
    framework = reinstate_framework(framework=framework, by=request.user, request=request)
    notice = f"Reinstated {framework}: reviewers can grade with it again."
    return _after_action(request, framework, notice)


class DuplicateForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        label="Name of the copy",
        help_text="The copy starts as a draft with no versions; publish it when it is ready.",
    )


@require_http_methods(["GET", "POST"])
def framework_duplicate(request: AuthedRequest, pk: int) -> HttpResponse:
    require_qa_admin(request.user)
    framework = get_visible_or_404(Framework.objects.all(), pk=pk)
    form = DuplicateForm(
        request.POST if request.method == "POST" else None,
        initial={"name": f"Copy of {framework.name}"[:200]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = duplicate_framework(
                framework=framework,
                by=request.user,
                name=form.cleaned_data["name"],
                request=request,
            )
        except FrameworkError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Created the draft {copy}. Edit it, then publish it.")
            url = _admin_url("edit", copy.pk)
            return HttpResponseClientRedirect(url) if _is_htmx(request) else redirect(url)
    context = {
        "form": form,
        "framework": framework,
        "action_url": request.get_full_path(),
        "cancel_url": reverse("scorecards:frameworks"),
        "crumbs": [
            ("Quality frameworks", reverse("scorecards:frameworks")),
            (f"Duplicate {framework}", None),
        ],
    }
    template = "scorecards/frameworks/duplicate.html"
    return render(request, f"{template}#form" if _is_htmx(request) else template, context)


@require_GET
def version_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """A published version's criteria as reviewers see them while grading."""
    require_qa_admin(request.user)
    version = get_visible_or_404(
        FrameworkVersion.objects.select_related("framework", "published_by"), pk=pk
    )
    context = {
        "definition": version.defn,
        "version": version,
        "framework": version.framework,
        "crumbs": [
            ("Quality frameworks", reverse("scorecards:frameworks")),
            (f"{version.framework} v{version.number}", None),
        ],
    }
    template = f"{PREVIEW_TEMPLATE}#criteria" if _is_htmx(request) else PREVIEW_TEMPLATE
    return render(request, template, context)


urlpatterns: list[URLPattern] = [
    path("frameworks/", framework_list, name="frameworks"),
    path("frameworks/<int:pk>/duplicate/", framework_duplicate, name="framework_duplicate"),
    path("frameworks/<int:pk>/retire/", framework_retire, name="framework_retire"),
    path("frameworks/<int:pk>/reinstate/", framework_reinstate, name="framework_reinstate"),
    path(
        "frameworks/versions/<int:pk>/preview/",
        version_preview,
        name="framework_version_preview",
    ),
]
