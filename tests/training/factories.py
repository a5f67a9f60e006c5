"""Real training pages for learner-state tests, and quick arrangements of learner state.

Pages are built under the default site's home (content.HomePage) in a TrainingIndexPage and
published through Wagtail (`save_revision().publish()`), so attempts pin real revisions. Writes
that matter go through training.services in the tests themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone
from wagtail.models import Page, Site

from tests.people.factories import UserFactory
from training.models import Assignment, AssignmentRule, AssignmentSource
from training.pages import LearningPathPage, ModulePage, RolePlayScenarioPage, TrainingIndexPage


def choice(key: str, text: str, correct: bool = False) -> dict[str, Any]:
    return {"key": key, "text": text, "correct": correct}


def single(key: str, correct: str = "a", *, points: int = 1, options: str = "abc") -> tuple:
    return (
        "single_choice",
        {
            "key": key,
            "prompt": f"Question {key}?",
            "explanation": f"Because of {key}.",
            "points": points,
            "choices": [choice(k, f"Option {k}", k == correct) for k in options],
        },
    )


def true_false(key: str, answer: bool = True, *, points: int = 1) -> tuple:
    return (
        "true_false",
        {
            "key": key,
            "prompt": f"{key} is true?",
            "explanation": "",
            "points": points,
            "answer": answer,
        },
    )


def home() -> Page:
    return Site.objects.get(is_default_site=True).root_page.specific


def training_index(title: str = "Training") -> TrainingIndexPage:
    found = TrainingIndexPage.objects.filter(title=title).first()
    if found is not None:
        return found
    index = TrainingIndexPage(title=title, slug=title.lower().replace(" ", "-"))
    home().add_child(instance=index)
    index.save_revision().publish()
    return index


def publish(page: Page) -> Page:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def module_page(
    title: str = "Refund basics",
    *,
    body: list[tuple] | None = None,
    pass_mark: int = 80,
    attempt_limit: int = 0,
    grading_method: str = "best",
    parent: Page | None = None,
) -> ModulePage:
    if body is None:
        body = [
            ("rich_text", "<p>Refunds within 30 days.</p>"),
            single("window", "b"),
            true_false("receipt", True),
        ]
    page = ModulePage(
        title=title,
        slug=factory.Faker("slug").evaluate(None, None, {"locale": None}) + "-m",
        body=body,
        pass_mark=pass_mark,
        attempt_limit=attempt_limit,
        grading_method=grading_method,
    )
    (parent or training_index()).add_child(instance=page)
    return publish(page)  # type: ignore[return-value]


def step(
    key: str,
    kind: str = "choice",
    *,
    start: bool = False,
    replies: list[dict[str, Any]] | None = None,
    next: str = "",
    outcome: str = "",
    criteria: list[str] | None = None,
) -> tuple:
    return (
        "step",
        {
            "key": key,
            "kind": kind,
            "start": start,
            "customer_text": f"Customer at {key}",
            "image": None,
            "audio": None,
            "replies": replies or [],
            "free_prompt": "Write your reply." if kind == "free" else "",
            "criteria": criteria or [],
            "next": next,
            "outcome": outcome,
            "debrief": f"Debrief {key}" if kind == "end" else "",
        },
    )


def reply(key: str, target: str, points: int = 0, *, critical: bool = False) -> dict[str, Any]:
    return {
        "key": key,
        "text": f"Reply {key}",
        "feedback": f"Feedback {key}",
        "points": points,
        "target": target,
        "critical": critical,
    }


def default_steps(free: bool = False) -> list[tuple]:
    """greet → (kind: +2 → middle | rude: critical, → lost); middle → resolved end (or a free
    response first)."""
    middle = (
        step("middle", "free", next="happy", criteria=["empathy"])
        if free
        else step("middle", replies=[reply("fix", "happy", 3), reply("stall", "angry", -1)])
    )
    return [
        step(
            "greet",
            start=True,
            replies=[reply("kind", "middle", 2), reply("rude", "angry", -2, critical=True)],
        ),
        middle,
        step("happy", "end", outcome="resolved"),
        step("angry", "end", outcome="lost"),
    ]


def scenario_page(
    title: str = "Upset customer", *, steps: list[tuple] | None = None, free: bool = False
) -> RolePlayScenarioPage:
    """A role-play; with `free=True` its middle step is a free response graded on the demo
    framework's "empathy" criterion (a 5-point scale)."""
    framework = None
    if free:
        from tests.scorecards.factories import published_version

        framework = published_version().framework
    page = RolePlayScenarioPage(
        framework=framework,
        title=title,
        slug=factory.Faker("slug").evaluate(None, None, {"locale": None}) + "-s",
        goal="Keep the customer",
        situation="<p>A refund request.</p>",
        steps=steps if steps is not None else default_steps(free),
    )
    training_index().add_child(instance=page)
    return publish(page)  # type: ignore[return-value]


def path_page(
    title: str = "Onboarding path",
    *,
    items: list[tuple[Page, list[Page], bool]],
    certificate: bool = True,
    validity_months: int = 12,
) -> LearningPathPage:
    page = LearningPathPage(
        title=title,
        slug=factory.Faker("slug").evaluate(None, None, {"locale": None}) + "-p",
        certificate=certificate,
        validity_months=validity_months,
        items=[
            ("item", {"page": item, "prerequisites": list(prereqs), "required": required})
            for item, prereqs, required in items
        ],
    )
    training_index().add_child(instance=page)
    return publish(page)  # type: ignore[return-value]


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    person = factory.SubFactory(UserFactory)
    page = None
    source = AssignmentSource.MANUAL
    due_at = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))


class AssignmentRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    page = None
