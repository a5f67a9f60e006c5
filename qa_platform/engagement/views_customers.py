"""Importing monthly customer figures in the browser: upload → preview → confirm → result.

HR and administrators only. The preview is a dry run of the real import (every check, nothing
written); the uploaded text waits in the session with a digest the confirm form repeats, so what is
confirmed is exactly what was previewed. All or nothing: any bad row and nothing is saved, and
every bad row is listed (components/import_errors.html).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from qa_platform.http import AuthedRequest

from .access import require_survey_admin
from .customer_periods import COLUMNS, MAX_BYTES, template_csv
from .forms_actions import CustomerUploadForm
from .services.customer_periods import PeriodImport, import_customer_periods

TEMPLATE = "engagement/cx_overview/customer_import.html"
SESSION_KEY = "customer_periods_import"
PREVIEW_ROWS = 24


def _page(request: AuthedRequest, step: str, context: dict[str, Any]) -> HttpResponse:
    base = {
        "step": step,
        "columns": COLUMNS,
        "action_url": reverse("engagement:customer_import"),
        "crumbs": [("CX overview", reverse("engagement:cx_overview")), ("Import", None)],
    }
    name = f"{TEMPLATE}#panel" if request.htmx else TEMPLATE
    return render(request, name, {**base, **context})


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _errors(request: AuthedRequest, result: PeriodImport, name: str) -> HttpResponse:
    return _page(
        request,
        "errors",
        {"errors": result.errors, "file_name": name, "form": CustomerUploadForm()},
    )


def _preview(request: AuthedRequest) -> HttpResponse:
    form = CustomerUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, "upload", {"form": form})
    upload: UploadedFile = form.cleaned_data["file"]
    data = upload.read(MAX_BYTES + 1)
    name = upload.name or "upload.csv"
    result = import_customer_periods(actor=request.user, data=data, dry_run=True, request=request)
    if not result.ok:
        request.session.pop(SESSION_KEY, None)
        return _errors(request, result, name)
    text = data.decode("utf-8-sig")  # the dry run proved it decodes
    digest = _digest(text)
    request.session[SESSION_KEY] = {"text": text, "name": name, "digest": digest}
    rows = [
        {"period": r, "action": result.actions.get(r.row, "")} for r in result.rows[:PREVIEW_ROWS]
    ]
    return _page(
        request,
        "preview",
        {
            "result": result,
            "rows": rows,
            "file_name": name,
            "digest": digest,
            "preview_limit": PREVIEW_ROWS,
        },
    )


def _confirm(request: AuthedRequest) -> HttpResponse:
    stored = request.session.get(SESSION_KEY)
    if (
        not isinstance(stored, dict)
        or not isinstance(stored.get("text"), str)
        or stored.get("digest") != request.POST.get("digest")
    ):
        messages.warning(
            request, "There is no previewed import to confirm any more. Upload the file again."
        )
        return _page(request, "upload", {"form": CustomerUploadForm()})
    del request.session[SESSION_KEY]
    name = str(stored.get("name", "upload.csv"))
    result = import_customer_periods(
        actor=request.user, data=stored["text"].encode("utf-8"), request=request
    )
    if not result.ok:
        return _errors(request, result, name)
    messages.success(
        request,
        f"Imported {name}: {result.created} months added, {result.updated} updated, "
        f"{result.unchanged} unchanged.",
    )
    return _page(request, "result", {"result": result, "file_name": name})


@require_http_methods(["GET", "POST"])
def customer_import(request: AuthedRequest) -> HttpResponse:
    """GET: the upload form; POST: preview, confirm or cancel."""
    require_survey_admin(request.user)
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "confirm":
            return _confirm(request)
        if step == "cancel":
            request.session.pop(SESSION_KEY, None)
            messages.info(request, "Import cancelled; nothing was saved.")
            return _page(request, "upload", {"form": CustomerUploadForm()})
        return _preview(request)
    return _page(request, "upload", {"form": CustomerUploadForm()})


@require_GET
def customer_import_template(request: AuthedRequest) -> HttpResponse:
    """The header and two example rows, with a byte-order mark so Excel reads it as UTF-8."""
    require_survey_admin(request.user)
    response = HttpResponse("\ufeff" + template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customer-figures-template.csv"'
    return response
