"""Background work for scorecards: checking and running large interaction and feedback imports.

An import is a **job**: the uploaded file (saved with `default_storage` under `imports/`) and a
record in Django's cache under `scorecards:import-job:<id>` holding its state, progress and
outcome, which the job page polls. Small files run the same steps inside the request; files over
`BACKGROUND_ROWS` rows run as Django tasks (`check_import_job`, `run_import_job`).

The worker process may not share the web process's cache (the default local-memory cache is per
process). The task therefore receives everything it needs as arguments and returns the finished
record; the job page falls back to the task's stored result when the cache has no news (live
progress needs a shared cache: see docs/importing.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
import uuid
from typing import Any

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from qa_platform.people.models import User
from scorecards.importing import FeedbackRow, InteractionRow, RowError
from scorecards.services.interaction_import import IMPORTERS, ImportResult

logger = logging.getLogger(__name__)

JOB_PREFIX = "scorecards:import-job:"
JOB_TIMEOUT = 2 * 24 * 3600
UPLOAD_DIR = "imports"
# Files with more rows than this are checked and imported in the background.
BACKGROUND_ROWS = 5_000
# Progress is written to the cache at most this often (seconds).
PROGRESS_INTERVAL = 0.5
STALE_UPLOAD_AGE = dt.timedelta(days=2)

CHECKING, CHECKED, IMPORTING, DONE, FAILED = "checking", "checked", "importing", "done", "failed"
RUNNING_STATES = (CHECKING, IMPORTING)


# --- The job record -------------------------------------------------------------------------


def _key(job_id: str) -> str:
    return f"{JOB_PREFIX}{job_id}"


def new_job_id() -> str:
    return uuid.uuid4().hex


def create_job(
    *,
    job_id: str,
    kind: str,
    user_id: int,
    path: str,
    file_name: str,
    mask: bool,
    estimate: int,
    ip: str | None = None,
) -> dict[str, Any]:
    job: dict[str, Any] = {
        "id": job_id,
        "kind": kind,
        "user_id": user_id,
        "path": path,
        "file_name": file_name,
        "mask": mask,
        "ip": ip,
        "estimate": estimate,
        "state": CHECKING,
        "processed": 0,
        "total": estimate or None,
        "rows": 0,
        "ok": None,
        "errors": [],
        "error_count": 0,
        "columns": None,
        "preview": [],
        "counts": None,
        "message": "",
        "created_at": timezone.now().isoformat(),
    }
    cache.set(_key(job_id), job, JOB_TIMEOUT)
    return job


def load_job(job_id: str) -> dict[str, Any] | None:
    job = cache.get(_key(job_id))
    return job if isinstance(job, dict) else None


def save_job(job: dict[str, Any]) -> None:
    cache.set(_key(str(job["id"])), job, JOB_TIMEOUT)


def delete_job(job: dict[str, Any]) -> None:
    remove_upload(str(job.get("path") or ""))
    cache.delete(_key(str(job["id"])))
    cache.delete(_key(str(job["id"])) + ":task")


def remember_task(job_id: str, task_id: str) -> None:
    cache.set(_key(job_id) + ":task", task_id, JOB_TIMEOUT)


def job_spec(job: dict[str, Any]) -> dict[str, Any]:
    """What a task needs to run a step, whatever cache the worker sees."""
    return {k: job[k] for k in ("id", "kind", "user_id", "path", "file_name", "mask", "ip")} | {
        "estimate": job.get("estimate", 0),
        "rows": job.get("rows", 0),
    }


def refresh_from_task(job: dict[str, Any]) -> dict[str, Any]:
    """A running job's record, completed from the task's stored result when the worker could not
    update the cache (the worker's cache is not shared)."""
    if job.get("state") not in RUNNING_STATES:
        return job
    task_id = cache.get(_key(str(job["id"])) + ":task")
    step = check_import_job if job["state"] == CHECKING else run_import_job
    backend = step.get_backend()
    if not task_id or not backend.supports_get_result:
        return job
    try:
        result = backend.get_result(task_id)
    except (TaskResultDoesNotExist, ValueError):
        return job
    if result.status == TaskResultStatus.SUCCESSFUL and isinstance(result.return_value, dict):
        finished = {**job, **result.return_value}
        save_job(finished)
        return finished
    if result.status == TaskResultStatus.FAILED:
        failed = {**job, "state": FAILED, "message": _failure_message(job)}
        save_job(failed)
        return failed
    return job


def _failure_message(job: dict[str, Any]) -> str:
    if job.get("state") == IMPORTING:
        return "The import stopped with an unexpected error; nothing was saved. Try again."
    return "Checking the file stopped with an unexpected error. Upload it again."


# --- Files ----------------------------------------------------------------------------------


def count_lines(path: str, *, stop_after: int | None = None) -> int:
    """Newlines in the stored file (an upper bound of its rows); stops early past `stop_after`."""
    lines = 0
    with default_storage.open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            lines += chunk.count(b"\n")
            if stop_after is not None and lines > stop_after:
                break
    return lines


def remove_upload(path: str) -> None:
    if path and path.startswith(f"{UPLOAD_DIR}/"):
        with contextlib.suppress(OSError):
            default_storage.delete(path)


def remove_stale_uploads(now: dt.datetime | None = None) -> int:
    """Delete uploads left behind (a preview never confirmed) older than two days."""
    now = now or timezone.now()
    removed = 0
    try:
        _, files = default_storage.listdir(UPLOAD_DIR)
    except (OSError, NotImplementedError):
        return 0
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            modified = default_storage.get_modified_time(path)
        except (OSError, NotImplementedError):
            continue
        if timezone.is_naive(modified):
            modified = timezone.make_aware(modified, dt.UTC)
        if now - modified > STALE_UPLOAD_AGE:
            remove_upload(path)
            removed += 1
    return removed


# --- Steps (run inside a request for small files, in a task for large ones) -----------------


def _preview_row(row: InteractionRow | FeedbackRow) -> dict[str, Any]:
    if isinstance(row, InteractionRow):
        return {
            "row": row.row,
            "source": row.source,
            "source_id": row.source_id,
            "channel": row.channel,
            "agent_email": row.agent_email,
            "started_at": f"{row.started_at:%Y-%m-%d %H:%M} UTC",
            "duration_seconds": row.duration_seconds,
            "queue": row.queue,
            "topic": row.topic,
            "escalated": row.escalated,
            "repeat_contact": row.repeat_contact,
            "messages": None if row.transcript is None else len(row.transcript),
            "custom_fields": row.custom_fields,
        }
    return {
        "row": row.row,
        "source": row.source,
        "source_id": row.source_id,
        "interaction": row.interaction_source_id,
        "agent_email": row.agent_email,
        "team_external_id": row.team_external_id,
        "received_at": f"{row.received_at:%Y-%m-%d %H:%M} UTC",
        "csat": row.csat,
        "nps": row.nps,
        "ces": row.ces,
        "ces_version": row.ces_version,
        "comment": row.comment[:120],
    }


def _errors(errors: list[RowError]) -> list[dict[str, Any]]:
    return [{"row": e.row, "column": e.column, "reason": e.reason} for e in errors]


class _Reporter:
    """Writes progress to the job record in the cache, at most every PROGRESS_INTERVAL s."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.job = job
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL and done != total:
            return
        self.last = now
        self.job["processed"] = done
        if total is not None:
            self.job["total"] = total
        save_job(self.job)


def _run_step(
    spec: dict[str, Any], *, check_only: bool, raise_errors: bool = False
) -> dict[str, Any]:
    job = load_job(spec["id"]) or {**spec}
    job.update(spec)
    job.update(
        state=CHECKING if check_only else IMPORTING,
        processed=0,
        total=(spec.get("estimate") or None) if check_only else (spec.get("rows") or None),
    )
    save_job(job)
    user = User.objects.filter(pk=spec["user_id"], is_active=True).first()
    if user is None:
        job.update(state=FAILED, message="Your account is no longer active; nothing was saved.")
        save_job(job)
        remove_upload(spec["path"])
        return job
    importer = IMPORTERS[spec["kind"]]
    options: dict[str, Any] = {"mask": bool(spec["mask"])} if spec["kind"] == "interactions" else {}
    try:
        with default_storage.open(spec["path"], "rb") as f:
            result: ImportResult = importer(
                file=f,
                by=user,
                check_only=check_only,
                file_name=spec["file_name"],
                ip=spec.get("ip"),
                progress=_Reporter(job),
                **options,
            )
    except FileNotFoundError:
        job.update(state=FAILED, message="The uploaded file is gone. Upload it again.")
        save_job(job)
        return job
    except Exception:
        # A bug, or the database went away: say so on the job page instead of polling for ever.
        logger.exception("Import job %s failed", spec["id"])
        job.update(state=FAILED, message=_failure_message(job))
        save_job(job)
        remove_upload(spec["path"])
        if raise_errors:
            raise
        return job
    job.update(
        rows=result.rows,
        ok=result.ok,
        errors=_errors(result.errors),
        error_count=result.error_count,
        processed=result.rows,
        total=result.rows,
    )
    if result.columns is not None:
        job["columns"] = result.columns.as_dict()
    if check_only:
        job.update(state=CHECKED, preview=[_preview_row(r) for r in result.preview])
    else:
        job.update(state=DONE if result.ok else CHECKED, counts=result.counts.as_dict())
    if not result.ok or not check_only:
        remove_upload(spec["path"])
    save_job(job)
    return job


def check_job_now(spec: dict[str, Any]) -> dict[str, Any]:
    return _run_step(spec, check_only=True)


def run_job_now(spec: dict[str, Any]) -> dict[str, Any]:
    return _run_step(spec, check_only=False)


@task()
def check_import_job(spec: dict[str, Any]) -> dict[str, Any]:
    """Check a large uploaded file in the background (the preview)."""
    return _run_step(spec, check_only=True, raise_errors=True)


@task()
def run_import_job(spec: dict[str, Any]) -> dict[str, Any]:
    """Import a large, already checked file in the background."""
    return _run_step(spec, check_only=False, raise_errors=True)
