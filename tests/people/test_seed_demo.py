"""`manage.py seed_demo`: the demo logins, their roles and teams, determinism and re-runs."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO, TextIOBase

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory

from qa_platform.audit.models import AuditEvent
from qa_platform.people import demo
from qa_platform.people.access import grants_of, user_main_role
from qa_platform.people.models import Membership, RoleGrant, Team, User
from qa_platform.people.roles import Role

LOGIN_ROLES = {
    "admin@demo.test": Role.ADMIN,
    "hr@demo.test": Role.HR,
    "qa@demo.test": Role.QA_MANAGER,
    "reviewer@demo.test": Role.REVIEWER,
    "lead@demo.test": Role.LEAD,
    "agent@demo.test": Role.AGENT,
    "agent2@demo.test": Role.AGENT,
    "trainer@demo.test": Role.TRAINER,
    "traininglead@demo.test": Role.TRAINING_LEAD,
}


def seed(scale: str = "small") -> str:
    out = StringIO()
    call_command("seed_demo", scale=scale, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "teams": Team.objects.count(),
        "memberships": Membership.objects.count(),
        "grants": RoleGrant.objects.count(),
        "active_grants": RoleGrant.objects.active().count(),
        "audit_events": AuditEvent.objects.count(),
    }


def team_of_the_day(email: str) -> Team:
    return Membership.objects.current().select_related("team").get(user__email=email).team


def department_of(team: Team) -> int:
    return team.ancestor_ids()[1]


@pytest.mark.django_db
def test_the_small_seed_creates_every_demo_login_with_its_main_role() -> None:
    seed()

    for email, role in LOGIN_ROLES.items():
        person = User.objects.get(email=email)
        assert person.is_active
        assert user_main_role(person) == role, email


@pytest.mark.django_db
def test_the_small_seed_has_one_organisation_two_departments_five_teams_and_forty_people() -> None:
    seed()

    assert Team.objects.filter(kind="organisation").count() == 1
    assert Team.objects.filter(kind="department").count() == 2
    assert Team.objects.filter(kind="team").count() == 5
    assert 35 <= User.objects.count() <= 45
    assert set(RoleGrant.objects.active().values_list("role", flat=True)) == set(Role.values)


@pytest.mark.django_db
def test_the_organisation_wide_logins_hold_their_role_on_the_organisation_root() -> None:
    seed()
    root = Team.objects.get(kind="organisation")

    for email in ("admin@demo.test", "hr@demo.test", "qa@demo.test", "traininglead@demo.test"):
        grant = RoleGrant.objects.active().get(user__email=email)
        assert grant.team == root
    assert User.objects.get(email="admin@demo.test").is_superuser


@pytest.mark.django_db
def test_the_demo_trainers_are_in_their_wagtail_groups() -> None:
    seed()

    trainer = User.objects.get(email="trainer@demo.test")
    assert RoleGrant.objects.active().get(user=trainer).team.name == "Customer Care"
    assert list(trainer.groups.values_list("name", flat=True)) == ["Trainers"]
    training_lead = User.objects.get(email="traininglead@demo.test")
    assert list(training_lead.groups.values_list("name", flat=True)) == ["Training approvers"]


@pytest.mark.django_db
def test_the_demo_lead_leads_the_team_the_demo_agent_belongs_to() -> None:
    seed()
    lead = User.objects.get(email="lead@demo.test")
    agent_team = team_of_the_day("agent@demo.test")

    assert RoleGrant.objects.active().filter(user=lead, role=Role.LEAD, team=agent_team).exists()
    assert User.objects.get(email="agent@demo.test") in User.objects.visible_to(lead)
    assert User.objects.get(email="agent2@demo.test") not in User.objects.visible_to(lead)


@pytest.mark.django_db
def test_the_second_agent_works_in_the_other_department() -> None:
    seed()

    first = team_of_the_day("agent@demo.test")
    second = team_of_the_day("agent2@demo.test")

    assert department_of(first) != department_of(second)
    assert second.kind == "team"


@pytest.mark.django_db
def test_the_demo_reviewer_reviews_a_department_or_the_organisation() -> None:
    seed()

    grant = RoleGrant.objects.active().get(user__email="reviewer@demo.test")

    assert grant.role == Role.REVIEWER
    assert grant.team.kind in ("department", "organisation")


@pytest.mark.django_db
def test_every_active_person_belongs_to_a_team_today_and_agents_hold_the_agent_role_there() -> None:
    seed()

    for person in User.objects.filter(is_active=True):
        team = team_of_the_day(person.email)
        if Role.AGENT in grants_of(person).roles:
            assert (
                RoleGrant.objects.active().filter(user=person, role=Role.AGENT, team=team).exists()
            ), person.email


@pytest.mark.django_db
def test_some_people_moved_teams_months_ago_and_one_person_left() -> None:
    seed()
    today = dt.date.today()

    moved = Membership.objects.filter(end__isnull=False, user__is_active=True)
    assert moved.count() >= 3
    assert all(m.end is not None and (today - m.end).days >= 30 for m in moved)
    assert Membership.objects.filter(user__email="agent@demo.test").count() == 2

    leaver = User.objects.get(is_active=False)
    assert not Membership.objects.current().filter(user=leaver).exists()
    assert not RoleGrant.objects.active().filter(user=leaver).exists()


@pytest.mark.django_db
def test_demo_people_have_employee_ids_and_teams_have_external_ids() -> None:
    seed()

    assert not User.objects.filter(employee_id__isnull=True).exists()
    assert not Team.objects.filter(external_id__isnull=True).exists()
    assert Team.objects.filter(external_id="T-BILL-EMEA").exists()


@pytest.mark.django_db
def test_the_small_seed_writes_its_history_to_the_audit_trail_as_the_system() -> None:
    seed()

    actions = set(AuditEvent.objects.values_list("action", flat=True))

    assert {"team.create", "person.create", "membership.move", "role.grant"} <= actions
    assert "person.deactivate" in actions
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


@pytest.mark.django_db
def test_a_second_run_changes_nothing() -> None:
    seed()
    before = counts()
    names = sorted(User.objects.values_list("email", "full_name", "employee_id", "is_active"))

    seed()

    assert counts() == before
    assert sorted(User.objects.values_list("email", "full_name", "employee_id", "is_active")) == (
        names
    )


@pytest.mark.django_db
def test_the_demo_logins_sign_in_with_the_demo_password(client: Client) -> None:
    seed()

    for email in LOGIN_ROLES:
        # django-axes needs the request that carries the credentials.
        request = RequestFactory().post("/accounts/login/")
        assert client.login(request=request, username=email, password="demo-password"), email
        client.logout()


@pytest.mark.django_db
def test_the_command_prints_the_demo_logins() -> None:
    output = seed()

    assert "demo-password" in output
    for email in LOGIN_ROLES:
        assert email in output


def test_the_plan_is_the_same_for_the_same_seed_and_day() -> None:
    today = dt.date(2026, 11, 23)

    first = demo.plan_small(random.Random(demo.SEED), today)
    second = demo.plan_small(random.Random(demo.SEED), today)

    assert first == second
    assert len({p.email for p in first.people}) == len(first.people)
    assert len({p.employee_id for p in first.people}) == len(first.people)


@pytest.mark.django_db
def test_a_registered_seeder_runs_with_the_scale_and_its_own_random_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, float]] = []

    def seed_extra(scale: str, rng: random.Random, stdout: TextIOBase) -> None:
        assert User.objects.filter(email="agent@demo.test").exists()  # people come first
        calls.append((scale, rng.random()))

    monkeypatch.setattr(demo, "SEEDERS", list(demo.SEEDERS))
    demo.seeder(seed_extra)

    seed()
    seed()

    assert calls[0][0] == "small"
    assert calls[0] == calls[1]


@pytest.mark.django_db
def test_a_tiny_large_seed_gives_every_team_a_lead_and_agents_and_reruns_cleanly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shape = demo.LargeShape(departments=2, teams_per_department=4, agents=40, teams_per_reviewer=2)
    monkeypatch.setattr(demo, "LARGE_SHAPE", shape)

    seed("large")
    before = counts()
    seed("large")

    assert counts() == before
    large_teams = Team.objects.filter(external_id__startswith="T-", kind="team").exclude(
        external_id__in=[t.external_id for t in demo.SMALL_TEAMS]
    )
    assert large_teams.count() == 8
    for team in large_teams:
        assert RoleGrant.objects.active().filter(team=team, role=Role.LEAD).count() == 1
        assert RoleGrant.objects.active().filter(team=team, role=Role.AGENT).count() == 5
        assert RoleGrant.objects.active().filter(team=team, role=Role.REVIEWER).count() == 1
        assert team.path == f"{team.parent.path}{team.pk}/"
        assert team.depth == 2
    assert AuditEvent.objects.filter(action="demo.seed").count() == 1
    assert User.objects.filter(email="lead@demo.test").exists()
    assert Membership.objects.current().count() == User.objects.filter(is_active=True).count()
