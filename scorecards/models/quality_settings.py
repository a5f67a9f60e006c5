"""Organisation-wide quality settings, edited by administrators in the Wagtail admin."""

from __future__ import annotations

from django.db import models
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="cog")
class QualitySettings(BaseGenericSetting):
    hide_reviewer_from_agents = models.BooleanField(
        default=False,
        help_text="Agents see 'A QA reviewer' instead of the reviewer's name on their reviews.",
    )
    mask_transcripts_on_import = models.BooleanField(
        default=True,
        help_text=(
            "Replace card numbers, email addresses and phone numbers in imported transcripts."
        ),
    )
    retention_days = models.PositiveIntegerField(
        default=365,
        help_text="Unreviewed interactions older than this are removed by purge_interactions.",
    )

    class Meta:
        verbose_name = "Quality settings"

    def __str__(self) -> str:
        return "Quality settings"
