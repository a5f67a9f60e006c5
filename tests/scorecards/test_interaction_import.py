"""The interaction and feedback import service against the database: all or nothing, upserts,
re-imports that change nothing, the team of the day, masking, batches and malformed files."""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import Membership, Team, User
from qa_platform.people.roles import Role
from scorecards.models import CustomerFeedback, Interaction, QualitySettings, Transcript
from scorecards.services import interaction_import as service
from scorecards.services.interaction_import import (
    ImportResult,
    import_feedback,
    import_interactions,
)
from tests.conftest import Org
from tests.people.factories import MembershipFactory, UserFactory, person_with_role
from tests.scorecards.factories import InteractionFactory

HEADER = (
    "source,source_id,channel,agent_email,started_at,duration_seconds,queue,topic,escalated,"
    "transcript"
)
FEEDBACK_HEADER = (
    "source,source_id,interaction_source,interaction_source_id,agent_email,team_external_id,"
    "received_at,csat,nps,ces,ces_version,comment"
)
DAY = (timezone.now() - dt.timedelta(days=3)).replace(microsecond=0)
WHEN = DAY.isoformat()


def csv_file(*lines: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO(("\n".join([header, *lines]) + "\n").encode())


def line(
    source_id: str = "T-1",
    *,
    email: str = "agent@example.test",
    channel: str = "chat",
    when: str = WHEN,
    duration: str = "420",
    queue: str = "Billing",
    topic: str = "Refund",
    escalated: str = "no",
    transcript: str = "",
) -> str:
    cell = '"' + transcript.replace('"', '""') + '"' if transcript else ""
    cells = [source_id, channel, email, when, duration, queue, topic, escalated, cell]
    return ",".join(["helpdesk", *cells])


def run(by: User, *lines: str, header: str = HEADER, **kwargs: Any) -> ImportResult:
    return import_interactions(file=csv_file(*lines, header=header), by=by, **kwargs)


def state() -> list[tuple[Any, ...]]:
    """Everything an import may change, to compare before and after."""
    fields = ("pk", "source", "source_id", "channel", "agent_id", "team_id", "started_at",
              "duration_seconds", "queue", "topic", "escalated", "custom_fields",
              "updated_at")  # fmt: skip
    return [
        *Interaction.objects.order_by("pk").values_list(*fields),
        *Transcript.objects.order_by("pk").values_list("pk", "messages", "masked"),
        *CustomerFeedback.objects.order_by("pk").values_list(
            "pk", "interaction_id", "agent_id", "team_id", "csat", "nps", "ces", "updated_at"
        ),
    ]


def audit_count() -> int:
    return AuditEvent.objects.count()


def errors_of(result: ImportResult) -> list[tuple[int | None, str, str]]:
    return [(e.row, e.column, e.reason) for e in result.errors]


# --- Importing interactions ---------------------------------------------------------------


def test_a_file_creates_interactions_with_the_agents_team_of_the_day(
    qa_manager: User, agent: User, org: Org
) -> None:
    result = run(
        qa_manager,
        line("T-1", transcript="00:00:02 Customer: Hi\n00:00:09 Agent (Ada): Hello"),
        line("T-2", channel="call", duration="12:30", escalated="yes"),
    )
    assert result.ok, errors_of(result)
    assert result.counts.as_dict() == {"created": 2, "updated": 0, "unchanged": 0}
    assert result.rows == 2
    first = Interaction.objects.get(source="helpdesk", source_id="T-1")
    assert (first.agent, first.team, first.channel) == (agent, org.team, "chat")
    assert first.started_at == DAY
    assert (first.duration_seconds, first.queue, first.topic) == (420, "Billing", "Refund")
    assert [m["text"] for m in first.transcript.messages] == ["Hi", "Hello"]
    assert first.transcript.messages[1]["name"] == "Ada"
    second = Interaction.objects.get(source_id="T-2")
    assert (second.duration_seconds, second.escalated, second.channel) == (750, True, "call")
    assert not Transcript.objects.filter(interaction=second).exists()


def test_one_audit_event_per_import_with_the_counts(qa_manager: User, agent: User) -> None:
    before = audit_count()
    run(qa_manager, line("T-1"), line("T-2"), file_name="march.csv")
    assert audit_count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert event.action == "interactions.import"
    assert event.actor == qa_manager
    assert event.after == {
        "created": 2, "updated": 0, "unchanged": 0, "rows": 2, "source": "csv",
        "file": "march.csv", "masked": True,
    }  # fmt: skip


def test_importing_the_same_file_again_changes_nothing(qa_manager: User, agent: User) -> None:
    lines = [
        line("T-1", transcript="00:00:02 Customer: my card is 4111 1111 1111 1111"),
        line("T-2"),
    ]
    run(qa_manager, *lines)
    before = state()
    result = run(qa_manager, *lines)
    assert result.ok
    assert result.counts.as_dict() == {"created": 0, "updated": 0, "unchanged": 2}
    assert state() == before


def test_a_changed_row_is_updated_in_place_and_the_others_stay(
    qa_manager: User, agent: User
) -> None:
    run(qa_manager, line("T-1"), line("T-2"))
    untouched = Interaction.objects.get(source_id="T-2").updated_at
    pk = Interaction.objects.get(source_id="T-1").pk
    result = run(qa_manager, line("T-1", queue="Tech"), line("T-2"))
    assert result.counts.as_dict() == {"created": 0, "updated": 1, "unchanged": 1}
    changed = Interaction.objects.get(source_id="T-1")
    assert (changed.pk, changed.queue) == (pk, "Tech")
    assert Interaction.objects.get(source_id="T-2").updated_at == untouched
    assert Interaction.objects.count() == 2


def test_an_update_keeps_the_creation_time_and_moves_the_update_time(
    qa_manager: User, agent: User
) -> None:
    run(qa_manager, line("T-1"))
    before = Interaction.objects.values("created_at", "updated_at", "recording_file").get()
    run(qa_manager, line("T-1", topic="Invoice"))
    after = Interaction.objects.values("created_at", "updated_at", "recording_file").get()
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]
    assert after["recording_file"] == ""


def test_a_changed_transcript_alone_counts_as_an_update(qa_manager: User, agent: User) -> None:
    run(qa_manager, line("T-1", transcript="00:00:01 Agent: Hi"))
    result = run(qa_manager, line("T-1", transcript="00:00:01 Agent: Hello"))
    assert result.counts.updated == 1
    assert Transcript.objects.get().messages[0]["text"] == "Hello"


def test_without_a_transcript_the_stored_one_and_custom_fields_stay(
    qa_manager: User, agent: User
) -> None:
    header = HEADER + ",custom.Order"
    run(qa_manager, line("T-1", transcript="00:00:01 Agent: Hi") + ",A-77", header=header)
    result = run(qa_manager, line("T-1"))
    assert result.counts.unchanged == 1
    interaction = Interaction.objects.get()
    assert interaction.custom_fields == {"Order": "A-77"}
    assert interaction.transcript.messages[0]["text"] == "Hi"


def test_transcripts_are_masked_by_default(qa_manager: User, agent: User) -> None:
    text = "00:00:01 Customer: card 4111 1111 1111 1111, mail ada@example.com, tel 07700 900123"
    result = run(qa_manager, line("T-1", transcript=text))
    assert result.masked
    transcript = Transcript.objects.get()
    assert transcript.masked
    assert transcript.messages[0]["text"] == "card [card], mail [email], tel [phone]"


def test_the_uploader_can_turn_masking_off_and_the_setting_sets_the_default(
    qa_manager: User, agent: User
) -> None:
    text = "00:00:01 Customer: mail ada@example.com"
    run(qa_manager, line("T-1", transcript=text), mask=False)
    transcript = Transcript.objects.get()
    assert (transcript.masked, transcript.messages[0]["text"]) == (False, "mail ada@example.com")
    settings_ = QualitySettings.load()
    settings_.mask_transcripts_on_import = False
    settings_.save()
    run(qa_manager, line("T-2", transcript=text))
    assert not Transcript.objects.get(interaction__source_id="T-2").masked
    # Masking a stored transcript later is an update.
    result = run(qa_manager, line("T-1", transcript=text), mask=True)
    assert result.counts.updated == 1
    assert Transcript.objects.get(interaction__source_id="T-1").messages[0]["text"] == (
        "mail [email]"
    )


def test_a_json_transcript_is_stored_as_messages(qa_manager: User, agent: User) -> None:
    messages = [
        {"speaker": "customer", "name": "Caller", "offset": 3, "text": "Hello"},
        {"speaker": "agent", "name": "Ada", "offset": 5, "text": "Hi", "internal": True},
    ]
    result = run(qa_manager, line("T-1", transcript=json.dumps(messages)))
    assert result.ok, errors_of(result)
    stored = Transcript.objects.get().messages
    assert [(m["speaker"], m["offset"], m["internal"]) for m in stored] == [
        ("customer", 3, False),
        ("agent", 5, True),
    ]


def test_the_team_is_the_one_the_agent_was_in_on_the_day(qa_manager: User, org: Org) -> None:
    person = UserFactory(email="mover@example.test")
    moved_on = timezone.localdate() - dt.timedelta(days=10)
    MembershipFactory(
        user=person, team=org.team, start=moved_on - dt.timedelta(days=100), end=moved_on
    )
    MembershipFactory(user=person, team=org.other_team, start=moved_on)
    before = (timezone.now() - dt.timedelta(days=20)).isoformat()
    after = (timezone.now() - dt.timedelta(days=2)).isoformat()
    result = run(
        qa_manager,
        line("T-1", email="mover@example.test", when=before),
        line("T-2", email="mover@example.test", when=after),
    )
    assert result.ok, errors_of(result)
    assert Interaction.objects.get(source_id="T-1").team == org.team
    assert Interaction.objects.get(source_id="T-2").team == org.other_team


def test_an_agent_with_no_team_on_the_day_is_a_row_error(qa_manager: User, agent: User) -> None:
    long_ago = timezone.now() - dt.timedelta(days=800)
    result = run(qa_manager, line("T-1"), line("T-2", when=long_ago.isoformat()))
    assert errors_of(result) == [
        (
            3,
            "agent_email",
            f"agent@example.test was in no team on {long_ago:%Y-%m-%d}; add their team "
            "membership for that day first.",
        )
    ]
    assert not Interaction.objects.exists()


def test_an_unknown_agent_email_is_a_row_error_and_nothing_is_saved(
    qa_manager: User, agent: User
) -> None:
    before, events = state(), audit_count()
    result = run(qa_manager, line("T-1"), line("T-2", email="nobody@example.test"), line("T-3"))
    assert not result.ok
    assert errors_of(result) == [
        (
            3,
            "agent_email",
            "Nobody with the email nobody@example.test is in the platform; import or add them "
            "first.",
        )
    ]
    assert state() == before
    assert audit_count() == events


def test_agent_emails_match_whatever_their_case(qa_manager: User, agent: User) -> None:
    result = run(qa_manager, line("T-1", email="AGENT@Example.TEST"))
    assert result.ok
    assert Interaction.objects.get().agent == agent


def test_every_bad_row_is_reported_and_nothing_is_saved(qa_manager: User, agent: User) -> None:
    result = run(
        qa_manager,
        line("T-1"),
        line("T-2", channel="fax"),
        line("T-3", when="yesterday"),
        line("T-4", duration="long"),
        line("T-1"),
        line("T-5", transcript="hello"),
    )
    assert [(row, column) for row, column, _ in errors_of(result)] == [
        (3, "channel"),
        (4, "started_at"),
        (5, "duration_seconds"),
        (6, "source_id"),
        (7, "transcript"),
    ]
    assert result.error_count == 5
    assert not Interaction.objects.exists()


def test_a_qa_manager_cannot_import_for_teams_outside_their_own(
    org: Org, agent: User, other_team_agent: User
) -> None:
    support_qa = person_with_role(Role.QA_MANAGER, org.support, email="supportqa@example.test")
    result = run(support_qa, line("T-1"), line("T-2", email="agent2@example.test"))
    assert errors_of(result) == [
        (
            3,
            "agent_email",
            "The team Renewals is outside the teams you manage as QA manager or administrator.",
        )
    ]
    assert not Interaction.objects.exists()


def test_api_records_import_the_same_way(admin: User, agent: User, org: Org) -> None:
    records = [
        {"source": "helpdesk", "source_id": "T-9", "channel": "email",
         "agent_email": "agent@example.test", "started_at": WHEN, "duration_seconds": 60,
         "escalated": True, "transcript": [{"speaker": "agent", "text": "Hi"}],
         "custom_fields": {"priority": "high"}},
    ]  # fmt: skip
    result = import_interactions(records=records, by=admin, source_label="api")
    assert result.ok, errors_of(result)
    interaction = Interaction.objects.get()
    assert (interaction.channel, interaction.escalated, interaction.team) == (
        "email",
        True,
        org.team,
    )
    assert interaction.custom_fields == {"priority": "high"}
    assert AuditEvent.objects.latest("pk").after["source"] == "api"


def test_checking_only_reports_the_preview_and_saves_nothing(qa_manager: User, agent: User) -> None:
    header = HEADER + ",Wrap code,custom.Order"
    result = run(qa_manager, line("T-1") + ",x,A-1", line("T-2") + ",y,A-2", header=header,
                 check_only=True)  # fmt: skip
    assert result.ok and result.checked_only
    assert [r.source_id for r in result.preview] == ["T-1", "T-2"]
    assert result.columns is not None
    assert result.columns.ignored == ("Wrap code",)
    assert result.columns.custom == ("Order",)
    assert not Interaction.objects.exists()


def test_progress_is_reported_while_checking_and_saving(
    qa_manager: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "BATCH", 4)
    monkeypatch.setattr(service, "PROGRESS_EVERY", 5)
    seen: list[tuple[str, int, int | None]] = []
    result = run(
        qa_manager,
        *[line(f"T-{i}") for i in range(10)],
        progress=lambda phase, done, total: seen.append((phase, done, total)),
    )
    assert result.ok
    assert ("checking", 10, 10) in seen
    assert [s for s in seen if s[0] == "saving"] == [
        ("saving", 4, 10),
        ("saving", 8, 10),
        ("saving", 10, 10),
    ]


def test_rows_are_written_in_batches_and_queries_grow_with_batches_not_rows(
    qa_manager: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "BATCH", 20)

    def queries_for(first: int, rows: int) -> int:
        lines = [line(f"T-{first + i}", transcript="00:00:01 Agent: Hi") for i in range(rows)]
        with CaptureQueriesContext(connection) as captured:
            result = run(qa_manager, *lines)
        assert result.ok
        return len(captured.captured_queries)

    one_batch = queries_for(0, 20)
    three_batches = queries_for(100, 60)
    three_batches_fewer_rows = queries_for(200, 45)
    # Per batch: read the stored rows and transcripts, upsert interactions and transcripts (on
    # PostgreSQL each upsert is a COPY into a temporary table and one INSERT … ON CONFLICT).
    assert three_batches == three_batches_fewer_rows
    assert (three_batches - one_batch) / 2 <= 10
    assert Interaction.objects.count() == 125
    assert Transcript.objects.count() == 125


def test_a_file_of_several_batches_that_fails_late_saves_nothing(
    qa_manager: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "BATCH", 3)
    lines = [line(f"T-{i}") for i in range(10)]
    lines.append(line("T-bad", email="nobody@example.test"))
    result = run(qa_manager, *lines)
    assert result.error_count == 1
    assert not Interaction.objects.exists()


def test_errors_beyond_the_listed_ones_are_counted(
    qa_manager: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_LISTED_ERRORS", 3)
    result = run(qa_manager, *[line(f"T-{i}", channel="fax") for i in range(7)])
    assert (len(result.errors), result.error_count, result.unlisted_errors) == (3, 7, 4)
    assert result.error_dicts()[-1]["reason"].startswith("…and 4 more problems not listed")


def test_a_database_conflict_while_writing_saves_nothing(
    qa_manager: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    def broken(*args: Any, **kwargs: Any) -> None:
        Interaction.objects.create(
            source="x", source_id="y", channel="chat", agent=agent, team=Team.objects.first(),
            started_at=DAY,
        )  # fmt: skip
        raise IntegrityError("boom")

    spec = service._SPECS["interactions"]
    monkeypatch.setitem(service._SPECS, "interactions", dataclasses.replace(spec, write=broken))
    result = run(qa_manager, line("T-1"))
    assert "nothing was saved" in result.errors[0].reason
    assert not Interaction.objects.exists()


# --- Malformed files of every kind: clear errors, nothing saved -------------------------------

GOOD = line("T-1").encode()
MALFORMED: dict[str, bytes] = {
    "latin-1": (HEADER + "\n" + line("T-1", queue="Caf\xe9")).encode("latin-1"),
    "utf-16": codecs.BOM_UTF16_LE + (HEADER + "\n" + line("T-1")).encode("utf-16-le"),
    "xlsx": b"PK\x03\x04" + b"\x00" * 40,
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "empty": b"",
    "header only": HEADER.encode(),
    "no required column": b"source,source_id\nhelpdesk,T-1\n",
    "duplicate column": (HEADER + ",source\n").encode() + GOOD + b",x\n",
    "unknown channel": (HEADER + "\n" + line("T-1", channel="pigeon")).encode(),
    "bad date": (HEADER + "\n" + line("T-1", when="31/02/2026")).encode(),
    "future date": (HEADER + "\n" + line("T-1", when="2999-01-01T00:00:00")).encode(),
    "bad duration": (HEADER + "\n" + line("T-1", duration="-1")).encode(),
    "duplicate id": (HEADER + "\n").encode() + GOOD + b"\n" + GOOD + b"\n",
    "unknown agent": (HEADER + "\n" + line("T-1", email="ghost@example.test")).encode(),
    "bad email": (HEADER + "\n" + line("T-1", email="not-an-email")).encode(),
    "broken json transcript": (HEADER + "\n" + line("T-1", transcript="[{")).encode(),
    "bad transcript lines": (HEADER + "\n" + line("T-1", transcript="no time here")).encode(),
    "too many cells": (HEADER + "\n").encode() + GOOD + b",extra,cells\n",
    "unclosed quote": (HEADER + "\n").encode() + GOOD + b'\nhelpdesk,"T-2,chat\n' * 3,
    "stray quote": (HEADER + "\n").encode() + GOOD[:-5] + b'"never closed\n' * 3,
    "NUL late": (HEADER + "\n").encode() + GOOD + b"\n" + b"\x00" * 5,
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_interaction_files_get_errors_and_save_nothing(
    name: str, qa_manager: User, agent: User
) -> None:
    before, events = state(), audit_count()
    result = import_interactions(file=io.BytesIO(MALFORMED[name]), by=qa_manager)
    assert not result.ok, name
    assert all(e.reason for e in result.errors)
    assert state() == before
    assert audit_count() == events


FEEDBACK_MALFORMED: dict[str, str] = {
    "csat out of range": "survey,F-1,,,agent@example.test,,{when},6,,,,",
    "nps out of range": "survey,F-1,,,agent@example.test,,{when},,11,,,",
    "ces without version": "survey,F-1,,,agent@example.test,,{when},,,5,,",
    "ces out of range": "survey,F-1,,,agent@example.test,,{when},,,6,5pt-effort,",
    "unknown ces version": "survey,F-1,,,agent@example.test,,{when},,,3,3pt,",
    "no answer": "survey,F-1,,,agent@example.test,,{when},,,,,",
    "no agent or interaction": "survey,F-1,,,,,{when},4,,,,",
    "unknown interaction": "survey,F-1,,NOPE,,,{when},4,,,,",
    "unknown team": "survey,F-1,,,agent@example.test,NOTEAM,{when},4,,,,",
    "bad date": "survey,F-1,,,agent@example.test,,03/02/2026,4,,,,",
}


@pytest.mark.parametrize("name", sorted(FEEDBACK_MALFORMED))
def test_malformed_feedback_files_get_errors_and_save_nothing(
    name: str, qa_manager: User, agent: User
) -> None:
    before, events = state(), audit_count()
    data = csv_file(FEEDBACK_MALFORMED[name].format(when=WHEN), header=FEEDBACK_HEADER)
    result = import_feedback(file=data, by=qa_manager)
    assert not result.ok, name
    assert state() == before
    assert audit_count() == events


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_the_import_and_never_save(
    data: bytes, qa_manager: User, agent: User
) -> None:
    before = Interaction.objects.count()
    result = import_interactions(file=io.BytesIO(data), by=qa_manager)
    assert isinstance(result, ImportResult)
    assert Interaction.objects.count() == before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.text(alphabet='abc,;"\n\r01:-T@.é[]{} ', max_size=30), min_size=1, max_size=14
    )
)
def test_random_rows_under_a_good_header_never_crash_the_import(
    cells: list[str], qa_manager: User, agent: User
) -> None:
    data = (HEADER + "\n" + ",".join(cells)).encode()
    result = import_interactions(file=io.BytesIO(data), by=qa_manager, check_only=True)
    assert isinstance(result, ImportResult)
    assert not Interaction.objects.exists()


# --- Customer feedback --------------------------------------------------------------------


def feedback(by: User, *lines: str, **kwargs: Any) -> ImportResult:
    return import_feedback(file=csv_file(*lines, header=FEEDBACK_HEADER), by=by, **kwargs)


def test_feedback_attaches_to_its_interaction_and_takes_its_agent_and_team(
    qa_manager: User, agent: User, org: Org
) -> None:
    interaction = InteractionFactory(source="helpdesk", source_id="T-1", agent=agent, team=org.team)
    result = feedback(
        qa_manager,
        f"helpdesk,F-1,,T-1,,,{WHEN},5,10,7,7pt-agree,Lovely",
        f"survey,F-2,helpdesk,T-1,,,{WHEN},2,,,,",
    )
    assert result.ok, errors_of(result)
    assert result.counts.created == 2
    first = CustomerFeedback.objects.get(source_id="F-1")
    assert (first.interaction, first.agent, first.team) == (interaction, agent, org.team)
    assert (first.csat, first.nps, first.ces, first.ces_version) == (5, 10, 7, "7pt-agree")
    assert first.comment == "Lovely"
    assert CustomerFeedback.objects.get(source_id="F-2").interaction == interaction
    assert AuditEvent.objects.latest("pk").action == "feedback.import"


def test_feedback_with_only_an_agent_takes_their_team_of_the_day(
    qa_manager: User, agent: User, org: Org
) -> None:
    result = feedback(qa_manager, f"survey,F-1,,,agent@example.test,,{WHEN},3,,2,5pt-effort,")
    assert result.ok, errors_of(result)
    row = CustomerFeedback.objects.get()
    assert (row.interaction, row.agent, row.team) == (None, agent, org.team)
    assert (row.ces, row.ces_version) == (2, "5pt-effort")


def test_feedback_may_name_its_team_by_code(qa_manager: User, agent: User, org: Org) -> None:
    Team.objects.filter(pk=org.sibling_team.pk).update(external_id="TECH")
    result = feedback(qa_manager, f"survey,F-1,,,agent@example.test,TECH,{WHEN},4,,,,")
    assert result.ok, errors_of(result)
    assert CustomerFeedback.objects.get().team == org.sibling_team


def test_reimporting_feedback_changes_nothing_and_a_change_updates(
    qa_manager: User, agent: User
) -> None:
    lines = [f"survey,F-{i},,,agent@example.test,,{WHEN},4,9,,," for i in range(3)]
    feedback(qa_manager, *lines)
    before = state()
    result = feedback(qa_manager, *lines)
    assert result.counts.as_dict() == {"created": 0, "updated": 0, "unchanged": 3}
    assert state() == before
    lines[1] = lines[1].replace(",4,9,", ",1,9,")
    result = feedback(qa_manager, *lines)
    assert result.counts.as_dict() == {"created": 0, "updated": 1, "unchanged": 2}
    assert CustomerFeedback.objects.get(source_id="F-1").csat == 1


def test_feedback_for_an_unknown_interaction_is_a_row_error(qa_manager: User, agent: User) -> None:
    result = feedback(qa_manager, f"helpdesk,F-1,,T-404,,,{WHEN},4,,,,")
    assert errors_of(result) == [
        (
            2,
            "interaction_source_id",
            "No interaction T-404 from helpdesk is in the platform; import the interactions first.",
        )
    ]


def test_feedback_for_another_team_is_refused_for_a_qa_manager_of_one_department(
    org: Org, other_team_agent: User
) -> None:
    support_qa = person_with_role(Role.QA_MANAGER, org.support, email="supportqa@example.test")
    result = feedback(support_qa, f"survey,F-1,,,agent2@example.test,,{WHEN},4,,,,")
    assert [e[1] for e in errors_of(result)] == ["agent_email"]
    assert not CustomerFeedback.objects.exists()


def test_feedback_api_records_import(admin: User, agent: User) -> None:
    result = import_feedback(
        records=[{"source": "survey", "source_id": "F-1", "agent_email": "agent@example.test",
                  "received_at": WHEN, "csat": 5, "nps": 0}],
        by=admin,
        source_label="api",
    )  # fmt: skip
    assert result.ok, errors_of(result)
    assert (CustomerFeedback.objects.get().csat, CustomerFeedback.objects.get().nps) == (5, 0)


def test_an_agent_in_two_teams_on_the_day_gets_the_latest_membership(
    qa_manager: User, org: Org
) -> None:
    person = UserFactory(email="two@example.test")
    MembershipFactory(
        user=person, team=org.team, start=timezone.localdate() - dt.timedelta(days=50)
    )
    MembershipFactory(
        user=person, team=org.sibling_team, start=timezone.localdate() - dt.timedelta(days=9)
    )
    result = run(qa_manager, line("T-1", email="two@example.test"))
    assert result.ok
    assert Interaction.objects.get().team == org.sibling_team
    assert Membership.objects.filter(user=person).count() == 2
