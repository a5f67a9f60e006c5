"""Importing people from an HR export: upload → preview (a dry run) → confirm → result.

The upload is kept in the session between preview and confirm (at most 5 MB, as UTF-8 text with
a digest the confirm form must repeat), so the confirmed import is exactly the previewed one. The
preview runs the real import and rolls it back, so its counts are what confirming will do.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from qa_platform.http import AuthedRequest

from ..access import require_role
from ..importing import COLUMNS, MAX_BYTES, MAX_ROWS, template_csv
from ..imports import ImportResult, import_people
from ..roles import Role
from .people import render_page

TEMPLATE = "people/import.html"
SESSION_KEY = "people_import"
PREVIEW_ROWS = 20
ACCEPTED_SUFFIXES = (".csv", ".txt")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="HR export (CSV file)",
        help_text=(
            f"UTF-8 CSV, comma or semicolon separated, at most {MAX_BYTES // (1024 * 1024)} MB "
            f"and {MAX_ROWS:,} people. The template shows the columns."
        ),
    )
    full = forms.BooleanField(
        required=False,
        label="This is a full export: deactivate people missing from it",
        help_text=(
            "Active people you administer who are not in the file are deactivated, never "
            "deleted. You are never deactivated yourself."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError(
                "Upload a .csv file. From a spreadsheet, use “Save as” and choose CSV UTF-8."
            )
        size = upload.size or 0
        if size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {size / (1024 * 1024):.1f} MB; the limit is "
                f"{MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files and import "
                "them one after another (without “full export”)."
            )
        return upload


def _crumbs() -> list[tuple[str, str | None]]:
    return [("People", reverse("people:list")), ("Import", None)]


def _page(
    request: AuthedRequest, step: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    base = {
        "step": step,
        "crumbs": _crumbs(),
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "action_url": reverse("people:import"),
    }
    return render_page(request, TEMPLATE, {**base, **context}, partial="panel", status=status)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _preview_rows(result: ImportResult) -> list[dict[str, Any]]:
    return [
        {"person": p, "actions": result.actions.get(p.row, ())}
        for p in result.plan.people[:PREVIEW_ROWS]
    ]


def _errors_page(request: AuthedRequest, result: ImportResult, name: str) -> HttpResponse:
    return _page(
        request,
        "errors",
        {"errors": result.errors, "file_name": name, "form": ImportUploadForm()},
    )


def _preview(request: AuthedRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, "upload", {"form": form})
    upload: UploadedFile = form.cleaned_data["file"]
    data = upload.read(MAX_BYTES + 1)
    full = bool(form.cleaned_data["full"])
    name = upload.name or "upload.csv"
    result = import_people(data=data, full=full, actor=request.user, request=request, dry_run=True)
    if not result.ok:
        request.session.pop(SESSION_KEY, None)
        return _errors_page(request, result, name)
    text = data.decode("utf-8-sig")  # the dry run proved it decodes
    digest = _digest(text)
    request.session[SESSION_KEY] = {"text": text, "full": full, "name": name, "digest": digest}
    return _page(
        request,
        "preview",
        {
            "result": result,
            "counts": result.counts,
            "rows": _preview_rows(result),
            "mapping": result.plan.columns,
            "file_name": name,
            "full": full,
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
        form = ImportUploadForm()
        messages.warning(
            request, "There is no previewed import to confirm any more. Upload the file again."
        )
        return _page(request, "upload", {"form": form})
    del request.session[SESSION_KEY]
    name = str(stored.get("name", "upload.csv"))
    result = import_people(
        data=stored["text"].encode("utf-8"),
        full=bool(stored.get("full")),
        actor=request.user,
        request=request,
    )
    if not result.ok:
        return _errors_page(request, result, name)
    c = result.counts
    messages.success(
        request,
        f"Imported {name}: {c.created} created, {c.updated} updated, {c.moved} moved, "
        f"{c.deactivated} deactivated.",
    )
    return _page(
        request,
        "result",
        {"counts": c, "file_name": name, "full": bool(stored.get("full")), "result": result},
    )


@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest) -> HttpResponse:
    """Administrators only. GET: the upload form; POST: preview, confirm or cancel."""
    require_role(request.user, Role.ADMIN)
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "confirm":
            return _confirm(request)
        if step == "cancel":
            request.session.pop(SESSION_KEY, None)
            messages.info(request, "Import cancelled; nothing was saved.")
            return _page(request, "upload", {"form": ImportUploadForm()})
        return _preview(request)
    return _page(request, "upload", {"form": ImportUploadForm()})


@require_GET
def import_template(request: AuthedRequest) -> HttpResponse:
    """The header and two example rows. With a byte-order mark so Excel reads it as UTF-8."""
    require_role(request.user, Role.ADMIN)
    response = HttpResponse("\ufeff" + template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people-import-template.csv"'
    return response
