"""Importing people and teams from an HR export (CSV upload or API batch).

All or nothing: the pure checks in `importing.py` run first, then the checks that need the
database; if anything is wrong, nothing is written and every error comes back with its row, column
and reason. Each import writes one `people.import` (or `teams.import`) summary event with the
counts, and every change writes the same audit event the matching service in `people.services`
writes when the change is made by hand. Re-importing the same file changes nothing and writes only
the summary event.

Speed: existing people, their memberships and grants, and the teams referred to are read in a
handful of queries whatever the number of rows. Teams (few) are written through
`services.create_team`/`update_team`; people changes are collected and written in bulk by
`_Writes`, which mirrors `create_person`, `update_person`, `move_to_team` and `grant_role` (one
service call per change costs 4 to 8 queries: half a minute for a 2,000-person reorganisation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.audit.services import client_ip, record

from . import services
from .access import forget_grants, people_q
from .importing import (
    DEFAULT_TEAM_KIND,
    ImportPlan,
    PersonRow,
    RawRow,
    RowError,
    TeamSpec,
    Validation,
    find_cycles,
    parse_csv,
    sorted_errors,
    validate_people,
    validate_teams,
)
from .models import Membership, RoleGrant, Team, User
from .roles import Role

# SQLite allows 32,766 parameters per query; stay well below for `__in` lists.
CHUNK = 5_000
PREVIEW_LIMIT = 50
BULK_BATCH = 500


class ImportFailed(Exception):
    """Raised by callers that prefer an exception; carries every error."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = tuple(errors)
        super().__init__(f"{len(self.errors)} problem(s) in the import")


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    moved: int = 0
    granted: int = 0
    deactivated: int = 0
    unchanged: int = 0
    teams_created: int = 0
    teams_updated: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def changes(self) -> int:
        return sum(v for k, v in self.as_dict().items() if k != "unchanged")


@dataclass
class ImportResult:
    """What an import did (or, with `dry_run`, would do). Nothing was saved when `errors`."""

    counts: ImportCounts = field(default_factory=ImportCounts)
    errors: tuple[RowError, ...] = ()
    plan: ImportPlan = field(default_factory=ImportPlan)
    dry_run: bool = False
    # Row number -> what happens to that row ("create", "update", "move", "grant", "unchanged").
    actions: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # The first few people a full import deactivates, for the preview.
    deactivated_people: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors)


def _chunks[T](items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- Teams ----------------------------------------------------------------------------------


class _Teams:
    """Resolves the team codes of a plan against the database, checks, then writes."""

    def __init__(
        self,
        plan: ImportPlan,
        *,
        name_column: str,
        parent_column: str,
    ) -> None:
        self.plan = plan
        self.name_column = name_column
        self.parent_column = parent_column
        codes = sorted(set(plan.teams) | set(plan.parent_refs))
        self.existing: dict[str, Team] = {}
        for chunk in _chunks(codes):
            for team in Team.objects.filter(external_id__in=chunk):
                self.existing[team.external_id or ""] = team
        # Ancestors of the teams referred to, for the loop check (paths list them).
        ancestor_ids = {pk for t in self.existing.values() for pk in t.ancestor_ids()}
        ancestor_ids -= {t.pk for t in self.existing.values()}
        self.tree: dict[int, tuple[int | None, str | None]] = {
            t.pk: (t.parent_id, t.external_id) for t in self.existing.values()
        }
        for pk_chunk in _chunks(sorted(ancestor_ids)):
            for pk, parent_id, code in Team.objects.filter(pk__in=pk_chunk).values_list(
                "pk", "parent_id", "external_id"
            ):
                self.tree[pk] = (parent_id, code)
        self.resolved: dict[str, Team] = dict(self.existing)

    def _key(self, pk: int | None) -> str | None:
        if pk is None:
            return None
        _parent, code = self.tree.get(pk, (None, None))
        return f"c:{code}" if code else f"p:{pk}"

    def check(self) -> list[RowError]:
        errors: list[RowError] = []
        for code, rows in self.plan.parent_refs.items():
            if code not in self.existing:
                errors.extend(
                    RowError(
                        row,
                        self.parent_column,
                        f"There is no team with code “{code}”, here or in the platform.",
                    )
                    for row in rows
                )
        for code, spec in self.plan.teams.items():
            if code not in self.existing and not spec.name:
                errors.extend(
                    RowError(
                        row,
                        self.name_column,
                        f"There is no team with code “{code}” yet; give its name to create it.",
                    )
                    for row in spec.rows
                )
        # The tree after the import: file parents override stored ones. A loop is refused.
        parent_of: dict[str, str | None] = {}
        for pk, (parent_id, stored_code) in self.tree.items():
            parent_of[f"c:{stored_code}" if stored_code else f"p:{pk}"] = self._key(parent_id)
        for code, spec in self.plan.teams.items():
            if spec.parent_code:
                parent_of[f"c:{code}"] = f"c:{spec.parent_code}"
            elif code not in self.existing:
                parent_of[f"c:{code}"] = None
        # Loops made by the input alone were reported by the pure checks already.
        looped = find_cycles(parent_of) - {
            f"c:{code}"
            for code in find_cycles({c: t.parent_code for c, t in self.plan.teams.items()})
        }
        for code, spec in self.plan.teams.items():
            if f"c:{code}" in looped and spec.parent_code:
                errors.extend(
                    RowError(
                        row,
                        self.parent_column,
                        f"Placing “{code}” under “{spec.parent_code}” would put it inside itself.",
                    )
                    for row in spec.parent_rows
                )
        return errors

    def _order(self) -> list[TeamSpec]:
        """Specs with every parent defined in the plan before its children."""
        ordered: list[TeamSpec] = []
        seen: set[str] = set()

        def visit(code: str) -> None:
            if code in seen or code not in self.plan.teams:
                return
            seen.add(code)
            spec = self.plan.teams[code]
            if spec.parent_code:
                visit(spec.parent_code)
            ordered.append(spec)

        for code in self.plan.teams:
            visit(code)
        return ordered

    def apply(self, counts: ImportCounts, *, actor: Any, request: HttpRequest | None) -> None:
        for spec in self._order():
            team = self.existing.get(spec.code)
            if team is None:
                parent = self.resolved[spec.parent_code] if spec.parent_code else None
                self.resolved[spec.code] = services.create_team(
                    name=spec.name or spec.code,
                    kind=spec.kind or DEFAULT_TEAM_KIND,
                    parent=parent,
                    external_id=spec.code,
                    actor=actor,
                    request=request,
                )
                counts.teams_created += 1
                continue
            name = spec.name or team.name
            kind = spec.kind or team.kind
            parent_id = self.resolved[spec.parent_code].pk if spec.parent_code else team.parent_id
            if (name, kind, parent_id) == (team.name, team.kind, team.parent_id):
                continue
            # Fresh from the database: an earlier move in this import may have changed its path.
            parent = Team.objects.get(pk=parent_id) if parent_id else None
            self.resolved[spec.code] = services.update_team(
                team=team,
                name=name,
                kind=kind,
                parent=parent,
                external_id=spec.code,
                is_active=team.is_active,
                actor=actor,
                request=request,
            )
            counts.teams_updated += 1


# --- People ---------------------------------------------------------------------------------


def _snapshot(person: User) -> dict[str, Any]:
    """The person fields the services' audit events carry."""
    return {
        "email": person.email,
        "full_name": person.full_name,
        "employee_id": person.employee_id,
        "is_active": person.is_active,
    }


def _event(
    action: str,
    actor: Any,
    obj: User,
    request: HttpRequest | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """An unsaved audit event shaped exactly as `audit.services.record` writes it, for a bulk
    insert (record() writes one row per call)."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        actor=actor if authenticated else None,
        actor_label=(getattr(actor, "email", "") if authenticated else "")[:254],
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before=before,
        after=after,
        ip=client_ip(request),
    )


@dataclass
class _Existing:
    """The stored people a plan refers to, with memberships and active grants, in a few queries."""

    by_email: dict[str, User] = field(default_factory=dict)
    by_employee_id: dict[str, User] = field(default_factory=dict)
    memberships: dict[int, list[Membership]] = field(default_factory=dict)
    grants: set[tuple[int, str, int]] = field(default_factory=set)

    @classmethod
    def load(cls, people: Sequence[PersonRow]) -> _Existing:
        found = cls()
        emails = sorted({p.email for p in people})
        ids = sorted({p.employee_id for p in people if p.employee_id})
        users: dict[int, User] = {}
        # Locked until the import ends (PostgreSQL), so a change made by hand meanwhile waits
        # instead of being overwritten or leaving two open memberships.
        locked = User.objects.select_for_update()
        for chunk in _chunks(emails):
            matched = locked.alias(email_lower=Lower("email")).filter(email_lower__in=chunk)
            users.update((u.pk, u) for u in matched)
        for chunk in _chunks(ids):
            for user in locked.filter(employee_id__in=chunk):
                users.setdefault(user.pk, user)
        for user in users.values():
            found.by_email[user.email.lower()] = user
            if user.employee_id:
                found.by_employee_id[user.employee_id] = user
        for pk_chunk in _chunks(sorted(users)):
            memberships = Membership.objects.select_for_update().filter(user_id__in=pk_chunk)
            for m in memberships.order_by("start"):
                found.memberships.setdefault(m.user_id, []).append(m)
            found.grants.update(
                RoleGrant.objects.active()
                .filter(user_id__in=pk_chunk)
                .values_list("user_id", "role", "team_id")
            )
        return found


def _on(memberships: Iterable[Membership], day: dt.date) -> list[Membership]:
    return [m for m in memberships if m.start <= day and (m.end is None or m.end > day)]


class _Writes:
    """Collects the rows and audit events of an import, then writes them in a few bulk queries.

    Each method mirrors one service in `people.services` (same rows, same audit event).
    """

    def __init__(self, *, actor: Any, request: HttpRequest | None) -> None:
        self.actor = actor
        self.request = request
        self.new_people: list[User] = []
        self.changed_people: list[User] = []
        self.new_admins: set[int] = set()
        self.ended: list[Membership] = []
        self.replaced: list[int] = []
        self.memberships: list[Membership] = []
        self.grants: list[RoleGrant] = []
        # (person, action, before, after): events are built once the new people have ids.
        self.events: list[tuple[User, str, dict[str, Any] | None, dict[str, Any] | None]] = []

    def create(self, p: PersonRow) -> User:
        """As `create_person` without a password: they choose one through "forgot password"."""
        person = User(
            email=p.email,
            full_name=p.full_name or "",
            employee_id=p.employee_id,
            is_active=p.active,
        )
        person.set_unusable_password()
        self.new_people.append(person)
        self.events.append((person, "person.create", None, _snapshot(person)))
        return person

    def update(self, person: User, p: PersonRow) -> bool:
        """As `update_person`: only given values change; an empty cell keeps the stored one."""
        before = _snapshot(person)
        person.email = p.email
        if p.full_name is not None:
            person.full_name = p.full_name
        person.employee_id = p.employee_id or person.employee_id
        person.is_active = p.active
        after = _snapshot(person)
        if after == before:
            return False
        action = "person.update"
        if before["is_active"] != after["is_active"]:
            action = "person.activate" if person.is_active else "person.deactivate"
        self.changed_people.append(person)
        self.events.append((person, action, before, after))
        return True

    def move(self, person: User, team: Team, start: dt.date, *, current: list[Membership]) -> None:
        """As `move_to_team`: memberships open on `start` end that day (a same-day one is
        replaced), and a new one starts."""
        before = [{"team": m.team_id, "start": str(m.start), "end": None} for m in current]
        for m in current:
            if m.start == start:
                self.replaced.append(m.pk)
            else:
                m.end = start
                self.ended.append(m)
        self.memberships.append(Membership(user=person, team=team, start=start))
        after = {"team": team.pk, "team_name": team.name, "start": str(start)}
        self.events.append((person, "membership.move", {"memberships": before}, after))

    def grant(self, person: User, role: str, team: Team) -> None:
        """As `grant_role`; an administrator also gets the Wagtail admin flags."""
        granted_by = self.actor if getattr(self.actor, "is_authenticated", False) else None
        self.grants.append(RoleGrant(user=person, role=role, team=team, granted_by=granted_by))
        if role == Role.ADMIN:
            if person.pk is None:
                person.is_staff = person.is_superuser = True
            else:
                self.new_admins.add(person.pk)
        after = {"role": role, "team": team.pk, "team_name": team.name}
        self.events.append((person, "role.grant", None, after))

    def save(self) -> None:
        User.objects.bulk_create(self.new_people, batch_size=BULK_BATCH)
        # One plain UPDATE a changed person: Django's bulk_update builds CASE expressions that
        # take ~5 s for 2,000 people, against ~0.5 s for this.
        for person in self.changed_people:
            User.objects.filter(pk=person.pk).update(**_snapshot(person))
        for chunk in _chunks(sorted(self.new_admins)):
            User.objects.filter(pk__in=chunk).update(is_staff=True, is_superuser=True)
        for chunk in _chunks(self.replaced):
            Membership.objects.filter(pk__in=chunk).delete()
        ends: dict[dt.date, list[int]] = {}
        for m in self.ended:
            if m.end is not None:
                ends.setdefault(m.end, []).append(m.pk)
        for end, pks in ends.items():
            for chunk in _chunks(pks):
                Membership.objects.filter(pk__in=chunk).update(end=end)
        # New people have their ids now; bulk_create reads them from `user`.
        Membership.objects.bulk_create(self.memberships, batch_size=BULK_BATCH)
        RoleGrant.objects.bulk_create(self.grants, batch_size=BULK_BATCH)
        events = [
            _event(action, self.actor, person, self.request, before=before, after=after)
            for person, action, before, after in self.events
        ]
        AuditEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
        services.memberships_changed(
            [m.user_id for m in self.memberships]
            + [m.user_id for m in self.ended]
            + [g.user_id for g in self.grants]
            + [p.pk for p in self.changed_people]
        )


class _People:
    def __init__(self, plan: ImportPlan, *, actor: Any) -> None:
        self.plan = plan
        self.actor = actor
        self.existing = _Existing.load(plan.people)
        self.matches: dict[int, User | None] = {}

    def check(self, teams: _Teams) -> list[RowError]:
        errors: list[RowError] = []
        matched_rows: dict[int, int] = {}
        for p in self.plan.people:
            by_id = self.existing.by_employee_id.get(p.employee_id) if p.employee_id else None
            by_email = self.existing.by_email.get(p.email)
            person = by_id or by_email
            if by_id and by_email and by_id.pk != by_email.pk:
                errors.append(
                    RowError(
                        p.row,
                        "employee_id",
                        f"Employee id {p.employee_id} belongs to {by_id.email} in the platform, "
                        f"but {p.email} is someone else.",
                    )
                )
                continue
            if (
                by_email
                and not by_id
                and p.employee_id
                and by_email.employee_id
                and by_email.employee_id != p.employee_id
            ):
                errors.append(
                    RowError(
                        p.row,
                        "employee_id",
                        f"{p.email} has employee id {by_email.employee_id} in the platform, not "
                        f"{p.employee_id}. Correct the file, or change it on the person's page.",
                    )
                )
                continue
            if person is not None:
                if person.pk in matched_rows:
                    errors.append(
                        RowError(
                            p.row,
                            "email",
                            f"This row and row {matched_rows[person.pk]} are the same person "
                            f"({person.email}).",
                        )
                    )
                    continue
                matched_rows[person.pk] = p.row
                if person.pk == getattr(self.actor, "pk", None) and not p.active:
                    errors.append(
                        RowError(p.row, "active", "You cannot deactivate yourself by import.")
                    )
                team = teams.existing.get(p.team_code) if p.team_code else None
                if p.team_code and (team is None or self._needs_move(person, team, p.start_date)):
                    later = [
                        m
                        for m in self.existing.memberships.get(person.pk, [])
                        if m.start > p.start_date
                    ]
                    if later:
                        errors.append(
                            RowError(
                                p.row,
                                "start_date",
                                f"{person.email} already has a team from {later[0].start}, "
                                f"after {p.start_date}; use a later start date.",
                            )
                        )
            self.matches[p.row] = person
        return errors

    def _needs_move(self, person: User, team: Team, day: dt.date) -> bool:
        """False when the person is already in `team` alone on `day` (move_to_team's no-op)."""
        current = _on(self.existing.memberships.get(person.pk, []), day)
        return not (len(current) == 1 and current[0].team_id == team.pk)

    def apply(
        self,
        teams: _Teams,
        result: ImportResult,
        *,
        request: HttpRequest | None,
    ) -> list[RowError]:
        """Write the plan in bulk: a few inserts and updates, whatever the number of rows.

        Each change is the one the matching service makes, with the same audit event:
        `create_person`, `update_person`, `move_to_team` and `grant_role` (see `_Writes`). Going
        through them one call at a time takes 4 to 8 queries a change, so a 2,000-person first
        import or reorganisation would take half a minute to a minute; this takes seconds. The
        checks the services make were made before (`check`): emails and employee ids are free,
        and no move starts before a membership the person already has.
        """
        w = _Writes(actor=self.actor, request=request)
        for p in self.plan.people:
            person = self.matches.get(p.row)
            team = teams.resolved[p.team_code] if p.team_code else None
            if person is None:
                person = w.create(p)
                self.matches[p.row] = person
                result.counts.created += 1
                actions = ["create"]
                if team is not None:
                    w.move(person, team, p.start_date, current=[])
            else:
                actions = []
                if w.update(person, p):
                    result.counts.updated += 1
                    actions.append("update")
                memberships = self.existing.memberships.get(person.pk, [])
                if team is not None and self._needs_move(person, team, p.start_date):
                    w.move(person, team, p.start_date, current=_on(memberships, p.start_date))
                    result.counts.moved += 1
                    actions.append("move")
            if team is not None:
                held = self.existing.grants
                missing = [
                    role
                    for role in p.roles
                    if person.pk is None or (person.pk, role, team.pk) not in held
                ]
                for role in missing:
                    w.grant(person, role, team)
                if missing:
                    result.counts.granted += len(missing)
                    actions.append("grant")
            if not actions:
                result.counts.unchanged += 1
                actions.append("unchanged")
            result.actions[p.row] = tuple(actions)
        try:
            with transaction.atomic():
                w.save()
        except IntegrityError:
            return [
                RowError(
                    None,
                    "",
                    "Someone changed people while this import ran; nothing was saved. "
                    "Run the import again.",
                )
            ]
        forget_grants(self.actor)
        return []

    def deactivate_missing(self, result: ImportResult, *, request: HttpRequest | None) -> None:
        """A full export: active people in the actor's scope who are not in it are deactivated.

        The scope is what the actor's administrator grants reach (everyone, for an administrator
        of the whole organisation). Never the importing person themself, and never a deletion.
        """
        keep = {u.pk for u in self.matches.values() if u is not None}
        keep.add(self.actor.pk)
        in_scope = User.objects.filter(people_q(self.actor, (Role.ADMIN,)), is_active=True)
        missing = sorted(set(in_scope.values_list("pk", flat=True)) - keep)
        # One UPDATE and one bulk insert of `person.deactivate` events (the ones update_person
        # writes) per chunk, rather than four queries a person.
        for chunk in _chunks(missing):
            people = list(User.objects.filter(pk__in=chunk).order_by("email"))
            User.objects.filter(pk__in=[p.pk for p in people]).update(is_active=False)
            events = []
            for person in people:
                before = _snapshot(person)
                person.is_active = False
                events.append(
                    _event(
                        "person.deactivate",
                        self.actor,
                        person,
                        request,
                        before=before,
                        after=_snapshot(person),
                    )
                )
                if len(result.deactivated_people) < PREVIEW_LIMIT:
                    result.deactivated_people.append(person.email)
            AuditEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
            result.counts.deactivated += len(people)


# --- Entry points ---------------------------------------------------------------------------


def _records(records: Sequence[Mapping[str, object]]) -> list[RawRow]:
    return [RawRow(row=i, values=dict(r)) for i, r in enumerate(records, start=1)]


@transaction.atomic
def import_people(
    *,
    data: bytes | None = None,
    records: Sequence[Mapping[str, object]] | None = None,
    full: bool = False,
    actor: User,
    request: HttpRequest | None = None,
    dry_run: bool = False,
    source: str = "csv",
) -> ImportResult:
    """Import people (and the teams they name) from CSV bytes or API records, all or nothing.

    Returns the counts, or the errors with nothing saved. `dry_run` runs every step and rolls back,
    which is how the preview knows exactly what a confirmed import will do.
    """
    today = timezone.localdate()
    if data is not None:
        validation = parse_csv(data, today=today)
    else:
        validation = validate_people(_records(records or ()), today=today)
    result = ImportResult(plan=validation.plan, dry_run=dry_run)
    if full and not validation.plan.people and not validation.errors:
        result.errors = (
            RowError(
                None,
                "",
                "A full import with nobody in it would deactivate everyone; "
                "send at least one person.",
            ),
        )
        return result

    teams = _Teams(
        validation.plan,
        name_column="team_name",
        parent_column="parent_team_code",
    )
    people = _People(validation.plan, actor=actor)
    errors = [*validation.errors, *teams.check(), *people.check(teams)]
    if errors:
        result.errors = sorted_errors(errors)
        return result

    teams.apply(result.counts, actor=actor, request=request)
    errors = people.apply(teams, result, request=request)
    if full:
        people.deactivate_missing(result, request=request)
    if errors:
        transaction.set_rollback(True)
        result.errors = sorted_errors(errors)
        result.counts = ImportCounts()
        return result
    record(
        action="people.import",
        actor=actor,
        object_type="people.import",
        object_repr=f"{source} import of {validation.plan.row_count} rows",
        after={
            **result.counts.as_dict(),
            "rows": validation.plan.row_count,
            "full": full,
            "source": source,
        },
        request=request,
    )
    if dry_run:
        transaction.set_rollback(True)
    return result


@transaction.atomic
def import_teams(
    *,
    records: Sequence[Mapping[str, object]],
    actor: User,
    request: HttpRequest | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Upsert teams by code: create missing ones, rename or move changed ones. All or nothing."""
    validation: Validation = validate_teams(_records(records))
    result = ImportResult(plan=validation.plan, dry_run=dry_run)
    teams = _Teams(validation.plan, name_column="name", parent_column="parent_code")
    errors = [*validation.errors, *teams.check()]
    if errors:
        result.errors = sorted_errors(errors)
        return result
    teams.apply(result.counts, actor=actor, request=request)
    result.counts.unchanged = (
        len(validation.plan.teams) - result.counts.teams_created - result.counts.teams_updated
    )
    record(
        action="teams.import",
        actor=actor,
        object_type="teams.import",
        object_repr=f"api import of {validation.plan.row_count} teams",
        after={
            "created": result.counts.teams_created,
            "updated": result.counts.teams_updated,
            "unchanged": result.counts.unchanged,
            "rows": validation.plan.row_count,
        },
        request=request,
    )
    if dry_run:
        transaction.set_rollback(True)
    return result
