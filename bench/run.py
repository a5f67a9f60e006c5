"""`make bench`: seed the large demo organisation once, then time each role's pages.

    .venv/bin/python bench/run.py [--requests 200] [--warmup 10] [--reseed]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_platform_bench \
        .venv/bin/python bench/run.py

Prints the seed time and peak memory, then one row per page: median and p95 server time over
`--requests` requests through the Django test client, query count, status, budget, ok/FAIL, with the
baseline (a bare view rendering base.html with one query) first. Exits 1 when a budget fails,
2 when the bench could not run. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
sys.path.insert(0, str(ROOT))  # run as a script: make the project importable
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
# WhiteNoise warns that collectstatic has not run; the bench requests no static files.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

MAX_QUERIES = 15
HOME_P95_MS = 150.0
LIST_VS_BASELINE = 2.0
SEED_SECONDS = 60.0


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    login: str
    kind: str  # "baseline", "home" or "list"


PAGES: tuple[Page, ...] = (
    Page("baseline: base.html + 1 query", "bench_bare", "admin@demo.test", "baseline"),
    Page("agent home", "home_agent", "agent@demo.test", "home"),
    Page("reviewer home", "home_reviewer", "reviewer@demo.test", "home"),
    Page("lead home", "home_lead", "lead@demo.test", "home"),
    Page("QA manager home", "home_qa", "qa@demo.test", "home"),
    Page("HR home", "home_hr", "hr@demo.test", "home"),
    Page("admin home", "home_admin", "admin@demo.test", "home"),
    Page("people list (admin)", "people:list", "admin@demo.test", "list"),
    Page("people list (lead)", "people:list", "lead@demo.test", "list"),
)


@dataclass
class Result:
    page: Page
    url: str = ""
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: int = 0
    status: str = "-"
    error: str = ""
    budget: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class BenchError(Exception):
    """The bench could not run (database unreachable, migration failed, ...)."""


# --- The bench database ------------------------------------------------------------------------


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "")


def describe_database() -> str:
    url = database_url()
    if not url:
        return f"SQLite {BENCH_DIR / 'bench.sqlite3'}"
    import dj_database_url

    db = dj_database_url.parse(url)
    return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def prepare_database(reseed: bool) -> None:
    """Create the PostgreSQL database if missing; with `reseed`, start from an empty one."""
    url = database_url()
    if not url:
        if reseed:
            for suffix in ("", "-wal", "-shm"):
                (BENCH_DIR / f"bench.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(url)
    if not db["ENGINE"].endswith("postgresql"):
        raise BenchError(f"BENCH_DATABASE_URL must be SQLite (unset) or PostgreSQL, not {url}.")
    name = str(db["NAME"])
    try:
        conn = psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        raise BenchError(
            f"PostgreSQL is not reachable for {describe_database()}: {exc}\n"
            "Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start`) or unset "
            "BENCH_DATABASE_URL to use SQLite."
        ) from exc
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


def child_env() -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}


def migrate() -> float:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"migrate failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - started


def run_seed() -> dict[str, Any]:
    """Seed in a child process (so its peak memory is the seed's); returns its JSON report."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, str(BENCH_DIR / "seed.py")],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"seed_demo --scale large failed:\n{done.stdout}{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    report["process_seconds"] = time.perf_counter() - started
    return report


def seed_record_path() -> Path:
    import dj_database_url

    url = database_url()
    name = "sqlite" if not url else f"pg-{dj_database_url.parse(url)['NAME']}"
    return BENCH_DIR / f".seed-{name}.json"


def is_seeded() -> bool:
    from qa_platform.people.demo import DEMO_LOGINS, LARGE_SHAPE
    from qa_platform.people.models import User

    return (
        User.objects.filter(email__in=[login.email for login in DEMO_LOGINS]).count()
        == len(DEMO_LOGINS)
        and User.objects.count() >= LARGE_SHAPE.agents
    )


def seed_once() -> tuple[list[str], bool]:
    """Seed the large scale unless already there. Returns report lines and whether it is ok."""
    lines: list[str] = []
    record = seed_record_path()
    if is_seeded():
        # Reused: a re-run adds only what later seeders introduced (and must change nothing else).
        top_up = run_seed()
        lines.append(f"Seed: reused the seeded database (top-up run {top_up['seconds']:.1f} s).")
        fresh = json.loads(record.read_text()) if record.exists() else None
        if fresh is None:
            lines.append(
                "      The first seed's time was not recorded here; use --reseed to re-measure."
            )
            return lines, True
        lines.append(f"      First seed on {fresh['date']}:")
    else:
        fresh = run_seed()
        fresh["date"] = time.strftime("%Y-%m-%d %H:%M")
        record.write_text(json.dumps(fresh, indent=2) + "\n")
        lines.append("Seed: seeded the large scale now:")
    ok = fresh["seconds"] <= SEED_SECONDS
    lines.append(
        f"      seed_demo --scale large took {fresh['seconds']:.1f} s "
        f"({fresh['process_seconds']:.1f} s with process start-up); budget ≤ {SEED_SECONDS:.0f} s: "
        f"{'ok' if ok else 'FAIL'}"
    )
    lines.append(
        f"      peak memory (max RSS of the seed process) {fresh['peak_rss_mb']:.0f} MB, "
        f"{fresh['rss_growth_mb']:.0f} MB above the process before seeding"
    )
    return lines, ok


# --- Measuring pages ---------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Probe:
    """One page being measured: its signed-in client and what has been seen so far."""

    result: Result
    client: Any = None
    timings: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)


def prepare(page: Page, warmup: int) -> Probe:
    """Sign in, warm up, and count the queries of one request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from qa_platform.people.models import User

    probe = Probe(Result(page))
    result = probe.result
    try:
        result.url = reverse(page.url_name)
    except NoReverseMatch:
        result.error = f"no URL named {page.url_name!r} yet"
        return probe
    user = User.objects.filter(email=page.login).first()
    if user is None:
        result.error = f"{page.login} does not exist (seed_demo)"
        return probe
    client = Client()
    client.force_login(user)
    try:
        for _ in range(warmup):
            client.get(result.url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(result.url)
    except Exception as exc:  # a broken page is a bench result, not a crash
        result.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        return probe
    result.queries = len(captured.captured_queries)
    probe.statuses[response.status_code] += 1
    probe.client = client
    return probe


def measure(probes: list[Probe], requests: int) -> None:
    """Time `requests` rounds, one request per page per round.

    Interleaving the pages means a burst of load on the machine slows every page alike, so the
    comparison with the baseline stays fair.
    """
    live = [p for p in probes if p.client is not None]
    gc.collect()
    for _ in range(requests):
        for probe in list(live):
            try:
                started = time.perf_counter()
                response = probe.client.get(probe.result.url)
                probe.timings.append((time.perf_counter() - started) * 1000)
            except Exception as exc:
                probe.result.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
                live.remove(probe)
                continue
            probe.statuses[response.status_code] += 1
    for probe in probes:
        result = probe.result
        if probe.statuses:
            result.status = "/".join(str(code) for code in sorted(probe.statuses))
        if probe.timings and not result.error:
            result.median_ms = statistics.median(probe.timings)
            result.p95_ms = percentile(probe.timings, 0.95)


def judge(results: list[Result]) -> None:
    baseline = next((r for r in results if r.page.kind == "baseline"), None)
    base_median = baseline.median_ms if baseline and not baseline.error else None
    for r in results:
        parts = [f"≤{MAX_QUERIES} q"]
        if r.error:
            r.problems.append(r.error)
        if r.status != "200" and not r.error:
            r.problems.append(f"status {r.status}")
        if r.queries > MAX_QUERIES:
            r.problems.append(f"{r.queries} queries")
        if r.page.kind == "home":
            parts.append(f"p95 ≤{HOME_P95_MS:.0f} ms")
            if r.p95_ms > HOME_P95_MS:
                r.problems.append(f"p95 {r.p95_ms:.1f} ms")
        if r.page.kind == "list":
            if base_median is None:
                parts.append(f"median ≤{LIST_VS_BASELINE:.0f}x baseline")
                r.problems.append("no baseline")
            else:
                limit = LIST_VS_BASELINE * base_median
                parts.append(f"median ≤{limit:.1f} ms ({LIST_VS_BASELINE:.0f}x baseline)")
                if r.median_ms > limit:
                    r.problems.append(f"median {r.median_ms:.1f} ms")
        r.budget = ", ".join(parts)


def table(results: list[Result]) -> str:
    header = ("page", "median ms", "p95 ms", "queries", "status", "budget", "result")
    rows = [
        (
            r.page.label,
            f"{r.median_ms:.1f}" if not r.error else "-",
            f"{r.p95_ms:.1f}" if not r.error else "-",
            str(r.queries) if not r.error else "-",
            r.status,
            r.budget,
            "ok" if r.ok else "FAIL",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    right = {1, 2, 3}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    out = [line(header), line(tuple("-" * w for w in widths))]
    out += [line(row) for row in rows]
    for r in results:
        if not r.ok:
            out.append(f"FAIL {r.page.label} ({r.page.login}): {'; '.join(r.problems)}")
    return "\n".join(out)


def environment() -> str:
    import platform

    import django
    from django.db import connection

    from qa_platform.people.models import Membership, RoleGrant, Team, User

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    return (
        f"Database: {describe_database()} ({version}); Python {platform.python_version()}, "
        f"Django {django.get_version()}\n"
        f"Data: {User.objects.count():,} people, {Team.objects.count():,} teams, "
        f"{Membership.objects.count():,} memberships, {RoleGrant.objects.count():,} role grants"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests first")
    parser.add_argument("--reseed", action="store_true", help="start from an empty database")
    args = parser.parse_args(argv)

    try:
        prepare_database(args.reseed)
        migrated = migrate()
        import django

        django.setup()
        seed_lines, seed_ok = seed_once()
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    print(f"Migrations checked in {migrated:.1f} s.")
    print("\n".join(seed_lines))
    print(environment())
    print(
        f"Each page: {args.warmup} warm-up requests, then {args.requests} timed requests "
        "(one per page per round).\n"
    )

    load_before = os.getloadavg()[0]
    probes = [prepare(page, args.warmup) for page in PAGES]
    measure(probes, args.requests)
    results = [probe.result for probe in probes]
    judge(results)
    print(table(results))
    print(
        f"\nMachine load (1-minute average): {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs; "
        "timings above are only comparable on a quiet machine."
    )
    failed = [r for r in results if not r.ok]
    ok = seed_ok and not failed
    print(
        f"\nbench: {'all budgets met' if ok else f'{len(failed) + (not seed_ok)} budget(s) failed'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
