"""Form widgets shared by every app."""

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


class FastSelect(forms.Select):
    """A <select> rendered with one string join instead of a template per option.

    Django renders each option through its own template; for a picker of a few hundred teams that
    was about half of the people list's server time (measured in bench/). Same HTML, same attrs.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self.choices:
            v = "" if option_value is None else str(option_value)
            mark = " selected" if v in selected else ""
            options.append(f'<option value="{escape(v)}"{mark}>{escape(label)}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(options)}</select>")  # noqa: S308
