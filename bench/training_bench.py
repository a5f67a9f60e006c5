"""Training at scale (issue 5): module pages, role-play answers, My training, the team report,
rule reconciliation and the certificate PDF, each beside its baseline measured in the same run.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/training_bench \\
        .venv/bin/python bench/training_bench.py [--requests 50] [--warmup 5] [--pdf-rounds 15]

Uses the bench database and settings of bench/run.py (creating and migrating the database if
needed). The database must hold `seed_demo --scale large` (2,000 agents in 180 teams under 6
departments of about 330 agents, with the training seeder's rules, assignments and attempts);
when the demo logins are missing the bench runs the seed once (several minutes; reused
afterwards). It then makes, once and idempotently, under a training index "Bench training":

- the module "Bench: 20 blocks, 10 questions" (20 content blocks of every kind, two images and
  two downloads among them, and 10 knowledge checks of every kind);
- the role-play "Bench: a 20-step conversation" (20 choice steps in a chain, then an end);
- 27 small modules ("Bench extra NN"): the rules' pages and more of the learner's items;
- a learning path with a certificate over the first two;
- training-learner@bench.test, an agent of the first team of the department, with an
  assignment of every one of those pages (30 items), a finished attempt at the module and a
  certificate; training-lead@bench.test, lead of the department (D-CONS).

Then it measures, through the Django test client (whole request: middleware, session, view,
template), `--warmup` untimed requests and one counted request per row, then `--requests`
rounds of one request per row (interleaved, so a burst of load on the machine slows every row
alike), the baseline (a bare view rendering base.html with one query, bench/views.py) first:

- module view /training/modules/<id>/, the module's library page, and a finished attempt of
  it (all 30 blocks with feedback): each ≤ 10 queries;
- role-play step answer (htmx POST, one reply per round along the chain): median ≤ 50 ms;
- My training for a learner with the seed's 1-3 assignments and for the learner with 30: each
  ≤ 12 queries, and the second no more than the first;
- the team report for lead@demo.test's small team, the department's lead, qa@demo.test
  filtered to the department and qa@demo.test over the whole organisation: each ≤ 12 queries,
  the whole organisation no more than one department; the department's two rows median ≤ 300 ms.

Rule reconciliation: 20 rules over the bench's small modules (by department, by role everywhere,
leads only, agents in their first 90 days) are added and `reconcile_rules()` runs twice for
2,000+ people, inside a transaction rolled back afterwards, so each bench run measures a true
first run (the COMMIT itself is not timed). Budget: first run ≤ 10 s, the re-run assigns and
withdraws nothing and leaves the assignment count as it was.

Certificate PDF: GET of the download view (`training:certificate_pdf`, as qa@demo.test),
`render_certificate_pdf` alone, and WeasyPrint rendering the very HTML that
`render_certificate_html` made, with the same base URL and static-file fetcher, interleaved for
`--pdf-rounds` rounds. Budget: the download's median ≤ 1 s and ≤ 1.3 × WeasyPrint's.

Prints every figure beside its baseline and the machine load; exits 1 when a budget fails, 2 when
the bench cannot run. See bench/README.md.
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
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make the project importable
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

INDEX_SLUG = "bench-training"
MODULE_SLUG = "bench-module-20-blocks"
SCENARIO_SLUG = "bench-roleplay-20-steps"
PATH_SLUG = "bench-path"
EXTRA_MODULES = 27
CONTENT_BLOCKS = 20
QUESTIONS = 10
STEPS = 20
RULES = 20
LEARNER = "training-learner@bench.test"
DEPT_LEAD = "training-lead@bench.test"
DEPARTMENT = "D-CONS"
SMALL_LEAD, QA = "lead@demo.test", "qa@demo.test"

PAGE_QUERIES = 10
LEARN_QUERIES = 12
REPORT_MEDIAN_MS = 300.0
STEP_MEDIAN_MS = 50.0
RECONCILE_SECONDS = 10.0
PDF_SECONDS = 1.0
PDF_VS_WEASYPRINT = 1.3
FORM = "application/x-www-form-urlencoded"


# --- The bench's pages and people -------------------------------------------------------------


def _rich(n: int) -> dict[str, Any]:
    return {
        "type": "rich_text",
        "value": f"<h2>Part {n}</h2><p>A paragraph or two of what good looks like, with an "
        "<b>example</b> and a <a href='https://example.com/policy'>link to the policy</a>. "
        "Customers remember how the conversation felt more than what was said.</p>"
        "<ul><li>Name the feeling</li><li>Say what happens next</li></ul>",
    }


def module_body(image_id: int, document_id: int) -> list[dict[str, Any]]:
    """20 content blocks of every kind with a knowledge check after every second one."""
    content: list[dict[str, Any]] = []
    for n in range(CONTENT_BLOCKS):
        kind = n % 10
        if kind in (0, 3, 6, 8):
            content.append(_rich(n + 1))
        elif kind == 1:
            content.append(
                {
                    "type": "image",
                    "value": {
                        "image": {
                            "image": image_id,
                            "decorative": False,
                            "alt_text": f"Diagram {n + 1}",
                        },
                        "caption": f"Figure {n + 1}",
                    },
                }
            )
        elif kind == 2:
            content.append(
                {
                    "type": "callout",
                    "value": {
                        "tone": "tip",
                        "text": "<p>Pause before you answer: the customer hears it as care.</p>",
                    },
                }
            )
        elif kind == 4:
            content.append(
                {
                    "type": "do_dont",
                    "value": {
                        "do": "I can see why that's frustrating. Let me fix it now.",
                        "dont": "That's our policy.",
                    },
                }
            )
        elif kind == 5:
            content.append(
                {
                    "type": "video",
                    "value": {
                        "file": None,
                        "url": "https://example.com/video",
                        "caption": "A call done well",
                        "transcript": "Agent: Thanks for waiting…",
                    },
                }
            )
        elif kind == 7:
            content.append(
                {
                    "type": "job_aid",
                    "value": {"document": document_id, "title": "Refund policy at a glance"},
                }
            )
        else:
            content.append(
                {
                    "type": "callout",
                    "value": {
                        "tone": "warning",
                        "text": "<p>Never promise a refund over 250 without a lead's approval.</p>",
                    },
                }
            )
    body: list[dict[str, Any]] = []
    for n in range(CONTENT_BLOCKS):
        body.append(content[n])
        if n % 2 == 1:
            body.append(question(n // 2))
    return body


def question(n: int) -> dict[str, Any]:
    """Knowledge check `n` (0-based), cycling through the five kinds."""
    key = f"q{n + 1:02d}"
    common = {
        "key": key,
        "prompt": f"Question {n + 1}: which reply is best here?",
        "explanation": "The one that names the feeling and the next step.",
        "points": 1,
    }
    kind = n % 5
    if kind == 0:
        return {
            "type": "single_choice",
            "value": {
                **common,
                "choices": [
                    {"key": k, "text": f"Reply {k.upper()}", "correct": k == "b"} for k in "abcd"
                ],
            },
        }
    if kind == 1:
        return {
            "type": "multiple_choice",
            "value": {
                **common,
                "choices": [
                    {"key": k, "text": f"Reply {k.upper()}", "correct": k in "ac"} for k in "abcd"
                ],
            },
        }
    if kind == 2:
        return {"type": "true_false", "value": {**common, "answer": True}}
    if kind == 3:
        return {
            "type": "ordering",
            "value": {
                **common,
                "items": [
                    {"key": k, "text": f"Step {k}"} for k in ("listen", "confirm", "fix", "close")
                ],
            },
        }
    return {"type": "short_answer", "value": {**common, "accepted": ["refund", "a refund"]}}


def scenario_steps() -> list[dict[str, Any]]:
    """A chain of 20 choice steps (a good and a poor reply each, both moving on), then an end."""
    steps: list[dict[str, Any]] = []
    for n in range(STEPS):
        target = f"s{n + 2:02d}" if n + 1 < STEPS else "done"
        steps.append(
            {
                "type": "step",
                "value": {
                    "key": f"s{n + 1:02d}",
                    "kind": "choice",
                    "start": n == 0,
                    "customer_text": f"Line {n + 1}: I have been waiting a week for my refund.",
                    "replies": [
                        {
                            "key": "good",
                            "text": "I'm sorry — let me check that right now.",
                            "feedback": "Warm and owns it.",
                            "points": 2,
                            "target": target,
                            "critical": False,
                        },
                        {
                            "key": "poor",
                            "text": "Refunds take time.",
                            "feedback": "Cold: no ownership.",
                            "points": -1,
                            "target": target,
                            "critical": False,
                        },
                    ],
                },
            }
        )
    steps.append(
        {
            "type": "step",
            "value": {
                "key": "done",
                "kind": "end",
                "outcome": "resolved",
                "customer_text": "Thanks, that helps.",
                "debrief": "<p>Well done.</p>",
            },
        }
    )
    return steps


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (40, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def _image() -> Any:
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    model = get_image_model()
    found = model.objects.filter(title="Bench diagram").first()
    if found is None:
        found = model(title="Bench diagram", file=ImageFile(io.BytesIO(_png()), name="bench.png"))
        found.save()
    return found


def _document() -> Any:
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    model = get_document_model()
    found = model.objects.filter(title="Bench job aid").first()
    if found is None:
        found = model(title="Bench job aid")
        found.file.save("bench-job-aid.txt", ContentFile(b"Refund policy at a glance\n" * 40))
        found.save()
    return found


def _child(parent: Any, model: Any, slug: str, **fields: Any) -> Any:
    found = model.objects.child_of(parent).filter(slug=slug).first()
    if found is not None:
        return found
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@dataclass
class Arranged:
    module: Any
    scenario: Any
    extras: list[Any]
    path: Any
    learner: Any
    few_learner: Any
    department: Any
    dept_lead: Any
    certificate: Any


def arrange(department_id: str = DEPARTMENT) -> Arranged:
    """The bench's pages, people, assignments and certificate (made once, found afterwards)."""
    from django.db import transaction
    from django.utils import timezone
    from wagtail.models import Site

    from qa_platform.people.models import Membership, RoleGrant, Team, User
    from qa_platform.people.roles import Role
    from qa_platform.people.services import create_person, grant_role, move_to_team
    from training.demo import take_module
    from training.models import Assignment, Attempt, Certificate
    from training.pages import LearningPathPage, ModulePage, RolePlayScenarioPage, TrainingIndexPage
    from training.services import assign_training, issue_certificate

    department = Team.objects.get(external_id=department_id)
    team = (
        Team.objects.filter(parent=department, is_active=True).order_by("path").first()
        or department
    )
    with transaction.atomic():
        home = Site.objects.get(is_default_site=True).root_page.specific
        index = _child(home, TrainingIndexPage, INDEX_SLUG, title="Bench training")
        image, document = _image(), _document()
        module = _child(
            index,
            ModulePage,
            MODULE_SLUG,
            title="Bench: 20 blocks, 10 questions",
            summary="Every kind of block, at a realistic length.",
            body=module_body(image.pk, document.pk),
            pass_mark=80,
            attempt_limit=0,
        )
        scenario = _child(
            index,
            RolePlayScenarioPage,
            SCENARIO_SLUG,
            title="Bench: a 20-step conversation",
            situation="<p>A refund promised a week ago has not arrived.</p>",
            goal="Keep the customer and get the refund moving.",
            steps=scenario_steps(),
        )
        extras = [
            _child(
                index,
                ModulePage,
                f"bench-extra-{n:02d}",
                title=f"Bench extra {n:02d}",
                summary="A short module.",
                body=[_rich(1), question(n % 5)],
            )
            for n in range(1, EXTRA_MODULES + 1)
        ]
        path = _child(
            index,
            LearningPathPage,
            PATH_SLUG,
            title="Bench path",
            summary="The bench module and role-play.",
            certificate=True,
            validity_months=12,
            items=[
                {"type": "item", "value": {"page": p.pk, "prerequisites": [], "required": True}}
                for p in (module, scenario)
            ],
        )
        learner = User.objects.filter(email=LEARNER).first()
        if learner is None:
            learner = create_person(email=LEARNER, full_name="Bench Learner")
            move_to_team(person=learner, team=team)
            grant_role(person=learner, role=Role.AGENT, team=team)
        dept_lead = User.objects.filter(email=DEPT_LEAD).first()
        if dept_lead is None:
            dept_lead = create_person(email=DEPT_LEAD, full_name="Bench Department Lead")
            move_to_team(person=dept_lead, team=department)
            grant_role(person=dept_lead, role=Role.LEAD, team=department)
        due = timezone.localdate() + dt.timedelta(days=21)
        for page in [module, scenario, path, *extras[: 30 - 3]]:
            if not Assignment.objects.filter(person=learner, page=page).exists():
                assign_training(page=page, people=[learner], due_at=due, notify=False)
        if not Attempt.objects.filter(person=learner, page=module).exists():
            take_module(learner, module)
        certificate = Certificate.objects.filter(person=learner, path=path).first()
        if certificate is None:
            certificate = issue_certificate(person=learner, path=path)
    # The learner with few assignments: the department's first agent by email (the seed's).
    members = Membership.objects.current().filter(team__path__startswith=department.path)
    few_learner = (
        User.objects.filter(
            pk__in=RoleGrant.objects.active().filter(role=Role.AGENT).values("user_id"),
            is_active=True,
        )
        .filter(pk__in=members.values("user_id"))
        .exclude(pk=learner.pk)
        .order_by("email")
        .first()
    )
    return Arranged(
        module=module,
        scenario=scenario,
        extras=extras,
        path=path,
        learner=learner,
        few_learner=few_learner or learner,
        department=department,
        dept_lead=dept_lead,
        certificate=certificate,
    )


# --- Measuring requests -----------------------------------------------------------------------


@dataclass
class Row:
    label: str
    login: Any  # the User signed in
    url: str = ""
    budget: str = ""
    send: Callable[[Any], Any] | None = None  # custom request (the step answer); else GET url
    timings: list[float] = field(default_factory=list)
    queries: int = 0
    statuses: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    note: str = ""
    client: Any = None

    @property
    def median(self) -> float:
        return statistics.median(self.timings) if self.timings else float("nan")


class StepPlayer:
    """Answers the role-play one step per call (htmx POST), starting a new official attempt
    (untimed) whenever the last one reached its end."""

    def __init__(self, person: Any, page: Any) -> None:
        self.person, self.page = person, page
        self.attempt: Any = None
        self.turn = 0

    def ready(self) -> None:
        """Untimed: the attempt to answer next, and its current step."""
        from training.models import Attempt
        from training.services import start_attempt

        if self.attempt is not None:
            self.attempt = Attempt.objects.get(pk=self.attempt.pk)
        if self.attempt is None or self.attempt.status != "in_progress":
            self.attempt = start_attempt(person=self.person, page=self.page)

    def __call__(self, client: Any) -> Any:
        from django.urls import reverse

        url = reverse("training:scenario_answer", args=[self.page.pk, self.attempt.pk])
        self.turn += 1
        body = f"step={self.attempt.current_step}&reply={'good' if self.turn % 3 else 'poor'}"
        return client.post(url, body, content_type=FORM, headers={"HX-Request": "true"})


def send(row: Row) -> Any:
    if row.send is not None:
        return row.send(row.client)
    return row.client.get(row.url)


def measure(rows: list[Row], requests: int, warmup: int) -> None:
    """Warm up, count one request's queries, then time `requests` interleaved rounds."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for row in rows:
        row.client = Client()
        row.client.force_login(row.login)
        for _ in range(warmup):
            _ready(row)
            send(row)
        _ready(row)
        with CaptureQueriesContext(connection) as captured:
            response = send(row)
        row.queries = len(captured.captured_queries)
        row.statuses.add(response.status_code)
    gc.collect()
    for _ in range(requests):
        for row in rows:
            _ready(row)
            started = time.perf_counter()
            response = send(row)
            row.timings.append((time.perf_counter() - started) * 1000)
            row.statuses.add(response.status_code)


def _ready(row: Row) -> None:
    if isinstance(row.send, StepPlayer):
        row.send.ready()


# --- Rule reconciliation ----------------------------------------------------------------------


@dataclass
class Reconciled:
    people: int
    rules: int
    first_seconds: float
    first_assigned: int
    first_withdrawn: int
    again_seconds: float
    again_assigned: int
    again_withdrawn: int
    count_after_first: int
    count_after_again: int


class _RollBack(Exception):
    pass


def bench_rules(pages: list[Any], departments: list[Any]) -> list[Any]:
    """20 unsaved rules: by department, every agent, leads only, agents in their first 90 days."""
    from qa_platform.people.roles import Role
    from training.models import AssignmentRule

    rules = []
    for i in range(RULES):
        kind = i % 4
        rules.append(
            AssignmentRule(
                name=f"Bench rule {i + 1:02d}",
                page=pages[i % len(pages)],
                team=departments[i % len(departments)] if kind == 0 else None,
                role=Role.AGENT if kind in (1, 3) else Role.LEAD if kind == 2 else "",
                first_days=90 if kind == 3 else None,
                due_days=14,
            )
        )
    return rules


def reconcile_twice(pages: list[Any], departments: list[Any]) -> Reconciled:
    """Add the 20 rules and reconcile twice, inside a transaction rolled back afterwards."""
    from django.db import transaction

    from training.models import Assignment, AssignmentRule
    from training.services import reconcile_rules
    from training.services.reconcile import people_facts

    result: Reconciled | None = None
    try:
        with transaction.atomic():
            AssignmentRule.objects.bulk_create(bench_rules(pages, departments))
            people = len(people_facts())
            started = time.perf_counter()
            first = reconcile_rules()
            first_seconds = time.perf_counter() - started
            after_first = Assignment.objects.count()
            started = time.perf_counter()
            again = reconcile_rules()
            again_seconds = time.perf_counter() - started
            result = Reconciled(
                people=people,
                rules=AssignmentRule.objects.filter(is_active=True).count(),
                first_seconds=first_seconds,
                first_assigned=first.assigned,
                first_withdrawn=first.withdrawn,
                again_seconds=again_seconds,
                again_assigned=again.assigned,
                again_withdrawn=again.withdrawn,
                count_after_first=after_first,
                count_after_again=Assignment.objects.count(),
            )
            raise _RollBack
    except _RollBack:
        pass
    assert result is not None
    return result


# --- The certificate PDF ----------------------------------------------------------------------


@dataclass
class PdfTimes:
    view: list[float] = field(default_factory=list)
    render: list[float] = field(default_factory=list)
    weasyprint: list[float] = field(default_factory=list)
    size: int = 0
    status: set[int] = field(default_factory=set)


def time_pdf(certificate: Any, viewer: Any, rounds: int) -> PdfTimes:
    """The download view, render_certificate_pdf and WeasyPrint alone on the same HTML."""
    from django.test import Client
    from django.urls import reverse
    from weasyprint import HTML

    from scorecards.pdf import PDF_BASE_URL, StaticFileFetcher
    from training.certificates import render_certificate_html, render_certificate_pdf

    client = Client()
    client.force_login(viewer)
    url = reverse("training:certificate_pdf", args=[certificate.pk])
    html = render_certificate_html(certificate)

    def view() -> Any:
        return client.get(url)

    def render() -> bytes:
        return render_certificate_pdf(certificate)

    def weasyprint() -> bytes:
        pdf: bytes = HTML(
            string=html, base_url=PDF_BASE_URL, url_fetcher=StaticFileFetcher()
        ).write_pdf()
        return pdf

    times = PdfTimes()
    first = view()  # warm: fonts, templates
    times.status.add(first.status_code)
    times.size = len(first.content)
    weasyprint()
    for _ in range(rounds):  # interleaved, so a busy moment slows all three alike
        steps: tuple[tuple[Callable[[], Any], list[float]], ...] = (
            (view, times.view),
            (render, times.render),
            (weasyprint, times.weasyprint),
        )
        for fn, into in steps:
            gc.collect()
            started = time.perf_counter()
            out = fn()
            into.append((time.perf_counter() - started) * 1000)
            if fn is view:
                times.status.add(out.status_code)
    return times


# --- Judging and printing ---------------------------------------------------------------------


def judge(rows: dict[str, Row]) -> None:
    for row in rows.values():
        if row.statuses != {200}:
            row.problems.append(f"status {sorted(row.statuses)}")
    for key in ("module", "library", "attempt"):
        row = rows[key]
        row.budget = f"≤{PAGE_QUERIES} q"
        if row.queries > PAGE_QUERIES:
            row.problems.append(f"{row.queries} queries")
    step = rows["step"]
    step.budget = f"median ≤{STEP_MEDIAN_MS:.0f} ms"
    if step.median > STEP_MEDIAN_MS:
        step.problems.append(f"median {step.median:.1f} ms")
    few, many = rows["learn_few"], rows["learn_many"]
    for row in (few, many):
        row.budget = f"≤{LEARN_QUERIES} q"
        if row.queries > LEARN_QUERIES:
            row.problems.append(f"{row.queries} queries")
    many.budget += ", ≤ the few-assignments row"
    if many.queries > few.queries:
        many.problems.append(f"{many.queries} queries > {few.queries} with fewer assignments")
    small = rows["report_small"]
    for key in ("report_small", "report_dept", "report_qa_dept", "report_org"):
        row = rows[key]
        row.budget = f"≤{LEARN_QUERIES} q"
        if row.queries > LEARN_QUERIES:
            row.problems.append(f"{row.queries} queries")
    for key in ("report_dept", "report_qa_dept"):
        row = rows[key]
        row.budget += f", median ≤{REPORT_MEDIAN_MS:.0f} ms"
        if row.median > REPORT_MEDIAN_MS:
            row.problems.append(f"median {row.median:.1f} ms")
    org = rows["report_org"]
    org.budget += ", ≤ the department row"
    if org.queries > rows["report_qa_dept"].queries:
        org.problems.append("more queries for the whole organisation than for one department")
    small.budget += " (reference for the count)"
    rows["baseline"].budget = "reference"
    if "library_small" in rows:
        rows["library_small"].budget = "information: the same depth"


def table(rows: list[Row], baseline: float) -> str:
    header = ("request", "median ms", "p95 ms", "× base", "queries", "status", "budget", "result")
    from bench.run import percentile

    cells = [
        (
            r.label,
            f"{r.median:.1f}",
            f"{percentile(r.timings, 0.95):.1f}",
            f"{r.median / baseline:.1f}" if baseline else "-",
            str(r.queries),
            "/".join(str(s) for s in sorted(r.statuses)),
            r.budget,
            "FAIL" if r.problems else "ok",
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in (header, *cells)) for i in range(len(header))]

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(
            v.rjust(widths[i]) if i in (1, 2, 3, 4) else v.ljust(widths[i])
            for i, v in enumerate(values)
        ).rstrip()

    out = [line(header), line(tuple("-" * w for w in widths)), *(line(c) for c in cells)]
    out += [f"     {r.label}: {r.note}" for r in rows if r.note]
    out += [f"FAIL {r.label}: {'; '.join(r.problems)}" for r in rows if r.problems]
    return "\n".join(out)


def ensure_seeded() -> None:
    from qa_platform.people.models import Team

    if Team.objects.filter(external_id=DEPARTMENT).exists():
        return
    print("Seed: seed_demo --scale large (once; several minutes)...", flush=True)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("seed_demo", scale="large", stdout=io.StringIO())
    print(f"      done in {time.perf_counter() - started:.0f} s.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="timed rounds of the pages")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per row first")
    parser.add_argument("--pdf-rounds", type=int, default=15, help="timed rounds of the PDF")
    parser.add_argument("--skip-reconcile", action="store_true", help="leave reconciliation out")
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    from bench.run import BenchError, describe_database, migrate, prepare_database

    try:
        prepare_database(reseed=False)
        migrate()
        import django

        django.setup()
        ensure_seeded()
    except BenchError as exc:
        print(f"training bench: {exc}", file=sys.stderr)
        return 2

    from django.db import connection
    from django.urls import reverse

    from qa_platform.people.models import Membership, Team, User
    from training.models import Assignment, Attempt, AttemptAnswer

    started = time.perf_counter()
    bench = arrange()
    arranged_in = time.perf_counter() - started
    qa = User.objects.get(email=QA)
    small_lead = User.objects.get(email=SMALL_LEAD)
    department = bench.department
    dept_agents = (
        Membership.objects.current()
        .filter(team__path__startswith=department.path)
        .values("user_id")
        .distinct()
        .count()
    )
    few_count = Assignment.objects.filter(person=bench.few_learner, withdrawn_at__isnull=True)
    many_count = Assignment.objects.filter(person=bench.learner, withdrawn_at__isnull=True)
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"Database: {describe_database()} ({vendor}); bench data ready in {arranged_in:.1f} s.")
    print(
        f"Data: {User.objects.count():,} people, {Assignment.objects.count():,} assignments, "
        f"{Attempt.objects.count():,} attempts, {AttemptAnswer.objects.count():,} answers; "
        f"department {department.name} ({DEPARTMENT}): {dept_agents} current members in "
        f"{Team.objects.filter(path__startswith=department.path).count() - 1} teams."
    )
    finished = (
        Attempt.objects.filter(person=bench.learner, page=bench.module, status="completed")
        .order_by("pk")
        .first()
    )
    if finished is None:
        print("training bench: the learner's finished attempt is missing", file=sys.stderr)
        return 2
    report = reverse("training:reports")
    player = StepPlayer(bench.learner, bench.scenario)
    rows = {
        "baseline": Row("baseline: base.html + 1 query", bench.learner, reverse("bench_bare")),
        "module": Row(
            "module view /training/modules/<id>/",
            bench.learner,
            reverse("training:module", args=[bench.module.pk]),
        ),
        "library": Row("library page of the module", bench.learner, bench.module.url),
        "library_small": Row(
            "library page of a 2-block module (info)", bench.learner, bench.extras[0].url
        ),
        "attempt": Row(
            "module attempt, finished (all 30 blocks)",
            bench.learner,
            reverse("training:module_attempt", args=[bench.module.pk, finished.pk]),
        ),
        "step": Row("role-play step answer (htmx POST)", bench.learner, send=player),
        "learn_few": Row(
            f"My training, {few_count.count()} assignment(s)",
            bench.few_learner,
            reverse("training:my_training"),
        ),
        "learn_many": Row(
            f"My training, {many_count.count()} assignments",
            bench.learner,
            reverse("training:my_training"),
        ),
        "report_small": Row(f"team report: {SMALL_LEAD} (one small team)", small_lead, report),
        "report_dept": Row(
            f"team report: lead of {DEPARTMENT} ({dept_agents} people)", bench.dept_lead, report
        ),
        "report_qa_dept": Row(
            f"team report: {QA}, ?team={DEPARTMENT}", qa, f"{report}?team={department.pk}"
        ),
        "report_org": Row(f"team report: {QA}, whole organisation", qa, report),
    }
    rows["step"].note = (
        f"one reply per round along a {STEPS}-step chain; a new official attempt (untimed) "
        "after each end, so 1 answer in 20 also finishes the attempt"
    )
    print(
        f"Pages: {args.warmup} warm-up requests and one counted request per row, then "
        f"{args.requests} timed rounds (one request per row per round).\n",
        flush=True,
    )
    load_before = os.getloadavg()[0]
    measure(list(rows.values()), args.requests, args.warmup)
    judge(rows)
    baseline = rows["baseline"].median
    print(table(list(rows.values()), baseline))
    print(
        f"\nMachine load (1-minute average) after the pages: {os.getloadavg()[0]:.1f} "
        f"(before {load_before:.1f}) on {os.cpu_count()} CPUs.\n",
        flush=True,
    )

    problems: list[str] = [
        p for r in rows.values() for p in (f"{r.label}: {x}" for x in r.problems)
    ]

    if not args.skip_reconcile:
        departments = list(Team.objects.filter(parent=department.parent, kind=department.kind))
        rec = reconcile_twice(bench.extras, departments)
        ok_first = rec.first_seconds <= RECONCILE_SECONDS
        ok_again = (rec.again_assigned, rec.again_withdrawn) == (0, 0) and (
            rec.count_after_again == rec.count_after_first
        )
        print(
            f"Rule reconciliation ({rec.people:,} people with a current membership, {rec.rules} "
            f"active rules of which {RULES} added for the bench; rolled back afterwards):\n"
            f"  first run  {rec.first_seconds:6.2f} s  {rec.first_assigned:,} assigned, "
            f"{rec.first_withdrawn} withdrawn  (budget ≤ {RECONCILE_SECONDS:.0f} s: "
            f"{'ok' if ok_first else 'FAIL'})\n"
            f"  re-run     {rec.again_seconds:6.2f} s  {rec.again_assigned} assigned, "
            f"{rec.again_withdrawn} withdrawn; assignments {rec.count_after_first:,} → "
            f"{rec.count_after_again:,}  (must change nothing: {'ok' if ok_again else 'FAIL'})"
        )
        print(f"  machine load after: {os.getloadavg()[0]:.1f}\n", flush=True)
        if not ok_first:
            problems.append(f"reconciliation first run {rec.first_seconds:.2f} s")
        if not ok_again:
            problems.append("re-running the reconciliation changed something")

    pdf = time_pdf(bench.certificate, qa, args.pdf_rounds)
    view_median = statistics.median(pdf.view)
    weasy_median = statistics.median(pdf.weasyprint)
    ratio = view_median / weasy_median
    ok_pdf = (
        pdf.status == {200} and view_median <= PDF_SECONDS * 1000 and ratio <= PDF_VS_WEASYPRINT
    )
    print(f"Certificate PDF ({pdf.size:,} bytes), {args.pdf_rounds} interleaved rounds:")
    for label, times in (
        ("download view (GET, whole request)", pdf.view),
        ("render_certificate_pdf alone", pdf.render),
        ("WeasyPrint alone, same HTML, fetcher and CSS", pdf.weasyprint),
    ):
        print(
            f"  {label:46} median {statistics.median(times):7.1f} ms  min {min(times):7.1f}  "
            f"max {max(times):7.1f}"
        )
    print(
        f"  ratio download / WeasyPrint {ratio:.2f} (budget ≤ {PDF_VS_WEASYPRINT}); "
        f"render_certificate_pdf / WeasyPrint "
        f"{statistics.median(pdf.render) / weasy_median:.2f}; download median budget ≤ "
        f"{PDF_SECONDS * 1000:.0f} ms: {'ok' if ok_pdf else 'FAIL'}"
    )
    if not ok_pdf:
        problems.append(f"certificate PDF median {view_median:.0f} ms, ratio {ratio:.2f}")
    print(
        f"\nMachine load (1-minute average): {os.getloadavg()[0]:.1f} at the end, on "
        f"{os.cpu_count()} CPUs; absolute times are only comparable on a quiet machine."
    )
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"training bench: {'all budgets met' if not problems else f'{len(problems)} failed'}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
