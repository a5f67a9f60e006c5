"""Properties of the scenario rules on random graphs (hypothesis): validation never crashes and
agrees with an independent walk of the graph; valid graphs always let a learner finish; the best
path is a real path ending on an end step."""

from __future__ import annotations

from collections import deque

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from training.scenario import (
    CHOICE,
    END,
    FREE,
    KINDS,
    OUTCOME_RANK,
    OUTCOMES,
    Graph,
    Reply,
    Step,
    best_path,
    max_points,
    next_step,
    validate,
    walk_points,
)

KEYS = ["a", "b", "c", "d", "e", "f", "g", ""]


@st.composite
def random_graphs(draw: st.DrawFn, *, max_steps: int = 7) -> Graph:
    """Any graph at all: missing targets, duplicate keys, odd kinds, several or no starts."""
    count = draw(st.integers(min_value=0, max_value=max_steps))
    steps = []
    for _ in range(count):
        kind = draw(st.sampled_from([*KINDS, "weird"]))
        replies = tuple(
            Reply(
                key=draw(st.sampled_from(["r1", "r2", "r3", ""])),
                text=draw(st.sampled_from(["Hello", "", " "])),
                target=draw(st.sampled_from([*KEYS, "missing"])),
                points=draw(st.integers(min_value=-5, max_value=5)),
                critical=draw(st.booleans()),
            )
            for _ in range(draw(st.integers(min_value=0, max_value=3)))
        )
        steps.append(
            Step(
                key=draw(st.sampled_from(KEYS)),
                kind=kind,
                start=draw(st.booleans()),
                replies=replies,
                free_prompt=draw(st.sampled_from(["", "Write"])),
                criteria=draw(st.sampled_from([(), ("empathy",), ("unknown",)])),
                next=draw(st.sampled_from([*KEYS, "missing"])),
                outcome=draw(st.sampled_from([*OUTCOMES, ""])),
            )
        )
    return Graph(tuple(steps))


@st.composite
def plausible_graphs(draw: st.DrawFn) -> Graph:
    """Well-formed steps (unique keys, one start, replies to existing steps) wired at random, so a
    good share of them are valid."""
    count = draw(st.integers(min_value=2, max_value=9))
    keys = [f"s{index}" for index in range(count)]
    steps = []

    def target_after(index: int) -> str:
        # Mostly forward edges (so many graphs are valid), sometimes anywhere (loops, islands).
        forward = keys[index + 1 :]
        if forward and draw(st.integers(min_value=0, max_value=4)) > 0:
            return draw(st.sampled_from(forward))
        return draw(st.sampled_from(keys))

    for index, key in enumerate(keys):
        kind = END if index == count - 1 else draw(st.sampled_from([CHOICE, CHOICE, FREE, END]))
        if index == 0 and kind == END:
            kind = CHOICE
        if kind == CHOICE:
            n = draw(st.integers(min_value=2, max_value=3))
            replies = tuple(
                Reply(
                    key=f"r{n_}",
                    text="Reply",
                    target=target_after(index),
                    points=draw(st.integers(min_value=-3, max_value=5)),
                    critical=draw(st.booleans()),
                )
                for n_ in range(n)
            )
            steps.append(Step(key=key, kind=CHOICE, start=index == 0, replies=replies))
        elif kind == FREE:
            steps.append(
                Step(
                    key=key,
                    kind=FREE,
                    start=index == 0,
                    free_prompt="Write",
                    criteria=("empathy",),
                    next=target_after(index),
                )
            )
        else:
            steps.append(Step(key=key, kind=END, outcome=draw(st.sampled_from(OUTCOMES))))
    return Graph(tuple(steps))


def reachable_from_start(graph: Graph) -> set[str]:
    start = graph.start
    if start is None:
        return set()
    seen = {start.key}
    queue = deque([start.key])
    while queue:
        step = graph.step(queue.popleft())
        assert step is not None
        for target in step.targets():
            if graph.step(target) is not None and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(random_graphs())
def test_validate_never_crashes_and_names_real_steps(graph: Graph) -> None:
    problems = validate(graph)
    step_keys = {step.key for step in graph.steps}
    for problem in problems:
        assert problem.message
        assert problem.step_key is None or problem.step_key in step_keys
        if problem.step_key:
            assert f"'{problem.step_key}'" in problem.message


@settings(max_examples=300)
@given(random_graphs())
def test_navigation_and_best_path_never_crash_on_invalid_graphs(graph: Graph) -> None:
    for step in graph.steps:
        for reply in step.replies:
            next_step(graph, step.key, reply.key)
        next_step(graph, step.key, None)
        next_step(graph, step.key, "tampered")
    path = best_path(graph)
    keys_unique = len({step.key for step in graph.steps}) == len(graph.steps)
    if path is not None and keys_unique:
        last = graph.step(path.moves[-1][0])
        assert last is not None and last.kind == END
    assert isinstance(max_points(graph), int)


@settings(max_examples=300)
@given(plausible_graphs())
def test_validity_matches_an_independent_check(graph: Graph) -> None:
    reachable = reachable_from_start(graph)
    expected_valid = reachable == {step.key for step in graph.steps} and all(
        any(
            (end_step := graph.step(key)) is not None and end_step.kind == END
            for key in reachable_from_step(graph, step.key)
        )
        for step in graph.steps
    )
    assert (validate(graph) == []) == expected_valid


def reachable_from_step(graph: Graph, key: str) -> set[str]:
    seen = {key}
    queue = deque([key])
    while queue:
        step = graph.step(queue.popleft())
        assert step is not None
        for target in step.targets():
            if graph.step(target) is not None and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


@settings(max_examples=300)
@given(plausible_graphs(), st.randoms(use_true_random=False))
def test_in_a_valid_graph_any_walk_can_still_reach_an_end(graph: Graph, rnd: object) -> None:
    """Wherever a learner has got to by any choices, some way on still reaches an end step."""
    if validate(graph) != []:
        return
    start = graph.start
    assert start is not None
    step = start
    for _ in range(30):
        assert any(
            (target := graph.step(key)) is not None and target.kind == END
            for key in reachable_from_step(graph, step.key)
        )
        if step.kind == END:
            break
        if step.kind == FREE:
            following = next_step(graph, step.key)
        else:
            chosen = rnd.choice(step.replies)  # type: ignore[attr-defined]
            following = next_step(graph, step.key, chosen.key)
        assert following is not None
        step = following


@settings(max_examples=300)
@given(plausible_graphs())
def test_the_best_path_of_a_valid_graph_is_a_real_walk_ending_on_an_end(graph: Graph) -> None:
    if validate(graph) != []:
        return
    path = best_path(graph)
    assert path is not None
    start = graph.start
    assert start is not None and path.moves[0][0] == start.key
    for (step_key, reply_key), (following_key, _) in zip(path.moves, path.moves[1:], strict=False):
        following = next_step(graph, step_key, reply_key)
        assert following is not None and following.key == following_key
    last = graph.step(path.moves[-1][0])
    assert last is not None and last.kind == END and path.moves[-1][1] is None
    assert path.outcome == last.outcome
    assert len(set(path.step_keys)) == len(path.step_keys)
    assert path.points == walk_points(graph, path.moves)
    # No reachable end has a better outcome than the chosen one.
    reachable = reachable_from_start(graph)
    best_rank = min(
        OUTCOME_RANK[step.outcome]
        for step in graph.steps
        if step.kind == END and step.key in reachable
    )
    assert OUTCOME_RANK[path.outcome] == best_rank
    assert path.points <= max_points(graph)
