"""Writes to people, teams, memberships and role grants: the rules, and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import Membership, RoleGrant, Team, TeamKind, User
from qa_platform.people.roles import Role
from qa_platform.people.services import (
    PeopleError,
    create_person,
    create_team,
    end_membership,
    grant_role,
    move_to_team,
    revoke_role,
    update_person,
    update_team,
)
from tests.conftest import Org
from tests.people.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 3)


def events(action: str, person: User | None = None) -> list[AuditEvent]:
    found = AuditEvent.objects.filter(action=action)
    if person is not None:
        found = found.filter(object_type="people.user", object_id=str(person.pk))
    return list(found)


def test_moving_a_person_keeps_their_history(org: Org, admin: User) -> None:
    person = MembershipFactory(team=org.team, start=dt.date(2025, 1, 1)).user

    move_to_team(person=person, team=org.sibling_team, start=TODAY, actor=admin)

    rows = list(Membership.objects.filter(user=person).order_by("start"))
    assert [(m.team, m.start, m.end) for m in rows] == [
        (org.team, dt.date(2025, 1, 1), TODAY),
        (org.sibling_team, TODAY, None),
    ]
    [event] = events("membership.move", person)
    assert event.actor == admin
    assert event.after["team"] == org.sibling_team.pk


def test_a_same_day_move_replaces_the_membership_instead_of_leaving_a_zero_day_stint(
    org: Org,
) -> None:
    person = MembershipFactory(team=org.team, start=dt.date(2025, 1, 1)).user
    move_to_team(person=person, team=org.sibling_team, start=TODAY)

    move_to_team(person=person, team=org.other_team, start=TODAY)

    rows = list(Membership.objects.filter(user=person).order_by("start"))
    assert [(m.team, m.start, m.end) for m in rows] == [
        (org.team, dt.date(2025, 1, 1), TODAY),
        (org.other_team, TODAY, None),
    ]


def test_moving_to_the_team_a_person_is_already_in_changes_nothing(org: Org) -> None:
    membership = MembershipFactory(team=org.team, start=dt.date(2025, 1, 1))

    again = move_to_team(person=membership.user, team=org.team, start=TODAY)

    assert again == membership
    assert Membership.objects.filter(user=membership.user).count() == 1
    assert events("membership.move") == []


def test_a_move_dated_before_a_later_membership_is_refused(org: Org) -> None:
    person = MembershipFactory(team=org.team, start=TODAY).user

    with pytest.raises(PeopleError, match="membership starting after"):
        move_to_team(person=person, team=org.sibling_team, start=TODAY - dt.timedelta(days=5))

    assert Membership.objects.filter(user=person).count() == 1


def test_moving_a_team_under_one_of_its_own_descendants_is_refused(org: Org) -> None:
    with pytest.raises(PeopleError, match="cannot be placed under itself"):
        update_team(team=org.support, name="Support", kind=TeamKind.DEPARTMENT, parent=org.team)
    with pytest.raises(PeopleError):
        update_team(team=org.support, name="Support", kind=TeamKind.DEPARTMENT, parent=org.support)

    org.support.refresh_from_db()
    assert org.support.parent == org.root


def test_moving_a_team_moves_its_whole_subtree(org: Org) -> None:
    update_team(team=org.support, name="Support", kind=TeamKind.DEPARTMENT, parent=org.sales)

    org.team.refresh_from_db()
    org.support.refresh_from_db()
    assert org.support.path == f"{org.sales.path}{org.support.pk}/"
    assert org.team.path == f"{org.support.path}{org.team.pk}/"
    assert org.team.depth == 3
    assert org.team in Team.objects.subtree_of(org.sales)


def test_creating_a_team_sets_its_path_and_writes_an_audit_event(org: Org, admin: User) -> None:
    team = create_team(name="Nights", parent=org.team, external_id="N1", actor=admin)

    assert team.path == f"{org.team.path}{team.pk}/"
    assert team.depth == 3
    assert AuditEvent.objects.filter(action="team.create", object_id=str(team.pk)).exists()


def test_granting_a_role_writes_an_audit_event(org: Org, admin: User) -> None:
    person = UserFactory()

    grant = grant_role(person=person, role=Role.LEAD, team=org.team, actor=admin)

    assert grant.granted_by == admin
    [event] = events("role.grant", person)
    assert event.after == {"role": "lead", "team": org.team.pk, "team_name": "Billing"}


def test_granting_the_same_role_twice_keeps_one_active_grant(org: Org) -> None:
    person = UserFactory()

    first = grant_role(person=person, role=Role.LEAD, team=org.team)
    second = grant_role(person=person, role=Role.LEAD, team=org.team)

    assert first == second
    assert RoleGrant.objects.active().filter(user=person).count() == 1


def test_granting_an_unknown_role_is_refused(org: Org) -> None:
    with pytest.raises(PeopleError, match="is not a role"):
        grant_role(person=UserFactory(), role="overlord", team=org.team)


def test_revoking_a_role_keeps_the_row_and_writes_an_audit_event(
    org: Org, admin: User, lead: User
) -> None:
    grant = lead.role_grants.get()

    revoke_role(grant=grant, actor=admin)

    grant.refresh_from_db()
    assert grant.revoked_at is not None
    [event] = events("role.revoke", lead)
    assert event.before["role"] == "lead"
    assert event.actor == admin


def test_an_admin_grant_gives_wagtail_access_and_revoking_it_takes_it_away(org: Org) -> None:
    person = UserFactory()

    grant = grant_role(person=person, role=Role.ADMIN, team=org.root)
    person.refresh_from_db()
    assert person.is_staff and person.is_superuser

    revoke_role(grant=grant)
    person.refresh_from_db()
    assert not person.is_staff and not person.is_superuser


def test_an_admin_cannot_revoke_their_own_last_admin_grant(org: Org, admin: User) -> None:
    grant = admin.role_grants.get(role=Role.ADMIN)

    with pytest.raises(PeopleError, match="your own last administrator role"):
        revoke_role(grant=grant, actor=admin)

    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_an_admin_may_revoke_one_of_their_own_admin_grants_while_another_remains(
    org: Org, admin: User
) -> None:
    spare = grant_role(person=admin, role=Role.ADMIN, team=org.support)

    revoke_role(grant=spare, actor=admin)

    spare.refresh_from_db()
    assert spare.revoked_at is not None
    admin.refresh_from_db()
    assert admin.is_superuser


def test_another_admin_may_revoke_an_admins_last_admin_grant(org: Org, admin: User) -> None:
    other = UserFactory()
    grant_role(person=other, role=Role.ADMIN, team=org.root)
    grant = admin.role_grants.get(role=Role.ADMIN)

    revoke_role(grant=grant, actor=other)

    admin.refresh_from_db()
    assert not admin.is_superuser


def test_ending_a_membership_before_it_started_is_refused(org: Org) -> None:
    membership = MembershipFactory(team=org.team, start=TODAY)

    with pytest.raises(PeopleError, match="must end after"):
        end_membership(membership=membership, end=TODAY)

    membership.refresh_from_db()
    assert membership.end is None


def test_ending_a_membership_writes_an_audit_event(org: Org, admin: User) -> None:
    membership = MembershipFactory(team=org.team, start=dt.date(2025, 1, 1))

    end_membership(membership=membership, end=TODAY, actor=admin)

    membership.refresh_from_db()
    assert membership.end == TODAY
    assert events("membership.end", membership.user)[0].after["end"] == "2026-03-03"


def test_creating_a_person_with_an_email_already_in_use_is_refused(agent: User) -> None:
    with pytest.raises(PeopleError, match="already exists"):
        create_person(email="  AGENT@example.test ")


def test_a_created_person_has_no_usable_password_until_they_set_one(org: Org) -> None:
    person = create_person(email="New.Person@Example.test", full_name=" New Person ")

    assert person.email == "new.person@example.test"
    assert person.full_name == "New Person"
    assert not person.has_usable_password()
    assert events("person.create", person)


def test_deactivating_a_person_is_recorded_as_a_deactivation(agent: User, admin: User) -> None:
    update_person(
        person=agent,
        email=agent.email,
        full_name=agent.full_name,
        employee_id=agent.employee_id,
        is_active=False,
        actor=admin,
    )

    agent.refresh_from_db()
    assert not agent.is_active
    assert User.objects.filter(pk=agent.pk).exists()
    assert events("person.deactivate", agent)


def test_membership_dates_are_inclusive_at_the_start_and_exclusive_at_the_end(org: Org) -> None:
    membership = MembershipFactory(team=org.team, start=TODAY, end=TODAY + dt.timedelta(days=2))

    on = Membership.objects.filter(pk=membership.pk).on
    assert not on(TODAY - dt.timedelta(days=1)).exists()
    assert on(TODAY).exists()
    assert on(TODAY + dt.timedelta(days=1)).exists()
    assert not on(TODAY + dt.timedelta(days=2)).exists()
