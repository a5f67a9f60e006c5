"""Library pages: the tree's placement rules, the Site root, login, privacy, and what each page
type shows (personas, CX standards linked to framework criteria, playbooks, journey maps)."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.blocks import StructBlockValidationError
from wagtail.models import Page, PageViewRestriction, Site

from content.blocks import CriterionLinkBlock
from content.home import ensure_library_home
from content.models import (
    CXStandardsPage,
    HomePage,
    JourneyMapPage,
    PersonaIndexPage,
    PersonaPage,
    PlaybookPage,
    StandardPage,
)
from qa_platform.navigation import navigation_for
from qa_platform.people.models import User
from qa_platform.people.roles import Role
from tests.conftest import signed_in
from tests.content.factories import (
    journey_map,
    library_home,
    persona,
    persona_index,
    playbook,
    publish,
    standards_page,
)
from tests.scorecards.factories import FrameworkFactory, published_version

pytestmark = pytest.mark.django_db


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- The tree ------------------------------------------------------------------------------------


def test_the_default_site_root_is_the_library_home_after_migrate() -> None:
    site = Site.objects.get(is_default_site=True)

    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.title == "Knowledge and training"
    assert site.root_page.live
    assert HomePage.objects.count() == 1


def test_the_library_home_comes_back_after_the_tables_were_emptied() -> None:
    Site.objects.all().delete()
    Page.objects.filter(depth__gt=1).delete()

    ensure_library_home()
    ensure_library_home()

    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page_id == HomePage.objects.get().pk


def test_the_library_home_takes_the_library_sections_and_the_training_index() -> None:
    allowed = {m._meta.label for m in HomePage.allowed_subpage_models()}

    assert allowed == {
        "content.StandardPage",
        "content.CXStandardsPage",
        "content.PersonaIndexPage",
        "content.JourneyMapPage",
        "content.PlaybookPage",
        "training.TrainingIndexPage",
    }


def test_there_is_only_one_library_home() -> None:
    root = Page.get_first_root_node()

    assert not HomePage.can_create_at(root)


def test_personas_live_only_under_the_persona_index() -> None:
    home = library_home()
    index = persona_index()

    assert PersonaPage.can_create_at(index)
    assert not PersonaPage.can_create_at(home)
    assert not PersonaIndexPage.can_create_at(index)
    assert not PersonaIndexPage.can_create_at(home)  # one index only, and it exists


def test_journey_maps_playbooks_and_standards_live_under_the_library_home() -> None:
    home = library_home()
    index = persona_index()

    for model in (JourneyMapPage, PlaybookPage, CXStandardsPage, StandardPage):
        assert model.can_create_at(home), model
        assert not model.can_create_at(index), model
    assert StandardPage.allowed_subpage_models() == [StandardPage]
    assert JourneyMapPage.allowed_subpage_models() == []


# --- Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/library/", "/library/personas/", "/library/search/?q=maya"])
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, path: str) -> None:
    persona()

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_every_signed_in_role_has_the_library_in_the_navigation() -> None:
    for role in Role:
        groups = navigation_for({role}, "/library/personas/")
        items = [item for group in groups for item in group["items"]]  # type: ignore[attr-defined]
        library = [item for item in items if item["label"] == "Library"]
        assert library == [
            {"label": "Library", "url": "/library/", "icon": "tree", "active": True}
        ], role


def test_an_agent_opens_the_library_home_and_sees_its_sections(client: Client, agent: User) -> None:
    persona_index()
    journey_map()

    response = signed_in(client, agent).get("/library/")

    assert response.status_code == 200
    text = text_of(response)
    assert "Knowledge and training" in text
    assert "Customer personas" in text
    assert "Journey map: refund for a damaged delivery" in text
    assert 'aria-current="page"' in response.content.decode()  # the Library nav entry


def test_a_page_restricted_to_a_group_is_refused_to_people_outside_it(
    client: Client, agent: User, lead: User
) -> None:
    page = persona(name="Secret Sam")
    group = Group.objects.create(name="Library testers")
    lead.groups.add(group)
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(group)

    refused = signed_in(client, agent).get(page.url)
    client.logout()
    allowed = signed_in(client, lead).get(page.url)

    assert refused.status_code in (302, 403)
    assert b"Secret Sam" not in refused.content
    assert allowed.status_code == 200


def test_a_draft_page_is_not_served(client: Client, agent: User) -> None:
    page = PersonaPage(
        title="Draft Dora", slug="draft-dora", name="Draft Dora", role_description="Not ready."
    )
    persona_index().add_child(instance=page)
    page.unpublish()

    response = signed_in(client, agent).get("/library/personas/draft-dora/")

    assert response.status_code == 404


# --- Personas ---------------------------------------------------------------------------------


def test_a_persona_page_shows_who_they_are_goals_frustrations_channels_and_quotes(
    client: Client, agent: User
) -> None:
    page = persona()

    response = signed_in(client, agent).get(page.url)

    assert response.status_code == 200
    text = text_of(response)
    for expected in (
        "Maya Okafor",
        "Orders from her phone in the evening.",
        "Sort it in one contact",
        "Know when the refund arrives",
        "Repeating her order number",
        "Chat in the app",
        "I just need to know when it will be sorted.",
        "Usual mood: Hurried",
    ):
        assert expected in text
    crumbs = re.search(r'<nav aria-label="Breadcrumb".*?</nav>', response.content.decode())
    assert crumbs is not None
    assert '<a href="/library/">Knowledge and training</a>' in crumbs.group()
    assert '<a href="/library/personas/">Customer personas</a>' in crumbs.group()


# --- CX standards -----------------------------------------------------------------------------


def test_a_criterion_link_shows_the_criterions_label_and_guidance(
    client: Client, agent: User
) -> None:
    version = published_version()
    page = standards_page(
        [
            {"type": "heading", "value": "We listen"},
            {
                "type": "criterion_link",
                "value": {"framework": version.framework_id, "criterion": "empathy", "note": ""},
            },
        ]
    )

    response = signed_in(client, agent).get(page.url)

    text = text_of(response)
    criterion = version.defn.criterion("empathy")
    assert "Graded in Support standard" in text
    assert criterion.title in text
    assert " ".join(criterion.guidance.split()) in text


def test_a_criterion_key_missing_from_the_current_version_is_refused_with_the_known_keys() -> None:
    version = published_version()
    block = CriterionLinkBlock()

    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"framework": version.framework_id, "criterion": "smile"}))

    message = str(error.value.block_errors["criterion"])
    assert "has no criterion 'smile'" in message
    assert "verify-identity" in message


def test_a_criterion_of_an_unpublished_framework_is_refused() -> None:
    framework = FrameworkFactory(name="Draft framework")
    block = CriterionLinkBlock()

    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"framework": framework.pk, "criterion": "empathy"}))

    assert "no published version" in str(error.value.block_errors["criterion"])


def test_a_criterion_key_of_the_current_version_is_accepted() -> None:
    version = published_version()
    block = CriterionLinkBlock()

    value = block.clean(
        block.to_python({"framework": version.framework_id, "criterion": "empathy"})
    )

    assert value["criterion"] == "empathy"


# --- Playbooks --------------------------------------------------------------------------------


def test_a_playbook_shows_its_steps_escalation_time_limits_and_root_causes(
    client: Client, agent: User
) -> None:
    page = playbook()

    response = signed_in(client, agent).get(page.url)

    text = text_of(response)
    assert "Listen" in text and "Apologise" in text
    assert "Team lead on shift Asks for a manager. Within 30 minutes" in text
    assert "Complaints team Formal complaint. Within 1 working day" in text
    assert "Courier damage" in text


def test_a_playbook_links_only_live_training_pages() -> None:
    from training.pages import ModulePage, TrainingIndexPage

    index = publish(library_home(), TrainingIndexPage(title="Training", slug="training"))
    live = publish(index, ModulePage(title="Saying sorry well", slug="sorry"))
    draft = ModulePage(title="Unfinished module", slug="unfinished")
    index.add_child(instance=draft)
    draft.unpublish()
    page = playbook(
        modules=[{"type": "module", "value": live.pk}, {"type": "module", "value": draft.pk}]
    )

    context = page.get_context(_request(page))

    assert [p.pk for p in context["linked_modules"]] == [live.pk]


def _request(page: Page):  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    request = RequestFactory().get(page.url)
    request.user = User()
    return request


@pytest.mark.parametrize("n", [1, 10])
def test_the_persona_index_and_the_library_home_take_a_fixed_number_of_queries(
    client: Client,
    agent: User,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
    n: int,
) -> None:
    for i in range(n):
        persona(name=f"Shopper {i}")
        publish(library_home(), StandardPage(title=f"Guide {i}", slug=f"guide-{i}"))
    signed_in(client, agent)
    client.get("/library/")

    with django_assert_max_num_queries(14):
        home = client.get("/library/")
    with django_assert_max_num_queries(12):
        index = client.get("/library/personas/")

    assert home.content.decode().count('<li class="card">') == n + 1
    assert index.content.decode().count("persona-card") == n
