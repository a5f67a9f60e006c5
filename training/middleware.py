"""Publishing refused in the Wagtail admin is a message, never a server error.

The page editor checks a training page's rules in its form, so "Publish" there shows the problems
against their steps. Other admin actions publish a stored revision without a form: approving the
last task of the "Training review" workflow (the dashboard's and the page's "Approve" buttons),
bulk publishing, publishing from the revisions list. Wagtail then calls the page's `full_clean()`
inside the action's transaction, and a rule broken since the trainer submitted (a framework
criterion a free-response step grades against was removed from the framework's new version) raises
`ValidationError` out of the view. This middleware turns that into an error message naming each
problem (the step and the criterion) and sends the user back to the page's editor; the action's
transaction has rolled back, so nothing was published and the workflow stays in review.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

ADMIN_NAMESPACE = "wagtailadmin_pages"


def problems_of(error: ValidationError) -> list[str]:
    """The messages of a page's validation error, field problems first (they name the step)."""
    if not hasattr(error, "error_dict"):
        return [str(m) for m in error.messages]
    found: list[str] = []
    for field, errors in error.error_dict.items():
        if field == NON_FIELD_ERRORS:
            continue
        for item in errors:
            found.extend(str(m) for m in item.messages)
    return found or [str(m) for m in error.messages]


class PublishRefusedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        match = getattr(request, "resolver_match", None)
        if not isinstance(exception, ValidationError) or match is None:
            return None
        if not any(ns.startswith("wagtail") for ns in match.namespaces):
            return None
        page_id = match.kwargs.get("page_id")
        title = _title(page_id)
        messages.error(
            request,
            f"{title} cannot be published: {' '.join(problems_of(exception))} "
            "Nothing was published; the page stays as it was until this is fixed.",
        )
        url = _back_url(page_id, request)
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # Wagtail's workflow modal follows a "success" step's redirect.
            from wagtail.admin.modal_workflow import render_modal_workflow

            return render_modal_workflow(
                request, "", None, {}, json_data={"step": "success", "redirect": url}
            )
        return HttpResponseRedirect(url)


def _title(page_id: Any) -> str:
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first() if page_id else None
    if page is None:
        return "The page"
    latest = page.get_latest_revision_as_object() if page.has_unpublished_changes else page
    return f"“{latest.title}”"


def _back_url(page_id: Any, request: HttpRequest) -> str:
    if page_id:
        try:
            return reverse(f"{ADMIN_NAMESPACE}:edit", args=[page_id])
        except NoReverseMatch:
            pass
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("wagtailadmin_home")
