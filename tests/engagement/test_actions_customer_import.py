"""Importing monthly customer figures: every bad-row reason, all or nothing, idempotent upserts on
(month, team), and the upload → preview → confirm pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qa_platform.audit.models import AuditEvent
from qa_platform.engagement.customer_periods import parse_csv, parse_records
from qa_platform.engagement.models import CustomerPeriod
from qa_platform.engagement.services.customer_periods import import_customer_periods
from qa_platform.people.models import Team, User
from tests.conftest import Org, signed_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
HEADER = "month,team_code,customers_at_start,customers_lost,customers_gained,revenue,source"
UPLOAD = reverse("engagement:customer_import")
HTMX = {"HX-Request": "true"}


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


@pytest.fixture
def coded(org: Org) -> Org:
    Team.objects.filter(pk=org.team.pk).update(external_id="BILL")
    Team.objects.filter(pk=org.other_team.pk).update(external_id="RENEW")
    return org


# --- Pure checks: every reason ------------------------------------------------------------------


def reasons(data: bytes) -> list[tuple[int | None, str, str]]:
    return [(e.row, e.column, e.reason) for e in parse_csv(data, today=TODAY).errors]


def test_a_good_file_parses_into_typed_rows() -> None:
    parsed = parse_csv(
        csv_bytes("2026-01,,1000,20,30,50000.50,crm", "2026-02-01,BILL,300,3,,,"), today=TODAY
    )
    assert parsed.ok
    first, second = parsed.rows
    assert (first.month, first.team_code, first.customers_lost) == (dt.date(2026, 1, 1), "", 20)
    assert first.revenue == Decimal("50000.50")
    assert (second.month, second.customers_gained, second.revenue) == (dt.date(2026, 2, 1), 0, None)


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        (",,1000,0,0,,", "month", "The month is missing"),
        ("March,,1000,0,0,,", "month", "is not a month"),
        ("2026-13,,1000,0,0,,", "month", "is not a real month"),
        ("2026-03-15,,1000,0,0,,", "month", "is not the first day of a month"),
        ("2026-07,,1000,0,0,,", "month", "has not started yet"),
        ("1980-01,,1000,0,0,,", "month", "check the year"),
        ("2026-01,,,0,0,,", "customers_at_start", "is required"),
        ("2026-01,,lots,0,0,,", "customers_at_start", "is not a whole number"),
        ("2026-01,,1000,-4,0,,", "customers_lost", "is not a whole number"),
        ("2026-01,,1000,1001,0,,", "customers_lost", "more than the 1,000 at the start"),
        ("2026-01,,1000,0,2.5,,", "customers_gained", "is not a whole number"),
        ("2026-01,,1000,0,0,€12,", "revenue", "is not an amount"),
        ("2026-01,,1000,0,0,-5,", "revenue", "cannot be negative"),
        ("2026-01,,1000,0,0,1.005,", "revenue", "more than two decimals"),
        ("2026-01," + "X" * 65 + ",1000,0,0,,", "team_code", "At most 64 characters"),
    ],
)
def test_each_bad_value_is_reported_with_its_row_column_and_reason(
    line: str, column: str, reason: str
) -> None:
    errors = reasons(csv_bytes("2025-12,,10,0,0,,", line))
    assert len(errors) == 1, errors
    row, got_column, got_reason = errors[0]
    assert (row, got_column) == (3, column)
    assert reason in got_reason


def test_every_bad_row_is_reported_not_only_the_first() -> None:
    errors = reasons(csv_bytes("x,,1,0,0,,", "2026-01,,10,0,0,,", "2026-02,,y,z,0,,"))
    assert [(r, c) for r, c, _ in errors] == [
        (2, "month"),
        (4, "customers_at_start"),
        (4, "customers_lost"),
    ]


def test_a_month_given_twice_for_the_same_team_is_an_error_on_the_later_row() -> None:
    errors = reasons(
        csv_bytes("2026-01,BILL,10,0,0,,", "2026-01,,10,0,0,,", "2026-01,BILL,9,0,0,,")
    )
    assert errors == [
        (4, "month", "2026-01 for team BILL is already on row 2; give each month once per team.")
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The file is empty"),
        (HEADER.encode() + b"\n", "no months in it"),
        (b"team_code,revenue\nBILL,5\n", "The required column “month” is missing"),
        (b"\xff\xfe" + HEADER.encode("utf-16-le"), "UTF-16"),
        (b"month,customers_at_start\n2026-01,\xe9\n", "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(data: bytes, reason: str) -> None:
    errors = reasons(data)
    assert any(reason in r for _, _, r in errors), errors


def test_a_row_with_more_cells_than_the_header_is_reported() -> None:
    errors = reasons(csv_bytes("2026-01,,10,0,0,,,extra"))
    assert errors[0][0] == 2 and "cells" in errors[0][2]


def test_api_records_must_be_objects_and_at_most_ten_thousand() -> None:
    parsed = parse_records([{"month": "2026-01", "customers_at_start": 5}, "nope"], today=TODAY)
    assert [(e.row, e.reason) for e in parsed.errors] == [
        (2, "Each record must be an object of columns.")
    ]
    many = [{"month": "2026-01", "customers_at_start": 1}] * 10_001
    assert "At most 10,000" in parse_records(many, today=TODAY).errors[0].reason


# --- The service: all or nothing, idempotent ------------------------------------------------------


def test_an_import_creates_rows_for_the_organisation_and_teams(coded: Org, hr: User) -> None:
    result = import_customer_periods(
        actor=hr,
        data=csv_bytes("2026-01,,1000,20,30,50000,crm", "2026-01,BILL,300,3,4,,crm"),
        today=TODAY,
    )
    assert result.ok and (result.created, result.updated, result.unchanged) == (2, 0, 0)
    org_row = CustomerPeriod.objects.get(team__isnull=True)
    assert (org_row.customers_at_start, org_row.revenue) == (1000, Decimal("50000.00"))
    assert CustomerPeriod.objects.get(team=coded.team).customers_lost == 3
    event = AuditEvent.objects.get(action="engagement.customer_periods_imported")
    assert event.after["created"] == 2


def test_one_bad_row_saves_nothing(coded: Org, hr: User) -> None:
    result = import_customer_periods(
        actor=hr,
        data=csv_bytes("2026-01,,1000,20,30,50000,crm", "2026-02,NOPE,300,3,4,,"),
        today=TODAY,
    )
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "team_code")]
    assert "No active team has the code “NOPE”" in result.errors[0].reason
    assert not CustomerPeriod.objects.exists()
    assert not AuditEvent.objects.filter(action="engagement.customer_periods_imported").exists()


def test_re_importing_the_same_file_changes_nothing(coded: Org, hr: User) -> None:
    data = csv_bytes("2026-01,,1000,20,30,50000,crm", "2026-01,BILL,300,3,4,,crm")
    import_customer_periods(actor=hr, data=data, today=TODAY)
    before = list(CustomerPeriod.objects.values())
    again = import_customer_periods(actor=hr, data=data, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(CustomerPeriod.objects.values()) == before
    assert AuditEvent.objects.filter(action="engagement.customer_periods_imported").count() == 1


def test_a_changed_month_is_updated_in_place(coded: Org, hr: User) -> None:
    import_customer_periods(actor=hr, data=csv_bytes("2026-01,,1000,20,30,,"), today=TODAY)
    result = import_customer_periods(
        actor=hr, data=csv_bytes("2026-01,,1000,25,30,,", "2026-02,,1005,10,0,,"), today=TODAY
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert CustomerPeriod.objects.get(month=dt.date(2026, 1, 1)).customers_lost == 25
    assert CustomerPeriod.objects.count() == 2


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(coded: Org, hr: User) -> None:
    result = import_customer_periods(
        actor=hr, data=csv_bytes("2026-01,,1000,20,30,,"), today=TODAY, dry_run=True
    )
    assert result.created == 1 and result.actions == {2: "create"}
    assert not CustomerPeriod.objects.exists()


def test_only_hr_and_administrators_may_import(coded: Org, lead: User, admin: User) -> None:
    with pytest.raises(PermissionDenied):
        import_customer_periods(actor=lead, data=csv_bytes("2026-01,,1,0,0,,"), today=TODAY)
    assert import_customer_periods(actor=admin, data=csv_bytes("2026-01,,1,0,0,,"), today=TODAY).ok


def test_a_team_outside_the_importers_reach_is_refused(coded: Org) -> None:
    from qa_platform.people.roles import Role
    from tests.people.factories import person_with_role

    support_hr = person_with_role(Role.HR, coded.support)
    result = import_customer_periods(
        actor=support_hr, data=csv_bytes("2026-01,RENEW,10,0,0,,"), today=TODAY
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "team_code")]
    assert "outside the teams you run" in result.errors[0].reason


# --- The pages ------------------------------------------------------------------------------------


def post_file(client: Client, data: bytes, **extra: Any) -> Any:
    upload = SimpleUploadedFile("customers.csv", data, content_type="text/csv")
    return client.post(UPLOAD, {"file": upload, "step": "preview"}, **extra)


def a_past_month() -> str:
    return (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, org: Org) -> None:
    response = client.get(UPLOAD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["agent", "lead", "qa_manager"])
def test_other_roles_may_not_import(client: Client, role: str, request: Any) -> None:
    client = signed_in(client, request.getfixturevalue(role))
    assert client.get(UPLOAD).status_code == 403
    assert client.get(reverse("engagement:customer_import_template")).status_code == 403
    assert post_file(client, csv_bytes(f"{a_past_month()},,1,0,0,,")).status_code == 403
    assert not CustomerPeriod.objects.exists()


def test_the_upload_page_shows_the_form_and_the_columns(client: Client, hr: User) -> None:
    body = signed_in(client, hr).get(UPLOAD).content.decode()
    assert "<html" in body and 'type="file"' in body
    assert "<code>customers_at_start</code>" in body


def test_the_htmx_upload_page_is_the_panel(client: Client, hr: User) -> None:
    body = signed_in(client, hr).get(UPLOAD, headers=HTMX).content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="import-panel">')


def test_the_template_downloads_as_csv_that_imports_cleanly(client: Client, hr: User) -> None:
    response = signed_in(client, hr).get(reverse("engagement:customer_import_template"))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER
    assert parse_csv(text.encode(), today=dt.date(2026, 2, 1)).ok


def test_upload_preview_confirm_imports_the_previewed_file(client: Client, hr: User) -> None:
    client = signed_in(client, hr)
    month = a_past_month()
    response = post_file(client, csv_bytes(f"{month},,1000,20,30,50000,crm"))
    body = response.content.decode()
    assert "Step 2 of 3" in body and "Confirm import" in body
    assert not CustomerPeriod.objects.exists()
    digest = client.session["customer_periods_import"]["digest"]
    response = client.post(UPLOAD, {"step": "confirm", "digest": digest})
    assert "Import done" in response.content.decode()
    assert CustomerPeriod.objects.get().customers_at_start == 1000


def test_a_bad_file_lists_every_problem_and_saves_nothing(client: Client, hr: User) -> None:
    response = post_file(
        signed_in(client, hr), csv_bytes("nope,,1,0,0,,", "2026-01,,5,9,0,,"), headers=HTMX
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "2 problems in customers.csv: nothing was imported." in body
    assert "is not a month" in body and "more than the 5 at the start" in body
    assert not CustomerPeriod.objects.exists()


def test_confirming_without_a_preview_saves_nothing(client: Client, hr: User) -> None:
    body = signed_in(client, hr).post(UPLOAD, {"step": "confirm", "digest": "x"}).content.decode()
    assert "no previewed import to confirm" in body
    assert not CustomerPeriod.objects.exists()


def test_a_file_that_is_not_csv_is_refused_on_the_form(client: Client, hr: User) -> None:
    upload = SimpleUploadedFile("customers.xlsx", b"PK\x03\x04", content_type="application/zip")
    body = signed_in(client, hr).post(UPLOAD, {"file": upload}).content.decode()
    assert "Upload a .csv file" in body
