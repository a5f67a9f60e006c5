"""Fixtures shared by the training tests."""

from __future__ import annotations

import pytest
from django.test import Client

from qa_platform.people.models import User


@pytest.fixture
def agent_client(agent: User) -> Client:
    """A client signed in as the agent (its own, so a test may sign another in elsewhere)."""
    client = Client()
    client.force_login(agent)
    return client
