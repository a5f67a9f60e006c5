"""Importing interactions and customer feedback in the browser: upload → check (preview or every
error) → confirm → result, small files in the request and large ones as background tasks."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks.base import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import User
from scorecards import tasks
from scorecards.importing import FEEDBACK, INTERACTIONS, CsvRows, check_all
from scorecards.models import CustomerFeedback, Interaction, Transcript
from tests.conftest import Org, signed_in
from tests.scorecards.factories import InteractionFactory
from tests.scorecards.test_interaction_import import HEADER, MALFORMED, WHEN, line

pytestmark = pytest.mark.django_db

UPLOAD = reverse("scorecards:interactions_import")
FEEDBACK_UPLOAD = reverse("scorecards:feedback_import")
TEMPLATE = reverse("scorecards:interactions_import_template")
FEEDBACK_TEMPLATE = reverse("scorecards:feedback_import_template")
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    cache.clear()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def post_file(client: Client, data: bytes, *, url: str = UPLOAD, **extra: Any) -> Any:
    return client.post(url, {"file": upload("contacts.csv", data), "mask": "on", **extra})


def job_url_of(response: Any) -> str:
    location = response.get("HX-Redirect") or response["Location"]
    assert location.startswith("/quality/imports/")
    return str(location)


def job_id_of(url: str) -> str:
    return url.rstrip("/").split("/")[-1]


def confirm_url(job_url: str) -> str:
    return reverse("scorecards:import_job_confirm", args=[job_id_of(job_url)])


# --- The upload page ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, org: Org) -> None:
    for url in (UPLOAD, FEEDBACK_UPLOAD, TEMPLATE, FEEDBACK_TEMPLATE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["agent", "reviewer", "lead", "hr"])
def test_only_qa_managers_and_administrators_may_import(
    client: Client, role: str, request: Any
) -> None:
    client = signed_in(client, request.getfixturevalue(role))
    for url in (UPLOAD, FEEDBACK_UPLOAD, TEMPLATE, FEEDBACK_TEMPLATE):
        assert client.get(url).status_code == 403
    assert post_file(client, csv_bytes(line("T-1"))).status_code == 403
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("role", ["qa_manager", "admin"])
def test_the_upload_page_shows_the_form_and_the_columns(
    client: Client, role: str, request: Any
) -> None:
    response = signed_in(client, request.getfixturevalue(role)).get(UPLOAD)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert 'type="file"' in body
    assert re.search(r'<input type="checkbox" name="mask"[^>]* checked>', body)  # on by default
    assert "Download the template (CSV)" in body
    assert "<code>custom.&lt;name&gt;</code>" in body
    body = client.get(FEEDBACK_UPLOAD).content.decode()
    assert 'name="mask"' not in body
    assert "<code>ces_version</code>" in body


def test_an_htmx_upload_page_is_the_panel_only(client: Client, qa_manager: User) -> None:
    body = signed_in(client, qa_manager).get(UPLOAD, headers=HTMX).content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="import-panel">')


@pytest.mark.parametrize(
    ("url", "kind", "filename"),
    [
        (TEMPLATE, INTERACTIONS, "interactions-import-template.csv"),
        (FEEDBACK_TEMPLATE, FEEDBACK, "customer-feedback-import-template.csv"),
    ],
)
def test_the_template_downloads_as_utf8_csv_that_reads_cleanly(
    client: Client, qa_manager: User, url: str, kind: Any, filename: str
) -> None:
    response = signed_in(client, qa_manager).get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert filename in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    checked = check_all(CsvRows(io.BytesIO(response.content), kind), kind, now=timezone.now())
    assert checked.errors == []
    assert len(checked.rows) == 2


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "This field is required."),
        ({"file": upload("contacts.xlsx", b"PK\x03\x04")}, "Upload a .csv file."),
        ({"file": upload("empty.csv", b"")}, "The submitted file is empty."),
    ],
)
def test_a_bad_upload_shows_the_form_with_the_error(
    client: Client, qa_manager: User, files: dict[str, Any], message: str
) -> None:
    response = signed_in(client, qa_manager).post(UPLOAD, files)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Interaction.objects.exists()


# --- Small files: checked in the request --------------------------------------------------


def test_the_whole_flow_upload_preview_confirm_result(
    client: Client, qa_manager: User, agent: User
) -> None:
    client = signed_in(client, qa_manager)
    header = HEADER + ",Wrap code,custom.Order"
    data = csv_bytes(
        line("T-1", transcript="00:00:01 Customer: mail me at ada@example.com") + ",x,A-1",
        line("T-2") + ",y,A-2",
        header=header,
    )
    response = post_file(client, data)
    assert response.status_code == 302
    job_url = job_url_of(response)

    # The preview: nothing saved yet.
    preview = client.get(job_url)
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Step 2 of 3" in body
    assert "2 rows, no problems found" in body
    assert "Masking on" in body
    assert "<code>Order</code>" in body  # kept as a custom field
    assert "Wrap code" in body and "Ignored" in body
    assert "<code>recording_url</code>" in body  # recognised but not in the file
    assert "helpdesk T-1" in body and "agent@example.test" in body
    assert not Interaction.objects.exists()

    response = client.post(confirm_url(job_url))
    assert response.status_code == 302
    result = client.get(job_url).content.decode()
    assert "Import done" in result
    assert '<span class="stat-value">2</span> <span class="stat-label">created</span>' in result
    assert Interaction.objects.count() == 2
    assert Interaction.objects.get(source_id="T-1").custom_fields == {"Order": "A-1"}
    assert Transcript.objects.get().messages[0]["text"] == "mail me at [email]"
    event = AuditEvent.objects.get(action="interactions.import")
    assert event.after["file"] == "contacts.csv"
    # The upload is gone once imported.
    assert not default_storage.exists(f"imports/{job_id_of(job_url)}.csv")


def test_turning_masking_off_keeps_transcripts_as_they_are(
    client: Client, qa_manager: User, agent: User
) -> None:
    client = signed_in(client, qa_manager)
    data = csv_bytes(line("T-1", transcript="00:00:01 Customer: ada@example.com"))
    response = client.post(UPLOAD, {"file": upload("c.csv", data)})  # box not ticked
    job_url = job_url_of(response)
    assert "Masking off" in client.get(job_url).content.decode()
    client.post(confirm_url(job_url))
    assert Transcript.objects.get().messages[0]["text"] == "ada@example.com"


def test_a_file_with_errors_lists_every_one_and_cannot_be_confirmed(
    client: Client, qa_manager: User, agent: User
) -> None:
    client = signed_in(client, qa_manager)
    data = csv_bytes(line("T-1"), line("T-2", channel="fax"), line("T-3", email="x@nowhere.test"))
    job_url = job_url_of(post_file(client, data))
    body = client.get(job_url).content.decode()
    assert "2 problems in contacts.csv: nothing was imported." in body
    assert "Unknown channel “fax”" in body
    assert "Nobody with the email x@nowhere.test is in the platform" in body
    assert '<td class="num">3</td>' in body and "<code>channel</code>" in body
    assert "Upload the corrected file" in body
    response = client.post(confirm_url(job_url))
    assert response.status_code == 302
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_files_get_a_clear_page_never_a_server_error(
    client: Client, qa_manager: User, agent: User, name: str
) -> None:
    client = signed_in(client, qa_manager)
    response = client.post(UPLOAD, {"file": upload("bad.csv", MALFORMED[name] or b" ")})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        page = client.get(job_url_of(response))
        assert page.status_code == 200
        assert "nothing was imported" in page.content.decode()
        assert client.post(confirm_url(job_url_of(response))).status_code == 302
    assert not Interaction.objects.exists()


def test_a_wrong_encoding_is_named(client: Client, qa_manager: User, agent: User) -> None:
    client = signed_in(client, qa_manager)
    data = csv_bytes(line("T-1", queue="Café")).replace("é".encode(), b"\xe9")
    body = client.get(job_url_of(post_file(client, data))).content.decode()
    assert "Wrong encoding: the file is not UTF-8 text (first bad byte on line 2)" in body


def test_an_htmx_upload_redirects_the_browser_to_the_job(
    client: Client, qa_manager: User, agent: User
) -> None:
    client = signed_in(client, qa_manager)
    response = client.post(UPLOAD, {"file": upload("c.csv", csv_bytes(line("T-1")))}, headers=HTMX)
    assert response.status_code == 200
    job_url = job_url_of(response)
    fragment = client.get(job_url, headers=HTMX).content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div id="import-panel"')
    response = client.post(confirm_url(job_url), headers=HTMX)
    assert response["HX-Redirect"] == job_url
    assert Interaction.objects.count() == 1


def test_cancelling_forgets_the_upload(client: Client, qa_manager: User, agent: User) -> None:
    client = signed_in(client, qa_manager)
    job_url = job_url_of(post_file(client, csv_bytes(line("T-1"))))
    job_id = job_id_of(job_url)
    assert default_storage.exists(f"imports/{job_id}.csv")
    response = client.post(reverse("scorecards:import_job_cancel", args=[job_id]))
    assert response["Location"] == UPLOAD
    assert not default_storage.exists(f"imports/{job_id}.csv")
    assert client.get(job_url).status_code == 404
    assert not Interaction.objects.exists()


def test_feedback_imports_through_the_same_flow(
    client: Client, qa_manager: User, agent: User, org: Org
) -> None:
    InteractionFactory(source="helpdesk", source_id="T-1", agent=agent, team=org.team)
    header = "source,source_id,interaction_source_id,received_at,csat,nps,comment"
    data = f"{header}\nhelpdesk,F-1,T-1,{WHEN},5,9,Great\n".encode()
    client = signed_in(client, qa_manager)
    job_url = job_url_of(post_file(client, data, url=FEEDBACK_UPLOAD))
    body = client.get(job_url).content.decode()
    assert "Import customer feedback" in body
    assert "1 row, no problems found" in body
    assert "Great" in body
    client.post(confirm_url(job_url))
    feedback = CustomerFeedback.objects.get()
    assert (feedback.csat, feedback.nps, feedback.interaction.source_id) == (5, 9, "T-1")


# --- Whose job ----------------------------------------------------------------------------


def test_another_persons_or_an_unknown_job_is_not_found(
    client: Client, qa_manager: User, admin: User, agent: User
) -> None:
    job_url = job_url_of(post_file(signed_in(client, qa_manager), csv_bytes(line("T-1"))))
    other = Client()
    other.force_login(admin)
    assert other.get(job_url).status_code == 404
    assert other.post(confirm_url(job_url)).status_code == 404
    for job_id in ("0" * 32, "not-a-job", "../../etc/passwd"):
        assert other.get(f"/quality/imports/{job_id}/").status_code == 404
    assert not Interaction.objects.exists()


def test_the_job_page_is_for_qa_managers_and_administrators(
    client: Client, qa_manager: User, agent: User, lead: User
) -> None:
    job_url = job_url_of(post_file(signed_in(client, qa_manager), csv_bytes(line("T-1"))))
    assert signed_in(Client(), lead).get(job_url).status_code == 403


# --- Large files: background tasks with progress ------------------------------------------


def test_a_large_file_is_checked_and_imported_by_tasks(
    client: Client, qa_manager: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "BACKGROUND_ROWS", 5)
    client = signed_in(client, qa_manager)
    data = csv_bytes(*[line(f"T-{i}") for i in range(12)])
    job_url = job_url_of(post_file(client, data))
    job = tasks.load_job(job_id_of(job_url))
    assert job is not None
    assert job["estimate"] == 13
    assert job["state"] == "checked" and job["ok"]
    check_task = cache.get(f"{tasks.JOB_PREFIX}{job['id']}:task")
    assert check_task  # it ran as a task (the Immediate backend in tests)
    body = client.get(job_url).content.decode()
    assert "12 rows, no problems found" in body
    assert "The first 20 rows" not in body
    client.post(confirm_url(job_url))
    assert cache.get(f"{tasks.JOB_PREFIX}{job['id']}:task") != check_task
    assert Interaction.objects.count() == 12
    assert "Import done" in client.get(job_url).content.decode()


def test_a_running_job_shows_a_progress_bar_that_polls_every_second(
    client: Client, qa_manager: User
) -> None:
    job = tasks.create_job(
        job_id=tasks.new_job_id(), kind="interactions", user_id=qa_manager.pk,
        path="imports/x.csv", file_name="big.csv", mask=True, estimate=200_000,
    )  # fmt: skip
    job.update(processed=50_000, total=200_000)
    tasks.save_job(job)
    url = reverse("scorecards:import_job", args=[job["id"]])
    client = signed_in(client, qa_manager)
    body = client.get(url).content.decode()
    assert '<progress class="import-progress" max="200000" value="50000"' in body
    assert f'hx-get="{url}" hx-trigger="every 1s"' in body
    assert "50,000 of 200,000 rows read" in body
    fragment = client.get(url, headers=HTMX).content.decode()
    assert "<html" not in fragment and 'hx-trigger="every 1s"' in fragment
    job.update(state="importing", processed=0, total=None)
    tasks.save_job(job)
    body = client.get(url).content.decode()
    assert '<progress class="import-progress" aria-labelledby' in body  # no total yet
    assert "Step 3 of 3: importing" in body
    job.update(state="done", counts={"created": 3, "updated": 0, "unchanged": 0}, rows=3)
    tasks.save_job(job)
    body = client.get(url, headers=HTMX).content.decode()
    assert "every 1s" not in body  # polling stops
    assert "Import done" in body


class _FakeResult:
    def __init__(self, status: str, value: Any = None) -> None:
        self.status = status
        self.return_value = value


class _FakeBackend:
    supports_get_result = True

    def __init__(self, result: _FakeResult) -> None:
        self.result = result

    def get_result(self, task_id: str) -> _FakeResult:
        return self.result


@pytest.mark.parametrize(
    ("status", "value", "expected"),
    [
        (TaskResultStatus.SUCCESSFUL, {"state": "checked", "ok": True, "rows": 7}, "checked"),
        (TaskResultStatus.FAILED, None, "failed"),
        (TaskResultStatus.RUNNING, None, "checking"),
    ],
)
def test_the_job_falls_back_to_the_task_result_when_the_worker_cannot_reach_the_cache(
    qa_manager: User, monkeypatch: pytest.MonkeyPatch, status: str, value: Any, expected: str
) -> None:
    job = tasks.create_job(
        job_id=tasks.new_job_id(), kind="interactions", user_id=qa_manager.pk,
        path="imports/x.csv", file_name="big.csv", mask=True, estimate=9,
    )  # fmt: skip
    tasks.remember_task(job["id"], "task-1")
    backend = _FakeBackend(_FakeResult(status, value))
    monkeypatch.setattr(type(tasks.check_import_job), "get_backend", lambda self: backend)
    refreshed = tasks.refresh_from_task(job)
    assert refreshed["state"] == expected
    assert tasks.load_job(job["id"])["state"] == expected


def test_stale_uploads_are_removed(qa_manager: User) -> None:
    default_storage.save("imports/old.csv", io.BytesIO(b"x"))
    later = timezone.now() + dt.timedelta(days=3)
    assert tasks.remove_stale_uploads(now=later) >= 1
    assert not default_storage.exists("imports/old.csv")


def test_a_deactivated_uploader_stops_the_job(qa_manager: User, agent: User) -> None:
    default_storage.save("imports/y.csv", io.BytesIO(csv_bytes(line("T-1"))))
    job = tasks.create_job(
        job_id=tasks.new_job_id(), kind="interactions", user_id=qa_manager.pk,
        path="imports/y.csv", file_name="y.csv", mask=True, estimate=2,
    )  # fmt: skip
    User.objects.filter(pk=qa_manager.pk).update(is_active=False)
    done = tasks.run_job_now(tasks.job_spec(job))
    assert done["state"] == "failed"
    assert not Interaction.objects.exists()


def test_a_vanished_upload_fails_the_job_clearly(qa_manager: User) -> None:
    job = tasks.create_job(
        job_id=tasks.new_job_id(), kind="interactions", user_id=qa_manager.pk,
        path="imports/missing.csv", file_name="m.csv", mask=True, estimate=2,
    )  # fmt: skip
    done = tasks.check_job_now(tasks.job_spec(job))
    assert (done["state"], done["message"]) == (
        "failed",
        "The uploaded file is gone. Upload it again.",
    )


def test_an_unexpected_failure_shows_on_the_job_page_not_as_a_server_error(
    client: Client, qa_manager: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setitem(tasks.IMPORTERS, "interactions", broken)
    client = signed_in(client, qa_manager)
    response = post_file(client, csv_bytes(line("T-1")))
    body = client.get(job_url_of(response)).content.decode()
    assert "The import did not finish; nothing was saved." in body
    assert "every 1s" not in body
    assert not Interaction.objects.exists()


def test_a_failing_background_task_is_marked_failed(
    qa_manager: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(tasks.IMPORTERS, "interactions", broken)
    default_storage.save("imports/z.csv", io.BytesIO(csv_bytes(line("T-1"))))
    job = tasks.create_job(
        job_id=tasks.new_job_id(), kind="interactions", user_id=qa_manager.pk,
        path="imports/z.csv", file_name="z.csv", mask=True, estimate=2,
    )  # fmt: skip
    result = tasks.check_import_job.enqueue(tasks.job_spec(job))
    assert result.status == TaskResultStatus.FAILED
    assert tasks.load_job(job["id"])["state"] == "failed"
