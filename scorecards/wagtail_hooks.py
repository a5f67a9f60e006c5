"""Quality frameworks in the Wagtail admin: authored as a snippet with drafts, revisions and a
preview that renders the criteria as reviewers will see them.

Publishing is validated by `FrameworkAdminForm` (scorecards.forms_admin) and freezes a new
`FrameworkVersion` (scorecards.receivers -> services.frameworks.publish_version). Versions,
duplicating and retiring live on the product's own page, /quality/frameworks/; the listing links
there ("Versions and actions").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from scorecards.forms_admin import FrameworkAdminForm
from scorecards.frameworks import framework_status, with_listing_figures
from scorecards.models import Framework, ScoringMode


def _mode(framework: Framework) -> str:
    return str(ScoringMode(framework.scoring_mode).label) if framework.scoring_mode else ""


def _latest_version(framework: Framework) -> str:
    number = getattr(framework, "latest_version", None)
    return f"v{number}" if number else "Not published"


class FrameworkViewSet(SnippetViewSet):
    model = Framework
    icon = "tasks"
    menu_label = "Quality frameworks"
    menu_name = "quality-frameworks"
    menu_order = 250
    add_to_admin_menu = True
    list_display = [
        "name",
        Column("scoring_mode", label="Mode", accessor=_mode, sort_key="scoring_mode"),
        Column("latest_version", label="Latest version", accessor=_latest_version, sort_key=None),
        StatusTagColumn(
            "status",
            label="Status",
            accessor=framework_status,
            primary=lambda framework: framework.live and framework.retired_at is None,
        ),
        Column("review_count", label="Reviews", accessor="review_count"),
    ]
    list_per_page = 50
    ordering = ["name"]

    edit_handler = ObjectList(
        [
            FieldPanel(
                "name",
                help_text="What reviewers and agents see, e.g. 'Customer Support Standard'.",
            ),
            FieldPanel(
                "description",
                help_text="Optional: what the framework is for and which contacts it grades.",
            ),
            MultiFieldPanel(
                [
                    FieldPanel(
                        "scoring_mode",
                        help_text=(
                            "Weighted mean: each criterion counts by its weight. Points: each "
                            "criterion is worth points; the score is the share of possible "
                            "points earned."
                        ),
                    ),
                    FieldPanel("pass_mark"),
                    FieldPanel("use_section_weights"),
                ],
                heading="Scoring",
                help_text=(
                    "N/A criteria leave the score (both sums). A failed fatal criterion makes the "
                    "final score 0; the raw score is kept and shown."
                ),
            ),
            FieldPanel(
                "sections",
                help_text=(
                    "Sections of criteria (scored) and questions (context only). Keep a "
                    "criterion's key when you reword it: reports compare versions by key. "
                    "Save drafts freely; publishing checks the whole framework and creates "
                    "a new version when the criteria changed."
                ),
            ),
        ],
        base_form_class=FrameworkAdminForm,
    )

    def get_queryset(self, request: Any) -> QuerySet[Framework]:
        return with_listing_figures(Framework.objects.all())


register_snippet(FrameworkViewSet)


@hooks.register("register_snippet_listing_buttons")
def framework_versions_button(
    snippet: Any, user: Any, next_url: str | None = None
) -> Iterator[Button]:
    if isinstance(snippet, Framework):
        yield Button(
            "Versions and actions",
            url=reverse("scorecards:frameworks") + f"#framework-{snippet.pk}",
            icon_name="history",
            priority=5,
        )
