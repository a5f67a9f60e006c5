"""Pure parsing of monthly customer figures (customers at start, lost, gained, revenue): bytes or
API records in, typed rows or errors out. No ORM here.

The service in `services/customer_periods.py` adds the checks that need the database (an unknown
team code, a team outside the importer's reach) and only then writes, all or nothing. Every bad
row is reported as (row number, column, reason): the header is row 1 in a file, the first item is
row 1 in an API batch.

Columns: `month` (YYYY-MM, or the first day of the month as YYYY-MM-DD), `team_code` (the team's
HR code; empty for the whole organisation), `customers_at_start`, `customers_lost`,
`customers_gained` (whole numbers, 0 or more; lost cannot exceed the customers at start),
`revenue` (optional, 0 or more, at most two decimals), `source` (optional, e.g. "crm").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from qa_platform.people.importing import (
    RawRow,
    RowError,
    decode,
    normalise_header,
    sniff_delimiter,
)

MAX_ROWS = 10_000
MAX_BYTES = 2 * 1024 * 1024
MAX_COUNT = 2_000_000_000  # the column is a PositiveIntegerField
MAX_REVENUE = Decimal("999999999999.99")  # max_digits=14, decimal_places=2

COLUMNS: tuple[str, ...] = (
    "month",
    "team_code",
    "customers_at_start",
    "customers_lost",
    "customers_gained",
    "revenue",
    "source",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("month", "customers_at_start")
MAX_LENGTHS = {"team_code": 64, "source": 100}
EARLIEST = dt.date(1990, 1, 1)

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_INT = re.compile(r"^[+]?\d{1,12}$")


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """A valid row. `team_code` "" means the whole organisation."""

    row: int
    month: dt.date
    team_code: str
    customers_at_start: int
    customers_lost: int
    customers_gained: int
    revenue: Decimal | None
    source: str

    @property
    def key(self) -> tuple[dt.date, str]:
        return (self.month, self.team_code)


@dataclass(frozen=True)
class Parsed:
    rows: tuple[PeriodRow, ...] = ()
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def sorted_errors(errors: Sequence[RowError]) -> tuple[RowError, ...]:
    order = {c: i for i, c in enumerate(COLUMNS)}
    return tuple(sorted(set(errors), key=lambda e: (e.row or 0, order.get(e.column, -1), e.reason)))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).strip()


def parse_month(value: object, *, today: dt.date) -> tuple[dt.date | None, str]:
    text = _text(value)
    if not text:
        return None, "The month is missing; write it as YYYY-MM, e.g. 2026-03."
    match = _MONTH.match(text)
    if not match:
        return None, f"“{text[:40]}” is not a month; write it as YYYY-MM, e.g. 2026-03."
    year, month, day = int(match[1]), int(match[2]), match[3]
    if day is not None and int(day) != 1:
        return None, f"“{text}” is not the first day of a month; write the month as YYYY-MM."
    try:
        first = dt.date(year, month, 1)
    except ValueError:
        return None, f"“{text}” is not a real month."
    if first < EARLIEST:
        return None, f"{first:%Y-%m} is before {EARLIEST:%Y}; check the year."
    if first > today.replace(day=1):
        return None, f"{first:%Y-%m} has not started yet; import months up to this one."
    return first, ""


def parse_count(value: object, column: str, *, required: bool) -> tuple[int | None, str]:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = _text(value).replace(",", "").replace("_", "")
        if not text:
            if required:
                return None, f"“{column}” is required: a whole number, 0 or more."
            return 0, ""
        if not _INT.match(text):
            return None, f"“{text[:40]}” is not a whole number of customers (0 or more)."
        number = int(text)
    if number < 0:
        return None, "A number of customers cannot be negative."
    if number > MAX_COUNT:
        return None, f"{number:,} is more customers than can be stored; check the value."
    return number, ""


def parse_revenue(value: object) -> tuple[Decimal | None, str]:
    if isinstance(value, bool):
        return None, "The revenue must be a number, e.g. 125000.50."
    text = _text(value).replace(",", "").replace("_", "")
    if not text:
        return None, ""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, f"“{text[:40]}” is not an amount; write it like 125000.50 (no currency sign)."
    if not amount.is_finite():
        return None, "The revenue must be a number, e.g. 125000.50."
    if amount < 0:
        return None, "The revenue cannot be negative."
    if amount != amount.quantize(Decimal("0.01")):
        return None, "The revenue has more than two decimals."
    if amount > MAX_REVENUE:
        return None, "The revenue is too large to store; give it in whole currency units."
    return amount.quantize(Decimal("0.01")), ""


def validate_rows(rows: Sequence[RawRow], *, today: dt.date) -> Parsed:
    """Check every row; a (month, team) given twice is an error on each later row."""
    errors: list[RowError] = []
    valid: list[PeriodRow] = []
    first_row: dict[tuple[dt.date, str], int] = {}
    for raw in rows:
        values = raw.values
        if not isinstance(values, Mapping):
            errors.append(RowError(raw.row, "", "Each record must be an object of columns."))
            continue
        row_errors: list[RowError] = []

        def bad(
            column: str, reason: str, row: int = raw.row, into: list[RowError] = row_errors
        ) -> None:
            into.append(RowError(row, column, reason))

        month, reason = parse_month(values.get("month"), today=today)
        if reason:
            bad("month", reason)
        team_code = _text(values.get("team_code"))
        source = _text(values.get("source"))
        for column, text in (("team_code", team_code), ("source", source)):
            if len(text) > MAX_LENGTHS[column]:
                bad(column, f"At most {MAX_LENGTHS[column]} characters (this has {len(text)}).")
        counts: dict[str, int | None] = {}
        for column in ("customers_at_start", "customers_lost", "customers_gained"):
            counts[column], reason = parse_count(
                values.get(column), column, required=column == "customers_at_start"
            )
            if reason:
                bad(column, reason)
        start, lost = counts["customers_at_start"], counts["customers_lost"]
        if start is not None and lost is not None and lost > start:
            bad(
                "customers_lost",
                f"{lost:,} customers lost is more than the {start:,} at the start of the month.",
            )
        revenue, reason = parse_revenue(values.get("revenue"))
        if reason:
            bad("revenue", reason)
        if month is not None and not any(e.column in ("month", "team_code") for e in row_errors):
            key = (month, team_code)
            if key in first_row:
                where = f"team {team_code}" if team_code else "the whole organisation"
                bad(
                    "month",
                    f"{month:%Y-%m} for {where} is already on row {first_row[key]}; "
                    "give each month once per team.",
                )
            else:
                first_row[key] = raw.row
        if row_errors:
            errors.extend(row_errors)
            continue
        assert month is not None and start is not None and lost is not None
        gained = counts["customers_gained"]
        assert gained is not None
        valid.append(
            PeriodRow(
                row=raw.row,
                month=month,
                team_code=team_code,
                customers_at_start=start,
                customers_lost=lost,
                customers_gained=gained,
                revenue=revenue,
                source=source,
            )
        )
    return Parsed(rows=tuple(valid), errors=sorted_errors(errors))


def read_csv(data: bytes, *, max_rows: int = MAX_ROWS) -> tuple[list[RawRow], list[RowError]]:
    """The file's rows by column name, or the errors that stop it being read at all."""
    text, errors = decode(data)
    if errors:
        return [], [RowError(None, "", e.reason.replace("people list", "figures")) for e in errors]
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))
    except csv.Error as exc:
        return [], [RowError(None, "", f"The file could not be read as CSV ({exc}).")]
    numbered = [(i, rec) for i, rec in enumerate(records, start=1) if any(c.strip() for c in rec)]
    if not numbered:
        return [], [RowError(None, "", "The file is empty.")]
    header_row, header = numbered[0]
    names = [normalise_header(cell) for cell in header]
    problems: list[RowError] = []
    seen: set[str] = set()
    for name in names:
        if name in COLUMNS and name in seen:
            problems.append(RowError(header_row, name, f"The column “{name}” appears twice."))
        seen.add(name)
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            problems.append(
                RowError(header_row, column, f"The required column “{column}” is missing.")
            )
    data_rows = numbered[1:]
    if len(data_rows) > max_rows:
        problems.append(
            RowError(
                None,
                "",
                f"The file has {len(data_rows):,} rows; one import takes at most {max_rows:,}.",
            )
        )
    if not data_rows:
        problems.append(RowError(None, "", "The file has a header but no months in it."))
    if problems:
        return [], problems
    rows: list[RawRow] = []
    for number, record in data_rows:
        if any(c.strip() for c in record[len(names) :]):
            problems.append(
                RowError(
                    number,
                    "",
                    f"This row has {len(record)} cells but the header has {len(names)}; "
                    "a value that contains the delimiter must be in double quotes.",
                )
            )
            continue
        values = {
            name: record[i] if i < len(record) else ""
            for i, name in enumerate(names)
            if name in COLUMNS
        }
        rows.append(RawRow(row=number, values=values))
    return rows, problems


def parse_csv(data: bytes, *, today: dt.date) -> Parsed:
    rows, errors = read_csv(data)
    if not rows and errors:
        return Parsed(errors=sorted_errors(errors))
    parsed = validate_rows(rows, today=today)
    return Parsed(rows=parsed.rows, errors=sorted_errors([*errors, *parsed.errors]))


def parse_records(records: Sequence[object], *, today: dt.date) -> Parsed:
    raw = [
        RawRow(row=i, values=r if isinstance(r, Mapping) else None)  # type: ignore[arg-type]
        for i, r in enumerate(records, start=1)
    ]
    if len(raw) > MAX_ROWS:
        return Parsed(
            errors=(
                RowError(None, "", f"At most {MAX_ROWS:,} records per request; got {len(raw):,}."),
            )
        )
    return validate_rows(raw, today=today)


def template_csv() -> str:
    return (
        ",".join(COLUMNS)
        + "\n2026-01,,12000,240,310,1850000.00,crm\n2026-01,BILL-EMEA,3100,70,85,410000.00,crm\n"
    )
