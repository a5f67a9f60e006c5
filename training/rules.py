"""Assignment rules as pure functions: who a rule reaches, and what reconciling changes.

No ORM here. `training.services.rules.reconcile_rules` reads people, rules and assignments into
these dataclasses, calls `reconcile_page` once per page that has rules, and writes the outcome.

A rule reaches a person when all of its conditions hold on the day:
- the person is active;
- ``team_path``: a current member of that team or a team below it (None: any team, but the
  person must be a current member of some team);
- ``role``: the person holds that role (an active grant anywhere);
- ``first_days``: the person's first day (their first membership's start, else the day their
  account was created) is less than N days ago, so "their first 30 days" is days 0..29.

Reconciling the rules of one page against that page's assignments:
- everyone reached by at least one rule gets the page unless they already have an open
  assignment for it (from any source) or have completed one: a rule never assigns the same thing
  twice. An assignment withdrawn earlier (the person had left the scope before starting) does not
  count: coming back into scope assigns it again;
- a rule-made open assignment whose person no rule of the page reaches any more is withdrawn if it
  was not started; started or completed work stays. Manual, recertification and QA-trigger
  assignments are never withdrawn by rules.

Applying the outcome and reconciling again yields nothing to do (tested with hypothesis).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

RULE_SOURCE = "rule"


@dataclass(frozen=True)
class PersonFacts:
    id: int
    team_paths: tuple[str, ...] = ()  # paths of the teams the person is a current member of
    roles: frozenset[str] = frozenset()  # roles held through active grants
    first_day: dt.date | None = None
    active: bool = True


@dataclass(frozen=True)
class RuleScope:
    id: int
    page_id: int
    team_path: str | None = None
    role: str | None = None
    first_days: int | None = None
    active: bool = True


@dataclass(frozen=True)
class AssignmentFacts:
    id: int
    person_id: int
    page_id: int
    source: str
    rule_id: int | None = None
    started: bool = False
    completed: bool = False
    withdrawn: bool = False

    @property
    def open(self) -> bool:
        return not self.completed and not self.withdrawn


@dataclass(frozen=True)
class Plan:
    """What reconciling one page changes: people to assign (with the rule that reaches them,
    the lowest rule id when several do) and open assignments to withdraw."""

    to_assign: tuple[tuple[int, int], ...] = ()  # (person_id, rule_id)
    to_withdraw: tuple[int, ...] = ()  # assignment ids

    @property
    def empty(self) -> bool:
        return not self.to_assign and not self.to_withdraw


def reaches(rule: RuleScope, person: PersonFacts, today: dt.date) -> bool:
    """Whether `rule` reaches `person` on `today` (see the module docstring)."""
    if not rule.active or not person.active or not person.team_paths:
        return False
    if rule.team_path is not None and not any(
        p.startswith(rule.team_path) for p in person.team_paths
    ):
        return False
    if rule.role is not None and rule.role not in person.roles:
        return False
    if rule.first_days is not None:
        if person.first_day is None:
            return False
        if not 0 <= (today - person.first_day).days < rule.first_days:
            return False
    return True


def people_in_scope(rule: RuleScope, people: Iterable[PersonFacts], today: dt.date) -> set[int]:
    return {p.id for p in people if reaches(rule, p, today)}


def reconcile(in_scope: Mapping[int, Iterable[int]], existing: Iterable[AssignmentFacts]) -> Plan:
    """Reconcile one page. `in_scope` maps each of the page's rules to the people it reaches;
    `existing` holds every assignment of that page (any source, any state)."""
    reached_by: dict[int, int] = {}
    for rule_id in sorted(in_scope):
        for person_id in in_scope[rule_id]:
            reached_by.setdefault(person_id, rule_id)
    has_it: set[int] = set()
    to_withdraw: list[int] = []
    for a in existing:
        if a.completed or a.open:
            has_it.add(a.person_id)
        if a.open and a.source == RULE_SOURCE and not a.started and a.person_id not in reached_by:
            to_withdraw.append(a.id)
    to_assign = tuple(
        (person_id, rule_id)
        for person_id, rule_id in sorted(reached_by.items())
        if person_id not in has_it
    )
    return Plan(to_assign=to_assign, to_withdraw=tuple(sorted(to_withdraw)))


@dataclass
class PagePlan:
    page_id: int
    plan: Plan
    rule_ids: tuple[int, ...] = field(default_factory=tuple)


def reconcile_all(
    rules: Iterable[RuleScope],
    people: Iterable[PersonFacts],
    existing: Iterable[AssignmentFacts],
    today: dt.date,
) -> list[PagePlan]:
    """Reconcile every page that has a rule. Rules of a page are reconciled together so that two
    rules giving the same page never undo each other's work."""
    people = list(people)
    by_page: dict[int, list[RuleScope]] = {}
    for rule in rules:
        by_page.setdefault(rule.page_id, []).append(rule)
    existing_by_page: dict[int, list[AssignmentFacts]] = {}
    for a in existing:
        if a.page_id in by_page:
            existing_by_page.setdefault(a.page_id, []).append(a)
    plans = []
    for page_id in sorted(by_page):
        page_rules = by_page[page_id]
        scope = {r.id: people_in_scope(r, people, today) for r in page_rules}
        plans.append(
            PagePlan(
                page_id=page_id,
                plan=reconcile(scope, existing_by_page.get(page_id, [])),
                rule_ids=tuple(sorted(r.id for r in page_rules)),
            )
        )
    return plans
