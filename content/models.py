"""CX knowledge pages (DOMAIN.md §6), served under /library/ for signed-in staff.

Tree: the Wagtail root → HomePage "Knowledge and training" (the default Site's root) →
StandardPage, CXStandardsPage, PersonaIndexPage → PersonaPage, JourneyMapPage, PlaybookPage and
training.TrainingIndexPage (the training app's pages).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.blocks import PageChooserBlock
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from content import journey
from content.blocks import (
    RICH_FEATURES,
    BodyBlocks,
    EscalationLevelBlock,
    JourneyBlocks,
    PlaybookStepBlock,
    RootCauseBlock,
    StandardsBlocks,
)
from content.routing import ViewRestrictionsInOneQuery, route_by_url_path

TRAINING_INDEX = "training.TrainingIndexPage"
ROLE_PLAY_PAGE = "training.RolePlayScenarioPage"
MODULE_PAGE = "training.ModulePage"

SUMMARY_HELP = "One or two sentences shown under the title and in search results and listings."


def lines(text: str) -> list[str]:
    """Non-empty lines of a one-per-line text field."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def title_panel(help_text: str) -> FieldPanel:
    return FieldPanel("title", help_text=help_text)


class LibraryPage(ViewRestrictionsInOneQuery):
    """Breadcrumbs for every library page: its live ancestors below Wagtail's root; view
    restrictions read in one query (content.routing)."""

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(request, *args, **kwargs)  # type: ignore[misc]
        page: Page = self  # type: ignore[assignment]
        if page.depth > 2:
            ancestors = page.get_ancestors().filter(depth__gt=1).live()
            context["crumbs"] = [(a.title, a.get_url(request)) for a in ancestors] + [
                (page.title, None)
            ]
        return context


class HomePage(LibraryPage, Page):
    """The library's front page: the root of the default Site, served at /library/."""

    intro = RichTextField(
        blank=True,
        features=RICH_FEATURES,
        help_text="A short welcome: what agents and leads find in the library.",
    )
    body = StreamField(
        BodyBlocks(),
        blank=True,
        help_text="Optional sections under the list of library sections.",
    )

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "content.StandardPage",
        "content.CXStandardsPage",
        "content.PersonaIndexPage",
        "content.JourneyMapPage",
        "content.PlaybookPage",
        TRAINING_INDEX,
    ]
    max_count = 1

    content_panels = [
        title_panel("The library's name, e.g. 'Knowledge and training'."),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        verbose_name = "library home page"

    def route(self, request: HttpRequest, path_components: list[str]) -> Any:
        """A page deeper than one level is found by its URL path in two queries, not two per
        level (content.routing); anything else is routed by Wagtail."""
        if len(path_components) > 1:
            found = route_by_url_path(self, request, path_components)
            if found is not None:
                return found
        return super().route(request, path_components)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.get_children().live().specific().order_by("path")
        return context


class StandardPage(LibraryPage, Page):
    """A plain page of text and images (e.g. the CX vision, a how-to)."""

    summary = models.TextField(blank=True, max_length=400, help_text=SUMMARY_HELP)
    body = StreamField(BodyBlocks(), blank=True, help_text="The page's text, headings and images.")

    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]

    content_panels = [
        title_panel("The page's title."),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    class Meta:
        verbose_name = "standard page"


class CXStandardsPage(LibraryPage, Page):
    """What good service means here, linked to the quality framework's criteria."""

    summary = models.TextField(blank=True, max_length=400, help_text=SUMMARY_HELP)
    body = StreamField(
        StandardsBlocks(),
        blank=True,
        help_text="The standards text; add 'Framework criterion' blocks to link each standard "
        "to the criterion reviewers grade it with.",
    )

    parent_page_types = ["content.HomePage"]
    subpage_types: list[str] = []
    template = "content/cx_standards_page.html"

    content_panels = [
        title_panel("The standards' title, e.g. 'Our service standards'."),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    class Meta:
        verbose_name = "CX standards page"


class PersonaIndexPage(LibraryPage, Page):
    """Lists the customer personas below it."""

    intro = models.TextField(blank=True, max_length=600, help_text=SUMMARY_HELP)

    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.PersonaPage"]
    max_count = 1

    content_panels = [title_panel("E.g. 'Customer personas'."), FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        verbose_name = "persona index page"

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["personas"] = (
            PersonaPage.objects.child_of(self).live().select_related("photo").order_by("path")
        )
        return context


class PersonaPage(LibraryPage, Page):
    """A customer persona: who they are, what they want, what frustrates them. Role-play scenarios
    in training show the persona's name, photo and mood."""

    name = models.CharField(max_length=120, help_text="The persona's name, e.g. 'Maya Okafor'.")
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional portrait (an illustration or a stock photo, never a real customer).",
    )
    role_description = models.TextField(
        help_text="Who they are: age range, situation, how they use our service.",
    )
    goals = models.TextField(blank=True, help_text="What they want to achieve; one per line.")
    frustrations = models.TextField(
        blank=True, help_text="What annoys or worries them; one per line."
    )
    preferred_channels = models.TextField(
        blank=True,
        help_text="How they like to contact us, most preferred first; one per line "
        "(e.g. 'Chat in the app').",
    )
    quotes = models.TextField(
        blank=True, help_text="Things they might say, in their own words; one per line."
    )
    mood = models.CharField(
        max_length=80,
        blank=True,
        help_text="Their usual mood when they contact us, in a word or two (e.g. 'Anxious').",
    )

    parent_page_types = ["content.PersonaIndexPage"]
    subpage_types: list[str] = []

    content_panels = [
        title_panel("The page title, usually the persona's name and a label."),
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("photo"), FieldPanel("mood")], heading="Persona"
        ),
        FieldPanel("role_description"),
        FieldPanel("goals"),
        FieldPanel("frustrations"),
        FieldPanel("preferred_channels"),
        FieldPanel("quotes"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("name"),
        index.SearchField("role_description"),
        index.SearchField("goals"),
        index.SearchField("frustrations"),
        index.SearchField("preferred_channels"),
        index.SearchField("quotes"),
        index.SearchField("mood"),
    ]

    class Meta:
        verbose_name = "persona"

    def goal_list(self) -> list[str]:
        return lines(self.goals)

    def frustration_list(self) -> list[str]:
        return lines(self.frustrations)

    def channel_list(self) -> list[str]:
        return lines(self.preferred_channels)

    def quote_list(self) -> list[str]:
        return lines(self.quotes)


class JourneyMapPage(LibraryPage, RoutablePageMixin, Page):
    """One persona's journey, action by action, with touchpoints either side of the line of
    visibility and a health mark on each. Printable to PDF at <page>/pdf/."""

    persona = models.ForeignKey(
        "content.PersonaPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="journey_maps",
        help_text="The persona whose journey this is.",
    )
    journey_name = models.CharField(
        max_length=160,
        help_text="The journey in the customer's terms, e.g. 'Refund for a damaged delivery'.",
    )
    summary = models.TextField(blank=True, max_length=600, help_text=SUMMARY_HELP)
    actions = StreamField(
        JourneyBlocks(),
        help_text="The customer's actions in order; for each, the people and teams involved and "
        "the touchpoints with their health marks.",
    )

    parent_page_types = ["content.HomePage"]
    subpage_types: list[str] = []

    content_panels = [
        title_panel("The map's title, e.g. 'Journey map: refund for a damaged delivery'."),
        FieldPanel("persona"),
        FieldPanel("journey_name"),
        FieldPanel("summary"),
        FieldPanel("actions"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("journey_name"),
        index.SearchField("summary"),
        index.SearchField("actions"),
    ]

    class Meta:
        verbose_name = "journey map"

    def journey(self) -> list[journey.Action]:
        return journey.actions(block.value for block in self.actions)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        steps = self.journey()
        context["journey"] = steps
        context["health_summary"] = journey.health_summary(steps)
        context["persona"] = (
            PersonaPage.objects.live().select_related("photo").filter(pk=self.persona_id).first()
            if self.persona_id
            else None
        )
        context["pdf_url"] = (self.get_url(request) or "") + self.reverse_subpage("pdf")
        return context

    @path("pdf/", name="pdf")
    def pdf_route(self, request: HttpRequest) -> HttpResponse:
        from content.pdf import render_journey_pdf

        response = HttpResponse(render_journey_pdf(self, request), content_type="application/pdf")
        filename = slugify(self.title) or "journey-map"
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response


class PlaybookPage(LibraryPage, Page):
    """How to handle a situation: steps, escalation with time limits, root causes to record,
    and the role-plays and modules that practise it."""

    summary = models.TextField(blank=True, max_length=600, help_text=SUMMARY_HELP)
    situation = RichTextField(
        features=RICH_FEATURES,
        help_text="The situation this playbook is for and how to recognise it.",
    )
    steps = StreamField(
        [("step", PlaybookStepBlock())],
        help_text="What to do, in order.",
    )
    escalation = StreamField(
        [("level", EscalationLevelBlock())],
        blank=True,
        help_text="The escalation path, first level first, each with its time limit.",
    )
    root_causes = StreamField(
        [("cause", RootCauseBlock())],
        blank=True,
        help_text="The root causes to record on the case so trends can be fixed at the source.",
    )
    role_plays = StreamField(
        [
            (
                "role_play",
                PageChooserBlock(
                    page_type=ROLE_PLAY_PAGE,
                    help_text="A role-play scenario that practises this playbook.",
                ),
            )
        ],
        blank=True,
        help_text="Role-play scenarios that practise this playbook.",
    )
    modules = StreamField(
        [
            (
                "module",
                PageChooserBlock(
                    page_type=MODULE_PAGE,
                    help_text="A training module that teaches this playbook.",
                ),
            )
        ],
        blank=True,
        help_text="Training modules that teach this playbook.",
    )

    parent_page_types = ["content.HomePage"]
    subpage_types: list[str] = []

    content_panels = [
        title_panel("The playbook's title, e.g. 'Complaint handling'."),
        FieldPanel("summary"),
        FieldPanel("situation"),
        FieldPanel("steps"),
        FieldPanel("escalation"),
        FieldPanel("root_causes"),
        MultiFieldPanel(
            [FieldPanel("role_plays"), FieldPanel("modules")], heading="Practice and training"
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("situation"),
        index.SearchField("steps"),
        index.SearchField("escalation"),
        index.SearchField("root_causes"),
    ]

    class Meta:
        verbose_name = "playbook"

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["linked_role_plays"] = _live_pages(self.role_plays)
        context["linked_modules"] = _live_pages(self.modules)
        return context


def _live_pages(stream: Any) -> list[Page]:
    """The live pages chosen in a stream of page choosers, in order, skipping removed ones."""
    return [block.value for block in stream if block.value is not None and block.value.live]
