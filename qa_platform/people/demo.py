"""Demo data for `manage.py seed_demo`: deterministic, safe to re-run, at two scales.

Scales
------
``small`` (the default, used by ``make demo``)
    One organisation (Northwind Support), 2 departments, 5 teams and 40 people holding every role,
    written through ``people.services`` so the audit trail reads like real use (actor: system).
    Some people moved teams months ago (membership history) and one person has left (deactivated).
``large`` (for ``bench/``)
    Everything in ``small``, plus 6 departments of 30 teams with 2,000 agents, a lead per team and a
    reviewer per 4 teams, written with ``bulk_create`` and recorded as one summary audit event.
    ``reviewer@demo.test`` also reviews the first large department, so their home has real work.

Demo logins (password ``demo-password``) are listed in ``DEMO_LOGINS``.

Adding demo data for another app
--------------------------------
Each app may add a ``demo.py`` module at its top level (``scorecards/demo.py``,
``training/demo.py``...) with one or more seeders::

    from qa_platform.people.demo import seeder

    @seeder
    def seed_scorecards(scale: str, rng: random.Random, stdout: TextIOBase) -> None:
        ...

``seed_demo`` imports every installed app's ``demo`` module (INSTALLED_APPS order, so people come
first), then calls each function in ``SEEDERS`` in registration order, all inside one transaction.
A seeder receives:

- ``scale``: ``"small"`` or ``"large"`` (``SCALES``);
- ``rng``: a ``random.Random`` seeded from ``SEED`` and the seeder's own dotted name, so a seeder's
  data does not shift when another seeder is added or changes how many numbers it draws;
- ``stdout``: the command's output stream; write whole lines.

Rules every seeder follows: draw all random numbers first (plan), then write (apply), so a re-run
draws the same numbers whatever already exists; match existing rows on natural keys (emails, team
``external_id``, source ids) and create only what is missing, so a second run changes nothing;
at ``small`` go through the app's services so the audit trail is realistic (``actor=None``); at
``large`` use ``bulk_create`` and write one summary event with ``audit.services.record``.
Find demo people with ``demo_people()`` and teams with ``Team.objects.filter(external_id=...)``.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from io import TextIOBase
from itertools import product

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from qa_platform.audit.services import record

from .models import Membership, RoleGrant, Team, TeamKind, User, UserQuerySet
from .roles import Role
from .services import (
    create_person,
    create_team,
    end_membership,
    grant_role,
    move_to_team,
    revoke_role,
    update_person,
)

SEED = 20261123
SCALES = ("small", "large")
DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo credential, never used in production
DEMO_DOMAIN = "demo.test"

Seeder = Callable[[str, random.Random, TextIOBase], None]
SEEDERS: list[Seeder] = []


def seeder(fn: Seeder) -> Seeder:
    """Register `fn` as a demo data step (see the module docstring)."""
    if fn not in SEEDERS:
        SEEDERS.append(fn)
    return fn


def seeder_rng(fn: Seeder) -> random.Random:
    return random.Random(f"{SEED}:{fn.__module__}.{fn.__qualname__}")


def run_seeders(scale: str, stdout: TextIOBase) -> None:
    """Import every app's `demo` module, then run each registered seeder once."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}.")
    autodiscover_modules("demo")
    for fn in list(SEEDERS):
        fn(scale, seeder_rng(fn), stdout)


def demo_people() -> UserQuerySet:
    """Everyone the demo created (and only them): their emails end in @demo.test."""
    return User.objects.get_queryset().filter(email__endswith=f"@{DEMO_DOMAIN}")


# --- The organisation --------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSpec:
    external_id: str
    name: str
    kind: str
    parent: str | None  # external_id of the parent team


ORGANISATION = TeamSpec("NW", "Northwind Support", TeamKind.ORGANISATION, None)
SMALL_TEAMS: tuple[TeamSpec, ...] = (
    ORGANISATION,
    TeamSpec("D-CARE", "Customer Care", TeamKind.DEPARTMENT, "NW"),
    TeamSpec("D-TECH", "Technical Support", TeamKind.DEPARTMENT, "NW"),
    TeamSpec("T-BILL-EMEA", "Billing EMEA", TeamKind.TEAM, "D-CARE"),
    TeamSpec("T-BILL-AMER", "Billing Americas", TeamKind.TEAM, "D-CARE"),
    TeamSpec("T-ONBOARD", "Onboarding & Accounts", TeamKind.TEAM, "D-CARE"),
    TeamSpec("T-TECH-CHAT", "Tier 1 Chat", TeamKind.TEAM, "D-TECH"),
    TeamSpec("T-TECH-ESC", "Tier 2 Escalations", TeamKind.TEAM, "D-TECH"),
)
AGENTS_PER_SMALL_TEAM = 6


@dataclass(frozen=True)
class DemoLogin:
    email: str
    full_name: str
    role: Role
    on: str  # external_id of the team the role is granted on
    team: str  # team of the day
    note: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin@demo.test", "Priya Raman", Role.ADMIN, "NW", "NW", "whole organisation"),
    DemoLogin("hr@demo.test", "Jonas Becker", Role.HR, "NW", "NW", "whole organisation"),
    DemoLogin("qa@demo.test", "Mei Lin Tan", Role.QA_MANAGER, "NW", "NW", "whole organisation"),
    DemoLogin(
        "reviewer@demo.test", "Samuel Okafor", Role.REVIEWER, "D-CARE", "D-CARE", "Customer Care"
    ),
    DemoLogin(
        "lead@demo.test", "Laura Fernández", Role.LEAD, "T-BILL-EMEA", "T-BILL-EMEA", "Billing EMEA"
    ),
    DemoLogin(
        "agent@demo.test", "Tom Walsh", Role.AGENT, "T-BILL-EMEA", "T-BILL-EMEA", "Billing EMEA"
    ),
    DemoLogin(
        "agent2@demo.test", "Aisha Khan", Role.AGENT, "T-TECH-CHAT", "T-TECH-CHAT", "Tier 1 Chat"
    ),
    DemoLogin(
        "trainer@demo.test", "Hannah Moretti", Role.TRAINER, "D-CARE", "D-CARE", "Customer Care"
    ),
    DemoLogin(
        "traininglead@demo.test",
        "Kenji Watanabe",
        Role.TRAINING_LEAD,
        "NW",
        "NW",
        "whole organisation",
    ),
)

FIRST_NAMES = (
    "Olivia", "Liam", "Sofia", "Noah", "Amara", "Mateo", "Chloé", "Lukas", "Hana", "Kwame",
    "Isabel", "Arjun", "Freya", "Diego", "Yuki", "Omar", "Elena", "Tariq", "Maja", "Ravi",
    "Grace", "Felix", "Nadia", "Jakub", "Leila", "Ethan", "Ingrid", "Kofi", "Lucía", "Anders",
    "Zara", "Marco", "Aoife", "Hamza", "Emma", "Chen", "Fatima", "Oscar", "Siobhan", "Tomás",
    "Ana", "Daniel", "Nkechi", "Pieter", "Sara", "Mohammed", "Julia", "Rohan", "Camille", "Ben",
    "Ewa", "Hugo", "Keisha", "Lars", "Mariam", "Niamh", "Pablo", "Rania", "Stefan", "Thandiwe",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "García", "Müller", "Nguyen", "Okonkwo", "Rossi", "Kowalski", "Johansson", "Patel",
    "O'Brien", "Dubois", "Silva", "Kim", "Haddad", "Novak", "Jensen", "Mensah", "Fischer",
    "López", "Chowdhury", "Murphy", "Andersen", "Yilmaz", "Santos", "Schmidt", "Ivanova",
    "Tanaka", "Brown", "Moreau", "Ahmed", "Wilson", "Costa", "Virtanen", "Bakker", "Hughes",
    "Nowak", "Mwangi", "Larsen", "Romero", "Singh", "Walker", "Petrov", "Dias", "Evans",
    "Horvath", "Byrne", "Sato", "Adeyemi", "Keller", "Lindqvist", "Reyes", "Campbell",
)  # fmt: skip


def _ascii(text: str) -> str:
    """'Lucía O'Brien' -> 'luciaobrien': the name as it would appear in an email address."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


class _Names:
    """Draws distinct realistic names and matching emails from `rng`."""

    def __init__(self, rng: random.Random, taken: Iterable[str] = ()) -> None:
        self.rng = rng
        self.used: set[str] = set(taken)

    def draw(self, serial: int | None = None) -> tuple[str, str]:
        while True:
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            name = f"{first} {last}"
            if serial is not None or name not in self.used:
                break
        self.used.add(name)
        local = f"{_ascii(first)}.{_ascii(last)}"
        if serial is not None:
            local = f"{local}.{serial:04d}"
        return name, f"{local}@{DEMO_DOMAIN}"


# --- Small scale: planned from the rng, then applied through the services ----------------------


@dataclass(frozen=True)
class PersonPlan:
    email: str
    full_name: str
    employee_id: str
    team: str  # external_id of the team of the day
    joined: dt.date
    roles: tuple[tuple[str, str], ...] = ()  # (role, external_id of the team it is granted on)
    previous_team: str | None = None  # member of this team from `joined` until `moved_on`
    moved_on: dt.date | None = None
    left_on: dt.date | None = None  # deactivated: membership ended and grants revoked that day


@dataclass(frozen=True)
class SmallPlan:
    teams: tuple[TeamSpec, ...]
    people: tuple[PersonPlan, ...]


def plan_small(rng: random.Random, today: dt.date) -> SmallPlan:
    """The small organisation as plain data; same `rng` state and day, same plan."""
    names = _Names(rng, taken=(login.full_name for login in DEMO_LOGINS))
    serial = iter(range(1, 1000))
    people: list[PersonPlan] = []

    def employee_id() -> str:
        return f"E{next(serial):04d}"

    def joined(low: int = 250, high: int = 1400) -> dt.date:
        return today - dt.timedelta(days=rng.randint(low, high))

    for login in DEMO_LOGINS[:4]:  # admin, HR, QA manager, reviewer
        people.append(
            PersonPlan(
                email=login.email,
                full_name=login.full_name,
                employee_id=employee_id(),
                team=login.team,
                joined=joined(),
                roles=((login.role, login.on),),
            )
        )
    # A second reviewer for the other department, and one who left two months ago.
    name, email = names.draw()
    people.append(
        PersonPlan(email, name, employee_id(), "D-TECH", joined(), ((Role.REVIEWER, "D-TECH"),))
    )

    lead_login, agent_login, agent2_login = DEMO_LOGINS[4:7]
    teams = [spec for spec in SMALL_TEAMS if spec.kind == TeamKind.TEAM]
    leaver_team = "T-BILL-AMER"
    for spec in teams:
        if spec.external_id == lead_login.team:
            lead_name, lead_email = lead_login.full_name, lead_login.email
        else:
            lead_name, lead_email = names.draw()
        roles: tuple[tuple[str, str], ...] = ((Role.LEAD, spec.external_id),)
        if spec.external_id == "T-TECH-ESC":  # a lead who also reviews: one person, two roles
            roles = (*roles, (Role.REVIEWER, "D-TECH"))
        people.append(
            PersonPlan(lead_email, lead_name, employee_id(), spec.external_id, joined(), roles)
        )
        for n in range(AGENTS_PER_SMALL_TEAM):
            named = next(
                (a for a in (agent_login, agent2_login) if a.team == spec.external_id and n == 0),
                None,
            )
            name, email = (named.full_name, named.email) if named else names.draw()
            start = joined()
            previous: str | None = None
            moved: dt.date | None = None
            if named is agent_login:
                previous, moved = "T-ONBOARD", today - dt.timedelta(days=rng.randint(100, 140))
            elif named is agent2_login:
                previous, moved = "T-BILL-AMER", today - dt.timedelta(days=rng.randint(190, 230))
            elif n == 1:  # one mover per team, from another team, some months ago
                previous = rng.choice([t.external_id for t in teams if t != spec])
                moved = today - dt.timedelta(days=rng.randint(45, 180))
            left = (
                today - dt.timedelta(days=rng.randint(50, 70))
                if spec.external_id == leaver_team and n == AGENTS_PER_SMALL_TEAM - 1
                else None
            )
            people.append(
                PersonPlan(
                    email=email,
                    full_name=name,
                    employee_id=employee_id(),
                    team=spec.external_id,
                    joined=start,
                    roles=((Role.AGENT, spec.external_id),),
                    previous_team=previous,
                    moved_on=moved,
                    left_on=left,
                )
            )
    # The trainer and the training lead come last, so adding them left everyone else's plan as it
    # was (employee ids and dates are drawn in order).
    for login in DEMO_LOGINS[7:]:
        people.append(
            PersonPlan(
                email=login.email,
                full_name=login.full_name,
                employee_id=employee_id(),
                team=login.team,
                joined=joined(),
                roles=((login.role, login.on),),
            )
        )
    return SmallPlan(teams=SMALL_TEAMS, people=tuple(people))


def _ensure_teams(specs: Iterable[TeamSpec]) -> dict[str, Team]:
    teams = {
        t.external_id or "": t
        for t in Team.objects.filter(external_id__in=[s.external_id for s in specs])
    }
    for spec in specs:
        if spec.external_id not in teams:
            teams[spec.external_id] = create_team(
                name=spec.name,
                kind=spec.kind,
                parent=teams[spec.parent] if spec.parent else None,
                external_id=spec.external_id,
            )
    return teams


def apply_small(plan: SmallPlan, password_hash: str) -> int:
    """Create what is missing of `plan` through the services. Returns how many people were new."""
    teams = _ensure_teams(plan.teams)
    existing = {u.email: u for u in User.objects.filter(email__in=[p.email for p in plan.people])}
    with_memberships = set(
        Membership.objects.filter(user__in=existing.values()).values_list("user_id", flat=True)
    )
    created = 0
    for p in plan.people:
        person = existing.get(p.email)
        is_new = person is None
        if person is None:
            person = create_person(email=p.email, full_name=p.full_name, employee_id=p.employee_id)
            person.password = password_hash
            person.save(update_fields=["password"])
            created += 1
        elif p.left_on is not None:
            continue  # Left the company: set up once, never revived by a re-run.
        if is_new or person.pk not in with_memberships:
            if p.previous_team and p.moved_on:
                move_to_team(person=person, team=teams[p.previous_team], start=p.joined)
                move_to_team(person=person, team=teams[p.team], start=p.moved_on)
            else:
                move_to_team(person=person, team=teams[p.team], start=p.joined)
        grants = [grant_role(person=person, role=role, team=teams[on]) for role, on in p.roles]
        if is_new and p.left_on is not None:
            current = Membership.objects.filter(user=person).current().first()
            if current is not None:
                end_membership(membership=current, end=p.left_on)
            for grant in grants:
                revoke_role(grant=grant)
            update_person(
                person=person,
                email=person.email,
                full_name=person.full_name,
                employee_id=person.employee_id,
                is_active=False,
            )
    return created


# --- Large scale: bulk writes ------------------------------------------------------------------


@dataclass(frozen=True)
class LargeShape:
    departments: int = 6
    teams_per_department: int = 30
    agents: int = 2000
    teams_per_reviewer: int = 4
    history_share: float = 0.1  # share of agents who moved from another team of their department


LARGE_SHAPE = LargeShape()

LARGE_DEPARTMENTS = (
    ("CONS", "Consumer Billing"),
    ("BIZ", "Business Accounts"),
    ("PAY", "Payments & Fraud"),
    ("RET", "Retention & Loyalty"),
    ("HELP", "Technical Help Desk"),
    ("DIG", "Digital Channels"),
    ("ORD", "Orders & Delivery"),
    ("INS", "Insurance Claims"),
)
REGIONS = (("EMEA", "EMEA"), ("AMER", "Americas"), ("APAC", "APAC"))
CHANNELS = (
    ("VOICE", "Voice"),
    ("CHAT", "Chat"),
    ("MAIL", "Email"),
    ("MSG", "Messaging"),
    ("SOC", "Social"),
)
SHIFTS = (("E", "Early"), ("L", "Late"), ("N", "Night"))


@dataclass(frozen=True)
class LargePerson:
    email: str
    full_name: str
    employee_id: str
    team: str
    joined: dt.date
    role: str
    on: tuple[str, ...]  # external_ids the role is granted on
    previous_team: str | None = None
    moved_on: dt.date | None = None


@dataclass(frozen=True)
class LargePlan:
    departments: tuple[TeamSpec, ...]
    teams: tuple[TeamSpec, ...]
    people: tuple[LargePerson, ...] = field(default=())


def plan_large(rng: random.Random, today: dt.date, shape: LargeShape) -> LargePlan:
    if shape.departments > len(LARGE_DEPARTMENTS):
        raise ValueError(f"At most {len(LARGE_DEPARTMENTS)} large departments are defined.")
    combos = list(product(REGIONS, CHANNELS, SHIFTS))
    if shape.teams_per_department > len(combos):
        raise ValueError(f"At most {len(combos)} teams per large department are defined.")
    departments: list[TeamSpec] = []
    teams_by_dept: dict[str, list[TeamSpec]] = {}
    for code, dept_name in LARGE_DEPARTMENTS[: shape.departments]:
        dept = TeamSpec(f"D-{code}", dept_name, TeamKind.DEPARTMENT, ORGANISATION.external_id)
        departments.append(dept)
        teams_by_dept[dept.external_id] = [
            TeamSpec(
                f"T-{code}-{region}-{channel}-{shift}",
                f"{dept_name.split(' ')[0]} {region_name} {channel_name} ({shift_name})",
                TeamKind.TEAM,
                dept.external_id,
            )
            for (region, region_name), (channel, channel_name), (shift, shift_name) in combos[
                : shape.teams_per_department
            ]
        ]
    teams = [t for dept in departments for t in teams_by_dept[dept.external_id]]
    names = _Names(rng)
    serial = iter(range(1, 1_000_000))
    people: list[LargePerson] = []

    def person(team: str, role: str, on: tuple[str, ...], low: int, high: int) -> LargePerson:
        n = next(serial)
        name, email = names.draw(serial=n)
        joined = today - dt.timedelta(days=rng.randint(low, high))
        return LargePerson(email, name, f"E{10000 + n}", team, joined, role, on)

    for team in teams:
        people.append(person(team.external_id, Role.LEAD, (team.external_id,), 365, 2500))
    for dept in departments:
        dept_teams = teams_by_dept[dept.external_id]
        for i in range(0, len(dept_teams), shape.teams_per_reviewer):
            group = tuple(t.external_id for t in dept_teams[i : i + shape.teams_per_reviewer])
            people.append(person(dept.external_id, Role.REVIEWER, group, 180, 2000))
    sizes = [shape.agents // len(teams)] * len(teams) if teams else []
    for i in rng.sample(range(len(teams)), shape.agents - sum(sizes)) if teams else ():
        sizes[i] += 1
    for team, size in zip(teams, sizes, strict=True):
        siblings = [t.external_id for t in teams_by_dept[team.parent or ""] if t != team]
        for _ in range(size):
            agent = person(team.external_id, Role.AGENT, (team.external_id,), 60, 1800)
            if siblings and rng.random() < shape.history_share:
                moved = today - dt.timedelta(days=rng.randint(20, (today - agent.joined).days - 1))
                agent = replace(agent, previous_team=rng.choice(siblings), moved_on=moved)
            people.append(agent)
    return LargePlan(tuple(departments), tuple(teams), tuple(people))


def _bulk_ensure_teams(
    specs: Iterable[TeamSpec], parents: dict[str, Team]
) -> tuple[dict[str, Team], int]:
    """Create the missing teams of one tree level; paths need pks, so they are set afterwards.

    Returns the level's teams by external_id and how many were new.
    """
    specs = list(specs)
    found = {
        t.external_id or "": t
        for t in Team.objects.filter(external_id__in=[s.external_id for s in specs])
    }
    missing = [s for s in specs if s.external_id not in found]
    new = Team.objects.bulk_create(
        [
            Team(
                name=s.name, kind=s.kind, parent=parents[s.parent or ""], external_id=s.external_id
            )
            for s in missing
        ],
        batch_size=500,
    )
    for spec, team in zip(missing, new, strict=True):
        parent = parents[spec.parent or ""]
        team.path = f"{parent.path}{team.pk}/"
        team.depth = parent.depth + 1
        found[spec.external_id] = team
    Team.objects.bulk_update(new, ["path", "depth"], batch_size=500)
    return found, len(new)


def apply_large(plan: LargePlan, password_hash: str) -> dict[str, int]:
    """Create what is missing of `plan` with bulk writes. Returns counts of new rows."""
    org = Team.objects.get(external_id=ORGANISATION.external_id)
    departments, new_departments = _bulk_ensure_teams(
        plan.departments, {ORGANISATION.external_id: org}
    )
    teams, new_teams = _bulk_ensure_teams(plan.teams, departments)
    every_team = {**departments, **teams}

    emails = [p.email for p in plan.people]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    now = timezone.now()
    new_users = User.objects.bulk_create(
        [
            User(
                email=p.email,
                full_name=p.full_name,
                employee_id=p.employee_id,
                password=password_hash,
                date_joined=now,
            )
            for p in plan.people
            if p.email not in existing
        ],
        batch_size=500,
    )
    ids = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    with_memberships = set(
        Membership.objects.filter(user_id__in=ids.values()).values_list("user_id", flat=True)
    )
    memberships: list[Membership] = []
    for p in plan.people:
        user_id = ids[p.email]
        if user_id in with_memberships:
            continue
        team_id = every_team[p.team].pk
        if p.previous_team and p.moved_on:
            prev_id = every_team[p.previous_team].pk
            memberships.append(
                Membership(user_id=user_id, team_id=prev_id, start=p.joined, end=p.moved_on)
            )
            memberships.append(Membership(user_id=user_id, team_id=team_id, start=p.moved_on))
        else:
            memberships.append(Membership(user_id=user_id, team_id=team_id, start=p.joined))
    Membership.objects.bulk_create(memberships, batch_size=1000)

    held = set(
        RoleGrant.objects.active()
        .filter(user_id__in=ids.values())
        .values_list("user_id", "role", "team_id")
    )
    grants = [
        RoleGrant(user_id=ids[p.email], role=p.role, team_id=every_team[on].pk, granted_at=now)
        for p in plan.people
        for on in p.on
        if (ids[p.email], p.role, every_team[on].pk) not in held
    ]
    RoleGrant.objects.bulk_create(grants, batch_size=1000)
    return {
        "teams": new_departments + new_teams,
        "people": len(new_users),
        "memberships": len(memberships),
        "grants": len(grants),
    }


# --- The people seeder --------------------------------------------------------------------------


@seeder
def seed_people(scale: str, rng: random.Random, stdout: TextIOBase) -> None:
    """Teams, people, memberships and role grants; every other seeder builds on these."""
    today = timezone.localdate()
    small = plan_small(rng, today)
    large = plan_large(rng, today, LARGE_SHAPE) if scale == "large" else None
    password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo person

    created = apply_small(small, password_hash)
    stdout.write(f"People (small): {created} new of {len(small.people)}.\n")
    if large is None:
        return
    counts = apply_large(large, password_hash)
    # The demo reviewer also covers the first large department, so their pages carry real load.
    reviewer = User.objects.get(email=DEMO_LOGINS[3].email)
    grant_role(
        person=reviewer,
        role=Role.REVIEWER,
        team=Team.objects.get(external_id=large.departments[0].external_id),
    )
    if any(counts.values()):
        record(
            action="demo.seed",
            object_type="demo",
            object_repr="Large demo organisation",
            after={"scale": scale, **counts},
        )
    stdout.write(
        "People (large): {people} new people, {teams} new teams, {memberships} new memberships, "
        "{grants} new role grants.\n".format(**counts)
    )
