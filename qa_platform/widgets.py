"""Form widgets shared by every app.

The Fast* widgets render the HTML Django's own widgets render, attribute for attribute and in the
same order (only the whitespace between options differs), with one string join instead of a
template per element: Django's widget templates were a large share of the people list's server
time (bench/). Everything is escaped with the standard library's `html.escape`, which is what
`django.utils.html.escape` calls inside; `format_html_join` gave the same HTML but took about ten
times as long for two hundred options on the bench machine.
"""

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe


class FastTextInput(forms.TextInput):
    """A text input (also type="search" etc. through attrs) rendered without templates."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        formatted = self.format_value(value)
        shown = "" if formatted is None else f' value="{escape(str(formatted))}"'
        others = _attrs(self.build_attrs(self.attrs, attrs))
        html = f'<input type="{escape(self.input_type)}" name="{escape(name)}"{shown}{others}>'
        return mark_safe(html)  # noqa: S308 - every part escaped above


class FastSelect(forms.Select):
    """A <select> rendered without a template per option.

    `selected` goes on the first option whose value matches, as in Django; values are escaped
    and labels too unless already safe HTML, as Django's option template does. Grouped choices
    fall back to Django's templates.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if any(isinstance(label, (list, tuple)) for _, label in self.choices):
            return super().render(name, value, attrs, renderer)  # optgroups: Django's way
        others = _attrs(self.build_attrs(self.attrs, attrs))
        options = "".join(_options(self.choices, set(self.format_value(value))))
        html = f'<select name="{escape(name)}"{others}>{options}</select>'
        return mark_safe(html)  # noqa: S308 - every part escaped here and in _options


def _attrs(attrs: Mapping[str, Any]) -> str:
    """Attributes as django/forms/widgets/attrs.html renders them: in order, True as a bare
    name, False left out, everything else as name="value", escaped."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _options(choices: Iterable[tuple[Any, Any]], selected: set[str]) -> Iterable[str]:
    """One <option> per choice; `selected` on the first whose value is in `selected`."""
    found = False
    for option_value, label in choices:
        value = "" if option_value is None else str(option_value)
        mark = ""
        if not found and value in selected:
            mark, found = " selected", True
        if type(option_value) is not int:  # a primary key has nothing to escape
            value = escape(value)
        text = label.__html__() if hasattr(label, "__html__") else escape(str(label))
        yield f'<option value="{value}"{mark}>{text}</option>'
