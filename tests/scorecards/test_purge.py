"""`manage.py purge_interactions`: the retention period for unreviewed interactions."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import User
from scorecards.models import CustomerFeedback, Interaction, QualitySettings, Transcript
from tests.conftest import Org
from tests.scorecards.factories import (
    CustomerFeedbackFactory,
    InteractionFactory,
    ReviewFactory,
    TranscriptFactory,
)

pytestmark = pytest.mark.django_db


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_interactions", *args, stdout=out)
    return out.getvalue()


def aged(days: int, agent: User, org: Org, **kwargs: object) -> Interaction:
    return InteractionFactory(
        agent=agent, team=org.team, started_at=timezone.now() - dt.timedelta(days=days), **kwargs
    )


@pytest.fixture
def mix(agent: User, org: Org) -> dict[str, Interaction]:
    old = aged(400, agent, org, source_id="OLD")
    TranscriptFactory(interaction=old)
    CustomerFeedbackFactory(interaction=old, agent=agent, team=org.team, source_id="FB-OLD")
    reviewed = aged(400, agent, org, source_id="OLD-REVIEWED")
    ReviewFactory(interaction=reviewed)  # a draft is a review too: kept
    return {
        "old": old,
        "reviewed": reviewed,
        "recent": aged(10, agent, org, source_id="RECENT"),
        "just_inside": aged(364, agent, org, source_id="INSIDE"),
    }


def test_it_deletes_unreviewed_interactions_older_than_the_retention_period(
    mix: dict[str, Interaction],
) -> None:
    output = purge()
    assert "Deleted 1 unreviewed interaction started before" in output
    assert "(older than 365 days)" in output
    assert set(Interaction.objects.values_list("source_id", flat=True)) == {
        "OLD-REVIEWED",
        "RECENT",
        "INSIDE",
    }


def test_transcripts_go_and_feedback_stays_detached(mix: dict[str, Interaction]) -> None:
    purge()
    assert not Transcript.objects.filter(interaction_id=mix["old"].pk).exists()
    feedback = CustomerFeedback.objects.get(source_id="FB-OLD")
    assert feedback.interaction is None
    assert feedback.csat == 4


def test_older_than_overrides_the_setting(mix: dict[str, Interaction]) -> None:
    output = purge("--older-than", "5")
    assert "Deleted 3 unreviewed interactions" in output
    assert set(Interaction.objects.values_list("source_id", flat=True)) == {"OLD-REVIEWED"}


def test_the_default_comes_from_the_quality_settings(mix: dict[str, Interaction]) -> None:
    settings = QualitySettings.load()
    settings.retention_days = 30
    settings.save()
    assert "Deleted 2 unreviewed interactions" in purge()


def test_a_dry_run_counts_and_deletes_nothing(mix: dict[str, Interaction]) -> None:
    before = Interaction.objects.count()
    events = AuditEvent.objects.count()
    output = purge("--dry-run", "--older-than", "5")
    assert output.startswith("Dry run: 3 unreviewed interactions started before")
    assert "Nothing was deleted." in output
    assert Interaction.objects.count() == before
    assert AuditEvent.objects.count() == events


def test_one_audit_event_records_the_purge(mix: dict[str, Interaction]) -> None:
    purge()
    event = AuditEvent.objects.get(action="interactions.purge")
    assert event.after is not None
    assert (event.after["deleted"], event.after["older_than_days"]) == (1, 365)
    assert event.actor is None


def test_running_it_again_deletes_nothing_more(mix: dict[str, Interaction]) -> None:
    purge()
    assert "Deleted 0 unreviewed interactions" in purge()
    assert Interaction.objects.count() == 3


def test_many_interactions_are_deleted_in_chunks(agent: User, org: Org) -> None:
    from scorecards.services.interaction_import import purge_interactions

    for _ in range(25):
        aged(500, agent, org)
    result = purge_interactions(older_than_days=365, chunk=7)
    assert result.interactions == 25
    assert not Interaction.objects.exists()


def test_a_non_positive_age_is_refused(mix: dict[str, Interaction]) -> None:
    with pytest.raises(CommandError, match="at least 1 day"):
        purge("--older-than", "0")
    assert Interaction.objects.count() == 4
