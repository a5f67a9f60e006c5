"""An agent works through a learning path in order (the second item waits for the first), earns
its certificate, downloads the PDF and opens its public verification page; a trainer's invalid
role-play is refused in the Wagtail admin with the step named. axe checks every screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from qa_platform.people.models import User
from tests.training.factories import AssignmentFactory, module_page
from tests.training.views_helpers import make_path
from training.models import Certificate
from training.pages import RolePlayScenarioPage

from .conftest import LOGINS_BY_KEY, App

pytestmark = pytest.mark.browser


def _take_default_module(app: App) -> None:
    """Start the module and answer the factories' two checks right (window=b, receipt=true)."""
    page = app.page
    with page.expect_navigation():
        page.get_by_role("button", name="Start module").click()
    app.check_page()
    page.get_by_label("Option b").check()
    page.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("Correct", exact=True)).to_be_visible()
    page.get_by_label("True", exact=True).check()
    page.get_by_role("button", name="Save answer").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".module-result-line")).to_contain_text("Pass")
    app.check_page()


def test_an_agent_completes_a_path_in_order_and_verifies_the_certificate(
    app: App, tmp_path: Path
) -> None:
    agent = User.objects.get(email=LOGINS_BY_KEY["agent"].email)
    first = module_page("Browser basics")
    second = module_page("Browser follow-up")
    path = make_path("Browser path", [(first, [], True), (second, [first], True)])
    AssignmentFactory(person=agent, page=path)
    page = app.page
    app.sign_in(agent.email)

    app.visit("training:path", path.pk)
    items = page.locator(".path-items")
    expect(items).to_contain_text("locked, finish “Browser basics” first")
    expect(items.get_by_role("link", name="Browser follow-up")).to_have_count(0)

    page.get_by_role("link", name="Browser basics").click()
    app.check_page()
    _take_default_module(app)

    app.visit("training:path", path.pk)
    expect(page.get_by_text("1 of 2 items done")).to_be_visible()
    page.get_by_role("link", name="Browser follow-up").click()
    app.check_page()
    _take_default_module(app)

    app.visit("training:my_training")
    expect(page.get_by_role("heading", name="Your certificates")).to_be_visible()
    certificate = Certificate.objects.get(person=agent, path=path)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Browser path certificate (PDF)").click()
    saved = tmp_path / "certificate.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    with page.expect_navigation():
        page.get_by_role("link", name="Verification page").first.click()
    app.check_page()
    assert certificate.code in page.url
    body = page.locator("main")
    expect(body).to_contain_text("Browser path")
    expect(body).to_contain_text(re.compile("valid", re.IGNORECASE))


def test_a_trainers_invalid_role_play_is_refused_in_the_admin_with_the_step_named(
    app: App,
) -> None:
    scenario = RolePlayScenarioPage.objects.live().order_by("pk").first()
    assert scenario is not None, "the demo has role-plays"
    # A draft in which a reply points at a step that does not exist (saved without the editor's
    # publish checks, as a draft may be).
    draft = scenario.get_latest_revision_as_object()
    steps = list(draft.steps.raw_data)
    first = next(s for s in steps if s["type"] == "step" and s["value"]["replies"])
    reply = first["value"]["replies"][0]
    value = reply["value"] if isinstance(reply.get("value"), dict) else reply
    value["target"] = "nowhere"
    draft.steps = steps
    draft.save_revision(clean=False)
    page = app.page
    app.sign_in(LOGINS_BY_KEY["trainer"].email)

    # Wagtail's own admin screens are Wagtail's to keep accessible: no axe run here.
    # The page editor is heavy: give it longer than the app's own pages.
    page.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)
    page.goto(app.url("wagtailadmin_pages:edit", scenario.pk), wait_until="domcontentloaded")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name=re.compile("Submit to")).click()

    expect(page.get_by_text("cannot be published yet").first).to_be_visible()
    # Named in the error summary, against the step in the editor, and on the diagram tab.
    problem = page.get_by_text(re.compile(r"points at a missing step 'nowhere'"))
    expect(problem.first).to_be_visible()
    assert problem.count() >= 2
    expect(page.get_by_text(re.compile(f"Step '{first['value']['key']}'")).first).to_be_visible()
    # Leave the editor before the test's database is emptied (it saves drafts in the background).
    page.goto("about:blank")
