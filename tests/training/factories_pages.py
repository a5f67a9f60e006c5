"""Training pages for authoring tests: stream values in Wagtail's raw JSON form, pages built under
the library home, and the admin form data the page editor posts."""

from __future__ import annotations

from typing import Any

from wagtail.models import Page, Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from training.pages import LearningPathPage, ModulePage, RolePlayScenarioPage, TrainingIndexPage


def home() -> Page:
    return Site.objects.get(is_default_site=True).root_page.specific


def training_index(title: str = "Training", parent: Page | None = None) -> TrainingIndexPage:
    index = TrainingIndexPage(title=title, slug=title.lower().replace(" ", "-"))
    (parent or home()).add_child(instance=index)
    index.save_revision().publish()
    index.refresh_from_db()
    return index


# --- Raw stream values ----------


def reply(
    key: str, target: str, points: int = 0, *, critical: bool = False, text: str = ""
) -> dict[str, Any]:
    return {
        "key": key,
        "text": text or f"Reply {key}",
        "feedback": f"Feedback on {key}.",
        "points": points,
        "target": target,
        "critical": critical,
    }


def choice_step(key: str, *replies: dict[str, Any], start: bool = False) -> dict[str, Any]:
    return {
        "type": "step",
        "value": {
            "key": key,
            "kind": "choice",
            "start": start,
            "customer_text": f"Customer at {key}.",
            "replies": list(replies),
        },
    }


def free_step(key: str, next_key: str, criteria: list[str]) -> dict[str, Any]:
    return {
        "type": "step",
        "value": {
            "key": key,
            "kind": "free",
            "customer_text": "Can you explain in your own words?",
            "free_prompt": "Write your reply.",
            "criteria": criteria,
            "next": next_key,
        },
    }


def end_step(key: str, outcome: str = "resolved") -> dict[str, Any]:
    return {
        "type": "step",
        "value": {
            "key": key,
            "kind": "end",
            "outcome": outcome,
            "customer_text": "Thanks.",
            "debrief": f"<p>Debrief for {key}.</p>",
        },
    }


def valid_steps() -> list[dict[str, Any]]:
    return [
        choice_step(
            "greet",
            reply("apologise", "offer", 5),
            reply("argue", "lost", -5, critical=True),
            start=True,
        ),
        choice_step("offer", reply("refund", "happy", 5), reply("credit", "happy", 1)),
        end_step("happy"),
        end_step("lost", "lost"),
    ]


def check(kind: str, key: str, **fields: Any) -> dict[str, Any]:
    value = {"key": key, "prompt": f"Question {key}?", "explanation": "", "points": 1, **fields}
    return {"type": kind, "value": value}


def single_choice(key: str, correct: str = "a") -> dict[str, Any]:
    return check(
        "single_choice",
        key,
        choices=[{"key": k, "text": f"Option {k}", "correct": k == correct} for k in "abc"],
    )


# --- Pages ----------


def scenario_page(
    parent: Page,
    *,
    steps: list[dict[str, Any]] | None = None,
    title: str = "Upset customer",
    **extra: Any,
) -> RolePlayScenarioPage:
    page = RolePlayScenarioPage(
        title=title,
        slug=title.lower().replace(" ", "-"),
        situation="<p>The parcel arrived broken.</p>",
        goal="Keep the customer and resolve the refund.",
        steps=valid_steps() if steps is None else steps,
        **extra,
    )
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def module_page(
    parent: Page, *, body: list[dict[str, Any]] | None = None, title: str = "Empathy", **extra: Any
) -> ModulePage:
    page = ModulePage(
        title=title,
        slug=title.lower().replace(" ", "-"),
        summary="Hear the feeling before the facts.",
        body=body
        if body is not None
        else [{"type": "rich_text", "value": "<p>Listen first.</p>"}, single_choice("first")],
        **extra,
    )
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def path_page(
    parent: Page, items: list[dict[str, Any]], *, title: str = "Essentials", **extra: Any
) -> LearningPathPage:
    page = LearningPathPage(title=title, slug=title.lower().replace(" ", "-"), items=items, **extra)
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def path_item(page: Page, *, prerequisites: list[Page] = (), required: bool = True) -> dict:  # type: ignore[assignment]
    return {
        "type": "item",
        "value": {
            "page": page.pk,
            "prerequisites": [before.pk for before in prerequisites],
            "required": required,
        },
    }


# --- Admin form data ----------


def listblock(items: list[Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        str(index): {"value": item, "deleted": "", "order": str(index), "id": ""}
        for index, item in enumerate(items)
    }
    data["count"] = str(len(items))
    return data


def _form_step(step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    value = step["value"]
    return (
        "step",
        {
            "key": value["key"],
            "kind": value["kind"],
            "start": "on" if value.get("start") else "",
            "customer_text": value.get("customer_text", ""),
            "image": "",
            "audio": "",
            "replies": listblock(
                [
                    {**r, "critical": "on" if r.get("critical") else "", "points": str(r["points"])}
                    for r in value.get("replies", [])
                ]
            ),
            "free_prompt": value.get("free_prompt", ""),
            "criteria": listblock(list(value.get("criteria", []))),
            "next": value.get("next", ""),
            "outcome": value.get("outcome", ""),
            "debrief": rich_text(value.get("debrief", "")),
        },
    )


def scenario_form_data(
    page: RolePlayScenarioPage, steps: list[dict[str, Any]], **overrides: Any
) -> dict[str, Any]:
    """What the page editor posts for `page` with `steps` (add `action-publish` etc. yourself)."""
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "persona": page.persona_id or "",
            "situation": rich_text("<p>The parcel arrived broken.</p>"),
            "goal": page.goal,
            "difficulty": page.difficulty,
            "estimated_minutes": str(page.estimated_minutes),
            "framework": page.framework_id or "",
            "steps": streamfield([_form_step(step) for step in steps]),
            "comments": inline_formset([]),
        }
    )
    data.update(overrides)
    return data


def module_form_data(page: ModulePage, body: list[tuple[str, Any]], **overrides: Any) -> dict:
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "summary": page.summary,
            "estimated_minutes": str(page.estimated_minutes),
            "body": streamfield(body),
            "pass_mark": str(page.pass_mark),
            "attempt_limit": str(page.attempt_limit),
            "grading_method": page.grading_method,
            "feedback_timing": page.feedback_timing,
            "comments": inline_formset([]),
        }
    )
    data.update(overrides)
    return data


def form_check(key: str, correct: list[str]) -> tuple[str, dict[str, Any]]:
    """A single-choice check as the editor posts it; `correct` are the keys ticked correct."""
    return (
        "single_choice",
        {
            "key": key,
            "prompt": f"Question {key}?",
            "explanation": "",
            "points": "1",
            "choices": listblock(
                [
                    {"key": k, "text": f"Option {k}", "correct": "on" if k in correct else ""}
                    for k in "abc"
                ]
            ),
        },
    )
