"""Submitting an engagement survey response (issue 6: ≤ 50 ms server time at the median), for the
full engagement template (38 items) plus 7 of HR's own questions (single and
multiple choice among them): 45 questions, beside its baselines measured in the same run.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/engagement_bench_h4 \\
        .venv/bin/python bench/engagement_submit_bench.py [--requests 100] [--warmup 10]

Uses the bench settings of bench/run.py (creating and migrating the database if needed; no demo
seed is needed). It makes, once, the team "Bench: engagement" with `--requests + --warmup`
people (engagement-bench-NNNN@bench.test) and the open, anonymous survey "Bench: full
engagement survey" built from the bank's full template, with one invitation per person. Every
run first deletes that survey's responses and resets every invitation to unsubmitted with a
draft answering all 45 questions, so each timed request is a real first submission.

Rows, interleaved (one of each per round, so a burst of load on the machine slows all alike):

- baseline: a bare view rendering base.html with one query (bench/views.py), through the Django
  test client: the app's fixed cost of a request;
- baseline: a plain insert of the same rows (one `Response`, 45 `Answer`s in one bulk insert, in
  one transaction), with no validation and no request: the database's share;
- `submit_response` called directly (validation, the conditional update, the inserts);
- POST /engagement/surveys/<id>/answer/submit/ through the Django test client, signed in as the
  invited person (the whole request: session, middleware, the view, the service, the redirect).
  Budget: median ≤ 50 ms, and ≤ 12 queries.

Each person submits once, so every round uses the next person's client, signed in beforehand (not
timed). Prints the median and p95 wall time of each row, the median CPU time of this process per
row (what the app itself spends, unaffected by other load on the machine but without the
database's own work), the query count of one request, the machine load; exits 1 when a budget
fails, 2 when the bench cannot run.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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

TEAM_NAME = "Bench: engagement"
SURVEY_TITLE = "Bench: full engagement survey"
EMAIL = "engagement-bench-{:04d}@bench.test"
SUBMIT_MEDIAN_MS = 50.0
SUBMIT_QUERIES = 12
CHANNELS = ("Phone", "Chat", "Email", "Social media")
EXTRA_QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("single_choice", ("Early", "Late", "Night")),
    ("single_choice", ("Office", "Home", "Both")),
    ("single_choice", ("Under 1 year", "1-2 years", "Over 2 years")),
    ("multiple_choice", CHANNELS),
    ("multiple_choice", CHANNELS),
    ("agreement_5", ()),
    ("agreement_5", ()),
)


@dataclass
class Row:
    label: str
    budget: str = "reference"
    timings: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this process's CPU time per request
    queries: int = 0
    outcomes: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def full_answers(questions: list[Any]) -> dict[str, Any]:
    """A valid answer to each question, varied so values spread over the scales."""
    out: dict[str, Any] = {}
    for n, q in enumerate(questions):
        if q.scale == "agreement_5":
            out[q.key] = 1 + n % 5
        elif q.scale == "zero_to_ten":
            out[q.key] = n % 11
        elif q.scale == "single_choice":
            out[q.key] = 0
        elif q.scale == "multiple_choice":
            out[q.key] = [0, 1]
        else:
            out[q.key] = f"A comment of a few words on {q.key}, as people write them."
    return out


def arrange(people: int) -> tuple[Any, list[Any], list[Any]]:
    """The team, the survey and `people` invitations, reset for a fresh run (idempotent)."""
    from django.db import transaction

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
    from qa_platform.people.models import Team, User

    with transaction.atomic():
        team = Team.objects.filter(name=TEAM_NAME, parent=None).first()
        if team is None:
            team = Team.objects.create(name=TEAM_NAME)
            Team.objects.filter(pk=team.pk).update(path=f"/{team.pk}/", depth=0)
        survey = Survey.objects.filter(title=SURVEY_TITLE).first()
        if survey is None:
            survey = Survey.objects.create(
                title=SURVEY_TITLE, template_key="full", status=SurveyStatus.OPEN
            )
            order = 0
            for s_order, section in enumerate(bank.TEMPLATES_BY_KEY["full"].sections):
                sec = SurveySection.objects.create(
                    survey=survey, title=section.title, order=s_order
                )
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
            # The full template has 38 items, none of them a choice: 7 of HR's own questions
            # bring it to 45 and cover every scale.
            extra = SurveySection.objects.create(survey=survey, title="About your work", order=99)
            for n, (scale, options) in enumerate(EXTRA_QUESTIONS):
                order += 1
                SurveyQuestion.objects.create(
                    survey=survey,
                    section=extra,
                    order=order,
                    key=f"own.bench_{n}",
                    text=f"Own question {n + 1}",
                    scale=scale,
                    options=list(options),
                )
        Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.OPEN)
        survey.refresh_from_db()
        emails = [EMAIL.format(n) for n in range(people)]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        new = [
            User(email=e, full_name=f"Bench respondent {n}")
            for n, e in enumerate(emails)
            if e not in existing
        ]
        for user in new:
            user.set_unusable_password()
        User.objects.bulk_create(new)
        users = list(User.objects.filter(email__in=emails).order_by("email"))
        Answer.objects.filter(response__survey=survey).delete()
        Response.objects.filter(survey=survey).delete()
        questions = list(SurveyQuestion.objects.filter(survey=survey))
        draft = full_answers(questions)
        invited = set(Invitation.objects.filter(survey=survey).values_list("person_id", flat=True))
        Invitation.objects.bulk_create(
            [
                Invitation(
                    survey=survey,
                    person=user,
                    team=team,
                    attributes={"location": "Lisbon", "role": "Agent", "tenure_band": "1-2y"},
                    token_hash=hashlib.sha256(f"bench-{survey.pk}-{user.pk}".encode()).hexdigest(),
                )
                for user in users
                if user.pk not in invited
            ]
        )
        Invitation.objects.filter(survey=survey).update(submitted=False, draft=draft)
        invitations = list(
            Invitation.objects.filter(survey=survey, person__in=users)
            .select_related("survey", "person")
            .order_by("person__email")
        )
    return survey, questions, invitations


def plain_insert(survey: Any, team: Any, questions: list[Any], draft: dict[str, Any]) -> str:
    """The same rows submit_response writes, inserted directly (the database's share)."""
    from django.db import transaction

    from qa_platform.engagement.models import Answer, Response

    with transaction.atomic():
        response = Response.objects.create(survey=survey, team_id=team, attributes={})
        Answer.objects.bulk_create(
            [
                Answer(
                    response=response,
                    question=q,
                    value=draft[q.key] if isinstance(draft[q.key], int) else None,
                    choices=draft[q.key] if isinstance(draft[q.key], list) else None,
                    text=draft[q.key] if isinstance(draft[q.key], str) else "",
                )
                for q in questions
            ]
        )
    return "inserted"


def measure(
    survey: Any,
    questions: list[Any],
    invitations: list[Any],
    requests: int,
    warmup: int,
    bare_url: str = "",
) -> list[Row]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from qa_platform.engagement.services.responses import submit_response

    bare = Row("baseline: base.html + 1 query (GET)")
    insert = Row("baseline: plain insert of the same rows")
    service = Row("submit_response() alone")
    post = Row(
        f"submit POST ({len(questions)} questions)",
        budget=f"median ≤{SUBMIT_MEDIAN_MS:.0f} ms, ≤{SUBMIT_QUERIES} q",
    )
    rows = [bare, insert, service, post]
    draft = invitations[0].draft
    submit_url = reverse("engagement:answer_submit", args=[survey.pk])
    bare_url = bare_url or reverse("bench_bare")  # tests pass another page
    # Two invitations per round: one for the service call, one for the POST.
    service_invitations = invitations[: len(invitations) // 2]
    post_invitations = invitations[len(invitations) // 2 :]
    team_id = invitations[0].team_id

    def timed(row: Row, fn: Callable[[], Any], *, count: bool = False) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        if count:
            with CaptureQueriesContext(connection) as captured:
                outcome = fn()
            row.queries = len(captured.captured_queries)
        else:
            outcome = fn()
        row.timings.append((time.perf_counter() - started) * 1000)
        row.cpu.append((time.process_time() - cpu) * 1000)
        row.outcomes.add(str(outcome))

    clients = []
    for inv in post_invitations:
        client = Client()
        client.force_login(inv.person)
        clients.append(client)

    def run(turn: int) -> None:
        client = clients[turn]
        inv = service_invitations[turn]
        timed(bare, lambda: client.get(bare_url).status_code, count=turn == warmup)
        timed(
            insert,
            lambda: plain_insert(survey, team_id, questions, draft),
            count=turn == warmup,
        )
        timed(
            service,
            lambda: type(submit_response(invitation=inv, answers=inv.draft)).__name__,
            count=turn == warmup,
        )
        timed(post, lambda: client.post(submit_url).status_code, count=turn == warmup)

    for turn in range(warmup):
        run(turn)
    for row in rows:
        row.timings.clear()
        row.cpu.clear()
    gc.collect()
    for turn in range(warmup, warmup + requests):
        run(turn)
    return rows


def judge(rows: list[Row]) -> None:
    bare, insert, service, post = rows
    median = statistics.median(post.timings)
    if median > SUBMIT_MEDIAN_MS:
        post.problems.append(f"median {median:.1f} ms")
    if post.queries > SUBMIT_QUERIES:
        post.problems.append(f"{post.queries} queries")
    expected = [(bare, {"200"}), (insert, {"inserted"}), (service, {"Response"}), (post, {"302"})]
    for row, outcomes in expected:
        if row.outcomes != outcomes:
            row.problems.append(f"outcomes {sorted(row.outcomes)}")


def table(rows: list[Row]) -> str:
    header = ("row", "median ms", "p95 ms", "cpu ms", "queries", "budget", "result")
    cells = [
        (
            r.label,
            f"{statistics.median(r.timings):.1f}",
            f"{percentile(r.timings, 0.95):.1f}",
            f"{statistics.median(r.cpu):.1f}",
            str(r.queries),
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
    parser.add_argument("--requests", type=int, default=100, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds first")
    args = parser.parse_args(argv)
    try:
        prepare_database(reseed=False)
        migrate()
    except BenchError as exc:
        print(f"engagement submit bench: {exc}", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.db import connection

    rounds = args.warmup + args.requests + 1
    survey, questions, invitations = arrange(2 * rounds)
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(
        f"Database: {describe_database()} ({vendor}); "
        f"survey {survey.pk}, {len(questions)} questions"
    )
    print(
        f"{args.warmup} warm-up rounds, then {args.requests} timed rounds of one of each row; "
        "every submission is a different invited person's first.\n"
    )
    load_before = os.getloadavg()[0]
    rows = measure(survey, questions, invitations, args.requests, args.warmup)
    judge(rows)
    print(table(rows))
    print(
        f"\nMachine load (1-minute average): {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs."
    )
    failed = [r for r in rows if r.problems]
    print(
        f"\nengagement submit bench: {'all budgets met' if not failed else f'{len(failed)} failed'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
