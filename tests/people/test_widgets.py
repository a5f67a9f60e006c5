"""The fast form widgets (qa_platform/widgets.py) render what Django's widgets render, escaped."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.safestring import mark_safe

from qa_platform.widgets import FastSelect, FastTextInput

CHOICES: list[tuple[Any, Any]] = [
    ("", "Any"),
    ('a&"b', "A <b>&amp; 'c'"),
    ("x", mark_safe("<i>Safe</i>")),
    (3, "Three"),
]


class DjangoForm(forms.Form):
    q = forms.CharField(
        required=False,
        help_text="Name or email.",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": 'Say "hi" <there>'}),
    )
    pick = forms.ChoiceField(required=False, choices=CHOICES)
    must = forms.ChoiceField(choices=CHOICES)


class FastForm(forms.Form):
    q = forms.CharField(
        required=False,
        help_text="Name or email.",
        widget=FastTextInput(attrs={"type": "search", "placeholder": 'Say "hi" <there>'}),
    )
    pick = forms.ChoiceField(required=False, choices=CHOICES, widget=FastSelect)
    must = forms.ChoiceField(choices=CHOICES, widget=FastSelect)


def rendered(form: forms.Form, name: str) -> str:
    return str(form[name])


def test_the_select_escapes_values_and_labels_but_not_labels_already_safe() -> None:
    html = rendered(FastForm(), "pick")

    assert '<option value="a&amp;&quot;b">A &lt;b&gt;&amp;amp; &#x27;c&#x27;</option>' in html
    assert '<option value="x"><i>Safe</i></option>' in html
    assert "<b>" not in html


def test_the_select_marks_the_chosen_option_selected_and_only_that_one() -> None:
    form = FastForm(QueryDict("pick=a%26%22b"))
    form.is_valid()
    html = rendered(form, "pick")

    assert '<option value="a&amp;&quot;b" selected>' in html
    assert html.count(" selected") == 1
    assert '<option value="" selected>' in rendered(FastForm(), "pick")


def test_the_select_keeps_name_id_required_and_aria_attributes() -> None:
    form = FastForm(QueryDict("pick=nonsense"))
    form.is_valid()

    assert rendered(form, "pick").startswith(
        '<select name="pick" aria-invalid="true" aria-describedby="id_pick_error" id="id_pick">'
    )
    assert rendered(FastForm(), "must").startswith('<select name="must" required id="id_must">')


def test_the_text_input_escapes_its_value_and_attributes() -> None:
    form = FastForm(QueryDict('q=<script>"x"'))
    form.is_valid()
    html = rendered(form, "q")

    assert 'value="&lt;script&gt;&quot;x&quot;"' in html
    assert 'placeholder="Say &quot;hi&quot; &lt;there&gt;"' in html
    assert "<script>" not in html
    assert html.startswith('<input type="search" name="q"')
    assert 'aria-describedby="id_q_helptext"' in html


def test_the_fast_widgets_render_what_djangos_widgets_render() -> None:
    for query in ("", "q=ada&pick=x&must=3", "pick=nonsense", 'q=a"b&pick=a%26%22b'):
        django_form, fast_form = DjangoForm(QueryDict(query)), FastForm(QueryDict(query))
        django_form.is_valid()
        fast_form.is_valid()
        for name in ("q", "pick", "must"):
            # Django puts a newline and indentation before each option; nothing else differs.
            expected = re.sub(r"\n\s*", "", rendered(django_form, name))
            assert rendered(fast_form, name) == expected, (query, name)


def test_grouped_choices_fall_back_to_djangos_rendering() -> None:
    widget = FastSelect(choices=[("Group", [("a", "A"), ("b", "B <b>")])])

    html = widget.render("grouped", "b")

    assert '<optgroup label="Group">' in html
    assert "B &lt;b&gt;" in html
    assert re.search(r'<option value="b" selected>', html)
