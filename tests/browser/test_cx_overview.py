"""HR imports monthly customer figures (upload → preview → confirm) and reads the CX overview:
the trends open as tables, the period filter swaps the results in place, the lifetime value shows
as an estimate, and axe finds no serious or critical violation on the way."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import LOGINS_BY_KEY, App

pytestmark = pytest.mark.browser


def test_hr_imports_customer_figures_and_reads_the_cx_overview(app: App, tmp_path: Path) -> None:
    page = app.page
    app.sign_in(LOGINS_BY_KEY["hr"].email)

    app.visit("engagement:cx_overview")
    expect(page.get_by_role("heading", name="CX overview", level=1)).to_be_visible()
    expect(page.get_by_text("No customer figures imported for this period")).to_be_visible()
    app.check_page()

    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    figures = tmp_path / "customers.csv"
    figures.write_text(
        "month,team_code,customers_at_start,customers_lost,customers_gained,revenue\n"
        f"{last_month},,1000,20,30,50000\n"
    )
    app.visit("engagement:customer_import")
    page.get_by_label("Monthly customer figures (CSV file)").set_input_files(str(figures))
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("heading", name="Step 2 of 3: check what will happen")).to_be_visible()
    app.check_page()
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_role("heading", name="Import done")).to_be_visible()
    page.get_by_role("link", name="See the CX overview").click()

    clv = page.locator("#cx-clv")
    expect(clv).to_contain_text("Estimate")
    expect(clv).to_contain_text("2,500")
    app.check_page()

    results = page.locator("#cx-results")
    page.evaluate("window.__cxMarker = 'still here'")
    with page.expect_response(
        lambda r: "/cx-overview/" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.get_by_label("Period").select_option("6")
    expect(page).to_have_url(re.compile(r"[?&]months=6(&|$)"))
    expect(results.get_by_role("status")).to_contain_text("the last 6 months")
    assert page.evaluate("window.__cxMarker") == "still here"

    table = page.locator("#cx-csat details.chart-table table")
    expect(table).to_be_hidden()
    page.locator("#cx-csat").get_by_text("Show as table").click()
    expect(table).to_be_visible()
    app.check_page()
