"""The import service against the database: all or nothing, idempotent, full exports, matching."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.people.importing import COLUMNS, template_csv
from qa_platform.people.imports import ImportFailed, ImportResult, import_people, import_teams
from qa_platform.people.models import Membership, RoleGrant, Team, User
from qa_platform.people.roles import Role
from tests.conftest import Org, signed_in
from tests.people.factories import MembershipFactory, RoleGrantFactory, UserFactory

HEADER = ",".join(COLUMNS)


def run(admin: User, *lines: str, header: str = HEADER, **kwargs: Any) -> ImportResult:
    data = ("\n".join([header, *lines]) + "\n").encode()
    return import_people(data=data, actor=admin, **kwargs)


def snapshot() -> dict[str, int]:
    return {
        "people": User.objects.count(),
        "teams": Team.objects.count(),
        "memberships": Membership.objects.count(),
        "grants": RoleGrant.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def state() -> list[tuple[Any, ...]]:
    """Everything an import may change, to compare before and after."""
    person = ("pk", "email", "full_name", "employee_id", "is_active")
    team = ("pk", "name", "kind", "parent_id", "path", "external_id")
    return [
        *User.objects.order_by("pk").values_list(*person),
        *Team.objects.order_by("pk").values_list(*team),
        *Membership.objects.order_by("pk").values_list("pk", "user_id", "team_id", "start", "end"),
        *RoleGrant.objects.order_by("pk").values_list(
            "pk", "user_id", "role", "team_id", "revoked_at"
        ),
    ]


@pytest.fixture
def coded(org: Org) -> Org:
    """The org's teams with HR codes."""
    for team, code in [
        (org.root, "ACME"),
        (org.support, "SUP"),
        (org.sales, "SALES"),
        (org.team, "BILL"),
        (org.sibling_team, "TECH"),
        (org.other_team, "RENEW"),
    ]:
        team.external_id = code
        team.save(update_fields=["external_id"])
    return org


FILE = [
    "grace@example.com,Grace Hopper,E1,CX,Customer care,,department,lead,2025-01-06,true",
    "ada@example.com,Ada Lovelace,E2,CX-1,Care one,CX,team,agent;reviewer,2025-02-03,true",
    "alan@example.com,Alan Turing,E3,CX-1,Care one,CX,,agent,,yes",
]


# --- Creating -----------------------------------------------------------------------------


def test_an_import_creates_teams_people_memberships_and_grants(admin: User) -> None:
    result = run(admin, *FILE)
    assert result.ok, result.errors
    assert result.counts.as_dict() == {
        "created": 3,
        "updated": 0,
        "moved": 0,
        "granted": 4,
        "deactivated": 0,
        "unchanged": 0,
        "teams_created": 2,
        "teams_updated": 0,
    }
    cx = Team.objects.get(external_id="CX")
    care = Team.objects.get(external_id="CX-1")
    assert (cx.name, cx.kind, cx.parent_id) == ("Customer care", "department", None)
    assert (care.name, care.kind, care.parent_id) == ("Care one", "team", cx.pk)
    assert care.path == f"{cx.path}{care.pk}/"
    ada = User.objects.get(email="ada@example.com")
    assert (ada.full_name, ada.employee_id, ada.is_active) == ("Ada Lovelace", "E2", True)
    assert not ada.has_usable_password()
    membership = Membership.objects.get(user=ada)
    assert (membership.team, membership.start, membership.end) == (care, dt.date(2025, 2, 3), None)
    assert set(RoleGrant.objects.filter(user=ada).values_list("role", "team")) == {
        ("agent", care.pk),
        ("reviewer", care.pk),
    }
    alan_start = Membership.objects.get(user__email="alan@example.com").start
    assert alan_start == timezone.localdate()


def test_an_import_writes_one_summary_event_with_the_counts(admin: User) -> None:
    run(admin, *FILE)
    (event,) = AuditEvent.objects.filter(action="people.import")
    assert event.actor == admin
    assert event.after is not None
    assert event.after["created"] == 3
    assert event.after["rows"] == 3
    assert event.after["full"] is False
    assert AuditEvent.objects.filter(action="person.create").count() == 3
    assert AuditEvent.objects.filter(action="role.grant", actor=admin).count() == 4
    assert AuditEvent.objects.filter(action="membership.move").count() == 3
    create = AuditEvent.objects.get(action="person.create", object_repr="Ada Lovelace")
    ada = User.objects.get(email="ada@example.com")
    assert (create.object_type, create.object_id) == ("people.user", str(ada.pk))
    assert create.after == {
        "email": "ada@example.com",
        "full_name": "Ada Lovelace",
        "employee_id": "E2",
        "is_active": True,
    }


def test_a_new_person_given_the_admin_role_can_use_the_cms_admin(admin: User) -> None:
    result = run(admin, "root@example.com,CX,Care,admin", header="email,team_code,team_name,roles")
    assert result.ok
    person = User.objects.get(email="root@example.com")
    assert person.is_staff and person.is_superuser
    assert not User.objects.get(email="root@example.com").has_usable_password()


def test_the_template_imports_into_an_empty_platform(admin: User) -> None:
    result = import_people(data=template_csv().encode(), actor=admin)
    assert result.ok, result.errors
    assert result.counts.created == 2
    assert Team.objects.get(external_id="SUP-BILL").parent == Team.objects.get(external_id="SUP")


def test_a_person_marked_inactive_is_created_deactivated(admin: User) -> None:
    result = run(admin, "zed@example.com,false", header="email,active")
    assert result.ok
    assert User.objects.get(email="zed@example.com").is_active is False


# --- All or nothing -----------------------------------------------------------------------


def test_a_file_with_one_bad_row_saves_nothing_and_lists_the_row(admin: User) -> None:
    before, before_state = snapshot(), state()
    result = run(admin, *FILE, "bad@example.com,Bad,E9,CX-1,Care one,CX,,astronaut,,")
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(5, "roles")]
    assert snapshot() == before
    assert state() == before_state


def test_a_clash_found_while_writing_rolls_back_everything(
    admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """E.g. someone granted the same role by hand a moment before: the unique constraint fires
    after people and memberships were written, and all of it is undone."""
    UserFactory(email="grace@example.com", full_name="Grace", employee_id="E1")

    def clash(*args: Any, **kwargs: Any) -> None:
        raise IntegrityError("UNIQUE constraint failed: one_active_grant_per_user_role_team")

    monkeypatch.setattr(RoleGrant.objects, "bulk_create", clash)
    before, before_state = snapshot(), state()
    result = run(admin, *FILE)
    assert len(result.errors) == 1
    assert result.errors[0].row is None
    assert "Run the import again" in result.errors[0].reason
    assert snapshot() == before
    assert state() == before_state
    assert result.counts.changes == 0


def test_errors_can_be_raised_as_an_exception(admin: User) -> None:
    result = run(admin, "nope", header="email")
    with pytest.raises(ImportFailed) as caught:
        result.raise_for_errors()
    assert caught.value.errors == result.errors


def test_a_dry_run_counts_everything_and_saves_nothing(admin: User) -> None:
    before = snapshot()
    result = run(admin, *FILE, dry_run=True)
    assert result.ok
    assert result.counts.created == 3
    assert result.actions[2] == ("create", "grant")
    assert snapshot() == before


# --- Re-importing -------------------------------------------------------------------------


def test_re_importing_the_same_file_changes_nothing_but_one_summary_event(admin: User) -> None:
    assert run(admin, *FILE).ok
    before, before_state = snapshot(), state()
    result = run(admin, *FILE)
    assert result.ok
    assert result.counts.as_dict() == {
        "created": 0,
        "updated": 0,
        "moved": 0,
        "granted": 0,
        "deactivated": 0,
        "unchanged": 3,
        "teams_created": 0,
        "teams_updated": 0,
    }
    assert state() == before_state
    assert snapshot() == {**before, "audit": before["audit"] + 1}
    latest = AuditEvent.objects.order_by("-pk").first()
    assert latest is not None and latest.action == "people.import"


def test_re_importing_a_full_export_changes_nothing(admin: User, coded: Org) -> None:
    lines = [*FILE, "admin@example.test,Ann Admin,,,,,,,,"]
    first = run(admin, *lines, full=True)
    assert first.ok
    assert first.counts.created == 3
    assert User.objects.filter(is_active=False).count() == 0  # not the people it just created
    before = state()
    result = run(admin, *lines, full=True)
    assert result.counts.changes == 0
    assert state() == before


def test_reading_stays_a_few_queries_whatever_the_number_of_rows(admin: User, coded: Org) -> None:
    def queries_for(n: int) -> int:
        lines = [f"p{i}@example.com,Person {i},P{i},BILL,,,,agent,2025-01-01," for i in range(n)]
        assert run(admin, *lines).ok
        with CaptureQueriesContext(connection) as ctx:
            assert run(admin, *lines).counts.unchanged == n
        return len(ctx.captured_queries)

    assert queries_for(3) == queries_for(60)
    assert queries_for(3) <= 12


# --- Updating and matching ----------------------------------------------------------------


def test_changed_fields_are_updated_and_empty_cells_leave_values_alone(admin: User) -> None:
    person = UserFactory(email="ada@example.com", full_name="Ada", employee_id="E2")
    result = run(
        admin,
        "ada@example.com,Ada Lovelace,",
        "ADA2@example.com,,",
        header="email,full_name,employee_id",
    )
    assert result.ok
    person.refresh_from_db()
    assert (person.full_name, person.employee_id) == ("Ada Lovelace", "E2")
    assert result.counts.updated == 1
    assert result.counts.created == 1
    assert AuditEvent.objects.filter(action="person.update", object_id=str(person.pk)).exists()


def test_people_are_matched_by_employee_id_first_so_an_email_change_follows(admin: User) -> None:
    person = UserFactory(email="ada.old@example.com", employee_id="E2")
    result = run(admin, "ada.new@example.com,E2", header="email,employee_id")
    assert result.ok
    person.refresh_from_db()
    assert person.email == "ada.new@example.com"
    assert result.counts.created == 0


def test_email_matching_ignores_letter_case(admin: User) -> None:
    person = UserFactory(email="ada@example.com", employee_id=None)
    result = run(admin, "ADA@Example.com,E7", header="email,employee_id")
    assert result.ok
    person.refresh_from_db()
    assert person.employee_id == "E7"
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1


def test_an_employee_id_that_belongs_to_someone_else_is_refused(admin: User) -> None:
    UserFactory(email="ada@example.com", employee_id="E2")
    UserFactory(email="bob@example.com", employee_id="E3")
    before = state()
    result = run(admin, "bob@example.com,E2", header="email,employee_id")
    assert [(e.row, e.column) for e in result.errors] == [(2, "employee_id")]
    assert "ada@example.com" in result.errors[0].reason
    assert state() == before


def test_a_person_whose_stored_employee_id_differs_is_refused(admin: User) -> None:
    UserFactory(email="ada@example.com", employee_id="E2")
    result = run(admin, "ada@example.com,E99", header="email,employee_id")
    assert [(e.row, e.column) for e in result.errors] == [(2, "employee_id")]


def test_two_rows_for_the_same_stored_person_are_refused(admin: User) -> None:
    UserFactory(email="ada@example.com", employee_id="E2")
    result = run(admin, "ada.new@example.com,E2", "ada@example.com,", header="email,employee_id")
    assert [(e.row, e.column) for e in result.errors] == [(3, "email")]


def test_people_marked_active_are_reactivated(admin: User) -> None:
    person = UserFactory(email="ada@example.com", is_active=False)
    result = run(admin, "ada@example.com", header="email")
    person.refresh_from_db()
    assert person.is_active
    assert result.counts.updated == 1
    assert AuditEvent.objects.filter(action="person.activate").count() == 1


def test_the_importing_admin_cannot_deactivate_themself(admin: User) -> None:
    result = run(admin, "admin@example.test,false", header="email,active")
    assert [(e.row, e.column) for e in result.errors] == [(2, "active")]


# --- Teams, moves and roles ---------------------------------------------------------------


def test_moves_keep_the_membership_history(admin: User, coded: Org) -> None:
    person = UserFactory(email="ada@example.com")
    old = MembershipFactory(user=person, team=coded.team, start=dt.date(2025, 1, 1))
    result = run(admin, "ada@example.com,TECH,2026-02-01", header="email,team_code,start_date")
    assert result.ok, result.errors
    assert result.counts.moved == 1
    old.refresh_from_db()
    assert old.end == dt.date(2026, 2, 1)
    new = Membership.objects.get(user=person, end__isnull=True)
    assert (new.team, new.start) == (coded.sibling_team, dt.date(2026, 2, 1))
    assert AuditEvent.objects.filter(action="membership.move").count() == 1


def test_a_move_on_the_day_a_membership_started_replaces_it(admin: User, coded: Org) -> None:
    person = UserFactory(email="ada@example.com")
    MembershipFactory(user=person, team=coded.team, start=dt.date(2026, 2, 1))
    result = run(admin, "ada@example.com,TECH,2026-02-01", header="email,team_code,start_date")
    assert result.ok
    (membership,) = Membership.objects.filter(user=person)
    assert (membership.team, membership.start, membership.end) == (
        coded.sibling_team,
        dt.date(2026, 2, 1),
        None,
    )


def test_a_person_marked_inactive_is_deactivated_with_its_audit_event(admin: User) -> None:
    person = UserFactory(email="ada@example.com")
    result = run(admin, "ada@example.com,no", header="email,active")
    assert result.counts.updated == 1
    person.refresh_from_db()
    assert not person.is_active
    event = AuditEvent.objects.get(action="person.deactivate")
    assert event.before is not None and event.after is not None
    assert (event.before["is_active"], event.after["is_active"]) == (True, False)


def test_an_existing_person_granted_admin_can_use_the_cms_admin(admin: User, coded: Org) -> None:
    person = UserFactory(email="ada@example.com")
    assert run(admin, "ada@example.com,BILL,admin", header="email,team_code,roles").ok
    person.refresh_from_db()
    assert person.is_staff and person.is_superuser


def test_a_move_before_a_later_membership_is_refused(admin: User, coded: Org) -> None:
    person = UserFactory(email="ada@example.com")
    MembershipFactory(user=person, team=coded.team, start=dt.date(2026, 1, 1))
    result = run(admin, "ada@example.com,TECH,2025-06-01", header="email,team_code,start_date")
    assert [(e.row, e.column) for e in result.errors] == [(2, "start_date")]


def test_roles_not_listed_are_never_revoked(admin: User, coded: Org) -> None:
    person = UserFactory(email="ada@example.com")
    MembershipFactory(user=person, team=coded.team)
    RoleGrantFactory(user=person, role=Role.LEAD, team=coded.team)
    result = run(admin, "ada@example.com,BILL,agent", header="email,team_code,roles")
    assert result.ok
    assert result.counts.granted == 1
    assert set(RoleGrant.objects.active().filter(user=person).values_list("role", flat=True)) == {
        "lead",
        "agent",
    }


def test_a_changed_team_name_renames_the_team(admin: User, coded: Org) -> None:
    result = run(
        admin, "ada@example.com,BILL,Billing & invoices", header="email,team_code,team_name"
    )
    assert result.ok
    assert result.counts.teams_updated == 1
    coded.team.refresh_from_db()
    assert coded.team.name == "Billing & invoices"
    assert AuditEvent.objects.filter(action="team.update").count() == 1


def test_a_team_can_move_under_another_parent_and_its_subtree_follows(
    admin: User, coded: Org
) -> None:
    child = Team.objects.create(name="Night shift", parent=coded.team, external_id="NIGHT")
    child.path, child.depth = f"{coded.team.path}{child.pk}/", 3
    child.save()
    result = run(admin, "ada@example.com,BILL,SALES", header="email,team_code,parent_team_code")
    assert result.ok, result.errors
    child.refresh_from_db()
    coded.team.refresh_from_db()
    assert coded.team.parent == coded.sales
    assert child.path == f"{coded.sales.path}{coded.team.pk}/{child.pk}/"


def test_an_unknown_parent_team_is_reported_on_each_row_that_names_it(
    admin: User, coded: Org
) -> None:
    result = run(
        admin,
        "a@example.com,NEW,New,NOPE",
        "b@example.com,NEW,New,NOPE",
        "c@example.com,NEW2,Newer,SUP",
        header="email,team_code,team_name,parent_team_code",
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "parent_team_code"),
        (3, "parent_team_code"),
    ]


def test_an_unknown_team_without_a_name_is_refused(admin: User) -> None:
    result = run(admin, "a@example.com,GHOST", header="email,team_code")
    assert [(e.row, e.column) for e in result.errors] == [(2, "team_name")]


def test_a_loop_through_teams_already_stored_is_refused(admin: User, coded: Org) -> None:
    # SUP is BILL's parent in the platform; putting SUP under BILL would make a loop.
    result = run(admin, "a@example.com,SUP,BILL", header="email,team_code,parent_team_code")
    assert [(e.row, e.column) for e in result.errors] == [(2, "parent_team_code")]
    assert "inside" in result.errors[0].reason


# --- Full exports -------------------------------------------------------------------------


def test_a_full_import_deactivates_people_missing_from_it_and_deletes_nobody(
    admin: User, agent: User, lead: User, other_team_agent: User
) -> None:
    people_before = User.objects.count()
    result = run(admin, "agent@example.test", header="email", full=True)
    assert result.ok, result.errors
    assert result.counts.deactivated == 2
    assert User.objects.count() == people_before
    assert set(User.objects.filter(is_active=False).values_list("email", flat=True)) == {
        "lead@example.test",
        "agent2@example.test",
    }
    assert User.objects.get(pk=admin.pk).is_active  # never the importing admin
    assert AuditEvent.objects.filter(action="person.deactivate").count() == 2
    assert result.deactivated_people == ["agent2@example.test", "lead@example.test"]


def test_a_normal_import_deactivates_nobody(admin: User, agent: User, lead: User) -> None:
    result = run(admin, "agent@example.test", header="email")
    assert result.counts.deactivated == 0
    assert User.objects.filter(is_active=False).count() == 0


def test_a_full_dry_run_names_who_would_be_deactivated_and_saves_nothing(
    admin: User, agent: User, lead: User
) -> None:
    result = run(admin, "agent@example.test", header="email", full=True, dry_run=True)
    assert result.counts.deactivated == 1
    assert result.deactivated_people == ["lead@example.test"]
    assert User.objects.filter(is_active=False).count() == 0


# --- Teams batches ------------------------------------------------------------------------


def test_a_teams_batch_upserts_by_code_all_or_nothing(admin: User, coded: Org) -> None:
    result = import_teams(
        records=[
            {"code": "CX", "name": "Customer care", "kind": "department", "parent_code": "ACME"},
            {"code": "CX-1", "name": "Care one", "parent_code": "CX"},
            {"code": "BILL", "name": "Billing & invoices"},
            {"code": "TECH", "name": "Tech"},
        ],
        actor=admin,
    )
    assert result.ok, result.errors
    assert (result.counts.teams_created, result.counts.teams_updated, result.counts.unchanged) == (
        2,
        1,
        1,
    )
    assert Team.objects.get(external_id="CX-1").parent == Team.objects.get(external_id="CX")
    assert AuditEvent.objects.filter(action="teams.import").count() == 1
    before = snapshot()
    bad = import_teams(
        records=[{"code": "NEW", "name": "New"}, {"code": "X", "name": "X", "parent_code": "?"}],
        actor=admin,
    )
    assert [(e.row, e.column) for e in bad.errors] == [(2, "parent_code")]
    assert snapshot() == before


# --- The browser pages --------------------------------------------------------------------

IMPORT_URL = "/people/import/"


def upload(name: str = "people.csv", content: bytes | None = None) -> SimpleUploadedFile:
    if content is None:
        content = ("\n".join([HEADER, *FILE]) + "\n").encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_import_urls_are_where_the_navigation_points() -> None:
    assert reverse("people:import") == IMPORT_URL
    assert reverse("people:import_template") == "/people/import/template.csv"


def test_anonymous_people_are_sent_to_sign_in(client: Client, db: None) -> None:
    for url in (IMPORT_URL, reverse("people:import_template")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(IMPORT_URL, {"file": upload()})
    assert response.status_code == 302
    assert User.objects.filter(email="ada@example.com").count() == 0


@pytest.mark.parametrize("role", ["agent", "lead", "qa_manager", "hr"])
def test_only_administrators_may_import(client: Client, role: str, request: Any) -> None:
    signed_in(client, request.getfixturevalue(role))
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(reverse("people:import_template")).status_code == 403
    assert client.post(IMPORT_URL, {"file": upload()}).status_code == 403
    assert client.post(IMPORT_URL, {"step": "confirm"}).status_code == 403
    assert User.objects.filter(email="ada@example.com").count() == 0


def test_the_upload_page_shows_the_form_and_the_template_link(client: Client, admin: User) -> None:
    response = signed_in(client, admin).get(IMPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert 'type="file"' in html
    assert "This is a full export: deactivate people missing from it" in html
    assert 'name="full"' in html and "checked" not in html
    assert reverse("people:import_template") in html


def test_the_template_downloads_as_a_csv_that_imports(client: Client, admin: User) -> None:
    response = signed_in(client, admin).get(reverse("people:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 3
    assert import_people(data=body, actor=admin, dry_run=True).ok


def test_an_admin_uploads_previews_and_confirms_an_import(client: Client, admin: User) -> None:
    signed_in(client, admin)
    before = snapshot()
    preview = client.post(IMPORT_URL, {"file": upload()})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Confirm import" in html
    assert "people to create" in html
    assert "ada@example.com" in html  # the first rows are shown
    assert "<code>team_code</code>" in html  # with the column mapping
    assert snapshot() == before  # the preview saved nothing
    digest = client.session["people_import"]["digest"]

    result = client.post(IMPORT_URL, {"step": "confirm", "digest": digest})
    assert result.status_code == 200
    html = result.content.decode()
    assert "Import done" in html
    assert "people created" in html
    assert User.objects.filter(email__in=["grace@example.com", "ada@example.com"]).count() == 2
    assert AuditEvent.objects.filter(action="people.import").count() == 1
    assert "people_import" not in client.session

    again = client.post(IMPORT_URL, {"step": "confirm", "digest": digest})
    assert "no previewed import" in again.content.decode()
    assert AuditEvent.objects.filter(action="people.import").count() == 1


def test_a_full_export_preview_names_who_will_be_deactivated(
    client: Client, admin: User, agent: User
) -> None:
    signed_in(client, admin)
    response = client.post(IMPORT_URL, {"file": upload(), "full": "on"})
    html = response.content.decode()
    assert "agent@example.test" in html
    assert "will be deactivated" in html
    digest = client.session["people_import"]["digest"]
    assert User.objects.get(pk=agent.pk).is_active
    client.post(IMPORT_URL, {"step": "confirm", "digest": digest})
    assert not User.objects.get(pk=agent.pk).is_active
    assert User.objects.get(pk=admin.pk).is_active


def test_confirming_with_a_stale_digest_saves_nothing(client: Client, admin: User) -> None:
    signed_in(client, admin)
    client.post(IMPORT_URL, {"file": upload()})
    before = snapshot()
    response = client.post(IMPORT_URL, {"step": "confirm", "digest": "0" * 64})
    assert response.status_code == 200
    assert "Upload the file again" in response.content.decode()
    assert snapshot() == before


def test_cancelling_forgets_the_upload(client: Client, admin: User) -> None:
    signed_in(client, admin)
    client.post(IMPORT_URL, {"file": upload()})
    response = client.post(IMPORT_URL, {"step": "cancel"})
    assert response.status_code == 200
    assert "people_import" not in client.session
    assert User.objects.filter(email="ada@example.com").count() == 0


def test_a_file_with_bad_rows_shows_every_error_and_saves_nothing(
    client: Client, admin: User
) -> None:
    signed_in(client, admin)
    content = "\n".join([HEADER, *FILE, "nope,,,,,,,,,", "x@example.com,,,,,,,wizard,,"]).encode()
    before = snapshot()
    response = client.post(IMPORT_URL, {"file": upload(content=content)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 problems in people.csv: nothing was imported." in html
    assert '<td class="num">5</td>' in html and '<td class="num">6</td>' in html
    assert "<code>email</code>" in html and "<code>roles</code>" in html
    assert "is not an email address" in html
    assert snapshot() == before
    assert "people_import" not in client.session


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.csv", bytes(range(256)) * 40, "not UTF-8"),
        ("people.csv", b"\x00\x01\x02garbage\x00", "binary data"),
        ("people.csv", "email\nzoë@example.com\n".encode("utf-16"), "UTF-16"),
        ("people.csv", b"full_name\nAda\n", "required column"),
        ("people.xlsx", b"PK\x03\x04 not really a spreadsheet", "Upload a .csv file"),
        ("people.csv", b"", "empty"),
    ],
)
def test_garbage_uploads_get_a_clear_message_and_save_nothing(
    client: Client, admin: User, name: str, content: bytes, message: str
) -> None:
    signed_in(client, admin)
    before = snapshot()
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_post_without_a_file_asks_for_one(client: Client, admin: User) -> None:
    response = signed_in(client, admin).post(IMPORT_URL, {"full": "on"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


def test_a_file_over_5_mb_is_refused_with_the_limit(client: Client, admin: User) -> None:
    big = b"email\n" + b"a" * (5 * 1024 * 1024)
    response = signed_in(client, admin).post(IMPORT_URL, {"file": upload(content=big)})
    assert response.status_code == 200
    assert "the limit is 5 MB" in response.content.decode()


def test_htmx_requests_get_only_the_import_panel(client: Client, admin: User) -> None:
    signed_in(client, admin)
    headers = {"HX-Request": "true"}
    for response in (
        client.get(IMPORT_URL, headers=headers),
        client.post(IMPORT_URL, {"file": upload()}, headers=headers),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert html.lstrip().startswith('<div id="import-panel">')
    digest = client.session["people_import"]["digest"]
    response = client.post(IMPORT_URL, {"step": "confirm", "digest": digest}, headers=headers)
    html = response.content.decode()
    assert "<html" not in html
    assert "Import done" in html
    assert "Imported people.csv: 3 created" in html  # the toast travels with the fragment
