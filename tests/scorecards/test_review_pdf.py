"""The review PDF: the page's template printed by WeasyPrint, read back with poppler's tools."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qa_platform.people.models import User
from scorecards.models import QualitySettings
from scorecards.pdf import StaticFileFetcher, render_review_html, render_review_pdf
from tests.conftest import Org
from tests.scorecards.factories import demo_definition
from tests.scorecards.test_review_pages import FATAL, WITH_NA, graded_review

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils is not installed (apt-get install poppler-utils)",
)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "review.pdf"
    path.write_bytes(content)
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    )
    return " ".join(result.stdout.split())


def pdf_fonts(content: bytes, tmp_path: Path) -> list[list[str]]:
    """pdffonts' table: one row per font, columns split on whitespace (name first, emb fifth
    from the end: `emb sub uni object ID`)."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    result = subprocess.run(  # noqa: S603
        ["pdffonts", str(path)],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    )
    lines = result.stdout.splitlines()
    return [line.split() for line in lines[2:] if line.strip()]


def test_the_pdf_carries_the_agent_the_final_score_and_every_criterion(
    agent: User, reviewer: User, org: Org, tmp_path: Path
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer, comment="Thorough and kind.")

    content = render_review_pdf(review, agent)

    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    assert agent.get_full_name() in text
    assert "87.5" in text
    assert "Pass" in text
    for criterion in demo_definition().criteria:
        assert criterion.title in text
    assert "(100.0 + 100.0 + 150.0) / 4 = 87.5" in text
    assert "Thorough and kind." in text
    assert org.root.name in text  # the organisation, in the header
    assert "Generated" in text
    assert "Page 1 of" in text
    # No navigation chrome and no buttons in print.
    assert "Skip to content" not in text
    assert "Download PDF" not in text
    assert "How is this computed?" not in text


def test_every_font_in_the_pdf_is_embedded(agent: User, reviewer: User, tmp_path: Path) -> None:
    review = graded_review(agent=agent, reviewer=reviewer, ratings=FATAL)

    fonts = pdf_fonts(render_review_pdf(review, agent), tmp_path)

    assert fonts, "the PDF names no fonts"
    for row in fonts:
        assert row[-5] == "yes", f"font not embedded: {' '.join(row)}"
    assert any("DejaVu" in row[0] or "Liberation" in row[0] for row in fonts)


def test_the_pdf_shows_the_fatal_override_and_na_exclusions(
    agent: User, reviewer: User, tmp_path: Path
) -> None:
    fatal = graded_review(agent=agent, reviewer=reviewer, ratings=FATAL)
    na = graded_review(agent=agent, reviewer=reviewer, ratings=WITH_NA)

    fatal_text = pdf_text(render_review_pdf(fatal, agent), tmp_path)
    na_text = pdf_text(render_review_pdf(na, agent), tmp_path)

    assert "Final 0 because 'Verifies the customer's identity' failed" in fatal_text
    assert "Fatal" in fatal_text and "Fail" in fatal_text
    assert "N/A: Greets the customer (left out of both sums)" in na_text


def test_the_pdf_hides_the_reviewer_from_the_agent_like_the_page(
    agent: User, reviewer: User, lead: User, tmp_path: Path
) -> None:
    settings = QualitySettings.load()
    settings.hide_reviewer_from_agents = True
    settings.save()
    review = graded_review(agent=agent, reviewer=reviewer)

    assert "A QA reviewer" in pdf_text(render_review_pdf(review, agent), tmp_path)
    assert reviewer.get_full_name() in pdf_text(render_review_pdf(review, lead), tmp_path)


def test_the_pdf_html_is_the_page_template_without_navigation(agent: User, reviewer: User) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)

    html = render_review_html(review, agent)

    assert "scorecards/print.css" in html
    assert 'aria-label="Main"' not in html
    assert "css/app.css" not in html
    assert "<script" not in html
    assert 'id="review"' in html


def test_the_fetcher_reads_static_files_from_disk_and_refuses_anything_else() -> None:
    fetcher = StaticFileFetcher()

    css = fetcher.fetch(f"{fetcher.static_base}scorecards/print.css")
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    for url in (
        "https://example.com/evil.css",
        "http://127.0.0.1:8000/static/scorecards/print.css",
        f"{fetcher.static_base}../../etc/passwd",
        f"{fetcher.static_base}scorecards/missing.css",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_pdf_download_is_a_pdf_attachment_for_everyone_who_sees_the_page(
    agent: User, reviewer: User, lead: User, qa_manager: User
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    url = reverse("scorecards:review_pdf", args=[review.pk])
    for person in (agent, lead, qa_manager, reviewer):
        client = Client()
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith(
            f'attachment; filename="review-{review.pk}-'
        )
        assert response.content.startswith(b"%PDF")


def test_the_pdf_download_is_404_outside_the_team_and_asks_anonymous_people_to_sign_in(
    agent: User, reviewer: User, other_team_lead: User, hr: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    url = reverse("scorecards:review_pdf", args=[review.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    for person in (other_team_lead, hr):
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_the_pdf_download_makes_a_fixed_number_of_queries(
    agent: User, reviewer: User, django_assert_max_num_queries: Any
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    QualitySettings.load()
    client = Client()
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("scorecards:review_pdf", args=[review.pk])).status_code == 200
