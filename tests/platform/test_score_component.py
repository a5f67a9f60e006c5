"""The score figure's markup: `score_html` (qa_platform/templatetags/scores.py) prints exactly what
the `components/score.html` template printed before the markup moved to Python, and the
component and the `score_cell` tag both print it."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from qa_platform.templatetags.scores import score_html
from scorecards import overview

# The component's markup as a template, as it was before `score_html` (kept here as the
# reference the Python function must match, character for character).
REFERENCE = Template(
    '<span class="score-wrap">{% if not figure or not figure.has_value %}'
    '<span class="score score-none">No {{ figure.noun|default:"reviews" }}</span>'
    "{% elif figure.too_few %}"
    '<span class="score score-too-few" title="{{ figure.interval_title }}">'
    '<span class="score-value">{{ figure.value_text }}</span> '
    '<span class="score-note">too few {{ figure.noun }} (n = {{ figure.n_text }})</span></span>'
    "{% else %}"
    '<span class="score" title="{{ figure.interval_title }}">'
    '<span class="score-value">{{ figure.value_text }}</span>'
    '{% if figure.interval_text %} <span class="score-interval">{{ figure.interval_text }}</span>'
    '{% endif %}<span class="score-n">, n = {{ figure.n_text }}</span></span>{% endif %}'
    '{% if score_link %} <a class="score-how" href="{{ score_link }}">how is this computed?</a>'
    "{% endif %}</span>"
)

F = overview.Figure
FIGURES: dict[str, Any] = {
    "normal with interval": F(n=23, value=78.44, low=72.3, high=84.5, too_few=False),
    "normal without interval": F(n=12, value=50.0, low=None, high=None, too_few=False),
    "thousands of reviews": F(n=12_345, value=81.25, low=80.9, high=81.6, too_few=False),
    "too few": F(n=3, value=61.0, low=40.2, high=81.8, too_few=True),
    "too few, one": F(n=1, value=70.0, low=None, high=None, too_few=True),
    "no data": F(n=0, value=None, low=None, high=None, too_few=True),
    "no ratings": F(n=0, value=None, low=None, high=None, too_few=True, noun="ratings"),
    "nothing at all": None,
    "criterion average": F(n=40, value=90.0, low=85.0, high=95.0, too_few=False, noun="ratings"),
    "pass rate": F(n=312, value=84.2, low=80.1, high=87.6, too_few=False, kind="percent"),
    "csat too few": overview.csat_figure(1, 1),
    "csat": overview.csat_figure(80, 100),
    "nps positive": overview.nps_figure(50, 20, 300),
    "nps negative": overview.nps_figure(10, 40, 300),
    "nps zero": overview.nps_figure(10, 10, 300),
    "no answers": overview.csat_figure(0, 0),
    "pass figure of a row": overview.ScoreRow(
        key=1,
        label="x",
        n=30,
        mean=70.0,
        low=65.0,
        high=75.0,
        too_few=False,
        pass_rate=60.0,
        passed=18,
        pass_n=30,
    ).pass_figure,
    "markup in the noun is escaped": F(
        n=3, value=1.0, low=0.0, high=2.0, too_few=True, noun="<b>\"a\" & 'b'</b>"
    ),
    "safe HTML in the noun is kept": F(
        n=0, value=None, low=None, high=None, too_few=True, noun=mark_safe("<i>answers</i>")
    ),
}


def reference(figure: Any, score_link: Any = "") -> str:
    return REFERENCE.render(Context({"figure": figure, "score_link": score_link}))


@pytest.mark.parametrize("name", list(FIGURES))
def test_score_html_prints_what_the_score_template_printed(name: str) -> None:
    figure = FIGURES[name]
    assert score_html(figure) == reference(figure)


@pytest.mark.parametrize("name", ["normal with interval", "too few", "no data", "nothing at all"])
def test_the_how_link_is_added_and_escaped_like_the_template(name: str) -> None:
    figure = FIGURES[name]
    link = "/quality/how-scores-work/?a=1&b=<2>"
    assert score_html(figure, link) == reference(figure, link)
    assert 'href="/quality/how-scores-work/?a=1&amp;b=&lt;2&gt;"' in score_html(figure, link)


def test_score_html_is_safe_html_so_templates_do_not_escape_it_again() -> None:
    assert isinstance(score_html(FIGURES["normal with interval"]), SafeString)


def test_the_figure_reads_value_interval_and_n_in_one_line() -> None:
    assert score_html(FIGURES["normal with interval"]) == (
        '<span class="score-wrap"><span class="score" title="95% interval 72.3 to 84.5, n = 23">'
        '<span class="score-value">78.4</span> <span class="score-interval">\u00b1 6.1</span>'
        '<span class="score-n">, n = 23</span></span></span>'
    )
    assert "too few reviews (n = 3)" in score_html(FIGURES["too few"])
    assert ">No reviews<" in score_html(None)
    assert ">No answers<" in score_html(FIGURES["no answers"])


@pytest.mark.parametrize("name", list(FIGURES))
def test_the_component_and_the_tag_print_the_same_markup(name: str) -> None:
    figure = FIGURES[name]
    included = render_to_string("components/score.html", {"figure": figure})
    assert included == reference(figure) + "\n"  # the file's last line break, as before
    tag = Template("{% load scores %}{% score_cell figure %}")
    assert tag.render(Context({"figure": figure})) == reference(figure)


def test_the_component_passes_the_how_link_through() -> None:
    figure, link = FIGURES["normal with interval"], "/quality/how-scores-work/"
    included = render_to_string("components/score.html", {"figure": figure, "score_link": link})
    assert included == reference(figure, link) + "\n"
    tag = Template("{% load scores %}{% score_cell figure link %}")
    assert tag.render(Context({"figure": figure, "link": link})) == reference(figure, link)
