"""Taking modules and role-plays through the services: pinning, answering, refusals, grading."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import User
from tests.training.factories import (
    default_steps,
    module_page,
    path_page,
    publish,
    reply,
    scenario_page,
    single,
    step,
    true_false,
)
from training.models import AnswerKind, Assignment, Attempt, AttemptAnswer, AttemptStatus
from training.services import (
    AlreadyAnswered,
    AttemptFinished,
    AttemptLimitReached,
    InvalidAnswer,
    NotCurrentStep,
    NotPublished,
    NotYourAttempt,
    UnknownQuestion,
    answer_question,
    answer_step,
    assign_training,
    grade_free_response,
    start_attempt,
    submit_module_attempt,
)

pytestmark = pytest.mark.django_db


def test_starting_pins_the_live_revision_and_resuming_returns_the_open_attempt(
    agent: User,
) -> None:
    page = module_page()
    attempt = start_attempt(person=agent, page=page)
    assert attempt.revision_id == page.live_revision_id
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.max_points == 2
    assert start_attempt(person=agent, page=page).pk == attempt.pk
    assert AuditEvent.objects.filter(action="training.attempt.start").count() == 1


def test_the_audit_trail_names_who_acted_and_the_system_when_nobody_did(agent: User) -> None:
    page = module_page()
    attempt = start_attempt(person=agent, page=page, by=agent)
    submit_module_attempt(attempt=attempt, by=agent)
    seeded = start_attempt(person=agent, page=page, practice=True)  # as the demo seed does

    assert set(
        AuditEvent.objects.filter(object_id=str(attempt.pk)).values_list("actor", flat=True)
    ) == {agent.pk}
    assert (
        AuditEvent.objects.get(action="training.attempt.start", object_id=str(seeded.pk)).actor
        is None
    )


def test_practice_attempts_are_kept_apart_from_official_ones(agent: User) -> None:
    page = module_page()
    official = start_attempt(person=agent, page=page)
    practice = start_attempt(person=agent, page=page, practice=True)
    assert practice.pk != official.pk and practice.practice


def test_an_unpublished_page_cannot_be_taken(agent: User) -> None:
    page = module_page()
    page.unpublish()
    with pytest.raises(NotPublished):
        start_attempt(person=agent, page=page)


def test_module_passes_with_answers_at_or_above_the_pass_mark(agent: User) -> None:
    page = module_page(pass_mark=50)
    attempt = start_attempt(person=agent, page=page)
    result = answer_question(attempt=attempt, key="window", raw="b", by=agent)
    assert result.graded.correct and result.answer.points == 1
    wrong = answer_question(attempt=attempt, key="receipt", raw="false", by=agent)
    assert not wrong.graded.correct and "Not quite" in wrong.graded.feedback
    done = submit_module_attempt(attempt=attempt, by=agent)
    assert (done.points, done.max_points, done.percent, done.passed) == (
        1,
        2,
        Decimal("50.00"),
        True,
    )
    assert done.status == AttemptStatus.COMPLETED and done.finished_at is not None


def test_answering_a_finished_attempt_is_refused(agent: User) -> None:
    page = module_page()
    attempt = start_attempt(person=agent, page=page)
    submit_module_attempt(attempt=attempt)
    with pytest.raises(AttemptFinished):
        answer_question(attempt=attempt, key="window", raw="b")
    with pytest.raises(AttemptFinished):
        submit_module_attempt(attempt=attempt)


def test_answering_twice_is_refused_and_the_first_answer_stays(agent: User) -> None:
    attempt = start_attempt(person=agent, page=module_page())
    answer_question(attempt=attempt, key="window", raw="a")
    with pytest.raises(AlreadyAnswered):
        answer_question(attempt=attempt, key="window", raw="b")
    stored = AttemptAnswer.objects.get(attempt=attempt, key="window")
    assert stored.answer == {"choice": "a"} and stored.correct is False


def test_unknown_question_and_tampered_choice_keys_are_refused_with_nothing_stored(
    agent: User,
) -> None:
    attempt = start_attempt(person=agent, page=module_page())
    with pytest.raises(UnknownQuestion):
        answer_question(attempt=attempt, key="no-such-question", raw="a")
    with pytest.raises(InvalidAnswer, match="not one of this question's options"):
        answer_question(attempt=attempt, key="window", raw="z")
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()


def test_someone_else_cannot_answer_your_attempt(agent: User, other_team_agent: User) -> None:
    attempt = start_attempt(person=agent, page=module_page())
    with pytest.raises(NotYourAttempt):
        answer_question(attempt=attempt, key="window", raw="b", by=other_team_agent)


def test_attempt_limit_counts_official_attempts_only(agent: User) -> None:
    page = module_page(attempt_limit=1)
    submit_module_attempt(attempt=start_attempt(person=agent, page=page))
    practice = start_attempt(person=agent, page=page, practice=True)
    assert practice.practice
    with pytest.raises(AttemptLimitReached, match="all 1 attempts"):
        start_attempt(person=agent, page=page)


def test_publishing_a_new_revision_never_breaks_an_attempt_in_progress(agent: User) -> None:
    page = module_page(pass_mark=100)
    attempt = start_attempt(person=agent, page=page)
    answer_question(attempt=attempt, key="window", raw="b")
    # The trainer removes the "receipt" question and adds another one.
    page.body = [single("window", "b"), single("new-one", "a")]
    publish(page)
    assert [q.key for q in page.checks()] == ["window", "new-one"]
    # The attempt continues on its own revision: the removed question is still there...
    answer_question(attempt=attempt, key="receipt", raw="true")
    # ...and the new one is not.
    with pytest.raises(UnknownQuestion):
        answer_question(attempt=attempt, key="new-one", raw="a")
    done = submit_module_attempt(attempt=attempt)
    assert (done.points, done.max_points, done.passed) == (2, 2, True)
    # A new attempt is pinned to the new revision.
    fresh = start_attempt(person=agent, page=page)
    assert fresh.revision_id != done.revision_id
    with pytest.raises(UnknownQuestion):
        answer_question(attempt=fresh, key="receipt", raw="true")


def test_passing_a_module_completes_its_assignment_but_practice_does_not(
    agent: User, lead: User
) -> None:
    page = module_page(body=[true_false("t", True)])
    assignment = assign_training(page=page, people=[agent], actor=lead).created[0]
    practice = start_attempt(person=agent, page=page, practice=True)
    answer_question(attempt=practice, key="t", raw="true")
    submit_module_attempt(attempt=practice)
    assignment.refresh_from_db()
    assert assignment.completed_at is None and assignment.started_at is None

    attempt = start_attempt(person=agent, page=page)
    assignment.refresh_from_db()
    assert assignment.started_at is not None and attempt.assignment_id == assignment.pk
    answer_question(attempt=attempt, key="t", raw="true")
    submit_module_attempt(attempt=attempt)
    assignment.refresh_from_db()
    assert assignment.completed_at is not None


def test_last_attempt_method_counts_the_last_attempt(agent: User) -> None:
    page = module_page(body=[true_false("t", True)], grading_method="last")
    path = path_page(items=[(page, [], True)], certificate=False)
    assign_training(page=path, people=[agent])
    first = start_attempt(person=agent, page=page)
    answer_question(attempt=first, key="t", raw="false")
    submit_module_attempt(attempt=first)
    assert Assignment.objects.get(person=agent, page=path).completed_at is None
    second = start_attempt(person=agent, page=page)
    answer_question(attempt=second, key="t", raw="true")
    submit_module_attempt(attempt=second)
    assert Assignment.objects.get(person=agent, page=path).completed_at is not None


# --- Role-plays --------------------------------------------------------------------------------


def test_a_role_play_follows_the_replies_to_an_end_and_passes_when_resolved(agent: User) -> None:
    page = scenario_page()
    attempt = start_attempt(person=agent, page=page)
    assert attempt.current_step == "greet" and attempt.max_points == 5
    first = answer_step(attempt=attempt, step_key="greet", reply_key="kind", by=agent)
    assert first.next_step is not None and first.next_step.key == "middle"
    assert first.answer.feedback == "Feedback kind" and not first.finished
    last = answer_step(attempt=attempt, step_key="middle", reply_key="fix", by=agent)
    assert last.finished
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.COMPLETED and attempt.outcome == "resolved"
    assert (attempt.points, attempt.percent, attempt.passed) == (5, Decimal("100.00"), True)
    assert list(attempt.answers.values_list("ordinal", "key")) == [(1, "greet"), (2, "middle")]


def test_a_critical_mistake_is_recorded_and_fails_the_role_play(agent: User) -> None:
    attempt = start_attempt(person=agent, page=scenario_page())
    result = answer_step(attempt=attempt, step_key="greet", reply_key="rude")
    assert result.answer.critical and result.finished
    attempt.refresh_from_db()
    assert attempt.outcome == "lost" and attempt.passed is False and attempt.percent == 0


def test_answering_a_step_the_conversation_is_not_at_is_refused(agent: User) -> None:
    attempt = start_attempt(person=agent, page=scenario_page())
    answer_step(attempt=attempt, step_key="greet", reply_key="kind")
    # A second click on the first step's form.
    with pytest.raises(NotCurrentStep):
        answer_step(attempt=attempt, step_key="greet", reply_key="kind")
    assert attempt.answers.count() == 1


def test_a_reply_of_another_step_or_an_unknown_reply_is_refused(agent: User) -> None:
    attempt = start_attempt(person=agent, page=scenario_page())
    with pytest.raises(InvalidAnswer):
        answer_step(attempt=attempt, step_key="greet", reply_key="fix")
    with pytest.raises(InvalidAnswer):
        answer_step(attempt=attempt, step_key="greet", reply_key="<script>")
    assert not attempt.answers.exists()


def test_answering_a_finished_role_play_is_refused(agent: User) -> None:
    attempt = start_attempt(person=agent, page=scenario_page())
    answer_step(attempt=attempt, step_key="greet", reply_key="rude")
    with pytest.raises(AttemptFinished):
        answer_step(attempt=attempt, step_key="angry", reply_key="x")


def test_a_role_play_in_progress_keeps_its_graph_when_a_new_revision_is_published(
    agent: User,
) -> None:
    page = scenario_page()
    attempt = start_attempt(person=agent, page=page)
    answer_step(attempt=attempt, step_key="greet", reply_key="kind")
    _, _, happy, angry = default_steps()
    # "middle" removed: "kind" now ends the chat.
    page.steps = [
        step("greet", start=True, replies=[reply("kind", "happy", 2), reply("rude", "angry")]),
        happy,
        angry,
    ]
    publish(page)
    result = answer_step(attempt=attempt, step_key="middle", reply_key="fix")
    assert result.finished and result.attempt.outcome == "resolved"


def test_free_responses_wait_for_grading_and_complete_when_graded(
    agent: User, reviewer: User, lead: User
) -> None:
    page = scenario_page(free=True)
    path = path_page(items=[(page, [], True)], certificate=True)
    assign_training(page=page, people=[agent], actor=lead)
    attempt = start_attempt(person=agent, page=page)
    answer_step(attempt=attempt, step_key="greet", reply_key="kind")
    with pytest.raises(InvalidAnswer):
        answer_step(attempt=attempt, step_key="middle", text="   ")
    result = answer_step(attempt=attempt, step_key="middle", text="I am sorry; I'll refund you.")
    attempt.refresh_from_db()
    assert result.finished and attempt.status == AttemptStatus.PENDING_GRADING
    assert attempt.passed is None
    free = attempt.answers.get(kind=AnswerKind.STEP, key="middle")
    with pytest.raises(InvalidAnswer):
        grade_free_response(answer=free, grader=reviewer, ratings={"empathy": "7"})
    with pytest.raises(InvalidAnswer):
        grade_free_response(answer=free, grader=reviewer, ratings={})
    grade = grade_free_response(
        answer=free, grader=reviewer, ratings={"empathy": "5"}, comment="Warm and clear."
    )
    assert grade.points == 10
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.COMPLETED and attempt.passed is True
    assert (attempt.points, attempt.max_points) == (12, 12)
    assert Assignment.objects.get(person=agent, page=page).completed_at is not None
    assert agent.training_certificates.filter(path=path).count() == 1


def test_nobody_grades_their_own_response_or_someone_they_do_not_reach(
    agent: User, other_team_lead: User
) -> None:
    attempt = start_attempt(person=agent, page=scenario_page(free=True))
    answer_step(attempt=attempt, step_key="greet", reply_key="kind")
    answer_step(attempt=attempt, step_key="middle", text="Hello")
    free = attempt.answers.get(key="middle")
    for grader in (agent, other_team_lead):
        with pytest.raises(Exception, match="cannot grade"):
            grade_free_response(answer=free, grader=grader, ratings={"empathy": "1"})
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.PENDING_GRADING
