"""Authoring frameworks in the Wagtail admin: the snippet forms, publish validation, versions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, streamfield

from qa_platform.people.models import User
from qa_platform.people.roles import Role
from qa_platform.people.services import grant_role
from scorecards.models import Framework, FrameworkVersion
from tests.conftest import Org, signed_in

pytestmark = pytest.mark.django_db

ADD_URL = reverse("wagtailsnippets_scorecards_framework:add")
LIST_URL = reverse("wagtailsnippets_scorecards_framework:list")


def edit_url(framework: Framework) -> str:
    return reverse("wagtailsnippets_scorecards_framework:edit", args=[framework.pk])


@pytest.fixture
def author(org: Org) -> User:
    """A QA manager granted the role through the service, which puts them in the Wagtail group."""
    person = User.objects.create_user("author@example.test", "pw", full_name="Quinn Author")
    grant_role(person=person, role=Role.QA_MANAGER, team=org.root)
    return User.objects.get(pk=person.pk)


def options(*items: tuple[str, str, str]) -> dict[str, Any]:
    """ListBlock form data: (value, label, guidance) per option."""
    data: dict[str, Any] = {
        str(i): {
            "value": {"value": value, "label": label, "guidance": guidance},
            "deleted": "",
            "order": str(i),
            "id": "",
        }
        for i, (value, label, guidance) in enumerate(items)
    }
    data["count"] = str(len(items))
    return data


def criterion(key: str, title: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    value: dict[str, Any] = {
        "key": key,
        "title": title,
        "guidance": "",
        "scale": "five",
        "options": options(),
        "weight": "1",
        "points": "",
        "na_rule": "",
        "severity": "normal",
        "root_causes": "",
    }
    if fields.pop("na_allowed", False):
        value["na_allowed"] = "on"
    value.update(fields)
    return ("criterion", value)


def question(key: str, title: str, choices: str) -> tuple[str, dict[str, Any]]:
    return ("question", {"key": key, "title": title, "guidance": "", "choices": choices})


def section(
    key: str, title: str, *items: tuple[str, dict[str, Any]], weight: str = ""
) -> tuple[str, dict[str, Any]]:
    return ("section", {"key": key, "title": title, "weight": weight, "items": streamfield(items)})


def form_data(
    *sections: tuple[str, dict[str, Any]],
    publish: bool = True,
    use_section_weights: bool = False,
    **fields: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Customer Support Standard",
        "description": "",
        "scoring_mode": "weighted",
        "pass_mark": "80",
        "sections": streamfield(list(sections)),
        **fields,
    }
    if use_section_weights:
        data["use_section_weights"] = "on"
    flat = nested_form_data(data)
    if publish:
        flat["action-publish"] = "action-publish"
    return flat


def good_sections() -> list[tuple[str, dict[str, Any]]]:
    return [
        section(
            "opening",
            "Opening",
            criterion(
                "verify-identity",
                "Verifies identity",
                scale="yes_no",
                severity="fatal",
                weight="2",
            ),
            criterion(
                "greeting",
                "Greets the customer",
                scale="three",
                options=options(
                    ("1", "Missing", "No greeting."),
                    ("2", "Basic", "A greeting but no name."),
                    ("3", "Warm", "Greets and introduces themselves."),
                ),
            ),
        ),
        section(
            "resolution",
            "Resolution",
            criterion("empathy", "Shows empathy", root_causes="Knowledge gap\nBehaviour"),
            question("contact-reason", "Contact reason", "Billing\nDelivery\nOther"),
        ),
    ]


def error_text(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_a_qa_manager_publishes_a_new_framework_and_version_one_is_created(
    client: Client, author: User
) -> None:
    response = signed_in(client, author).post(ADD_URL, form_data(*good_sections()))

    assert response.status_code == 302, error_text(response)
    framework = Framework.objects.get()
    assert framework.live
    version = FrameworkVersion.objects.get(framework=framework)
    assert version.number == 1
    assert version.published_by == author
    defn = version.defn
    assert [c.key for c in defn.criteria] == [
        "verify-identity",
        "greeting",
        "empathy",
        "contact-reason",
    ]
    assert defn.criterion("verify-identity").is_fatal
    assert defn.criterion("greeting").options[2].guidance == "Greets and introduces themselves."
    assert defn.criterion("empathy").root_causes == ("Knowledge gap", "Behaviour")
    assert defn.criterion("contact-reason").scoring is False


def test_saving_a_draft_skips_validation_and_creates_no_version(
    client: Client, author: User
) -> None:
    response = signed_in(client, author).post(ADD_URL, form_data(publish=False))

    assert response.status_code == 302
    framework = Framework.objects.get()
    assert framework.live is False
    assert not FrameworkVersion.objects.exists()


@pytest.mark.parametrize(
    ("sections", "extra", "expected"),
    [
        pytest.param(
            [],
            {},
            ["The framework has no scoring criteria, so nothing can be scored."],
            id="no-criteria",
        ),
        pytest.param(
            [
                section("opening", "Opening", criterion("greeting", "Greets")),
                section("closing", "Closing", criterion("greeting", "Says goodbye")),
            ],
            {},
            [
                "Section 2 'Closing', criterion 'Says goodbye' (key 'greeting')",
                "Two criteria use the key 'greeting'",
            ],
            id="duplicate-keys",
        ),
        pytest.param(
            [
                section("opening", "Opening", criterion("a", "A"), weight="50"),
                section("closing", "Closing", criterion("b", "B"), weight="30"),
            ],
            {"use_section_weights": True},
            ["Section weights must add up to exactly 100; they add up to 80."],
            id="section-weights",
        ),
        pytest.param(
            [
                section(
                    "opening",
                    "Opening",
                    criterion(
                        "hold",
                        "Uses hold properly",
                        scale="points",
                        options=options(("1", "Done", "")),
                    ),
                )
            ],
            {},
            [
                "Section 1 'Opening', criterion 'Uses hold properly' (key 'hold')",
                "needs at least two options",
            ],
            id="too-few-options",
        ),
        pytest.param(
            [
                section(
                    "compliance",
                    "Compliance",
                    criterion(
                        "card-data",
                        "Never reads out card data",
                        scale="yes_no",
                        severity="fatal",
                        na_allowed=True,
                    ),
                )
            ],
            {},
            [
                "Section 1 'Compliance', criterion 'Never reads out card data' (key 'card-data')",
                "is fatal and allows N/A, so it needs a rule saying when N/A applies",
            ],
            id="fatal-na-without-rule",
        ),
    ],
)
def test_publishing_an_invalid_framework_is_refused_with_a_message_naming_the_problem(
    client: Client,
    author: User,
    sections: list[tuple[str, dict[str, Any]]],
    extra: dict[str, Any],
    expected: list[str],
) -> None:
    response = signed_in(client, author).post(ADD_URL, form_data(*sections, **extra))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    for text in expected:
        assert text in errors
    assert "Cannot publish" in error_text(response)  # the admin's message lists them too
    assert not Framework.objects.exists()
    assert not FrameworkVersion.objects.exists()


def test_an_invalid_draft_can_still_be_saved(client: Client, author: User) -> None:
    data = form_data(
        section("opening", "Opening", criterion("a", "A"), criterion("a", "Again")),
        publish=False,
    )

    response = signed_in(client, author).post(ADD_URL, data)

    assert response.status_code == 302
    assert Framework.objects.get().live is False


def test_editing_and_republishing_creates_a_version_only_when_criteria_change(
    client: Client, author: User
) -> None:
    client = signed_in(client, author)
    client.post(ADD_URL, form_data(*good_sections()))
    framework = Framework.objects.get()

    unchanged = client.post(edit_url(framework), form_data(*good_sections()))
    assert unchanged.status_code == 302, error_text(unchanged)
    assert framework.versions.count() == 1

    changed = client.post(edit_url(framework), form_data(*good_sections(), pass_mark="85"))
    assert changed.status_code == 302, error_text(changed)
    versions = list(framework.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].defn.pass_mark == Decimal(80)
    assert versions[1].defn.pass_mark == Decimal(85)


def test_publishing_an_invalid_edit_keeps_the_live_version(client: Client, author: User) -> None:
    client = signed_in(client, author)
    client.post(ADD_URL, form_data(*good_sections()))
    framework = Framework.objects.get()

    response = client.post(edit_url(framework), form_data())

    assert response.status_code == 200
    framework.refresh_from_db()
    assert framework.live
    assert framework.versions.count() == 1
    assert len(framework.sections) == 2


def test_the_listing_shows_mode_latest_version_status_and_reviews(
    client: Client, author: User
) -> None:
    client = signed_in(client, author)
    client.post(ADD_URL, form_data(*good_sections()))
    client.post(ADD_URL, form_data(name="Chat draft", publish=False))

    response = client.get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Customer Support Standard" in html
    assert "Weighted mean" in html
    assert "v1" in html
    assert "Not published" in html
    assert "Live" in html and "Draft" in html
    assert "Reviews" in html
    assert "Versions and actions" in html


def test_the_admin_menu_offers_quality_frameworks(client: Client, author: User) -> None:
    response = signed_in(client, author).get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    assert "Quality frameworks" in response.content.decode()


def test_the_preview_renders_the_draft_as_reviewers_will_see_it(
    client: Client, author: User
) -> None:
    client = signed_in(client, author)
    preview_url = reverse("wagtailsnippets_scorecards_framework:preview_on_add")
    data = form_data(*good_sections(), publish=False)

    posted = client.post(preview_url, data)
    assert posted.json()["is_valid"] is True
    response = client.get(preview_url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Verifies identity" in html
    assert "Fatal" in html
    assert "Greets and introduces themselves." in html
    assert "Question · not scored" in html


def test_people_without_the_group_cannot_open_the_framework_admin(
    client: Client, agent: User, lead: User
) -> None:
    for person in (agent, lead):
        response = signed_in(client, person).get(LIST_URL)
        # Wagtail sends signed-in people without admin access to its sign-in page.
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_anonymous_people_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_add_and_edit_forms_open_with_their_help_text(client: Client, author: User) -> None:
    client = signed_in(client, author)
    client.post(ADD_URL, form_data(*good_sections()))
    framework = Framework.objects.get()

    add = client.get(ADD_URL)
    edit = client.get(edit_url(framework))

    assert add.status_code == 200
    assert edit.status_code == 200
    assert "Weighted mean: each criterion counts by its weight" in add.content.decode()
    assert "Keep a criterion&#x27;s key when you reword it" in edit.content.decode()
