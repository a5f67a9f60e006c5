"""Fixtures for the platform-wide tests (authorisation matrix, garbage input)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from qa_platform.notifications.models import Notification
from qa_platform.people.models import RoleGrant, User
from tests.conftest import Org
from tests.people.factories import ApiTokenFactory


@pytest.fixture
def world(
    org: Org,
    agent: User,
    other_team_agent: User,
    reviewer: User,
    lead: User,
    other_team_lead: User,
    qa_manager: User,
    hr: User,
    admin: User,
    trainer: User,
    training_lead: User,
) -> dict[str, Any]:
    people = {
        "agent": agent,
        "other_team_agent": other_team_agent,
        "reviewer": reviewer,
        "lead": lead,
        "other_team_lead": other_team_lead,
        "qa_manager": qa_manager,
        "hr": hr,
        "admin": admin,
        "trainer": trainer,
        "training_lead": training_lead,
    }
    membership = agent.memberships.get()
    membership.start = dt.date.today() - dt.timedelta(days=400)
    membership.save()
    return {
        **people,
        "org": org,
        "grant": RoleGrant.objects.get(user=agent),
        "membership": membership,
        "token": ApiTokenFactory(user=agent, key="qap_matrix_agent_token"),
        "notification": Notification.objects.create(recipient=agent, kind="test", title="Hi"),
    }
