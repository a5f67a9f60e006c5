"""Engagement ↔ CX at scale (issue 6): the HR comparison page over 180 teams and 200,000 customer
feedback records, ≤ 500 ms median, beside the bare aggregate SQL in the same run.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/engagement_bench_h5b \\
        .venv/bin/python bench/engagement_cx_bench.py [--requests 30] [--warmup 3]

Uses the bench settings of bench/run.py (creating and migrating the database if needed; no demo
seed is needed). It makes, once, its own organisation "Bench: cx org" (6 departments × 30 teams =
180 teams, about 2,000 people, team sizes 3 to 19 so some teams are under the threshold), a CLOSED
pulse survey with responses from about 75 % of them (results decided by
`publishing.compute_results`, as at close), 200,000 customer feedback records spread over the
survey period, the 90 days after and the 100 days before (bulk_create), and the quality rollups of
about 40,000 days and 6,000 weeks of reviews. Seeded random: every run is the same. A database
already seeded is reused.

Rows, interleaved (one of each per round, so a burst of load on the machine slows all alike):

- baseline: the bare aggregate SQL the page needs for its CX side (one GROUP BY team over the
  feedback of the survey period, with the CSAT and NPS counts), through a cursor, no Django;
- the page (Django test client, signed in as an HR person with a grant on the root): engagement
  index against CSAT %, survey period; eNPS against the QA score, 90 days after; a driver against
  NPS, 90 days after. Each also computes the driver view (every driver against the same measure).

Budget: each page row median ≤ 500 ms. Exits 1 when a budget fails, 2 when the bench cannot run.
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
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from bench.run import (  # noqa: E402 - the path and settings above come first
    BenchError,
    describe_database,
    migrate,
    percentile,
    prepare_database,
)

ORG_NAME = "Bench: cx org"
SURVEY_TITLE = "Bench: cx survey"
HR_EMAIL = "cx-bench-hr@bench.test"
EMAIL = "cx-bench-{:04d}@bench.test"
DEPARTMENTS, TEAMS_PER_DEPARTMENT, PEOPLE = 6, 30, 2_000
FEEDBACK = 200_000
SOURCE = "cx-bench"
MEDIAN_MS = 500.0
SURVEY_OPENS_DAYS_AGO, SURVEY_DAYS = 130, 21


@dataclass
class Row:
    label: str
    budget: str = "reference"
    timings: list[float] = field(default_factory=list)
    queries: int = 0
    outcomes: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    teams: int = 0


def arrange_org(rng: random.Random) -> tuple[Any, list[Any], Any, dict[int, list[int]]]:
    """The bench organisation (idempotent): root, departments, 180 teams, people, an HR person."""
    from django.db import transaction

    from qa_platform.people.models import Membership, RoleGrant, Team, User
    from qa_platform.people.roles import Role

    with transaction.atomic():
        root = Team.objects.filter(name=ORG_NAME, parent=None).first()
        if root is None:
            root = Team.objects.create(name=ORG_NAME, kind="organisation")
            Team.objects.filter(pk=root.pk).update(path=f"/{root.pk}/", depth=0)
            root.refresh_from_db()
            for d in range(DEPARTMENTS):
                dept = Team.objects.create(
                    name=f"CX bench dept {d + 1}", kind="department", parent=root
                )
                Team.objects.filter(pk=dept.pk).update(path=f"{root.path}{dept.pk}/", depth=1)
                for t in range(TEAMS_PER_DEPARTMENT):
                    team = Team.objects.create(name=f"CX bench team {d + 1}.{t + 1}", parent=dept)
                    Team.objects.filter(pk=team.pk).update(
                        path=f"{root.path}{dept.pk}/{team.pk}/", depth=2
                    )
        teams = list(Team.objects.filter(path__startswith=root.path, depth=2).order_by("path"))
        emails = [EMAIL.format(n) for n in range(PEOPLE)]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        User.objects.bulk_create(
            [
                User(email=e, full_name=f"CX bench person {n}")
                for n, e in enumerate(emails)
                if e not in existing
            ]
        )
        people = list(User.objects.filter(email__in=emails).order_by("email"))
        if not Membership.objects.filter(user=people[0]).exists():
            sizes = [rng.randint(3, 19) for _ in teams]
            scale = PEOPLE / sum(sizes)
            sizes = [max(3, round(s * scale)) for s in sizes]
            placed: list[Any] = []
            for team, size in zip(teams, sizes, strict=True):
                placed += [team] * size
            placed = (placed + [teams[-1]] * PEOPLE)[:PEOPLE]
            Membership.objects.bulk_create(
                [
                    Membership(user=p, team=t, start="2024-01-01")
                    for p, t in zip(people, placed, strict=True)
                ]
            )
        hr = User.objects.filter(email=HR_EMAIL).first()
        if hr is None:
            hr = User.objects.create(email=HR_EMAIL, full_name="CX bench HR")
            RoleGrant.objects.create(user=hr, role=Role.HR, team=root)
        members: dict[int, list[int]] = {}
        for user_id, team_id in Membership.objects.filter(user__in=people).values_list(
            "user_id", "team_id"
        ):
            members.setdefault(team_id, []).append(user_id)
    return root, teams, hr, members


def arrange_survey(rng: random.Random, members: dict[int, list[int]]) -> Any:
    """A closed pulse survey (once): invitations and responses seeded directly, then
    `compute_results` as at close. Team engagement varies by team so the plot has a spread."""
    from django.db import transaction
    from django.utils import timezone

    from qa_platform.engagement import measures, publishing
    from qa_platform.engagement import question_bank as bank
    from qa_platform.engagement.models import (
        Answer,
        Invitation,
        Response,
        Survey,
        SurveyQuestion,
        SurveySection,
        SurveyStatus,
    )

    found = Survey.objects.filter(title=SURVEY_TITLE, results_computed_at__isnull=False).first()
    if found is not None:
        # Decide the results again with the current code (the stored form may have changed).
        started = time.perf_counter()
        publishing.compute_results(found)
        print(f"compute_results (pulse, 180 teams): {time.perf_counter() - started:.1f} s")
        found.refresh_from_db()
        return found
    now = timezone.now()
    opens = now - dt.timedelta(days=SURVEY_OPENS_DAYS_AGO)
    closes = opens + dt.timedelta(days=SURVEY_DAYS)
    with transaction.atomic():
        Survey.objects.filter(title=SURVEY_TITLE).delete()
        survey = Survey.objects.create(
            title=SURVEY_TITLE,
            template_key="pulse",
            status=SurveyStatus.CLOSED,
            opens_at=opens,
            closes_at=closes,
            launched_at=opens,
            closed_at=closes,
        )
        order = 0
        for s_order, section in enumerate(bank.TEMPLATES_BY_KEY["pulse"].sections):
            sec = SurveySection.objects.create(survey=survey, title=section.title, order=s_order)
            for key in section.items:
                item = bank.item(key)
                order += 1
                SurveyQuestion.objects.create(
                    survey=survey,
                    section=sec,
                    order=order,
                    key=item.key,
                    text=item.text,
                    scale=item.scale.value,
                    part=item.part.value,
                    driver=item.driver or "",
                    options=list(item.options),
                    required=not item.optional,
                )
        questions = list(SurveyQuestion.objects.filter(survey=survey).order_by("order"))
        index_keys = [q.key for q in questions if q.part == "index"]
        invitations, responses, answers = [], [], []
        for team_id in sorted(members):
            team_mood = rng.random()
            for person_id in sorted(members[team_id]):
                answered = rng.random() < 0.75
                invitations.append(
                    Invitation(
                        survey=survey,
                        person_id=person_id,
                        team_id=team_id,
                        token_hash=uuid.uuid4().hex * 2,
                        submitted=answered,
                    )
                )
                if not answered:
                    continue
                mood = 0.6 * team_mood + 0.4 * rng.random()
                values: dict[str, Any] = {}
                for q in questions:
                    if q.scale == "agreement_5":
                        values[q.key] = min(5, max(1, round(rng.gauss(1.5 + 3 * mood, 1))))
                    elif q.scale == "zero_to_ten":
                        values[q.key] = min(10, max(0, round(rng.gauss(3 + 6 * mood, 2))))
                score = measures.respondent_index(
                    {k: v for k, v in values.items() if k in index_keys}, index_keys
                )
                response = Response(
                    survey=survey,
                    team_id=team_id,
                    index_score=Decimal(str(round(score, 2))) if score is not None else None,
                )
                responses.append(response)
                answers += [
                    Answer(response=response, question=q, value=values[q.key])
                    for q in questions
                    if q.key in values
                ]
        Invitation.objects.bulk_create(invitations, batch_size=1000)
        Response.objects.bulk_create(responses, batch_size=1000)
        Answer.objects.bulk_create(answers, batch_size=5000)
        Survey.objects.filter(pk=survey.pk).update(invited_count=len(invitations))
    survey.refresh_from_db()
    publishing.compute_results(survey)
    survey.refresh_from_db()
    return survey


def arrange_customers(rng: random.Random, survey: Any, teams: list[Any], members: Any) -> None:
    """200,000 feedback records and the quality rollups (once)."""
    from django.db import transaction
    from django.utils import timezone

    from scorecards.models import CustomerFeedback, Framework, FrameworkVersion, QualityRollup

    if CustomerFeedback.objects.filter(source=SOURCE).count() >= FEEDBACK:
        return
    zone = timezone.get_default_timezone()
    anyone = next(iter(members.values()))[0]
    agents = {t.pk: members.get(t.pk, [anyone])[0] for t in teams}  # a few teams have nobody
    first = timezone.localtime(survey.opens_at, zone).date() - dt.timedelta(days=100)
    last = timezone.localdate()
    days = (last - first).days + 1
    with transaction.atomic():
        CustomerFeedback.objects.filter(source=SOURCE).delete()
        quality = {t.pk: rng.random() for t in teams}
        batch: list[Any] = []
        for i in range(FEEDBACK):
            team = teams[i % len(teams)]
            q = quality[team.pk]
            day = first + dt.timedelta(days=rng.randrange(days))
            moment = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), zone)
            csat = min(5, max(1, round(rng.gauss(2.5 + 2.2 * q, 1))))
            batch.append(
                CustomerFeedback(
                    source=SOURCE,
                    source_id=f"cx-{i:07d}",
                    team_id=team.pk,
                    agent_id=agents[team.pk],
                    received_at=moment,
                    csat=csat if rng.random() < 0.9 else None,
                    nps=min(10, max(0, round(rng.gauss(4 + 5 * q, 2.5)))),
                )
            )
            if len(batch) == 10_000:
                CustomerFeedback.objects.bulk_create(batch)
                batch = []
        CustomerFeedback.objects.bulk_create(batch)

        framework = Framework.objects.filter(name="CX bench framework").first()
        if framework is None:
            framework = Framework.objects.create(name="CX bench framework")
        version = FrameworkVersion.objects.filter(framework=framework).first()
        if version is None:
            version = FrameworkVersion.objects.create(
                framework=framework, number=1, definition={}, published_at=timezone.now()
            )
        QualityRollup.objects.filter(framework_version=version).delete()
        rollups: list[Any] = []
        for team in teams:
            agent = agents[team.pk]
            weeks: dict[dt.date, list[Any]] = {}
            for offset in range(days):
                day = first + dt.timedelta(days=offset)
                n = rng.randint(0, 3)
                if not n:
                    continue
                scores = [
                    Decimal(
                        str(round(min(100, max(0, rng.gauss(60 + 30 * quality[team.pk], 12))), 2))
                    )
                    for _ in range(n)
                ]
                total, squares = sum(scores), sum(s * s for s in scores)
                monday = day - dt.timedelta(days=day.weekday())
                rollups.append(
                    QualityRollup(
                        span="d",
                        start=day,
                        week=monday,
                        team_id=team.pk,
                        agent_id=agent,
                        framework_version=version,
                        channel="chat",
                        reviews=n,
                        n=n,
                        total=total,
                        squares=squares,
                    )
                )
                cell = weeks.setdefault(monday, [0, Decimal(0), Decimal(0)])
                cell[0] += n
                cell[1] += total
                cell[2] += squares
            for monday, (n, total, squares) in weeks.items():
                rollups.append(
                    QualityRollup(
                        span="w",
                        start=monday,
                        week=monday,
                        team_id=team.pk,
                        agent_id=agent,
                        framework_version=version,
                        channel="chat",
                        reviews=n,
                        n=n,
                        total=total,
                        squares=squares,
                    )
                )
        QualityRollup.objects.bulk_create(rollups, batch_size=5000)


def baseline_sql(survey: Any) -> Any:
    """The bare aggregate the page's CX side needs, as hand-written SQL through a cursor."""
    from django.db import connection

    from qa_platform.engagement import cx

    window = cx.survey_window(survey)
    assert window is not None
    start, end = window.bounds()

    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT team_id, COUNT(csat), COUNT(*) FILTER (WHERE csat >= 4), COUNT(nps), "
                "COUNT(*) FILTER (WHERE nps >= 9), COUNT(*) FILTER (WHERE nps <= 6) "
                "FROM scorecards_customerfeedback "
                "WHERE received_at >= %s AND received_at < %s GROUP BY team_id",
                [start, end],
            )
            return len(cursor.fetchall())

    return run


def measure(survey: Any, hr: Any, requests: int, warmup: int) -> list[Row]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from qa_platform.engagement import exports

    url = reverse("engagement:engagement_cx")
    driver = exports.driver_item_keys(survey)[0]
    budget = f"median ≤{MEDIAN_MS:.0f} ms"
    base = Row("baseline: bare aggregate SQL (feedback by team, survey period)")
    pages = [
        (Row("index ↔ CSAT %, survey period (+ driver view)", budget), {"cx": "csat"}),
        (
            Row("eNPS ↔ QA score, 90 days after (+ driver view)", budget),
            {"engagement": "enps", "cx": "qa", "window": "lagged", "lag": "90"},
        ),
        (
            Row(f"{driver} ↔ NPS, 90 days after (+ driver view)", budget),
            {"engagement": driver, "cx": "nps", "window": "lagged", "lag": "90"},
        ),
    ]
    sql = baseline_sql(survey)
    client = Client()
    client.force_login(hr)

    def run(turn: int) -> None:
        count = turn == warmup
        started = time.perf_counter()
        base.teams = sql()
        base.timings.append((time.perf_counter() - started) * 1000)
        base.outcomes.add("200")
        for row, params in pages:
            query = {"survey": str(survey.pk), **params}
            started = time.perf_counter()
            if count:
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url, query)
                row.queries = len(captured.captured_queries)
            else:
                response = client.get(url, query)
            row.timings.append((time.perf_counter() - started) * 1000)
            row.outcomes.add(str(response.status_code))
            row.teams = response.content.decode().count('class="chart-point scatter-dot"')

    for turn in range(warmup):
        run(turn)
    for row in [base, *(r for r, _ in pages)]:
        row.timings.clear()
    gc.collect()
    for turn in range(warmup, warmup + requests):
        run(turn)
    return [base, *(r for r, _ in pages)]


def judge(rows: list[Row]) -> None:
    for row in rows[1:]:
        median = statistics.median(row.timings)
        if median > MEDIAN_MS:
            row.problems.append(f"median {median:.1f} ms")
        if row.outcomes != {"200"}:
            row.problems.append(f"outcomes {sorted(row.outcomes)}")


def table(rows: list[Row]) -> str:
    header = ("row", "median ms", "p95 ms", "queries", "teams", "budget", "result")
    cells = [
        (
            r.label,
            f"{statistics.median(r.timings):.1f}",
            f"{percentile(r.timings, 0.95):.1f}",
            str(r.queries) if r.queries else "1",
            str(r.teams),
            r.budget,
            "FAIL" if r.problems else "ok",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in (header, *cells)) for i in range(len(header))]

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(
            v.rjust(widths[i]) if i in (1, 2, 3, 4) else v.ljust(widths[i])
            for i, v in enumerate(values)
        ).rstrip()

    out = [line(header), line(tuple("-" * w for w in widths)), *(line(c) for c in cells)]
    out += [f"FAIL {r.label}: {'; '.join(r.problems)}" for r in rows if r.problems]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    args = parser.parse_args(argv)
    try:
        prepare_database(reseed=False)
        migrate()
    except BenchError as exc:
        print(f"engagement cx bench: {exc}", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.db import connection

    from scorecards.models import CustomerFeedback, QualityRollup

    rng = random.Random(2026)
    started = time.perf_counter()
    _root, teams, hr, members = arrange_org(rng)
    survey = arrange_survey(rng, members)
    arrange_customers(rng, survey, teams, members)
    seeded = time.perf_counter() - started
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(
        f"Database: {describe_database()} ({vendor}); {len(teams)} teams, survey {survey.pk} "
        f"({survey.invited_count} invited), "
        f"{CustomerFeedback.objects.filter(source=SOURCE).count():,} feedback records, "
        f"{QualityRollup.objects.count():,} quality rollup rows (ready in {seeded:.1f} s)"
    )
    load_before = os.getloadavg()[0]
    print(f"{args.warmup} warm-up rounds, then {args.requests} timed rounds of one of each row.\n")
    rows = measure(survey, hr, args.requests, args.warmup)
    judge(rows)
    print(table(rows))
    print(f"\nLoad average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after.")
    return 1 if any(r.problems for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
