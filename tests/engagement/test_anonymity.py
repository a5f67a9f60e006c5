"""The anonymity rules of DOMAIN.md §7: worked examples, then properties checked by hypothesis
against an attacker written here independently of the module (exact rational linear algebra)."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from math import lcm

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_platform.engagement import anonymity
from qa_platform.engagement.anonymity import (
    Cell,
    Group,
    GroupTree,
    Outcome,
    Population,
    Publication,
    Reason,
    Respondent,
    ResultKind,
    Thresholds,
    all_shown,
    participation_shown,
    publish,
)

# Acme ─┬─ Support ─┬─ Billing
#       │           └─ Tech
#       └─ Sales ───── Renewals
TREE = GroupTree(
    [
        Group("acme"),
        Group("support", "acme", name="Support"),
        Group("billing", "support"),
        Group("tech", "support"),
        Group("sales", "acme"),
        Group("renewals", "sales"),
    ]
)


def answers(group: str, count: int, **attributes: str) -> list[Respondent]:
    return [Respondent.of(group, attributes)] * count


def population(*groups: list[Respondent], dimensions: Sequence[str] = ()) -> Population:
    return Population.from_respondents(TREE, dimensions, [r for g in groups for r in g])


# --- Thresholds -----------------------------------------------------------------------------


def test_default_thresholds_are_five_for_scores_ten_for_comments_five_invited() -> None:
    thresholds = Thresholds()
    assert (thresholds.scores, thresholds.comments, thresholds.participation_invited) == (5, 10, 5)


@pytest.mark.parametrize("scores", [3, 4, 5, 8])
def test_hr_may_set_the_score_threshold_to_three_or_more(scores: int) -> None:
    assert Thresholds(scores=scores).k(ResultKind.SCORES) == scores


@pytest.mark.parametrize("scores", [2, 1, 0, -5])
def test_the_score_threshold_can_never_go_below_three(scores: int) -> None:
    with pytest.raises(ValueError, match="cannot be below 3"):
        Thresholds(scores=scores)


@pytest.mark.parametrize(("scores", "comments"), [(5, 9), (12, 10), (5, 3)])
def test_comments_need_ten_and_at_least_the_score_threshold(scores: int, comments: int) -> None:
    with pytest.raises(ValueError, match="comment threshold"):
        Thresholds(scores=scores, comments=comments)


def test_thresholds_refuse_fractions_and_booleans() -> None:
    with pytest.raises(ValueError, match="whole number"):
        Thresholds(scores=4.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="whole number"):
        Thresholds(scores=True)


@pytest.mark.parametrize(("invited", "shown"), [(0, False), (4, False), (5, True), (60, True)])
def test_participation_is_shown_only_where_five_or_more_were_invited(
    invited: int, shown: bool
) -> None:
    assert participation_shown(invited) is shown


# --- The tree -------------------------------------------------------------------------------


def test_a_tree_refuses_unknown_parents_duplicates_and_cycles() -> None:
    with pytest.raises(ValueError, match="unknown parent"):
        GroupTree([Group("a", "nowhere")])
    with pytest.raises(ValueError, match="twice"):
        GroupTree([Group("a"), Group("a")])
    with pytest.raises(ValueError, match="cycle"):
        GroupTree([Group("a", "b"), Group("b", "a")])


def test_answers_in_unknown_groups_or_attributes_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown group"):
        Population.from_respondents(TREE, [], [Respondent.of("marketing")])
    with pytest.raises(ValueError, match="Unknown attribute"):
        Population.from_respondents(TREE, ["tenure"], [Respondent.of("tech", {"shoe": "42"})])


# --- Worked examples (docs/engagement.md) ---------------------------------------------------


def test_a_group_with_five_answers_is_shown_and_four_is_not() -> None:
    result = publish(
        population(
            answers("billing", 5), answers("tech", 7), answers("sales", 6), answers("renewals", 4)
        )
    )
    assert result.decide("billing").outcome is Outcome.SHOWN
    assert result.decide("billing").n == 5
    renewals = result.decide("renewals")
    assert renewals.outcome is not Outcome.SHOWN
    assert renewals.reason is Reason.TOO_FEW


def test_a_hidden_cell_never_reveals_its_own_count() -> None:
    result = publish(population(answers("billing", 12), answers("tech", 3)))
    tech = result.decide("tech")
    assert tech.cell == Cell("tech")
    assert tech.n != 3 and "3" not in tech.message


def test_a_group_with_no_answers_looks_exactly_like_one_with_too_few() -> None:
    result = publish(population(answers("billing", 12), answers("tech", 1)))
    nobody, one = result.decide("renewals"), result.decide("tech")
    assert nobody.outcome is one.outcome is Outcome.ROLLED_UP
    assert nobody.reason is one.reason is Reason.TOO_FEW
    assert nobody.message.split(".")[0] == one.message.split(".")[0]


def test_a_small_team_hides_its_next_smallest_sibling_too() -> None:
    # Support = Billing 12 + Tech 3. Showing Support and Billing would give Tech as 15 - 12.
    result = publish(population(answers("billing", 12), answers("tech", 3)))
    assert result.decide("support").outcome is Outcome.SHOWN
    assert result.decide("tech").reason is Reason.TOO_FEW
    assert result.decide("billing").reason is Reason.COMPLEMENTARY


def test_the_next_smallest_sibling_is_the_one_hidden() -> None:
    # Three teams under Support, one with 2 answers: the 6 is hidden, the 20 stays.
    tree = GroupTree([Group("s"), Group("a", "s"), Group("b", "s"), Group("c", "s")])
    pop = Population.from_respondents(
        tree, [], [Respondent.of("a")] * 20 + [Respondent.of("b")] * 6 + [Respondent.of("c")] * 2
    )
    result = publish(pop)
    assert [result.decide(g).outcome for g in "sabc"] == [
        Outcome.SHOWN,
        Outcome.SHOWN,
        Outcome.ROLLED_UP,
        Outcome.ROLLED_UP,
    ]
    assert result.decide("b").reason is Reason.COMPLEMENTARY


def test_a_child_is_shown_beside_its_parent_only_with_k_more_in_the_parent() -> None:
    # Support has 3 people of its own besides Billing: Support - Billing = 3 < 5.
    result = publish(population(answers("support", 3), answers("billing", 9)))
    assert result.decide("support").outcome is Outcome.SHOWN
    assert result.decide("billing").outcome is Outcome.ROLLED_UP
    assert result.decide("billing").reason is Reason.COMPLEMENTARY
    # With 5 of its own, the difference is large enough and both are shown.
    result = publish(population(answers("support", 5), answers("billing", 9)))
    assert result.decide("billing").outcome is Outcome.SHOWN


def test_a_child_with_exactly_the_parents_people_may_be_shown_beside_it() -> None:
    # Sales has no one but Renewals: the difference is nobody, so nothing can be learnt.
    result = publish(population(answers("renewals", 7), answers("billing", 9)))
    assert result.decide("sales").n == result.decide("renewals").n == 7


def test_a_team_under_the_threshold_rolls_up_into_its_parent_and_says_so() -> None:
    result = publish(population(answers("billing", 3), answers("tech", 4)))
    billing = result.decide("billing")
    assert billing.outcome is Outcome.ROLLED_UP
    assert billing.rolled_up_into == "support"
    assert billing.n == 7
    assert billing.source == Cell("support")
    assert billing.message == (
        "Fewer than 5 answers in this group, so its result is hidden. "
        "Showing the result of Support instead (7 answers)."
    )
    tech = result.decide("tech")
    assert (tech.outcome, tech.rolled_up_into, tech.n) == (Outcome.ROLLED_UP, "support", 7)


def test_with_nothing_large_enough_above_the_result_is_simply_suppressed() -> None:
    result = publish(population(answers("billing", 2), answers("renewals", 1)))
    decision = result.decide("billing")
    assert decision.outcome is Outcome.SUPPRESSED
    assert decision.n is None and decision.source is None


def test_thresholds_apply_to_the_final_combination_of_filters() -> None:
    pop = population(
        answers("billing", 6, tenure="under 1 year", location="Lisbon"),
        answers("billing", 4, tenure="under 1 year", location="Porto"),
        answers("billing", 8, tenure="1-3 years", location="Porto"),
        answers("billing", 7, tenure="1-3 years", location="Lisbon"),
        dimensions=["tenure", "location"],
    )
    result = publish(pop)
    assert result.decide("billing", {"tenure": "under 1 year"}).n == 10
    assert result.decide("billing", {"location": "Porto"}).n == 12
    both = result.decide("billing", {"tenure": "under 1 year", "location": "Porto"})
    assert both.outcome is not Outcome.SHOWN
    assert both.reason is Reason.TOO_FEW


def test_a_filter_slice_cannot_be_recovered_from_its_complement() -> None:
    # Billing 14 = 11 on the phone + 3 in chat. Showing both Billing and Billing/phone gives chat.
    pop = population(
        answers("billing", 11, role="phone"),
        answers("billing", 3, role="chat"),
        answers("tech", 9, role="chat"),
        dimensions=["role"],
    )
    result = publish(pop)
    shown = [
        result.decide("billing").outcome is Outcome.SHOWN,
        result.decide("billing", {"role": "phone"}).outcome is Outcome.SHOWN,
    ]
    assert shown != [True, True]


def test_differencing_across_two_filters_is_caught_by_the_audit() -> None:
    # Billing by role x location, 2 answers in Porto chat. Hiding that cell and one sibling in its
    # row and one in its column satisfies each sum on its own, yet Lisbon phone would still give
    # the 2 away (Porto - Porto phone, where Porto phone = phone - Lisbon phone). The audit hides
    # the fourth corner of the rectangle.
    pop = population(
        answers("billing", 10, role="phone", location="Lisbon"),
        answers("billing", 10, role="chat", location="Lisbon"),
        answers("billing", 10, role="phone", location="Porto"),
        answers("billing", 2, role="chat", location="Porto"),
        dimensions=["role", "location"],
    )
    result = publish(pop)
    corners = {
        (role, place): result.decide("billing", {"role": role, "location": place}).reason
        for role in ("phone", "chat")
        for place in ("Lisbon", "Porto")
    }
    assert corners == {
        ("chat", "Porto"): Reason.TOO_FEW,
        ("chat", "Lisbon"): Reason.COMPLEMENTARY,
        ("phone", "Porto"): Reason.COMPLEMENTARY,
        ("phone", "Lisbon"): Reason.DIFFERENCING,
    }
    for one in [{"role": "chat"}, {"role": "phone"}, {"location": "Porto"}, {}]:
        assert result.decide("billing", one).outcome is Outcome.SHOWN
    assert_no_small_group_is_isolated(pop, result)


def test_filtering_by_an_unknown_attribute_is_refused() -> None:
    result = publish(population(answers("billing", 12, tenure="new"), dimensions=["tenure"]))
    decision = result.decide("billing", {"salary": "high"})
    assert decision.outcome is Outcome.REFUSED
    assert decision.reason is Reason.FILTER_NOT_ALLOWED


def test_comments_need_ten_and_one_filter_at_a_time() -> None:
    pop = population(
        answers("billing", 9, tenure="new", role="chat"),
        answers("tech", 10, tenure="new", role="chat"),
        answers("support", 1, tenure="new", role="chat"),  # Support - Tech = 10
        dimensions=["tenure", "role"],
    )
    comments = publish(pop, kind=ResultKind.COMMENTS)
    assert comments.threshold == 10
    assert comments.decide("tech").n == 10
    assert comments.decide("billing").outcome is Outcome.ROLLED_UP
    assert comments.decide("support", {"tenure": "new"}).n == 20
    two = comments.decide("support", {"tenure": "new", "role": "chat"})
    assert two.outcome is Outcome.REFUSED
    assert two.reason is Reason.ONE_FILTER_FOR_COMMENTS
    assert two.message == "Comments can be filtered by one attribute at a time."
    # Scores of the same answers may use two filters at once.
    assert publish(pop).decide("support", {"tenure": "new", "role": "chat"}).n == 20


def test_a_driver_is_shown_only_where_every_item_in_it_is_shown() -> None:
    full = publish(population(answers("billing", 6), answers("tech", 6)))
    short = publish(population(answers("billing", 6), answers("tech", 4)))
    assert all_shown([full.decide("tech"), full.decide("tech")])
    assert not all_shown([full.decide("tech"), short.decide("tech")])


def test_raising_the_threshold_hides_more() -> None:
    pop = population(answers("billing", 7), answers("tech", 9), answers("renewals", 12))
    assert publish(pop, Thresholds(scores=8)).decide("billing").outcome is not Outcome.SHOWN
    assert publish(pop, Thresholds(scores=3)).decide("billing").outcome is Outcome.SHOWN


# --- The attacker ---------------------------------------------------------------------------


def _rref(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    matrix = [row[:] for row in rows]
    pivot_row = 0
    width = len(matrix[0]) if matrix else 0
    for col in range(width):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [
                    a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)
                ]
        pivot_row += 1
    return matrix[:pivot_row]


def _null_space(rows: list[list[Fraction]], width: int) -> list[list[int]]:
    """An integer basis of {z : row . z = 0 for every row}."""
    reduced = _rref(rows) if rows else []
    pivots = [next(i for i, x in enumerate(row) if x != 0) for row in reduced]
    free = [c for c in range(width) if c not in pivots]
    basis = []
    for f in free:
        z = [Fraction(0)] * width
        z[f] = Fraction(1)
        for row, p in zip(reduced, pivots, strict=True):
            z[p] = -row[f]
        scale = lcm(*(x.denominator for x in z))
        basis.append([int(x * scale) for x in z])
    return basis


def isolated_groups(
    respondents: Sequence[Respondent], tree: GroupTree, shown: Sequence[Cell], k: int
) -> list[tuple[int, ...]]:
    """Every set of respondents (0 < size < k) whose answers some linear combination of the shown
    cells gives exactly: the attacker who may add and subtract any shown figures, knowing exactly
    who sits in which group with which attributes (even who did not answer)."""
    atoms = Counter((r.group, r.attributes) for r in respondents)
    atom_list = sorted(atoms)

    def inside(cell: Cell, atom: tuple[str, tuple[tuple[str, str], ...]]) -> bool:
        group, attributes = atom
        in_subtree = group == cell.group or cell.group in tree.ancestors(group)
        return in_subtree and set(cell.filters) <= set(attributes)

    rows = [[Fraction(int(inside(c, a))) for a in atom_list] for c in shown]
    null = _null_space(rows, len(atom_list))
    signature = [tuple(z[j] for z in null) for j in range(len(atom_list))]
    small = [j for j, a in enumerate(atom_list) if atoms[a] < k]
    found = []
    for size in range(1, k):
        for chosen in itertools.combinations(small, size):
            if sum(atoms[atom_list[j]] for j in chosen) >= k:
                continue
            total = [sum(signature[j][i] for j in chosen) for i in range(len(null))]
            covered = any(rows[r][j] for r in range(len(rows)) for j in chosen)
            if covered and not any(total):
                found.append(chosen)
    return found


def everything_anyone_can_see(pop: Population, result: Publication) -> list[Cell]:
    """Ask every allowed query (every group, every filter combination, every value ever seen,
    plus values nobody has) and keep the cells whose figures come back."""
    values = {d: {v for _, vs in pop.atoms for v in vs} | {"nobody"} for d in pop.dimensions}
    seen = set()
    for group in pop.tree.group_keys():
        for size in range(result.max_filters + 1):
            for dims in itertools.combinations(pop.dimensions, size):
                for chosen in itertools.product(*(sorted(values[d]) for d in dims)):
                    decision = result.decide(group, dict(zip(dims, chosen, strict=True)))
                    if decision.source is not None:
                        seen.add(decision.source)
    return sorted(seen)


def assert_no_small_group_is_isolated(
    pop: Population, result: Publication, respondents: Sequence[Respondent] | None = None
) -> None:
    if respondents is None:
        respondents = [
            Respondent(group, tuple(zip(pop.dimensions, values, strict=True)))
            for (group, values), n in pop.atoms.items()
            for _ in range(n)
        ]
    shown = everything_anyone_can_see(pop, result)
    for cell in shown:  # every figure shown has at least k answers, counted independently
        true_n = sum(
            1
            for r in respondents
            if (r.group == cell.group or cell.group in pop.tree.ancestors(r.group))
            and set(cell.filters) <= set(r.attributes)
        )
        assert true_n >= result.threshold
        assert result.shown[cell] == true_n
    assert isolated_groups(respondents, pop.tree, shown, result.threshold) == []


def test_the_attacker_finds_the_classic_subtraction_when_nothing_is_protected() -> None:
    # Sanity check of the attacker itself: Support 15 and Billing 12 shown give away Tech's 3.
    respondents = answers("billing", 12) + answers("tech", 3)
    found = isolated_groups(respondents, TREE, [Cell("support"), Cell("billing")], 5)
    assert found != []


# --- Properties -----------------------------------------------------------------------------


@st.composite
def populations(draw: st.DrawFn) -> tuple[Population, list[Respondent], int]:
    size = draw(st.integers(1, 5))
    groups = [Group("g0")] + [
        Group(f"g{i}", f"g{draw(st.integers(0, i - 1))}") for i in range(1, size)
    ]
    tree = GroupTree(groups)
    dimension_count = draw(st.integers(0, 2))
    dimensions = {
        name: [f"{name}{v}" for v in range(draw(st.integers(2, 3)))]
        for name in ["location", "tenure"][:dimension_count]
    }
    # Clusters of answers sharing a group and attributes, some under any k and some over it, so
    # that small cells sit beside large ones in every direction (where subtraction attacks live).
    clusters = draw(
        st.lists(
            st.tuples(
                st.integers(0, size - 1),
                st.lists(st.integers(0, 2), min_size=2, max_size=2),
                st.one_of(st.integers(1, 4), st.integers(5, 12)),
            ),
            max_size=8,
        )
    )
    respondents = [
        Respondent.of(
            f"g{g}",
            {d: vs[p % len(vs)] for (d, vs), p in zip(dimensions.items(), picks, strict=False)},
        )
        for g, picks, count in clusters
        for _ in range(count)
    ]
    k = draw(st.integers(3, 6))
    return Population.from_respondents(tree, dimensions, respondents), respondents, k


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_no_sequence_of_allowed_queries_isolates_fewer_than_k_answers(
    case: tuple[Population, list[Respondent], int],
) -> None:
    pop, respondents, k = case
    result = publish(pop, Thresholds(scores=k, comments=max(10, k)))
    assert_no_small_group_is_isolated(pop, result, respondents)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_comments_never_isolate_fewer_than_ten(
    case: tuple[Population, list[Respondent], int],
) -> None:
    pop, respondents, _ = case
    doubled = respondents * 2  # comments need 10, so give them more to work with
    pop = Population.from_respondents(pop.tree, pop.dimensions, doubled)
    result = publish(pop, kind=ResultKind.COMMENTS)
    assert result.max_filters <= 1
    assert_no_small_group_is_isolated(pop, result, doubled)


@settings(max_examples=60, deadline=None)
@given(populations(), st.randoms(use_true_random=False))
def test_suppression_is_deterministic_whatever_the_order_of_answers(
    case: tuple[Population, list[Respondent], int], rnd: random.Random
) -> None:
    pop, respondents, k = case
    shuffled = respondents[:]
    rnd.shuffle(shuffled)
    thresholds = Thresholds(scores=k, comments=max(10, k))
    first = publish(pop, thresholds)
    again = publish(Population.from_respondents(pop.tree, pop.dimensions, shuffled), thresholds)
    assert first == again


@given(st.integers(-100, 100))
def test_no_threshold_below_three_is_ever_accepted(scores: int) -> None:
    if scores < 3:
        with pytest.raises(ValueError):
            Thresholds(scores=scores, comments=max(10, scores))
    else:
        assert Thresholds(scores=scores, comments=max(10, scores)).scores >= 3


@settings(max_examples=60, deadline=None)
@given(populations())
def test_every_cell_with_k_or_more_answers_and_no_smaller_neighbour_is_shown(
    case: tuple[Population, list[Respondent], int],
) -> None:
    # Suppression is not gratuitous: with every answer in groups of k or more, nothing is hidden
    # unless the threshold itself hides it.
    pop, respondents, k = case
    bigger = [r for r in respondents for _ in range(k)]  # every atom now has k or more answers
    pop = Population.from_respondents(pop.tree, pop.dimensions, bigger)
    result = publish(pop, Thresholds(scores=k, comments=max(10, k)))
    assert result.hidden == {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_the_solver_used_for_large_searches_protects_as_well(
    case: tuple[Population, list[Respondent], int],
) -> None:
    # Large searches go to a binary program instead of listing half-sets; force that path.
    pop, respondents, k = case
    thresholds = Thresholds(scores=k, comments=max(10, k))
    original = anonymity._HALF_LIMIT
    anonymity._HALF_LIMIT = 0
    try:
        result = publish(pop, thresholds)
    finally:
        anonymity._HALF_LIMIT = original
    assert_no_small_group_is_isolated(pop, result, respondents)
