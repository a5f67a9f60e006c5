"""Training pages authored in the Wagtail admin: the training index, modules, role-play scenarios
and learning paths.

Pages hold content only. What a learner does (attempts, answers, progress) lives in
`training.models` and happens at /training/...; the pages render read-only at /library/....

Publishing (and submitting for approval) checks the whole page: a module's check keys are unique,
a scenario's step graph is valid (`training.scenario.validate`), a path's prerequisites come
earlier in the path. Saving a draft only checks each block, so trainers can save work in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.blocks import StreamValue
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from content.routing import ViewRestrictionsInOneQuery
from training import checks, scenario
from training.blocks import CHECK_BLOCK_NAMES, ModuleBlocks, PathItems, ScenarioSteps
from training.diagram import ScenarioDiagramPanel

if TYPE_CHECKING:
    from django.http import HttpRequest

DIFFICULTIES = [("easy", "Easy"), ("medium", "Medium"), ("hard", "Hard")]
GRADING_METHODS = [("best", "Best attempt counts"), ("last", "Last attempt counts")]
FEEDBACK_TIMINGS = [("each", "After each answer"), ("end", "At the end of the attempt")]

MODULE_TYPES = ["training.ModulePage", "training.RolePlayScenarioPage"]


class StepsError(StreamBlockValidationError):
    """Problems attached to the blocks they concern, with a readable summary message."""

    def __init__(self, *args: Any, summary: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.message = summary


def _stream_error(
    messages_by_index: dict[int, list[str]], loose: list[str], *, summary: str
) -> StepsError:
    return StepsError(
        block_errors={
            index: ValidationError(messages) for index, messages in messages_by_index.items()
        },
        non_block_errors=loose,
        summary=summary,
    )


def library_crumbs(page: Page, request: HttpRequest | None) -> list[tuple[str, str | None]]:
    """Breadcrumbs like the library's: live ancestors below Wagtail's root, then the page."""
    ancestors = page.get_ancestors().filter(depth__gt=1).live()
    return [(a.title, a.get_url(request)) for a in ancestors] + [(page.title, None)]


def learn_url(name: str, page_id: int, fallback: str) -> str:
    """Where a learner takes the item (training views at /training/...)."""
    try:
        return reverse(f"training:{name}", args=[page_id])
    except NoReverseMatch:
        return fallback


class TrainingPageForm(WagtailAdminPageForm):
    """Marks draft saves so the page's whole-page rules wait until publishing or submitting."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.instance._draft_save = bool(getattr(self, "is_deferred_validation", False))
        # A stream field with block errors is not copied to the instance: checking the page's
        # rules against the old value would report stale problems.
        self.instance._stream_errors = any(
            name in self.errors for name in ("body", "steps", "items")
        )
        return cleaned


class TrainingPage(ViewRestrictionsInOneQuery, Page):
    """Shared behaviour; not a page type of its own."""

    base_form_class = TrainingPageForm

    class Meta:
        abstract = True

    def _publish_checks_apply(self) -> bool:
        return not getattr(self, "_draft_save", False) and not getattr(
            self, "_stream_errors", False
        )

    def publish_problems(self) -> list[tuple[int | None, str]]:
        """(block index or None, message) for every whole-page rule broken; empty when fine."""
        return []

    publish_field = "body"
    learn_view = ""

    @property
    def learn_url(self) -> str:
        kind = self.learn_view or "module"
        return learn_url(kind, self.pk, f"/training/{kind}s/{self.pk}/")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["crumbs"] = library_crumbs(self, request)
        return context

    def clean(self) -> None:
        super().clean()
        if not self._publish_checks_apply():
            return
        problems = self.publish_problems()
        if not problems:
            return
        by_index: dict[int, list[str]] = {}
        loose: list[str] = []
        for block_index, message in problems:
            if block_index is None:
                loose.append(message)
            else:
                by_index.setdefault(block_index, []).append(message)
        summary = " ".join(message for _, message in problems)
        raise ValidationError(
            {
                self.publish_field: _stream_error(by_index, loose, summary=summary),
                NON_FIELD_ERRORS: [
                    f"This {self._meta.verbose_name} cannot be published yet: "
                    f"{len(problems)} problem{'s' if len(problems) != 1 else ''} to fix."
                ],
            }
        )


class TrainingIndexPage(ViewRestrictionsInOneQuery, Page):
    intro = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ul", "ol"],
        help_text="Shown above the list.",
    )

    parent_page_types = ["content.HomePage", "training.TrainingIndexPage"]
    subpage_types = [
        "training.ModulePage",
        "training.RolePlayScenarioPage",
        "training.LearningPathPage",
        "training.TrainingIndexPage",
    ]
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    template = "training/pages/training_index_page.html"

    class Meta:
        verbose_name = "training index"

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().public().specific().order_by("path")
        context["children"] = children
        context["crumbs"] = library_crumbs(self, request)
        return context


class ModulePage(TrainingPage):
    summary = models.TextField(
        blank=True, help_text="One or two sentences: what the learner gains."
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    body = StreamField(ModuleBlocks(), blank=True, help_text="Content and knowledge checks.")
    pass_mark = models.PositiveSmallIntegerField(
        default=80,
        validators=[MaxValueValidator(100)],
        help_text="Percent of the knowledge-check points needed to pass (0–100).",
    )
    attempt_limit = models.PositiveSmallIntegerField(
        default=0, help_text="How many official attempts a learner has; 0 means unlimited."
    )
    grading_method = models.CharField(max_length=10, choices=GRADING_METHODS, default="best")
    feedback_timing = models.CharField(
        max_length=10,
        choices=FEEDBACK_TIMINGS,
        default="each",
        help_text="When learners see whether each answer was right.",
    )

    learn_view = "module"
    parent_page_types = ["training.TrainingIndexPage"]
    subpage_types: list[str] = []
    template = "training/pages/module_page.html"
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]
    settings_panels_module = [
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("attempt_limit"),
                FieldPanel("grading_method"),
                FieldPanel("feedback_timing"),
            ],
            heading="Knowledge checks",
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(settings_panels_module, heading="Grading"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )

    class Meta:
        verbose_name = "module"

    def checks(self) -> list[checks.Question]:
        """The knowledge checks of this page (or of the revision it was rebuilt from), in order."""
        return [
            question_from_block(block.block_type, block.value) for block in self._check_blocks()
        ]

    def _check_blocks(self) -> list[Any]:
        return [block for block in self.body if block.block_type in CHECK_BLOCK_NAMES]

    def publish_problems(self) -> list[tuple[int | None, str]]:
        problems: list[tuple[int | None, str]] = []
        seen: dict[str, int] = {}
        number = 0
        for index_, block in enumerate(self.body):
            if block.block_type not in CHECK_BLOCK_NAMES:
                continue
            number += 1
            key = block.value["key"]
            if key in seen:
                problems.append(
                    (
                        index_,
                        f"Knowledge check {number} ('{key}'): the key is already used by "
                        f"knowledge check {seen[key]}; keys must be unique in the module.",
                    )
                )
            else:
                seen[key] = number
        return problems


def question_from_block(kind: str, value: Any) -> checks.Question:
    common = {
        "key": value["key"],
        "kind": kind,
        "prompt": value["prompt"],
        "points": int(value["points"] or 1),
        "explanation": value.get("explanation") or "",
    }
    if kind in (checks.SINGLE_CHOICE, checks.MULTIPLE_CHOICE):
        return checks.Question(
            **common,
            choices=tuple(
                checks.Choice(choice["key"], choice["text"], bool(choice["correct"]))
                for choice in value["choices"]
            ),
        )
    if kind == checks.ORDERING:
        return checks.Question(
            **common,
            choices=tuple(checks.Choice(item["key"], item["text"]) for item in value["items"]),
        )
    if kind == checks.TRUE_FALSE:
        return checks.Question(**common, answer=bool(value["answer"]))
    return checks.Question(**common, accepted=tuple(value["accepted"]))


def graph_from_stream(steps: StreamValue) -> scenario.Graph:
    built = []
    for block in steps:
        if block.block_type != "step":
            continue
        value = block.value
        built.append(
            scenario.Step(
                key=value["key"] or "",
                kind=value["kind"] or scenario.CHOICE,
                start=bool(value["start"]),
                customer_text=value["customer_text"] or "",
                replies=tuple(
                    scenario.Reply(
                        key=reply["key"] or "",
                        text=reply["text"] or "",
                        target=reply["target"] or "",
                        points=int(reply["points"] or 0),
                        feedback=reply["feedback"] or "",
                        critical=bool(reply["critical"]),
                    )
                    for reply in value["replies"]
                ),
                free_prompt=value["free_prompt"] or "",
                criteria=tuple(key for key in value["criteria"] if key),
                next=value["next"] or "",
                outcome=value["outcome"] or "",
                debrief=str(value["debrief"] or ""),
            )
        )
    return scenario.Graph(tuple(built))


class RolePlayScenarioPage(TrainingPage):
    persona = models.ForeignKey(
        "content.PersonaPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="role_play_scenarios",
        help_text="The customer the agent talks to.",
    )
    situation = RichTextField(
        features=["bold", "italic", "link", "ul", "ol"],
        help_text="The brief the agent reads before starting: what happened so far.",
    )
    goal = models.CharField(max_length=300, help_text="What a good conversation achieves.")
    difficulty = models.CharField(max_length=10, choices=DIFFICULTIES, default="medium")
    estimated_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    framework = models.ForeignKey(
        "scorecards.Framework",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Free responses are graded against this framework's criteria.",
    )
    steps = StreamField(ScenarioSteps(), blank=True)

    publish_field = "steps"
    learn_view = "scenario"
    parent_page_types = ["training.TrainingIndexPage"]
    subpage_types: list[str] = []
    template = "training/pages/role_play_scenario_page.html"
    search_fields = [
        *Page.search_fields,
        index.SearchField("situation"),
        index.SearchField("goal"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("persona"),
        FieldPanel("situation"),
        FieldPanel("goal"),
        FieldPanel("difficulty"),
        FieldPanel("estimated_minutes"),
    ]
    step_panels = [
        FieldPanel("framework"),
        FieldPanel(
            "steps",
            help_text=(
                "The conversation as steps. Replies name the step they lead to by its key. "
                "Publishing checks the whole conversation: one start, every step reachable, "
                "every path reaches an end."
            ),
        ),
    ]

    preview_modes = [("", "Page"), ("learner", "Learner preview"), ("diagram", "Diagram")]

    class Meta:
        verbose_name = "role-play scenario"

    def graph(self) -> scenario.Graph:
        return graph_from_stream(self.steps)

    @cached_property
    def _framework_criteria(self) -> tuple[str, ...] | None:
        from scorecards.models import FrameworkVersion

        if self.framework_id is None:
            return None
        version = (
            FrameworkVersion.objects.filter(framework_id=self.framework_id)
            .order_by("-number")
            .first()
        )
        if version is None:
            return ()
        return tuple(criterion.key for criterion in version.defn.criteria)

    def criterion_keys(self) -> tuple[str, ...] | None:
        """Criterion keys of the framework's latest version (None without a framework)."""
        return self._framework_criteria

    def publish_problems(self) -> list[tuple[int | None, str]]:
        graph = self.graph()
        problems: list[tuple[int | None, str]] = []
        has_free = any(step.kind == scenario.FREE for step in graph.steps)
        criteria = self.criterion_keys()
        if has_free and criteria is None:
            problems.append(
                (None, "Choose a framework: free-response steps are graded against its criteria.")
            )
        if has_free and criteria == ():
            problems.append((None, "The chosen framework has no published version yet."))
        index_by_key: dict[str, int] = {}
        for position, step in enumerate(graph.steps):
            index_by_key.setdefault(step.key, position)
        for problem in scenario.validate(graph, criterion_keys=criteria or None):
            at = index_by_key.get(problem.step_key) if problem.step_key else None
            problems.append((at, problem.message))
        return problems

    def get_preview_template(self, request: HttpRequest, mode_name: str) -> str:
        if mode_name == "learner":
            return "training/pages/scenario_learner_preview.html"
        if mode_name == "diagram":
            return "training/pages/scenario_diagram_preview.html"
        return super().get_preview_template(request, mode_name)

    def get_preview_context(self, request: HttpRequest, mode_name: str) -> dict[str, Any]:
        context = super().get_preview_context(request, mode_name)
        if mode_name in ("learner", "diagram"):
            from training.diagram import scenario_svg

            graph = self.graph()
            context["graph"] = graph
            context["problems"] = scenario.validate(graph)
            context["best_path"] = scenario.best_path(graph)
            context["diagram"] = scenario_svg(graph)
        return context


RolePlayScenarioPage.edit_handler = TabbedInterface(
    [
        ObjectList(RolePlayScenarioPage.content_panels, heading="Brief"),
        ObjectList(RolePlayScenarioPage.step_panels, heading="Steps"),
        ObjectList([ScenarioDiagramPanel(heading="Diagram")], heading="Diagram"),
        ObjectList(Page.promote_panels, heading="Promote"),
        ObjectList(Page.settings_panels, heading="Settings"),
    ]
)


@dataclass
class PathItem:
    page: Page
    required: bool
    prerequisites: list[Page]


class LearningPathPage(TrainingPage):
    summary = models.TextField(blank=True, help_text="Who the path is for and what it covers.")
    items = StreamField(PathItems(), blank=True, help_text="Modules and role-plays, in order.")
    certificate = models.BooleanField(
        default=False, help_text="Issue a certificate when every required item is completed."
    )
    validity_months = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(120)],
        help_text="How long the certificate stays valid; 0 means it never expires.",
    )

    publish_field = "items"
    learn_view = "path"
    parent_page_types = ["training.TrainingIndexPage"]
    subpage_types: list[str] = []
    template = "training/pages/learning_path_page.html"
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("items"),
        MultiFieldPanel(
            [FieldPanel("certificate"), FieldPanel("validity_months")], heading="Certificate"
        ),
    ]

    class Meta:
        verbose_name = "learning path"

    def item_pages(self) -> list[Page]:
        """The items' pages (specific), in path order; deleted pages are left out."""
        ids = [block.value["page"].pk for block in self.items if block.value["page"] is not None]
        pages = Page.objects.filter(pk__in=ids).specific().in_bulk()
        return [pages[pk] for pk in ids if pk in pages]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["items"] = self.path_items(live_only=True)
        return context

    def path_items(self, *, live_only: bool = False) -> list[PathItem]:
        """Each item with its page, whether it is required, and its prerequisites' pages."""
        wanted: set[int] = set()
        for block in self.items:
            wanted.update(
                page.pk for page in [block.value["page"], *block.value["prerequisites"]] if page
            )
        found = Page.objects.filter(pk__in=wanted)
        if live_only:
            found = found.live()
        pages = found.specific().in_bulk()
        items = []
        for block in self.items:
            page = block.value["page"]
            if page is None or page.pk not in pages:
                continue
            before = [pages[p.pk] for p in block.value["prerequisites"] if p and p.pk in pages]
            items.append(PathItem(pages[page.pk], bool(block.value["required"]), before))
        return items

    def item_ids(self) -> list[int]:
        return [block.value["page"].pk for block in self.items if block.value["page"] is not None]

    def publish_problems(self) -> list[tuple[int | None, str]]:
        problems: list[tuple[int | None, str]] = []
        earlier: set[int] = set()
        for position, block in enumerate(self.items):
            page = block.value["page"]
            if page is None:
                continue
            title = page.title
            if page.pk in earlier:
                problems.append(
                    (position, f"Item {position + 1} ('{title}') is already in the path.")
                )
            for prerequisite in block.value["prerequisites"]:
                if prerequisite is not None and prerequisite.pk not in earlier:
                    problems.append(
                        (
                            position,
                            f"Item {position + 1} ('{title}'): the prerequisite "
                            f"'{prerequisite.title}' must be an earlier item in this path.",
                        )
                    )
            earlier.add(page.pk)
        if not earlier:
            problems.append((None, "Add at least one module or role-play to the path."))
        return problems
