"""Assigning training, rules reconciled against memberships, reminders and recertification."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.notifications.models import Notification
from qa_platform.people.models import Membership, User
from qa_platform.people.roles import Role
from qa_platform.people.services import end_membership, grant_role, move_to_team, update_person
from tests.conftest import Org
from tests.people.factories import MembershipFactory, UserFactory, person_with_role
from tests.training.factories import module_page, path_page, true_false
from training.models import Assignment, AssignmentSource, Certificate
from training.services import (
    TrainingError,
    answer_question,
    assign_training,
    issue_certificate,
    recertify_expiring,
    reconcile_rules,
    revoke_certificate,
    save_rule,
    send_reminders,
    start_attempt,
    submit_module_attempt,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_lead_assigns_a_module_to_their_team_with_a_due_date(
    org: Org, agent: User, lead: User, django_capture_on_commit_callbacks: Any
) -> None:
    teammate = person_with_role(Role.AGENT, org.team)
    page = module_page()
    due = TODAY + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        result = assign_training(page=page, teams=[org.team], due_at=due, actor=lead)
    assigned = {a.person_id for a in result.created}
    assert {agent.pk, teammate.pk} <= assigned
    row = Assignment.objects.get(person=agent, page=page)
    assert (row.source, row.due_at, row.assigned_by_id) == (AssignmentSource.MANUAL, due, lead.pk)
    event = AuditEvent.objects.get(action="training.assign")
    assert agent.pk in event.after["people"]
    note = Notification.objects.get(recipient=agent, kind="training.assigned")
    assert page.title in note.title
    assert any(agent.email in m.to for m in mail.outbox)


def test_assigning_again_leaves_the_open_assignment_alone(agent: User, lead: User) -> None:
    page = module_page()
    assign_training(page=page, people=[agent], actor=lead)
    again = assign_training(page=page, people=[agent], actor=lead)
    assert again.created == [] and again.already == [agent.pk]
    assert Assignment.objects.filter(person=agent, page=page).count() == 1


def test_a_lead_cannot_assign_outside_their_teams(other_team_agent: User, lead: User) -> None:
    with pytest.raises(TrainingError, match="not in your teams"):
        assign_training(page=module_page(), people=[other_team_agent], actor=lead)
    assert not Assignment.objects.exists()


def test_a_past_due_date_and_an_unpublished_page_are_refused(agent: User, lead: User) -> None:
    page = module_page()
    with pytest.raises(TrainingError, match="past"):
        assign_training(page=page, people=[agent], due_at=TODAY - dt.timedelta(days=1), actor=lead)
    page.unpublish()
    with pytest.raises(TrainingError, match="not published"):
        assign_training(page=page, people=[agent], actor=lead)


# --- Rules ---------------------------------------------------------------------------------


def test_a_team_rule_assigns_its_members_once_and_rerunning_changes_nothing(
    org: Org, agent: User, qa_manager: User, other_team_agent: User
) -> None:
    page = module_page()
    rule = save_rule(name="Billing basics", page=page, team=org.team, due_days=14, actor=qa_manager)
    rows = Assignment.objects.filter(page=page, rule=rule)
    assert set(rows.values_list("person_id", flat=True)) == {agent.pk}
    assert rows.get().due_at == TODAY + dt.timedelta(days=14)
    events = AuditEvent.objects.count()
    second = reconcile_rules()
    assert (second.assigned, second.withdrawn) == (0, 0)
    assert AuditEvent.objects.count() == events


def test_joining_the_team_assigns_and_leaving_withdraws_unstarted_work_only(
    org: Org, agent: User, qa_manager: User, django_capture_on_commit_callbacks: Any
) -> None:
    page = module_page(body=[true_false("t")])
    save_rule(name="Billing basics", page=page, team=org.team, actor=qa_manager)
    newcomer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        move_to_team(person=newcomer, team=org.team, start=TODAY)
    # The people services hand the change over to training (a task; immediate in tests).
    assert Assignment.objects.open().filter(person=newcomer, page=page).exists()

    start_attempt(person=agent, page=page)  # the agent has started
    with django_capture_on_commit_callbacks(execute=True):
        move_to_team(person=agent, team=org.other_team, start=TODAY)
        move_to_team(person=newcomer, team=org.other_team, start=TODAY)
    assert Assignment.objects.open().filter(person=agent, page=page).exists()
    withdrawn = Assignment.objects.get(person=newcomer, page=page)
    assert withdrawn.withdrawn_at is not None

    # Coming back assigns it again.
    with django_capture_on_commit_callbacks(execute=True):
        move_to_team(person=newcomer, team=org.team, start=TODAY)
    assert Assignment.objects.open().filter(person=newcomer, page=page).count() == 1


def test_ending_a_membership_or_deactivating_someone_withdraws_unstarted_rule_work(
    org: Org, agent: User, qa_manager: User
) -> None:
    page = module_page()
    save_rule(name="Everyone", page=page, actor=qa_manager)
    other = person_with_role(Role.AGENT, org.sibling_team)
    reconcile_rules()
    assert Assignment.objects.open().filter(person__in=[agent, other], page=page).count() == 2
    update_person(
        person=agent,
        email=agent.email,
        full_name=agent.full_name,
        employee_id=agent.employee_id,
        is_active=False,
    )
    membership = Membership.objects.get(user=other)
    end_membership(membership=membership, end=TODAY + dt.timedelta(days=1))
    reconcile_rules(today=TODAY + dt.timedelta(days=1))
    assert not Assignment.objects.open().filter(person__in=[agent, other], page=page).exists()


def test_new_starter_rule_reaches_agents_in_their_first_days_and_keeps_their_work(
    org: Org, qa_manager: User
) -> None:
    page = module_page()
    fresh = UserFactory()
    MembershipFactory(user=fresh, team=org.team, start=TODAY - dt.timedelta(days=3))
    grant_role(person=fresh, role=Role.AGENT, team=org.team)
    veteran = person_with_role(Role.AGENT, org.team)
    save_rule(name="New starters", page=page, role=Role.AGENT, first_days=30, actor=qa_manager)
    assert list(Assignment.objects.filter(page=page).values_list("person_id", flat=True)) == [
        fresh.pk
    ]
    assert veteran.pk not in set(Assignment.objects.values_list("person_id", flat=True))
    # Day 30: out of scope, but the work was started, so it stays.
    start_attempt(person=fresh, page=page)
    reconcile_rules(today=TODAY + dt.timedelta(days=27))
    assert Assignment.objects.open().filter(person=fresh, page=page).exists()


def test_a_lead_role_rule_reaches_leads(
    org: Org, lead: User, agent: User, qa_manager: User
) -> None:
    page = module_page()
    save_rule(name="All leads", page=page, role=Role.LEAD, actor=qa_manager)
    assert set(Assignment.objects.filter(page=page).values_list("person_id", flat=True)) == {
        lead.pk
    }


def test_a_completed_rule_assignment_is_never_assigned_again(
    org: Org, agent: User, qa_manager: User
) -> None:
    page = module_page(body=[true_false("t")])
    save_rule(name="Billing", page=page, team=org.team, actor=qa_manager)
    attempt = start_attempt(person=agent, page=page)
    answer_question(attempt=attempt, key="t", raw="true")
    submit_module_attempt(attempt=attempt)
    assert Assignment.objects.get(person=agent, page=page).completed_at is not None
    assert reconcile_rules().assigned == 0
    assert Assignment.objects.filter(person=agent, page=page).count() == 1


def test_deactivating_a_rule_withdraws_its_unstarted_assignments(
    org: Org, agent: User, qa_manager: User
) -> None:
    page = module_page()
    rule = save_rule(name="Billing", page=page, team=org.team, actor=qa_manager)
    save_rule(
        rule=rule, name="Billing", page=page, team=org.team, is_active=False, actor=qa_manager
    )
    assert Assignment.objects.get(person=agent, page=page).withdrawn_at is not None


def test_rules_leave_manual_assignments_alone(
    org: Org, agent: User, lead: User, qa_manager: User
) -> None:
    page = module_page()
    assign_training(page=page, people=[agent], actor=lead)
    rule = save_rule(name="Sales only", page=page, team=org.other_team, actor=qa_manager)
    assert Assignment.objects.open().get(person=agent, page=page).source == "manual"
    assert not Assignment.objects.filter(rule=rule, person=agent).exists()


# --- Reminders and recertification -----------------------------------------------------------


def test_reminders_go_once_before_the_due_date_and_once_when_overdue(
    agent: User, lead: User, django_capture_on_commit_callbacks: Any
) -> None:
    soon = module_page(title="Soon")
    late = module_page(title="Late")
    assign_training(page=soon, people=[agent], due_at=TODAY + dt.timedelta(days=2), actor=lead)
    assign_training(page=late, people=[agent], due_at=TODAY, actor=lead)
    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders(today=TODAY + dt.timedelta(days=1))
    assert (first.due_soon, first.overdue) == (1, 1)
    assert send_reminders(today=TODAY + dt.timedelta(days=1)) == type(first)(0, 0)
    kinds = list(
        Notification.objects.filter(recipient=agent).values_list("kind", "title").order_by("kind")
    )
    assert ("training.due_soon", f"Due {TODAY + dt.timedelta(days=2):%-d %b}: Soon") in kinds
    assert ("training.overdue", "Overdue: Late") in kinds
    assert sum("Overdue: Late" in m.subject for m in mail.outbox) == 1


def test_recertification_reassigns_a_path_before_its_certificate_expires_once(
    agent: User,
) -> None:
    module = module_page(body=[true_false("t")])
    path = path_page(items=[(module, [], True)], validity_months=12)
    cert = issue_certificate(
        person=agent, path=path, issued_at=timezone.now() - dt.timedelta(days=350)
    )
    assert recertify_expiring() == 1
    assert recertify_expiring() == 0
    again = Assignment.objects.get(person=agent, page=path)
    assert again.source == AssignmentSource.RECERTIFICATION
    assert again.due_at == timezone.localdate(cert.expires_at)
    # Redoing the path renews the certificate.
    attempt = start_attempt(person=agent, page=module)
    answer_question(attempt=attempt, key="t", raw="true")
    submit_module_attempt(attempt=attempt)
    again.refresh_from_db()
    assert again.completed_at is not None
    assert Certificate.objects.filter(person=agent, path=path).count() == 2


def test_certificate_codes_are_long_unique_and_expiry_follows_validity(agent: User) -> None:
    path = path_page(items=[(module_page(), [], True)], validity_months=6)
    one = issue_certificate(person=agent, path=path)
    two = issue_certificate(person=agent, path=path)
    assert len(one.code) >= 12 and one.code != two.code
    assert one.expires_at is not None
    assert 180 <= (one.expires_at - one.issued_at).days <= 184
    assert one.state() == "valid"


def test_revoking_needs_a_reason_and_happens_once(agent: User, admin: User) -> None:
    path = path_page(items=[(module_page(), [], True)], validity_months=0)
    cert = issue_certificate(person=agent, path=path)
    assert cert.expires_at is None
    with pytest.raises(TrainingError, match="why"):
        revoke_certificate(certificate=cert, reason=" ", actor=admin)
    revoke_certificate(certificate=cert, reason="Issued by mistake", actor=admin)
    cert.refresh_from_db()
    assert cert.state() == "revoked"
    with pytest.raises(TrainingError, match="already"):
        revoke_certificate(certificate=cert, reason="Again", actor=admin)
    assert AuditEvent.objects.filter(action="training.certificate.revoke").count() == 1


def test_completing_a_path_needs_every_required_item_and_respects_prerequisites(
    agent: User, lead: User
) -> None:
    first = module_page(title="First", body=[true_false("t")])
    second = module_page(title="Second", body=[true_false("t")])
    optional = module_page(title="Optional", body=[true_false("t")])
    path = path_page(items=[(first, [], True), (second, [first], True), (optional, [], False)])
    assign_training(page=path, people=[agent], actor=lead)
    for page in (first, second):
        attempt = start_attempt(person=agent, page=page)
        assert Assignment.objects.get(page=path).started_at is not None
        answer_question(attempt=attempt, key="t", raw="true")
        submit_module_attempt(attempt=attempt)
    assert Assignment.objects.get(page=path).completed_at is not None
    assert Certificate.objects.get(person=agent, path=path).path_title == "Onboarding path"


def test_the_nightly_command_reconciles_reminds_and_is_safe_to_rerun(
    org: Org, agent: User, qa_manager: User, lead: User
) -> None:
    from io import StringIO

    from django.core.management import call_command

    page = module_page()
    save_rule(name="Billing", page=page, team=org.team, actor=qa_manager)
    newcomer = UserFactory()
    MembershipFactory(user=newcomer, team=org.team, start=TODAY)  # joined without the services
    late = module_page(title="Late")
    assign_training(page=late, people=[agent], due_at=TODAY, actor=lead)
    Assignment.objects.filter(page=late).update(due_at=TODAY - dt.timedelta(days=1))
    out = StringIO()
    call_command("run_training_nightly", "--now", stdout=out)
    assert "1 assigned" in out.getvalue() and "1 overdue" in out.getvalue()
    assert Assignment.objects.open().filter(person=newcomer, page=page).exists()
    again = StringIO()
    call_command("run_training_nightly", "--now", stdout=again)
    assert "0 assigned, 0 withdrawn, 0 recertifications, 0 due-soon and 0 overdue" in (
        again.getvalue()
    )
