"""axe-core accessibility checks for browser tests.

axe itself ships inside the ``axe-playwright-python`` wheel (``axe.min.js``), so nothing is fetched
at run time. A page fails when axe reports a violation of impact *serious* or *critical*; minor and
moderate findings are printed (shown with ``pytest -rA`` or on failure) but do not fail.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

BLOCKING_IMPACTS = ("critical", "serious")
# preload: false stops axe from re-reading the stylesheets into <style> elements of its own, which
# the strict Content Security Policy refuses (console errors) and which breaks relative @imports.
# Only the css-orientation-lock rule needs that preload.
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}
_AXE = Axe()
_SNIPPET = 160


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """Run axe on the page (or the part selected by `context`); return all its violations."""
    results = _AXE.run(page, context=context, options=AXE_OPTIONS)
    return list(results.response["violations"])


def _rank(violation: dict[str, Any]) -> int:
    impacts = ("critical", "serious", "moderate", "minor")
    impact = violation.get("impact")
    return impacts.index(impact) if impact in impacts else len(impacts)


def format_violations(
    url: str, violations: list[dict[str, Any]], what: str = "accessibility violation(s)"
) -> str:
    """A readable report: one block per rule, worst first, one entry per offending element."""
    lines = [f"axe found {len(violations)} {what} on {url}:"]
    for v in sorted(violations, key=_rank):
        lines.append("")
        lines.append(f"[{v.get('impact')}] {v['id']}: {v['help']}")
        lines.append(f"    {v['helpUrl']}")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            html = " ".join(node.get("html", "").split())
            if len(html) > _SNIPPET:
                html = html[: _SNIPPET - 1] + "…"
            lines.append(f"    - {target}")
            lines.append(f"        {html}")
            summary = node.get("failureSummary") or ""
            for detail in summary.splitlines():
                if detail.strip():
                    lines.append(f"        {detail.strip()}")
    return "\n".join(lines)


def assert_no_serious_violations(page: Page, context: str | None = None) -> None:
    """Fail the test if axe reports a serious or critical violation on the page."""
    violations = axe_violations(page, context)
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    others = [v for v in violations if v.get("impact") not in BLOCKING_IMPACTS]
    if others:
        print(format_violations(page.url, others, "minor or moderate finding(s)"))
    if blocking:
        pytest.fail(format_violations(page.url, blocking), pytrace=False)
