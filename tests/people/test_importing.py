"""The pure import rules (no database): reading the file, and every kind of bad row."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_platform.people.importing import (
    COLUMNS,
    MAX_BYTES,
    TEAM_KINDS,
    RawRow,
    RowError,
    Validation,
    find_cycles,
    parse_csv,
    sniff_delimiter,
    template_csv,
    validate_people,
    validate_teams,
)
from qa_platform.people.models import TeamKind
from qa_platform.people.roles import Role

TODAY = dt.date(2026, 3, 2)
HEADER = ",".join(COLUMNS)


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def parse(*lines: str, header: str = HEADER, **kwargs: object) -> Validation:
    return parse_csv(csv_bytes(*lines, header=header), today=TODAY, **kwargs)  # type: ignore[arg-type]


def errors_of(result: Validation) -> set[tuple[int | None, str]]:
    return {(e.row, e.column) for e in result.errors}


GOOD = "ada@example.com,Ada Lovelace,E1,BILL,Billing,,team,agent,2025-01-06,true"


# --- Reading ------------------------------------------------------------------------------


def test_a_good_file_gives_a_plan_with_typed_values() -> None:
    result = parse(GOOD)
    assert result.ok
    (person,) = result.plan.people
    assert person.row == 2
    assert person.email == "ada@example.com"
    assert person.full_name == "Ada Lovelace"
    assert person.employee_id == "E1"
    assert person.team_code == "BILL"
    assert person.roles == ("agent",)
    assert person.start_date == dt.date(2025, 1, 6)
    assert person.active is True
    assert result.plan.teams["BILL"].name == "Billing"
    assert result.plan.teams["BILL"].kind == "team"


def test_the_template_is_a_valid_import_on_its_own() -> None:
    result = parse_csv(template_csv().encode(), today=TODAY)
    assert result.ok, result.errors
    assert len(result.plan.people) == 2
    assert result.plan.parent_refs == {}  # its parent team is defined in the file itself
    assert result.plan.teams["SUP-BILL"].parent_code == "SUP"


def test_a_byte_order_mark_is_ignored() -> None:
    result = parse_csv(b"\xef\xbb\xbf" + csv_bytes(GOOD), today=TODAY)
    assert result.ok
    assert result.plan.columns[0].column == "email"


def test_semicolon_separated_files_are_read() -> None:
    line = 'ada@example.com;Ada;E1;BILL;Billing;;team;"agent;reviewer";2025-01-06;yes'
    result = parse(line, header=HEADER.replace(",", ";"))
    assert result.ok, result.errors
    assert result.plan.people[0].roles == ("agent", "reviewer")


@pytest.mark.parametrize(
    ("text", "delimiter"), [("a,b;c,d", ","), ("a;b;c,d", ";"), ("\n\nemail", ",")]
)
def test_the_delimiter_is_the_one_the_header_uses_most(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter


def test_headers_are_case_insensitive_and_surrounding_spaces_ignored() -> None:
    result = parse("ada@example.com , Ada ", header="  EMAIL ,Full Name")
    assert result.ok
    assert result.plan.people[0].full_name == "Ada"
    assert [m.column for m in result.plan.columns] == ["email", "full_name"]


def test_unknown_columns_are_shown_as_ignored_in_the_mapping() -> None:
    result = parse("ada@example.com,42", header="email,shoe size")
    assert result.ok
    assert result.plan.columns[1].header == "shoe size"
    assert result.plan.columns[1].column is None


def test_blank_lines_are_skipped_but_still_counted_in_row_numbers() -> None:
    result = parse("", "ada@example.com", ",,,", "not-an-email", header="email")
    assert result.errors == (RowError(5, "email", "“not-an-email” is not an email address."),)
    assert [p.row for p in result.plan.people] == [3]


def test_windows_line_endings_and_quoted_commas_are_read() -> None:
    data = b'email,full_name\r\nada@example.com,"Lovelace, Ada"\r\n'
    result = parse_csv(data, today=TODAY)
    assert result.ok
    assert result.plan.people[0].full_name == "Lovelace, Ada"


def test_only_the_email_column_is_required() -> None:
    result = parse("ada@example.com", header="email")
    assert result.ok
    person = result.plan.people[0]
    assert (person.full_name, person.employee_id, person.team_code) == (None, None, None)
    assert person.start_date == TODAY
    assert person.active is True
    assert person.roles == ()


# --- Whole-file errors --------------------------------------------------------------------


def test_a_missing_required_column_is_reported_once_on_row_1() -> None:
    result = parse("Ada", "Grace", "Alan", header="full_name")
    assert result.errors == (RowError(1, "email", "The required column “email” is missing."),)


def test_a_column_given_twice_is_reported_on_the_header_row() -> None:
    result = parse("a@example.com,b@example.com", header="email,EMAIL")
    assert (1, "email") in errors_of(result)


def test_an_empty_file_is_one_clear_error() -> None:
    for data in (b"", b"   \n\n", b"\xef\xbb\xbf"):
        result = parse_csv(data, today=TODAY)
        assert len(result.errors) == 1
        assert result.errors[0].row is None
        assert "empty" in result.errors[0].reason


def test_a_header_without_rows_is_an_error() -> None:
    result = parse(header="email,full_name")
    assert len(result.errors) == 1
    assert "no people" in result.errors[0].reason


def test_a_file_that_is_not_utf8_is_one_clear_error_naming_the_row() -> None:
    data = "email,full_name\nada@example.com,Zoë\n".encode("latin-1")
    result = parse_csv(data, today=TODAY)
    assert len(result.errors) == 1
    assert "not UTF-8" in result.errors[0].reason
    assert "row 2" in result.errors[0].reason


def test_a_utf16_file_is_named_as_such() -> None:
    result = parse_csv("email\nada@example.com\n".encode("utf-16"), today=TODAY)
    assert len(result.errors) == 1
    assert "UTF-16" in result.errors[0].reason


def test_binary_garbage_is_one_clear_error() -> None:
    for data in (bytes(range(256)) * 10, b"email\n\x00\x00\x00"):
        result = parse_csv(data, today=TODAY)
        assert len(result.errors) == 1, result.errors
        assert result.errors[0].row is None


def test_too_many_rows_is_one_error_and_no_row_is_checked() -> None:
    lines = [f"p{i}@example.com" for i in range(11)]
    result = parse(*lines, header="email", max_rows=10)
    assert len(result.errors) == 1
    assert "at most 10" in result.errors[0].reason
    assert parse(*lines[:10], header="email", max_rows=10).ok


def test_a_row_with_more_cells_than_the_header_is_reported() -> None:
    result = parse("ada@example.com,Lovelace, Ada", header="email,full_name")
    assert errors_of(result) == {(2, "")}
    assert "double quotes" in result.errors[0].reason


def test_the_byte_limit_leaves_room_for_the_row_limit() -> None:
    assert MAX_BYTES == 5 * 1024 * 1024


# --- Row errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        (",Ada,,,,,,,,", "email", "missing"),
        ("not-an-email,Ada,,,,,,,,", "email", "not an email"),
        ("ada@@example.com,Ada,,,,,,,,", "email", "not an email"),
        ("ada@example.com,Ada,,BILL,Billing,,,boss,,", "roles", "Unknown role “boss”"),
        ("ada@example.com,Ada,,,,,,,01/02/2025,", "start_date", "YYYY-MM-DD"),
        ("ada@example.com,Ada,,,,,,,2025-02-30,", "start_date", "not a date"),
        ("ada@example.com,Ada,,,,,,,20250201,", "start_date", "not a date"),
        ("ada@example.com,Ada,,,,,,,,maybe", "active", "true/false"),
        ("ada@example.com,Ada,,BILL,Billing,,squad,,,", "team_kind", "not a team kind"),
        ("ada@example.com,Ada,,,Billing,,,,,", "team_name", "team_code"),
        ("ada@example.com,Ada,,,,SUP,,,,", "parent_team_code", "team_code"),
        ("ada@example.com,Ada,,,,,department,,,", "team_kind", "team_code"),
        ("ada@example.com,Ada,,,,,,agent,,", "roles", "team_code"),
        ("ada@example.com,Ada,,BILL,Billing,BILL,,,,", "parent_team_code", "own parent"),
        (f"ada@example.com,{'x' * 201},,,,,,,,", "full_name", "Too long"),
        (f"ada@example.com,,{'9' * 65},,,,,,,", "employee_id", "Too long"),
        (f"ada@example.com,,,{'T' * 65},,,,,,", "team_code", "Too long"),
    ],
)
def test_each_kind_of_bad_value_is_reported_with_row_column_and_reason(
    line: str, column: str, words: str
) -> None:
    result = parse(line)
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    assert words in result.errors[0].reason
    assert result.plan.people == ()


def test_every_bad_row_is_listed_not_just_the_first() -> None:
    result = parse(
        GOOD,
        "bad-email,Bob,E2,,,,,,,",
        "carl@example.com,Carl,E3,BILL,Billing,,,wizard,,",
        "dee@example.com,Dee,E4,,,,,,13/13/2025,perhaps",
        "ada@example.com,Ada again,E5,,,,,,,",
        "eve@example.com,Eve,E1,,,,,,,",
    )
    assert errors_of(result) == {
        (3, "email"),
        (4, "roles"),
        (5, "start_date"),
        (5, "active"),
        (6, "email"),
        (7, "employee_id"),
    }
    assert [e.row for e in result.errors] == sorted(e.row or 0 for e in result.errors)
    assert "row 2" in next(e.reason for e in result.errors if e.row == 6)
    assert "row 2" in next(e.reason for e in result.errors if e.row == 7)


def test_duplicate_emails_are_found_whatever_their_letter_case() -> None:
    result = parse("Ada@Example.com", "ada@example.COM", header="email")
    assert errors_of(result) == {(3, "email")}


def test_roles_accept_values_labels_and_several_separators() -> None:
    result = parse(
        'ada@example.com,BILL,"Agent, QA reviewer | team lead;qa-manager;HR;Administrator;'
        'trainer;Training lead"',
        header="email,team_code,roles",
    )
    assert result.ok, result.errors
    assert result.plan.people[0].roles == tuple(Role.values)


def test_several_unknown_roles_are_named_in_one_error() -> None:
    result = parse('ada@example.com,BILL,"agent;boss;chief"', header="email,team_code,roles")
    assert len(result.errors) == 1
    assert "“boss”, “chief”" in result.errors[0].reason


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("true", True),
        ("YES", True),
        ("1", True),
        ("y", True),
        ("", True),
        ("false", False),
        ("No", False),
        ("0", False),
    ],
)
def test_active_flags(word: str, expected: bool) -> None:
    result = parse(f"ada@example.com,{word}", header="email,active")
    assert result.plan.people[0].active is expected


def test_team_kinds_mirror_the_model() -> None:
    assert set(TEAM_KINDS) == set(TeamKind.values)


# --- Teams inside the file ----------------------------------------------------------------


def test_a_team_code_used_with_two_names_is_reported_on_the_later_row() -> None:
    result = parse(
        "a@example.com,,,BILL,Billing,,,,,",
        "b@example.com,,,BILL,Billing,,,,,",
        "c@example.com,,,BILL,Invoices,,,,,",
        "d@example.com,,,BILL,,,,,,",
    )
    assert errors_of(result) == {(4, "team_name")}
    assert "row 2" in result.errors[0].reason


def test_a_team_code_used_with_two_parents_or_kinds_is_reported() -> None:
    result = parse(
        "s@example.com,,,SUP,Support,,department,,,",
        "x@example.com,,,SALES,Sales,,department,,,",
        "a@example.com,,,BILL,Billing,SUP,team,,,",
        "b@example.com,,,BILL,Billing,SALES,department,,,",
    )
    assert errors_of(result) == {(5, "parent_team_code"), (5, "team_kind")}


def test_a_parent_defined_by_another_row_is_not_an_outside_reference() -> None:
    result = parse(
        "a@example.com,,,BILL,Billing,SUP,,,,",
        "s@example.com,,,SUP,Support,,department,,,",
    )
    assert result.ok
    assert result.plan.parent_refs == {}


def test_parents_not_in_the_file_are_left_for_the_database_check_with_their_rows() -> None:
    result = parse(
        "a@example.com,,,BILL,Billing,SUP,,,,",
        "b@example.com,,,TECH,Tech,SUP,,,,",
    )
    assert result.ok
    assert result.plan.parent_refs == {"SUP": (2, 3)}


def test_a_loop_of_parents_inside_the_file_is_refused_on_every_row_that_makes_it() -> None:
    result = parse(
        "a@example.com,,,A,Team A,B,,,,",
        "b@example.com,,,B,Team B,C,,,,",
        "c@example.com,,,C,Team C,A,,,,",
        "d@example.com,,,D,Team D,A,,,,",
    )
    assert errors_of(result) == {
        (2, "parent_team_code"),
        (3, "parent_team_code"),
        (4, "parent_team_code"),
    }


def test_find_cycles_finds_only_nodes_on_a_loop() -> None:
    parent_of: dict[str, str | None] = {"a": "b", "b": "a", "c": "a", "d": None, "e": "e"}
    assert find_cycles(parent_of) == {"a", "b", "e"}
    assert find_cycles({"x": "y", "y": "z"}) == set()


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.none() | st.sampled_from("abcdefgh")))
def test_every_node_find_cycles_reports_is_its_own_ancestor(
    parent_of: dict[str, str | None],
) -> None:
    for node in find_cycles(parent_of):
        seen, current = set(), parent_of.get(node)
        while current is not None and current not in seen and current != node:
            seen.add(current)
            current = parent_of.get(current)
        assert current == node


# --- Records from the API -----------------------------------------------------------------


def test_api_records_number_rows_from_1_and_take_typed_values() -> None:
    rows = [
        RawRow(
            1, {"email": "a@example.com", "roles": ["agent"], "team_code": "B", "active": False}
        ),
        RawRow(2, {"email": "nope", "roles": ["boss"]}),
    ]
    result = validate_people(rows, today=TODAY)
    assert errors_of(result) == {(2, "email"), (2, "roles")}
    assert result.plan.people[0].active is False
    assert result.plan.people[0].roles == ("agent",)


def test_an_empty_batch_is_valid_and_plans_nothing() -> None:
    result = validate_people([], today=TODAY)
    assert result.ok
    assert result.plan.people == ()
    assert validate_teams([]).ok


def test_teams_batches_check_codes_kinds_duplicates_and_loops() -> None:
    result = validate_teams(
        [
            RawRow(1, {"code": "ORG", "name": "Acme", "kind": "organisation"}),
            RawRow(2, {"code": "", "name": "Nameless"}),
            RawRow(3, {"code": "ORG", "name": "Acme again"}),
            RawRow(4, {"code": "X", "name": "X", "kind": "tribe"}),
            RawRow(5, {"code": "Y", "name": "Y", "parent_code": "Z"}),
            RawRow(6, {"code": "Z", "name": "Z", "parent_code": "Y"}),
            RawRow(7, {"code": "W", "name": "W", "parent_code": "W"}),
        ]
    )
    assert errors_of(result) == {
        (2, "code"),
        (3, "code"),
        (4, "kind"),
        (5, "parent_code"),
        (6, "parent_code"),
        (7, "parent_code"),
    }
    assert validate_teams([RawRow(1, {"code": "A", "name": "A", "parent_code": "ORG"})]).ok
