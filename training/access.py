"""Who may see and do what with learner state, built on the one access policy in
qa_platform.people.

- Everyone sees their own assignments, attempts and certificates.
- People holding an oversight role (reviewer, lead, QA manager, HR, administrator) or a training
  role (trainer, training lead) see those of the current members of the teams their role reaches:
  leads and HR follow their people's training, reviewers and trainers grade free role-play
  responses, trainers read reports.
- Leads, trainers, training leads, QA managers and administrators assign training to people they
  can see.
- Trainers, training leads, QA managers and administrators act as trainers here: they see every
  assignment rule (and may make organisation-wide ones), revoke certificates, and read reports
  of the teams they reach. Authoring happens in the Wagtail admin, where the roles map to the
  "Trainers" and "Training approvers" groups (training.moderation).
- Reviewers, leads, trainers, training leads, QA managers and administrators grade free
  responses of people they can see, never their own.

Scoping is by current team membership, as for the people list: a person who moves team moves out
of their former lead's sight.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from qa_platform.people.access import _path_q, grants_of, has_role
from qa_platform.people.roles import OVERSIGHT_ROLES, Role

if TYPE_CHECKING:
    from qa_platform.people.models import User

# The training roles: trainers author and submit, training leads approve and publish.
TRAINING_ROLES: tuple[Role, ...] = (Role.TRAINER, Role.TRAINING_LEAD)
# Who sees other people's training state inside their subtree.
VIEW_ROLES: tuple[Role, ...] = (*OVERSIGHT_ROLES, *TRAINING_ROLES)
# Who assigns training to people and teams.
ASSIGN_ROLES: tuple[Role, ...] = (Role.LEAD, *TRAINING_ROLES, Role.QA_MANAGER, Role.ADMIN)
# Who grades free role-play responses.
GRADER_ROLES: tuple[Role, ...] = (
    Role.REVIEWER,
    Role.LEAD,
    *TRAINING_ROLES,
    Role.QA_MANAGER,
    Role.ADMIN,
)
# Trainers: assignment rules, certificates, reports.
TRAINER_ROLES: tuple[Role, ...] = (*TRAINING_ROLES, Role.QA_MANAGER, Role.ADMIN)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def people_in_reach_q(user: Any, roles: tuple[Role, ...], field: str = "person_id") -> Q:
    """Rows whose `field` is a current member of a team `user`'s `roles` reach (not themselves)."""
    if not _authenticated(user):
        return Q(pk__in=[])
    paths = grants_of(user).paths(roles)
    if paths is None:
        # Everything (superusers). Not Q(): an empty Q vanishes when OR-ed with another.
        return Q(pk__isnull=False)
    if not paths:
        return Q(pk__in=[])
    from qa_platform.people.models import Membership

    members = Membership.objects.current().filter(_path_q(paths, "team__path"))
    return Q(**{f"{field}__in": members.values("user_id")})


def person_scope_q(user: Any, field: str = "person") -> Q:
    """Rows about `user` themselves or about people their oversight roles reach."""
    if not _authenticated(user):
        return Q(pk__in=[])
    return Q(**{field: user}) | people_in_reach_q(user, VIEW_ROLES, f"{field}_id")


def rules_q(user: Any) -> Q:
    """Trainers see every rule; leads see rules on teams they lead (and organisation-wide rules,
    which reach their people)."""
    if not _authenticated(user):
        return Q(pk__in=[])
    if has_role(user, *TRAINER_ROLES):
        return Q(pk__isnull=False)
    paths = grants_of(user).paths((Role.LEAD,))
    if not paths:
        return Q(pk__in=[])
    return Q(team__isnull=True) | _path_q(paths, "team__path")


def _reaches_person(user: Any, person: User, roles: tuple[Role, ...]) -> bool:
    paths = grants_of(user).paths(roles)
    if paths is None:
        return True
    if not paths:
        return False
    from qa_platform.people.models import Membership

    return (
        Membership.objects.current()
        .filter(user=person)
        .filter(_path_q(paths, "team__path"))
        .exists()
    )


def can_assign_to(user: Any, person: User) -> bool:
    """Leads, trainers, training leads, QA managers and administrators assign to people in the
    teams they reach."""
    return _authenticated(user) and _reaches_person(user, person, ASSIGN_ROLES)


def can_grade(user: Any, person: User) -> bool:
    """Graders grade free responses of people they reach, never their own."""
    if not _authenticated(user) or person.pk == user.pk:
        return False
    return _reaches_person(user, person, GRADER_ROLES)


def is_trainer(user: Any) -> bool:
    return has_role(user, *TRAINER_ROLES)


def require_assigner(user: Any) -> None:
    if not has_role(user, *ASSIGN_ROLES):
        raise PermissionDenied


def require_grader(user: Any) -> None:
    if not has_role(user, *GRADER_ROLES):
        raise PermissionDenied


def require_trainer(user: Any) -> None:
    if not is_trainer(user):
        raise PermissionDenied
