"""The CX overview: churn, retention and the lifetime value estimate on constructed data, CSAT/NPS/
CES by month (CES versions never mixed), and the page for HR, with its filter and query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform import stats
from qa_platform.engagement import cx_overview as cx
from qa_platform.engagement.models import CustomerPeriod
from qa_platform.people.models import User
from qa_platform.people.roles import Role
from scorecards.models import CustomerFeedback
from tests.conftest import Org, signed_in
from tests.people.factories import person_with_role
from tests.scorecards.factories import CustomerFeedbackFactory

URL = reverse("engagement:cx_overview")
HTMX = {"HX-Request": "true"}
JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


# --- Formulas on constructed data -------------------------------------------------------------


def worked_example() -> list[cx.MonthCustomers]:
    """The example in docs/engagement.md."""
    return [
        cx.month_customers(JAN, 1000, 20, 0, Decimal("50000")),
        cx.month_customers(FEB, 980, 30, 40, Decimal("49000")),
        cx.month_customers(MAR, 990, 10, 20, Decimal("49500")),
    ]


def test_churn_is_lost_over_customers_at_start_and_retention_its_complement() -> None:
    jan = worked_example()[0]
    assert jan.churn.value == pytest.approx(0.02)
    assert jan.retention == pytest.approx(0.98)
    assert jan.at_end == 980
    # Retention as DOMAIN.md defines it: (customers at end - new customers) / customers at start.
    feb = worked_example()[1]
    assert feb.retention == pytest.approx((feb.at_end - feb.gained) / feb.at_start)
    assert jan.revenue_per_customer == Decimal(50)


def test_the_churn_interval_is_wilsons() -> None:
    jan = worked_example()[0]
    expected = stats.wilson_interval(20, 1000)
    assert (jan.churn.low, jan.churn.high) == (expected.low, expected.high)


def test_the_lifetime_value_is_revenue_per_customer_month_over_monthly_churn() -> None:
    clv = cx.lifetime_value(worked_example())
    assert clv.revenue_per_customer_month == Decimal(50)  # 148,500 / 2,970
    assert clv.monthly_churn == pytest.approx(60 / 2970)  # 2.02%
    assert clv.lifetime_months == pytest.approx(49.5)
    assert clv.value is not None
    assert float(clv.value) == pytest.approx(2475.0)
    assert clv.months == 3 and clv.reason == ""


def test_no_lifetime_value_without_churn_or_revenue() -> None:
    no_churn = cx.lifetime_value([cx.month_customers(JAN, 100, 0, 5, Decimal(1000))])
    assert no_churn.value is None and "No customers were lost" in no_churn.reason
    no_revenue = cx.lifetime_value([cx.month_customers(JAN, 100, 5, 5, None)])
    assert no_revenue.value is None and "No revenue" in no_revenue.reason
    assert no_revenue.lifetime_months == pytest.approx(20)
    empty = cx.lifetime_value([cx.month_customers(JAN, 0, 0, 5, None)])
    assert empty.value is None and empty.months == 0


def test_months_without_revenue_do_not_dilute_revenue_per_customer() -> None:
    clv = cx.lifetime_value(
        [
            cx.month_customers(JAN, 100, 10, 0, Decimal(2000)),
            cx.month_customers(FEB, 100, 10, 0, None),
        ]
    )
    assert clv.revenue_per_customer_month == Decimal(20)
    assert clv.monthly_churn == pytest.approx(0.1)
    assert clv.value is not None and float(clv.value) == pytest.approx(200)


def test_the_month_range_ends_with_the_current_month() -> None:
    assert cx.month_range(dt.date(2026, 2, 14), 3) == [dt.date(2025, 12, 1), JAN, FEB]


# --- Database aggregates --------------------------------------------------------------------------


def feedback(org: Org, **values: Any) -> CustomerFeedback:
    values.setdefault("csat", None)
    values.setdefault("nps", None)
    return CustomerFeedbackFactory(team=org.team, received_at=timezone.now(), **values)


@pytest.mark.django_db
def test_the_trends_compute_each_month_from_the_answers(org: Org) -> None:
    for answer in (5, 4, 3, 2, 1):
        feedback(org, csat=answer)
    for answer in (10, 9, 8, 0):
        feedback(org, nps=answer)
    feedback(org, ces=7, ces_version="7pt-agree")
    feedback(org, ces=6, ces_version="7pt-agree")
    feedback(org, ces=1, ces_version="5pt-effort")
    months = cx.month_range(timezone.localdate(), 2)
    trends = cx.feedback_trends(CustomerFeedback.objects.all(), months)
    this_month = months[-1]
    assert trends.csat[this_month].value == pytest.approx(0.4)
    assert trends.csat[this_month] == stats.csat([5, 4, 3, 2, 1])
    assert trends.nps[this_month].value == pytest.approx(25.0)
    assert trends.nps[this_month] == stats.nps([10, 9, 8, 0])
    # The two CES versions stay apart: never one figure from both.
    assert trends.ces["7pt-agree"][this_month].value == pytest.approx(6.5)
    assert trends.ces["5pt-effort"][this_month].n == 1
    assert months[0] not in trends.csat


@pytest.mark.django_db
def test_customer_months_sum_in_the_database(org: Org) -> None:
    CustomerPeriod.objects.create(month=JAN, customers_at_start=1000, customers_lost=20)
    CustomerPeriod.objects.create(
        month=FEB, customers_at_start=980, customers_lost=30, revenue=Decimal("49000")
    )
    rows = cx.customer_months(CustomerPeriod.objects.all(), [JAN, FEB])
    assert [(r.month, r.at_start, r.lost, r.revenue) for r in rows] == [
        (JAN, 1000, 20, None),
        (FEB, 980, 30, Decimal("49000")),
    ]


# --- The page -------------------------------------------------------------------------------------


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


@pytest.mark.django_db
def test_hr_sees_the_trends_and_the_estimate_with_its_formula(
    client: Client, org: Org, hr: User
) -> None:
    feedback(org, csat=5, nps=10)
    CustomerPeriod.objects.create(
        month=this_month(), customers_at_start=1000, customers_lost=20, revenue=Decimal("50000")
    )
    response = signed_in(client, hr).get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert "CSAT % (answers of 4 or 5) by month" in body
    assert "NPS by month" in body
    assert "Show as table" in body
    assert "Estimate" in body
    assert "lifetime value = revenue per customer per month ÷ monthly churn" in body
    assert "2,500" in body  # 50 per customer per month / 2% churn
    assert "2.0%" in body


@pytest.mark.django_db
def test_without_customer_figures_the_page_explains_how_to_import(
    client: Client, org: Org, admin: User
) -> None:
    body = signed_in(client, admin).get(URL).content.decode()
    assert "No customer figures imported for this period" in body
    assert "POST /api/v1/customer-periods" in body
    assert reverse("engagement:customer_import") in body
    assert "2,500" not in body and 'id="cx-clv"' not in body


@pytest.mark.django_db
def test_the_team_filter_narrows_feedback_and_customer_figures_to_the_subtree(
    client: Client, org: Org, hr: User
) -> None:
    feedback(org, csat=5)
    CustomerFeedbackFactory(team=org.other_team, received_at=timezone.now(), csat=1, nps=None)
    CustomerPeriod.objects.create(month=this_month(), team=org.team, customers_at_start=77)
    client = signed_in(client, hr)
    body = client.get(URL, {"team": org.support.pk}).content.decode()
    assert "Support and the teams below it" in body
    assert "No customer figures imported" in body  # figures were imported for Billing only
    body = client.get(URL, {"team": org.team.pk}).content.decode()
    assert ">77<" in body


@pytest.mark.django_db
def test_the_htmx_request_gets_the_results_fragment(client: Client, org: Org, hr: User) -> None:
    body = signed_in(client, hr).get(URL, headers=HTMX).content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="cx-results">')


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, org: Org) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "lead", "qa_manager"])
def test_roles_without_the_right_are_refused(client: Client, role: str, request: Any) -> None:
    assert signed_in(client, request.getfixturevalue(role)).get(URL).status_code == 403


@pytest.mark.django_db
def test_a_team_outside_hrs_reach_is_not_found(client: Client, org: Org) -> None:
    support_hr = person_with_role(Role.HR, org.support)
    client = signed_in(client, support_hr)
    assert client.get(URL, {"team": org.team.pk}).status_code == 200
    assert client.get(URL, {"team": org.other_team.pk}).status_code == 404
    assert client.get(URL, {"team": "abc"}).status_code == 404


@pytest.mark.django_db
def test_a_bad_period_is_reported_not_a_500(client: Client, org: Org, hr: User) -> None:
    response = signed_in(client, hr).get(URL, {"months": "999"})
    assert response.status_code == 200
    assert "Some filters were not used" in response.content.decode()


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_data(
    client: Client, org: Org, hr: User, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(client, hr)
    feedback(org, csat=4, nps=9, ces=5, ces_version="7pt-agree")
    CustomerPeriod.objects.create(month=this_month(), customers_at_start=10, customers_lost=1)
    client.get(URL)
    with django_assert_max_num_queries(9):
        assert client.get(URL).status_code == 200
    for i in range(30):
        feedback(org, csat=1 + i % 5, nps=i % 11, ces=1 + i % 5, ces_version="5pt-effort")
    for m in range(1, 12):
        month = (this_month() - dt.timedelta(days=28 * m)).replace(day=1)
        CustomerPeriod.objects.get_or_create(
            month=month, team=None, defaults={"customers_at_start": 10}
        )
    # A team filter costs one more query (the team itself).
    with django_assert_max_num_queries(10):
        assert client.get(URL, {"team": org.support.pk}).status_code == 200
