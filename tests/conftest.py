"""Shared fixtures: an organisation with two departments and four teams, and one person per role.

Org
├── Support (department)      ├── Sales (department)
│   ├── Billing  ← team       │   └── Renewals ← other_team
│   └── Tech     ← sibling_team
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from qa_platform.people.models import Team, TeamKind, User
from qa_platform.people.roles import Role
from tests.people.factories import PASSWORD, TeamFactory, UserFactory, person_with_role

# Hypothesis's timing checks (a 200 ms deadline per example, "too slow" data generation) measure
# the machine, not the property: on a loaded 2-CPU CI box they fail at random. The properties and
# example counts stay as each test sets them; on CI the examples are derandomised so a failure
# reproduces.
hypothesis_settings.register_profile(
    "suite",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)
hypothesis_settings.load_profile("suite")


@dataclass
class Org:
    root: Team
    support: Team
    sales: Team
    team: Team
    sibling_team: Team
    other_team: Team


@pytest.fixture
def org(db: None) -> Org:
    root = TeamFactory(name="Acme", kind=TeamKind.ORGANISATION)
    support = TeamFactory(name="Support", kind=TeamKind.DEPARTMENT, parent=root)
    sales = TeamFactory(name="Sales", kind=TeamKind.DEPARTMENT, parent=root)
    return Org(
        root=root,
        support=support,
        sales=sales,
        team=TeamFactory(name="Billing", parent=support),
        sibling_team=TeamFactory(name="Tech", parent=support),
        other_team=TeamFactory(name="Renewals", parent=sales),
    )


@pytest.fixture
def agent(org: Org) -> User:
    return person_with_role(Role.AGENT, org.team, email="agent@example.test", full_name="Ada Agent")


@pytest.fixture
def other_team_agent(org: Org) -> User:
    return person_with_role(
        Role.AGENT, org.other_team, email="agent2@example.test", full_name="Otto Other"
    )


@pytest.fixture
def reviewer(org: Org) -> User:
    return person_with_role(
        Role.REVIEWER, org.support, member_of=org.team, email="reviewer@example.test"
    )


@pytest.fixture
def lead(org: Org) -> User:
    return person_with_role(Role.LEAD, org.team, email="lead@example.test", full_name="Lee Lead")


@pytest.fixture
def other_team_lead(org: Org) -> User:
    return person_with_role(Role.LEAD, org.other_team, email="lead2@example.test")


@pytest.fixture
def qa_manager(org: Org) -> User:
    return person_with_role(
        Role.QA_MANAGER, org.root, member_of=org.support, email="qa@example.test"
    )


@pytest.fixture
def trainer(org: Org) -> User:
    """A trainer of the Support department (which holds the agent's team)."""
    return person_with_role(
        Role.TRAINER, org.support, member_of=org.support, email="trainer@example.test"
    )


@pytest.fixture
def training_lead(org: Org) -> User:
    """A training lead of the whole organisation."""
    return person_with_role(
        Role.TRAINING_LEAD, org.root, member_of=org.support, email="traininglead@example.test"
    )


@pytest.fixture
def hr(org: Org) -> User:
    return person_with_role(Role.HR, org.root, member_of=org.support, email="hr@example.test")


@pytest.fixture
def admin(org: Org) -> User:
    from qa_platform.people.services import grant_role

    user = UserFactory(email="admin@example.test", full_name="Ann Admin")
    grant_role(person=user, role=Role.ADMIN, team=org.root)
    user.refresh_from_db()
    return user


@pytest.fixture
def no_role_user(db: None) -> User:
    return UserFactory(email="norole@example.test")


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def password() -> str:
    return PASSWORD
