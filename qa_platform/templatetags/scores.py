"""The score figure ("78.4 ± 6.1, n = 23") as HTML, built in Python.

`score_html` is the one definition of the markup: `components/score.html` calls it through the
`score_cell` tag, and pages that print many figures (the quality overview, ~220 per page) call
the tag directly. Including the component once per figure cost about 0.6 ms each on the bench
machine (a template, its context and a dozen variable lookups per figure), a large share of the
overview's rendering.

Usage: `{% load scores %}{% score_cell row.score %}`, or `{% score_cell figure score_link %}` for
the "how is this computed?" link. `figure` has n, has_value, value_text, interval_text,
interval_title, too_few and noun (scorecards.overview.Figure); None, or anything without a value,
prints "No reviews" ("No ratings", "No answers" after its noun).

Every value is escaped as the template engine escapes a variable (`conditional_escape`: safe HTML
is kept, anything else goes through `html.escape`, which is what django.utils.html.escape calls);
format_html per part gave the same HTML at several times the cost (see qa_platform/widgets.py).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


def _e(value: Any) -> str:
    """A value as `{{ value }}` prints it with autoescaping (strings, as Figure gives)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def score_html(figure: Any, score_link: Any = "") -> SafeString:
    """The figure's `<span class="score-wrap">…</span>`, greyed with "too few … (n = 3)" under
    the minimum n, "No reviews" without a value; `score_link` adds the "how is this computed?"
    link."""
    if not figure or not getattr(figure, "has_value", False):
        noun = getattr(figure, "noun", "") if figure else ""
        inner = f'<span class="score score-none">No {_e(noun or "reviews")}</span>'
    elif figure.too_few:
        inner = (
            f'<span class="score score-too-few" title="{_e(figure.interval_title)}">'
            f'<span class="score-value">{_e(figure.value_text)}</span> '
            f'<span class="score-note">too few {_e(figure.noun)} (n = {_e(figure.n_text)})</span>'
            "</span>"
        )
    else:
        interval = figure.interval_text
        inner = (
            f'<span class="score" title="{_e(figure.interval_title)}">'
            f'<span class="score-value">{_e(figure.value_text)}</span>'
            + (f' <span class="score-interval">{_e(interval)}</span>' if interval else "")
            + f'<span class="score-n">, n = {_e(figure.n_text)}</span></span>'
        )
    link = (
        f' <a class="score-how" href="{_e(score_link)}">how is this computed?</a>'
        if score_link
        else ""
    )
    return SafeString(f'<span class="score-wrap">{inner}{link}</span>')


@register.simple_tag
def score_cell(figure: Any, score_link: Any = "") -> SafeString:
    """`{% score_cell figure %}` / `{% score_cell figure score_link %}`: see score_html."""
    return score_html(figure, score_link)
