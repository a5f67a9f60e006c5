"""The role-play graph rules (training.scenario), apart from Wagtail: every validation rule names
its step, navigation refuses answers that do not fit, best path and points."""

from __future__ import annotations

import pytest

from training.scenario import (
    CHOICE,
    END,
    FREE,
    Graph,
    Reply,
    Step,
    best_path,
    depths,
    max_points,
    next_step,
    validate,
    walk_points,
)


def reply(key: str, target: str, points: int = 0, *, critical: bool = False) -> Reply:
    return Reply(key=key, text=f"Say {key}", target=target, points=points, critical=critical)


def choice(key: str, *replies: Reply, start: bool = False) -> Step:
    return Step(key=key, kind=CHOICE, start=start, customer_text=f"{key}?", replies=replies)


def end(key: str, outcome: str = "resolved") -> Step:
    return Step(key=key, kind=END, outcome=outcome, debrief="Well done.")


def free(key: str, next_key: str, criteria: tuple[str, ...] = ("empathy",)) -> Step:
    return Step(
        key=key, kind=FREE, free_prompt="Write your reply.", criteria=criteria, next=next_key
    )


def refund_graph() -> Graph:
    """greet -> (apologise +5 -> offer, argue -3 -> angry); offer -> (refund +5 -> happy,
    store credit +1 -> happy); angry -> (calm +2 -> escalated end, hang up (critical) -> lost)."""
    return Graph(
        (
            choice(
                "greet", reply("apologise", "offer", 5), reply("argue", "angry", -3), start=True
            ),
            choice("offer", reply("refund", "happy", 5), reply("credit", "happy", 1)),
            choice(
                "angry", reply("calm", "escalate", 2), reply("hang-up", "lost", -5, critical=True)
            ),
            end("happy"),
            end("escalate", "escalated"),
            end("lost", "lost"),
        )
    )


def messages(graph: Graph, **kwargs: object) -> list[str]:
    return [problem.message for problem in validate(graph, **kwargs)]  # type: ignore[arg-type]


def keys(graph: Graph) -> set[str | None]:
    return {problem.step_key for problem in validate(graph)}


def test_a_well_formed_scenario_has_no_problems() -> None:
    assert validate(refund_graph()) == []


def test_an_empty_scenario_is_refused() -> None:
    assert messages(Graph()) == ["Add at least one step."]


def test_a_scenario_without_a_start_step_is_refused() -> None:
    graph = Graph((choice("a", reply("x", "b"), reply("y", "b")), end("b")))
    assert "Mark one step as the start step." in messages(graph)


def test_two_start_steps_are_refused_naming_both() -> None:
    graph = Graph(
        (
            choice("a", reply("x", "c"), reply("y", "c"), start=True),
            choice("b", reply("x", "c"), reply("y", "c"), start=True),
            end("c"),
        )
    )
    found = validate(graph)
    starts = [problem for problem in found if "only one step can start" in problem.message]
    assert {problem.step_key for problem in starts} == {"a", "b"}
    assert all("'a', 'b'" in problem.message for problem in starts)


def test_a_start_step_that_is_an_end_is_refused() -> None:
    graph = Graph((Step(key="a", kind=END, start=True, outcome="resolved"),))
    assert messages(graph) == ["Step 'a': the start step cannot be an end step."]


def test_duplicate_step_keys_are_refused_naming_the_key() -> None:
    graph = Graph(
        (
            choice("a", reply("x", "b"), reply("y", "b"), start=True),
            end("b"),
            end("b", "lost"),
        )
    )
    assert "Step 'b': the key is used by 2 steps; keys must be unique." in messages(graph)


def test_a_step_without_a_key_is_refused() -> None:
    graph = Graph((choice("a", reply("x", ""), reply("y", "b"), start=True), end("b"), end("")))
    found = messages(graph)
    assert "1 step(s) have no key; give every step a key." in found
    assert "Step 'a': reply 'x' has no target step." in found


def test_a_reply_pointing_at_a_missing_step_is_refused_naming_step_and_reply() -> None:
    graph = Graph((choice("a", reply("x", "b"), reply("y", "nowhere"), start=True), end("b")))
    found = validate(graph)
    assert [(p.step_key, p.message) for p in found] == [
        ("a", "Step 'a': reply 'y' points at a missing step 'nowhere'.")
    ]


def test_a_choice_step_needs_two_replies() -> None:
    graph = Graph((choice("a", reply("x", "b"), start=True), end("b")))
    assert messages(graph) == ["Step 'a': a choice step needs at least two replies (it has 1)."]


def test_reply_keys_must_be_unique_within_a_step() -> None:
    graph = Graph((choice("a", reply("x", "b"), reply("x", "b"), start=True), end("b")))
    assert messages(graph) == [
        "Step 'a': the reply key 'x' is used 2 times; reply keys must be unique."
    ]


def test_reply_keys_may_repeat_across_steps() -> None:
    graph = Graph(
        (
            choice("a", reply("ok", "b"), reply("no", "b"), start=True),
            choice("b", reply("ok", "c"), reply("no", "c")),
            end("c"),
        )
    )
    assert validate(graph) == []


def test_a_reply_without_text_is_refused() -> None:
    graph = Graph(
        (
            choice("a", Reply(key="x", text="  ", target="b"), reply("y", "b"), start=True),
            end("b"),
        )
    )
    assert messages(graph) == ["Step 'a': reply 'x' has no text."]


def test_an_unreachable_step_is_refused() -> None:
    graph = Graph(
        (
            choice("a", reply("x", "b"), reply("y", "b"), start=True),
            end("b"),
            choice("island", reply("x", "b"), reply("y", "b")),
        )
    )
    assert keys(graph) == {"island"}
    assert messages(graph) == ["Step 'island': cannot be reached from the start step."]


def test_a_cycle_without_an_exit_is_refused_naming_each_trapped_step() -> None:
    graph = Graph(
        (
            choice("a", reply("x", "loop1"), reply("y", "done"), start=True),
            choice("loop1", reply("x", "loop2"), reply("y", "loop2")),
            choice("loop2", reply("x", "loop1"), reply("y", "loop1")),
            end("done"),
        )
    )
    found = validate(graph)
    assert {p.step_key for p in found} == {"loop1", "loop2"}
    assert all("no path from here reaches an end step" in p.message for p in found)


def test_a_cycle_with_an_exit_is_allowed() -> None:
    graph = Graph(
        (
            choice("a", reply("repeat", "a"), reply("go", "done"), start=True),
            end("done"),
        )
    )
    assert validate(graph) == []


def test_a_graph_without_any_end_step_is_refused() -> None:
    graph = Graph(
        (
            choice("a", reply("x", "b"), reply("y", "b"), start=True),
            choice("b", reply("x", "a"), reply("y", "a")),
        )
    )
    assert keys(graph) == {"a", "b"}


def test_an_end_step_needs_an_outcome_and_no_replies() -> None:
    graph = Graph(
        (
            choice("a", reply("x", "b"), reply("y", "b"), start=True),
            Step(key="b", kind=END, replies=(reply("z", "a"),)),
        )
    )
    assert messages(graph) == [
        "Step 'b': an end step needs an outcome (resolved, escalated or customer lost).",
        "Step 'b': an end step takes no replies.",
    ]


def test_an_unknown_kind_is_refused() -> None:
    graph = Graph((Step(key="a", kind="quiz", start=True),))
    assert (
        "Step 'a': unknown kind 'quiz' (choose a choice, free-response or end step)."
        in messages(graph)
    )


def test_a_free_response_step_needs_prompt_criteria_and_an_existing_next_step() -> None:
    graph = Graph(
        (
            Step(key="a", kind=FREE, start=True, next="nowhere"),
            end("b"),
        )
    )
    found = messages(graph)
    assert "Step 'a': the next step 'nowhere' does not exist." in found
    assert "Step 'a': a free-response step needs a prompt for the agent." in found
    assert "Step 'a': a free-response step needs at least one criterion to be graded against." in (
        found
    )


def test_a_free_response_step_without_next_is_refused() -> None:
    graph = Graph((Step(key="a", kind=FREE, start=True, free_prompt="Write", criteria=("x",)),))
    assert "Step 'a': a free-response step needs the key of the step that follows it." in messages(
        graph
    )


def test_a_free_response_step_takes_no_replies() -> None:
    step = Step(
        key="a",
        kind=FREE,
        start=True,
        free_prompt="Write",
        criteria=("empathy",),
        next="b",
        replies=(reply("x", "b"),),
    )
    assert messages(Graph((step, end("b")))) == [
        "Step 'a': a free-response step takes no replies; remove them or make it a choice step."
    ]


def test_free_response_criteria_must_belong_to_the_framework_when_known() -> None:
    graph = Graph((Step(**{**free("a", "b").__dict__, "start": True}), end("b")))
    assert validate(graph, criterion_keys={"empathy"}) == []
    found = messages(Graph((free("a", "b", ("empathy", "made-up")),)), criterion_keys={"empathy"})
    assert "Step 'a': unknown criteria 'made-up' (not in the scenario's framework)." in found


def test_next_step_follows_the_chosen_reply() -> None:
    graph = refund_graph()
    step = next_step(graph, "greet", "apologise")
    assert step is not None and step.key == "offer"


def test_next_step_refuses_unknown_steps_replies_and_answers_of_the_wrong_kind() -> None:
    graph = Graph(
        (
            choice("a", reply("x", "f"), reply("y", "z"), start=True),
            free("f", "z"),
            end("z"),
        )
    )
    assert next_step(graph, "missing", "x") is None
    assert next_step(graph, "a", "tampered") is None
    assert next_step(graph, "a", None) is None
    assert next_step(graph, "f", "x") is None
    assert next_step(graph, "z", None) is None
    following = next_step(graph, "f")
    assert following is not None and following.key == "z"


def test_next_step_on_a_reply_pointing_nowhere_is_none() -> None:
    graph = Graph((choice("a", reply("x", "gone"), reply("y", "b"), start=True), end("b")))
    assert next_step(graph, "a", "x") is None


def test_best_path_prefers_a_resolved_end_with_the_most_points() -> None:
    path = best_path(refund_graph())
    assert path is not None
    assert path.moves == (("greet", "apologise"), ("offer", "refund"), ("happy", None))
    assert path.points == 10
    assert path.outcome == "resolved"
    assert path.step_keys == ("greet", "offer", "happy")


def test_best_path_prefers_resolved_over_more_points_elsewhere() -> None:
    graph = Graph(
        (
            choice("a", reply("big", "esc", 50), reply("small", "ok", 1), start=True),
            end("esc", "escalated"),
            end("ok", "resolved"),
        )
    )
    path = best_path(graph)
    assert path is not None and path.moves[0] == ("a", "small")


def test_best_path_falls_back_to_escalation_when_nothing_resolves() -> None:
    graph = Graph(
        (
            choice("a", reply("lose", "lost", 5), reply("escalate", "esc", 1), start=True),
            end("esc", "escalated"),
            end("lost", "lost"),
        )
    )
    path = best_path(graph)
    assert path is not None and path.outcome == "escalated"


def test_best_path_breaks_point_ties_by_fewest_steps() -> None:
    graph = Graph(
        (
            choice("a", reply("long", "b", 2), reply("short", "z", 2), start=True),
            choice("b", reply("x", "z", 0), reply("y", "z", 0)),
            end("z"),
        )
    )
    path = best_path(graph)
    assert path is not None and path.moves == (("a", "short"), ("z", None))


def test_best_path_walks_through_free_responses_without_points() -> None:
    graph = Graph(
        (
            choice("a", reply("x", "f", 3), reply("y", "z", 1), start=True),
            free("f", "z"),
            end("z"),
        )
    )
    path = best_path(graph)
    assert path is not None
    assert path.moves == (("a", "x"), ("f", None), ("z", None))
    assert path.points == 3


def test_best_path_never_repeats_a_step_in_a_loop_with_points() -> None:
    graph = Graph(
        (
            choice("a", reply("again", "a", 10), reply("done", "z", 1), start=True),
            end("z"),
        )
    )
    path = best_path(graph)
    assert path is not None and path.moves == (("a", "done"), ("z", None))


def test_best_path_is_none_without_a_start_or_a_reachable_end() -> None:
    assert best_path(Graph((end("z"),))) is None
    looping = Graph(
        (
            choice("a", reply("x", "b"), reply("y", "b"), start=True),
            choice("b", reply("x", "a"), reply("y", "a")),
        )
    )
    assert best_path(looping) is None


def test_max_points_counts_the_richest_path_whatever_the_outcome() -> None:
    graph = Graph(
        (
            choice("a", reply("big", "esc", 50), reply("small", "ok", 1), start=True),
            end("esc", "escalated"),
            end("ok", "resolved"),
        )
    )
    assert max_points(graph) == 50
    assert max_points(refund_graph()) == 10
    assert max_points(Graph()) == 0


def test_walk_points_adds_the_chosen_replies_and_ignores_unknown_ones() -> None:
    graph = refund_graph()
    assert walk_points(graph, [("greet", "argue"), ("angry", "hang-up"), ("lost", None)]) == -8
    assert walk_points(graph, [("greet", "made-up"), ("nowhere", "x")]) == 0


def test_depths_are_breadth_first_from_the_start() -> None:
    assert depths(refund_graph()) == {
        "greet": 0,
        "offer": 1,
        "angry": 1,
        "happy": 2,
        "escalate": 2,
        "lost": 2,
    }
    assert depths(Graph((end("z"),))) == {}


@pytest.mark.parametrize("kind", [CHOICE, FREE, END])
def test_a_single_step_graph_never_validates(kind: str) -> None:
    step = Step(key="only", kind=kind, start=True, outcome="resolved" if kind == END else "")
    assert validate(Graph((step,))) != []
