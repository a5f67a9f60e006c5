"""`manage.py seed_demo [--scale small|large]`: load the demo organisation; safe to re-run."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from qa_platform.people.demo import DEMO_LOGINS, DEMO_PASSWORD, SCALES, run_seeders


class Command(BaseCommand):
    help = (
        "Load deterministic demo data: --scale small (default; one organisation, 5 teams, "
        "40 people) or --scale large (2,000 agents in 180 teams, for bench/). "
        "Re-running creates only what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="small",
            help="How much data to load (default: small).",
        )

    def handle(self, *args: Any, scale: str, **options: Any) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            run_seeders(scale, self.stdout)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Seeded demo data ({scale}) in {elapsed:.1f} s."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        width = max(len(login.email) for login in DEMO_LOGINS)
        for login in DEMO_LOGINS:
            self.stdout.write(
                f"  {login.email:<{width}}  {login.role.label} — {login.note} ({login.full_name})"
            )
