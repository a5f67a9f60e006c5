"""HR builds, launches and closes surveys (HR and administrators; others 403).

- ``GET /engagement/manage/`` (``manage_list``): surveys with status, dates, invited and the
  response rate (a percentage, only where at least 5 were invited; never who responded).
- ``GET/POST manage/new/`` (``manage_create``): start from a bank template or blank.
- ``GET manage/<id>/`` (``manage_builder``): settings, sections and questions (add from the bank,
  own questions, reorder, remove: one POST endpoint each, htmx swaps ``#questions``, plain POSTs
  redirect back), links to population, schedule, preview, launch and close. Launched surveys show
  everything read-only with the reason.
- ``GET/POST manage/<id>/population/``, ``GET/POST manage/<id>/schedule/`` (after launch: only a
  later close date), ``GET manage/<id>/preview/``, ``GET/POST manage/<id>/launch/`` and
  ``GET/POST manage/<id>/close/`` (confirmation pages, then the service).

A survey is visible to an HR person or administrator who created it, or whose grants reach one of
its teams; otherwise 404.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from qa_platform.http import AuthedRequest
from qa_platform.people.access import grants_of, teams_q
from qa_platform.people.models import Membership, Team

from . import anonymity
from . import question_bank as bank
from .access import SURVEY_ADMIN_ROLES, require_survey_admin
from .models import Invitation, PrivacyMode, QuestionScale, Survey, SurveyStatus
from .services import surveys as services
from .views_answer import privacy_notice

PAGE_SIZE = 25
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

PRIVACY_EXPLAINED: dict[str, str] = {
    PrivacyMode.ANONYMOUS: (
        "Answers are stored with no link to the person, not even for administrators. Only a "
        "one-way token stops a second answer."
    ),
    PrivacyMode.CONFIDENTIAL: (
        "Answers are linked to the person inside the system for team and tenure figures, but "
        "never shown per person."
    ),
    PrivacyMode.IDENTIFIABLE: (
        "HR and administrators can see each person's answers. Respondents are told so on the "
        "first page. Use for onboarding check-ins and exit surveys."
    ),
}
LOCKS_AT_LAUNCH = (
    "the privacy mode and the reporting thresholds",
    "the title and introduction (the first page respondents read)",
    "the sections and questions",
    "the population (the teams invited; members are snapshotted now)",
    "the open date and reminder days (the close date can still be extended)",
)


def privacy_explained(survey: Survey) -> str:
    return PRIVACY_EXPLAINED.get(str(survey.privacy), "")


def is_htmx(request: AuthedRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def manageable_surveys(user: Any) -> QuerySet[Survey]:
    """Surveys `user` may manage: all of them for a grant on an organisation's root team;
    otherwise their own and those inviting a team their HR/admin grants reach."""
    paths = grants_of(user).paths(SURVEY_ADMIN_ROLES)
    if paths is None or any(p.count("/") == 2 for p in paths):  # superuser, or a root team
        return Survey.objects.all()
    reach = Survey.teams.through.objects.filter(
        Q(survey_id=OuterRef("pk")),
        Q(team__in=Team.objects.filter(teams_q(user, SURVEY_ADMIN_ROLES))),
    )
    return Survey.objects.filter(Q(created_by=user) | Exists(reach))


def survey_or_404(request: AuthedRequest, survey_id: int) -> Survey:
    require_survey_admin(request.user)
    survey = manageable_surveys(request.user).filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    return survey


def builder_url(survey: Survey) -> str:
    return reverse("engagement:manage_builder", args=[survey.pk])


# --- List and create -------------------------------------------------------------------------


def response_rate(invited: int, responded: int) -> float | None:
    """Responded / invited as a percentage, or None where fewer than 5 were invited."""
    if not anonymity.participation_shown(invited) or invited == 0:
        return None
    return round(100 * responded / invited, 1)


def survey_rows_queryset(user: Any) -> QuerySet[Survey]:
    """Surveys `user` manages, newest first, each with how many responded (a count only)."""
    responded = (
        Invitation.objects.filter(survey_id=OuterRef("pk"), submitted=True)
        .order_by()
        .values("survey_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        manageable_surveys(user)
        .filter(is_archived=False)
        .annotate(responded=Subquery(responded, output_field=IntegerField()))
        .order_by("-created_at", "-pk")
    )


def _rows(surveys: Any) -> list[dict[str, Any]]:
    return [
        {"survey": s, "rate": response_rate(s.invited_count, s.responded or 0)} for s in surveys
    ]


def survey_rows(user: Any, limit: int = 5) -> list[dict[str, Any]]:
    return _rows(survey_rows_queryset(user)[:limit])


@require_http_methods(["GET"])
def survey_list(request: AuthedRequest) -> HttpResponse:
    require_survey_admin(request.user)
    page = Paginator(survey_rows_queryset(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = _rows(page.object_list)
    context = {"rows": rows, "page_obj": page}
    template = "engagement/manage/list.html"
    if is_htmx(request):
        template += "#results"
    return render(request, template, context)


class CreateForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="What respondents see, e.g. “Autumn 2026”.")
    template_key = forms.ChoiceField(
        label="Start from",
        widget=forms.RadioSelect,
        initial="pulse",
        help_text="Questions can be added, removed and reordered before launch.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template_key"].choices = services.template_choices()  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def survey_create(request: AuthedRequest) -> HttpResponse:
    require_survey_admin(request.user)
    form = CreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.create_survey_from_template(
                template_key=form.cleaned_data["template_key"],
                title=form.cleaned_data["title"],
                actor=request.user,
            )
        except services.SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Created “{survey.title}”. Build it, then launch it.")
            return redirect(builder_url(survey))
    templates = {t.key: t for t in bank.TEMPLATES}
    described = [
        (key, label, templates[key].description if key in templates else "No questions yet.")
        for key, label in services.template_choices()
    ]
    return render(
        request,
        "engagement/manage/create.html",
        {"form": form, "templates": described},
        status=400 if form.errors else 200,
    )


# --- Builder ---------------------------------------------------------------------------------


class SettingsForm(forms.Form):
    title = forms.CharField(max_length=200)
    introduction = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on the first page, above the privacy notice.",
    )
    privacy = forms.ChoiceField(
        label="Privacy mode",
        choices=PrivacyMode.choices,
        widget=forms.RadioSelect,
        help_text="Told to respondents on the first page. Locked at launch.",
    )
    score_threshold = forms.IntegerField(
        label="Score threshold (answers per group)",
        help_text=f"At least {anonymity.SCORE_K_FLOOR}; {anonymity.SCORE_K} is the default.",
    )
    comment_threshold = forms.IntegerField(
        label="Comment threshold (comments per group)",
        help_text=f"At least {anonymity.COMMENT_K}, and not below the score threshold.",
    )
    previous_wave = forms.ModelChoiceField(
        queryset=Survey.objects.none(),
        required=False,
        empty_label="None",
        help_text="An earlier survey to compare the same questions with.",
    )

    def __init__(self, *args: Any, user: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["previous_wave"].queryset = (  # type: ignore[attr-defined]
            manageable_surveys(user)
            .exclude(status=SurveyStatus.DRAFT)
            .exclude(pk=survey.pk)
            .order_by("-created_at")
        )


def settings_form(request: AuthedRequest, survey: Survey, data: Any = None) -> SettingsForm:
    return SettingsForm(
        data,
        user=request.user,
        survey=survey,
        initial={
            "title": survey.title,
            "introduction": survey.introduction,
            "privacy": survey.privacy,
            "score_threshold": survey.score_threshold,
            "comment_threshold": survey.comment_threshold,
            "previous_wave": survey.previous_wave_id,
        },
    )


class OwnQuestionForm(forms.Form):
    text = forms.CharField(label="Question", max_length=500)
    scale = forms.ChoiceField(label="Answered with", choices=QuestionScale.choices)
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For choice questions: one option per line.",
    )
    optional = forms.BooleanField(required=False, label="Optional (people may skip it)")
    section = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = section_choices(survey)  # type: ignore[attr-defined]


def section_choices(survey: Survey) -> list[tuple[Any, str]]:
    return [("", "No section"), *survey.sections.values_list("pk", "title")]


def bank_groups(survey: Survey) -> list[tuple[str, list[bank.Item]]]:
    """Bank items not yet in the survey, grouped for the picker (drivers by name)."""
    used = set(survey.questions.values_list("key", flat=True))
    groups: list[tuple[str, tuple[bank.Item, ...]]] = [
        ("Engagement index", bank.INDEX_ITEMS),
        ("eNPS", bank.ENPS_ITEMS),
        *((f"Driver: {d.name}", bank.driver_items(d.key)) for d in bank.DRIVERS),
        ("Open questions", bank.COMMENT_ITEMS),
        ("Onboarding", bank.ONBOARDING_ITEMS),
        ("Exit", bank.EXIT_ITEMS),
    ]
    return [
        (label, [i for i in items if i.key not in used])
        for label, items in groups
        if any(i.key not in used for i in items)
    ]


def question_blocks(survey: Survey) -> list[dict[str, Any]]:
    """Sections in order with their questions, then questions outside any section."""
    questions = list(survey.questions.order_by("order", "pk"))
    sections = list(survey.sections.order_by("order", "pk"))
    by_section: dict[int | None, list[Any]] = {}
    for q in questions:
        by_section.setdefault(q.section_id, []).append(q)
    blocks = [
        {
            "section": s,
            "questions": by_section.get(s.pk, []),
            "first": i == 0,
            "last": i == len(sections) - 1,
        }
        for i, s in enumerate(sections)
    ]
    if by_section.get(None):
        blocks.append({"section": None, "questions": by_section[None]})
    return blocks


def builder_context(
    request: AuthedRequest,
    survey: Survey,
    *,
    form: SettingsForm | None = None,
    own_form: OwnQuestionForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    return {
        "survey": survey,
        "form": form or settings_form(request, survey),
        "own_form": own_form or OwnQuestionForm(survey=survey),
        "blocks": question_blocks(survey),
        "bank_groups": [] if survey.is_locked else bank_groups(survey),
        "sections": section_choices(survey)[1:],
        "privacy_explained": privacy_explained(survey),
        "teams": list(survey.teams.order_by("path")),
        "question_error": error,
        "locks": LOCKS_AT_LAUNCH,
    }


@require_http_methods(["GET", "POST"])
def survey_builder(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    form = None
    if request.method == "POST":
        form = settings_form(request, survey, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_survey_settings(
                    survey=survey,
                    actor=request.user,
                    title=data["title"],
                    introduction=data["introduction"],
                    privacy=data["privacy"],
                    score_threshold=data["score_threshold"],
                    comment_threshold=data["comment_threshold"],
                    previous_wave=data["previous_wave"],
                )
            except services.SurveyError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Settings saved.")
                return redirect(builder_url(survey))
    context = builder_context(request, survey, form=form)
    template = "engagement/manage/builder.html"
    if is_htmx(request) and request.method == "POST":
        template += "#settings"
    return render(request, template, context, status=400 if form and form.errors else 200)


def _questions_response(
    request: AuthedRequest, survey: Survey, *, error: str = "", own_form: Any = None
) -> HttpResponse:
    """htmx: the questions block; plain: back to the builder (errors as a message)."""
    survey.refresh_from_db()
    if is_htmx(request):
        return render(
            request,
            "engagement/manage/builder.html#questions",
            builder_context(request, survey, error=error, own_form=own_form),
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect(f"{builder_url(survey)}#questions")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
def question_add_bank(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    try:
        services.add_bank_question(
            survey=survey,
            actor=request.user,
            key=request.POST.get("key", ""),
            section_id=_int(request.POST.get("section")),
        )
    except services.SurveyError as exc:
        return _questions_response(request, survey, error=str(exc))
    return _questions_response(request, survey)


@require_POST
def question_add_own(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    form = OwnQuestionForm(request.POST, survey=survey)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _questions_response(request, survey, error=str(first), own_form=form)
    data = form.cleaned_data
    try:
        services.add_own_question(
            survey=survey,
            actor=request.user,
            text=data["text"],
            scale=data["scale"],
            options=data["options"].splitlines(),
            optional=data["optional"],
            section_id=data["section"],
        )
    except services.SurveyError as exc:
        return _questions_response(request, survey, error=str(exc), own_form=form)
    return _questions_response(request, survey)


@require_POST
def question_remove(request: AuthedRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    try:
        services.remove_question(survey=survey, actor=request.user, question_id=question_id)
    except services.SurveyError as exc:
        return _questions_response(request, survey, error=str(exc))
    return _questions_response(request, survey)


@require_POST
def question_move(request: AuthedRequest, survey_id: int, question_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    try:
        services.move_question(
            survey=survey,
            actor=request.user,
            question_id=question_id,
            direction=request.POST.get("direction", ""),
        )
    except services.SurveyError as exc:
        return _questions_response(request, survey, error=str(exc))
    return _questions_response(request, survey)


@require_POST
def section_add(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    try:
        services.add_section(survey=survey, actor=request.user, title=request.POST.get("title", ""))
    except services.SurveyError as exc:
        return _questions_response(request, survey, error=str(exc))
    return _questions_response(request, survey)


@require_POST
def section_remove(request: AuthedRequest, survey_id: int, section_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    try:
        services.remove_section(survey=survey, actor=request.user, section_id=section_id)
    except services.SurveyError as exc:
        return _questions_response(request, survey, error=str(exc))
    return _questions_response(request, survey)


@require_POST
def section_move(request: AuthedRequest, survey_id: int, section_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    try:
        services.move_section(
            survey=survey,
            actor=request.user,
            section_id=section_id,
            direction=request.POST.get("direction", ""),
        )
    except services.SurveyError as exc:
        return _questions_response(request, survey, error=str(exc))
    return _questions_response(request, survey)


# --- Population ------------------------------------------------------------------------------


def team_tree(user: Any, chosen: set[int]) -> list[dict[str, Any]]:
    """Teams the user's HR/admin grants reach, in tree order, with current member counts
    (own and with the teams below)."""
    teams = list(
        Team.objects.filter(teams_q(user, SURVEY_ADMIN_ROLES), is_active=True).order_by("path")
    )
    own = Counter(
        dict(
            Membership.objects.current()
            .filter(team__in=teams, user__is_active=True)
            .order_by()
            .values("team_id")
            .annotate(n=Count("user_id", distinct=True))
            .values_list("team_id", "n")
        )
    )
    top = min((t.depth for t in teams), default=0)
    rows = []
    for team in teams:
        subtree = sum(own[t.pk] for t in teams if t.path.startswith(team.path))
        rows.append(
            {
                "team": team,
                "indent": team.depth - top,
                "own": own[team.pk],
                "subtree": subtree,
                "checked": team.pk in chosen,
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
def survey_population(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    chosen = set(survey.teams.values_list("pk", flat=True))
    rows = team_tree(request.user, chosen)
    error = ""
    if request.method == "POST":
        allowed = {row["team"].pk for row in rows}
        picked = [_int(v) for v in request.POST.getlist("teams")]
        if any(p is None or p not in allowed for p in picked):
            error = "Choose only teams listed here."
        else:
            try:
                services.set_population(
                    survey=survey, actor=request.user, team_ids=[p for p in picked if p]
                )
            except services.SurveyError as exc:
                error = str(exc)
            else:
                messages.success(request, "Population saved.")
                return redirect(builder_url(survey))
    return render(
        request,
        "engagement/manage/population.html",
        {"survey": survey, "rows": rows, "error": error},
        status=400 if error else 200,
    )


# --- Schedule --------------------------------------------------------------------------------


def _datetime_field(label: str, required: bool, help_text: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class ScheduleForm(forms.Form):
    opens_at = _datetime_field("Opens", False, "Leave empty to open when you launch it.")
    closes_at = _datetime_field("Closes", True, "Results are decided when it closes.")
    reminder_days = forms.CharField(
        required=False,
        label="Remind non-respondents",
        help_text="Days before closing, separated by commas, e.g. “7, 2”. The system sends them.",
    )

    def clean_reminder_days(self) -> list[int]:
        raw = self.cleaned_data.get("reminder_days", "")
        parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
        try:
            return services.clean_reminder_days(parts)
        except services.SurveyError as exc:
            raise forms.ValidationError(str(exc)) from None


class ExtendForm(forms.Form):
    closes_at = _datetime_field("New close date", True, "Only a later date: people get more time.")


@require_http_methods(["GET", "POST"])
def survey_schedule(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    form: forms.Form | None
    if survey.status == SurveyStatus.CLOSED:
        form = None
    elif survey.is_locked:
        form = ExtendForm(request.POST or None, initial={"closes_at": survey.closes_at})
    else:
        form = ScheduleForm(
            request.POST or None,
            initial={
                "opens_at": survey.opens_at,
                "closes_at": survey.closes_at,
                "reminder_days": ", ".join(str(d) for d in survey.reminder_days),
            },
        )
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if survey.is_locked:
                services.extend_close_date(
                    survey=survey, actor=request.user, closes_at=data["closes_at"]
                )
            else:
                services.update_schedule(
                    survey=survey,
                    actor=request.user,
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    reminder_days=data["reminder_days"],
                )
        except services.SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Schedule saved.")
            return redirect(builder_url(survey))
    return render(
        request,
        "engagement/manage/schedule.html",
        {"survey": survey, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


# --- Preview, launch, close ------------------------------------------------------------------


@require_http_methods(["GET"])
def survey_preview(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    return render(
        request,
        "engagement/manage/preview.html",
        {
            "survey": survey,
            "blocks": question_blocks(survey),
            "notice": privacy_notice(survey),
            "agreement_labels": bank.AGREEMENT_LABELS,
            "zero_to_ten": range(11),
        },
    )


@require_http_methods(["GET", "POST"])
def survey_launch(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    if survey.is_locked:
        messages.info(request, "This survey has already been launched.")
        return redirect(builder_url(survey))
    now = timezone.now()
    error = ""
    if request.method == "POST":
        try:
            services.launch_survey(survey=survey, actor=request.user, now=now)
        except services.SurveyError as exc:
            error = str(exc)
        else:
            if survey.status == SurveyStatus.OPEN:
                text = f"Launched. {survey.invited_count} people have been invited."
            else:
                text = (
                    f"Launched. {survey.invited_count} people will be invited when it opens "
                    f"on {timezone.localtime(survey.opens_at):%d %B %Y at %H:%M}."
                )
            messages.success(request, text)
            return redirect(builder_url(survey))
    problems = services.population_problems(survey, now=now)
    invited = len(services.current_members(survey, on=timezone.localdate(now)))
    return render(
        request,
        "engagement/manage/launch.html",
        {
            "survey": survey,
            "problems": problems,
            "invited": invited,
            "locks": LOCKS_AT_LAUNCH,
            "error": error,
            "question_count": survey.questions.count(),
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def survey_close(request: AuthedRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    error = ""
    if request.method == "POST":
        try:
            services.close_survey(survey=survey, actor=request.user)
        except services.SurveyError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Closed “{survey.title}”. Results have been decided.")
            return redirect(builder_url(survey))
    return render(
        request,
        "engagement/manage/close.html",
        {
            "survey": survey,
            "error": error,
            "can_close": survey.status in (SurveyStatus.OPEN, SurveyStatus.SCHEDULED),
        },
        status=400 if error else 200,
    )
