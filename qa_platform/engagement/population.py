"""The attributes snapshotted per invitation at launch: pure rules, no ORM.

Results can be filtered by these (always through the anonymity rules), so they are coarse on
purpose: a tenure band rather than a start date, a role label rather than every grant, and the
location only when the person's record has one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from qa_platform.people.roles import Role, main_role

from .models import LOCATION, ROLE, TENURE_BAND

UNDER_ONE_YEAR = "Under 1 year"
ONE_TO_THREE_YEARS = "1–3 years"
OVER_THREE_YEARS = "Over 3 years"
TENURE_BANDS: tuple[str, ...] = (UNDER_ONE_YEAR, ONE_TO_THREE_YEARS, OVER_THREE_YEARS)

AGENT = "Agent"
TEAM_LEAD = "Team lead"
OTHER = "Other"
ROLE_LABELS: tuple[str, ...] = (AGENT, TEAM_LEAD, OTHER)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def tenure_band(first_day: dt.date, on: dt.date) -> str:
    """The band of someone who started on `first_day`, as of `on`.

    Under 1 year until the first anniversary; 1–3 years until the third; over 3 years after it
    (the third anniversary itself counts as "1–3 years"). A first day in the future counts as
    under one year."""
    if on < _add_years(first_day, 1):
        return UNDER_ONE_YEAR
    if on <= _add_years(first_day, 3):
        return ONE_TO_THREE_YEARS
    return OVER_THREE_YEARS


def role_label(held: Iterable[str]) -> str:
    """Agent / Team lead / Other, from the person's main role (people.roles.main_role)."""
    role = main_role(set(held))
    if role == Role.AGENT:
        return AGENT
    if role == Role.LEAD:
        return TEAM_LEAD
    return OTHER


def attributes_of(
    *, first_day: dt.date, on: dt.date, roles: Iterable[str], location: str = ""
) -> dict[str, str]:
    """The attributes dict stored on an invitation (keys from models.DIMENSIONS). A blank
    location is left out, so results count it as anonymity.NOT_RECORDED."""
    attributes = {TENURE_BAND: tenure_band(first_day, on), ROLE: role_label(roles)}
    if location.strip():
        attributes[LOCATION] = location.strip()
    return attributes
