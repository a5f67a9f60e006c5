"""The worked examples in docs/training.md, run through the real grading code.

If a number here changes, change docs/training.md with it: the docs quote these figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from training import checks, progress, scenario
from training.services.attempts import (
    FREE_RESPONSE_POINTS_PER_CRITERION,
    PASSING_OUTCOMES,
    _criterion_points,
)

# --- The module example ("Handling refunds": 5 checks, 12 points, pass mark 80 %) -------------

PASS_MARK = 80
ATTEMPT_LIMIT = 3

QUESTIONS = [
    checks.Question(
        key="refund-window",
        kind=checks.SINGLE_CHOICE,
        prompt="How long does a customer have to ask for a refund?",
        points=2,
        choices=(
            checks.Choice("a", "14 days", False),
            checks.Choice("b", "30 days", True),
            checks.Choice("c", "90 days", False),
        ),
    ),
    checks.Question(
        key="damaged-evidence",
        kind=checks.MULTIPLE_CHOICE,
        prompt="What do you ask for when an item arrives damaged?",
        points=3,
        choices=(
            checks.Choice("photo", "A photo of the item", True),
            checks.Choice("order", "The order number", True),
            checks.Choice("receipt", "The paper receipt", False),
        ),
    ),
    checks.Question(
        key="refund-steps",
        kind=checks.ORDERING,
        prompt="Put the refund steps in order.",
        points=3,
        choices=(
            checks.Choice("apologise", "Apologise"),
            checks.Choice("verify", "Verify the order"),
            checks.Choice("refund", "Issue the refund"),
            checks.Choice("confirm", "Confirm by email"),
        ),
    ),
    checks.Question(
        key="card-refund-days",
        kind=checks.SHORT_ANSWER,
        prompt="How long does a card refund take to show?",
        points=2,
        accepted=("5 working days", "five working days"),
    ),
    checks.Question(
        key="keep-item",
        kind=checks.TRUE_FALSE,
        prompt="The customer must send a damaged item back before the refund.",
        points=2,
        answer=False,
    ),
]

# What the learner posted, per attempt, in the shape the form sends.
ATTEMPT_1 = {
    "refund-window": "b",
    "damaged-evidence": ["photo"],  # one of the two right options: all or nothing, 0
    "refund-steps": ["apologise", "verify", "refund", "confirm"],
    "card-refund-days": "  5 Working  DAYS ",  # capitals and spaces do not matter
    "keep-item": "false",
}
ATTEMPT_2 = {
    "refund-window": "b",
    "damaged-evidence": ["photo", "order"],
    "refund-steps": ["verify", "apologise", "refund", "confirm"],
    "card-refund-days": "a week",
    "keep-item": "false",
}


def _result(posted: Mapping[str, object]) -> checks.Result:
    graded = {}
    for question in QUESTIONS:
        answer = checks.parse_answer(question, posted[question.key])
        assert isinstance(answer, checks.Answer), answer
        graded[question.key] = checks.grade(question, answer)
    return checks.module_result(QUESTIONS, graded, PASS_MARK)


def test_the_module_example_has_twelve_points_and_needs_ten_to_pass() -> None:
    assert sum(q.points for q in QUESTIONS) == 12
    assert checks.percent_of(9, 12) == Decimal("75.00")
    assert checks.percent_of(10, 12) == Decimal("83.33")


def test_the_module_example_first_attempt_scores_9_of_12_and_fails() -> None:
    first = _result(ATTEMPT_1)

    assert (first.points, first.max_points) == (9, 12)
    assert first.percent == Decimal("75.00")
    assert first.passed is False


def test_the_module_example_second_attempt_scores_7_of_12_and_fails() -> None:
    second = _result(ATTEMPT_2)

    assert (second.points, second.max_points) == (7, 12)
    assert second.percent == Decimal("58.33")
    assert second.passed is False


def test_the_module_example_best_counts_the_first_attempt_and_last_the_second() -> None:
    results = [_result(ATTEMPT_1), _result(ATTEMPT_2)]

    best = checks.attempt_outcome(results, checks.BEST)
    last = checks.attempt_outcome(results, checks.LAST)

    assert best is not None and best.percent == Decimal("75.00")
    assert last is not None and last.percent == Decimal("58.33")
    assert progress.attempts_left(limit=ATTEMPT_LIMIT, used=2) == 1


def test_the_module_example_wrong_answer_feedback_names_the_right_answer() -> None:
    question = QUESTIONS[1]
    answer = checks.parse_answer(question, ["photo"])
    assert isinstance(answer, checks.Answer)

    graded = checks.grade(question, answer)

    assert graded == checks.Graded(
        correct=False,
        points=0,
        feedback="Not quite. The answer: A photo of the item; The order number.",
    )


def test_the_module_example_refuses_a_choice_the_question_does_not_have() -> None:
    message = checks.parse_answer(QUESTIONS[0], "z")

    assert message == (
        "That answer is not one of this question's options. Reload the page and try again."
    )


# --- The role-play example ("Damaged parcel", Maya) ------------------------------------------

GRAPH = scenario.Graph(
    (
        scenario.Step(
            key="greeting",
            kind=scenario.CHOICE,
            start=True,
            customer_text="My parcel arrived smashed. Again.",
            replies=(
                scenario.Reply("apologise", "I'm so sorry, that's not good enough.", "options", 10),
                scenario.Reply("policy", "Let me check our policy first.", "options", 0),
                scenario.Reply(
                    "blame", "Did you check it when it arrived?", "lost", -5, critical=True
                ),
            ),
        ),
        scenario.Step(
            key="options",
            kind=scenario.CHOICE,
            customer_text="So what are you going to do about it?",
            replies=(
                scenario.Reply("refund-now", "I'll refund you today.", "explain", 10),
                scenario.Reply("supervisor", "Let me pass you to my supervisor.", "escalated", 2),
            ),
        ),
        scenario.Step(
            key="explain",
            kind=scenario.FREE,
            free_prompt="Tell Maya what happens next and when.",
            criteria=("empathy", "ownership"),
            next="resolved",
        ),
        scenario.Step(key="resolved", kind=scenario.END, outcome=scenario.RESOLVED),
        scenario.Step(key="escalated", kind=scenario.END, outcome=scenario.ESCALATED),
        scenario.Step(key="lost", kind=scenario.END, outcome=scenario.LOST),
    )
)
EMPATHY_SCALE = tuple(Decimal(v) for v in (1, 2, 3, 4, 5))  # "five" scale of the demo framework
OWNERSHIP_SCALE = (Decimal(1), Decimal(0))  # yes / no
LEARNER_MOVES = (("greeting", "policy"), ("options", "refund-now"), ("explain", None))


def test_the_role_play_example_is_publishable() -> None:
    assert scenario.validate(GRAPH, criterion_keys=["empathy", "ownership"]) == []


def test_the_role_play_example_best_path_is_worth_20_reply_points() -> None:
    best = scenario.best_path(GRAPH)

    assert best is not None
    assert best.moves == (
        ("greeting", "apologise"),
        ("options", "refund-now"),
        ("explain", None),
        ("resolved", None),
    )
    assert (best.points, best.outcome) == (20, scenario.RESOLVED)
    assert scenario.max_points(GRAPH) == 20


def test_the_role_play_example_learner_path_scores_28_of_40_and_passes() -> None:
    # The learner's replies lead where the docs say.
    step = GRAPH.start
    for step_key, reply_key in LEARNER_MOVES:
        assert step is not None and step.key == step_key
        step = scenario.next_step(GRAPH, step_key, reply_key)
    assert step is not None and step.key == "resolved"

    reply_points = scenario.walk_points(GRAPH, LEARNER_MOVES)
    empathy = _criterion_points(Decimal(4), EMPATHY_SCALE)  # "Good": 7.5, rounded to 8
    ownership = _criterion_points(Decimal(1), OWNERSHIP_SCALE)  # "Yes": 10
    points = reply_points + empathy + ownership
    free_criteria = len(GRAPH.by_key["explain"].criteria)
    max_points = scenario.max_points(GRAPH) + FREE_RESPONSE_POINTS_PER_CRITERION * free_criteria

    assert (reply_points, empathy, ownership) == (10, 8, 10)
    assert (points, max_points) == (28, 40)
    assert checks.percent_of(points, max_points) == Decimal("70.00")
    assert step.outcome in PASSING_OUTCOMES  # resolved, no critical reply: passed


def test_the_role_play_example_rounds_half_points_to_the_even_number() -> None:
    assert _criterion_points(Decimal(2), EMPATHY_SCALE) == 2  # 2.5 → 2
    assert _criterion_points(Decimal(3), EMPATHY_SCALE) == 5
    assert _criterion_points(Decimal(5), EMPATHY_SCALE) == 10
    assert _criterion_points(Decimal(0), OWNERSHIP_SCALE) == 0


def test_the_role_play_example_critical_reply_ends_lost_with_no_points() -> None:
    moves = (("greeting", "blame"),)
    end = scenario.next_step(GRAPH, "greeting", "blame")

    assert end is not None and end.outcome == scenario.LOST
    assert scenario.walk_points(GRAPH, moves) == -5
    # Below zero counts as 0 %; no written reply on this path, so the maximum stays 20.
    assert checks.percent_of(max(-5, 0), scenario.max_points(GRAPH)) == Decimal("0.00")
    assert end.outcome not in PASSING_OUTCOMES


def test_the_publish_check_example_names_the_step_and_the_missing_target() -> None:
    options = GRAPH.by_key["options"]
    broken_reply = scenario.Reply("supervisor", "Let me pass you on.", "supervisor-call", 2)
    broken = scenario.Graph(
        tuple(
            scenario.Step(
                key=s.key,
                kind=s.kind,
                start=s.start,
                customer_text=s.customer_text,
                replies=(options.replies[0], broken_reply) if s.key == "options" else s.replies,
                free_prompt=s.free_prompt,
                criteria=s.criteria,
                next=s.next,
                outcome=s.outcome,
            )
            for s in GRAPH.steps
        )
    )

    problems = [str(p) for p in scenario.validate(broken)]

    assert problems == [
        "Step 'options': reply 'supervisor' points at a missing step 'supervisor-call'.",
        "Step 'escalated': cannot be reached from the start step.",
    ]
