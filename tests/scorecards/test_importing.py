"""Parsing interaction and customer-feedback files (pure rules: no database)."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import tracemalloc
from typing import Any

import pytest

from scorecards import importing as imp
from scorecards.importing import FEEDBACK, INTERACTIONS, Checked, CsvRows, check_all
from scorecards.models import CesVersion, Channel, Speaker

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
HEADER = "source,source_id,channel,agent_email,started_at"


def parse(text: str | bytes, kind: imp.Kind = INTERACTIONS, **kwargs: Any) -> Checked:
    data = text.encode() if isinstance(text, str) else text
    return check_all(CsvRows(io.BytesIO(data), kind, **kwargs), kind, now=NOW)


def csv_of(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def reasons(checked: Checked) -> list[tuple[int | None, str, str]]:
    return [(e.row, e.column, e.reason) for e in checked.errors]


def only_error(checked: Checked) -> imp.RowError:
    assert len(checked.errors) == 1, reasons(checked)
    return checked.errors[0]


def test_the_choices_mirror_the_models() -> None:
    assert tuple(Channel.values) == imp.CHANNELS
    assert tuple(Speaker.values) == imp.SPEAKERS
    assert set(imp.CES_VERSIONS) == set(CesVersion.values)


# --- Reading the file -----------------------------------------------------------------------


def test_a_plain_comma_file_gives_typed_rows() -> None:
    checked = parse(csv_of("helpdesk,T-1,chat,Ada@Example.com,2026-03-02T09:15:00+01:00"))
    assert checked.errors == []
    (row,) = checked.rows
    assert row.row == 2
    assert (row.source, row.source_id, row.channel) == ("helpdesk", "T-1", "chat")
    assert row.agent_email == "ada@example.com"
    assert row.started_at == dt.datetime(2026, 3, 2, 8, 15, tzinfo=dt.UTC)
    assert row.duration_seconds is None
    assert (row.escalated, row.repeat_contact) == (False, False)
    assert row.transcript is None
    assert row.custom_fields is None


def test_a_byte_order_mark_and_semicolons_are_fine() -> None:
    text = csv_of("helpdesk;T-1;call;a@example.com;2026-03-02", header=HEADER.replace(",", ";"))
    checked = parse(codecs.BOM_UTF8 + text.encode())
    assert checked.errors == []
    assert checked.rows[0].channel == "call"


def test_header_names_ignore_case_and_spaces_and_unknown_columns_are_reported() -> None:
    header = " Source ,SOURCE_ID,Channel,Agent Email,started-at,Wrap code,custom.Order Type"
    checked = parse(csv_of("hd,T-1,chat,a@example.com,2026-03-02,x,Refund", header=header))
    assert checked.errors == []
    assert checked.rows[0].custom_fields == {"Order Type": "Refund"}
    columns = checked.columns
    assert columns is not None
    assert columns.found == ("source", "source_id", "channel", "agent_email", "started_at")
    assert columns.ignored == ("Wrap code",)
    assert columns.custom == ("Order Type",)
    assert "transcript" in columns.missing_optional
    assert columns.missing_required == ()


def test_a_missing_required_column_is_one_error_on_the_header_row() -> None:
    checked = parse(csv_of("hd,T-1,chat,2026-03-02", header="source,source_id,channel,started_at"))
    assert reasons(checked) == [(1, "agent_email", "The required column “agent_email” is missing.")]
    assert checked.rows == []


def test_a_column_named_twice_is_refused() -> None:
    checked = parse(csv_of("hd,T-1,chat,a@example.com,2026-03-02,x", header=HEADER + ",Source"))
    assert only_error(checked).reason == "The column “source” appears twice."


def test_custom_columns_are_only_for_interactions() -> None:
    header = "source,source_id,agent_email,received_at,csat,custom.x"
    checked = parse("\n".join([header, "s,F-1,a@example.com,2026-03-02,4,y"]), FEEDBACK)
    assert checked.errors == []
    assert checked.columns is not None
    assert checked.columns.ignored == ("custom.x",)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("source,é\n".encode("latin-1"), "Wrong encoding: the file is not UTF-8 text"),
        (codecs.BOM_UTF16_LE + HEADER.encode("utf-16-le"), "Wrong encoding: the file is UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is a spreadsheet file, not CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "This is a spreadsheet file, not CSV"),
        (b"source,x\x00y\n", "This is not a CSV text file: it contains binary data (line 1)"),
        (b"", "The file is empty"),
        (b"\n\n  \n", "The file is empty"),
        (HEADER.encode() + b"\n", "The file has a header but no rows under it."),
    ],
)
def test_files_that_cannot_be_read_get_one_clear_message(data: bytes, expected: str) -> None:
    error = only_error(parse(data))
    assert error.row is None
    assert error.reason.startswith(expected)


def test_a_bad_byte_deep_in_the_file_is_placed_on_its_line_whatever_the_chunk_size() -> None:
    lines = [f"hd,T-{i},chat,a@example.com,2026-03-02" for i in range(50)]
    lines[30] = "hd,T-café,chat,a@example.com,2026-03-02"
    data = csv_of(*lines).encode("utf-8").replace("é".encode(), "é".encode("latin-1"))
    for chunk_size in (5, 64, 1024 * 1024):
        checked = parse(data, chunk_size=chunk_size)
        assert checked.errors[-1].reason.startswith(
            "Wrong encoding: the file is not UTF-8 text (first bad byte on line 32)"
        )


def test_multibyte_characters_split_between_chunks_are_read_whole() -> None:
    data = csv_of("hd,T-1,chat,a@example.com,2026-03-02", header=HEADER + ",queue")
    data = data.replace("2026-03-02\n", "2026-03-02,Ünïcødé ☃ 日本\n")
    for chunk_size in (1, 2, 3, 7):
        checked = parse(data, chunk_size=chunk_size)
        assert checked.errors == []
        assert checked.rows[0].queue == "Ünïcødé ☃ 日本"


def test_crlf_line_ends_and_blank_lines_count_in_row_numbers() -> None:
    data = "\r\n".join(
        [HEADER, "hd,T-1,chat,a@example.com,2026-03-02", "", "hd,T-2,chat,x,2026-03-02", ""]
    )
    checked = parse(data)
    assert [r.row for r in checked.rows] == [2]
    assert reasons(checked) == [(4, "agent_email", "“x” is not an email address.")]


def test_a_quoted_transcript_over_several_lines_is_one_row() -> None:
    transcript = "00:00:01 Customer: Hi\n00:00:09 Agent: Hello, how can I help?"
    data = csv_of(
        f'hd,T-1,chat,a@example.com,2026-03-02T10:00:00Z,"{transcript}"',
        "hd,T-2,chat,a@example.com,2026-03-02,",
        header=HEADER + ",transcript",
    )
    checked = parse(data)
    assert checked.errors == []
    assert [r.row for r in checked.rows] == [2, 3]
    assert len(checked.rows[0].transcript) == 2
    assert checked.rows[1].transcript is None


def test_a_row_with_more_cells_than_the_header_says_how_to_fix_it() -> None:
    checked = parse(csv_of("hd,T-1,chat,a@example.com,2026-03-02,Billing, EMEA"))
    error = only_error(checked)
    assert error.row == 2
    assert "must be in double quotes" in error.reason


def test_a_row_with_fewer_cells_reads_the_missing_ones_as_empty() -> None:
    checked = parse(csv_of("hd,T-1,chat"))
    assert reasons(checked) == [
        (2, "agent_email", "The agent_email is missing."),
        (2, "started_at", "The started_at date and time is missing."),
    ]


def test_a_broken_csv_quote_stops_with_the_row() -> None:
    big = "x" * (imp.MAX_CELL + 10)
    checked = parse(csv_of(f'hd,T-1,chat,a@example.com,"{big}"'))
    error = checked.errors[-1]
    assert error.row == 2
    assert "larger than 10 MB" in error.reason


def test_an_unclosed_quote_is_named_on_the_row_where_it_opens() -> None:
    checked = parse(csv_of("hd,T-1,chat,a@example.com,2026-03-02", 'hd,"T-2,chat', "hd,T-3"))
    error = checked.errors[-1]
    assert error.row == 3
    assert error.reason.startswith("A value that opens with a double quote on this row is never")


def test_text_after_a_closing_quote_is_refused() -> None:
    checked = parse(csv_of('hd,"T-1"x,chat,a@example.com,2026-03-02'))
    assert checked.errors[-1].row == 2
    assert "followed by more text" in checked.errors[-1].reason


class GeneratedFile(io.RawIOBase):
    """A CSV file of `rows` rows made up while it is read: never in memory as a whole."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.next_row = 0
        self.buffer = (HEADER + ",queue,transcript\n").encode()
        self.reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        parts = [self.buffer]
        length = len(self.buffer)
        while length < max(size, 1) and self.next_row < self.rows:
            i = self.next_row
            line = (
                f"hd,T-{i},chat,agent{i % 50}@example.com,2026-03-02T10:00:00Z,Billing,"
                f'"00:00:01 Customer: Hi\n00:00:05 Agent: Hello {i}"\n'
            ).encode()
            parts.append(line)
            length += len(line)
            self.next_row += 1
        data = b"".join(parts)
        out, self.buffer = data[:size], data[size:]
        return out


def _peak_memory_of_reading(rows: int) -> tuple[int, int, int]:
    """(valid rows, reads, peak bytes allocated) for checking a generated file of `rows` rows."""
    source = GeneratedFile(rows)
    reader = CsvRows(source, INTERACTIONS, chunk_size=16 * 1024)  # type: ignore[arg-type]
    tracemalloc.start()
    valid = 0
    for raw in reader:
        row, errors = INTERACTIONS.validate(raw, NOW)
        valid += row is not None and not errors
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return valid, source.reads, peak


def test_reading_a_large_file_streams_in_chunks_with_flat_memory() -> None:
    """Six times the rows, the same memory: rows are not kept (the file here is ~1.3 MB)."""
    small = _peak_memory_of_reading(1_000)
    large = _peak_memory_of_reading(6_000)
    assert large[0] == 6_000
    assert large[1] > 25  # read a chunk at a time, not all at once
    assert large[2] < small[2] + 256 * 1024, f"{small[2]:,} → {large[2]:,} bytes"


# --- Interaction values ---------------------------------------------------------------------


def one_row(
    kind: imp.Kind = INTERACTIONS, **values: object
) -> tuple[Any, list[tuple[int | None, str, str]]]:
    base: dict[str, object] = (
        {
            "source": "hd",
            "source_id": "T-1",
            "channel": "chat",
            "agent_email": "a@example.com",
            "started_at": "2026-03-02T10:00:00Z",
        }
        if kind is INTERACTIONS
        else {"source": "svy", "source_id": "F-1", "received_at": "2026-03-02", "csat": "4",
              "agent_email": "a@example.com"}
    )  # fmt: skip
    base.update(values)
    row, errors = kind.validate(imp.RawRow(row=2, values=base), NOW)
    return row, [(e.row, e.column, e.reason) for e in errors]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02T10:00:00+01:00", dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)),
        ("2026-03-02T10:00:00-05:30", dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)),
        ("2026-03-02T10:00:00Z", dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)),
        ("2026-03-02 10:00:00", dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)),
        ("2026-03-02T10:00", dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)),
        ("2026-03-02T10:00:00.250", dt.datetime(2026, 3, 2, 10, 0, 0, 250000, tzinfo=dt.UTC)),
        ("2026-03-02", dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),
    ],
)
def test_dates_in_iso_8601_are_read_as_utc(text: str, expected: dt.datetime) -> None:
    row, errors = one_row(started_at=text)
    assert errors == []
    assert row.started_at == expected
    assert row.started_at.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "text", ["02/03/2026", "2 March 2026", "2026-13-01", "2026-02-30T10:00", "yesterday", "1e9"]
)
def test_dates_not_in_iso_8601_are_refused(text: str) -> None:
    _, errors = one_row(started_at=text)
    assert errors == [
        (
            2,
            "started_at",
            f"“{text}” is not a date and time in ISO 8601, e.g. 2026-03-15T10:30:00+01:00 "
            "(without an offset it is taken as UTC).",
        )
    ]


def test_dates_in_the_future_or_long_ago_are_refused() -> None:
    _, errors = one_row(started_at="2026-03-25T10:00:00Z")
    assert errors == [(2, "started_at", "2026-03-25 10:00 UTC is in the future.")]
    _, errors = one_row(started_at="1970-01-01")
    assert errors == [(2, "started_at", "1970-01-01 is before 1990.")]
    _, errors = one_row(started_at="2026-03-21T10:00:00Z")  # within a day: clocks differ
    assert errors == []


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("420", 420), ("0", 0), ("7:00", 420), ("1:02:03", 3723), ("", None), (615, 615)],
)
def test_durations_are_seconds_or_clock_times(text: object, seconds: int | None) -> None:
    row, errors = one_row(duration_seconds=text)
    assert errors == []
    assert row.duration_seconds == seconds


@pytest.mark.parametrize("text", ["-5", "abc", "1.5", "7:75", "7 minutes", True, -3, 2.5])
def test_bad_durations_are_refused(text: object) -> None:
    _, errors = one_row(duration_seconds=text)
    assert [e[1] for e in errors] == ["duration_seconds"]
    assert "is not a duration" in errors[0][2]


def test_a_duration_over_thirty_days_is_refused() -> None:
    _, errors = one_row(duration_seconds=str(31 * 24 * 3600))
    assert errors == [(2, "duration_seconds", "A contact cannot last more than 30 days.")]


def test_unknown_channel_and_bad_flags_and_urls_are_each_reported() -> None:
    _, errors = one_row(
        channel="Fax", escalated="maybe", repeat_contact="yes", recording_url="ftp://x/y",
        ticket_url="not a url",
    )  # fmt: skip
    assert errors == [
        (2, "channel", "Unknown channel “Fax”; use call, chat, email, messaging, social."),
        (2, "recording_url", "“ftp://x/y” is not a web address (http or https)."),
        (2, "ticket_url", "“not a url” is not a web address (http or https)."),
        (2, "escalated", "“maybe” is not one of true/false/yes/no/1/0."),
    ]


def test_channels_ignore_case_and_flags_accept_the_usual_words() -> None:
    row, errors = one_row(channel="EMAIL", escalated="Yes", repeat_contact="1")
    assert errors == []
    assert (row.channel, row.escalated, row.repeat_contact) == ("email", True, True)


def test_required_values_and_lengths_are_checked() -> None:
    _, errors = one_row(source="", source_id=" ", queue="q" * 201, agent_email="")
    assert errors == [
        (2, "source", "The source is missing."),
        (2, "source_id", "The source_id is missing."),
        (2, "agent_email", "The agent_email is missing."),
        (2, "queue", "Too long: 201 characters, at most 200."),
    ]


def test_api_values_of_the_wrong_type_are_refused() -> None:
    _, errors = one_row(source=["hd"], queue={"a": 1}, started_at=12)
    assert (2, "source", "source must be text.") in errors
    assert (2, "queue", "queue must be text.") in errors
    assert [e for e in errors if e[1] == "started_at"]


# --- Transcripts ----------------------------------------------------------------------------

STARTED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_a_text_transcript_gives_messages_with_offsets_and_times() -> None:
    text = (
        "00:00:05 Customer: Hi, I was charged twice.\n"
        "00:00:21 Agent (Ada): Sorry about that,\n"
        "let me check.\n"
        "\n"
        "00:01:02 System: Transfer to billing"
    )
    messages, problems = imp.parse_transcript(text, started_at=STARTED)
    assert problems == []
    assert messages == [
        {"speaker": "customer", "name": "Customer", "at": "2026-03-02T10:00:05+00:00",
         "offset": 5, "text": "Hi, I was charged twice.", "internal": False},
        {"speaker": "agent", "name": "Ada", "at": "2026-03-02T10:00:21+00:00", "offset": 21,
         "text": "Sorry about that,\nlet me check.", "internal": False},
        {"speaker": "system", "name": "System", "at": "2026-03-02T10:01:02+00:00", "offset": 62,
         "text": "Transfer to billing", "internal": False},
    ]  # fmt: skip


def test_a_text_transcript_with_an_unknown_speaker_or_no_time_is_refused() -> None:
    messages, problems = imp.parse_transcript("Hello there\n00:00:03 Anna: hi", started_at=STARTED)
    assert messages is None
    assert problems == [
        "Line 1 does not start with “HH:MM:SS Speaker:”, e.g. “00:00:05 Customer: Hi”.",
        "Line 2: the speaker “Anna” is not Agent, Customer or System (a name may follow in "
        "brackets: “Agent (Anna)”).",
    ]


def test_a_json_transcript_is_checked_message_by_message() -> None:
    items = [
        {"speaker": "Customer", "name": "Caller", "at": "2026-03-02T11:00:00+01:00",
         "offset": 3, "text": "I cannot sign in."},
        {"speaker": "agent", "text": "Let me help.", "offset": 4.5, "internal": True},
    ]  # fmt: skip
    messages, problems = imp.parse_transcript(json.dumps(items), started_at=STARTED)
    assert problems == []
    assert messages == [
        {"speaker": "customer", "name": "Caller", "at": "2026-03-02T10:00:00+00:00",
         "offset": 3, "text": "I cannot sign in.", "internal": False},
        {"speaker": "agent", "name": "", "at": None, "offset": 4.5, "text": "Let me help.",
         "internal": True},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('[{"speaker": "bot"', "The transcript is not valid JSON"),
        ({"speaker": "agent"}, "The transcript must be a JSON array of messages or lines"),
        ('[{"speaker": "robot", "text": "x"}]', "Message 1: the speaker “robot” is not"),
        ('[{"speaker": "agent"}]', "Message 1 has no text."),
        ('["hello"]', "Message 1 is not an object with speaker and text."),
        ('[{"speaker": "agent", "text": "x", "at": "soon"}]', "Message 1: “at” is not"),
        ('[{"speaker": "agent", "text": "x", "offset": -1}]', "Message 1: “offset” must be"),
        ('[{"speaker": "agent", "text": "x", "offset": "5"}]', "Message 1: “offset” must be"),
        ('[{"speaker": "agent", "text": "x", "internal": "no"}]', "Message 1: “internal” must"),
        ('[{"speaker": "agent", "text": "x", "name": 5}]', "Message 1: the name must be text."),
        ('{"speaker": "agent"}', "Line 1 does not start with"),
        ("[" * 100_000, "The transcript is not valid JSON"),
    ],
)
def test_broken_json_transcripts_are_refused_with_the_reason(value: object, problem: str) -> None:
    _, errors = one_row(transcript=value)
    assert errors, value
    assert errors[0][1] == "transcript"
    assert errors[0][2].startswith(problem), errors


def test_one_broken_transcript_reports_at_most_five_problems() -> None:
    value = json.dumps([{"speaker": "robot", "text": "x"}] * 50)
    _, errors = one_row(transcript=value)
    assert len(errors) == imp.MAX_TRANSCRIPT_REASONS


def test_an_empty_transcript_cell_leaves_the_stored_transcript() -> None:
    row, errors = one_row(transcript="  ")
    assert errors == []
    assert row.transcript is None
    row, errors = one_row(transcript="[]")
    assert row.transcript == []


# --- Custom fields --------------------------------------------------------------------------


def test_custom_fields_keep_non_empty_values_and_check_lengths() -> None:
    row, errors = one_row(**{imp.CUSTOM: {"Order type": "Refund", "Empty": " "}})
    assert errors == []
    assert row.custom_fields == {"Order type": "Refund"}
    _, errors = one_row(**{imp.CUSTOM: {"x": "y" * 1001}})
    assert errors == [(2, "custom.x", "Too long: 1,001 characters, at most 1,000.")]


def test_api_custom_fields_are_an_object() -> None:
    (raw,) = imp.records_as_rows(
        [{"source": "hd", "source_id": "T-1", "channel": "chat", "agent_email": "a@example.com",
          "started_at": "2026-03-02", "custom_fields": {"order": 42, "bad": [1]}}]
    )  # fmt: skip
    row, errors = INTERACTIONS.validate(raw, NOW)
    assert [(e.column, e.reason) for e in errors] == [
        ("custom_fields.bad", "A custom field value must be text or a number.")
    ]
    (raw,) = imp.records_as_rows(
        [{"source": "hd", "source_id": "T-1", "channel": "chat", "agent_email": "a@example.com",
          "started_at": "2026-03-02", "custom_fields": {}}]
    )  # fmt: skip
    row, errors = INTERACTIONS.validate(raw, NOW)
    assert row.custom_fields == {}


def test_api_items_that_are_not_objects_are_row_errors() -> None:
    checked = check_all(imp.records_as_rows([1, "x", None]), INTERACTIONS, now=NOW)
    assert reasons(checked) == [(i, "", "Each item must be a JSON object.") for i in (1, 2, 3)]


def test_api_custom_fields_that_are_not_an_object_are_refused() -> None:
    (raw,) = imp.records_as_rows([{"custom_fields": [1, 2]}])
    _, errors = INTERACTIONS.validate(raw, NOW)
    assert ("custom_fields", "custom_fields must be an object.") in [
        (e.column, e.reason) for e in errors
    ]


# --- Duplicates -----------------------------------------------------------------------------


def test_a_source_id_twice_in_the_file_is_refused_with_the_first_row() -> None:
    checked = parse(
        csv_of(
            "hd,T-1,chat,a@example.com,2026-03-02",
            "hd,T-2,chat,a@example.com,2026-03-02",
            "other,T-1,chat,a@example.com,2026-03-02",
            "hd,T-1,call,a@example.com,2026-03-03",
        )
    )
    assert reasons(checked) == [(5, "source_id", "hd T-1 is also on row 2; one row per source id.")]
    assert [r.row for r in checked.rows] == [2, 3, 4]


# --- Customer feedback ----------------------------------------------------------------------


def test_a_feedback_row_is_typed() -> None:
    row, errors = one_row(
        FEEDBACK, csat="5", nps="10", ces="7", ces_version="7PT-AGREE", comment=" Great ",
        interaction_source_id="T-1", team_external_id="BILL",
    )  # fmt: skip
    assert errors == []
    assert (row.csat, row.nps, row.ces, row.ces_version) == (5, 10, 7, "7pt-agree")
    assert row.comment == "Great"
    assert row.interaction_key == "svy\x1fT-1"
    assert row.received_at == dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def test_feedback_can_name_the_interactions_source() -> None:
    row, errors = one_row(FEEDBACK, interaction_source="hd", interaction_source_id="T-1")
    assert errors == []
    assert row.interaction_key == "hd\x1fT-1"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"csat": "0"}, ("csat", "CSAT is a whole number from 1 to 5, not “0”.")),
        ({"csat": "6"}, ("csat", "CSAT is a whole number from 1 to 5, not “6”.")),
        ({"csat": "4.5"}, ("csat", "CSAT is a whole number from 1 to 5, not “4.5”.")),
        ({"nps": "11"}, ("nps", "NPS is a whole number from 0 to 10, not “11”.")),
        ({"nps": "-1"}, ("nps", "NPS is a whole number from 0 to 10, not “-1”.")),
        (
            {"ces": "5"},
            ("ces_version", "CES needs its version: 7pt-agree (1 to 7) or 5pt-effort (1 to 5)."),
        ),
        (
            {"ces": "6", "ces_version": "5pt-effort"},
            ("ces", "CES (5pt-effort) is a whole number from 1 to 5, not “6”."),
        ),
        (
            {"ces": "8", "ces_version": "7pt-agree"},
            ("ces", "CES (7pt-agree) is a whole number from 1 to 7, not “8”."),
        ),
        ({"ces": "0", "ces_version": "7pt-agree"}, ("ces", "CES (7pt-agree) is a whole number")),
        ({"ces": "3", "ces_version": "10pt"}, ("ces_version", "Unknown CES version “10pt”")),
        (
            {"csat": "", "comment": ""},
            ("csat", "No answer in this row: give csat, nps, ces or a comment."),
        ),
        (
            {"agent_email": ""},
            ("agent_email", "Give the agent_email, or an interaction_source_id to attach"),
        ),
        (
            {"interaction_source": "hd"},
            ("interaction_source_id", "interaction_source needs an interaction_source_id."),
        ),
        ({"received_at": ""}, ("received_at", "The received_at date and time is missing.")),
    ],
)
def test_feedback_scores_out_of_range_and_missing_answers_are_refused(
    values: dict[str, str], expected: tuple[str, str]
) -> None:
    row, errors = one_row(FEEDBACK, **values)
    assert row is None
    assert [(c, r[: len(expected[1])]) for _, c, r in errors] == [expected]


def test_feedback_scores_at_the_ends_of_each_scale_are_fine() -> None:
    for values in (
        {"csat": "1", "nps": "0"},
        {"csat": "5", "nps": "10"},
        {"csat": "", "ces": "1", "ces_version": "5pt-effort"},
        {"csat": "", "ces": "5", "ces_version": "5pt-effort"},
        {"csat": "", "ces": "7", "ces_version": "7pt-agree"},
        {"csat": "", "comment": "Only a comment"},
        {"csat": 3, "nps": 7.0},
    ):
        _, errors = one_row(FEEDBACK, **values)
        assert errors == [], values


def test_a_ces_version_without_a_ces_is_not_stored() -> None:
    row, errors = one_row(FEEDBACK, ces_version="7pt-agree")
    assert errors == []
    assert (row.ces, row.ces_version) == (None, "")


# --- Templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [INTERACTIONS, FEEDBACK])
def test_each_template_reads_without_errors(kind: imp.Kind) -> None:
    checked = parse(imp.template_csv(kind), kind)
    assert checked.errors == []
    assert len(checked.rows) == 2
    assert checked.columns is not None
    assert checked.columns.found == kind.columns
