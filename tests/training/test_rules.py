"""The pure assignment rules: who a rule reaches and what reconciling changes."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from training.rules import (
    AssignmentFacts,
    PersonFacts,
    Plan,
    RuleScope,
    people_in_scope,
    reaches,
    reconcile,
    reconcile_all,
)

TODAY = dt.date(2026, 11, 23)
BILLING = "/1/2/3/"
SUPPORT = "/1/2/"
SALES = "/1/5/"


def person(
    pid: int,
    *paths: str,
    roles: tuple[str, ...] = ("agent",),
    days_in: int = 400,
    active: bool = True,
) -> PersonFacts:
    return PersonFacts(
        id=pid,
        team_paths=paths,
        roles=frozenset(roles),
        first_day=TODAY - dt.timedelta(days=days_in),
        active=active,
    )


def test_team_rule_reaches_members_of_the_team_and_teams_below_it() -> None:
    rule = RuleScope(id=1, page_id=10, team_path=SUPPORT)
    people = [person(1, BILLING), person(2, SUPPORT), person(3, SALES)]
    assert people_in_scope(rule, people, TODAY) == {1, 2}


def test_first_days_rule_reaches_only_people_in_their_first_n_days() -> None:
    rule = RuleScope(id=1, page_id=10, role="agent", first_days=30)
    people = [
        person(1, BILLING, days_in=0),
        person(2, BILLING, days_in=29),
        person(3, BILLING, days_in=30),
        person(4, BILLING, days_in=5, roles=("lead",)),
    ]
    assert people_in_scope(rule, people, TODAY) == {1, 2}


def test_person_who_starts_in_the_future_is_not_in_their_first_days_yet() -> None:
    rule = RuleScope(id=1, page_id=10, first_days=30)
    assert not reaches(rule, person(1, BILLING, days_in=-3), TODAY)


def test_role_rule_reaches_holders_of_the_role_anywhere() -> None:
    rule = RuleScope(id=1, page_id=10, role="lead")
    people = [
        person(1, BILLING, roles=("lead",)),
        person(2, SALES, roles=("agent", "lead")),
        person(3, BILLING),
    ]
    assert people_in_scope(rule, people, TODAY) == {1, 2}


def test_inactive_people_people_without_a_team_and_inactive_rules_reach_nobody() -> None:
    rule = RuleScope(id=1, page_id=10)
    assert not reaches(rule, person(1, BILLING, active=False), TODAY)
    assert not reaches(rule, person(2), TODAY)
    assert not reaches(RuleScope(id=2, page_id=10, active=False), person(3, BILLING), TODAY)


def test_reconcile_assigns_people_in_scope_who_do_not_have_it() -> None:
    plan = reconcile({1: {1, 2, 3}}, [])
    assert plan.to_assign == ((1, 1), (2, 1), (3, 1))
    assert plan.to_withdraw == ()


def test_rule_never_assigns_what_someone_already_has_or_has_completed() -> None:
    existing = [
        AssignmentFacts(id=1, person_id=1, page_id=10, source="manual"),
        AssignmentFacts(id=2, person_id=2, page_id=10, source="rule", rule_id=1, completed=True),
    ]
    assert reconcile({1: {1, 2, 3}}, existing).to_assign == ((3, 1),)


def test_leaving_scope_withdraws_unstarted_rule_work_only() -> None:
    existing = [
        AssignmentFacts(id=1, person_id=1, page_id=10, source="rule", rule_id=1),
        AssignmentFacts(id=2, person_id=2, page_id=10, source="rule", rule_id=1, started=True),
        AssignmentFacts(id=3, person_id=3, page_id=10, source="rule", rule_id=1, completed=True),
        AssignmentFacts(id=4, person_id=4, page_id=10, source="manual"),
    ]
    plan = reconcile({1: set()}, existing)
    assert plan.to_withdraw == (1,)
    assert plan.to_assign == ()


def test_coming_back_into_scope_after_a_withdrawal_assigns_again() -> None:
    existing = [
        AssignmentFacts(id=1, person_id=1, page_id=10, source="rule", rule_id=1, withdrawn=True)
    ]
    assert reconcile({1: {1}}, existing).to_assign == ((1, 1),)


def test_two_rules_for_one_page_assign_once_and_keep_work_another_rule_still_covers() -> None:
    existing = [AssignmentFacts(id=1, person_id=1, page_id=10, source="rule", rule_id=1)]
    # Person 1 left rule 1's team but rule 2 ("all agents") still reaches them.
    plan = reconcile({1: set(), 2: {1, 2}}, existing)
    assert plan.to_withdraw == ()
    assert plan.to_assign == ((2, 2),)


def test_reconcile_all_plans_each_page_with_its_rules() -> None:
    rules = [
        RuleScope(id=1, page_id=10, team_path=BILLING),
        RuleScope(id=2, page_id=20, role="lead"),
    ]
    people = [person(1, BILLING), person(2, SALES, roles=("lead",))]
    plans = {p.page_id: p.plan for p in reconcile_all(rules, people, [], TODAY)}
    assert plans == {10: Plan(to_assign=((1, 1),)), 20: Plan(to_assign=((2, 2),))}


# --- Properties -------------------------------------------------------------------------------

PERSON_IDS = st.integers(min_value=1, max_value=12)
assignment_facts = st.builds(
    AssignmentFacts,
    id=st.just(0),
    person_id=PERSON_IDS,
    page_id=st.just(10),
    source=st.sampled_from(["rule", "manual", "recertification", "qa_trigger"]),
    rule_id=st.sampled_from([None, 1, 2, 3]),
    started=st.booleans(),
    completed=st.booleans(),
    withdrawn=st.booleans(),
)


def _consistent(rows: list[AssignmentFacts]) -> list[AssignmentFacts]:
    """Number the rows and keep at most one open assignment per person (the database's
    constraint)."""
    seen: set[int] = set()
    out = []
    for i, a in enumerate(rows, start=1):
        if a.withdrawn and a.completed:
            a = AssignmentFacts(**{**a.__dict__, "completed": False})
        if a.open:
            if a.person_id in seen:
                continue
            seen.add(a.person_id)
        out.append(AssignmentFacts(**{**a.__dict__, "id": i}))
    return out


def _apply(plan: Plan, rows: list[AssignmentFacts]) -> list[AssignmentFacts]:
    withdrawn = set(plan.to_withdraw)
    out = [
        AssignmentFacts(**{**a.__dict__, "withdrawn": True}) if a.id in withdrawn else a
        for a in rows
    ]
    next_id = max((a.id for a in rows), default=0) + 1
    for offset, (person_id, rule_id) in enumerate(plan.to_assign):
        out.append(
            AssignmentFacts(
                id=next_id + offset,
                person_id=person_id,
                page_id=10,
                source="rule",
                rule_id=rule_id,
            )
        )
    return out


scopes = st.dictionaries(st.sampled_from([1, 2, 3]), st.sets(PERSON_IDS), max_size=3)


@settings(max_examples=300)
@given(scope=scopes, rows=st.lists(assignment_facts, max_size=20))
def test_reconcile_is_idempotent(scope: dict[int, set[int]], rows: list[AssignmentFacts]) -> None:
    existing = _consistent(rows)
    after = _apply(reconcile(scope, existing), existing)
    assert reconcile(scope, after).empty


@settings(max_examples=300)
@given(scope=scopes, rows=st.lists(assignment_facts, max_size=20))
def test_reconcile_keeps_one_open_assignment_per_person_and_never_touches_started_work(
    scope: dict[int, set[int]], rows: list[AssignmentFacts]
) -> None:
    existing = _consistent(rows)
    plan = reconcile(scope, existing)
    by_id = {a.id: a for a in existing}
    for assignment_id in plan.to_withdraw:
        withdrawn = by_id[assignment_id]
        assert withdrawn.source == "rule" and withdrawn.open and not withdrawn.started
    after = _apply(plan, existing)
    open_people = [a.person_id for a in after if a.open]
    assert len(open_people) == len(set(open_people))
    in_scope = set().union(*scope.values()) if scope else set()
    covered = {a.person_id for a in after if a.open or a.completed}
    assert in_scope <= covered
