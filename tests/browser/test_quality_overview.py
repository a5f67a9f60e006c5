"""A lead reads the quality overview: changing a filter swaps the results in place (htmx) and
puts the filter in the address, the trend chart opens as a table, and axe finds no serious or
critical violation on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import LOGINS_BY_KEY, App

pytestmark = pytest.mark.browser


def test_a_lead_filters_the_overview_in_place_and_reads_the_trend_as_a_table(app: App) -> None:
    page = app.page
    app.sign_in(LOGINS_BY_KEY["lead"].email)

    app.visit("scorecards:overview")
    expect(page.get_by_role("heading", name="Quality overview", level=1)).to_be_visible()
    results = page.locator("#overview-results")
    expect(results.get_by_role("heading", name="Trend")).to_be_visible()
    summary = results.get_by_role("status")
    before = summary.inner_text()

    # A marker on the window survives an htmx swap and would be gone after a page load.
    page.evaluate("window.__overviewMarker = 'still here'")
    with page.expect_response(
        lambda r: "/overview/" in r.url and r.request.headers.get("hx-request") == "true"
    ) as answer:
        page.get_by_label("Period").select_option("quarter")
    assert answer.value.ok
    expect(page).to_have_url(re.compile(r"[?&]period=quarter(&|$)"))
    expect(summary).to_contain_text("This quarter")
    assert page.evaluate("window.__overviewMarker") == "still here"
    assert summary.inner_text() != before

    with page.expect_response(
        lambda r: "/overview/" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.get_by_label("Channel").select_option("chat")
    expect(page).to_have_url(re.compile(r"[?&]channel=chat(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]period=quarter(&|$)"))
    expect(summary).to_contain_text("matching these filters")
    assert page.evaluate("window.__overviewMarker") == "still here"
    app.check_page()

    chart = page.locator("#quality-trend")
    table = chart.locator("details.chart-table table")
    expect(table).to_be_hidden()
    chart.get_by_text("Show as table").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="95% interval").first).to_be_visible()
    expect(table.locator("tbody tr").first).to_be_visible()
    app.check_page()

    # The address with the filters opens the same view without JavaScript's help.
    page.reload()
    expect(page.get_by_label("Channel")).to_have_value("chat")
    expect(page.get_by_label("Period")).to_have_value("quarter")
    app.check_page()
