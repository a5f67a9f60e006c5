import datetime as dt

from django.utils import timezone

from qa_platform.templatetags.ui import relative


def test_a_time_under_a_minute_ago_reads_just_now() -> None:
    assert relative(timezone.now() - dt.timedelta(seconds=20)) == "just now"


def test_an_older_time_reads_with_its_largest_unit_only() -> None:
    value = timezone.now() - dt.timedelta(days=3, hours=5)
    assert relative(value) == "3\xa0days ago"


def test_no_time_reads_as_nothing() -> None:
    assert relative(None) == ""
