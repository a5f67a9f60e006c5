"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

Run them with ``pytest -m browser tests/browser`` (``make test`` does; plain ``pytest`` leaves them
out). The browser is the system's ``/usr/bin/chromium`` (``CHROMIUM_PATH`` overrides it);
``playwright install`` is never used.

What a test gets:

- ``demo_server``: Django's live server over the ``seed_demo --scale small`` data. The demo data
  is seeded once per session and snapshotted; each test starts from a fresh copy of the snapshot
  (about a second instead of a full seed), so tests are independent and may change anything.
- ``app``: the Playwright ``page`` (a fresh browser context, so signed out) with helpers:
  ``app.visit("home_agent")`` opens a page by URL name or path and runs the checks below,
  ``app.sign_in(email)`` signs in through the login form, ``app.check_page()`` re-runs the checks
  after a click.

The checks on every page visited: axe-core finds no serious or critical violation (see
``axe.py``), and the page raised no JavaScript error and logged no console error (a script or
style refused by the Content Security Policy shows up here).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Error, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from .axe import assert_no_serious_violations

# Playwright's sync API runs an asyncio loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told that it is safe, which it is here (the tests are sync).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    # The machines have no network but the package registries: keep Chromium from calling home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class DemoLogin:
    key: str
    email: str
    home: str  # URL name of the home page this person lands on


# The contract of `seed_demo --scale small` (issue 3), written out rather than imported so that a
# login missing from the demo data fails here.
DEMO_LOGINS = (
    DemoLogin("admin", "admin@demo.test", "home_admin"),
    DemoLogin("hr", "hr@demo.test", "home_hr"),
    DemoLogin("qa", "qa@demo.test", "home_qa"),
    DemoLogin("reviewer", "reviewer@demo.test", "home_reviewer"),
    DemoLogin("lead", "lead@demo.test", "home_lead"),
    DemoLogin("agent", "agent@demo.test", "home_agent"),
    DemoLogin("agent2", "agent2@demo.test", "home_agent"),
    DemoLogin("trainer", "trainer@demo.test", "home_trainer"),
    DemoLogin("traininglead", "traininglead@demo.test", "home_trainer"),
)
LOGINS_BY_KEY = {login.key: login for login in DEMO_LOGINS}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a browser test, even one that forgot its marker."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


# --- Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM_PATH).exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM_PATH}: install Debian's package "
            "(apt-get install chromium) or set CHROMIUM_PATH"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM_PATH, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 800},
        "locale": "en-GB",
        "timezone_id": "UTC",
    }


# --- The live server over demo data ------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup: None, django_db_blocker: Any) -> dict[str, str]:
    """Run `seed_demo --scale small` once per session and keep the database contents it leaves."""
    with django_db_blocker.unblock():
        call_command("seed_demo", "--scale", "small", stdout=io.StringIO())
        return {
            alias: content_types_first(connections[alias].creation.serialize_db_to_string())
            for alias in connections
        }


def content_types_first(contents: str) -> str:
    """The snapshot with its content types first: deserialising a page subclass's own row runs
    Wagtail's Page.__init__, which looks its content type up (and creates it when missing, which
    then clashes with the snapshot's row) unless the content types are already there."""
    objects = json.loads(contents)
    first = [o for o in objects if o["model"] == "contenttypes.contenttype"]
    return json.dumps(first + [o for o in objects if o["model"] != "contenttypes.contenttype"])


def load_snapshot(snapshot: dict[str, str]) -> None:
    """Empty every table and load `snapshot` back (what Django's serialized_rollback does), then
    move PostgreSQL's id sequences past the loaded rows."""
    for alias, contents in snapshot.items():
        call_command(
            "flush", database=alias, interactive=False, verbosity=0, inhibit_post_migrate=True
        )
        connection = connections[alias]
        ContentType.objects.clear_cache()  # ids in the cache may not match the loaded rows
        connection.creation.deserialize_db_from_string(contents)
        statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


@pytest.fixture
def demo_server(
    live_server: LiveServer, transactional_db: None, demo_snapshot: dict[str, str]
) -> LiveServer:
    """Django's live server (pytest-django's `live_server`) over the demo data.

    The data is seeded once per session; every test starts from a fresh copy of it, and
    `transactional_db` empties the database again after the test.
    """
    load_snapshot(demo_snapshot)
    return live_server


# --- The page helper ---------------------------------------------------------------------------


@dataclass
class App:
    page: Page
    base_url: str
    problems: list[str] = field(default_factory=list)  # console and script errors not yet reported

    def url(self, name_or_path: str, *args: Any, **kwargs: Any) -> str:
        path = (
            name_or_path
            if name_or_path.startswith("/")
            else reverse(name_or_path, args=args, kwargs=kwargs)
        )
        return f"{self.base_url}{path}"

    def visit(self, name_or_path: str, *args: Any, **kwargs: Any) -> None:
        """Open a page by URL name or path, expect a 2xx answer, and check the page."""
        response = self.page.goto(self.url(name_or_path, *args, **kwargs))
        assert response is not None
        assert response.ok, f"GET {response.url} answered {response.status}"
        self.check_page()

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in through the login form (checking the login page on the way)."""
        self.visit("login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Sign in").click()

    def main_nav(self) -> Locator:
        return self.page.get_by_role("navigation", name="Main")

    def check_page(self) -> None:
        """axe finds no serious or critical violation; no script error, no console error."""
        self.page.wait_for_load_state()
        self.raise_problems()
        assert_no_serious_violations(self.page)

    def raise_problems(self) -> None:
        if self.problems:
            found, self.problems[:] = list(self.problems), []
            pytest.fail(
                f"The browser reported problems on {self.page.url}:\n  " + "\n  ".join(found),
                pytrace=False,
            )


@pytest.fixture
def app(page: Page, demo_server: LiveServer) -> Iterator[App]:
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    helper = App(page=page, base_url=demo_server.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            helper.problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def on_page_error(error: Error) -> None:
        helper.problems.append(f"uncaught JavaScript error: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    yield helper
    helper.raise_problems()
