"""HR builds, launches, schedules and closes surveys (services/surveys.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.engagement import population, publishing
from qa_platform.engagement import question_bank as bank
from qa_platform.engagement.models import Invitation, Survey, SurveyQuestion, SurveyStatus
from qa_platform.engagement.services import surveys as services
from qa_platform.notifications.models import Notification
from qa_platform.people.models import Membership
from qa_platform.people.roles import Role
from tests.engagement.factories import launched_survey, make_survey, team_with_members
from tests.people.factories import MembershipFactory, RoleGrantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """compute_results is written by the results part; record the calls instead."""
    calls: list[int] = []
    monkeypatch.setattr(publishing, "compute_results", lambda survey: calls.append(survey.pk))
    return calls


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# --- Creating ---------------------------------------------------------------------------------


def test_a_survey_from_a_template_has_its_sections_and_questions_in_order(hr: Any) -> None:
    survey = services.create_survey_from_template(template_key="full", title="Autumn", actor=hr)
    template = bank.TEMPLATES_BY_KEY["full"]
    keys = [q.key for q in survey.questions.order_by("order")]
    assert keys == list(template.item_keys)
    assert [s.title for s in survey.sections.all()] == [s.title for s in template.sections]
    assert survey.status == SurveyStatus.DRAFT
    assert survey.created_by == hr
    why = survey.questions.get(key="enps.why")
    assert why.follow_up_of == "enps.score" and why.required is False
    assert events("engagement.survey_created")[0].actor == hr


def test_a_blank_survey_has_no_questions(hr: Any) -> None:
    survey = services.create_survey_from_template(template_key="blank", title="Own", actor=hr)
    assert survey.questions.count() == 0 and survey.template_key == ""


def test_an_unknown_template_or_an_empty_title_is_refused(hr: Any) -> None:
    with pytest.raises(services.SurveyError, match="no template"):
        services.create_survey_from_template(template_key="nope", title="X", actor=hr)
    with pytest.raises(services.SurveyError, match="title"):
        services.create_survey_from_template(template_key="pulse", title="  ", actor=hr)
    assert Survey.objects.count() == 0


# --- Settings ---------------------------------------------------------------------------------


def settings_of(survey: Survey, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict(
        title=survey.title,
        introduction=survey.introduction,
        privacy=survey.privacy,
        score_threshold=survey.score_threshold,
        comment_threshold=survey.comment_threshold,
    )
    values.update(changes)
    return values


def test_settings_changes_before_launch_are_saved_and_audited_before_and_after(hr: Any) -> None:
    survey = make_survey(actor=hr)
    services.update_survey_settings(
        survey=survey, actor=hr, **settings_of(survey, privacy="confidential", score_threshold=7)
    )
    survey.refresh_from_db()
    assert survey.privacy == "confidential" and survey.score_threshold == 7
    event = events("engagement.survey_settings_changed")[-1]
    assert event.before == {"privacy": "anonymous", "score_threshold": 5}
    assert event.after == {"privacy": "confidential", "score_threshold": 7}


@pytest.mark.parametrize(
    ("scores", "comments", "message"),
    [
        (2, 10, "score threshold cannot be below 3"),
        (5, 9, "comment threshold cannot be below 10"),
        (12, 11, "nor below the score threshold"),
        ("five", 10, "whole numbers"),
    ],
)
def test_thresholds_below_the_floors_are_refused_with_a_clear_message(
    hr: Any, scores: Any, comments: Any, message: str
) -> None:
    survey = make_survey(actor=hr)
    with pytest.raises(services.SurveyError, match=message):
        services.update_survey_settings(
            survey=survey,
            actor=hr,
            **settings_of(survey, score_threshold=scores, comment_threshold=comments),
        )
    survey.refresh_from_db()
    assert (survey.score_threshold, survey.comment_threshold) == (5, 10)


def test_an_unknown_privacy_mode_is_refused(hr: Any) -> None:
    survey = make_survey(actor=hr)
    with pytest.raises(services.SurveyError, match="anonymous, confidential or identifiable"):
        services.update_survey_settings(survey=survey, actor=hr, **settings_of(survey, privacy="x"))


def test_a_draft_cannot_be_its_own_or_a_drafts_next_wave(hr: Any) -> None:
    survey = make_survey(actor=hr)
    other = make_survey(actor=hr, title="Other")
    with pytest.raises(services.SurveyError, match="own previous wave"):
        services.update_survey_settings(
            survey=survey, actor=hr, previous_wave=survey, **settings_of(survey)
        )
    with pytest.raises(services.SurveyError, match="launched"):
        services.update_survey_settings(
            survey=survey, actor=hr, previous_wave=other, **settings_of(survey)
        )


# --- Questions and sections -------------------------------------------------------------------


def test_hr_adds_bank_and_own_questions_and_reorders_them(hr: Any) -> None:
    survey = make_survey(template_key="blank", actor=hr)
    section = services.add_section(survey=survey, actor=hr, title="Work")
    a = services.add_bank_question(
        survey=survey, actor=hr, key="driver.tools.systems", section_id=section.pk
    )
    b = services.add_own_question(
        survey=survey,
        actor=hr,
        text="Which shift do you work?",
        scale="single_choice",
        options=["Early", " Late ", ""],
        optional=True,
        section_id=section.pk,
    )
    assert a.part == "driver" and a.driver == "tools"
    assert b.key == "own.which_shift_do_you_work" and b.options == ["Early", "Late"]
    assert b.required is False and b.part == "custom"
    services.move_question(survey=survey, actor=hr, question_id=b.pk, direction="up")
    assert [q.key for q in survey.questions.order_by("order")] == [b.key, a.key]
    services.remove_question(survey=survey, actor=hr, question_id=a.pk)
    assert list(survey.questions.values_list("key", flat=True)) == [b.key]


def test_own_questions_with_the_same_text_get_distinct_stable_keys(hr: Any) -> None:
    survey = make_survey(template_key="blank", actor=hr)
    keys = [
        services.add_own_question(survey=survey, actor=hr, text="How is it?", scale="comment").key
        for _ in range(2)
    ]
    assert keys == ["own.how_is_it", "own.how_is_it_2"]
    assert all(bank.KEY_FORMAT.match(k) for k in keys)


@pytest.mark.parametrize(
    ("scale", "options", "message"),
    [
        ("single_choice", ["Only one"], "at least two options"),
        ("multiple_choice", ["A", "a"], "different"),
        ("agreement_5", ["A", "B"], "Only single and multiple choice"),
        ("stars", [], "Choose how people answer"),
    ],
)
def test_bad_own_questions_are_refused_and_change_nothing(
    hr: Any, scale: str, options: list[str], message: str
) -> None:
    survey = make_survey(template_key="blank", actor=hr)
    with pytest.raises(services.SurveyError, match=message):
        services.add_own_question(
            survey=survey, actor=hr, text="Question?", scale=scale, options=options
        )
    assert survey.questions.count() == 0


def test_a_bank_question_already_in_the_survey_is_refused(hr: Any) -> None:
    survey = make_survey(template_key="pulse", actor=hr)
    with pytest.raises(services.SurveyError, match="already in this survey"):
        services.add_bank_question(survey=survey, actor=hr, key="index.pride")
    with pytest.raises(services.SurveyError, match="not in the question bank"):
        services.add_bank_question(survey=survey, actor=hr, key="index.nope")


def test_removing_a_section_keeps_its_questions(hr: Any) -> None:
    survey = make_survey(template_key="pulse", actor=hr)
    section = survey.sections.first()
    assert section is not None
    count = survey.questions.count()
    services.remove_section(survey=survey, actor=hr, section_id=section.pk)
    assert survey.questions.count() == count


def test_a_question_of_another_survey_cannot_be_touched(hr: Any) -> None:
    survey = make_survey(actor=hr)
    other = make_survey(actor=hr, title="Other")
    question = other.questions.first()
    assert question is not None
    with pytest.raises(services.SurveyError, match="not part of this survey"):
        services.remove_question(survey=survey, actor=hr, question_id=question.pk)
    assert SurveyQuestion.objects.filter(pk=question.pk).exists()


# --- Launch -----------------------------------------------------------------------------------


def test_launch_lists_every_problem_and_changes_nothing(hr: Any) -> None:
    survey = make_survey(template_key="blank", actor=hr)
    with pytest.raises(services.SurveyError) as error:
        services.launch_survey(survey=survey, actor=hr)
    message = str(error.value)
    assert "at least one question" in message and "teams to invite" in message
    assert "closes" in message
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT and not survey.invitations.exists()


def test_launch_refuses_a_close_before_the_open(org: Any, hr: Any) -> None:
    team, _ = team_with_members(org.support, 3)
    opens = timezone.now() + dt.timedelta(days=2)
    survey = make_survey(teams=[team], actor=hr)
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=opens, closes_at=opens - dt.timedelta(hours=1)
    )
    with pytest.raises(services.SurveyError, match="close after it opens"):
        services.launch_survey(survey=survey, actor=hr)


def test_launch_refuses_teams_without_current_members(org: Any, hr: Any) -> None:
    team, _ = team_with_members(org.support, 0)
    survey = make_survey(teams=[team], actor=hr)
    with pytest.raises(services.SurveyError, match="no current members"):
        services.launch_survey(survey=survey, actor=hr)


def test_launch_snapshots_an_invitation_per_current_member_of_each_subtree(
    org: Any, hr: Any
) -> None:
    billing, agents = team_with_members(org.team, 0)  # an empty child under Billing
    _, child_members = team_with_members(org.team, 2, name="Billing nights", location="Porto")
    _, outside = team_with_members(org.other_team, 2)
    member = UserFactory(location="  ")
    MembershipFactory(user=member, team=org.team, start=timezone.localdate())
    RoleGrantFactory(user=member, role=Role.LEAD, team=org.team)
    # A former member is not invited.
    gone = UserFactory()
    MembershipFactory(
        user=gone,
        team=org.team,
        start=timezone.localdate() - dt.timedelta(days=100),
        end=timezone.localdate() - dt.timedelta(days=1),
    )
    survey = launched_survey(teams=[org.team], actor=hr)
    invited = {i.person_id: i for i in survey.invitations.all()}
    assert set(invited) == {member.pk, *(p.pk for p in child_members)}
    assert survey.invited_count == 3 and survey.status == SurveyStatus.OPEN
    assert invited[member.pk].team == org.team
    assert invited[member.pk].attributes == {"tenure_band": "Under 1 year", "role": "Team lead"}
    assert invited[child_members[0].pk].attributes == {
        "tenure_band": "1–3 years",
        "role": "Agent",
        "location": "Porto",
    }
    assert invited[child_members[0].pk].team.name == "Billing nights"
    assert not (set(invited) & {p.pk for p in outside}) and billing and not agents


def test_tenure_counts_from_the_first_membership_or_else_the_day_joined(org: Any, hr: Any) -> None:
    today = timezone.localdate()
    veteran = UserFactory()
    MembershipFactory(
        user=veteran,
        team=org.other_team,
        start=today - dt.timedelta(days=2000),
        end=today - dt.timedelta(days=30),
    )
    MembershipFactory(user=veteran, team=org.team, start=today - dt.timedelta(days=30))
    survey = launched_survey(teams=[org.team], actor=hr)
    invitation = survey.invitations.get(person=veteran)
    assert invitation.attributes["tenure_band"] == "Over 3 years"
    assert invitation.attributes["role"] == "Other"  # no role grant


def test_a_person_moving_team_after_launch_keeps_their_snapshot(org: Any, hr: Any) -> None:
    team, people = team_with_members(org.support, 3)
    survey = launched_survey(teams=[team], actor=hr)
    mover = people[0]
    Membership.objects.filter(user=mover).update(end=timezone.localdate())
    MembershipFactory(user=mover, team=org.other_team, start=timezone.localdate())
    invitation = survey.invitations.get(person=mover)
    assert invitation.team == team
    assert survey.invitations.count() == 3
    assert Survey.objects.get(pk=survey.pk).invited_count == 3


def test_launch_tells_everyone_in_app_and_by_email_with_their_own_link(
    org: Any, hr: Any, django_capture_on_commit_callbacks: Any
) -> None:
    team, people = team_with_members(org.support, 3)
    with django_capture_on_commit_callbacks(execute=True):
        survey = launched_survey(teams=[team], actor=hr, title="Spring pulse")
    notes = Notification.objects.filter(kind="engagement.survey_open")
    assert sorted(n.recipient_id for n in notes) == sorted(p.pk for p in people)
    assert {n.url for n in notes} == {f"/engagement/surveys/{survey.pk}/answer/"}
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        token = re.search(r"/engagement/answer/([\w-]+)/", message.body)
        assert token is not None
        person_id = next(p.pk for p in people if p.email == message.to[0])
        invitation = survey.invitations.get(person_id=person_id)
        assert invitation.token_hash == services.hash_token(token.group(1))
        assert token.group(1) not in str(Notification.objects.values_list("url", "body"))
    launch = events("engagement.survey_launched")[-1]
    assert launch.actor == hr and launch.after["invited_count"] == 3


def test_a_survey_opening_later_is_scheduled_and_tells_nobody_yet(
    org: Any, hr: Any, django_capture_on_commit_callbacks: Any
) -> None:
    team, _ = team_with_members(org.support, 2)
    with django_capture_on_commit_callbacks(execute=True):
        survey = launched_survey(
            teams=[team], actor=hr, opens_at=timezone.now() + dt.timedelta(days=3)
        )
    assert survey.status == SurveyStatus.SCHEDULED and survey.invited_count == 2
    assert not Notification.objects.exists() and not mail.outbox


def test_a_survey_cannot_be_launched_twice(org: Any, hr: Any) -> None:
    team, _ = team_with_members(org.support, 2)
    survey = launched_survey(teams=[team], actor=hr)
    with pytest.raises(services.SurveyError, match="already been launched"):
        services.launch_survey(survey=survey, actor=hr)
    assert Invitation.objects.count() == 2


# --- Locks ------------------------------------------------------------------------------------


LOCKED_CALLS = {
    "settings": lambda s, a: services.update_survey_settings(
        survey=s, actor=a, **settings_of(s, score_threshold=3)
    ),
    "population": lambda s, a: services.set_population(survey=s, actor=a, team_ids=[]),
    "add bank question": lambda s, a: services.add_bank_question(
        survey=s, actor=a, key="driver.tools.systems"
    ),
    "add own question": lambda s, a: services.add_own_question(
        survey=s, actor=a, text="New?", scale="comment"
    ),
    "remove question": lambda s, a: services.remove_question(
        survey=s, actor=a, question_id=s.questions.first().pk
    ),
    "move question": lambda s, a: services.move_question(
        survey=s, actor=a, question_id=s.questions.last().pk, direction="up"
    ),
    "add section": lambda s, a: services.add_section(survey=s, actor=a, title="More"),
    "remove section": lambda s, a: services.remove_section(
        survey=s, actor=a, section_id=s.sections.first().pk
    ),
    "move section": lambda s, a: services.move_section(
        survey=s, actor=a, section_id=s.sections.last().pk, direction="up"
    ),
    "schedule": lambda s, a: services.update_schedule(
        survey=s, actor=a, opens_at=None, closes_at=None
    ),
}


@pytest.mark.parametrize("attempt", list(LOCKED_CALLS))
def test_after_launch_every_locked_change_is_refused_and_audited(
    org: Any, hr: Any, attempt: str
) -> None:
    team, _ = team_with_members(org.support, 2)
    survey = launched_survey(teams=[team], actor=hr)
    before = (
        list(survey.questions.values_list("pk", "key", "order", "section_id")),
        list(survey.sections.values_list("pk", "order")),
        list(survey.teams.values_list("pk", flat=True)),
        Survey.objects.filter(pk=survey.pk).values().get(),
    )
    with pytest.raises(services.SurveyLocked, match="locked at launch"):
        LOCKED_CALLS[attempt](survey, hr)
    after = (
        list(survey.questions.values_list("pk", "key", "order", "section_id")),
        list(survey.sections.values_list("pk", "order")),
        list(survey.teams.values_list("pk", flat=True)),
        Survey.objects.filter(pk=survey.pk).values().get(),
    )
    assert after == before
    refusal = events(services.LOCKED_REFUSED)[-1]
    assert refusal.actor == hr and refusal.object_id == str(survey.pk)
    assert refusal.after is not None and refusal.after["attempted"]


def test_the_refused_settings_change_records_what_was_attempted(org: Any, hr: Any) -> None:
    team, _ = team_with_members(org.support, 2)
    survey = launched_survey(teams=[team], actor=hr)
    with pytest.raises(services.SurveyLocked):
        services.update_survey_settings(
            survey=survey, actor=hr, **settings_of(survey, privacy="identifiable")
        )
    refusal = events(services.LOCKED_REFUSED)[-1]
    assert refusal.after is not None
    assert refusal.after["values"]["privacy"] == "identifiable"
    assert "privacy mode" in refusal.after["attempted"]


def test_hr_may_extend_the_close_date_after_launch_but_not_bring_it_forward(
    org: Any, hr: Any
) -> None:
    team, _ = team_with_members(org.support, 2)
    survey = launched_survey(teams=[team], actor=hr)
    assert survey.closes_at is not None
    later = survey.closes_at + dt.timedelta(days=7)
    services.extend_close_date(survey=survey, actor=hr, closes_at=later)
    assert Survey.objects.get(pk=survey.pk).closes_at == later
    assert events("engagement.survey_close_date_extended")[-1].after == {
        "closes_at": later.isoformat()
    }
    with pytest.raises(services.SurveyError, match="only be moved later"):
        services.extend_close_date(survey=survey, actor=hr, closes_at=later - dt.timedelta(days=1))


# --- Close ------------------------------------------------------------------------------------


def test_closing_early_closes_and_decides_the_results(
    org: Any, hr: Any, computed: list[int]
) -> None:
    team, _ = team_with_members(org.support, 2)
    survey = launched_survey(teams=[team], actor=hr)
    services.close_survey(survey=survey, actor=hr)
    assert survey.status == SurveyStatus.CLOSED and survey.closed_at is not None
    assert computed == [survey.pk]
    event = events("engagement.survey_closed")[-1]
    assert event.actor == hr and event.after is not None and event.after["early"] is True
    with pytest.raises(services.SurveyError, match="already closed"):
        services.close_survey(survey=survey, actor=hr)
    assert computed == [survey.pk]


def test_a_draft_cannot_be_closed(hr: Any, computed: list[int]) -> None:
    survey = make_survey(actor=hr)
    with pytest.raises(services.SurveyError, match="never launched"):
        services.close_survey(survey=survey, actor=hr)
    assert computed == []


def test_if_results_cannot_be_decided_the_survey_stays_open(
    org: Any, hr: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    team, _ = team_with_members(org.support, 2)
    survey = launched_survey(teams=[team], actor=hr)

    def fail(survey: Survey) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(publishing, "compute_results", fail)
    with pytest.raises(RuntimeError):
        services.close_survey(survey=survey, actor=hr)
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.OPEN


# --- The schedule -----------------------------------------------------------------------------


def test_the_schedule_opens_reminds_and_closes_once_each(
    org: Any, hr: Any, computed: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    team, people = team_with_members(org.support, 3)
    start = timezone.now()
    survey = launched_survey(
        teams=[team],
        actor=hr,
        now=start,
        opens_at=start + dt.timedelta(hours=1),
        closes_at=start + dt.timedelta(days=10),
        reminder_days=[7],
    )
    assert survey.status == SurveyStatus.SCHEDULED
    Invitation.objects.filter(person=people[0]).update(submitted=True)  # answered already

    def run(at: dt.datetime) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return services.run_schedule(now=at)

    # Before the open time nothing happens.
    assert run(start) == {"opened": 0, "reminded": 0, "closed": 0}
    opened_at = start + dt.timedelta(hours=2)
    assert run(opened_at) == {"opened": 1, "reminded": 0, "closed": 0}
    assert len(mail.outbox) == 2 and Notification.objects.count() == 2  # not the submitted one
    assert run(opened_at) == {"opened": 0, "reminded": 0, "closed": 0}
    assert len(mail.outbox) == 2
    # Seven days before closing: the two who have not answered are reminded, once that day.
    reminder_day = survey.closes_at - dt.timedelta(days=7)  # type: ignore[operator]
    assert run(reminder_day)["reminded"] == 2
    assert run(reminder_day + dt.timedelta(minutes=30))["reminded"] == 0
    reminders = Notification.objects.filter(kind="engagement.survey_reminder")
    assert sorted(reminders.values_list("recipient_id", flat=True)) == sorted(
        p.pk for p in people[1:]
    )
    assert len([m for m in mail.outbox if m.subject.endswith(f"Reminder: {survey.title}")]) == 2
    # The next day is not a reminder day.
    assert run(reminder_day + dt.timedelta(days=1))["reminded"] == 0
    # After the close time it closes, once.
    after_close = survey.closes_at + dt.timedelta(minutes=1)  # type: ignore[operator]
    assert run(after_close)["closed"] == 1
    assert run(after_close)["closed"] == 0
    assert computed == [survey.pk]
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.CLOSED


def test_the_schedule_command_runs_now_and_is_safe_to_re_run(
    org: Any, hr: Any, computed: list[int]
) -> None:
    team, _ = team_with_members(org.support, 2)
    survey = launched_survey(teams=[team], actor=hr)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    from io import StringIO

    out = StringIO()
    call_command("run_engagement_schedule", "--now", stdout=out)
    assert "1 closed" in out.getvalue()
    out = StringIO()
    call_command("run_engagement_schedule", "--now", stdout=out)
    assert "0 opened, 0 people reminded, 0 closed" in out.getvalue()
    assert computed == [survey.pk]


def test_the_schedule_command_enqueues_by_default(db: None) -> None:
    from io import StringIO

    out = StringIO()
    call_command("run_engagement_schedule", stdout=out)
    assert "Enqueued the engagement schedule run" in out.getvalue()


# --- Population rules (pure) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "band"),
    [
        (dt.date(2026, 1, 1), "Under 1 year"),
        (dt.date(2025, 6, 2), "Under 1 year"),
        (dt.date(2025, 6, 1), "1–3 years"),
        (dt.date(2023, 6, 1), "1–3 years"),
        (dt.date(2023, 5, 31), "Over 3 years"),
        (dt.date(2027, 1, 1), "Under 1 year"),
    ],
)
def test_tenure_bands_turn_on_the_anniversaries(first_day: dt.date, band: str) -> None:
    assert population.tenure_band(first_day, dt.date(2026, 6, 1)) == band


def test_a_leap_day_start_has_an_anniversary() -> None:
    assert population.tenure_band(dt.date(2024, 2, 29), dt.date(2025, 2, 28)) == "1–3 years"


@pytest.mark.parametrize(
    ("held", "label"),
    [
        ({"agent"}, "Agent"),
        ({"agent", "lead"}, "Team lead"),
        ({"hr"}, "Other"),
        (set(), "Other"),
        ({"admin", "agent"}, "Other"),
    ],
)
def test_the_role_label_follows_the_main_role(held: set[str], label: str) -> None:
    assert population.role_label(held) == label
