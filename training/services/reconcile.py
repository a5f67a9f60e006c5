"""Assignment rules: saving them, and reconciling them with people's assignments.

`reconcile_rules` reads people, rules and assignments in a handful of queries into the pure
dataclasses of `training.rules`, plans every page at once, then writes through `assign_training`
(one bulk insert per page and rule) and `withdraw_assignments`. Running it again changes nothing.
It runs nightly (training.tasks.nightly_training), after a rule is saved, and after memberships or
roles change (training.tasks.membership_changed, restricted to the people concerned).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.http import HttpRequest
from django.utils import timezone
from wagtail.models import Page

from qa_platform.audit.services import record
from qa_platform.people.models import Membership, RoleGrant, Team
from qa_platform.people.roles import Role
from training import rules as pure
from training.models import Assignment, AssignmentRule, AssignmentSource

from .assignments import _check_page, assign_training, withdraw_assignments
from .common import TrainingError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReconcileResult:
    assigned: int = 0
    withdrawn: int = 0
    skipped_pages: tuple[int, ...] = ()  # pages not published: nothing assigned from them


def people_facts(
    person_ids: Iterable[int] | None = None, today: dt.date | None = None
) -> list[pure.PersonFacts]:
    """Active people with a current membership, as the pure rules see them (3 queries)."""
    today = today or timezone.localdate()
    ids = None if person_ids is None else list(set(person_ids))
    members = Membership.objects.on(today).filter(user__is_active=True)
    if ids is not None:
        members = members.filter(user_id__in=ids)
    paths: dict[int, list[str]] = defaultdict(list)
    for user_id, path in members.values_list("user_id", "team__path"):
        paths[user_id].append(path)
    if not paths:
        return []
    grants = RoleGrant.objects.active().filter(team__is_active=True)
    firsts = Membership.objects.all()
    if ids is not None:
        grants = grants.filter(user_id__in=ids)
        firsts = firsts.filter(user_id__in=ids)
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in grants.values_list("user_id", "role"):
        roles[user_id].add(role)
    first_day = dict(
        firsts.values("user_id").annotate(first=Min("start")).values_list("user_id", "first")
    )
    return [
        pure.PersonFacts(
            id=user_id,
            team_paths=tuple(team_paths),
            roles=frozenset(roles.get(user_id, ())),
            first_day=first_day.get(user_id),
        )
        for user_id, team_paths in paths.items()
    ]


def _scope(rule: AssignmentRule) -> pure.RuleScope:
    return pure.RuleScope(
        id=rule.pk,
        page_id=rule.page_id,
        team_path=rule.team.path if rule.team_id and rule.team else None,
        role=rule.role or None,
        first_days=rule.first_days,
        active=rule.is_active,
    )


@transaction.atomic
def reconcile_rules(
    *,
    rule: AssignmentRule | None = None,
    person_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> ReconcileResult:
    """Bring assignments in line with the rules: all rules, or the rules of `rule`'s page (a
    page's rules are always reconciled together); everyone, or only `person_ids`."""
    today = today or timezone.localdate()
    rules_qs = AssignmentRule.objects.select_related("team")
    if rule is not None:
        rules_qs = rules_qs.filter(page_id=rule.page_id)
    rule_rows = list(rules_qs)
    if not rule_rows:
        return ReconcileResult()
    by_id = {r.pk: r for r in rule_rows}
    ids = None if person_ids is None else list(set(person_ids))
    people = people_facts(ids, today)
    page_ids = {r.page_id for r in rule_rows}
    existing_qs = Assignment.objects.filter(page_id__in=page_ids, withdrawn_at__isnull=True)
    if ids is not None:
        existing_qs = existing_qs.filter(person_id__in=ids)
    existing = [
        pure.AssignmentFacts(
            id=pk,
            person_id=person_id,
            page_id=page_id,
            source=source,
            rule_id=rule_id,
            started=started_at is not None,
            completed=completed_at is not None,
        )
        for pk, person_id, page_id, source, rule_id, started_at, completed_at in (
            existing_qs.values_list(
                "pk", "person_id", "page_id", "source", "rule_id", "started_at", "completed_at"
            )
        )
    ]
    plans = pure.reconcile_all([_scope(r) for r in rule_rows], people, existing, today)
    pages = Page.objects.filter(pk__in=[p.page_id for p in plans if p.plan.to_assign]).specific()
    pages_by_id = {p.pk: p for p in pages}
    assigned = withdrawn = 0
    skipped: list[int] = []
    for page_plan in plans:
        plan = page_plan.plan
        if plan.to_withdraw:
            withdrawn += withdraw_assignments(
                ids=plan.to_withdraw, actor=actor, reason="No longer in the rule's scope."
            )
        if not plan.to_assign:
            continue
        page = pages_by_id.get(page_plan.page_id)
        try:
            if page is None:
                raise TrainingError("The page no longer exists.")
            _check_page(page)
        except TrainingError as exc:
            logger.info("Rule page %s skipped: %s", page_plan.page_id, exc)
            skipped.append(page_plan.page_id)
            continue
        by_rule: dict[int, list[int]] = defaultdict(list)
        for person_id, rule_id in plan.to_assign:
            by_rule[rule_id].append(person_id)
        for rule_id, person_ids_for_rule in sorted(by_rule.items()):
            the_rule = by_id[rule_id]
            due = today + dt.timedelta(days=the_rule.due_days) if the_rule.due_days else None
            result = assign_training(
                page=page,
                people=person_ids_for_rule,
                due_at=due,
                source=AssignmentSource.RULE,
                rule=the_rule,
                actor=actor,
                request=request,
            )
            assigned += len(result.created)
    return ReconcileResult(assigned=assigned, withdrawn=withdrawn, skipped_pages=tuple(skipped))


def _rule_snapshot(rule: AssignmentRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "page": rule.page_id,
        "team": rule.team_id,
        "role": rule.role,
        "first_days": rule.first_days,
        "due_days": rule.due_days,
        "is_active": rule.is_active,
    }


@transaction.atomic
def save_rule(
    *,
    name: str,
    page: Page,
    team: Team | None = None,
    role: str = "",
    first_days: int | None = None,
    due_days: int | None = None,
    is_active: bool = True,
    rule: AssignmentRule | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> AssignmentRule:
    """Create or change a rule, then reconcile its page at once."""
    name = name.strip()
    if not name:
        raise TrainingError("Give the rule a name.")
    if role and role not in Role.values:
        raise TrainingError(f"“{role}” is not a role.")
    if first_days is not None and first_days < 1:
        raise TrainingError("“First days” must be at least 1.")
    _check_page(page)
    before = _rule_snapshot(rule) if rule is not None else None
    if rule is None:
        rule = AssignmentRule(
            created_by=actor if getattr(actor, "is_authenticated", False) else None
        )
    old_page_id = rule.page_id if rule.pk else None
    rule.name, rule.page, rule.team, rule.role = name, page, team, role
    rule.first_days, rule.due_days, rule.is_active = first_days, due_days, is_active
    rule.save()
    record(
        action="training.rule.create" if before is None else "training.rule.update",
        actor=actor,
        obj=rule,
        before=before,
        after=_rule_snapshot(rule),
        request=request,
    )
    if old_page_id is not None and old_page_id != rule.page_id:
        # The old page's rules lose this one: reconcile them too.
        other = AssignmentRule.objects.filter(page_id=old_page_id).first()
        if other is not None:
            reconcile_rules(rule=other, actor=actor, request=request)
        else:
            stale = Assignment.objects.open().filter(
                rule=rule, page_id=old_page_id, started_at__isnull=True
            )
            withdraw_assignments(assignments=list(stale), actor=actor, reason="Rule changed.")
    reconcile_rules(rule=rule, actor=actor, request=request)
    return rule


def create_rule(
    *,
    name: str,
    page: Page,
    team: Team | None = None,
    role: str = "",
    first_days: int | None = None,
    due_days: int | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> AssignmentRule:
    """A new active rule, reconciled at once (see `save_rule`)."""
    return save_rule(
        name=name,
        page=page,
        team=team,
        role=role or "",
        first_days=first_days,
        due_days=due_days,
        actor=actor,
        request=request,
    )
