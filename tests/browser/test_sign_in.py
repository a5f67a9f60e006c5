"""Each demo person signs in through the login form, lands on their home and sees their navigation;
a wrong password keeps the person out with an error. axe checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_LOGINS, LOGINS_BY_KEY, App, DemoLogin

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=lambda login: login.key)
def test_each_demo_person_signs_in_lands_on_their_home_and_can_open_their_navigation(
    app: App, login: DemoLogin
) -> None:
    app.sign_in(login.email)

    expect(app.page).to_have_url(app.url(login.home))
    nav = app.main_nav()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    app.check_page()

    hrefs = nav.get_by_role("link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for href in hrefs:
        app.visit(href)
        expect(app.main_nav()).to_be_visible()


def test_agents_do_not_see_administration_in_their_navigation(app: App) -> None:
    app.sign_in(LOGINS_BY_KEY["agent"].email)

    nav = app.main_nav()
    expect(nav).to_be_visible()
    for label in ("People", "Teams", "Import people", "Audit trail", "API tokens"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)
    app.check_page()


def test_administrators_see_administration_in_their_navigation(app: App) -> None:
    app.sign_in(LOGINS_BY_KEY["admin"].email)

    nav = app.main_nav()
    for label in ("People", "Audit trail"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    app.check_page()


def test_a_wrong_password_shows_an_error_on_the_login_page(app: App) -> None:
    app.sign_in(LOGINS_BY_KEY["agent"].email, password="not-the-demo-password")

    expect(app.page).to_have_url(re.compile(re.escape(app.url("login"))))
    expect(app.page.get_by_role("alert")).to_contain_text(re.compile("password", re.IGNORECASE))
    expect(app.main_nav()).to_have_count(0)
    app.check_page()


def test_signing_out_returns_to_the_login_page(app: App) -> None:
    app.sign_in(LOGINS_BY_KEY["lead"].email)
    expect(app.main_nav()).to_be_visible()

    app.page.locator("header details summary").click()
    app.page.get_by_role("button", name="Sign out").click()

    expect(app.page).to_have_url(re.compile(re.escape(app.url("login"))))
    app.check_page()
    expect(app.main_nav()).to_have_count(0)


def test_an_agents_home_works_on_a_phone(app: App) -> None:
    app.page.set_viewport_size({"width": 360, "height": 740})
    app.sign_in(LOGINS_BY_KEY["agent"].email)
    expect(app.page).to_have_url(app.url("home_agent"))

    menu = app.page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(app.main_nav()).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(app.main_nav()).to_be_visible()
    app.check_page()
    width = app.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the agent's home scrolls sideways on a 360 px phone ({width} px wide)"
