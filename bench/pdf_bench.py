"""How much the review PDF adds on top of WeasyPrint itself.

    .venv/bin/python bench/pdf_bench.py [--rounds 20] [--database-url sqlite:////tmp/x.sqlite3]

Times `scorecards.pdf.render_review_pdf(review, viewer)` for a submitted review with 15 criteria
(3 sections of 5, every criterion with a comment, a root cause and a quoted piece of evidence) and,
in the same run and interleaved round by round, WeasyPrint alone rendering the very HTML string
that `render_review_html` produced for that review: `HTML(string=html, base_url=…,
url_fetcher=…).write_pdf()`. The base URL and the static-file fetcher are the same ones
`render_review_pdf` uses, so WeasyPrint loads the same print stylesheet and lays out the same
document; the difference is what our code adds (the scoped database reads, recomputing the score,
the template, the organisation's name). For information it also times `HTML(string=html)
.write_pdf()` with no base URL (print.css is then not found, so the document is unstyled).

Budget: median(render_review_pdf) <= 1.3 x median(WeasyPrint on the same HTML). Exits 1 when the
budget fails. The data lives in its own SQLite file in the system's temporary directory (migrated
on the first run, about a minute; reused afterwards) unless --database-url names another.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make the project importable
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

BUDGET = 1.3
DEFAULT_DB = Path(tempfile.gettempdir()) / "qa_platform_pdf_bench.sqlite3"
FRAMEWORK = "PDF bench: fifteen criteria"


def _setup_django(database_url: str) -> None:
    os.environ["BENCH_DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _definition() -> Any:
    from scorecards import framework_def as fd

    return fd.FrameworkDef(
        name=FRAMEWORK,
        scoring_mode="weighted",
        pass_mark=Decimal(80),
        use_section_weights=False,
        sections=tuple(
            fd.Section(
                key=f"section-{s}",
                title=("Opening", "Understanding the need", "Resolution and close")[s],
                weight=None,
                criteria=tuple(
                    fd.Criterion(
                        key=f"criterion-{s * 5 + i}",
                        title=f"Criterion {s * 5 + i + 1}: does the thing that matters here well",
                        guidance="What good looks like, in a sentence or two.",
                        scale="yes_no" if i == 0 else "five",
                        options=fd.yes_no_options() if i == 0 else fd.point_scale(5),
                        weight=Decimal(1 + i % 3),
                        severity="fatal" if s == 0 and i == 0 else "normal",
                        na_allowed=i == 4,
                        root_causes=("Knowledge gap", "Process", "Behaviour"),
                    )
                    for i in range(5)
                ),
            )
            for s in range(3)
        ),
    )


def _review() -> tuple[Any, Any]:
    """The bench's review and its agent (made once; found again on later runs)."""
    from django.utils import timezone

    from qa_platform.people import services as people
    from qa_platform.people.models import Team, TeamKind, User
    from qa_platform.people.roles import Role
    from scorecards import framework_def as fd
    from scorecards.models import Framework, FrameworkVersion, Interaction, Review
    from scorecards.services.reviews import RatingInput, rate, start_review, submit_review

    existing = (
        Review.objects.filter(framework_version__framework__name=FRAMEWORK, status="submitted")
        .select_related("agent")
        .first()
    )
    if existing is not None:
        return existing, existing.agent

    org = Team.objects.filter(name="PDF Bench Ltd", parent=None).first() or people.create_team(
        name="PDF Bench Ltd", kind=TeamKind.ORGANISATION
    )
    team = people.create_team(name="Billing", parent=org)
    agent = User.objects.filter(email="pdf-agent@bench.test").first() or people.create_person(
        email="pdf-agent@bench.test", full_name="Ada Agent"
    )
    reviewer = User.objects.filter(email="pdf-reviewer@bench.test").first() or people.create_person(
        email="pdf-reviewer@bench.test", full_name="Rita Reviewer"
    )
    people.move_to_team(person=agent, team=team)
    people.grant_role(person=agent, role=Role.AGENT, team=team)
    people.grant_role(person=reviewer, role=Role.REVIEWER, team=team)

    defn = _definition()
    framework = Framework.objects.create(name=FRAMEWORK, live=True)
    version = FrameworkVersion.objects.create(
        framework=framework, number=1, definition=fd.to_json(defn), published_at=timezone.now()
    )
    interaction = Interaction.objects.create(
        source="pdf-bench",
        source_id="1",
        channel="call",
        agent=agent,
        team=team,
        started_at=timezone.now() - dt.timedelta(days=2),
        queue="Billing",
    )
    review = start_review(reviewer=reviewer, interaction=interaction, framework_version=version)
    ratings = {}
    for n, criterion in enumerate(defn.criteria):
        value = Decimal(1) if criterion.scale == "yes_no" else Decimal(2 + n % 4)
        ratings[criterion.key] = RatingInput(
            value=value,
            root_cause="Process" if n % 3 == 0 else "",
            comment=f"Comment on criterion {n + 1}: what went well and what to try next time. " * 2,
            evidence=[
                {"kind": "quote", "message": n, "text": f"Something the agent said ({n + 1})."},
                {"kind": "time", "seconds": 30 * n + 5},
            ],
        )
    rate(
        review=review,
        by=reviewer,
        ratings=ratings,
        comment="An overall comment of a few sentences. " * 4,
    )
    review = submit_review(review=review, by=reviewer)
    return review, agent


def _timed(fn: Callable[[], Any], cpu: list[float]) -> float:
    """Wall time in ms; the process's CPU time goes to `cpu` (steadier on a busy machine)."""
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    fn()
    cpu.append((time.process_time() - start_cpu) * 1000)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", default=f"sqlite:///{DEFAULT_DB}")
    args = parser.parse_args()
    _setup_django(args.database_url)

    from weasyprint import HTML

    from scorecards.pdf import (
        PDF_BASE_URL,
        StaticFileFetcher,
        render_review_html,
        render_review_pdf,
    )

    review, viewer = _review()
    html = render_review_html(review, viewer)
    first = render_review_pdf(review, viewer)  # warm-up: imports, fonts, template cache
    assert first.startswith(b"%PDF")
    HTML(string=html).write_pdf()

    def same_html() -> bytes:
        document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticFileFetcher())
        pdf: bytes = document.write_pdf()
        return pdf

    ours: list[float] = []
    weasy: list[float] = []
    bare: list[float] = []
    cpu: dict[str, list[float]] = {"ours": [], "weasy": [], "bare": []}
    for _ in range(args.rounds):  # interleaved, so a busy moment slows all three alike
        ours.append(_timed(lambda: render_review_pdf(review, viewer), cpu["ours"]))
        weasy.append(_timed(same_html, cpu["weasy"]))
        bare.append(_timed(lambda: HTML(string=html).write_pdf(), cpu["bare"]))

    criteria = len(review.framework_version.defn.scoring_criteria)
    ratio = statistics.median(ours) / statistics.median(weasy)
    cpu_ratio = statistics.median(cpu["ours"]) / statistics.median(cpu["weasy"])
    rows = [
        ("render_review_pdf (reads, score, template, WeasyPrint)", ours, cpu["ours"]),
        ("WeasyPrint on the same HTML, same fetcher and CSS", weasy, cpu["weasy"]),
        ("WeasyPrint on the same HTML, no base URL (unstyled; info)", bare, cpu["bare"]),
    ]
    print(f"Review PDF, {criteria} criteria, {len(first):,} bytes, {args.rounds} rounds each")
    print(f"{'':58} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'CPU ms':>8}")
    for label, times, cpu_times in rows:
        print(
            f"{label:58} {statistics.median(times):10.1f} {min(times):8.1f} {max(times):8.1f}"
            f" {statistics.median(cpu_times):8.1f}"
        )
    verdict = "ok" if ratio <= BUDGET else "FAIL"
    print(
        f"ratio render_review_pdf / WeasyPrint alone: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU "
        f"(budget <= {BUDGET}x on the wall-time medians) {verdict}"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min): {load:.2f}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
