"""/quality/frameworks/: the framework list with versions, duplicate, retire, preview."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import User
from qa_platform.people.roles import Role
from scorecards import framework_def as fd
from scorecards.frameworks import blocks_from_definition
from scorecards.models import Framework, FrameworkVersion
from scorecards.services.frameworks import publish_version, retire_framework
from tests.conftest import Org, signed_in
from tests.people.factories import person_with_role
from tests.scorecards.factories import ReviewFactory, demo_definition

pytestmark = pytest.mark.django_db

LIST_URL = reverse("scorecards:frameworks")
HTMX = {"HTTP_HX_REQUEST": "true"}
MAX_QUERIES = 6  # the same for 1 framework or many: versions come in one prefetch


def published(name: str = "Support standard", *, by: User | None = None) -> Framework:
    defn = demo_definition()
    framework = Framework.objects.create(
        name=name,
        scoring_mode=defn.scoring_mode,
        pass_mark=defn.pass_mark,
        use_section_weights=defn.use_section_weights,
        sections=blocks_from_definition(defn),
        live=True,
    )
    publish_version(framework=framework, by=by)
    return framework


def test_qa_managers_see_each_framework_with_its_versions_and_review_counts(
    client: Client, qa_manager: User
) -> None:
    framework = published(by=qa_manager)
    framework.pass_mark = Decimal(90)
    framework.save()
    v2 = publish_version(framework=framework, by=qa_manager)
    ReviewFactory(framework_version=v2)
    ReviewFactory(framework_version=v2)
    Framework.objects.create(name="Chat pilot")

    response = signed_in(client, qa_manager).get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Support standard" in html and "Chat pilot" in html
    assert "v2" in html and "v1" in html
    assert "2 reviews" in html
    assert "not published yet" in html
    assert reverse("wagtailsnippets_scorecards_framework:edit", args=[framework.pk]) in html
    assert reverse("scorecards:framework_version_preview", args=[v2.pk]) in html
    assert "Preview as reviewer" in html


def test_administrators_see_the_list_too(client: Client, admin: User) -> None:
    published()

    response = signed_in(client, admin).get(LIST_URL)

    assert response.status_code == 200
    assert "Support standard" in response.content.decode()


def test_frameworks_belong_to_the_organisation_so_a_qa_manager_of_any_team_sees_them(
    client: Client, org: Org
) -> None:
    published()
    other_qa = person_with_role(Role.QA_MANAGER, org.other_team, email="qa2@example.test")

    response = signed_in(client, other_qa).get(LIST_URL)

    assert response.status_code == 200
    assert "Support standard" in response.content.decode()


def test_an_empty_list_says_what_to_do(client: Client, qa_manager: User) -> None:
    response = signed_in(client, qa_manager).get(LIST_URL)

    assert "No quality frameworks yet" in response.content.decode()


def test_anonymous_people_are_sent_to_sign_in(client: Client, org: Org) -> None:
    framework = published()
    version = framework.versions.get()
    urls = [
        LIST_URL,
        reverse("scorecards:framework_duplicate", args=[framework.pk]),
        reverse("scorecards:framework_version_preview", args=[version.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("scorecards:framework_retire", args=[framework.pk]))
    assert response.status_code == 302
    assert Framework.objects.get().retired_at is None


@pytest.mark.parametrize("role", ["agent", "reviewer", "lead", "hr"])
def test_other_roles_are_refused(client: Client, request: Any, role: str) -> None:
    person = request.getfixturevalue(role)
    framework = published()
    version = framework.versions.get()
    client = signed_in(client, person)

    assert client.get(LIST_URL).status_code == 403
    assert (
        client.get(reverse("scorecards:framework_version_preview", args=[version.pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("scorecards:framework_duplicate", args=[framework.pk])).status_code
        == 403
    )
    retire = client.post(reverse("scorecards:framework_retire", args=[framework.pk]))
    assert retire.status_code == 403
    assert Framework.objects.get().retired_at is None
    assert Framework.objects.count() == 1


def test_unknown_frameworks_and_versions_are_not_found(client: Client, qa_manager: User) -> None:
    client = signed_in(client, qa_manager)

    assert (
        client.get(reverse("scorecards:framework_version_preview", args=[999])).status_code == 404
    )
    assert client.get(reverse("scorecards:framework_duplicate", args=[999])).status_code == 404
    assert client.post(reverse("scorecards:framework_retire", args=[999])).status_code == 404
    assert client.post(reverse("scorecards:framework_reinstate", args=[999])).status_code == 404


def test_the_htmx_request_gets_the_list_fragment(client: Client, qa_manager: User) -> None:
    published()

    response = signed_in(client, qa_manager).get(LIST_URL, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="framework-list"' in html
    assert "Support standard" in html


def test_the_list_needs_the_same_queries_for_one_framework_and_many(
    client: Client, qa_manager: User, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(client, qa_manager)
    published("Framework 0")
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(LIST_URL).status_code == 200

    for n in range(1, 8):
        framework = published(f"Framework {n}")
        framework.pass_mark = Decimal(70)
        framework.save()
        ReviewFactory(framework_version=publish_version(framework=framework))
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(LIST_URL).status_code == 200


def test_retiring_redirects_back_with_a_notice(client: Client, qa_manager: User) -> None:
    framework = published()

    response = signed_in(client, qa_manager).post(
        reverse("scorecards:framework_retire", args=[framework.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == f"{LIST_URL}#framework-{framework.pk}"
    framework.refresh_from_db()
    assert framework.retired_at is not None
    html = response.content.decode()
    assert "Retired Support standard" in html
    assert "Reinstate" in html
    assert AuditEvent.objects.filter(action="framework.retired", actor=qa_manager).exists()


def test_retiring_with_htmx_returns_the_refreshed_card(client: Client, qa_manager: User) -> None:
    framework = published()

    response = signed_in(client, qa_manager).post(
        reverse("scorecards:framework_retire", args=[framework.pk]), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="framework-{framework.pk}"' in html
    assert 'pill-warning">Retired' in html
    assert 'role="status"' in html


def test_reinstating_puts_the_framework_back_in_use(client: Client, qa_manager: User) -> None:
    framework = published()
    retire_framework(framework=framework, by=qa_manager)

    response = signed_in(client, qa_manager).post(
        reverse("scorecards:framework_reinstate", args=[framework.pk])
    )

    assert response.status_code == 302
    framework.refresh_from_db()
    assert framework.retired_at is None
    assert list(Framework.objects.in_use()) == [framework]


def test_retiring_needs_a_post(client: Client, qa_manager: User) -> None:
    framework = published()

    response = signed_in(client, qa_manager).get(
        reverse("scorecards:framework_retire", args=[framework.pk])
    )

    assert response.status_code == 405
    assert Framework.objects.get().retired_at is None


def test_duplicating_shows_a_form_then_opens_the_copy_in_the_editor(
    client: Client, qa_manager: User
) -> None:
    framework = published()
    url = reverse("scorecards:framework_duplicate", args=[framework.pk])
    client = signed_in(client, qa_manager)

    form = client.get(url)
    assert form.status_code == 200
    assert 'value="Copy of Support standard"' in form.content.decode()

    response = client.post(url, {"name": "Support standard 2026"})

    copy = Framework.objects.get(name="Support standard 2026")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "wagtailsnippets_scorecards_framework:edit", args=[copy.pk]
    )
    assert copy.live is False
    assert not copy.versions.exists()


def test_duplicating_without_a_name_shows_the_error_and_creates_nothing(
    client: Client, qa_manager: User
) -> None:
    framework = published()

    response = signed_in(client, qa_manager).post(
        reverse("scorecards:framework_duplicate", args=[framework.pk]), {"name": "  "}
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Framework.objects.count() == 1


def test_duplicating_with_htmx_redirects_the_page_and_errors_come_back_as_the_form(
    client: Client, qa_manager: User
) -> None:
    framework = published()
    url = reverse("scorecards:framework_duplicate", args=[framework.pk])
    client = signed_in(client, qa_manager)

    bad = client.post(url, {"name": ""}, **HTMX)
    assert bad.status_code == 200
    assert "<html" not in bad.content.decode()
    assert 'id="page-form"' in bad.content.decode()

    good = client.post(url, {"name": "Copy"}, **HTMX)
    assert good.status_code == 200
    copy = Framework.objects.get(name="Copy")
    assert good["HX-Redirect"] == reverse(
        "wagtailsnippets_scorecards_framework:edit", args=[copy.pk]
    )


def test_preview_as_reviewer_shows_the_criteria_as_graded(client: Client, qa_manager: User) -> None:
    defn = demo_definition()
    five = defn.criterion("empathy")
    fatal_na = fd.Criterion(
        key="card-data",
        title="Keeps card data out of the chat",
        guidance="",
        scale="yes_no",
        options=(
            fd.ScaleOption(Decimal(1), "Yes", "No card number typed or read out."),
            fd.ScaleOption(Decimal(0), "No", "A card number appeared."),
        ),
        severity="fatal",
        na_allowed=True,
        na_rule="No payment was taken",
    )
    sections = (
        *defn.sections[:-1],
        fd.Section("resolution", "Resolution", None, (five, fatal_na, defn.criteria[-1])),
    )
    version = FrameworkVersion.objects.create(
        framework=Framework.objects.create(name="Preview me"),
        number=3,
        definition=fd.to_json(
            fd.FrameworkDef("Preview me", "weighted", Decimal(80), False, sections)
        ),
        published_at=timezone.now(),
    )

    response = signed_in(client, qa_manager).get(
        reverse("scorecards:framework_version_preview", args=[version.pk])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Version 3" in html
    assert "Opening" in html and "Resolution" in html
    assert "Verifies the customer&#x27;s identity" in html
    assert "Fatal" in html
    assert "the review's final score is 0" in html
    assert "Excellent" in html  # the 5-point scale's labels
    assert "No card number typed or read out." in html  # guidance per option
    assert "When: No payment was taken." in html
    assert "N/A" in html
    assert "Knowledge gap, Behaviour" in html  # root causes
    assert "Question · not scored" in html
    assert "Weight 2" in html


def test_preview_as_reviewer_for_htmx_is_the_criteria_fragment(
    client: Client, qa_manager: User
) -> None:
    version = published().versions.get()

    response = signed_in(client, qa_manager).get(
        reverse("scorecards:framework_version_preview", args=[version.pk]), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="framework-preview"' in html
