"""`manage.py purge_interactions [--older-than DAYS] [--dry-run]`: apply the retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scorecards.models import QualitySettings
from scorecards.services.interaction_import import purge_interactions


class Command(BaseCommand):
    help = (
        "Delete interactions that started more than DAYS days ago and were never reviewed (no "
        "review at all, not even a draft), with their transcripts. Customer feedback on them is "
        "kept, detached from the interaction. DAYS defaults to the retention period in the "
        "quality settings. Safe to re-run; writes one audit event (none for --dry-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            metavar="DAYS",
            default=None,
            help="Age in days (default: the quality settings' retention period).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["older_than"]
        if days is None:
            days = QualitySettings.load().retention_days
        if days < 1:
            raise CommandError("--older-than must be at least 1 day.")
        result = purge_interactions(older_than_days=days, dry_run=options["dry_run"])
        noun = "interaction" if result.interactions == 1 else "interactions"
        when = f"{result.cutoff:%Y-%m-%d %H:%M} UTC"
        if result.dry_run:
            self.stdout.write(
                f"Dry run: {result.interactions:,} unreviewed {noun} started before {when} "
                "would be deleted. Nothing was deleted."
            )
        else:
            self.stdout.write(
                f"Deleted {result.interactions:,} unreviewed {noun} started before {when} "
                f"(older than {days} days)."
            )
