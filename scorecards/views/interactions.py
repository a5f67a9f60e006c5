"""Interactions: the searchable list, and importing interactions and customer feedback.

- `interactions` (/quality/interactions/): interactions of the teams a quality role reaches,
  searchable and filterable (filter state in the URL; htmx swaps the results only), 50 a page.
- Imports (QA managers and administrators): upload → check (the preview: the first rows, how
  each column was read, every error) → confirm → result. Each upload is a job (see
  scorecards/tasks.py) whose page can be left and opened again; files over
  `tasks.BACKGROUND_ROWS` rows are checked and imported by a Django task while the page polls.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from qa_platform.audit.services import client_ip
from qa_platform.http import AuthedRequest
from qa_platform.people.access import has_role, teams_q
from qa_platform.people.models import Team, User
from qa_platform.widgets import FastSelect
from scorecards import tasks
from scorecards.access import (
    QA_ADMIN_ROLES,
    QUALITY_ROLES,
    require_qa_admin,
    require_quality_role,
)
from scorecards.importing import FEEDBACK, INTERACTIONS, KINDS, Kind, template_csv
from scorecards.models import Channel, CustomerFeedback, Interaction, QualitySettings

PAGE_SIZE = 50
COUNT_CAP = 10_000
LIST_TEMPLATE = "scorecards/interactions/list.html"
IMPORT_TEMPLATE = "scorecards/imports/import.html"
JOB_TEMPLATE = "scorecards/imports/job.html"
MAX_UPLOAD_BYTES = 1024 * 1024 * 1024
ACCEPTED_SUFFIXES = (".csv", ".txt")
# The workspace (another feature) grades one interaction; linked by this path until it exists.
WORKSPACE_FALLBACK = "/quality/interactions/{pk}/review/"
LIST_FIELDS = (
    "pk",
    "source",
    "source_id",
    "channel",
    "started_at",
    "duration_seconds",
    "queue",
    "topic",
    "escalated",
    "repeat_contact",
    "agent__full_name",
    "agent__email",
    "team__name",
)
JOB_ID = re.compile(r"^[0-9a-f]{32}$")


def _is_htmx(request: AuthedRequest) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _render(
    request: AuthedRequest, template: str, context: dict[str, Any], partial: str
) -> HttpResponse:
    return render(request, f"{template}#{partial}" if _is_htmx(request) else template, context)


def _go(request: AuthedRequest, url: str) -> HttpResponse:
    """After an action: a redirect, or for htmx a client-side redirect to the same place."""
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def review_url_pattern() -> str:
    """The grading workspace's URL with "{pk}" for the interaction, reversed once per page."""
    marker = 987654321
    try:
        return reverse("scorecards:workspace", args=[marker]).replace(str(marker), "{pk}")
    except NoReverseMatch:
        return WORKSPACE_FALLBACK


def review_url(pk: int) -> str:
    return review_url_pattern().replace("{pk}", str(pk))


def duration_display(seconds: int | None) -> str:
    """7:05, 1:02:03; empty when unknown."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------

YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
CSAT_CHOICES = [
    ("", "Any CSAT"),
    ("1-2", "1 or 2 (dissatisfied)"),
    ("3", "3 (neutral)"),
    ("4-5", "4 or 5 (satisfied)"),
    ("none", "No CSAT answer"),
]
CSAT_RANGES = {"1-2": (1, 2), "3": (3, 3), "4-5": (4, 5)}


class InteractionFilterForm(forms.Form):
    """The filter bar above the list. Invalid values are ignored, never an error page."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Source id, agent, queue or topic"}
        ),
    )
    agent = forms.CharField(
        label="Agent",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or email"}),
    )
    team = forms.TypedChoiceField(
        label="Team", required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "Any channel"), *Channel.choices]
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    csat = forms.ChoiceField(label="CSAT", required=False, choices=CSAT_CHOICES)
    reviewed = forms.ChoiceField(label="Reviewed", required=False, choices=YES_NO)
    escalated = forms.ChoiceField(label="Escalated", required=False, choices=YES_NO)
    repeat = forms.ChoiceField(label="Repeat contact", required=False, choices=YES_NO)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(teams_q(user, QUALITY_ROLES)).order_by("path")
        self.team_paths: dict[int, str] = {}
        choices: list[tuple[Any, str]] = [("", "Any team")]
        for pk, name, depth, team_path in teams.values_list("pk", "name", "depth", "path"):
            self.team_paths[pk] = team_path
            choices.append((pk, "\u2003" * depth + name))
        self.fields["team"].choices = choices  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The filters that passed validation (a bad field never blocks the others)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in ("", None)}


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _agents_matching(word: str) -> Any:
    return User.objects.filter(Q(full_name__icontains=word) | Q(email__icontains=word)).values("pk")


def filtered_interactions(user: Any, form: InteractionFilterForm) -> tuple[Any, dict[str, str]]:
    """Interactions the user may see, filtered; and the valid filters as query parameters."""
    filters = form.filters()
    found = Interaction.objects.visible_to(user)
    query: dict[str, str] = {}
    # Agents are matched in the (small) people table first, so the interactions are filtered
    # by agent id through the (agent, started_at) index instead of a join on every row.
    if words := str(filters.get("q", "")).split()[:6]:
        for word in words:
            found = found.filter(
                Q(source_id__icontains=word)
                | Q(agent_id__in=_agents_matching(word))
                | Q(queue__icontains=word)
                | Q(topic__icontains=word)
            )
        query["q"] = " ".join(words)
    if words := str(filters.get("agent", "")).split()[:6]:
        for word in words:
            found = found.filter(agent_id__in=_agents_matching(word))
        query["agent"] = " ".join(words)
    if (team := filters.get("team")) is not None and team in form.team_paths:
        # The team and its sub-teams by id (the picker has read their paths already), so the
        # (team, started_at) index serves the filter rather than a join on every row.
        prefix = form.team_paths[team]
        subtree = [pk for pk, team_path in form.team_paths.items() if team_path.startswith(prefix)]
        found = found.filter(team_id__in=subtree)
        query["team"] = str(team)
    if channel := filters.get("channel"):
        found = found.filter(channel=channel)
        query["channel"] = channel
    start, end = filters.get("start"), filters.get("end")
    if start and end and end < start:
        start, end = end, start
    if start:
        found = found.filter(started_at__gte=_day_start(start))
        query["start"] = start.isoformat()
    if end:
        found = found.filter(started_at__lt=_day_start(end + dt.timedelta(days=1)))
        query["end"] = end.isoformat()
    if csat := filters.get("csat"):
        answers = CustomerFeedback.objects.filter(interaction=OuterRef("pk"))
        if csat == "none":
            found = found.exclude(Exists(answers.filter(csat__isnull=False)))
        else:
            found = found.filter(Exists(answers.filter(csat__range=CSAT_RANGES[csat])))
        query["csat"] = csat
    if reviewed := filters.get("reviewed"):
        found = found.with_review_flag().filter(**{"has_review": reviewed == "yes"})
        query["reviewed"] = reviewed
    for field, name in (("escalated", "escalated"), ("repeat_contact", "repeat")):
        if value := filters.get(name):
            found = found.filter(**{field: value == "yes"})
            query[name] = value
    return found, query


class CappedPaginator(Paginator):
    """Counts up to `COUNT_CAP` rows, then says "more than": an exact count of a million
    interactions is a full scan on every page (bench/import_bench.py: 0.8 to 1.9 s on the bench
    machine), while the first pages come from the started_at index in milliseconds. Filters
    that narrow the list below the cap get the exact count."""

    @cached_property
    def count(self) -> int:
        # Without ORDER BY the database stops at the cap instead of sorting everything first.
        return self.object_list.order_by()[: COUNT_CAP + 1].count()  # type: ignore[attr-defined]

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def _latest_csat() -> Subquery:
    return Subquery(
        CustomerFeedback.objects.filter(interaction=OuterRef("pk"), csat__isnull=False)
        .order_by("-received_at", "-pk")
        .values("csat")[:1]
    )


@require_GET
def interaction_list(request: AuthedRequest) -> HttpResponse:
    """Interactions of the teams the person's quality roles reach (and their own contacts)."""
    require_quality_role(request.user)
    form = InteractionFilterForm(request.GET, user=request.user)
    found, query = filtered_interactions(request.user, form)
    if "reviewed" not in query:  # the filter has added the flag already
        found = found.with_review_flag()
    listed = (
        found.select_related("agent", "team")
        .only(*LIST_FIELDS)
        .annotate(csat=_latest_csat())
        .order_by("-started_at", "-pk")
    )
    paginator = CappedPaginator(listed, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows: list[Interaction] = list(page.object_list)
    pattern = review_url_pattern()
    for interaction in rows:
        interaction.duration_display = duration_display(  # type: ignore[attr-defined]
            interaction.duration_seconds
        )
        interaction.review_url = pattern.replace("{pk}", str(interaction.pk))  # type: ignore[attr-defined]
    context = {
        "form": form,
        "page_obj": page,
        "interactions": rows,
        "query_string": urlencode(query),
        "filtered": bool(query),
        "capped": paginator.capped,
        "count_cap": COUNT_CAP,
        "can_import": _can_import(request),
    }
    return _render(request, LIST_TEMPLATE, context, "results")


def _can_import(request: AuthedRequest) -> bool:
    return has_role(request.user, *QA_ADMIN_ROLES)


# ---------------------------------------------------------------------------------------------
# Importing
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportPage:
    kind: Kind
    title: str
    description: str
    upload_url: str
    template_url: str


def _import_page(kind: Kind) -> ImportPage:
    if kind is INTERACTIONS:
        return ImportPage(
            kind,
            "Import interactions",
            "Calls, chats and emails from your helpdesk or telephony export, with transcripts. "
            "All or nothing: if any row is wrong, nothing is saved.",
            reverse("scorecards:interactions_import"),
            reverse("scorecards:interactions_import_template"),
        )
    return ImportPage(
        kind,
        "Import customer feedback",
        "CSAT, NPS and CES answers and comments from your survey tool, attached to interactions "
        "or agents. All or nothing: if any row is wrong, nothing is saved.",
        reverse("scorecards:feedback_import"),
        reverse("scorecards:feedback_import_template"),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "UTF-8 CSV, comma or semicolon separated, with a header row. The template shows "
            "the columns."
        ),
    )
    mask = forms.BooleanField(
        required=False,
        label="Mask card numbers, email addresses and phone numbers in transcripts",
        help_text="Recommended: transcripts then keep no payment or contact details.",
    )

    def __init__(self, *args: Any, kind: Kind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind is not INTERACTIONS:
            del self.fields["mask"]

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError(
                "Upload a .csv file. From a spreadsheet, use “Save as” and choose CSV UTF-8."
            )
        size = upload.size or 0
        if size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {size / (1024 * 1024):,.0f} MB; the limit is "
                f"{MAX_UPLOAD_BYTES // (1024 * 1024):,} MB. Split it into smaller files."
            )
        if size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload


def _upload_page(
    request: AuthedRequest, page: ImportPage, form: ImportUploadForm, status: int = 200
) -> HttpResponse:
    context = {
        "crumbs": [("Interactions", reverse("scorecards:interactions")), (page.title, None)],
        "page": page,
        "form": form,
        "columns": page.kind.columns,
        "required": page.kind.required,
        "background_rows": tasks.BACKGROUND_ROWS,
    }
    name = f"{IMPORT_TEMPLATE}#panel" if _is_htmx(request) else IMPORT_TEMPLATE
    return render(request, name, context, status=status)


def _start_job(request: AuthedRequest, kind: Kind, form: ImportUploadForm) -> HttpResponse:
    upload: UploadedFile = form.cleaned_data["file"]
    tasks.remove_stale_uploads()
    job_id = tasks.new_job_id()
    stored = default_storage.save(f"{tasks.UPLOAD_DIR}/{job_id}.csv", upload)
    lines = tasks.count_lines(stored, stop_after=tasks.BACKGROUND_ROWS + 1)
    job = tasks.create_job(
        job_id=job_id,
        kind=kind.name,
        user_id=request.user.pk,
        path=stored,
        file_name=(upload.name or "upload.csv")[:200],
        mask=bool(form.cleaned_data.get("mask")),
        estimate=lines if lines <= tasks.BACKGROUND_ROWS + 1 else 0,
        ip=client_ip(request),
    )
    if lines > tasks.BACKGROUND_ROWS:
        job["estimate"] = tasks.count_lines(stored)
        job["total"] = job["estimate"]
        tasks.save_job(job)
        result = tasks.check_import_job.enqueue(tasks.job_spec(job))
        tasks.remember_task(job_id, result.id)
    else:
        tasks.check_job_now(tasks.job_spec(job))
    return _go(request, reverse("scorecards:import_job", args=[job_id]))


def _upload(request: AuthedRequest, kind: Kind) -> HttpResponse:
    require_qa_admin(request.user)
    page = _import_page(kind)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, kind=kind)
        if form.is_valid():
            return _start_job(request, kind, form)
        return _upload_page(request, page, form)
    initial = {"mask": QualitySettings.load().mask_transcripts_on_import}
    return _upload_page(request, page, ImportUploadForm(initial=initial, kind=kind))


@require_http_methods(["GET", "POST"])
def interactions_import(request: AuthedRequest) -> HttpResponse:
    """QA managers and administrators. GET: the upload form; POST: store the file and check it."""
    return _upload(request, INTERACTIONS)


@require_http_methods(["GET", "POST"])
def feedback_import(request: AuthedRequest) -> HttpResponse:
    return _upload(request, FEEDBACK)


def _template_download(request: AuthedRequest, kind: Kind, filename: str) -> HttpResponse:
    require_qa_admin(request.user)
    response = HttpResponse("\ufeff" + template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def interactions_import_template(request: AuthedRequest) -> HttpResponse:
    """The header and two example rows, with a byte-order mark so Excel reads it as UTF-8."""
    return _template_download(request, INTERACTIONS, "interactions-import-template.csv")


@require_GET
def feedback_import_template(request: AuthedRequest) -> HttpResponse:
    return _template_download(request, FEEDBACK, "customer-feedback-import-template.csv")


def _own_job(request: AuthedRequest, job_id: str) -> dict[str, Any]:
    """The job, if it is the person's own (404 otherwise, also once it has expired)."""
    require_qa_admin(request.user)
    job = tasks.load_job(job_id) if JOB_ID.match(job_id) else None
    if job is None or job.get("user_id") != request.user.pk or job.get("kind") not in KINDS:
        raise Http404("No such import.")
    return job


def _job_context(job: dict[str, Any]) -> dict[str, Any]:
    kind = KINDS[job["kind"]]
    total = job.get("total") or 0
    processed = min(job.get("processed") or 0, total) if total else job.get("processed") or 0
    columns = job.get("columns") or {}
    preview = job.get("preview") or []
    for row in preview:
        if kind is INTERACTIONS:
            row["duration_display"] = duration_display(row.get("duration_seconds"))
    page = _import_page(kind)
    return {
        "crumbs": [
            ("Interactions", reverse("scorecards:interactions")),
            (page.title, page.upload_url),
            (job.get("file_name") or "Import", None),
        ],
        "job": job,
        "page": page,
        "state": job.get("state"),
        "running": job.get("state") in tasks.RUNNING_STATES,
        "processed": processed,
        "total": total,
        "percent": round(100 * processed / total) if total else None,
        "columns": columns,
        "preview": preview,
        "preview_limit": 20,
        "errors": job.get("errors") or [],
        "unlisted_errors": (job.get("error_count") or 0) - len(job.get("errors") or []),
        "counts": job.get("counts") or {},
        "job_url": reverse("scorecards:import_job", args=[job["id"]]),
        "confirm_url": reverse("scorecards:import_job_confirm", args=[job["id"]]),
        "cancel_url": reverse("scorecards:import_job_cancel", args=[job["id"]]),
        "is_interactions": kind is INTERACTIONS,
        "background": (job.get("estimate") or 0) > tasks.BACKGROUND_ROWS,
    }


@require_GET
def import_job(request: AuthedRequest, job_id: str) -> HttpResponse:
    """One import: checking (progress), the preview or the errors, importing, the result.

    While it runs, the panel polls this URL every second (htmx); the page can be left and opened
    again from its address."""
    job = tasks.refresh_from_task(_own_job(request, job_id))
    return _render(request, JOB_TEMPLATE, _job_context(job), "panel")


@require_POST
def import_job_confirm(request: AuthedRequest, job_id: str) -> HttpResponse:
    job = _own_job(request, job_id)
    url = reverse("scorecards:import_job", args=[job_id])
    if job.get("state") != tasks.CHECKED or not job.get("ok"):
        messages.warning(request, "This import cannot be confirmed (any more).")
        return _go(request, url)
    job.update(state=tasks.IMPORTING, processed=0, total=job.get("rows") or None)
    tasks.save_job(job)
    if (job.get("rows") or 0) > tasks.BACKGROUND_ROWS:
        result = tasks.run_import_job.enqueue(tasks.job_spec(job))
        tasks.remember_task(job_id, result.id)
    else:
        done = tasks.run_job_now(tasks.job_spec(job))
        if done.get("state") == tasks.DONE:
            counts = done.get("counts") or {}
            messages.success(
                request,
                f"Imported {done.get('file_name')}: {counts.get('created', 0):,} created, "
                f"{counts.get('updated', 0):,} updated, {counts.get('unchanged', 0):,} unchanged.",
            )
    return _go(request, url)


@require_POST
def import_job_cancel(request: AuthedRequest, job_id: str) -> HttpResponse:
    job = _own_job(request, job_id)
    page = _import_page(KINDS[job["kind"]])
    if job.get("state") == tasks.IMPORTING:
        messages.warning(request, "The import is already running; it cannot be cancelled now.")
        return _go(request, reverse("scorecards:import_job", args=[job_id]))
    tasks.delete_job(job)
    messages.info(request, "Import cancelled; nothing was saved.")
    return _go(request, page.upload_url)


urlpatterns: list[URLPattern] = [
    path("interactions/", interaction_list, name="interactions"),
    path("interactions/import/", interactions_import, name="interactions_import"),
    path(
        "interactions/import/template.csv",
        interactions_import_template,
        name="interactions_import_template",
    ),
    path("feedback/import/", feedback_import, name="feedback_import"),
    path("feedback/import/template.csv", feedback_import_template, name="feedback_import_template"),
    path("imports/<str:job_id>/", import_job, name="import_job"),
    path("imports/<str:job_id>/confirm/", import_job_confirm, name="import_job_confirm"),
    path("imports/<str:job_id>/cancel/", import_job_cancel, name="import_job_cancel"),
]
