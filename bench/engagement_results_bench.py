"""Survey results at scale (issue 6): deciding the results at close, and the organisation-wide
overview and team × driver heatmap (≤ 300 ms median, ≤ 15 queries; suppression adds ≤ 20 % over
the same aggregates unsuppressed), measured in the same run.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/engagement_bench_h5 \\
        .venv/bin/python bench/engagement_results_bench.py [--requests 30] [--warmup 3]

Uses the bench settings of bench/run.py (creating and migrating the database if needed; no demo
seed is needed). It makes, once, its own organisation "Bench: results org" (6 departments × 30
teams = 180 teams, 2,000 people, team sizes from 3 to 19 so some teams are under the threshold),
and on every run a fresh CLOSED anonymous survey from the full template (45 questions) with one
invitation per person and responses from about 75 % of them, seeded directly through the models
(random answers, attributes over 5 locations, 3 roles, 4 tenure bands; seeded random, so every
run is the same). Then:

- `compute_results` is timed once (the decision over every item and the counts, as at close);
- rows, interleaved (one of each per round, so a burst of load on the machine slows all alike),
  through the Django test client signed in as an HR person with a grant on the root:
  overview and heatmap as shipped, and each again with suppression switched off (every cell
  shown with its own figure, from the same stored counts: the same aggregates unsuppressed).

Budgets: overview and heatmap median ≤ 300 ms and ≤ 15 queries; each median ≤ 1.2 × its
unsuppressed baseline. Exits 1 when a budget fails, 2 when the bench cannot run.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
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

ORG_NAME = "Bench: results org"
SURVEY_TITLE = "Bench: results survey"
HR_EMAIL = "results-bench-hr@bench.test"
EMAIL = "results-bench-{:04d}@bench.test"
DEPARTMENTS, TEAMS_PER_DEPARTMENT, PEOPLE = 6, 30, 2_000
LOCATIONS = ("Lisbon", "Porto", "Braga", "Faro", "Remote")
ROLES = ("Agent", "Senior agent", "Specialist")
TENURES = ("Under 1 year", "1–3 years", "3–5 years", "5 years or more")
MEDIAN_MS, QUERIES, OVERHEAD = 300.0, 15, 1.20


@dataclass
class Row:
    label: str
    budget: str = "reference"
    timings: list[float] = field(default_factory=list)
    queries: int = 0
    outcomes: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def arrange_org() -> tuple[Any, list[Any], Any]:
    """The bench organisation (idempotent): root, departments, teams, people, an HR person."""
    from django.db import transaction

    from qa_platform.people.models import Membership, RoleGrant, Team, User
    from qa_platform.people.roles import Role

    rng = random.Random(2026)
    with transaction.atomic():
        root = Team.objects.filter(name=ORG_NAME, parent=None).first()
        if root is None:
            root = Team.objects.create(name=ORG_NAME, kind="organisation")
            Team.objects.filter(pk=root.pk).update(path=f"/{root.pk}/", depth=0)
            root.refresh_from_db()
            for d in range(DEPARTMENTS):
                dept = Team.objects.create(
                    name=f"Bench dept {d + 1}", kind="department", parent=root
                )
                Team.objects.filter(pk=dept.pk).update(path=f"{root.path}{dept.pk}/", depth=1)
                for t in range(TEAMS_PER_DEPARTMENT):
                    team = Team.objects.create(name=f"Bench team {d + 1}.{t + 1}", parent=dept)
                    Team.objects.filter(pk=team.pk).update(
                        path=f"{root.path}{dept.pk}/{team.pk}/", depth=2
                    )
        teams = list(Team.objects.filter(path__startswith=root.path, depth=2).order_by("path"))
        emails = [EMAIL.format(n) for n in range(PEOPLE)]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        new = [User(email=e, full_name=f"Bench person {n}") for n, e in enumerate(emails)]
        User.objects.bulk_create([u for u in new if u.email not in existing])
        people = list(User.objects.filter(email__in=emails).order_by("email"))
        if not Membership.objects.filter(user=people[0]).exists():
            # Team sizes 3..19 around 11 on average, so some teams are under the threshold.
            sizes = [rng.randint(3, 19) for _ in teams]
            scale = PEOPLE / sum(sizes)
            sizes = [max(3, round(s * scale)) for s in sizes]
            placed = []
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
            hr = User.objects.create(email=HR_EMAIL, full_name="Bench HR")
            RoleGrant.objects.create(user=hr, role=Role.HR, team=root)
    return root, teams, hr


def arrange_survey(rng: random.Random) -> Any:
    """A fresh closed survey with invitations and responses seeded directly (old ones deleted)."""
    from django.db import transaction
    from django.utils import timezone

    from qa_platform.engagement import measures
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
    from qa_platform.people.models import Membership

    with transaction.atomic():
        for old in Survey.objects.filter(title=SURVEY_TITLE):
            Answer.objects.filter(response__survey=old).delete()
            old.delete()
        now = timezone.now()
        survey = Survey.objects.create(
            title=SURVEY_TITLE,
            template_key="full",
            status=SurveyStatus.CLOSED,
            launched_at=now,
            closed_at=now,
        )
        order = 0
        for s_order, section in enumerate(bank.TEMPLATES_BY_KEY["full"].sections):
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
        members = list(
            Membership.objects.filter(user__email__regex=r"^results-bench-[0-9]{4}@").values_list(
                "user_id", "team_id"
            )
        )
        members.sort()
        invitations, responses, answers = [], [], []
        for person_id, team_id in members:
            attributes = {
                "location": rng.choice(LOCATIONS),
                "role": rng.choice(ROLES),
                "tenure_band": rng.choice(TENURES),
            }
            answered = rng.random() < 0.75
            invitations.append(
                Invitation(
                    survey=survey,
                    person_id=person_id,
                    team_id=team_id,
                    attributes=attributes,
                    token_hash=uuid.uuid4().hex * 2,
                    submitted=answered,
                )
            )
            if not answered:
                continue
            mood = rng.random()
            values: dict[str, Any] = {}
            for q in questions:
                if q.scale == "agreement_5":
                    values[q.key] = min(5, max(1, round(rng.gauss(2 + 2.5 * mood, 1))))
                elif q.scale == "zero_to_ten":
                    values[q.key] = min(10, max(0, round(rng.gauss(4 + 5 * mood, 2))))
                elif rng.random() < 0.4:
                    values[q.key] = "A few words about working here."
            score = measures.respondent_index(
                {k: v for k, v in values.items() if k in index_keys}, index_keys
            )
            response = Response(
                survey=survey,
                team_id=team_id,
                attributes=attributes,
                index_score=Decimal(str(round(score, 2))) if score is not None else None,
            )
            responses.append(response)
            for q in questions:
                if q.key not in values:
                    continue
                value = values[q.key]
                if isinstance(value, str):
                    answers.append(Answer(response=response, question=q, text=value))
                else:
                    answers.append(Answer(response=response, question=q, value=value))
        Invitation.objects.bulk_create(invitations, batch_size=1000)
        Response.objects.bulk_create(responses, batch_size=1000)
        Answer.objects.bulk_create(answers, batch_size=5000)
        Survey.objects.filter(pk=survey.pk).update(invited_count=len(invitations))
        survey.refresh_from_db()
    return survey


@contextlib.contextmanager
def unsuppressed() -> Iterator[None]:
    """Every cell shown with its own figure (the same stored counts, no decision): the baseline."""
    from qa_platform.engagement import anonymity, reading

    original = reading._result

    def shown(item: Any, group: str, filters: Any) -> Any:
        cell = anonymity.Cell(group, filters)
        decision = anonymity.Decision(
            cell, anonymity.Outcome.SHOWN, item.publication.threshold, n=0
        )
        return reading.CellResult(decision, item.figure(cell))

    reading._result = shown  # type: ignore[assignment]
    try:
        yield
    finally:
        reading._result = original  # type: ignore[assignment]


def measure(survey: Any, hr: Any, requests: int, warmup: int) -> list[Row]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    overview_url = reverse("engagement:results_overview", args=[survey.pk])
    heatmap_url = reverse("engagement:results_heatmap", args=[survey.pk])
    budget = f"median ≤{MEDIAN_MS:.0f} ms, ≤{QUERIES} q, ≤{OVERHEAD:.1f}× baseline"
    overview = Row("overview (whole organisation)", budget)
    overview_base = Row("baseline: overview unsuppressed")
    heatmap = Row("heatmap (180 teams × drivers)", budget)
    heatmap_base = Row("baseline: heatmap unsuppressed")
    rows = [overview_base, overview, heatmap_base, heatmap]
    client = Client()
    client.force_login(hr)

    def timed(row: Row, url: str, *, count: bool, plain: bool = False) -> None:
        context = unsuppressed() if plain else contextlib.nullcontext()
        with context:
            started = time.perf_counter()
            if count:
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url)
                row.queries = len(captured.captured_queries)
            else:
                response = client.get(url)
            row.timings.append((time.perf_counter() - started) * 1000)
        row.outcomes.add(str(response.status_code))

    def run(turn: int) -> None:
        count = turn == warmup
        timed(overview_base, overview_url, count=count, plain=True)
        timed(overview, overview_url, count=count)
        timed(heatmap_base, heatmap_url, count=count, plain=True)
        timed(heatmap, heatmap_url, count=count)

    for turn in range(warmup):
        run(turn)
    for row in rows:
        row.timings.clear()
    gc.collect()
    for turn in range(warmup, warmup + requests):
        run(turn)
    return rows


def judge(rows: list[Row]) -> None:
    overview_base, overview, heatmap_base, heatmap = rows
    for row, base in ((overview, overview_base), (heatmap, heatmap_base)):
        median = statistics.median(row.timings)
        if median > MEDIAN_MS:
            row.problems.append(f"median {median:.1f} ms")
        if row.queries > QUERIES:
            row.problems.append(f"{row.queries} queries")
        ratio = median / statistics.median(base.timings)
        if ratio > OVERHEAD:
            row.problems.append(f"{ratio:.2f}× its baseline")
    for row in rows:
        if row.outcomes != {"200"}:
            row.problems.append(f"outcomes {sorted(row.outcomes)}")


def table(rows: list[Row]) -> str:
    header = ("row", "median ms", "p95 ms", "queries", "budget", "result")
    cells = [
        (
            r.label,
            f"{statistics.median(r.timings):.1f}",
            f"{percentile(r.timings, 0.95):.1f}",
            str(r.queries),
            r.budget,
            "FAIL" if r.problems else "ok",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in (header, *cells)) for i in range(len(header))]

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(
            v.rjust(widths[i]) if i in (1, 2, 3) else v.ljust(widths[i])
            for i, v in enumerate(values)
        ).rstrip()

    out = [line(header), line(tuple("-" * w for w in widths)), *(line(c) for c in cells)]
    out += [f"FAIL {r.label}: {'; '.join(r.problems)}" for r in rows if r.problems]
    return "\n".join(out)


def timed_call(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    args = parser.parse_args(argv)
    try:
        prepare_database(reseed=False)
        migrate()
    except BenchError as exc:
        print(f"engagement results bench: {exc}", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.db import connection

    from qa_platform.engagement import publishing
    from qa_platform.engagement.models import ItemResult, Response

    started = time.perf_counter()
    _root, teams, hr = arrange_org()
    survey = arrange_survey(random.Random(7))
    seeded = time.perf_counter() - started
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    responses = Response.objects.filter(survey=survey).count()
    print(
        f"Database: {describe_database()} ({vendor}); survey {survey.pk}: {len(teams)} teams, "
        f"{survey.invited_count} invited, {responses} responses (seeded in {seeded:.1f} s)"
    )
    load_before = os.getloadavg()[0]
    seconds = timed_call(lambda: publishing.compute_results(survey))
    survey.refresh_from_db()
    meta = ItemResult.objects.get(survey=survey, item_key=publishing.META_KEY).counts
    rows_stored = ItemResult.objects.filter(survey=survey).count()
    print(
        f"compute_results: {seconds:.1f} s for {rows_stored} result rows; "
        f"{meta['publications_decided']} distinct publications decided in "
        f"{meta['seconds_deciding']:.1f} s; filter universe for scores "
        f"{meta['score_universe']}, for comments {meta['comment_universe']}"
    )
    for kind, answers, took in meta.get("decisions", []):
        print(f"  decided {kind} over {answers} answers in {took:.1f} s")
    print()
    print(f"{args.warmup} warm-up rounds, then {args.requests} timed rounds of one of each row.\n")
    rows = measure(survey, hr, args.requests, args.warmup)
    judge(rows)
    print(table(rows))
    print(
        f"\nMachine load (1-minute average): {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs."
    )
    failed = [r for r in rows if r.problems]
    verdict = "all budgets met" if not failed else f"{len(failed)} failed"
    print(f"\nengagement results bench: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
