"""Every write to people, teams, memberships and role grants. Each one writes an audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from qa_platform.audit.services import record

from .access import forget_grants
from .models import Membership, RoleGrant, Team, TeamKind, User
from .roles import Role


class PeopleError(ValueError):
    """A request that breaks a people rule; the message is shown to the user as is."""


def _team_snapshot(team: Team) -> dict[str, Any]:
    return {
        "name": team.name,
        "kind": team.kind,
        "parent": team.parent_id,
        "external_id": team.external_id,
        "is_active": team.is_active,
    }


def _person_snapshot(person: User) -> dict[str, Any]:
    return {
        "email": person.email,
        "full_name": person.full_name,
        "employee_id": person.employee_id,
        "is_active": person.is_active,
    }


def memberships_changed(person_ids: list[int]) -> None:
    """Once the change commits, tell training who joined, moved, left or changed role: its
    assignment rules are reconciled for those people (a background task)."""
    ids = sorted({int(pk) for pk in person_ids if pk is not None})
    if not ids:
        return

    def hand_over() -> None:
        from training.tasks import membership_changed

        membership_changed(ids)

    transaction.on_commit(hand_over)


def _set_path(team: Team) -> None:
    prefix = team.parent.path if team.parent_id and team.parent else "/"
    team.path = f"{prefix}{team.pk}/"
    team.depth = prefix.count("/") - 1


@transaction.atomic
def create_team(
    *,
    name: str,
    kind: str = TeamKind.TEAM,
    parent: Team | None = None,
    external_id: str | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Team:
    team = Team.objects.create(name=name, kind=kind, parent=parent, external_id=external_id or None)
    _set_path(team)
    team.save(update_fields=["path", "depth"])
    record(action="team.create", actor=actor, obj=team, after=_team_snapshot(team), request=request)
    return team


@transaction.atomic
def update_team(
    *,
    team: Team,
    name: str,
    kind: str,
    parent: Team | None,
    external_id: str | None = None,
    is_active: bool = True,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Team:
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = _team_snapshot(team)
    if parent is not None and parent.path.startswith(team.path):
        raise PeopleError(f"“{team.name}” cannot be placed under itself or one of its own teams.")
    old_path = team.path
    team.name, team.kind, team.parent = name, kind, parent
    team.external_id = external_id or None
    team.is_active = is_active
    _set_path(team)
    team.save()
    if team.path != old_path:
        # Re-root the whole subtree in Python: moves are rare and subtrees small.
        for child in Team.objects.filter(path__startswith=old_path).exclude(pk=team.pk):
            child.path = team.path + child.path[len(old_path) :]
            child.depth = child.path.count("/") - 2
            child.save(update_fields=["path", "depth"])
    after = _team_snapshot(team)
    if after != before:
        record(
            action="team.update", actor=actor, obj=team, before=before, after=after, request=request
        )
    return team


@transaction.atomic
def create_person(
    *,
    email: str,
    full_name: str = "",
    employee_id: str | None = None,
    password: str | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise PeopleError(f"Someone with the email {email} already exists.")
    person = User.objects.create_user(
        email, password, full_name=full_name.strip(), employee_id=employee_id or None
    )
    if password is None:
        person.set_unusable_password()
        person.save(update_fields=["password"])
    record(
        action="person.create",
        actor=actor,
        obj=person,
        after=_person_snapshot(person),
        request=request,
    )
    return person


@transaction.atomic
def update_person(
    *,
    person: User,
    email: str,
    full_name: str,
    employee_id: str | None,
    is_active: bool,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> User:
    before = _person_snapshot(person)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exclude(pk=person.pk).exists():
        raise PeopleError(f"Someone else already uses the email {email}.")
    person.email, person.full_name = email, full_name.strip()
    person.employee_id = employee_id or None
    person.is_active = is_active
    person.save()
    after = _person_snapshot(person)
    if after != before:
        action = "person.update"
        if before["is_active"] != after["is_active"]:
            action = "person.activate" if is_active else "person.deactivate"
        record(action=action, actor=actor, obj=person, before=before, after=after, request=request)
        if before["is_active"] != after["is_active"]:
            memberships_changed([person.pk])
    return person


@transaction.atomic
def move_to_team(
    *,
    person: User,
    team: Team,
    start: dt.date | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Make `team` the person's team from `start`: open memberships end that day, history stays."""
    start = start or timezone.localdate()
    current = list(Membership.objects.select_for_update().filter(user=person).on(start))
    if any(m.team_id == team.pk for m in current) and len(current) == 1:
        return current[0]
    if Membership.objects.filter(user=person, start__gt=start).exists():
        raise PeopleError(
            f"{person} already has a membership starting after {start:%d %b %Y}; "
            "end or correct that one first."
        )
    before = [{"team": m.team_id, "start": str(m.start), "end": None} for m in current]
    for m in current:
        if m.start == start:
            # A same-day correction replaces the row instead of leaving a zero-day stint.
            m.delete()
        else:
            m.end = start
            m.save(update_fields=["end"])
    membership = Membership.objects.create(user=person, team=team, start=start)
    record(
        action="membership.move",
        actor=actor,
        obj=person,
        before={"memberships": before},
        after={"team": team.pk, "team_name": team.name, "start": str(start)},
        request=request,
    )
    memberships_changed([person.pk])
    return membership


@transaction.atomic
def end_membership(
    *,
    membership: Membership,
    end: dt.date | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Membership:
    end = end or timezone.localdate()
    if end <= membership.start:
        raise PeopleError("A membership must end after the day it started.")
    before = {"team": membership.team_id, "start": str(membership.start), "end": None}
    membership.end = end
    membership.save(update_fields=["end"])
    record(
        action="membership.end",
        actor=actor,
        obj=membership.user,
        before=before,
        after={**before, "end": str(end)},
        request=request,
    )
    memberships_changed([membership.user_id])
    return membership


# Roles that work in the Wagtail admin without being administrators, and the Wagtail group their
# holders are put in. The app owning the content gives the group its permissions
# (scorecards.services.frameworks.ensure_qa_manager_group for QA managers,
# training.moderation.ensure_training_moderation for trainers and training leads).
ROLE_ADMIN_GROUPS: dict[str, str] = {
    Role.QA_MANAGER: "QA managers",
    Role.TRAINER: "Trainers",
    Role.TRAINING_LEAD: "Training approvers",
}


def _sync_admin_flags(person: User) -> None:
    """Administrators use the Wagtail admin too, which keys on is_staff/is_superuser; roles in
    ROLE_ADMIN_GROUPS get their Wagtail group while they hold the role."""
    held = set(RoleGrant.objects.active().filter(user=person).values_list("role", flat=True))
    is_admin = Role.ADMIN in held
    if person.is_staff != is_admin or person.is_superuser != is_admin:
        person.is_staff = person.is_superuser = is_admin
        person.save(update_fields=["is_staff", "is_superuser"])
    wanted = {name for role, name in ROLE_ADMIN_GROUPS.items() if role in held}
    current = set(
        person.groups.filter(name__in=ROLE_ADMIN_GROUPS.values()).values_list("name", flat=True)
    )
    for name in wanted - current:
        person.groups.add(Group.objects.get_or_create(name=name)[0])
    if current - wanted:
        person.groups.remove(*Group.objects.filter(name__in=current - wanted))


@transaction.atomic
def grant_role(
    *,
    person: User,
    role: str,
    team: Team,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> RoleGrant:
    if role not in Role.values:
        raise PeopleError(f"“{role}” is not a role. Choose one of: {', '.join(Role.values)}.")
    existing = RoleGrant.objects.active().filter(user=person, role=role, team=team).first()
    if existing:
        return existing
    grant = RoleGrant.objects.create(
        user=person,
        role=role,
        team=team,
        granted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _sync_admin_flags(person)
    forget_grants(person)
    record(
        action="role.grant",
        actor=actor,
        obj=person,
        after={"role": role, "team": team.pk, "team_name": team.name},
        request=request,
    )
    memberships_changed([person.pk])
    return grant


@transaction.atomic
def revoke_role(
    *,
    grant: RoleGrant,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> RoleGrant:
    if grant.revoked_at is not None:
        return grant
    if (
        grant.role == Role.ADMIN
        and getattr(actor, "pk", None) == grant.user_id
        and not RoleGrant.objects.active()
        .filter(user_id=grant.user_id, role=Role.ADMIN)
        .exclude(pk=grant.pk)
        .exists()
    ):
        raise PeopleError(
            "You cannot revoke your own last administrator role. "
            "Ask another administrator to do it."
        )
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    _sync_admin_flags(grant.user)
    forget_grants(grant.user)
    record(
        action="role.revoke",
        actor=actor,
        obj=grant.user,
        before={"role": grant.role, "team": grant.team_id, "team_name": grant.team.name},
        request=request,
    )
    memberships_changed([grant.user_id])
    return grant
