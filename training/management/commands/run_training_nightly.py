"""`manage.py run_training_nightly [--now]`: reconcile assignment rules, assign recertifications,
send due-date reminders. Run it once a day from cron; safe to re-run (nothing is done twice)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from training.tasks import nightly_training


class Command(BaseCommand):
    help = (
        "Reconcile every assignment rule, re-assign paths whose certificates expire within 30 "
        "days, and send due-soon and overdue reminders. Enqueues the work for the background "
        "worker; --now runs it here. Safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run in this process instead of enqueueing."
        )

    def handle(self, *args: Any, now: bool = False, **options: Any) -> None:
        if now:
            outcome = nightly_training.call()
            self.stdout.write(
                self.style.SUCCESS(
                    "Training: {assigned} assigned, {withdrawn} withdrawn, {recertifications} "
                    "recertifications, {due_reminders} due-soon and {overdue_reminders} overdue "
                    "reminders.".format(**outcome)
                )
            )
            return
        result = nightly_training.enqueue()
        self.stdout.write(self.style.SUCCESS(f"Enqueued the nightly training run ({result.id})."))
