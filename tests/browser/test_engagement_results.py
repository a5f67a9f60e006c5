"""The demo's autumn engagement survey, read by its people: the lead of Billing EMEA (4 answers,
under the threshold) sees Customer Care's result with the note saying why, and creates an action
plan; HR opens the engagement ↔ CX view. axe finds no serious or critical violation on the way."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from qa_platform.engagement import demo
from qa_platform.engagement.models import ActionPlan, Survey
from qa_platform.people.models import Team

from .conftest import LOGINS_BY_KEY, App

pytestmark = pytest.mark.browser


def test_a_lead_sees_the_rolled_up_result_and_creates_an_action_plan(app: App) -> None:
    page = app.page
    app.sign_in(LOGINS_BY_KEY["lead"].email)

    app.visit("engagement:results_list")
    page.get_by_role("link", name=demo.AUTUMN).first.click()
    expect(page.get_by_role("heading", name=demo.AUTUMN, level=1)).to_be_visible()
    app.check_page()

    # The lead's own team had 4 answers: its figure is Customer Care's, and the page says so.
    note = page.get_by_role("note").first
    expect(note).to_contain_text("Fewer than 5 answers")
    expect(note).to_contain_text("Customer Care")
    assert "Billing EMEA" not in page.locator(".stat-value").first.inner_text()

    page.get_by_role("link", name="Teams × drivers").click()
    expect(page.locator("table").first).to_be_visible()
    app.check_page()

    page.get_by_role("link", name="Action plans").click()
    expect(page.get_by_role("heading", name="Action plans", level=1)).to_be_visible()
    app.check_page()
    page.get_by_role("link", name="New action plan").click()
    form = page.locator("main form").last
    billing = Team.objects.get(external_id="T-BILL-EMEA")
    form.get_by_label("Team").select_option(value=str(billing.pk))
    form.get_by_label("Driver").select_option(label="Recognition")
    form.get_by_label("Action", exact=False).first.fill(
        "Thank-you notes from customers read out weekly"
    )
    form.get_by_label("Owner").select_option(index=1)
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    form.get_by_label("Due date").fill(due)
    app.check_page()
    page.get_by_role("button", name="Create action plan").click()
    expect(page.get_by_text("Thank-you notes from customers read out weekly").first).to_be_visible()
    app.check_page()
    plan = ActionPlan.objects.get(action="Thank-you notes from customers read out weekly")
    assert plan.survey == Survey.objects.get(title=demo.AUTUMN)
    assert plan.team.name == "Billing EMEA" and plan.driver == "recognition"


def test_hr_opens_the_engagement_and_cx_view(app: App) -> None:
    page = app.page
    app.sign_in(LOGINS_BY_KEY["hr"].email)

    app.visit("engagement:engagement_cx")
    expect(
        page.get_by_role("heading", name="Engagement and customer results", level=1)
    ).to_be_visible()
    expect(page.get_by_role("heading", name="What it shows")).to_be_visible()
    expect(page.get_by_text("correlation is not cause", exact=False).first).to_be_visible()
    app.check_page()
