"""Action plans on survey results and their "you said, we did" updates (DOMAIN.md §7).

Who may keep a plan: a team lead for the teams their lead grant reaches, HR and administrators for
the teams theirs reach (`access.result_teams_q`: each grant with its subtree). A plan belongs to a
closed survey, one of that survey's drivers and one team that took part in it (the team or a team
below it was invited). Its owner is a person in the plan's scope: a current member of the team or
of a team below it, or someone whose lead/HR/admin grant reaches the team.

Every change writes an audit event. Refusals raise `ValidationError` (bad input, by field) or
`PermissionDenied` (the team is outside the actor's reach); nothing is written then.

`actions_for_driver_change` is the read the results pages use to show, beside the change in a
driver, what the team did about it after the previous wave.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from qa_platform.audit.services import record
from qa_platform.people.access import role_reaches_team
from qa_platform.people.models import Membership, RoleGrant, Team, User

from ..access import RESULTS_ROLES, result_teams_q
from ..models import (
    ActionPlan,
    ActionStatus,
    ActionUpdate,
    Invitation,
    Survey,
    SurveyQuestion,
    SurveyStatus,
)

MAX_ACTION = 300
MAX_DETAILS = 5_000
MAX_UPDATE = 5_000


# --- Reads ----------------------------------------------------------------------------------


def plans_visible_to(user: Any) -> QuerySet[ActionPlan]:
    """Plans of the teams `user` may keep plans for (lead, HR, admin grants with subtrees)."""
    return ActionPlan.objects.filter(team__in=Team.objects.filter(result_teams_q(user)))


def survey_drivers(survey: Survey) -> list[str]:
    """The driver keys the survey asked about, in question order."""
    keys = (
        SurveyQuestion.objects.filter(survey=survey)
        .exclude(driver="")
        .order_by("order", "pk")
        .values_list("driver", flat=True)
    )
    return list(dict.fromkeys(keys))


def actions_for_driver_change(survey: Survey, team: Team, driver: str) -> list[ActionPlan]:
    """The previous wave's plans for `team` and `driver`, to show beside the change in that
    driver (empty when the survey has no previous wave). One query; owners and published updates
    come with them (`plan.published_updates`)."""
    if survey.previous_wave_id is None:
        return []
    return list(
        ActionPlan.objects.filter(survey_id=survey.previous_wave_id, team=team, driver=driver)
        .select_related("owner")
        .order_by("due_date", "pk")
    )


def previous_wave_actions(survey: Survey, team: Team) -> dict[str, list[ActionPlan]]:
    """`actions_for_driver_change` for every driver at once (one query): the previous wave's
    plans for `team`, by driver key."""
    if survey.previous_wave_id is None:
        return {}
    found: dict[str, list[ActionPlan]] = {}
    for plan in (
        ActionPlan.objects.filter(survey_id=survey.previous_wave_id, team=team)
        .select_related("owner")
        .order_by("due_date", "pk")
    ):
        found.setdefault(plan.driver, []).append(plan)
    return found


def is_overdue(plan: ActionPlan, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return plan.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS) and (
        plan.due_date < today
    )


def owner_candidates(team: Team) -> QuerySet[User]:
    """Active people who may own a plan for `team`: its current members (with its subtree) and
    holders of a lead/HR/admin grant reaching it."""
    today = timezone.localdate()
    members = Membership.objects.on(today).filter(team__path__startswith=team.path)
    ancestors = team.ancestor_ids()
    keepers = RoleGrant.objects.active().filter(role__in=RESULTS_ROLES, team_id__in=ancestors)
    return User.objects.filter(is_active=True).filter(
        Q(pk__in=members.values("user_id")) | Q(pk__in=keepers.values("user_id"))
    )


# --- Checks ---------------------------------------------------------------------------------


def _require_keeper(actor: Any, team: Team) -> None:
    """People keep plans for the teams their lead/HR/admin grant reaches. `None` is the system
    (the demo seeder, a management command): it acts on any team and is audited as the system."""
    if actor is None:
        return
    if not role_reaches_team(actor, team, *RESULTS_ROLES):
        raise PermissionDenied("You may keep action plans only for the teams you lead or run.")


def _check_due_date(due_date: Any, errors: dict[str, str], *, today: dt.date) -> None:
    if not isinstance(due_date, dt.date):
        errors["due_date"] = "Give the due date as a date."
    elif due_date <= today:
        errors["due_date"] = "The due date must be in the future."


def _check_owner(owner: Any, team: Team, errors: dict[str, str]) -> None:
    if not isinstance(owner, User) or not owner_candidates(team).filter(pk=owner.pk).exists():
        errors["owner"] = (
            f"The owner must be an active member of {team.name} (or a team below it) or someone "
            "who leads or runs it."
        )


def _text(value: Any) -> str:
    return str(value or "").strip()


def _snapshot(plan: ActionPlan) -> dict[str, Any]:
    return {
        "survey": plan.survey_id,
        "team": plan.team_id,
        "driver": plan.driver,
        "action": plan.action,
        "details": plan.details,
        "owner": plan.owner_id,
        "due_date": plan.due_date.isoformat(),
        "status": plan.status,
    }


# --- Writes ---------------------------------------------------------------------------------


@transaction.atomic
def create_action_plan(
    *,
    survey: Survey,
    team: Team,
    driver: str,
    action: str,
    details: str = "",
    owner: User,
    due_date: dt.date,
    actor: User | None,
    today: dt.date | None = None,
) -> ActionPlan:
    """Record an action on `driver` for `team` after `survey`'s results."""
    _require_keeper(actor, team)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if survey.status != SurveyStatus.CLOSED:
        errors["survey"] = "Action plans follow results: the survey must be closed first."
    if not Invitation.objects.filter(survey=survey, team__path__startswith=team.path).exists():
        errors["team"] = f"{team.name} did not take part in this survey."
    if driver not in survey_drivers(survey):
        errors["driver"] = "Pick one of the drivers this survey asked about."
    action = _text(action)
    details = _text(details)
    if not action:
        errors["action"] = "Say what will be done."
    elif len(action) > MAX_ACTION:
        errors["action"] = f"Keep the action to {MAX_ACTION} characters (it has {len(action)})."
    if len(details) > MAX_DETAILS:
        errors["details"] = f"Keep the details to {MAX_DETAILS:,} characters."
    _check_due_date(due_date, errors, today=today)
    _check_owner(owner, team, errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    plan = ActionPlan.objects.create(
        survey=survey,
        team=team,
        driver=driver,
        action=action,
        details=details,
        owner=owner,
        due_date=due_date,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    record(action="engagement.action_plan_created", actor=actor, obj=plan, after=_snapshot(plan))
    return plan


_UNSET: Any = object()


@transaction.atomic
def update_action_plan(
    *,
    plan: ActionPlan,
    actor: User | None,
    status: str = _UNSET,
    due_date: dt.date = _UNSET,
    owner: User = _UNSET,
    action: str = _UNSET,
    details: str = _UNSET,
    today: dt.date | None = None,
) -> ActionPlan:
    """Change a plan's status, due date, owner, action or details (only what is given).

    A new due date must be in the future unless the plan is being closed (done or dropped) or
    the date is not changing."""
    plan = ActionPlan.objects.select_for_update().select_related("team").get(pk=plan.pk)
    _require_keeper(actor, plan.team)
    today = today or timezone.localdate()
    before = _snapshot(plan)
    errors: dict[str, str] = {}
    if status is not _UNSET:
        if status not in ActionStatus.values:
            errors["status"] = "Pick one of: " + ", ".join(str(s.label) for s in ActionStatus)
        else:
            plan.status = status
    if due_date is not _UNSET and due_date != plan.due_date:
        _check_due_date(due_date, errors, today=today)
        if "due_date" not in errors:
            plan.due_date = due_date
    if owner is not _UNSET and getattr(owner, "pk", None) != plan.owner_id:
        _check_owner(owner, plan.team, errors)
        if "owner" not in errors:
            plan.owner = owner
    if action is not _UNSET:
        text = _text(action)
        if not text or len(text) > MAX_ACTION:
            errors["action"] = f"Say what will be done, in at most {MAX_ACTION} characters."
        else:
            plan.action = text
    if details is not _UNSET:
        text = _text(details)
        if len(text) > MAX_DETAILS:
            errors["details"] = f"Keep the details to {MAX_DETAILS:,} characters."
        else:
            plan.details = text
    if errors:
        raise ValidationError(errors)
    after = _snapshot(plan)
    if after == before:
        return plan
    plan.updated_at = timezone.now()
    plan.save()
    changed = [k for k in after if after[k] != before[k]]
    record(
        action="engagement.action_plan_updated",
        actor=actor,
        obj=plan,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return plan


@transaction.atomic
def publish_update(*, plan: ActionPlan, text: str, actor: User | None) -> ActionUpdate:
    """Publish a "you said, we did" update: the plan's team members see it on their home."""
    _require_keeper(actor, plan.team)
    text = _text(text)
    if not text:
        raise ValidationError({"text": "Write what changed because of the team's feedback."})
    if len(text) > MAX_UPDATE:
        raise ValidationError({"text": f"Keep the update to {MAX_UPDATE:,} characters."})
    now = timezone.now()
    update = ActionUpdate.objects.create(
        plan=plan, text=text, author=actor, created_at=now, published_at=now
    )
    ActionPlan.objects.filter(pk=plan.pk).update(updated_at=now)
    record(
        action="engagement.action_update_published",
        actor=actor,
        obj=update,
        after={"plan": plan.pk, "team": plan.team_id, "text": text},
    )
    return update


# --- Home cards -----------------------------------------------------------------------------


def updates_for_member(user: Any, *, limit: int = 5) -> list[ActionUpdate]:
    """Published updates of plans whose team contains one of `user`'s current teams (the team
    itself or an ancestor). Two queries: the person's current teams' paths, then the updates."""
    if not getattr(user, "is_authenticated", False):
        return []
    paths = Membership.objects.current().filter(user=user).values_list("team__path", flat=True)
    team_ids = {int(p) for path in paths for p in path.strip("/").split("/") if p}
    if not team_ids:
        return []
    return list(
        ActionUpdate.objects.filter(published_at__isnull=False, plan__team_id__in=team_ids)
        .select_related("plan", "plan__team")
        .order_by("-published_at", "-pk")[:limit]
    )


def open_plans_for(
    user: Any, *, roles: tuple[str, ...], limit: int = 8
) -> tuple[list[ActionPlan], int]:
    """Open plans of the teams `user`'s `roles` reach, earliest due (so overdue) first, and how
    many there are in all."""
    from qa_platform.people.access import teams_q

    plans = ActionPlan.objects.open().filter(team__in=Team.objects.filter(teams_q(user, roles)))
    rows = list(plans.select_related("team", "owner", "survey").order_by("due_date", "pk")[:limit])
    total = len(rows) if len(rows) < limit else plans.count()
    return rows, total
