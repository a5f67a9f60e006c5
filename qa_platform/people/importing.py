"""Pure parsing and validation of the HR people export: bytes or records in, a plan or errors out.

No ORM here. The service in `imports.py` runs these checks first, adds the ones that need the
database (unknown parent team, an employee id that belongs to someone else, ...), and only then
writes. Every bad row is reported with its row number, column and reason; nothing is skipped.

Row numbers are the ones a person sees in a spreadsheet: the header is row 1, the first data row is
row 2, and blank lines count. For API batches row 1 is the first item of the `people` array.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .roles import Role

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024

COLUMNS: tuple[str, ...] = (
    "email",
    "full_name",
    "employee_id",
    "team_code",
    "team_name",
    "parent_team_code",
    "team_kind",
    "roles",
    "start_date",
    "active",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("email",)
TEAM_COLUMNS: tuple[str, ...] = ("code", "name", "parent_code", "kind")

# Mirrors people.models.TeamKind (a test keeps the two in step); kept here so this module needs
# no models.
TEAM_KINDS: tuple[str, ...] = ("organisation", "department", "team")
DEFAULT_TEAM_KIND = "team"

MAX_LENGTHS: dict[str, int] = {
    "email": 254,
    "full_name": 200,
    "employee_id": 64,
    "team_code": 64,
    "team_name": 200,
    "parent_team_code": 64,
    "code": 64,
    "name": 200,
    "parent_code": 64,
}

TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ROLE_SPLIT = re.compile(r"[;,|]")
_PERSON_TEAM_COLUMNS = frozenset({"team_code", "team_name", "parent_team_code"})


def _role_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


# Role values ("qa_manager") and their labels ("QA manager", "Team lead") both work.
ROLE_LOOKUP: dict[str, str] = {
    **{_role_key(str(r.label)): r.value for r in Role},
    **{r.value: r.value for r in Role},
}


# --- Dataclasses ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as the person counts it (None: the file as a whole), column, reason."""

    row: int | None
    column: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.column or None, "reason": self.reason}


@dataclass(frozen=True)
class RawRow:
    """One record before validation: its row number and values by (normalised) column name."""

    row: int
    values: Mapping[str, object]


@dataclass(frozen=True)
class ColumnMapping:
    """How one header cell was understood: the column it feeds, or None when it is ignored."""

    header: str
    column: str | None


@dataclass(frozen=True)
class PersonRow:
    """A valid person row. None means "not given: leave the stored value as it is"."""

    row: int
    email: str
    full_name: str | None
    employee_id: str | None
    team_code: str | None
    roles: tuple[str, ...]
    start_date: dt.date
    active: bool


@dataclass(frozen=True)
class TeamSpec:
    """What the input says about one team code, gathered from every row that mentions it.

    `name`, `parent_code` and `kind` are None when no row gives them (existing teams keep theirs;
    a new team needs a name, sits at the top of the tree and is of kind "team").
    """

    code: str
    name: str | None = None
    parent_code: str | None = None
    kind: str | None = None
    rows: tuple[int, ...] = ()  # rows that use this code as their team (or define it)
    name_rows: tuple[int, ...] = ()  # rows that give a name
    parent_rows: tuple[int, ...] = ()  # rows that give a parent


@dataclass(frozen=True)
class ImportPlan:
    people: tuple[PersonRow, ...] = ()
    teams: Mapping[str, TeamSpec] = field(default_factory=dict)
    # Parent codes the input refers to without defining them: they must exist already.
    parent_refs: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    columns: tuple[ColumnMapping, ...] = ()
    row_count: int = 0


@dataclass(frozen=True)
class Validation:
    """The plan (valid rows only) and every error found. Import only when `ok`."""

    plan: ImportPlan
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Reading the file -----------------------------------------------------------------------


def error_sort_key(error: RowError) -> tuple[int, int, str]:
    order = {c: i for i, c in enumerate(COLUMNS + TEAM_COLUMNS)}
    return (error.row or 0, order.get(error.column, len(order)), error.reason)


def sorted_errors(errors: Iterable[RowError]) -> tuple[RowError, ...]:
    return tuple(sorted(set(errors), key=error_sort_key))


def decode(data: bytes) -> tuple[str, list[RowError]]:
    """UTF-8 text (a byte-order mark is dropped), or one clear error."""
    if not data.strip():
        return "", [RowError(None, "", "The file is empty. Export the people list and try again.")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", [
            RowError(
                None,
                "",
                "The file is UTF-16 text, not UTF-8. Save it as “CSV UTF-8” and upload it again.",
            )
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        return "", [
            RowError(
                None,
                "",
                f"The file is not UTF-8 text (first bad byte on row {row}). If it is a "
                "spreadsheet, save it as “CSV UTF-8 (comma delimited)” and upload it again.",
            )
        ]
    if "\x00" in text:
        return "", [
            RowError(None, "", "This is not a CSV file: it contains binary data. Upload a .csv.")
        ]
    return text, []


def sniff_delimiter(text: str) -> str:
    """Comma or semicolon, whichever the header line uses more."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def normalise_header(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def read_table(
    text: str, *, max_rows: int = MAX_ROWS
) -> tuple[tuple[ColumnMapping, ...], list[RawRow], list[RowError]]:
    """Split CSV text into a header mapping and raw rows. Blank lines are skipped but counted."""
    errors: list[RowError] = []
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))
    except csv.Error as exc:
        return (), [], [RowError(None, "", f"The file could not be read as CSV ({exc}).")]

    numbered = [(i, rec) for i, rec in enumerate(records, start=1) if any(c.strip() for c in rec)]
    if not numbered:
        return (
            (),
            [],
            [RowError(None, "", "The file is empty. Export the people list and try again.")],
        )
    header_row, header = numbered[0]
    mapping: list[ColumnMapping] = []
    seen: dict[str, int] = {}
    for cell in header:
        name = normalise_header(cell)
        known = name if name in COLUMNS else None
        if known and known in seen:
            errors.append(RowError(header_row, known, f"The column “{known}” appears twice."))
            known = None
        if known:
            seen[known] = len(mapping)
        mapping.append(ColumnMapping(header=cell.strip(), column=known))
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            errors.append(
                RowError(header_row, column, f"The required column “{column}” is missing.")
            )

    data = numbered[1:]
    if len(data) > max_rows:
        errors.append(
            RowError(
                None,
                "",
                f"The file has {len(data):,} rows; one import takes at most {max_rows:,}. "
                "Split it into smaller files.",
            )
        )
        return tuple(mapping), [], errors
    if not data and not errors:
        errors.append(RowError(None, "", "The file has a header but no people in it."))

    rows: list[RawRow] = []
    for number, record in data:
        extra = [c for c in record[len(mapping) :] if c.strip()]
        if extra:
            errors.append(
                RowError(
                    number,
                    "",
                    f"This row has {len(record)} cells but the header has {len(mapping)}; "
                    "a value that contains the delimiter must be in double quotes.",
                )
            )
            continue
        values = {
            m.column: record[i] if i < len(record) else ""
            for i, m in enumerate(mapping)
            if m.column
        }
        rows.append(RawRow(row=number, values=values))
    return tuple(mapping), rows, errors


def parse_csv(data: bytes, *, today: dt.date, max_rows: int = MAX_ROWS) -> Validation:
    """The whole pure pipeline for an uploaded file."""
    text, errors = decode(data)
    if errors:
        return Validation(plan=ImportPlan(), errors=tuple(errors))
    columns, rows, errors = read_table(text, max_rows=max_rows)
    if not rows or any(e.row is None or e.column in REQUIRED_COLUMNS for e in errors):
        return Validation(plan=ImportPlan(columns=columns), errors=sorted_errors(errors))
    validation = validate_people(rows, today=today, columns=columns)
    return Validation(plan=validation.plan, errors=sorted_errors([*errors, *validation.errors]))


# --- Validating values ----------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


def parse_active(value: object) -> bool | None:
    """True/False, or None when the value is not one of the accepted words."""
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text or text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def parse_date(value: object, *, today: dt.date) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return today
    if not _ISO_DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_roles(value: object) -> tuple[tuple[str, ...], list[str]]:
    """(known roles in order, unknown words)."""
    items: Iterable[object] = (
        value if isinstance(value, list | tuple) else _ROLE_SPLIT.split(_text(value))
    )
    roles: list[str] = []
    unknown: list[str] = []
    for item in items:
        word = _text(item)
        if not word:
            continue
        role = ROLE_LOOKUP.get(_role_key(word))
        if role is None:
            unknown.append(word)
        elif role not in roles:
            roles.append(role)
    return tuple(roles), unknown


def is_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def _too_long(row: int, column: str, text: str) -> RowError | None:
    limit = MAX_LENGTHS.get(column)
    if limit and len(text) > limit:
        return RowError(row, column, f"Too long: {len(text)} characters, at most {limit}.")
    return None


@dataclass
class _TeamAcc:
    name: str | None = None
    parent: str | None = None
    kind: str | None = None
    first: dict[str, int] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    name_rows: list[int] = field(default_factory=list)
    parent_rows: list[int] = field(default_factory=list)


class _TeamCollector:
    """Gathers what rows say about each team code and reports rows that contradict each other."""

    def __init__(self, *, code: str, name: str, parent: str, kind: str) -> None:
        self.columns = {"code": code, "name": name, "parent": parent, "kind": kind}
        self.specs: dict[str, _TeamAcc] = {}
        self.parent_refs: dict[str, list[int]] = {}
        self.errors: list[RowError] = []

    def _agree(self, row: int, code: str, key: str, value: str, what: str) -> bool:
        acc = self.specs[code]
        current = getattr(acc, key)
        if current is None:
            setattr(acc, key, value)
            acc.first[key] = row
            return True
        if current != value:
            self.errors.append(
                RowError(
                    row,
                    self.columns[key],
                    f"Team code “{code}” has {what} “{current}” on row {acc.first[key]} "
                    f"but “{value}” here.",
                )
            )
            return False
        return True

    def add(self, row: int, code: str, name: str, parent: str, kind: str | None) -> None:
        acc = self.specs.setdefault(code, _TeamAcc())
        acc.rows.append(row)
        if name and self._agree(row, code, "name", name, "the name"):
            acc.name_rows.append(row)
        if parent:
            self.parent_refs.setdefault(parent, []).append(row)
            if self._agree(row, code, "parent", parent, "the parent team"):
                acc.parent_rows.append(row)
        if kind:
            self._agree(row, code, "kind", kind, "the kind")

    def finish(self) -> tuple[dict[str, TeamSpec], dict[str, tuple[int, ...]]]:
        teams = {
            code: TeamSpec(
                code=code,
                name=acc.name,
                parent_code=acc.parent,
                kind=acc.kind,
                rows=tuple(acc.rows),
                name_rows=tuple(acc.name_rows),
                parent_rows=tuple(acc.parent_rows),
            )
            for code, acc in self.specs.items()
        }
        for node in sorted(find_cycles({c: t.parent_code for c, t in teams.items()})):
            for row in teams[node].parent_rows:
                self.errors.append(
                    RowError(
                        row,
                        self.columns["parent"],
                        f"Team “{node}” would end up inside itself: its parents form a loop.",
                    )
                )
        undefined = {
            code: tuple(rows) for code, rows in self.parent_refs.items() if code not in teams
        }
        return teams, undefined


def validate_people(
    rows: Sequence[RawRow], *, today: dt.date, columns: tuple[ColumnMapping, ...] = ()
) -> Validation:
    """Check every row; collect every error. Values may be text (CSV) or typed (API)."""
    errors: list[RowError] = []
    people: list[PersonRow] = []
    emails: dict[str, int] = {}
    employee_ids: dict[str, int] = {}
    teams = _TeamCollector(
        code="team_code", name="team_name", parent="parent_team_code", kind="team_kind"
    )

    for raw in rows:
        n = raw.row
        v = {c: raw.values.get(c) for c in COLUMNS}
        row_errors: list[RowError] = []
        text = {c: _text(v[c]) for c in COLUMNS if c != "roles"}
        for column, value in text.items():
            if (err := _too_long(n, column, value)) is not None:
                row_errors.append(err)

        email = text["email"].lower()
        if not email:
            row_errors.append(RowError(n, "email", "The email address is missing."))
        elif not is_email(email):
            row_errors.append(RowError(n, "email", f"“{text['email']}” is not an email address."))
        elif email in emails:
            row_errors.append(
                RowError(n, "email", f"{email} is also on row {emails[email]}; one row per person.")
            )
        else:
            emails[email] = n

        employee_id = text["employee_id"]
        if employee_id:
            if employee_id in employee_ids:
                row_errors.append(
                    RowError(
                        n,
                        "employee_id",
                        f"Employee id {employee_id} is also on row {employee_ids[employee_id]}.",
                    )
                )
            else:
                employee_ids[employee_id] = n

        roles, unknown = parse_roles(v["roles"])
        if unknown:
            row_errors.append(
                RowError(
                    n,
                    "roles",
                    f"Unknown role{'s' if len(unknown) > 1 else ''} "
                    f"{', '.join(f'“{u}”' for u in unknown)}; use {', '.join(Role.values)}.",
                )
            )

        start = parse_date(v["start_date"], today=today)
        if start is None:
            row_errors.append(
                RowError(
                    n,
                    "start_date",
                    f"“{text['start_date']}” is not a date; write it as YYYY-MM-DD, "
                    "e.g. 2025-03-01.",
                )
            )

        active = parse_active(v["active"])
        if active is None:
            row_errors.append(
                RowError(n, "active", f"“{text['active']}” is not one of true/false/yes/no/1/0.")
            )

        code = text["team_code"]
        kind = text["team_kind"].lower() or None
        if kind is not None and kind not in TEAM_KINDS:
            row_errors.append(
                RowError(
                    n,
                    "team_kind",
                    f"“{text['team_kind']}” is not a team kind; use {', '.join(TEAM_KINDS)}.",
                )
            )
            kind = None
        parent = text["parent_team_code"]
        if not code:
            for column in ("team_name", "parent_team_code", "team_kind"):
                if text[column]:
                    row_errors.append(
                        RowError(n, column, f"Give a team_code too: {column} describes that team.")
                    )
            if roles:
                row_errors.append(
                    RowError(
                        n, "roles", "Give a team_code: roles are granted on the person's team."
                    )
                )
        elif parent == code:
            row_errors.append(RowError(n, "parent_team_code", "A team cannot be its own parent."))
        elif not any(e.column in _PERSON_TEAM_COLUMNS for e in row_errors):
            teams.add(n, code, text["team_name"], parent, kind)

        errors.extend(row_errors)
        if not row_errors and start is not None and active is not None:
            people.append(
                PersonRow(
                    row=n,
                    email=email,
                    full_name=text["full_name"] or None,
                    employee_id=employee_id or None,
                    team_code=code or None,
                    roles=roles,
                    start_date=start,
                    active=active,
                )
            )

    specs, undefined = teams.finish()
    errors.extend(teams.errors)
    plan = ImportPlan(
        people=tuple(people),
        teams=specs,
        parent_refs=undefined,
        columns=columns,
        row_count=len(rows),
    )
    return Validation(plan=plan, errors=sorted_errors(errors))


def validate_teams(rows: Sequence[RawRow]) -> Validation:
    """The teams-only batch: code (required), name, parent_code, kind. One row per code."""
    errors: list[RowError] = []
    teams = _TeamCollector(code="code", name="name", parent="parent_code", kind="kind")
    seen: dict[str, int] = {}
    for raw in rows:
        n = raw.row
        text = {c: _text(raw.values.get(c)) for c in TEAM_COLUMNS}
        row_errors = [e for c, t in text.items() if (e := _too_long(n, c, t)) is not None]
        code = text["code"]
        kind = text["kind"].lower() or None
        if not code:
            row_errors.append(RowError(n, "code", "The team code is missing."))
        elif code in seen:
            row_errors.append(RowError(n, "code", f"Team code {code} is also on row {seen[code]}."))
        else:
            seen[code] = n
        if kind is not None and kind not in TEAM_KINDS:
            row_errors.append(
                RowError(
                    n, "kind", f"“{text['kind']}” is not a team kind; use {', '.join(TEAM_KINDS)}."
                )
            )
        if code and text["parent_code"] == code:
            row_errors.append(RowError(n, "parent_code", "A team cannot be its own parent."))
        errors.extend(row_errors)
        if not row_errors:
            teams.add(n, code, text["name"], text["parent_code"], kind)
    specs, undefined = teams.finish()
    errors.extend(teams.errors)
    plan = ImportPlan(teams=specs, parent_refs=undefined, row_count=len(rows))
    return Validation(plan=plan, errors=sorted_errors(errors))


def find_cycles(parent_of: Mapping[str, str | None]) -> set[str]:
    """Nodes that are their own ancestor when following `parent_of` (a missing key is a root)."""
    on_cycle: set[str] = set()
    done: set[str] = set()
    for start in parent_of:
        path: list[str] = []
        index: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in index:
            index[node] = len(path)
            path.append(node)
            node = parent_of.get(node)
        if node is not None and node in index:
            on_cycle.update(path[index[node] :])
        done.update(path)
    return on_cycle


# --- The template ---------------------------------------------------------------------------

# Grace heads the Support department (created at the top of the tree); Ada joins its Billing
# team. Imported into an empty platform, the two rows create both teams and both people.
TEMPLATE_ROWS: tuple[tuple[str, ...], ...] = (
    (
        "grace.hopper@example.com",
        "Grace Hopper",
        "E1001",
        "SUP",
        "Support",
        "",
        "department",
        "lead;reviewer",
        "2024-09-02",
        "true",
    ),
    (
        "ada.lovelace@example.com",
        "Ada Lovelace",
        "E1002",
        "SUP-BILL",
        "Billing",
        "SUP",
        "team",
        "agent",
        "2025-01-06",
        "true",
    ),
)


def template_csv() -> str:
    """The header and two example rows, as a downloadable starting point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue()
