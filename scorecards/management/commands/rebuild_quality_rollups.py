"""`manage.py rebuild_quality_rollups`: recompute the quality overview's rollups from reviews."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from scorecards.services.rollups import rebuild


class Command(BaseCommand):
    help = (
        "Recompute the quality overview's day and week sums (scorecards_qualityrollup, "
        "scorecards_criterionrollup) from the submitted quality reviews and their ratings. The "
        "review services keep them up to date; run this after loading reviews into the database "
        "by other means (a restore, a bulk insert). Safe to re-run: the same reviews give the "
        "same rows."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        reviews, criteria = rebuild()
        self.stdout.write(
            f"Quality rollups rebuilt: {reviews:,} review cells and {criteria:,} criterion cells "
            f"in {time.perf_counter() - started:.1f} s."
        )
