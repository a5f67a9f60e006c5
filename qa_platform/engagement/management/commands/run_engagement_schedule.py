"""`manage.py run_engagement_schedule [--now]`: open scheduled surveys that are due (inviting
people), remind non-respondents on the reminder days, close surveys whose close time passed.
Run it from cron every 15 minutes; safe to re-run (nothing is done twice)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qa_platform.engagement.tasks import engagement_schedule


class Command(BaseCommand):
    help = (
        "Open scheduled engagement surveys whose open time has passed (sending the invitations), "
        "remind people who have not answered on the survey's reminder days (at most once a "
        "day), and close surveys whose close time has passed (deciding their results). "
        "Enqueues the work for the background worker; --now runs it here. Safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run in this process instead of enqueueing."
        )

    def handle(self, *args: Any, now: bool = False, **options: Any) -> None:
        if now:
            outcome = engagement_schedule.call()
            self.stdout.write(
                self.style.SUCCESS(
                    "Surveys: {opened} opened, {reminded} people reminded, {closed} closed.".format(
                        **outcome
                    )
                )
            )
            return
        result = engagement_schedule.enqueue()
        self.stdout.write(
            self.style.SUCCESS(f"Enqueued the engagement schedule run ({result.id}).")
        )
