"""Who may do what with engagement surveys, on the one access policy in qa_platform.people.

- **HR and administrators** build, launch and close surveys, and read results for the whole
  organisation (the teams their HR/admin grants reach; a grant on the root reaches everyone).
- **Team leads** read results of the teams their lead grant reaches (their own subtree), always
  through the anonymity rules, and keep action plans for those teams.
- **Everyone invited** answers their own invitation and opens the anonymity receipt.
- Nobody sees who did or did not respond, and nobody sees one person's answers except in
  identifiable mode, where HR and administrators may (the respondent is told so).

Helpers return the object or raise 404 (not visible) / 403 (visible, not allowed), like every
app's access module.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from qa_platform.people.access import grants_of, has_role, require_role, teams_q
from qa_platform.people.roles import Role

# Build, launch, close surveys; organisation-wide results; CX views.
SURVEY_ADMIN_ROLES: tuple[Role, ...] = (Role.HR, Role.ADMIN)
# Read results (within the teams the role reaches) and keep action plans.
RESULTS_ROLES: tuple[Role, ...] = (Role.HR, Role.ADMIN, Role.LEAD)


def can_manage_surveys(user: Any) -> bool:
    return has_role(user, *SURVEY_ADMIN_ROLES)


def require_survey_admin(user: Any) -> None:
    require_role(user, *SURVEY_ADMIN_ROLES)


def can_read_results(user: Any) -> bool:
    return has_role(user, *RESULTS_ROLES)


def require_results_reader(user: Any) -> None:
    require_role(user, *RESULTS_ROLES)


def result_teams_q(user: Any) -> Q:
    """Teams whose results `user` may read (HR/admin/lead grants, each with its subtree)."""
    return teams_q(user, RESULTS_ROLES)


def result_team_paths(user: Any) -> tuple[str, ...] | None:
    """Team paths whose subtrees `user` may read results for; None means everything."""
    return grants_of(user).paths(RESULTS_ROLES)
