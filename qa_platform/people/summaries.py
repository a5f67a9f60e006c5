"""Flat read models for lists of people with their current teams and active roles.

Lists of people (the people page, the API) show each person's team and roles. Prefetching model
instances built four objects per row and was a third of the page's time in bench/; plain tuples
carry the same facts. The API attaches them in two queries (`attach_teams_and_roles`); the people
page gets its page, the teams, the roles and the total count in one (`people_page`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import NotSupportedError, connections
from django.db.models import QuerySet
from django.utils import timezone

from .models import Membership, RoleGrant, Team, User
from .roles import Role


@dataclass(frozen=True)
class TeamRef:
    pk: int
    name: str
    code: str | None
    start: dt.date


@dataclass(frozen=True)
class GrantRef:
    role: str
    team_pk: int
    team_name: str
    team_code: str | None

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def attach_teams_and_roles[P: Iterable[User]](people: P) -> P:
    """Set `teams_now` (by name) and `grants_now` (by role) on each person; returns `people`."""
    ids = [p.pk for p in people]
    teams: dict[int, list[TeamRef]] = defaultdict(list)
    grants: dict[int, list[GrantRef]] = defaultdict(list)
    if ids:
        memberships = (
            Membership.objects.current()
            .filter(user_id__in=ids)
            .order_by("team__name", "pk")
            .values_list("user_id", "team_id", "team__name", "team__external_id", "start")
        )
        for user_id, pk, name, code, start in memberships:
            teams[user_id].append(TeamRef(pk, name, code, start))
        active = (
            RoleGrant.objects.active()
            .filter(user_id__in=ids)
            .order_by("role", "team__path")
            .values_list("user_id", "role", "team_id", "team__name", "team__external_id")
        )
        for user_id, role, pk, name, code in active:
            grants[user_id].append(GrantRef(role, pk, name, code))
    for person in people:
        person.teams_now = teams[person.pk]  # type: ignore[attr-defined]
        person.grants_now = grants[person.pk]  # type: ignore[attr-defined]
    return people


# ---------------------------------------------------------------------------------------------
# One page of the people list in one query
# ---------------------------------------------------------------------------------------------

# A team as the people list's team picker needs it: pk, name, depth, is_active, path.
TeamRow = tuple[int, str, int, bool, str]


@dataclass(slots=True)  # not frozen: building frozen ones took three times as long
class PersonSummary:
    """A person as the people list shows them."""

    pk: int
    email: str
    full_name: str
    is_active: bool
    teams: tuple[str, ...]  # current teams' names, by name
    grants: tuple[tuple[str, str], ...]  # active grants as (role, team name), by role, team path


@dataclass(frozen=True, slots=True)
class PeoplePage:
    people: list[PersonSummary]  # empty when the page is past the last one
    total: int  # people on all pages together
    teams: list[TeamRow] | None  # the teams asked for (`teams=`), in tree order


def team_rows(teams: QuerySet[Team]) -> list[TeamRow]:
    """`teams` in tree order (by path), as rows for a picker."""
    rows = teams.order_by().values_list("pk", "name", "depth", "is_active", "path")
    return sorted(rows, key=lambda row: row[4])


def people_page(
    people: QuerySet[User],
    *,
    offset: int,
    limit: int,
    teams: QuerySet[Team] | None = None,
) -> PeoplePage:
    """A page of `people` (scoped and filtered) sorted by name, then email, each person with
    their current teams and active roles; how many `people` there are; and, when given, the rows
    of `teams`. All in one query. `people` and `teams` are plain filters of their model (no
    distinct, no slice): they are used as the subqueries picking the rows.

    The query is written out here around the compiled `people` (and `teams`): built from nested
    querysets and expressions, Django took more CPU to compile it than the database took to run
    it, and the count and the teams needed queries of their own (bench/). Its first row carries
    the count and the teams; then come the page's people. The page's people are picked first and
    only they get their teams and roles looked up, through the indexes on user, so a deep page
    costs what the first one does; the count and the teams are computed once. It names the
    columns of people/models.py; PostgreSQL and SQLite only, like the project.
    """
    connection = connections[people.db]
    quote = connection.ops.quote_name
    user, membership, grant, team = (
        quote(model._meta.db_table) for model in (User, Membership, RoleGrant, Team)
    )
    try:
        scope, scope_params = _pks_sql(people)
    except EmptyResultSet:  # a filter that can match nothing, e.g. pk__in=[]
        return PeoplePage([], 0, None if teams is None else team_rows(teams))
    # The scope's own table is not aliased when compiled on its own: it gives the page's order.
    order = f"{user}.{quote('full_name')}, {user}.{quote('email')}, {user}.{quote('id')}"
    teams_sql, teams_params = "NULL", ()
    if teams is not None:
        try:
            in_teams, teams_params = _pks_sql(teams)
        except EmptyResultSet:  # no teams: the picker's column stays NULL, an empty list
            pass
        else:
            rows_of = _json_rows_sql(connection, "x.id, x.name, x.depth, x.is_active, x.path")
            teams_sql = f"(SELECT {rows_of} FROM {team} x WHERE x.id IN ({in_teams}))"  # noqa: S608
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    # Interpolated: compiled querysets, table names and the fixed SQL above; never input.
    sql = f"""
        SELECT 0 AS part, NULL AS id, NULL AS email, NULL AS full_name, NULL AS is_active,
            (SELECT COUNT(*) FROM ({scope}) everyone) AS total, {teams_sql} AS teams,
            NULL AS grants
        UNION ALL
        SELECT 1, u.id, u.email, u.full_name, u.is_active, NULL,
            (SELECT {_json_rows_sql(connection, "t.name, m.id")}
                FROM {membership} m INNER JOIN {team} t ON t.id = m.team_id
                WHERE m.user_id = u.id AND m.start <= %s AND (m."end" IS NULL OR m."end" > %s)),
            (SELECT {_json_rows_sql(connection, "g.role, t.path, t.name")}
                FROM {grant} g INNER JOIN {team} t ON t.id = g.team_id
                WHERE g.user_id = u.id AND g.revoked_at IS NULL)
        FROM {user} u
        WHERE u.id IN ({scope} ORDER BY {order} LIMIT %s OFFSET %s)
        ORDER BY 1, 4, 3, 2
    """  # noqa: S608
    params = (*scope_params, *teams_params, today, today, *scope_params, limit, offset)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (*_, total, teams_of_picker, _), *rows = cursor.fetchall()
    # One JSON document for the page: [picker's teams, [teams, grants] of each person]. Parsing
    # two small documents per person took four times as long.
    document = ",".join(
        [f"[{teams_of_picker or ''}]", *(f"[[{t or ''}],[{g or ''}]]" for *_, t, g in rows)]
    )
    picker_teams, *teams_and_grants = json.loads(f"[{document}]")
    summaries = []
    for (_, pk, email, full_name, is_active, *_), (current, grants) in zip(
        rows, teams_and_grants, strict=True
    ):
        current.sort()  # [team name, membership pk]: by name, then membership
        grants.sort()  # [role, team path, team name]: by role, then team path
        summaries.append(
            PersonSummary(
                pk,
                email,
                full_name,
                bool(is_active),
                tuple([name for name, _ in current]),
                tuple([(role, name) for role, _, name in grants]),
            )
        )
    picker = None
    if teams is not None:
        picker_teams.sort(key=lambda row: row[4])  # [pk, name, depth, is_active, path]
        picker = [
            (pk, name, depth, bool(active), path) for pk, name, depth, active, path in picker_teams
        ]
    return PeoplePage(summaries, total, picker)


def _pks_sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """The SQL selecting the primary keys of `queryset` (unordered), and its parameters."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def _json_rows_sql(connection: Any, fields: str) -> str:
    """SQL aggregating the rows' `fields` into one text value: a JSON array per row, joined with
    commas, in no particular order (SQLite before 3.44 cannot order inside an aggregate)."""
    if connection.vendor == "postgresql":
        return f"STRING_AGG(JSON_BUILD_ARRAY({fields})::text, ',')"
    if connection.vendor == "sqlite":
        return f"GROUP_CONCAT(JSON_ARRAY({fields}), ',')"
    raise NotSupportedError("The people list runs on PostgreSQL and SQLite only.")
