"""Leak tests: what a reader of results can learn about a small group, and what the database keeps.

The organisation: Support holds Billing (4 respondents, the lead's team), Tech (12) and Phones (9);
Sales holds Renewals (10). Two worlds differ only in which of Billing's and Tech's people gave which
answers (Billing's 4 swap answers with 4 of Tech's), so Support, its other teams and every larger
group have exactly the same answers in both. Whatever the lead of Billing can open must be the same
in both worlds: if any page, fragment or filter depended on Billing's own answers, it would differ.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from qa_platform.engagement import anonymity, publishing
from qa_platform.engagement.models import (
    DIMENSIONS,
    Answer,
    Invitation,
    ItemResult,
    PrivacyMode,
    QuestionScale,
    Response,
    Survey,
    SurveyQuestion,
)
from qa_platform.engagement.services.responses import submit_response
from qa_platform.people.models import Team, User
from tests.conftest import Org, signed_in
from tests.engagement.factories import launched_survey, team_with_members
from tests.engagement.factories_results import default_answer, results_survey
from tests.people.factories import TeamFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LOCATIONS = ("Lisbon", "Porto")
TENURES = ("Under 1 year", "1–3 years")


def attributes(i: int, team: Team) -> dict[str, str]:
    """By position only, so swapped people keep the same attributes."""
    return {"location": LOCATIONS[i % 2], "role": "Agent", "tenure_band": TENURES[(i // 2) % 2]}


@pytest.fixture
def phones(org: Org) -> Team:
    return TeamFactory(name="Phones", parent=org.support)


def world(org: Org, phones: Team, *, swapped: bool) -> Survey:
    def answer(i: int, team: Team, question: SurveyQuestion) -> object:
        if swapped and i < 4 and team == org.team:
            return default_answer(i, org.sibling_team, question)
        if swapped and i < 4 and team == org.sibling_team:
            return default_answer(i, org.team, question)
        return default_answer(i, team, question)

    return results_survey(
        [(org.team, 4), (org.sibling_team, 12), (phones, 9), (org.other_team, 10)],
        template_key="pulse",
        title="Leak test survey",
        attributes=attributes,
        answer=answer,
    )


def normalise(html: str, survey: Survey) -> str:
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'CSRFToken": "[^"]*"', "", html)
    html = html.replace(f"/results/{survey.pk}/", "/results/N/")
    html = html.replace(f"/surveys/{survey.pk}/", "/surveys/N/")
    # Comments are shown in a fixed shuffled order per survey: compare them as a set.
    items = sorted(re.findall(r"<li><blockquote>.*?</blockquote></li>", html, flags=re.S))
    html = re.sub(r"<li><blockquote>.*?</blockquote></li>", "", html, flags=re.S)
    return html + "".join(items)


def filter_combinations() -> list[dict[str, str]]:
    combos = []
    for location, role, tenure in itertools.product(
        ("", *LOCATIONS), ("", "Agent"), ("", *TENURES)
    ):
        chosen = {"location": location, "role": role, "tenure_band": tenure}
        combos.append({k: v for k, v in chosen.items() if v})
    return combos


def lead_urls(survey: Survey, org: Org) -> list[tuple[str, dict[str, str]]]:
    questions = SurveyQuestion.objects.filter(survey=survey).order_by("order")
    urls: list[tuple[str, dict[str, str]]] = [
        (reverse("engagement:results_overview", args=[survey.pk]), {}),
        (reverse("engagement:results_overview", args=[survey.pk]), {"team": str(org.team.pk)}),
        (reverse("engagement:results_heatmap", args=[survey.pk]), {}),
    ]
    for question in questions:
        name = (
            "engagement:results_comments"
            if question.scale == QuestionScale.COMMENT
            else "engagement:results_item"
        )
        for combo in filter_combinations():
            urls.append((reverse(name, args=[survey.pk, question.key]), combo))
    return urls


def test_the_lead_of_a_four_person_team_learns_nothing_from_any_page_fragment_or_filter(
    client: Client, org: Org, phones: Team, lead: User
) -> None:
    first = world(org, phones, swapped=False)
    second = world(org, phones, swapped=True)
    signed_in(client, lead)

    compared = 0
    for (url_a, params), (url_b, _) in zip(
        lead_urls(first, org), lead_urls(second, org), strict=True
    ):
        for headers in ({}, HTMX):
            page_a = client.get(url_a, params, headers=headers)
            page_b = client.get(url_b, params, headers=headers)
            assert page_a.status_code == page_b.status_code == 200, (url_a, params)
            assert normalise(page_a.content.decode(), first) == normalise(
                page_b.content.decode(), second
            ), (url_a, params, headers)
            compared += 1
    assert compared > 100


def test_no_stored_result_shows_the_four_person_team_in_any_filter_combination(
    org: Org, phones: Team
) -> None:
    survey = world(org, phones, swapped=False)

    billing = str(org.team.pk)
    for row in ItemResult.objects.filter(survey=survey).exclude(item_key=publishing.META_KEY):
        for key in row.shown:
            assert key.split("|")[0] != billing, (row.item_key, key)


def test_the_lead_sees_the_rolled_up_parent_result_with_a_note_never_their_teams_figure(
    client: Client, org: Org, phones: Team, lead: User
) -> None:
    survey = world(org, phones, swapped=False)

    html = (
        signed_in(client, lead)
        .get(reverse("engagement:results_overview", args=[survey.pk]))
        .content.decode()
    )

    assert "Support&#x27;s result" in html or "Support's result" in html
    assert "n = 25" in html  # Support: 4 + 12 + 9
    assert "n = 4" not in html


def test_comments_under_ten_are_hidden(client: Client, org: Org, hr: User) -> None:
    def answer(i: int, team: Team, question: SurveyQuestion) -> object:
        if question.scale == QuestionScale.COMMENT and not (team == org.team and i < 9):
            return None  # nine comments in Billing, none anywhere else
        return default_answer(i, team, question)

    survey = results_survey([(org.team, 12), (org.other_team, 10)], answer=answer)
    signed_in(client, hr)

    for team in (org.team, org.support, org.root):
        html = client.get(
            reverse("engagement:results_comments", args=[survey.pk, "comment.change"]),
            {"team": team.pk},
        ).content.decode()
        assert "Comment 0 from Billing" not in html
        assert "hidden" in html


def _members(survey: Survey) -> dict[str, set[int]]:
    """Which respondents (by position) sit in each cell key, from the seeded responses."""
    tree = {t.pk: t for t in Team.objects.all()}
    cells: dict[str, set[int]] = {}
    for position, response in enumerate(Response.objects.filter(survey=survey).order_by("pk")):
        team = tree[response.team_id]
        groups = [str(team.pk), *(p for p in team.path.strip("/").split("/"))]
        attrs = sorted(response.attributes.items())
        for size in range(len(attrs) + 1):
            for chosen in itertools.combinations(attrs, size):
                for group in set(groups):
                    key = publishing.cell_key(anonymity.Cell(group, tuple(chosen)))
                    cells.setdefault(key, set()).add(position)
    return cells


def test_no_combination_of_shown_results_isolates_fewer_than_five_people(
    org: Org, phones: Team
) -> None:
    survey = world(org, phones, swapped=False)
    members = _members(survey)
    people = Response.objects.filter(survey=survey).count()
    billing_people = members[str(org.team.pk)]

    for row in ItemResult.objects.filter(survey=survey).exclude(item_key=publishing.META_KEY):
        if row.kind != "scores" or not row.shown:
            continue
        shown = np.array(
            [[1.0 if p in members[key] else 0.0 for p in range(people)] for key in row.shown]
        )
        rank = np.linalg.matrix_rank(shown)
        # Parent minus children: Billing's four as a set, and each single person, stay out of the
        # span of the shown cells (adding them would raise the rank).
        targets = [billing_people, *({p} for p in range(people))]
        for target in targets:
            vector = np.array([[1.0 if p in target else 0.0 for p in range(people)]])
            assert np.linalg.matrix_rank(np.vstack([shown, vector])) > rank, (
                row.item_key,
                sorted(target),
            )


def test_hr_never_sees_the_parent_and_every_other_child_of_a_hidden_team(
    client: Client, org: Org, phones: Team, hr: User
) -> None:
    survey = world(org, phones, swapped=False)

    for row in ItemResult.objects.filter(survey=survey, kind="scores").exclude(
        item_key=publishing.META_KEY
    ):
        shown = set(row.shown)
        support_and_siblings = {str(org.support.pk), str(org.sibling_team.pk), str(phones.pk)}
        assert not support_and_siblings <= shown, row.item_key


def test_pages_are_identical_whatever_order_they_are_asked_in(
    org: Org, phones: Team, hr: User
) -> None:
    survey = world(org, phones, swapped=False)
    urls = lead_urls(survey, org)[:40]
    forwards, backwards = Client(), Client()
    forwards.force_login(hr)
    backwards.force_login(hr)

    seen = {}
    for url, params in urls:
        seen[(url, tuple(params.items()))] = normalise(
            forwards.get(url, params).content.decode(), survey
        )
    for url, params in reversed(urls):
        again = normalise(backwards.get(url, params).content.decode(), survey)
        assert again == seen[(url, tuple(params.items()))], (url, params)


def test_anonymous_mode_leaves_no_path_from_an_answer_to_a_person(org: Org) -> None:
    team, _people = team_with_members(org.support, 3)
    survey = launched_survey(teams=[team], template_key="pulse", privacy=PrivacyMode.ANONYMOUS)
    questions = SurveyQuestion.objects.filter(survey=survey)
    answers = {
        q.key: (3 if q.scale == QuestionScale.AGREEMENT_5 else 7)
        for q in questions
        if q.scale in (QuestionScale.AGREEMENT_5, QuestionScale.ZERO_TO_TEN)
    }
    for invitation in Invitation.objects.filter(survey=survey):
        submit_response(invitation=invitation, answers=answers)

    # The answer side names nobody: the only column that could is empty in anonymous mode.
    assert Response.objects.filter(survey=survey).count() == 3
    assert not Response.objects.filter(survey=survey, respondent__isnull=False).exists()
    user_model = User
    for model in (Response, Answer):
        for f in model._meta.get_fields():
            if isinstance(f, models.ForeignKey):
                assert f.related_model in (Survey, Team, Response, SurveyQuestion, user_model)
                assert f.related_model is not Invitation
                if f.related_model is user_model:
                    assert (model, f.name) == (Response, "respondent")
            # No time or address that could be lined up with a login or an invitation.
            assert not isinstance(f, models.DateField | models.GenericIPAddressField), f.name
    assert isinstance(Response._meta.pk, models.UUIDField)
    # Nothing on the identity side (or anywhere else) points at a response but its answers.
    for model in apps.get_models():
        for f in model._meta.get_fields():
            relation = isinstance(f, models.ForeignKey | models.ManyToManyField)
            if relation and f.related_model is Response:
                assert model is Answer, model
    for response in Response.objects.filter(survey=survey):
        assert set(response.attributes) <= set(DIMENSIONS)
