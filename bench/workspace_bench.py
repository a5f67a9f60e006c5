"""The grading workspace at size: a 30-criterion framework and a 200-message transcript.

    .venv/bin/python bench/workspace_bench.py [--requests 50] [--warmup 10]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_platform_bench \
        .venv/bin/python bench/workspace_bench.py

Uses the bench database and settings of bench/run.py (creating and migrating the database if
needed; if the demo logins are missing it runs `seed_demo --scale small`). It then makes, once
and idempotently, the framework "Bench: 30 criteria", a chat interaction `bench:workspace-30x200`
of agent@demo.test with 200 messages and customer feedback, and reviewer@demo.test's draft with
20 of the 30 criteria rated.

Signed in as reviewer@demo.test it times, interleaved (one request of each per round, `--requests`
rounds after `--warmup` untimed ones), through the Django test client:

- the baseline: a bare view rendering base.html with one query (bench/views.py);
- GET the workspace (`scorecards:workspace`);
- POST one rating through htmx (`scorecards:review_rate`, the whole form as the page posts it,
  one criterion flipping between 4 and 5 so every request really changes and rescores a rating).

Prints median and p95 wall time per row, the median CPU time of this process per request (what
the app itself spends, unaffected by other load on the machine but without the database's own
work), and the query count of one request. Budgets (issue 4): workspace
GET ≤ 15 queries; rate POST median ≤ 50 ms. Exits 1 when a budget fails, 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

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

CRITERIA = 30
MESSAGES = 200
RATED = 20
MAX_QUERIES = 15
RATE_MEDIAN_MS = 50.0
SOURCE, SOURCE_ID = "bench", "workspace-30x200"
FRAMEWORK_NAME = "Bench: 30 criteria"
REVIEWER, AGENT = "reviewer@demo.test", "agent@demo.test"
FORM = "application/x-www-form-urlencoded"


@dataclass
class Row:
    label: str
    method: str
    url: str
    data: list[dict[str, Any]] = field(default_factory=list)  # POST bodies, used in turn
    headers: dict[str, str] = field(default_factory=dict)
    timings: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this process's CPU time per request
    queries: int = 0
    statuses: set[int] = field(default_factory=set)
    budget: str = ""
    problems: list[str] = field(default_factory=list)


def definition() -> Any:
    from scorecards import framework_def as fd

    sections = []
    for s in range(3):
        sections.append(
            fd.Section(
                key=f"s{s}",
                title=f"Section {s + 1}",
                weight=None,
                criteria=tuple(
                    fd.Criterion(
                        key=f"c{s}-{i}",
                        title=f"Criterion {s + 1}.{i + 1}: a realistic, fairly long title",
                        guidance="What a 3 looks like versus a 4, in two or three sentences.",
                        scale="five",
                        options=fd.point_scale(5),
                        weight=Decimal(1 + i % 3),
                        na_allowed=i % 4 == 0,
                        na_rule="The step did not arise in this contact." if i % 4 == 0 else "",
                        severity="fatal" if (s, i) == (0, 1) else "normal",
                        root_causes=("Knowledge gap", "Process", "Tool", "Behaviour")
                        if i % 2 == 0
                        else (),
                    )
                    for i in range(CRITERIA // 3)
                ),
            )
        )
    return fd.FrameworkDef(
        name=FRAMEWORK_NAME,
        scoring_mode="weighted",
        pass_mark=Decimal(80),
        use_section_weights=False,
        sections=tuple(sections),
    )


def messages() -> list[dict[str, Any]]:
    start = dt.datetime(2026, 1, 12, 9, 30, tzinfo=dt.UTC)
    lines = []
    for i in range(MESSAGES):
        speaker = "customer" if i % 2 == 0 else "agent"
        lines.append(
            {
                "speaker": speaker,
                "name": "Customer" if speaker == "customer" else "Tom Walsh",
                "at": (start + dt.timedelta(seconds=25 * i)).isoformat(),
                "offset": None,
                "text": f"Message {i + 1}: a sentence or two of what was said, as a chat "
                "line usually runs to about this length in a support conversation.",
                "internal": i % 37 == 5,
            }
        )
    return lines


def arrange() -> tuple[Any, Any, Any]:
    """The framework version, interaction and draft review (made once, reused afterwards)."""
    from django.core.management import call_command
    from django.utils import timezone

    from qa_platform.people.models import Membership, User
    from scorecards import framework_def as fd
    from scorecards.models import (
        CustomerFeedback,
        Framework,
        FrameworkVersion,
        Interaction,
        Review,
        Transcript,
    )
    from scorecards.services.reviews import RatingInput, rate, start_review

    if User.objects.filter(email__in=[REVIEWER, AGENT]).count() != 2:
        call_command("seed_demo", scale="small", stdout=io.StringIO())
    reviewer = User.objects.get(email=REVIEWER)
    agent = User.objects.get(email=AGENT)
    team = Membership.objects.current().filter(user=agent).select_related("team").get().team

    framework, _ = Framework.objects.get_or_create(name=FRAMEWORK_NAME, defaults={"live": True})
    version = framework.versions.order_by("-number").first()
    if version is None:
        version = FrameworkVersion.objects.create(
            framework=framework,
            number=1,
            definition=fd.to_json(definition()),
            published_at=timezone.now(),
        )
    interaction, _ = Interaction.objects.get_or_create(
        source=SOURCE,
        source_id=SOURCE_ID,
        defaults={
            "channel": "chat",
            "agent": agent,
            "team": team,
            "started_at": timezone.now() - dt.timedelta(days=1),
            "duration_seconds": 25 * MESSAGES,
            "queue": "Billing",
            "topic": "Refund",
        },
    )
    Transcript.objects.update_or_create(interaction=interaction, defaults={"messages": messages()})
    CustomerFeedback.objects.get_or_create(
        source=SOURCE,
        source_id=SOURCE_ID,
        defaults={
            "interaction": interaction,
            "agent": agent,
            "team": team,
            "received_at": timezone.now(),
            "csat": 3,
            "nps": 7,
            "comment": "Fine in the end.",
        },
    )
    review = start_review(reviewer=reviewer, interaction=interaction, framework_version=version)
    if not review.ratings.exists():
        defn = version.defn
        rate(
            review=review,
            by=reviewer,
            ratings={
                c.key: RatingInput(value=Decimal(3 + i % 3))
                for i, c in enumerate(defn.criteria[:RATED])
            },
        )
    review = Review.objects.select_related("framework_version").get(pk=review.pk)
    return version, interaction, review


def rate_bodies(review: Any) -> list[dict[str, Any]]:
    """The whole form as the page posts it, with the first criterion at 4 and then at 5."""
    defn = review.framework_version.defn
    stored = {r.criterion_key: r for r in review.ratings.all()}
    base: dict[str, Any] = {"criteria": [c.key for c in defn.criteria], "comment": review.comment}
    for criterion in defn.criteria:
        row = stored.get(criterion.key)
        if row is not None and (row.na or row.value is not None):
            base[f"rating-{criterion.key}"] = "na" if row.na else format(row.value.normalize(), "f")
        if row is not None and row.comment:
            base[f"comment-{criterion.key}"] = row.comment
    first = defn.criteria[0].key
    return [{**base, f"rating-{first}": value, "changed": first} for value in ("4", "5")]


def measure(rows: list[Row], user: Any, requests: int, warmup: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)

    def send(row: Row, turn: int) -> Any:
        if row.method == "get":
            return client.get(row.url, headers=row.headers)
        body = urlencode(row.data[turn % len(row.data)], doseq=True)  # as htmx sends it
        return client.post(row.url, body, content_type=FORM, headers=row.headers)

    for row in rows:
        for turn in range(warmup):
            send(row, turn)
        with CaptureQueriesContext(connection) as captured:
            row.statuses.add(send(row, warmup).status_code)
        row.queries = len(captured.captured_queries)
    gc.collect()
    for turn in range(requests):
        for row in rows:
            started, cpu = time.perf_counter(), time.process_time()
            response = send(row, turn)
            row.timings.append((time.perf_counter() - started) * 1000)
            row.cpu.append((time.process_time() - cpu) * 1000)
            row.statuses.add(response.status_code)


def judge(rows: list[Row]) -> None:
    baseline, page, rating = rows
    baseline.budget = "reference"
    page.budget = f"≤{MAX_QUERIES} q"
    if page.queries > MAX_QUERIES:
        page.problems.append(f"{page.queries} queries")
    rating.budget = f"median ≤{RATE_MEDIAN_MS:.0f} ms"
    median = statistics.median(rating.timings)
    if median > RATE_MEDIAN_MS:
        rating.problems.append(f"median {median:.1f} ms")
    for row in rows:
        if row.statuses != {200}:
            row.problems.append(f"status {sorted(row.statuses)}")


def table(rows: list[Row]) -> str:
    header = ("request", "median ms", "p95 ms", "cpu ms", "queries", "status", "budget", "result")
    cells = [
        (
            r.label,
            f"{statistics.median(r.timings):.1f}",
            f"{percentile(r.timings, 0.95):.1f}",
            f"{statistics.median(r.cpu):.1f}",
            str(r.queries),
            "/".join(str(s) for s in sorted(r.statuses)),
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per row")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests first")
    args = parser.parse_args(argv)
    try:
        prepare_database(reseed=False)
        migrate()
    except BenchError as exc:
        print(f"workspace bench: {exc}", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.db import connection
    from django.urls import reverse

    from qa_platform.people.models import User

    version, interaction, review = arrange()
    reviewer = User.objects.get(email=REVIEWER)
    rows = [
        Row("baseline: base.html + 1 query", "get", reverse("bench_bare")),
        Row(
            f"workspace GET ({CRITERIA} criteria, {MESSAGES} messages)",
            "get",
            reverse("scorecards:workspace", args=[interaction.pk]),
        ),
        Row(
            "rate POST (htmx, whole form)",
            "post",
            reverse("scorecards:review_rate", args=[review.pk]),
            data=rate_bodies(review),
            headers={"HX-Request": "true"},
        ),
    ]
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"Database: {describe_database()} ({vendor}); framework {version}, review {review.pk}")
    print(
        f"Signed in as {REVIEWER}; {args.warmup} warm-up requests, then {args.requests} timed "
        "requests per row (one of each per round).\n"
    )
    load_before = os.getloadavg()[0]
    measure(rows, reviewer, args.requests, args.warmup)
    judge(rows)
    print(table(rows))
    print(
        f"\nMachine load (1-minute average): {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs."
    )
    failed = [r for r in rows if r.problems]
    print(f"\nworkspace bench: {'all budgets met' if not failed else f'{len(failed)} failed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
