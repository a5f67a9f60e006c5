"""Reviews as people read them.

- the agent's own reviews (`my_reviews`) and the "Reviews to read" card on the agent's home;
- a review's page (`review`) with the arithmetic behind its score, its PDF (`review_pdf`, the same
  template through scorecards.pdf) and the agent's acknowledgement (`review_acknowledge`);
- the list of reviews for leads, QA managers and administrators (`reviews`) and its CSV export
  (`reviews_export`), sharing one filter form.

Every view fetches through `Review.objects.visible_to(user)` (404 when not visible) and checks the
role (403 when visible but not allowed). Scores on a review's page are always recomputed from its
ratings under the review's own framework version; lists show the stored scores.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Prefetch,
    Q,
    Window,
)
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from qa_platform.http import AuthedRequest
from qa_platform.people.access import get_visible_or_404, require_role, teams_q
from qa_platform.people.models import Team, User
from qa_platform.people.roles import Role
from qa_platform.widgets import FastSelect
from scorecards import scoring
from scorecards.access import OVERVIEW_ROLES
from scorecards.framework_def import Criterion, FrameworkDef
from scorecards.models import (
    Channel,
    Framework,
    FrameworkVersion,
    QualitySettings,
    Review,
    ReviewPurpose,
    ReviewQuerySet,
    ReviewRating,
)
from scorecards.services.reviews import acknowledge_review, ratings_of

MY_REVIEWS_PAGE_SIZE = 25
REVIEWS_PAGE_SIZE = 50
HOME_CARD_LIMIT = 5
HIDDEN_REVIEWER = "A QA reviewer"
HOW_SCORES_WORK_PATH = "/quality/how-scores-work/"
DETAIL_TEMPLATE = "scorecards/reviews/review_detail.html"
# Spreadsheet programs run cells starting with these as formulas (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _is_htmx(request: AuthedRequest) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def how_scores_work_url() -> str:
    """The page explaining the scoring rules (another feature's URL; a fixed path until then)."""
    try:
        return reverse("scorecards:how_scores_work")
    except NoReverseMatch:
        return HOW_SCORES_WORK_PATH


def _with_people(reviews: ReviewQuerySet) -> ReviewQuerySet:
    return reviews.select_related(
        "interaction", "framework_version__framework", "reviewer", "agent", "team"
    )


def _channel_label(channel: str) -> str:
    try:
        return str(Channel(channel).label)
    except ValueError:
        return channel.capitalize()


def _attach_display(reviews: Iterable[Review]) -> None:
    """Scores as people read them (one decimal, half up), computed once per row."""
    for review in reviews:
        review.channel_label = _channel_label(review.channel)  # type: ignore[attr-defined]
        review.final_display = scoring.display(review.final_score)  # type: ignore[attr-defined]
        review.raw_display = scoring.display(review.raw_score)  # type: ignore[attr-defined]


def reviewer_name(review: Review, viewer: Any, *, hide_from_agents: bool) -> str:
    """The reviewer's name, or "A QA reviewer" for the agent when the organisation hides it."""
    if hide_from_agents and viewer.pk == review.agent_id:
        return HIDDEN_REVIEWER
    return review.reviewer.get_full_name()


def _hide_reviewer(viewer: Any, reviews: Iterable[Review]) -> bool:
    """Read the setting only when the viewer is the agent of one of the reviews."""
    if any(r.agent_id == viewer.pk for r in reviews):
        return bool(QualitySettings.load().hide_reviewer_from_agents)
    return False


def _own_reviews(user: User) -> ReviewQuerySet:
    """The person's own published quality reviews (calibration grading is not published)."""
    return (
        Review.objects.visible_to(user)
        .filter(agent=user, purpose=ReviewPurpose.QUALITY)
        .submitted()
    )


def reviews_to_read(user: User, limit: int = HOME_CARD_LIMIT) -> tuple[list[Review], int]:
    """Up to `limit` unacknowledged reviews of the person's work, newest first, and how many
    there are in all (one query: the total rides along as a window count)."""
    rows: list[Review] = list(
        _own_reviews(user)
        .filter(acknowledged_at__isnull=True)
        .select_related("framework_version__framework")
        .annotate(total=Window(Count("pk")))
        .order_by("-submitted_at", "-pk")[:limit]
    )
    _attach_display(rows)
    total: int = getattr(rows[0], "total", 0) if rows else 0
    return rows, total


# ---------------------------------------------------------------------------------------------
# My reviews
# ---------------------------------------------------------------------------------------------


@require_GET
def my_reviews(request: AuthedRequest) -> HttpResponse:
    """The agent's own submitted reviews: the ones still to acknowledge first, then newest."""
    require_role(request.user, Role.AGENT)
    reviews = (
        _own_reviews(request.user)
        .select_related("framework_version__framework")
        .annotate(
            pending=ExpressionWrapper(Q(acknowledged_at__isnull=True), output_field=BooleanField())
        )
        .order_by("-pending", "-submitted_at", "-pk")
    )
    paginator = Paginator(reviews, MY_REVIEWS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    _attach_display(page.object_list)
    context = {
        "page_obj": page,
        "reviews": page.object_list,
        "pending_count": _own_reviews(request.user).filter(acknowledged_at__isnull=True).count()
        if paginator.count
        else 0,
        "review_url": reverse("scorecards:reviews"),  # a review is "<list>/<pk>/"
    }
    template = "scorecards/reviews/my_reviews.html"
    return render(request, f"{template}#results" if _is_htmx(request) else template, context)


# ---------------------------------------------------------------------------------------------
# A review's page (and the PDF's context)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    kind: str  # "quote" or "time"
    text: str  # the quoted words, or the recording time as m:ss
    where: str  # "message 3", "at 2:05 in the recording"


@dataclass(frozen=True)
class CriterionRow:
    result: scoring.CriterionResult
    criterion: Criterion
    rating: ReviewRating | None
    answer: str  # a non-scoring question's answer
    evidence: tuple[Evidence, ...]
    value: str  # the chosen value as written ("4", "1")
    scale: str  # the scale's range, e.g. 1 to 5 written with an en dash
    normalised: str  # "75.0"
    weight: str  # "2" (weighted) or "10" (points)
    earned: str  # this criterion's share of the numerator: "150.0" or "7.5"


@dataclass(frozen=True)
class SectionBlock:
    key: str
    title: str
    score: str
    weight: str
    rows: tuple[CriterionRow, ...]


def _number(value: Decimal | None) -> str:
    """2, 2.5, 100: no exponent, no trailing zeros."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _recording_time(seconds: Any) -> str:
    try:
        total = max(0, int(seconds))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _evidence(items: Any) -> tuple[Evidence, ...]:
    """Quotes from the transcript and recording times, skipping anything malformed."""
    found: list[Evidence] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("kind") == "quote" and str(item.get("text", "")).strip():
            message = item.get("message")
            where = f"message {int(message) + 1}" if isinstance(message, int) else ""
            found.append(Evidence("quote", str(item["text"]).strip(), where))
        elif item.get("kind") == "time" and (when := _recording_time(item.get("seconds"))):
            note = str(item.get("note", "")).strip()
            found.append(Evidence("time", note, f"at {when} in the recording"))
    return tuple(found)


def _answer(criterion: Criterion, result: scoring.CriterionResult, raw: Any) -> str:
    """A non-scoring question's answer: its option label when it names an option."""
    if result.label:
        return result.label
    if raw in (None, ""):
        return ""
    try:
        option = criterion.option_for(Decimal(str(raw)))
    except ArithmeticError:
        option = None
    return option.label if option else str(raw)


def _sections(
    defn: FrameworkDef, result: scoring.ReviewScore, review: Review
) -> list[SectionBlock]:
    ratings = {r.criterion_key: r for r in review.ratings.all()}
    results = {r.key: r for r in result.criteria}
    section_scores = {s.key: s for s in result.sections}
    answers = review.answers if isinstance(review.answers, dict) else {}
    points = defn.scoring_mode == "points"
    blocks = []
    for section in defn.sections:
        rows = []
        for criterion in section.criteria:
            r = results[criterion.key]
            rating = ratings.get(criterion.key)
            rows.append(
                CriterionRow(
                    result=r,
                    criterion=criterion,
                    rating=rating,
                    answer="" if r.scoring else _answer(criterion, r, answers.get(criterion.key)),
                    evidence=_evidence(rating.evidence) if rating else (),
                    value=_number(r.value),
                    scale=f"{_number(r.minimum)}\u2013{_number(r.maximum)}",
                    normalised=scoring.display(r.normalised),
                    weight=_number(r.points if points else r.weight),
                    earned=scoring.display(r.earned),
                )
            )
        score = section_scores.get(section.key)
        blocks.append(
            SectionBlock(
                key=section.key,
                title=section.title,
                score=scoring.display(score.score if score else None),
                weight=_number(section.weight),
                rows=tuple(rows),
            )
        )
    return blocks


def _quoted_titles(titles: list[str]) -> str:
    quoted = [f"'{t}'" for t in titles]
    if len(quoted) < 2:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def fatal_sentence(result: scoring.ReviewScore) -> str:
    """Why the final score is 0, e.g. "Final 0 because 'Verifies identity' failed; the criteria
    add up to 62.5."; empty when no fatal criterion failed."""
    if not result.fatal_failures:
        return ""
    titles = [r.title for r in result.criteria if r.fatal_failed]
    adds_up = (
        f"the criteria add up to {scoring.display(result.raw)}"
        if result.raw is not None
        else "nothing else was scored"
    )
    final = _number(result.final)  # always 0 here
    return f"Final {final} because {_quoted_titles(titles)} failed; {adds_up}."


def review_detail_queryset(viewer: Any) -> ReviewQuerySet:
    return _with_people(Review.objects.visible_to(viewer)).prefetch_related(
        Prefetch("ratings", queryset=ReviewRating.objects.order_by("pk"))
    )


def review_context(review: Review, viewer: Any, *, pdf: bool = False) -> dict[str, Any]:
    """Everything the review template shows; the page and the PDF share it.

    `review` comes from `review_detail_queryset` (people, interaction, version and ratings
    loaded). The score is recomputed from the ratings under the review's own framework version.
    """
    version: FrameworkVersion = review.framework_version
    defn = version.defn
    result = scoring.score_review(defn, ratings_of(review))
    is_agent = viewer.pk == review.agent_id
    hide = _hide_reviewer(viewer, [review])
    points = defn.scoring_mode == "points"
    fatal_keys = set(result.fatal_failures)
    return {
        "review": review,
        "interaction": review.interaction,
        "framework_name": version.framework.name,
        "version_number": version.number,
        "framework_description": f"{version.framework.name}, version {version.number}",
        "defn": defn,
        "score": result,
        "final": scoring.display(result.final),
        "raw": scoring.display(result.raw),
        "pass_mark": _number(result.pass_mark),
        "fatal_sentence": fatal_sentence(result),
        "fatal_titles": [r.title for r in result.criteria if r.key in fatal_keys],
        "explanation": result.explanation(),
        "sections": _sections(defn, result, review),
        "na_titles": [r.title for r in result.criteria if r.na],
        "points_mode": points,
        "weight_label": "Points" if points else "Weight",
        "reviewer_name": reviewer_name(review, viewer, hide_from_agents=hide),
        "is_agent": is_agent,
        "can_acknowledge": is_agent and review.acknowledged_at is None and review.is_submitted,
        "how_url": how_scores_work_url(),
        "pdf": pdf,
        "base_template": "scorecards/reviews/print_base.html" if pdf else "base.html",
        "crumbs": None
        if is_agent
        else [("Reviews", reverse("scorecards:reviews")), (f"Review {review.pk}", None)],
    }


def page_title(context: dict[str, Any]) -> str:
    review: Review = context["review"]
    channel = review.interaction.get_channel_display().lower()
    day = timezone.localtime(review.interaction_started_at).strftime("%-d %b %Y")
    if context["is_agent"]:
        return f"Review of your {channel} on {day}"
    return f"Review of {review.agent.get_full_name()}'s {channel} on {day}"


@require_GET
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    review = get_visible_or_404(review_detail_queryset(request.user), pk=pk)
    context = review_context(review, request.user)
    context["title"] = page_title(context)
    template = f"{DETAIL_TEMPLATE}#review" if _is_htmx(request) else DETAIL_TEMPLATE
    return render(request, template, context)


@require_POST
def review_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    """The agent confirms they read the review. Others who can see it get 403."""
    review = get_visible_or_404(review_detail_queryset(request.user), pk=pk)
    if review.agent_id != request.user.pk:
        raise PermissionDenied("Only the reviewed agent acknowledges a review.")
    already = review.acknowledged_at is not None
    review.acknowledged_at = acknowledge_review(
        review=review, by=request.user, request=request
    ).acknowledged_at
    if already:
        messages.info(request, "You had already acknowledged this review.")
    else:
        messages.success(request, "Review acknowledged. Thank you for reading it.")
    if _is_htmx(request):
        context = {**review_context(review, request.user), "show_messages": True}
        return render(request, f"{DETAIL_TEMPLATE}#acknowledgement", context)
    return redirect("scorecards:review", pk=review.pk)


@require_GET
def review_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The review page as an A4 PDF: the same template with the print stylesheet."""
    from scorecards.pdf import render_review_pdf  # WeasyPrint loads only when a PDF is asked for

    review = get_visible_or_404(Review.objects.visible_to(request.user), pk=pk)
    content = render_review_pdf(review, request.user)
    day = timezone.localtime(review.interaction_started_at).strftime("%Y-%m-%d")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="review-{review.pk}-{day}.pdf"'
    return response


# ---------------------------------------------------------------------------------------------
# The reviews list and its CSV export (leads, QA managers, administrators)
# ---------------------------------------------------------------------------------------------

RESULT_CHOICES = [
    ("", "Any result"),
    ("passed", "Passed"),
    ("failed", "Failed"),
    ("fatal", "Failed on a fatal criterion"),
]
ACK_CHOICES = [("", "Any"), ("yes", "Acknowledged"), ("no", "Not acknowledged yet")]


class ReviewFilterForm(forms.Form):
    """The filter bar above the reviews list (and the export). Invalid values are ignored."""

    team = forms.TypedChoiceField(
        label="Team", required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    agent = forms.CharField(
        label="Agent",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or email"}),
    )
    reviewer = forms.CharField(
        label="Reviewer",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or email"}),
    )
    framework = forms.TypedChoiceField(
        label="Framework", required=False, coerce=int, empty_value=None
    )
    start = forms.DateField(
        label="Contacts from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    end = forms.DateField(
        label="Contacts until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    result = forms.ChoiceField(label="Result", required=False, choices=RESULT_CHOICES)
    acknowledged = forms.ChoiceField(label="Acknowledged", required=False, choices=ACK_CHOICES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(teams_q(user, OVERVIEW_ROLES)).order_by("path")
        self.team_paths: dict[int, str] = {}
        choices: list[tuple[Any, str]] = [("", "Any team")]
        for pk, name, depth, path_ in teams.values_list("pk", "name", "depth", "path"):
            self.team_paths[pk] = path_
            choices.append((pk, "\u2003" * depth + name))
        self.fields["team"].choices = choices  # type: ignore[attr-defined]
        self.fields["framework"].choices = [  # type: ignore[attr-defined]
            ("", "Any framework"),
            *Framework.objects.order_by("name").values_list("pk", "name"),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The filters that passed validation (a bad field never blocks the others)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in ("", None)}


def filtered_reviews(user: Any, form: ReviewFilterForm) -> tuple[ReviewQuerySet, dict[str, str]]:
    """Submitted reviews the user may see, filtered; and the valid filters as query parameters."""
    filters = form.filters()
    reviews = Review.objects.visible_to(user).submitted()
    query: dict[str, str] = {}
    if (team := filters.get("team")) is not None and team in form.team_paths:
        reviews = reviews.filter(team__path__startswith=form.team_paths[team])
        query["team"] = str(team)
    for field in ("agent", "reviewer"):
        if words := str(filters.get(field, "")).split()[:6]:
            for word in words:
                reviews = reviews.filter(
                    Q(**{f"{field}__full_name__icontains": word})
                    | Q(**{f"{field}__email__icontains": word})
                )
            query[field] = " ".join(words)
    if (framework := filters.get("framework")) is not None:
        reviews = reviews.filter(framework_version__framework_id=framework)
        query["framework"] = str(framework)
    if start := filters.get("start"):
        reviews = reviews.filter(
            interaction_started_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
        )
        query["start"] = start.isoformat()
    if end := filters.get("end"):
        next_day = end + dt.timedelta(days=1)
        reviews = reviews.filter(
            interaction_started_at__lt=dt.datetime.combine(next_day, dt.time.min, tzinfo=dt.UTC)
        )
        query["end"] = end.isoformat()
    if result := filters.get("result"):
        reviews = {
            "passed": reviews.filter(passed=True),
            "failed": reviews.filter(passed=False),
            "fatal": reviews.filter(fatal_failed=True),
        }[result]
        query["result"] = result
    if acknowledged := filters.get("acknowledged"):
        reviews = reviews.filter(acknowledged_at__isnull=acknowledged == "no")
        query["acknowledged"] = acknowledged
    return reviews, query


@require_GET
def review_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *OVERVIEW_ROLES)
    form = ReviewFilterForm(request.GET, user=request.user)
    reviews, query = filtered_reviews(request.user, form)
    reviews = reviews.select_related(
        "framework_version__framework", "reviewer", "agent", "team"
    ).order_by("-submitted_at", "-pk")
    paginator = Paginator(reviews, REVIEWS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    _attach_display(page.object_list)
    query_string = urlencode(query)
    export_url = reverse("scorecards:reviews_export")
    context = {
        "form": form,
        "page_obj": page,
        "reviews": page.object_list,
        "query_string": query_string,
        "filtered": bool(query),
        "review_url": reverse("scorecards:reviews"),
        "export_url": f"{export_url}?{query_string}" if query_string else export_url,
    }
    template = "scorecards/reviews/review_list.html"
    return render(request, f"{template}#results" if _is_htmx(request) else template, context)


def csv_safe(value: Any) -> str:
    """A cell as text, with a leading ' where a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    "review_id",
    "submitted_at",
    "interaction_source",
    "interaction_source_id",
    "channel",
    "contact_started_at",
    "team",
    "agent",
    "agent_email",
    "reviewer",
    "reviewer_email",
    "framework",
    "framework_version",
    "raw_score",
    "final_score",
    "passed",
    "fatal_failed",
    "acknowledged_at",
    "source",
]


def _criterion_columns(reviews: ReviewQuerySet) -> list[str]:
    """Every criterion key of the framework versions in the export, in framework order."""
    version_ids = reviews.order_by().values_list("framework_version_id", flat=True).distinct()
    keys: dict[str, None] = {}
    for definition in (
        FrameworkVersion.objects.filter(pk__in=version_ids)
        .order_by("framework_id", "number")
        .values_list("definition", flat=True)
    ):
        for section in definition.get("sections", []):
            for criterion in section.get("criteria", []):
                keys.setdefault(str(criterion.get("key", "")), None)
    return [k for k in keys if k]


def _rating_cell(rating: ReviewRating | None, answer: Any) -> str:
    if rating is None:
        return "" if answer in (None, "") else str(answer)
    if rating.na:
        return "N/A"
    return _number(rating.value)


def _export_rows(reviews: ReviewQuerySet, keys: list[str]) -> Iterator[list[str]]:
    yield EXPORT_COLUMNS + keys
    for review in reviews.iterator(chunk_size=500):
        ratings = {r.criterion_key: r for r in review.ratings.all()}
        answers = review.answers if isinstance(review.answers, dict) else {}
        version = review.framework_version
        passed = "" if review.passed is None else ("yes" if review.passed else "no")
        row = [
            review.pk,
            review.submitted_at.isoformat() if review.submitted_at else "",
            review.interaction.source,
            review.interaction.source_id,
            review.channel,
            review.interaction_started_at.isoformat(),
            review.team.name,
            review.agent.get_full_name(),
            review.agent.email,
            review.reviewer.get_full_name(),
            review.reviewer.email,
            version.framework.name,
            version.number,
            _number(review.raw_score),
            _number(review.final_score),
            passed,
            "yes" if review.fatal_failed else "no",
            review.acknowledged_at.isoformat() if review.acknowledged_at else "",
            review.source,
        ]
        row += [_rating_cell(ratings.get(key), answers.get(key)) for key in keys]
        yield [csv_safe(cell) for cell in row]


@require_GET
def reviews_export(request: AuthedRequest) -> StreamingHttpResponse:
    """The filtered list as CSV: one row per review, one column per criterion key."""
    require_role(request.user, *OVERVIEW_ROLES)
    form = ReviewFilterForm(request.GET, user=request.user)
    reviews, _query = filtered_reviews(request.user, form)
    keys = _criterion_columns(reviews)
    reviews = _with_people(reviews).prefetch_related("ratings").order_by("-submitted_at", "-pk")
    writer = csv.writer(_Echo())
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _export_rows(reviews, keys)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="reviews-{stamp}.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("my-reviews/", my_reviews, name="my_reviews"),
    path("reviews/", review_list, name="reviews"),
    path("reviews/export.csv", reviews_export, name="reviews_export"),
    path("reviews/<int:pk>/", review_detail, name="review"),
    path("reviews/<int:pk>/acknowledge/", review_acknowledge, name="review_acknowledge"),
    path("reviews/<int:pk>/pdf/", review_pdf, name="review_pdf"),
]
