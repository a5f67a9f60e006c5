"""Pure parsing of interaction and customer-feedback files: bytes or records in, typed rows or
errors out. No ORM here.

The service in `services/interaction_import.py` runs these checks first, adds the ones that need
the database (unknown agent, no team on the day, unknown interaction), and only then writes.
Every bad row is reported as (row number, column, reason).

Files are read as a **stream**: `CsvRows` decodes and splits a binary file object a chunk at a
time and yields one row after the other, so a 1,000,000-row file never sits in memory. The only
thing kept per row is its key for the duplicate check (`Duplicates`).

Row numbers are the ones a person sees in a spreadsheet: the header is row 1, the first data row
is row 2, and blank lines count. For API batches row 1 is the first item of the array.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from qa_platform.people.importing import (
    FALSE_WORDS,
    TRUE_WORDS,
    RawRow,
    RowError,
    is_email,
    normalise_header,
)

__all__ = [
    "CES_VERSIONS",
    "CHANNELS",
    "FEEDBACK",
    "INTERACTIONS",
    "ColumnReport",
    "CsvRows",
    "Duplicates",
    "FeedbackRow",
    "InteractionRow",
    "Kind",
    "RawRow",
    "RowError",
    "parse_datetime",
    "parse_transcript",
    "records_as_rows",
    "template_csv",
]

# Mirrors scorecards.models.Channel / Speaker / CesVersion (a test keeps them in step); kept
# here so this module needs no models.
CHANNELS: tuple[str, ...] = ("call", "chat", "email", "messaging", "social")
SPEAKERS: tuple[str, ...] = ("agent", "customer", "system")
CES_VERSIONS: dict[str, int] = {"7pt-agree": 7, "5pt-effort": 5}

CUSTOM_PREFIX = "custom."
# Keys of RawRow.values that carry custom fields ({name: value}) and say they came from the API.
CUSTOM = "__custom__"
CUSTOM_FROM_API = "__custom_from_api__"
READ_CHUNK = 1024 * 1024
MAX_CELL = 10 * 1024 * 1024
MAX_MESSAGES = 10_000
MAX_MESSAGE_TEXT = 50_000
MAX_CUSTOM_FIELDS = 50
MAX_DURATION = 30 * 24 * 3600
# Times up to a day ahead are accepted (clocks and time zones of exporting systems differ).
FUTURE_SLACK = dt.timedelta(days=1)
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
# At most this many reasons per transcript, so one broken transcript cannot flood the report.
MAX_TRANSCRIPT_REASONS = 5

MAX_LENGTHS: dict[str, int] = {
    "source": 50,
    "source_id": 200,
    "interaction_source": 50,
    "interaction_source_id": 200,
    "agent_email": 254,
    "team_external_id": 64,
    "queue": 200,
    "topic": 200,
    "recording_url": 1000,
    "ticket_url": 1000,
    "comment": 10_000,
}
CUSTOM_NAME_MAX = 100
CUSTOM_VALUE_MAX = 1000

_URL = re.compile(
    r"^https?://(?:[^\s/?#@:]+(?::[^\s/?#@]*)?@)?"  # optional user:password@
    r"(?:[A-Za-z0-9\u00a1-\uffff](?:[A-Za-z0-9\u00a1-\uffff-]{0,62})?"
    r"(?:\.[A-Za-z0-9\u00a1-\uffff](?:[A-Za-z0-9\u00a1-\uffff-]{0,62})?)*"  # host name
    r"|\[[0-9A-Fa-f:.]+\])"  # or [IPv6]
    r"(?::\d{1,5})?(?:[/?#][^\s]*)?$",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$|^(\d{1,4}):([0-5]\d)$")
_INT = re.compile(r"^[+]?\d{1,12}$")
_LINE = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s+([^:]{1,80}?)\s*:\s?(.*)$")
_SPEAKER_NAME = re.compile(r"^(\w+)(?:\s*\((.{1,60})\))?$")
SPEAKER_WORDS: dict[str, str] = {
    "agent": "agent",
    "advisor": "agent",
    "adviser": "agent",
    "rep": "agent",
    "customer": "customer",
    "client": "customer",
    "caller": "customer",
    "visitor": "customer",
    "system": "system",
    "bot": "system",
}


# --- Typed rows -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InteractionRow:
    """A valid interaction row. `transcript` None: not given, the stored one stays;
    `custom_fields` None: no custom columns, the stored ones stay."""

    row: int
    source: str
    source_id: str
    channel: str
    agent_email: str
    started_at: dt.datetime
    duration_seconds: int | None
    queue: str
    topic: str
    recording_url: str
    ticket_url: str
    escalated: bool
    repeat_contact: bool
    transcript: list[dict[str, Any]] | None
    custom_fields: dict[str, str] | None

    @property
    def key(self) -> str:
        return f"{self.source}\x1f{self.source_id}"


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """A valid customer-feedback row. Empty strings mean "not given"."""

    row: int
    source: str
    source_id: str
    interaction_source: str
    interaction_source_id: str
    agent_email: str
    team_external_id: str
    received_at: dt.datetime
    csat: int | None
    nps: int | None
    ces: int | None
    ces_version: str
    comment: str

    @property
    def key(self) -> str:
        return f"{self.source}\x1f{self.source_id}"

    @property
    def interaction_key(self) -> str | None:
        if not self.interaction_source_id:
            return None
        return f"{self.interaction_source or self.source}\x1f{self.interaction_source_id}"


type Row = InteractionRow | FeedbackRow
type Validator = Callable[[RawRow, dt.datetime], tuple[Any, list[RowError]]]


@dataclass(frozen=True)
class Kind:
    """One kind of import: its columns and its row validator."""

    name: str
    label: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    custom: bool
    validate: Validator
    examples: tuple[tuple[str, ...], ...] = ()


# --- Reading the file -----------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """How one header cell was understood: a known column, a custom field, or ignored."""

    header: str
    column: str | None = None
    custom: str | None = None


@dataclass(frozen=True)
class ColumnReport:
    mapping: tuple[ColumnMapping, ...] = ()
    found: tuple[str, ...] = ()
    missing_required: tuple[str, ...] = ()
    missing_optional: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    custom: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "found": list(self.found),
            "missing_required": list(self.missing_required),
            "missing_optional": list(self.missing_optional),
            "ignored": list(self.ignored),
            "custom": list(self.custom),
        }


def read_header(
    cells: list[str], kind: Kind, *, row: int = 1
) -> tuple[ColumnReport, list[RowError]]:
    errors: list[RowError] = []
    mapping: list[ColumnMapping] = []
    seen: set[str] = set()
    custom: list[str] = []
    ignored: list[str] = []
    for cell in cells:
        header = cell.strip()
        name = normalise_header(header)
        if kind.custom and name.startswith(CUSTOM_PREFIX):
            custom_name = header[len(CUSTOM_PREFIX) :].strip()
            if not custom_name or len(custom_name) > CUSTOM_NAME_MAX:
                errors.append(
                    RowError(
                        row,
                        header,
                        f"A custom column needs a name of 1 to {CUSTOM_NAME_MAX} characters "
                        "after “custom.”.",
                    )
                )
                mapping.append(ColumnMapping(header))
                continue
            if f"custom:{custom_name}" in seen:
                errors.append(RowError(row, header, f"The column “{header}” appears twice."))
                mapping.append(ColumnMapping(header))
                continue
            seen.add(f"custom:{custom_name}")
            custom.append(custom_name)
            mapping.append(ColumnMapping(header, custom=custom_name))
            continue
        if name in kind.columns:
            if name in seen:
                errors.append(RowError(row, name, f"The column “{name}” appears twice."))
                mapping.append(ColumnMapping(header))
                continue
            seen.add(name)
            mapping.append(ColumnMapping(header, column=name))
            continue
        mapping.append(ColumnMapping(header))
        if header:
            ignored.append(header)
    if len(custom) > MAX_CUSTOM_FIELDS:
        errors.append(
            RowError(
                row, "", f"At most {MAX_CUSTOM_FIELDS} custom columns; this file has {len(custom)}."
            )
        )
    missing_required = tuple(c for c in kind.required if c not in seen)
    for column in missing_required:
        errors.append(RowError(row, column, f"The required column “{column}” is missing."))
    report = ColumnReport(
        mapping=tuple(mapping),
        found=tuple(c for c in kind.columns if c in seen),
        missing_required=missing_required,
        missing_optional=tuple(c for c in kind.columns if c not in seen and c not in kind.required),
        ignored=tuple(ignored),
        custom=tuple(custom),
    )
    return report, errors


class FileProblem(Exception):
    """The file as a whole cannot be read on: wrong encoding, binary data, broken CSV."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


def wrong_encoding(line: int | None = None) -> RowError:
    where = f" (first bad byte on line {line})" if line else ""
    return RowError(
        None,
        "",
        f"Wrong encoding: the file is not UTF-8 text{where}. In a spreadsheet use “Save as” → "
        "“CSV UTF-8 (comma delimited)”, then upload it again.",
    )


class CsvRows:
    """Rows of a CSV file, read from a binary file object a chunk at a time.

    Iterate it once; `columns` is set once the header is read, `errors` holds the problems with
    the file as a whole (after which iteration stops), `rows` counts data rows, `bytes_read`
    says how far into the file it got (for progress bars).
    """

    def __init__(self, stream: IO[bytes], kind: Kind, *, chunk_size: int = READ_CHUNK) -> None:
        self.stream = stream
        self.kind = kind
        self.chunk_size = chunk_size
        self.columns: ColumnReport | None = None
        self.errors: list[RowError] = []
        self.rows = 0
        self.bytes_read = 0
        self.delimiter = ","

    # Lines of text, each ending in "\n" (but perhaps the last). Decoded strictly a chunk at a
    # time (up to its last newline); a bad byte is placed on its line.
    def _lines(self) -> Iterator[str]:
        pending = b""
        line = 0
        first = True
        while True:
            chunk = self.stream.read(self.chunk_size)
            if not chunk:
                break
            self.bytes_read += len(chunk)
            if first:
                first = False
                chunk = self._check_start(chunk)
            data = pending + chunk
            if b"\x00" in data:
                at = line + data[: data.index(b"\x00")].count(b"\n") + 1
                raise FileProblem(
                    RowError(
                        None,
                        "",
                        f"This is not a CSV text file: it contains binary data (line {at}). "
                        "Upload a .csv file.",
                    )
                )
            cut = data.rfind(b"\n") + 1
            if not cut:
                pending = data
                continue
            pending = data[cut:]
            block = data[:cut]
            try:
                text = block.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FileProblem(
                    wrong_encoding(line + block.count(b"\n", 0, exc.start) + 1)
                ) from None
            lines = text.split("\n")
            lines.pop()  # the "" after the last newline
            line += len(lines)
            for text_line in lines:
                yield text_line + "\n"
        if pending:
            line += 1
            try:
                yield pending.decode("utf-8")
            except UnicodeDecodeError:
                raise FileProblem(wrong_encoding(line)) from None

    def _check_start(self, chunk: bytes) -> bytes:
        if chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise FileProblem(
                RowError(
                    None,
                    "",
                    "Wrong encoding: the file is UTF-16 text, not UTF-8. Save it as “CSV UTF-8” "
                    "and upload it again.",
                )
            )
        if chunk.startswith(b"PK\x03\x04") or chunk.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileProblem(
                RowError(
                    None,
                    "",
                    "This is a spreadsheet file, not CSV. Open it and use “Save as” → “CSV UTF-8 "
                    "(comma delimited)”, then upload the .csv file.",
                )
            )
        if chunk.startswith(codecs.BOM_UTF8):
            return chunk[len(codecs.BOM_UTF8) :]
        return chunk

    def __iter__(self) -> Iterator[RawRow]:
        previous_limit = csv.field_size_limit()
        csv.field_size_limit(MAX_CELL)
        try:
            yield from self._rows()
        except FileProblem as problem:
            self.errors.append(problem.error)
        finally:
            csv.field_size_limit(previous_limit)

    def _rows(self) -> Iterator[RawRow]:
        lines = self._lines()
        # The delimiter is the one the first non-blank line uses more: comma or semicolon.
        head: list[str] = []
        for text in lines:
            head.append(text)
            if text.strip():
                self.delimiter = ";" if text.count(";") > text.count(",") else ","
                break
        if not any(t.strip() for t in head):
            raise FileProblem(
                RowError(None, "", "The file is empty: it needs a header row and rows.")
            )

        def all_lines() -> Iterator[str]:
            yield from head
            yield from lines

        reader = csv.reader(all_lines(), delimiter=self.delimiter, strict=True)
        number = 0
        mapping: tuple[ColumnMapping, ...] = ()
        known: list[tuple[int, str]] = []
        custom_columns: list[tuple[int, str]] = []
        try:
            for record in reader:
                number += 1
                if not any(c.strip() for c in record):
                    continue
                if self.columns is None:
                    self.columns, header_errors = read_header(record, self.kind, row=number)
                    mapping = self.columns.mapping
                    # (cell index, column) pairs, so each row is one pass over its cells.
                    known = [(i, m.column) for i, m in enumerate(mapping) if m.column]
                    custom_columns = [(i, m.custom) for i, m in enumerate(mapping) if m.custom]
                    if header_errors:
                        self.errors.extend(header_errors)
                        return
                    continue
                self.rows += 1
                if len(record) > len(mapping) and any(c.strip() for c in record[len(mapping) :]):
                    yield RawRow(
                        row=number,
                        values={
                            "__error__": f"This row has {len(record)} cells but the header has "
                            f"{len(mapping)}; a value that contains the delimiter "
                            f"(“{self.delimiter}”) must be in double quotes."
                        },
                    )
                    continue
                values: dict[str, object] = {
                    name: record[i] for i, name in known if i < len(record)
                }
                if custom_columns:
                    values[CUSTOM] = {
                        name: record[i] for i, name in custom_columns if i < len(record)
                    }
                yield RawRow(row=number, values=values)
        except csv.Error as exc:
            raise FileProblem(RowError(number + 1, "", _csv_problem(str(exc)))) from None
        if self.columns is None:
            raise FileProblem(
                RowError(None, "", "The file is empty: it needs a header row and rows.")
            )
        if not self.rows and not self.errors:
            self.errors.append(RowError(None, "", "The file has a header but no rows under it."))


def _csv_problem(message: str) -> str:
    if "unexpected end of data" in message:
        return (
            "A value that opens with a double quote on this row is never closed, so the rest "
            'of the file was read into it. A quote inside a quoted value is written twice ("").'
        )
    if "expected after" in message:
        return (
            "A quoted value on this row is followed by more text before the next delimiter. A "
            'quote inside a quoted value is written twice ("").'
        )
    if "field larger than field limit" in message:
        return (
            f"A cell on this row is larger than {MAX_CELL // (1024 * 1024)} MB; often a double "
            "quote that is never closed."
        )
    return f"This row could not be read as CSV ({message})."


def records_as_rows(records: Iterable[object]) -> Iterator[RawRow]:
    """API items as raw rows, numbered from 1; an item that is not an object is a row error."""
    for i, record in enumerate(records, start=1):
        if isinstance(record, Mapping):
            values: dict[str, object] = {}
            for key, value in record.items():
                name = str(key)
                if name == "custom_fields" and isinstance(value, Mapping):
                    values[CUSTOM] = {str(k): v for k, v in value.items()}
                    values[CUSTOM_FROM_API] = True
                elif name == "custom_fields" and value is not None:
                    values["__error_custom__"] = True
                elif not name.startswith("__"):  # the reader's own markers
                    values[name] = value
            yield RawRow(row=i, values=values)
        else:
            yield RawRow(row=i, values={"__error__": "Each item must be a JSON object."})


# --- Duplicate keys -------------------------------------------------------------------------


class Duplicates:
    """Remembers each (source, source id) and the row it was first seen on: nothing else."""

    def __init__(self) -> None:
        self.first_row: dict[str, int] = {}

    def check(self, row: Row) -> RowError | None:
        first = self.first_row.setdefault(row.key, row.row)
        if first == row.row:
            return None
        return RowError(
            row.row,
            "source_id",
            f"{row.source} {row.source_id} is also on row {first}; one row per source id.",
        )

    def __len__(self) -> int:
        return len(self.first_row)


# --- Values ---------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | float):
        return str(value)
    return ""


def _not_text(value: object) -> bool:
    return value is not None and not isinstance(value, str | bool | int | float)


def parse_datetime(value: object) -> dt.datetime | None:
    """ISO 8601; with an offset it is converted to UTC, without one it is taken as UTC."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = _text(value)
        if not text or not text[:4].isdigit():
            return None
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None


def _when(
    value: object, column: str, row: int, now: dt.datetime
) -> tuple[dt.datetime | None, RowError | None]:
    text = _text(value)
    if not text and not isinstance(value, dt.datetime):
        return None, RowError(row, column, f"The {column} date and time is missing.")
    parsed = parse_datetime(value)
    if parsed is None:
        return None, RowError(
            row,
            column,
            f"“{text[:40]}” is not a date and time in ISO 8601, e.g. 2026-03-15T10:30:00+01:00 "
            "(without an offset it is taken as UTC).",
        )
    if parsed > now + FUTURE_SLACK:
        return None, RowError(row, column, f"{parsed:%Y-%m-%d %H:%M} UTC is in the future.")
    if parsed < EARLIEST:
        return None, RowError(row, column, f"{parsed:%Y-%m-%d} is before {EARLIEST:%Y}.")
    return parsed, None


def parse_duration(value: object) -> int | None:
    """Whole seconds ("420"), or a clock ("7:00", "1:02:03"). None when not a duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = _text(value)
    if _INT.match(text):
        return int(text)
    m = _CLOCK.match(text)
    if m:
        if m.group(1) is not None:
            return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
        return int(m.group(4)) * 60 + int(m.group(5))
    return None


def parse_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = _text(value).lower()
    if not text or text in FALSE_WORDS:
        return False
    if text in TRUE_WORDS:
        return True
    return None


def parse_score(value: object, low: int, high: int) -> tuple[int | None, bool]:
    """(score, ok): None with ok when empty; None without ok when not a whole number in range."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = _text(value)
        if not _INT.match(text):
            return None, False
        number = int(text)
    if low <= number <= high:
        return number, True
    return None, False


def is_url(text: str) -> bool:
    """An http(s) address with a host and no spaces. (Django's URLValidator is thorough but
    costs more than the rest of a row's checks together; a ticket link per row adds up.)"""
    return _URL.match(text) is not None


_SPEAKERS_SEEN: dict[str, tuple[str, str] | None] = {}


def _speaker(word: str) -> tuple[str, str] | None:
    """("agent", "Anna") from "Agent (Anna)"; None when the speaker is not recognised."""
    if word in _SPEAKERS_SEEN:
        return _SPEAKERS_SEEN[word]
    if len(_SPEAKERS_SEEN) > 10_000:
        _SPEAKERS_SEEN.clear()
    _SPEAKERS_SEEN[word] = found = _read_speaker(word)
    return found


def _read_speaker(word: str) -> tuple[str, str] | None:
    m = _SPEAKER_NAME.match(word.strip())
    if not m:
        return None
    speaker = SPEAKER_WORDS.get(m.group(1).lower())
    if speaker is None:
        return None
    return speaker, (m.group(2) or m.group(1)).strip()


def _offset(value: object) -> float | int | str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "bad"
    if value < 0 or value != value or value > MAX_DURATION:
        return "bad"
    return int(value) if float(value).is_integer() else round(float(value), 3)


def _json_messages(items: object, reasons: list[str]) -> list[dict[str, Any]] | None:
    if not isinstance(items, list):
        reasons.append("A JSON transcript must be an array of messages.")
        return None
    if len(items) > MAX_MESSAGES:
        reasons.append(f"At most {MAX_MESSAGES:,} messages; this transcript has {len(items):,}.")
        return None
    messages: list[dict[str, Any]] = []
    for i, item in enumerate(items, start=1):
        if len(reasons) >= MAX_TRANSCRIPT_REASONS:
            break
        if not isinstance(item, dict):
            reasons.append(f"Message {i} is not an object with speaker and text.")
            continue
        speaker = item.get("speaker")
        text = item.get("text")
        name = item.get("name")
        if not isinstance(speaker, str) or speaker.strip().lower() not in SPEAKERS:
            reasons.append(
                f"Message {i}: the speaker “{str(speaker)[:30]}” is not agent, customer or system."
            )
            continue
        if not isinstance(text, str):
            reasons.append(f"Message {i} has no text.")
            continue
        if len(text) > MAX_MESSAGE_TEXT:
            reasons.append(f"Message {i} is longer than {MAX_MESSAGE_TEXT:,} characters.")
            continue
        if name is not None and not isinstance(name, str):
            reasons.append(f"Message {i}: the name must be text.")
            continue
        at_value = item.get("at")
        at: str | None = None
        if at_value not in (None, ""):
            parsed = parse_datetime(at_value) if isinstance(at_value, str) else None
            if parsed is None:
                reasons.append(f"Message {i}: “at” is not an ISO 8601 date and time.")
                continue
            at = parsed.isoformat()
        offset = _offset(item.get("offset"))
        if offset == "bad":
            reasons.append(f"Message {i}: “offset” must be seconds into the recording (0 or more).")
            continue
        internal = item.get("internal", False)
        if internal is None:
            internal = False
        if not isinstance(internal, bool):
            reasons.append(f"Message {i}: “internal” must be true or false.")
            continue
        messages.append(
            {
                "speaker": speaker.strip().lower(),
                "name": (name or "").strip()[:200],
                "at": at,
                "offset": offset,
                "text": text,
                "internal": internal,
            }
        )
    return messages


def _text_messages(
    text: str, started_at: dt.datetime | None, reasons: list[str]
) -> list[dict[str, Any]]:
    """ "HH:MM:SS Speaker: text" lines; a line without a time continues the message above."""
    messages: list[dict[str, Any]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if len(reasons) >= MAX_TRANSCRIPT_REASONS:
            break
        m = _LINE.match(line)
        who = _speaker(m.group(4)) if m else None
        if m and who:
            offset = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
            at = (started_at + dt.timedelta(seconds=offset)).isoformat() if started_at else None
            messages.append(
                {
                    "speaker": who[0],
                    "name": who[1],
                    "at": at,
                    "offset": offset,
                    "text": m.group(5).rstrip(),
                    "internal": False,
                }
            )
            continue
        if m and not who:
            reasons.append(
                f"Line {n}: the speaker “{m.group(4).strip()[:30]}” is not Agent, Customer or "
                "System (a name may follow in brackets: “Agent (Anna)”)."
            )
            continue
        if not line.strip():
            if messages:
                messages[-1]["text"] += "\n"
            continue
        if not messages:
            reasons.append(
                f"Line {n} does not start with “HH:MM:SS Speaker:”, e.g. “00:00:05 Customer: Hi”."
            )
            continue
        messages[-1]["text"] += "\n" + line.rstrip()
    for message in messages:
        message["text"] = message["text"].rstrip("\n")
    if len(messages) > MAX_MESSAGES:
        reasons.append(f"At most {MAX_MESSAGES:,} messages; this transcript has {len(messages):,}.")
    return messages


def parse_transcript(
    value: object, *, started_at: dt.datetime | None
) -> tuple[list[dict[str, Any]] | None, list[str]]:
    """(messages, reasons). Messages None and no reasons: nothing given.

    A JSON array of {speaker, name, at, offset, text, internal}, or plain lines
    "HH:MM:SS Speaker: text" (the time is the offset from the start of the contact)."""
    reasons: list[str] = []
    if value is None:
        return None, reasons
    if isinstance(value, list):
        return _json_messages(value, reasons), reasons
    if not isinstance(value, str):
        reasons.append("The transcript must be a JSON array of messages or lines of text.")
        return None, reasons
    text = value.strip()
    if not text:
        return None, reasons
    if text.startswith("["):
        try:
            items = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = getattr(exc, "msg", "too deeply nested")
            reasons.append(f"The transcript is not valid JSON ({msg}).")
            return None, reasons
        return _json_messages(items, reasons), reasons
    messages = _text_messages(text, started_at, reasons)
    return (messages if not reasons else None), reasons


def _structural(raw: RawRow) -> list[RowError]:
    """Problems found while reading the row (too many cells, an item that is no object)."""
    values = raw.values
    errors = []
    if "__error__" in values:
        errors.append(RowError(raw.row, "", str(values["__error__"])))
    if "__error_custom__" in values:
        errors.append(RowError(raw.row, "custom_fields", "custom_fields must be an object."))
    return errors


def _cell(
    row: int,
    values: Mapping[str, object],
    column: str,
    errors: list[RowError],
    *,
    required: bool = False,
) -> str:
    """The value of `column` as stripped text ("" when empty), checked for type and length."""
    value = values.get(column)
    if type(value) is str:  # the CSV case: the fast path
        text = value.strip()
    elif value is None:
        text = ""
    elif isinstance(value, bool | int | float):
        text = str(value)
    else:
        errors.append(RowError(row, column, f"{column} must be text."))
        return ""
    if not text:
        if required:
            errors.append(RowError(row, column, f"The {column} is missing."))
        return text
    limit = MAX_LENGTHS.get(column)
    if limit and len(text) > limit:
        errors.append(
            RowError(row, column, f"Too long: {len(text):,} characters, at most {limit:,}.")
        )
    return text


_EMAIL_CHECKED: dict[str, bool] = {}


def _email(row: int, text: str, errors: list[RowError]) -> str:
    email = text.lower()
    if not email:
        return email
    # The same few thousand agents come back on every row: check each address once.
    ok = _EMAIL_CHECKED.get(email)
    if ok is None:
        if len(_EMAIL_CHECKED) > 100_000:
            _EMAIL_CHECKED.clear()
        ok = _EMAIL_CHECKED[email] = is_email(email)
    if not ok:
        errors.append(RowError(row, "agent_email", f"“{text[:80]}” is not an email address."))
    return email


# --- Interactions ---------------------------------------------------------------------------


def validate_interaction(
    raw: RawRow, now: dt.datetime
) -> tuple[InteractionRow | None, list[RowError]]:
    """One row, text (CSV) or typed (API) values; every problem in it."""
    n = raw.row
    v = raw.values
    errors = _structural(raw)
    if errors and "__error__" in v:
        return None, errors
    source = _cell(n, v, "source", errors, required=True)
    source_id = _cell(n, v, "source_id", errors, required=True)
    channel_text = _cell(n, v, "channel", errors, required=True)
    agent_text = _cell(n, v, "agent_email", errors, required=True)
    queue = _cell(n, v, "queue", errors)
    topic = _cell(n, v, "topic", errors)
    recording_url = _cell(n, v, "recording_url", errors)
    ticket_url = _cell(n, v, "ticket_url", errors)
    channel = channel_text.lower()
    if channel_text and channel not in CHANNELS:
        errors.append(
            RowError(
                n, "channel", f"Unknown channel “{channel_text[:40]}”; use {', '.join(CHANNELS)}."
            )
        )
    agent_email = _email(n, agent_text, errors)
    started_at, problem = _when(v.get("started_at"), "started_at", n, now)
    if problem:
        errors.append(problem)

    duration: int | None = None
    raw_duration = v.get("duration_seconds")
    if raw_duration is not None and _text(raw_duration) != "":
        duration = parse_duration(raw_duration)
        if duration is None:
            errors.append(
                RowError(
                    n,
                    "duration_seconds",
                    f"“{_text(raw_duration)[:40]}” is not a duration: give whole seconds (420) "
                    "or minutes and seconds (7:00).",
                )
            )
        elif duration > MAX_DURATION:
            errors.append(
                RowError(n, "duration_seconds", "A contact cannot last more than 30 days.")
            )
            duration = None

    for column, url in (("recording_url", recording_url), ("ticket_url", ticket_url)):
        if url and len(url) <= MAX_LENGTHS[column] and not is_url(url):
            errors.append(
                RowError(n, column, f"“{url[:80]}” is not a web address (http or https).")
            )

    flags: dict[str, bool] = {}
    for column in ("escalated", "repeat_contact"):
        flag = parse_bool(v.get(column))
        if flag is None:
            errors.append(
                RowError(
                    n, column, f"“{_text(v.get(column))[:20]}” is not one of true/false/yes/no/1/0."
                )
            )
        flags[column] = bool(flag)

    transcript, reasons = parse_transcript(v.get("transcript"), started_at=started_at)
    errors.extend(RowError(n, "transcript", r) for r in reasons)

    custom: dict[str, str] | None = None
    given = v.get(CUSTOM)
    if isinstance(given, dict):
        custom = {}
        if len(given) > MAX_CUSTOM_FIELDS:
            errors.append(
                RowError(n, "custom_fields", f"At most {MAX_CUSTOM_FIELDS} custom fields.")
            )
        api = CUSTOM_FROM_API in v
        for name, value in list(given.items())[:MAX_CUSTOM_FIELDS]:
            column = f"custom_fields.{name}" if api else f"{CUSTOM_PREFIX}{name}"
            if not name or len(name) > CUSTOM_NAME_MAX:
                errors.append(
                    RowError(
                        n, column, f"A custom field name has 1 to {CUSTOM_NAME_MAX} characters."
                    )
                )
                continue
            if _not_text(value):
                errors.append(RowError(n, column, "A custom field value must be text or a number."))
                continue
            text = _text(value)
            if len(text) > CUSTOM_VALUE_MAX:
                errors.append(
                    RowError(
                        n,
                        column,
                        f"Too long: {len(text):,} characters, at most {CUSTOM_VALUE_MAX:,}.",
                    )
                )
                continue
            if text:
                custom[name] = text

    if errors or started_at is None:
        return None, errors
    return (
        InteractionRow(
            row=n,
            source=source,
            source_id=source_id,
            channel=channel,
            agent_email=agent_email,
            started_at=started_at,
            duration_seconds=duration,
            queue=queue,
            topic=topic,
            recording_url=recording_url,
            ticket_url=ticket_url,
            escalated=flags["escalated"],
            repeat_contact=flags["repeat_contact"],
            transcript=transcript,
            custom_fields=custom,
        ),
        [],
    )


# --- Customer feedback ----------------------------------------------------------------------


def validate_feedback(raw: RawRow, now: dt.datetime) -> tuple[FeedbackRow | None, list[RowError]]:
    n = raw.row
    v = raw.values
    errors = _structural(raw)
    if errors and "__error__" in v:
        return None, errors
    source = _cell(n, v, "source", errors, required=True)
    source_id = _cell(n, v, "source_id", errors, required=True)
    text = {
        c: _cell(n, v, c, errors)
        for c in (
            "interaction_source",
            "interaction_source_id",
            "agent_email",
            "team_external_id",
            "ces_version",
            "comment",
        )
    }
    agent_email = _email(n, text["agent_email"], errors)
    if not agent_email and not text["interaction_source_id"]:
        errors.append(
            RowError(
                n,
                "agent_email",
                "Give the agent_email, or an interaction_source_id to attach the feedback to an "
                "interaction (its agent is used).",
            )
        )
    if text["interaction_source"] and not text["interaction_source_id"]:
        errors.append(
            RowError(
                n, "interaction_source_id", "interaction_source needs an interaction_source_id."
            )
        )
    received_at, problem = _when(v.get("received_at"), "received_at", n, now)
    if problem:
        errors.append(problem)

    csat, ok = parse_score(v.get("csat"), 1, 5)
    if not ok:
        errors.append(
            RowError(
                n, "csat", f"CSAT is a whole number from 1 to 5, not “{_text(v.get('csat'))[:20]}”."
            )
        )
    nps, ok = parse_score(v.get("nps"), 0, 10)
    if not ok:
        errors.append(
            RowError(
                n, "nps", f"NPS is a whole number from 0 to 10, not “{_text(v.get('nps'))[:20]}”."
            )
        )
    version = text["ces_version"].lower()
    ces: int | None = None
    raw_ces = v.get("ces")
    if version and version not in CES_VERSIONS:
        errors.append(
            RowError(
                n,
                "ces_version",
                f"Unknown CES version “{text['ces_version'][:30]}”; use 7pt-agree (1 to 7, "
                "higher is easier) or 5pt-effort (1 to 5, lower is easier).",
            )
        )
    elif raw_ces is not None and _text(raw_ces) != "":
        if not version:
            errors.append(
                RowError(
                    n,
                    "ces_version",
                    "CES needs its version: 7pt-agree (1 to 7) or 5pt-effort (1 to 5).",
                )
            )
        else:
            top = CES_VERSIONS[version]
            ces, ok = parse_score(raw_ces, 1, top)
            if not ok:
                errors.append(
                    RowError(
                        n,
                        "ces",
                        f"CES ({version}) is a whole number from 1 to {top}, not "
                        f"“{_text(raw_ces)[:20]}”.",
                    )
                )
    answered = any(_text(v.get(c)) for c in ("csat", "nps", "ces")) or bool(text["comment"])
    if not answered:
        errors.append(
            RowError(n, "csat", "No answer in this row: give csat, nps, ces or a comment.")
        )

    if errors or received_at is None:
        return None, errors
    return (
        FeedbackRow(
            row=n,
            source=source,
            source_id=source_id,
            interaction_source=text["interaction_source"],
            interaction_source_id=text["interaction_source_id"],
            agent_email=agent_email,
            team_external_id=text["team_external_id"],
            received_at=received_at,
            csat=csat,
            nps=nps,
            ces=ces,
            ces_version=version if ces is not None else "",
            comment=text["comment"],
        ),
        [],
    )


# --- The two kinds --------------------------------------------------------------------------

INTERACTIONS = Kind(
    name="interactions",
    label="interactions",
    columns=(
        "source",
        "source_id",
        "channel",
        "agent_email",
        "started_at",
        "duration_seconds",
        "queue",
        "topic",
        "recording_url",
        "ticket_url",
        "escalated",
        "repeat_contact",
        "transcript",
    ),
    required=("source", "source_id", "channel", "agent_email", "started_at"),
    custom=True,
    validate=validate_interaction,
    examples=(
        (
            "helpdesk",
            "T-100231",
            "chat",
            "ada.lovelace@example.com",
            "2026-03-02T09:15:00+01:00",
            "420",
            "Billing",
            "Refund",
            "",
            "https://helpdesk.example.com/tickets/100231",
            "false",
            "false",
            "00:00:05 Customer: Hi, I was charged twice.\n"
            "00:00:21 Agent (Ada): Sorry about that, let me check.",
        ),
        (
            "telephony",
            "C-88812",
            "call",
            "grace.hopper@example.com",
            "2026-03-02 14:02:00",
            "12:30",
            "Tech",
            "Login problem",
            "https://calls.example.com/recordings/88812",
            "",
            "yes",
            "no",
            '[{"speaker": "customer", "name": "Caller", "offset": 3, "text": "I cannot sign in."}]',
        ),
    ),
)

FEEDBACK = Kind(
    name="feedback",
    label="customer feedback",
    columns=(
        "source",
        "source_id",
        "interaction_source",
        "interaction_source_id",
        "agent_email",
        "team_external_id",
        "received_at",
        "csat",
        "nps",
        "ces",
        "ces_version",
        "comment",
    ),
    required=("source", "source_id", "received_at"),
    custom=False,
    validate=validate_feedback,
    examples=(
        (
            "helpdesk",
            "S-5501",
            "",
            "T-100231",
            "",
            "",
            "2026-03-02T10:00:00Z",
            "4",
            "9",
            "6",
            "7pt-agree",
            "Quick and friendly.",
        ),
        (
            "survey",
            "S-5502",
            "",
            "",
            "grace.hopper@example.com",
            "",
            "2026-03-03T08:30:00Z",
            "2",
            "",
            "",
            "",
            "Took three calls to sort out.",
        ),
    ),
)

KINDS: dict[str, Kind] = {INTERACTIONS.name: INTERACTIONS, FEEDBACK.name: FEEDBACK}


def template_csv(kind: Kind) -> str:
    """The header and two example rows (a template people can fill in)."""
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(kind.columns)
    writer.writerows(kind.examples)
    return out.getvalue()


@dataclass
class Checked:
    """What the pure checks of a whole input found (used by tests and small callers)."""

    rows: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: ColumnReport | None = None


def check_all(raw_rows: Iterable[RawRow], kind: Kind, *, now: dt.datetime) -> Checked:
    """Every pure check over every row, keeping the valid rows: for tests and small inputs."""
    checked = Checked()
    duplicates = Duplicates()
    for raw in raw_rows:
        row, errors = kind.validate(raw, now)
        if row is not None and (dup := duplicates.check(row)) is not None:
            errors = [dup]
            row = None
        checked.errors.extend(errors)
        if row is not None:
            checked.rows.append(row)
    if isinstance(raw_rows, CsvRows):
        checked.columns = raw_rows.columns
        checked.errors.extend(raw_rows.errors)
    return checked
