"""The engagement demo seeder tells the story its docstring promises, through the services."""

from __future__ import annotations

import random
from io import StringIO

import pytest

from qa_platform.engagement import demo
from qa_platform.engagement.anonymity import Outcome
from qa_platform.engagement.models import (
    ActionPlan,
    ActionUpdate,
    Invitation,
    PrivacyMode,
    Response,
    Survey,
    SurveyStatus,
)
from qa_platform.engagement.reading import team_results
from qa_platform.people import demo as people_demo
from qa_platform.people.models import Team
from scorecards.models import CustomerFeedback

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    people_demo.seed_people("small", random.Random(1), out)
    demo.seed_engagement("small", random.Random(2), out)
    return out.getvalue()


def teams() -> dict[str, Team]:
    return {t.external_id: t for t in Team.objects.all() if t.external_id}


def test_the_small_demo_tells_its_story_through_the_services() -> None:
    seed()
    spring = Survey.objects.get(title=demo.SPRING)
    autumn = Survey.objects.get(title=demo.AUTUMN)
    pulse = Survey.objects.get(title=demo.PULSE)
    by_code = teams()

    # Two closed, compared waves and an open pulse, all anonymous.
    assert spring.status == autumn.status == SurveyStatus.CLOSED
    assert autumn.previous_wave == spring
    assert spring.results_computed_at is not None and autumn.results_computed_at is not None
    assert pulse.status == SurveyStatus.OPEN
    assert {s.privacy for s in (spring, autumn, pulse)} == {PrivacyMode.ANONYMOUS}
    assert not Response.objects.filter(respondent__isnull=False).exists()
    for email in demo.WAITING:  # the pulse waits on these homes
        assert Invitation.objects.get(survey=pulse, person__email=email).submitted is False
    assert 0 < pulse.responses.count() < pulse.invited_count

    # Billing EMEA: 4 answers in autumn, under the threshold, so its result rolls up.
    billing = by_code["T-BILL-EMEA"]
    assert autumn.responses.filter(team=billing).count() == 4
    rolled = team_results(autumn, "index", [billing.pk])[billing.pk]
    assert rolled.decision.outcome is Outcome.ROLLED_UP
    assert rolled.decision.rolled_up_into == str(by_code["D-CARE"].pk)
    assert rolled.figure is not None and rolled.figure.n > 5

    # Tier 2 Escalations: engagement and CSAT both drop from spring to autumn.
    esc = by_code["T-TECH-ESC"]
    before = team_results(spring, "index", [esc.pk])[esc.pk]
    after = team_results(autumn, "index", [esc.pk])[esc.pk]
    assert before.decision.outcome is Outcome.SHOWN and after.decision.outcome is Outcome.SHOWN
    assert before.figure is not None and after.figure is not None
    assert after.figure.value < before.figure.value - 15

    def happy_share(survey: Survey) -> float:
        rows = CustomerFeedback.objects.filter(
            team=esc,
            source=demo.FEEDBACK_SOURCE,
            received_at__gte=survey.opens_at,
            received_at__lt=survey.closes_at,
        )
        assert rows.count() == demo.FEEDBACK_PER_WINDOW
        return rows.filter(csat__gte=4).count() / rows.count()

    assert happy_share(autumn) < happy_share(spring)

    # Action plans after each wave, with published "you said, we did" updates.
    plans = {p.survey.title: p for p in ActionPlan.objects.select_related("survey", "team")}
    assert plans[demo.SPRING].driver == "recognition" and plans[demo.SPRING].status == "done"
    assert plans[demo.AUTUMN].team.external_id == "T-BILL-EMEA"
    assert plans[demo.AUTUMN].owner.email == "lead@demo.test"
    assert ActionUpdate.objects.filter(published_at__isnull=False).count() == 2


def test_seeding_again_creates_nothing_new() -> None:
    seed()
    before = (
        Survey.objects.count(),
        Response.objects.count(),
        ActionPlan.objects.count(),
        CustomerFeedback.objects.count(),
    )
    out = seed()
    after = (
        Survey.objects.count(),
        Response.objects.count(),
        ActionPlan.objects.count(),
        CustomerFeedback.objects.count(),
    )
    assert after == before
    assert "Engagement (small): 0 new surveys" in out
