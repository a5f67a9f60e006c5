"""Small presentation filters shared by every template."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def relative(value: dt.datetime | None) -> str:
    """'just now', '5 minutes ago', '3 days ago'; the exact time goes in the title attribute."""
    if value is None:
        return ""
    if abs((timezone.now() - value).total_seconds()) < 60:
        return "just now"
    return f"{timesince(value, depth=1)} ago"
