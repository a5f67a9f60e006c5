"""Training pages read in the library (/library/...): module content without the answers, the
scenario brief with its "Start role-play" link, a path's items in order; previews for trainers
(learner walk-through and diagram) record nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.people.factories import UserFactory
from tests.training.factories_pages import (
    check,
    module_page,
    path_item,
    path_page,
    scenario_form_data,
    scenario_page,
    single_choice,
    training_index,
    valid_steps,
)
from training.pages import TrainingIndexPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def index() -> TrainingIndexPage:
    return training_index()


def test_a_module_page_takes_the_same_queries_with_1_or_20_blocks(
    agent_client: Client, index: TrainingIndexPage, django_assert_max_num_queries: Any
) -> None:
    small = module_page(index, title="Small", body=[single_choice("only")])
    body: list[dict[str, Any]] = []
    for number in range(10):
        body.append({"type": "rich_text", "value": f"<p>Paragraph {number}.</p>"})
        body.append(single_choice(f"check-{number}"))
    large = module_page(index, title="Large", body=body)

    agent_client.get(small.url)  # content types cached, as in a running process
    for page in (small, large):
        # Session, person, site, the page by its URL path and its type, view restrictions,
        # crumbs, the app shell's role and notification reads (content.routing).
        with django_assert_max_num_queries(10):
            response = agent_client.get(page.url)
        assert response.status_code == 200
    assert response.content.decode().count("Start the module to answer") == 10


def test_a_module_shows_its_content_and_checks_without_revealing_answers(
    agent_client: Client, index: TrainingIndexPage, django_assert_max_num_queries: Any
) -> None:
    body = [
        {"type": "rich_text", "value": "<p>Name the feeling before the facts.</p>"},
        {
            "type": "callout",
            "value": {"tone": "warning", "text": "<p>Never blame the customer.</p>"},
        },
        {
            "type": "do_dont",
            "value": {"do": "I can hear how frustrating this is.", "dont": "Calm down."},
        },
        single_choice("feeling", correct="b"),
        check("true_false", "blame", answer=True),
        check("short_answer", "acronym", accepted=["customer satisfaction"]),
    ]
    page = module_page(index, body=body)
    agent_client.get(page.url)  # content types cached, as in a running process

    with django_assert_max_num_queries(10):
        response = agent_client.get(page.url)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Name the feeling before the facts." in content
    assert "Never blame the customer." in content
    assert "Warning" in content
    assert "Calm down." in content
    assert content.count("Start the module to answer") == 3
    assert f'href="/training/modules/{page.pk}/"' in content
    assert "Question feeling?" in content
    assert "Option b" not in content
    assert "customer satisfaction" not in content
    assert "3 knowledge checks, pass mark 80%" in content


def test_a_scenario_shows_the_brief_and_a_start_link_but_not_the_steps(
    agent_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index, difficulty="hard")

    response = agent_client.get(page.url)

    assert response.status_code == 200
    content = response.content.decode()
    assert "The parcel arrived broken." in content
    assert "Keep the customer and resolve the refund." in content
    assert "Hard" in content
    assert f'href="/training/scenarios/{page.pk}/"' in content
    assert "Start role-play" in content
    assert "Reply apologise" not in content
    assert "No persona chosen." in content


def test_a_learning_path_lists_its_items_in_order_with_prerequisites(
    agent_client: Client, index: TrainingIndexPage, django_assert_max_num_queries: Any
) -> None:
    first = module_page(index, title="Empathy on the phone")
    second = scenario_page(index, title="Refund role-play")
    third = module_page(index, title="Handling refunds")
    path = path_page(
        index,
        [
            path_item(first),
            path_item(third, prerequisites=[first]),
            path_item(second, prerequisites=[first, third], required=False),
        ],
        certificate=True,
        validity_months=12,
    )

    with django_assert_max_num_queries(18):
        response = agent_client.get(path.url)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Empathy on the phone") < content.index("Handling refunds")
    assert content.index("Handling refunds") < content.index("Refund role-play")
    assert "After: Empathy on the phone, Handling refunds" in content
    assert "optional" in content
    assert "certificate on completion, valid 12 months" in content
    assert [p.pk for p in path.item_pages()] == [first.pk, third.pk, second.pk]


def test_a_path_page_takes_the_same_queries_with_1_or_8_items(
    agent_client: Client, index: TrainingIndexPage, django_assert_max_num_queries: Any
) -> None:
    modules = [module_page(index, title=f"Module {n}") for n in range(4)]
    scenarios = [scenario_page(index, title=f"Scenario {n}") for n in range(4)]
    short = path_page(index, [path_item(modules[0]), path_item(scenarios[0])], title="Short")
    items = [path_item(page) for pair in zip(modules, scenarios, strict=True) for page in pair]
    items[-1]["value"]["prerequisites"] = [page.pk for page in modules]
    long = path_page(index, items, title="Long")

    for path in (short, long):
        with django_assert_max_num_queries(18):
            response = agent_client.get(path.url)
        assert response.status_code == 200
    assert "Scenario 3" in response.content.decode()


def test_an_unpublished_item_is_left_out_of_the_path_page(
    agent_client: Client, index: TrainingIndexPage
) -> None:
    shown = module_page(index, title="Shown")
    hidden = module_page(index, title="Withdrawn")
    path = path_page(index, [path_item(shown), path_item(hidden)])
    hidden.unpublish()

    content = agent_client.get(path.url).content.decode()

    assert "Shown" in content
    assert "Withdrawn" not in content


def test_the_training_index_lists_its_live_children(
    agent_client: Client, index: TrainingIndexPage
) -> None:
    module_page(index, title="Empathy on the phone")
    scenario_page(index, title="Refund role-play")

    content = agent_client.get(index.url).content.decode()

    assert "Empathy on the phone" in content
    assert "Refund role-play" in content
    assert "Role-play scenario" in content


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("learner", "Learner preview: nothing you choose here is recorded."),
        ("diagram", '<svg xmlns="http://www.w3.org/2000/svg" class="scenario-diagram"'),
    ],
)
def test_trainers_preview_a_scenario_as_a_learner_or_as_a_diagram(
    admin_client: Client, index: TrainingIndexPage, mode: str, expected: str
) -> None:
    from training.models import Attempt

    page = scenario_page(index)
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    posted = admin_client.post(url, scenario_form_data(page, valid_steps()))
    assert posted.json()["is_valid"] is True

    response = admin_client.get(url, {"mode": mode})

    assert response.status_code == 200
    content = response.content.decode()
    assert expected in content
    assert "Customer at greet." in content
    assert Attempt.objects.count() == 0


def test_the_learner_preview_follows_replies_by_links_and_shows_the_best_path(
    admin_client: Client, index: TrainingIndexPage
) -> None:
    page = scenario_page(index)
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    admin_client.post(url, scenario_form_data(page, valid_steps()))

    content = admin_client.get(url, {"mode": "learner"}).content.decode()

    assert 'href="#step-offer"' in content
    assert 'id="step-happy"' in content
    assert "critical mistake" in content
    assert "Best path (10 points, resolved)" in content
