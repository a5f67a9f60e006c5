"""Who may see and do what in scorecards, built on the one access policy in qa_platform.people.

Scoping is by the team of the day stored on each row (interaction, review, feedback), so a review
stays with the team the agent was in when the contact happened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from qa_platform.people.access import _path_q, grants_of, has_role
from qa_platform.people.roles import Role

if TYPE_CHECKING:
    from .models import Interaction, Review

# Who grades interactions. Leads grade too: small teams often have no dedicated reviewer.
GRADER_ROLES: tuple[Role, ...] = (Role.REVIEWER, Role.QA_MANAGER, Role.LEAD, Role.ADMIN)
# Who looks at interactions, reviews and quality figures of teams in their subtree.
QUALITY_ROLES: tuple[Role, ...] = (Role.REVIEWER, Role.LEAD, Role.QA_MANAGER, Role.ADMIN)
# Who reads the quality overview (reviewers see their own work on their home).
OVERVIEW_ROLES: tuple[Role, ...] = (Role.LEAD, Role.QA_MANAGER, Role.ADMIN)
# Who authors frameworks (in the Wagtail admin) and imports interactions.
QA_ADMIN_ROLES: tuple[Role, ...] = (Role.QA_MANAGER, Role.ADMIN)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _team_scope(user: Any, roles: tuple[Role, ...]) -> Q:
    paths = grants_of(user).paths(roles)
    if paths is None:
        # Everything (superusers). Not Q(): an empty Q vanishes when OR-ed with another, so
        # `Q() | Q(agent=user)` would mean "only their own".
        return Q(pk__isnull=False)
    return _path_q(paths, "team__path")


def interactions_q(user: Any) -> Q:
    """Interactions of teams a quality role reaches, and the person's own contacts."""
    if not _authenticated(user):
        return Q(pk__in=[])
    return _team_scope(user, QUALITY_ROLES) | Q(agent=user)


def feedback_q(user: Any) -> Q:
    if not _authenticated(user):
        return Q(pk__in=[])
    return _team_scope(user, QUALITY_ROLES) | Q(agent=user)


def reviews_q(user: Any) -> Q:
    """Agents see their own submitted reviews; quality roles see reviews of teams they reach;
    a reviewer always sees what they wrote. Drafts are visible only to their author and to QA
    managers and administrators of the team."""
    if not _authenticated(user):
        return Q(pk__in=[])
    submitted = Q(status="submitted")
    own = Q(agent=user) & submitted
    team_submitted = _team_scope(user, QUALITY_ROLES) & submitted
    team_drafts = _team_scope(user, QA_ADMIN_ROLES)
    return own | team_submitted | team_drafts | Q(reviewer=user)


def can_grade(user: Any, interaction: Interaction) -> bool:
    paths = grants_of(user).paths(GRADER_ROLES)
    if paths is None:
        return True
    if interaction.agent_id == user.pk:  # nobody grades their own contact
        return False
    team_path = interaction.team.path
    return any(team_path.startswith(p) for p in paths)


def require_grader(user: Any, interaction: Interaction) -> None:
    """403 unless `user` may grade `interaction` (it is already known to be visible)."""
    if not can_grade(user, interaction):
        raise PermissionDenied


def can_edit_review(user: Any, review: Review) -> bool:
    """The author edits their review; QA managers and administrators of the team may correct it."""
    if review.reviewer_id == user.pk:
        return True
    paths = grants_of(user).paths(QA_ADMIN_ROLES)
    return paths is None or any(review.team.path.startswith(p) for p in paths)


def require_quality_role(user: Any) -> None:
    if not has_role(user, *QUALITY_ROLES):
        raise PermissionDenied


def require_overview_role(user: Any) -> None:
    if not has_role(user, *OVERVIEW_ROLES):
        raise PermissionDenied


def require_qa_admin(user: Any) -> None:
    if not has_role(user, *QA_ADMIN_ROLES):
        raise PermissionDenied
