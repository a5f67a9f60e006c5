"""The quality overview at scale (issue 4): the page against a hand-written SQL aggregate.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_overview_bench \\
        .venv/bin/python bench/overview_bench.py [--requests 30] [--warmup 3] [--reseed]

Seeds once (reused afterwards) with bulk inserts, apart from `seed_demo`: one department of 300
agents in 15 teams (plus its lead and a QA manager), 1,000,000 interactions over the last 6
months, 100,000 submitted quality reviews of them under a 15-criterion framework (1,500,000
ratings) and 200,000 customer feedback rows, then rebuilds the quality rollups from them (the bulk
inserts bypass the review services that keep them). Then, signed in as the department's lead, it
requests /quality/overview/?period=last-quarter through the Django test client (median of
`--requests`) and, in the same run, times hand-written SQL computing the same numbers (GROUP BY
team, agent, week, criterion and the feedback counts) through `cursor.execute`, once over the
reviews and ratings and once over the rollups as the page reads them, and prints them, the ratios
and the page's query count. It also checks that the figures from the rollups equal the figures
from the reviews (`build_overview(..., live=True)`; `--live` times that too). Budget (issue 4, on
PostgreSQL): page median ≤ 300 ms and ≤ 2 x the median of the SQL over the reviews. Exits 1 when
a budget fails or a figure differs, 2 when the bench cannot run.

Use a database of its own (as above): the 300 bench agents would otherwise show up in the people
bench of `bench/run.py`. Without BENCH_DATABASE_URL it uses SQLite (bench/bench.sqlite3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make the project importable

MARKER = "bench-overview-dept"  # the department's external id: seeded once, reused afterwards
TEAMS = 15
AGENTS = 300
INTERACTIONS = 1_000_000
REVIEWS = 100_000
FEEDBACK = 200_000
DAYS = 182
BATCH = 20_000
PAGE_MEDIAN_MS = 300.0
VS_SQL = 2.0
LEAD_EMAIL = "overview-lead@bench.test"
QA_EMAIL = "overview-qa@bench.test"
SOURCE = "bench-overview"
CHANNELS = ("call", "chat", "email", "messaging", "social")


# --- Seeding -----------------------------------------------------------------------------------


def framework_definition() -> Any:
    """15 criteria in 3 sections: a fatal yes/no, yes/no and 5-point criteria, one N/A-able."""
    from scorecards import framework_def as fd

    def five(key: str, title: str, weight: int = 1, na: bool = False) -> fd.Criterion:
        return fd.Criterion(
            key=key,
            title=title,
            guidance="",
            scale="five",
            options=fd.point_scale(5),
            weight=Decimal(weight),
            na_allowed=na,
        )

    def yes_no(key: str, title: str, severity: str = "normal") -> fd.Criterion:
        return fd.Criterion(
            key=key,
            title=title,
            guidance="",
            scale="yes_no",
            options=fd.yes_no_options(),
            weight=Decimal(1),
            severity=severity,
        )

    sections = (
        (
            "opening",
            "Opening",
            (
                yes_no("verify", "Verifies the customer's identity", "fatal"),
                yes_no("greet", "Greets and introduces themself"),
                five("listen", "Listens and confirms the need", 2),
                five("tone", "Keeps a friendly tone"),
                five("pace", "Adapts pace to the customer", na=True),
            ),
        ),
        (
            "resolution",
            "Resolution",
            (
                five("empathy", "Shows empathy", 2),
                five("knowledge", "Knows the product", 2),
                five("accuracy", "Gives accurate information", 2),
                yes_no("policy", "Follows the refund policy"),
                five("ownership", "Takes ownership"),
            ),
        ),
        (
            "closing",
            "Closing",
            (
                five("summary", "Summarises what happens next"),
                yes_no("extra", "Asks if there is anything else"),
                five("notes", "Writes clear case notes"),
                yes_no("tagging", "Tags the interaction correctly"),
                five("closing", "Closes warmly"),
            ),
        ),
    )
    return fd.FrameworkDef(
        name="Overview bench standard",
        scoring_mode="weighted",
        pass_mark=Decimal(80),
        use_section_weights=False,
        sections=tuple(
            fd.Section(key=key, title=title, weight=None, criteria=criteria)
            for key, title, criteria in sections
        ),
    )


def next_id(model: Any) -> int:
    from django.db.models import Max

    return int(model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def insert(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Bulk insert plain rows (ids given): COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    table = model._meta.db_table
    count = 0
    if connection.vendor == "postgresql":
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        )
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    statement_text = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'  # noqa: S608
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append([_sqlite_value(v) for v in row])
            if len(batch) >= BATCH:
                cursor.executemany(statement_text.replace("?", "%s"), batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(statement_text.replace("?", "%s"), batch)
            count += len(batch)
    return count


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        import json

        return json.dumps(value)
    return value


def reset_sequences(*models: Any) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def is_seeded() -> bool:
    from qa_platform.people.models import Team

    return Team.objects.filter(external_id=MARKER).exists()


@dataclass(frozen=True)
class Shape:
    """How much to seed; `Shape()` is the issue's scale, tests seed a tiny one."""

    teams: int = TEAMS
    agents: int = AGENTS
    interactions: int = INTERACTIONS
    reviews: int = REVIEWS
    feedback: int = FEEDBACK
    patterns: int = 400  # scored rating patterns per skill level


def seed(rng: random.Random, shape: Shape = Shape()) -> dict[str, float]:
    """Seed the department and its quality data; returns seconds per step."""
    from django.db import transaction
    from django.utils import timezone

    from qa_platform.people.models import Membership, RoleGrant, Team, TeamKind, User
    from qa_platform.people.roles import Role
    from qa_platform.people.services import create_team, grant_role, move_to_team
    from scorecards import framework_def as fd
    from scorecards import scoring
    from scorecards.models import (
        CustomerFeedback,
        Framework,
        FrameworkVersion,
        Interaction,
        Review,
        ReviewRating,
    )

    timings: dict[str, float] = {}
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        root = Team.objects.filter(parent__isnull=True).order_by("pk").first() or create_team(
            name="Bench organisation", kind=TeamKind.ORGANISATION
        )
        department = create_team(
            name="Customer care (overview bench)",
            kind=TeamKind.DEPARTMENT,
            parent=root,
            external_id=MARKER,
        )
        teams = [
            create_team(name=f"Care team {i + 1:02d}", parent=department)
            for i in range(shape.teams)
        ]
        users = [
            User(
                email=f"overview-agent-{i + 1:03d}@bench.test",
                full_name=f"Bench Agent {i + 1:03d}",
                password="!",  # unusable: nobody signs in as these
            )
            for i in range(shape.agents)
        ]
        users = User.objects.bulk_create(users)  # ids come back on PostgreSQL and SQLite
        start_day = today - dt.timedelta(days=DAYS + 30)
        Membership.objects.bulk_create(
            Membership(user=u, team=teams[i % shape.teams], start=start_day)
            for i, u in enumerate(users)
        )
        RoleGrant.objects.bulk_create(
            RoleGrant(user=u, role=Role.AGENT, team=teams[i % shape.teams])
            for i, u in enumerate(users)
        )
        lead = User.objects.create_user(LEAD_EMAIL, "bench-password", full_name="Overview Lead")
        move_to_team(person=lead, team=department, start=start_day)
        grant_role(person=lead, role=Role.LEAD, team=department)
        qa = User.objects.create_user(QA_EMAIL, "bench-password", full_name="Overview QA")
        move_to_team(person=qa, team=department, start=start_day)
        grant_role(person=qa, role=Role.QA_MANAGER, team=root)
        reviewer = User.objects.create_user(
            "overview-reviewer@bench.test", "bench-password", full_name="Overview Reviewer"
        )
        grant_role(person=reviewer, role=Role.REVIEWER, team=department)

        defn = framework_definition()
        framework = Framework.objects.create(name=defn.name, live=True)
        version = FrameworkVersion.objects.create(
            framework=framework, number=1, definition=fd.to_json(defn), published_at=now
        )
    timings["people, teams, framework"] = time.perf_counter() - started

    # A pool of rating patterns scored once by the real rules; each review takes one.
    pattern_started = time.perf_counter()
    criteria = defn.scoring_criteria
    patterns: list[list[tuple[Any, ...]]] = [[] for _ in range(5)]
    for skill in range(5):
        for _ in range(shape.patterns):
            ratings: dict[str, scoring.Rating] = {}
            for c in criteria:
                if c.na_allowed and rng.random() < 0.15:
                    ratings[c.key] = scoring.Rating(c.key, None, na=True)
                    continue
                if c.scale == "yes_no":
                    yes = rng.random() < (0.85 + 0.03 * skill if c.is_fatal else 0.6 + 0.08 * skill)
                    value = Decimal(1 if yes else 0)
                else:
                    value = Decimal(max(1, min(5, round(rng.gauss(2.2 + 0.6 * skill, 0.9)))))
                ratings[c.key] = scoring.Rating(c.key, value)
            result = scoring.score_review(defn, ratings)
            normalised = {r.key: r.normalised for r in result.criteria}
            patterns[skill].append(
                (
                    result.raw.quantize(Decimal("0.0001")) if result.raw is not None else None,
                    result.final.quantize(Decimal("0.0001")) if result.final is not None else None,
                    result.passed,
                    bool(result.fatal_failures),
                    tuple(
                        (
                            c.key,
                            ratings[c.key].value,
                            ratings[c.key].na,
                            normalised[c.key].quantize(Decimal("0.0001"))
                            if normalised[c.key] is not None
                            else None,
                        )
                        for c in criteria
                    ),
                )
            )
    timings["rating patterns"] = time.perf_counter() - pattern_started

    skill_of = {u.pk: rng.randrange(5) for u in users}
    team_of = {u.pk: teams[i % shape.teams].pk for i, u in enumerate(users)}
    agent_ids = [u.pk for u in users]
    first_interaction = next_id(Interaction)
    first_review = next_id(Review)
    first_rating = next_id(ReviewRating)
    first_feedback = next_id(CustomerFeedback)
    span = DAYS * 86400
    # Every interaction's (agent, time), drawn once so reviews and feedback can refer back.
    contacts = [
        (
            agent_ids[rng.randrange(shape.agents)],
            now - dt.timedelta(seconds=rng.randrange(span)),
            CHANNELS[rng.randrange(len(CHANNELS))],
        )
        for _ in range(shape.interactions)
    ]

    def interaction_rows() -> Iterator[tuple[Any, ...]]:
        for i, (agent, when, channel) in enumerate(contacts):
            yield (
                first_interaction + i,
                SOURCE,
                f"I{i:07d}",
                channel,
                agent,
                team_of[agent],
                when,
                300 + i % 600,
                "Billing",
                "",
                "",
                "",
                "",
                False,
                False,
                "{}",
                now,
                now,
            )

    step = time.perf_counter()
    with transaction.atomic():
        insert(
            Interaction,
            (
                "id",
                "source",
                "source_id",
                "channel",
                "agent_id",
                "team_id",
                "started_at",
                "duration_seconds",
                "queue",
                "topic",
                "recording_url",
                "recording_file",
                "ticket_url",
                "escalated",
                "repeat_contact",
                "custom_fields",
                "created_at",
                "updated_at",
            ),
            interaction_rows(),
        )
    timings[f"{shape.interactions:,} interactions"] = time.perf_counter() - step

    reviewed = rng.sample(range(shape.interactions), shape.reviews)
    chosen = [
        (first_review + j, i, patterns[skill_of[contacts[i][0]]][rng.randrange(shape.patterns)])
        for j, i in enumerate(reviewed)
    ]

    def review_rows() -> Iterator[tuple[Any, ...]]:
        for pk, i, pattern in chosen:
            agent, when, channel = contacts[i]
            raw, final, passed, fatal, _ = pattern
            yield (
                pk,
                first_interaction + i,
                version.pk,
                reviewer.pk,
                agent,
                team_of[agent],
                when,
                channel,
                "quality",
                "submitted",
                "app",
                "",
                raw,
                final,
                passed,
                fatal,
                "",
                "{}",
                when + dt.timedelta(days=1),
                when + dt.timedelta(days=1),
                when + dt.timedelta(days=1),
                None,
            )

    def rating_rows() -> Iterator[tuple[Any, ...]]:
        pk = first_rating
        for review_pk, _, pattern in chosen:
            for key, value, na, normalised in pattern[4]:
                yield (pk, review_pk, key, value, na, normalised, "", "", "[]")
                pk += 1

    step = time.perf_counter()
    with transaction.atomic():
        insert(
            Review,
            (
                "id",
                "interaction_id",
                "framework_version_id",
                "reviewer_id",
                "agent_id",
                "team_id",
                "interaction_started_at",
                "channel",
                "purpose",
                "status",
                "source",
                "external_id",
                "raw_score",
                "final_score",
                "passed",
                "fatal_failed",
                "comment",
                "answers",
                "started_at",
                "updated_at",
                "submitted_at",
                "acknowledged_at",
            ),
            review_rows(),
        )
    timings[f"{shape.reviews:,} reviews"] = time.perf_counter() - step
    step = time.perf_counter()
    with transaction.atomic():
        insert(
            ReviewRating,
            (
                "id",
                "review_id",
                "criterion_key",
                "value",
                "na",
                "normalised",
                "root_cause",
                "comment",
                "evidence",
            ),
            rating_rows(),
        )
    timings[f"{shape.reviews * len(criteria):,} ratings"] = time.perf_counter() - step

    answered = rng.sample(range(shape.interactions), shape.feedback)

    def feedback_rows() -> Iterator[tuple[Any, ...]]:
        for j, i in enumerate(answered):
            agent, when, _ = contacts[i]
            skill = skill_of[agent]
            csat = max(1, min(5, round(rng.gauss(3.0 + 0.4 * skill, 1.0))))
            nps = max(0, min(10, round(rng.gauss(6.0 + 0.8 * skill, 2.2))))
            yield (
                first_feedback + j,
                SOURCE,
                f"F{j:07d}",
                first_interaction + i,
                agent,
                team_of[agent],
                min(when + dt.timedelta(hours=6), now),
                csat,
                nps if rng.random() < 0.8 else None,
                None,
                "",
                "",
                now,
                now,
            )

    step = time.perf_counter()
    with transaction.atomic():
        insert(
            CustomerFeedback,
            (
                "id",
                "source",
                "source_id",
                "interaction_id",
                "agent_id",
                "team_id",
                "received_at",
                "csat",
                "nps",
                "ces",
                "ces_version",
                "comment",
                "created_at",
                "updated_at",
            ),
            feedback_rows(),
        )
    timings[f"{shape.feedback:,} feedback rows"] = time.perf_counter() - step
    reset_sequences(Interaction, Review, ReviewRating, CustomerFeedback)
    step = time.perf_counter()
    rebuild_rollups()
    timings["quality rollups (rebuilt from the reviews)"] = time.perf_counter() - step
    analyse()
    timings["total"] = time.perf_counter() - started
    return timings


def rebuild_rollups() -> None:
    """The bulk inserts above bypass the review services, which keep the rollups: rebuild."""
    from scorecards.services.rollups import rebuild

    rebuild()


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- The hand-written SQL ----------------------------------------------------------------------


def hand_written_queries(
    team_path: str, start: dt.datetime, end: dt.datetime, *, naive: bool = False
) -> list[tuple[str, list[Any]]]:
    """The overview's numbers as plain SQL: the same scope (the department's subtree), the same
    period, no ORM. By default the way the page computes them (review sums per team, agent and
    week in one GROUP BY; the criterion sums; feedback counts per team and agent; then the team
    and agent names), so the ratio measures what Django adds. `naive=True`: one GROUP BY per
    table instead, names joined in (6 queries)."""
    from django.db import connection

    from qa_platform.people.models import Team, User
    from scorecards.models import CustomerFeedback, FrameworkVersion, Review, ReviewRating

    review, team, user = Review._meta.db_table, Team._meta.db_table, User._meta.db_table
    rating, version = ReviewRating._meta.db_table, FrameworkVersion._meta.db_table
    feedback = CustomerFeedback._meta.db_table
    pg = connection.vendor == "postgresql"
    # Exact numeric sums, as the page: PostgreSQL's numeric-to-float cast is the slower way.
    score, norm = "r.final_score", "rr.normalised"
    week = (
        "date_trunc('week', r.interaction_started_at AT TIME ZONE 'UTC')"
        if pg
        else "date(r.interaction_started_at, 'weekday 0', '-6 days')"
    )
    passed = (
        "COUNT(*) FILTER (WHERE r.passed)" if pg else "SUM(CASE WHEN r.passed THEN 1 ELSE 0 END)"
    )
    where = (
        "r.status = 'submitted' AND r.purpose = 'quality' AND t.path LIKE %s "
        "AND r.interaction_started_at >= %s AND r.interaction_started_at < %s"
    )
    params = [team_path + "%", start, end]
    review_aggs = (
        f"COUNT(r.final_score), SUM({score}), SUM({score} * {score}), {passed}, COUNT(r.passed)"
    )
    feedback_aggs = (
        "COUNT(f.csat), SUM(CASE WHEN f.csat >= 4 THEN 1 ELSE 0 END), COUNT(f.nps), "
        "SUM(CASE WHEN f.nps >= 9 THEN 1 ELSE 0 END), SUM(CASE WHEN f.nps <= 6 THEN 1 ELSE 0 END)"
    )
    feedback_where = "t.path LIKE %s AND f.received_at >= %s AND f.received_at < %s"
    review_from = f"FROM {review} r JOIN {team} t ON t.id = r.team_id "
    criterion = (
        f"SELECT v.framework_id, rr.criterion_key, COUNT(rr.normalised), SUM({norm}), "  # noqa: S608
        f"SUM({norm} * {norm}), SUM(CASE WHEN rr.na THEN 1 ELSE 0 END) FROM {rating} rr "
        f"JOIN {review} r ON r.id = rr.review_id JOIN {team} t ON t.id = r.team_id "
        f"JOIN {version} v ON v.id = r.framework_version_id WHERE {where} "
        f"GROUP BY v.framework_id, rr.criterion_key"
    )
    if not naive:
        return [
            (
                f"SELECT r.team_id, r.agent_id, {week} AS week, {review_aggs} {review_from}"
                f"WHERE {where} GROUP BY r.team_id, r.agent_id, 3",
                params,
            ),
            (criterion, params),
            (
                f"SELECT f.team_id, f.agent_id, {feedback_aggs} FROM {feedback} f "  # noqa: S608
                f"JOIN {team} t ON t.id = f.team_id WHERE {feedback_where} "
                f"GROUP BY f.team_id, f.agent_id",
                params,
            ),
            (
                f"SELECT t.id, t.name, t.path, t.depth FROM {team} t "  # noqa: S608
                f"WHERE t.path LIKE %s",
                [team_path + "%"],
            ),
            (
                f"SELECT u.id, u.full_name, u.email FROM {user} u WHERE u.id IN "  # noqa: S608
                f"(SELECT DISTINCT r.agent_id {review_from}WHERE {where})",
                params,
            ),
        ]
    return [
        (
            f"SELECT r.team_id, t.name, t.path, {review_aggs} {review_from}"
            f"WHERE {where} GROUP BY r.team_id, t.name, t.path",
            params,
        ),
        (
            f"SELECT r.agent_id, u.full_name, u.email, {review_aggs} {review_from}"
            f"JOIN {user} u ON u.id = r.agent_id WHERE {where} "
            f"GROUP BY r.agent_id, u.full_name, u.email",
            params,
        ),
        (
            f"SELECT {week} AS week, {review_aggs} {review_from}"
            f"WHERE {where} GROUP BY 1 ORDER BY 1",
            params,
        ),
        (criterion, params),
        (
            f"SELECT f.team_id, t.name, {feedback_aggs} FROM {feedback} f "  # noqa: S608
            f"JOIN {team} t ON t.id = f.team_id WHERE {feedback_where} GROUP BY f.team_id, t.name",
            params,
        ),
        (
            f"SELECT f.agent_id, u.full_name, {feedback_aggs} FROM {feedback} f "  # noqa: S608
            f"JOIN {team} t ON t.id = f.team_id LEFT JOIN {user} u ON u.id = f.agent_id "
            f"WHERE {feedback_where} GROUP BY f.agent_id, u.full_name",
            params,
        ),
    ]


def hand_written_rollup_queries(
    team_path: str, start: dt.datetime, end: dt.datetime, ranges: list[tuple[str, Any, Any]]
) -> list[tuple[str, list[Any]]]:
    """The same numbers as `hand_written_queries`, the review and criterion sums read from the
    rollups as the page reads them (`ranges`: scorecards.overview.rollup_ranges), the feedback
    counts and the names as there."""
    from qa_platform.people.models import Team, User
    from scorecards.models import CriterionRollup, FrameworkVersion, QualityRollup

    team, user = Team._meta.db_table, User._meta.db_table
    quality, criteria = QualityRollup._meta.db_table, CriterionRollup._meta.db_table
    version = FrameworkVersion._meta.db_table
    spans = " OR ".join(["(x.span = %s AND x.start >= %s AND x.start <= %s)"] * len(ranges))
    span_params = [value for span in ranges for value in span]
    where = f"t.path LIKE %s AND ({spans})"
    params = [team_path + "%", *span_params]
    live = hand_written_queries(team_path, start, end)
    return [
        (
            f"SELECT x.team_id, x.agent_id, x.week, SUM(x.n), SUM(x.total), SUM(x.squares), "  # noqa: S608
            f"SUM(x.passed), SUM(x.pass_n) FROM {quality} x JOIN {team} t ON t.id = x.team_id "
            f"WHERE {where} GROUP BY x.team_id, x.agent_id, x.week HAVING SUM(x.reviews) > 0",
            params,
        ),
        (
            f"SELECT v.framework_id, x.criterion_key, SUM(x.n), SUM(x.total), SUM(x.squares), "  # noqa: S608
            f"SUM(x.na) FROM {criteria} x JOIN {team} t ON t.id = x.team_id "
            f"JOIN {version} v ON v.id = x.framework_version_id WHERE {where} "
            f"GROUP BY v.framework_id, x.criterion_key HAVING SUM(x.ratings) > 0",
            params,
        ),
        live[2],  # feedback counts per team and agent: read live, as the page does
        live[3],
        (
            f"SELECT u.id, u.full_name, u.email FROM {user} u WHERE u.id IN "  # noqa: S608
            f"(SELECT DISTINCT x.agent_id FROM {quality} x JOIN {team} t ON t.id = x.team_id "
            f"WHERE {where})",
            params,
        ),
    ]


def run_sql(queries: list[tuple[str, list[Any]]]) -> list[list[tuple[Any, ...]]]:
    from django.db import connection

    results = []
    with connection.cursor() as cursor:
        for statement, params in queries:
            cursor.execute(statement, params)
            results.append(cursor.fetchall())
    return results


# --- Measuring ---------------------------------------------------------------------------------


def check_same_numbers(overview: Any, sql_results: list[list[tuple[Any, ...]]]) -> list[str]:
    """The page's figures (scorecards.overview, as the page computes them) must equal the SQL's:
    n and mean per team, n and N/A per criterion, CSAT answers per team."""
    problems = []
    teams: dict[int, list[float]] = {}
    for row in sql_results[0]:
        n, total = int(row[3]), float(row[4] or 0)
        sums = teams.setdefault(row[0], [0, 0.0])
        sums[0] += n
        sums[1] += total
    for team in overview.teams:
        n, total = teams.get(team.key, [0, 0.0])
        if n != team.n or (n and abs(total / n - (team.mean or 0)) > 1e-6):
            problems.append(f"team {team.label}: page {team.n}/{team.mean}, SQL {n}/{total}")
    criteria = {(row[0], row[1]): row for row in sql_results[1]}
    for c in overview.criteria:
        row = criteria.get((c.framework_id, c.key))
        if row is None or int(row[2]) != c.n or int(row[5]) != c.na:
            problems.append(f"criterion {c.key}: page n={c.n} na={c.na}, SQL {row}")
    csat: dict[int, int] = {}
    for row in sql_results[2]:
        csat[row[0]] = csat.get(row[0], 0) + int(row[2])
    for team in overview.teams:
        shown = team.csat.n if team.csat else 0
        if csat.get(team.key, 0) != shown:
            problems.append(f"team {team.label}: page CSAT n={shown}, SQL {csat.get(team.key)}")
    return problems


def explain(queries: list[tuple[str, list[Any]]]) -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    lines = []
    with connection.cursor() as cursor:
        statement, params = queries[1]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
        lines = [row[0] for row in cursor.fetchall()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests (and SQL runs)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")
    parser.add_argument("--reseed", action="store_true", help="start from an empty database")
    parser.add_argument("--explain", action="store_true", help="print the criterion query plan")
    parser.add_argument(
        "--naive", action="store_true", help="also time one hand-written GROUP BY per table"
    )
    parser.add_argument(
        "--live", action="store_true", help="also time the figures computed from the reviews"
    )
    parser.add_argument(
        "--period", default="last-quarter", help="the overview's period (default last-quarter)"
    )
    args = parser.parse_args(argv)

    # bench.run selects bench.settings on import: imported here, so that tests can import this
    # module (tests/scorecards/test_overview_bench.py) without switching settings.
    from bench.run import BenchError, describe_database, migrate, prepare_database

    try:
        prepare_database(args.reseed)
        migrate()
        import django

        django.setup()
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from qa_platform.people.models import Team, User
    from scorecards import overview as figures
    from scorecards.models import CustomerFeedback, Interaction, Review, ReviewRating

    if is_seeded():
        print("Seed: reusing the seeded overview department.")
    else:
        print("Seed: seeding the overview department (once)...", flush=True)
        for step, seconds in seed(random.Random(4)).items():
            print(f"      {step}: {seconds:.1f} s")
    from scorecards.models import QualityRollup

    if Review.objects.exists() and not QualityRollup.objects.exists():
        started = time.perf_counter()
        rebuild_rollups()  # a database seeded before the rollups existed
        analyse()
        print(f"Rollups: rebuilt from the reviews in {time.perf_counter() - started:.1f} s.")

    department = Team.objects.get(external_id=MARKER)
    lead = User.objects.get(email=LEAD_EMAIL)
    print(f"Database: {describe_database()} ({connection.vendor})")
    print(
        f"Data: {Interaction.objects.count():,} interactions, {Review.objects.count():,} reviews, "
        f"{ReviewRating.objects.count():,} ratings, {CustomerFeedback.objects.count():,} "
        f"feedback rows; the department has "
        f"{Team.objects.filter(path__startswith=department.path).count() - 1} teams"
    )

    url = f"{reverse('scorecards:overview')}?period={args.period}"
    client = Client()
    client.force_login(lead)
    for _ in range(args.warmup):
        response = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    page_queries = len(captured.captured_queries)  # read now: the next request clears the log
    if response.status_code != 200:
        print(f"bench: the overview answered {response.status_code}", file=sys.stderr)
        return 2
    # The test client records no template context outside tests: recompute what the page shows.
    period = figures.period_for(args.period, timezone.localdate())
    shown = figures.build_overview(lead, figures.Filters(period=period))
    start, end = period.bounds()
    queries = hand_written_queries(department.path, start, end)
    rolled_queries = hand_written_rollup_queries(
        department.path, start, end, figures.rollup_ranges(period)
    )
    run_sql(queries)  # warm
    problems = check_same_numbers(shown, run_sql(queries))
    problems += [
        f"(SQL over the rollups) {p}" for p in check_same_numbers(shown, run_sql(rolled_queries))
    ]
    live = figures.build_overview(lead, figures.Filters(period=period), live=True)
    if live != shown:
        problems.append("the figures from the rollups differ from the figures from the reviews")
    print(
        f"Overview as {LEAD_EMAIL} (lead of the department), {period.name}: {period.label}; "
        f"{shown.overall.n:,} reviews, {len(shown.agents)} agents, "
        f"{sum(c.n + c.na for c in shown.criteria):,} ratings aggregated."
    )

    naive = hand_written_queries(department.path, start, end, naive=True)
    page_ms: list[float] = []
    sql_ms: list[float] = []
    naive_ms: list[float] = []
    figures_ms: list[float] = []
    live_ms: list[float] = []
    rolled_sql_ms: list[float] = []
    gc.collect()
    for _ in range(args.requests):  # interleaved, so a burst of load hits each alike
        started = time.perf_counter()
        client.get(url)
        page_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        run_sql(queries)
        sql_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        figures.build_overview(lead, figures.Filters(period=period))
        figures_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        run_sql(rolled_queries)
        rolled_sql_ms.append((time.perf_counter() - started) * 1000)
        if args.live:
            started = time.perf_counter()
            figures.build_overview(lead, figures.Filters(period=period), live=True)
            live_ms.append((time.perf_counter() - started) * 1000)
        if args.naive:
            started = time.perf_counter()
            run_sql(naive)
            naive_ms.append((time.perf_counter() - started) * 1000)

    page_median, sql_median = statistics.median(page_ms), statistics.median(sql_ms)

    def line(label: str, timings: list[float], count: int | str) -> str:
        return (
            f"{label:44}{statistics.median(timings):>10.1f}{min(timings):>9.1f}"
            f"{max(timings):>9.1f}{count:>9}"
        )

    lines = [
        f"\n{'':44}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'queries':>9}",
        line("overview page (test client, whole request)", page_ms, page_queries),
        line("  its figures alone (build_overview)", figures_ms, 7),
        *([line("  the same figures from the reviews (live=True)", live_ms, 6)] if live_ms else []),
        line("hand-written SQL over the reviews and ratings", sql_ms, len(queries)),
        line("hand-written SQL over the rollups", rolled_sql_ms, len(rolled_queries)),
    ]
    if naive_ms:
        lines.append(line("hand-written SQL, one GROUP BY per table", naive_ms, len(naive)))
    print("\n".join(lines))
    ratio = page_median / sql_median if sql_median else float("inf")
    rolled_median = statistics.median(rolled_sql_ms)
    rolled_ratio = page_median / rolled_median if rolled_median else float("inf")
    budget_ms = min(PAGE_MEDIAN_MS, VS_SQL * sql_median)
    ok = not problems and page_median <= PAGE_MEDIAN_MS and ratio <= VS_SQL
    print(
        f"\nRatio page / SQL over the reviews: {ratio:.2f} (budget ≤ {VS_SQL:.0f}); page median "
        f"budget ≤ {PAGE_MEDIAN_MS:.0f} ms, so ≤ {budget_ms:.1f} ms here.\n"
        f"Ratio page / SQL over the rollups: {rolled_ratio:.2f} (what Django, the feedback "
        "counts' Python and the template add to the same reads; for information)."
    )
    for problem in problems:
        print(f"MISMATCH {problem}")
    if args.explain:
        print("\nThe criterion query's plan (hand-written):\n" + explain(queries))
    print(
        f"\nMachine load (1-minute average): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        "timings are only comparable on a quiet machine."
    )
    print(f"bench: {'budget met' if ok else 'budget FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
