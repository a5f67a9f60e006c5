"""Answering a survey: "My surveys", the answering form (one section per step, saved as the person
goes, a review before submitting), the thank-you page, the link from the invitation email and
the anonymity receipt.

Only the invited person reaches any of these pages for a survey: every view finds the signed-in
person's own invitation (`own_invitation_or_404`); anyone else, whatever their role, gets a 404,
so the pages do not even confirm who was invited. The invitation link's token is looked up by its
sha256 and must belong to the signed-in person too.

The first page of the form and the receipt say the same thing about privacy, from one function
(`privacy_notice`) rendered by one include (`engagement/answer/_privacy_notice.html`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from qa_platform.engagement import answers as rules
from qa_platform.engagement.anonymity import PARTICIPATION_MIN_INVITED
from qa_platform.engagement.models import (
    Invitation,
    PrivacyMode,
    QuestionScale,
    Survey,
    SurveyQuestion,
    SurveySection,
    SurveyStatus,
)
from qa_platform.engagement.question_bank import AGREEMENT_LABELS
from qa_platform.engagement.services.responses import (
    ALREADY_SUBMITTED,
    AlreadySubmitted,
    InvalidAnswers,
    ResponseError,
    not_open_message,
    question_specs,
    save_draft,
    submit_response,
)
from qa_platform.http import AuthedRequest

FIELD_PREFIX = "q-"  # form field name = prefix + question key

# --- The privacy notice: one source for the first page and the receipt ---------------------


@dataclass(frozen=True)
class Audience:
    who: str
    sees: str


@dataclass(frozen=True)
class PrivacyNotice:
    mode: str
    mode_label: str
    summary: str
    individual: str  # who can see one person's answers
    audiences: tuple[Audience, ...]
    score_k: int
    comment_k: int
    participation_invited: int
    not_kept: tuple[str, ...]
    link: str  # what ties the answers to the person, in words


def privacy_notice(survey: Survey) -> PrivacyNotice:
    """What happens to a respondent's answers in `survey`, from its locked settings."""
    k, ck, p = survey.score_threshold, survey.comment_threshold, PARTICIPATION_MIN_INVITED
    mode = survey.privacy
    aggregates = (
        f"scores (favourable %, the engagement index, eNPS) for a group only where at least {k} "
        f"people answered that question, comments only where at least {ck} people commented, "
        f"and participation only where at least {p} people were invited"
    )
    if mode == PrivacyMode.IDENTIFIABLE:
        summary = (
            "This survey is identifiable: your answers are stored with your name, and HR and "
            "administrators can read them with your name."
        )
        individual = (
            "HR and administrators can see your individual answers with your name. Nobody else "
            "can: team leads see group results only."
        )
        link = "Your answers are stored with your name."
        hr_sees = (
            f"Your individual answers with your name, and for the whole organisation {aggregates}."
        )
    elif mode == PrivacyMode.CONFIDENTIAL:
        summary = (
            "This survey is confidential: your answers are stored with a link to you, used only "
            "to group results by team and attributes. No page, report, export or API shows one "
            "person's answers."
        )
        individual = (
            "Nobody can see your individual answers in the product: not your team lead, not "
            "HR, not administrators. Only group results are shown."
        )
        link = (
            "Your answers are linked to you inside the database so that results can be grouped; "
            "that link is never shown."
        )
        hr_sees = f"For the whole organisation: {aggregates}."
    else:
        summary = (
            "This survey is anonymous: your answers are stored with no link to you, so nobody "
            "can connect them to you, not even administrators."
        )
        individual = (
            "Nobody can see your individual answers: not your team lead, not HR, not "
            "administrators. Only group results are shown."
        )
        link = (
            "No link between you and your answers exists. The only record about you is that you "
            "have answered, so you cannot answer twice and are not sent reminders."
        )
        hr_sees = f"For the whole organisation: {aggregates}."
    audiences = (
        Audience("HR and administrators", hr_sees),
        Audience(
            "Team leads",
            f"For the teams they lead (and the teams under them): {aggregates}. A team under "
            "the threshold is counted in the group above it instead of being shown on its own.",
        ),
        Audience(
            "Everyone invited, including you",
            'This receipt, and the "you said, we did" updates on actions taken after the survey.',
        ),
    )
    not_kept = (
        "No IP address and no exact time are kept with your answers.",
        "Nobody can see who has or has not answered.",
        "Filtering results by location, role or tenure band applies the same thresholds to the "
        "final combination of filters, and a group hidden for being too small cannot be worked "
        "out by subtracting other groups.",
        "Comments are shown shuffled and dated only to the day the survey closed.",
    )
    return PrivacyNotice(
        mode=mode,
        mode_label=PrivacyMode(mode).label,
        summary=summary,
        individual=individual,
        audiences=audiences,
        score_k=k,
        comment_k=ck,
        participation_invited=p,
        not_kept=not_kept,
        link=link,
    )


# --- The form's steps -------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    checked: bool


@dataclass
class QuestionRow:
    question: SurveyQuestion
    name: str
    dom_id: str
    error: str = ""
    options: list[Option] = field(default_factory=list)
    text: str = ""  # a comment's current text
    answered: bool = False
    shown_answer: str = ""  # on the review step

    @property
    def kind(self) -> str:
        return str(self.question.scale)

    @property
    def described_by(self) -> str:
        ids = [f"{self.dom_id}-hint"] if self.hint else []
        if self.error:
            ids.append(f"{self.dom_id}-error")
        return " ".join(ids)

    @property
    def hint(self) -> str:
        if self.kind == QuestionScale.ZERO_TO_TEN:
            return "0 = not at all likely, 10 = extremely likely."
        if self.kind == QuestionScale.MULTIPLE_CHOICE:
            return "Choose all that apply."
        if self.kind == QuestionScale.COMMENT:
            return (
                f"Optional. Up to {rules.COMMENT_MAX_CHARS:,} characters."
                if (not self.question.required)
                else f"Up to {rules.COMMENT_MAX_CHARS:,} characters."
            )
        return ""


@dataclass
class Step:
    number: int  # 1-based section number
    title: str
    questions: list[SurveyQuestion]


@dataclass
class Form:
    survey: Survey
    invitation: Invitation
    questions: list[SurveyQuestion]
    steps: list[Step]

    @property
    def review_number(self) -> int:
        return len(self.steps) + 1


def own_invitation_or_404(request: AuthedRequest, survey_id: int) -> Invitation:
    """The signed-in person's invitation to a launched survey; anything else is a 404."""
    invitation = (
        Invitation.objects.select_related("survey")
        .filter(survey_id=survey_id, person=request.user)
        .exclude(survey__status=SurveyStatus.DRAFT)
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


def load_form(invitation: Invitation) -> Form:
    survey = invitation.survey
    questions = list(SurveyQuestion.objects.filter(survey=survey))
    sections = list(SurveySection.objects.filter(survey=survey))
    by_section: dict[int | None, list[SurveyQuestion]] = {}
    for q in questions:
        by_section.setdefault(q.section_id, []).append(q)
    steps: list[Step] = []
    for section in sections:
        if by_section.get(section.pk):
            steps.append(Step(len(steps) + 1, section.title, by_section[section.pk]))
    loose = by_section.get(None, [])
    if loose:
        steps.append(Step(len(steps) + 1, "More questions" if steps else "Questions", loose))
    return Form(survey=survey, invitation=invitation, questions=questions, steps=steps)


def resume_step(form: Form) -> int:
    """Where the person left off: the intro when nothing is saved yet, else the first section
    with a required question still open, else the review."""
    draft = form.invitation.draft or {}
    if not draft:
        return 0
    missing = set(rules.missing_required(question_specs(form.questions), draft))
    for step in form.steps:
        if any(q.key in missing for q in step.questions):
            return step.number
    return form.review_number


def requested_step(form: Form, raw: str | None) -> int:
    try:
        number = int(raw or "")
    except ValueError:
        return resume_step(form)
    return min(max(number, 0), form.review_number)


def _selected(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, (list, tuple)):
        return {str(v).strip() for v in value}
    return {str(value).strip()}


def question_row(question: SurveyQuestion, value: Any, error: str = "") -> QuestionRow:
    row = QuestionRow(
        question=question,
        name=FIELD_PREFIX + question.key,
        dom_id=f"q-{question.pk}",
        error=error,
    )
    chosen = _selected(value) if question.scale != QuestionScale.COMMENT else set()
    if question.scale == QuestionScale.AGREEMENT_5:
        labels = [(str(n), AGREEMENT_LABELS[n - 1]) for n in range(1, 6)]
    elif question.scale == QuestionScale.ZERO_TO_TEN:
        labels = [(str(n), str(n)) for n in range(11)]
    elif question.scale in (QuestionScale.SINGLE_CHOICE, QuestionScale.MULTIPLE_CHOICE):
        labels = [(str(i), str(label)) for i, label in enumerate(question.options or [])]
    else:
        labels = []
        row.text = value if isinstance(value, str) else ""
    row.options = [Option(v, label, v in chosen) for v, label in labels]
    row.answered = (
        bool(row.text.strip()) if question.scale == QuestionScale.COMMENT else bool(chosen - {""})
    )
    picked = [o.label for o in row.options if o.checked]
    if question.scale == QuestionScale.AGREEMENT_5 and picked:
        row.shown_answer = picked[0]
    elif question.scale == QuestionScale.ZERO_TO_TEN and picked:
        row.shown_answer = f"{picked[0]} out of 10"
    elif picked:
        row.shown_answer = ", ".join(picked)
    else:
        row.shown_answer = row.text
    return row


def posted_answers(step: Step, post: QueryDict) -> dict[str, Any]:
    """The raw answers of one step's questions as the form sent them."""
    raw: dict[str, Any] = {}
    for q in step.questions:
        name = FIELD_PREFIX + q.key
        if q.scale == QuestionScale.MULTIPLE_CHOICE:
            raw[q.key] = post.getlist(name)
        else:
            raw[q.key] = post.get(name)
    return raw


def answer_url(survey: Survey, step: int | None = None) -> str:
    url = reverse("engagement:answer", args=[survey.pk])
    return url if step is None else f"{url}?step={step}"


def _context(
    form: Form,
    number: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    values = form.invitation.draft or {} if values is None else values
    errors = errors or {}
    survey = form.survey
    ctx: dict[str, Any] = {
        "survey": survey,
        "invitation": form.invitation,
        "notice": privacy_notice(survey),
        "step_number": number,
        "section_count": len(form.steps),
        "review_number": form.review_number,
        "answer_url": answer_url(survey),
        "save_url": reverse("engagement:answer_save", args=[survey.pk]),
        "submit_url": reverse("engagement:answer_submit", args=[survey.pk]),
        "receipt_url": reverse("engagement:receipt", args=[survey.pk]),
        "general_error": errors.get(rules.GENERAL, ""),
    }
    if 1 <= number <= len(form.steps):
        step = form.steps[number - 1]
        ctx["step"] = step
        ctx["rows"] = [
            question_row(q, values.get(q.key), errors.get(q.key, "")) for q in step.questions
        ]
        ctx["error_rows"] = [r for r in ctx["rows"] if r.error]
    elif number == form.review_number:
        review: list[dict[str, Any]] = []
        for step in form.steps:
            rows = [
                question_row(q, values.get(q.key), errors.get(q.key, "")) for q in step.questions
            ]
            review.append({"step": step, "rows": rows})
        ctx["review"] = review
        ctx["missing"] = [
            (entry["step"], r)
            for entry in review
            for r in entry["rows"]
            if r.question.required and not r.answered
        ]
    return ctx


def _render_step(
    request: AuthedRequest, ctx: dict[str, Any], *, push: str | None = None
) -> HttpResponse:
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "engagement/answer/form.html#step", ctx)
        if push:
            response["HX-Push-Url"] = push
        return response
    return render(request, "engagement/answer/form.html", ctx)


def _closed_or_answered(request: AuthedRequest, invitation: Invitation) -> HttpResponse | None:
    """The page shown instead of the form once answered or outside the open period."""
    survey = invitation.survey
    if invitation.submitted:
        return render(
            request,
            "engagement/answer/answered.html",
            {"survey": survey, "receipt_url": reverse("engagement:receipt", args=[survey.pk])},
        )
    if survey.status != SurveyStatus.OPEN:
        return render(
            request,
            "engagement/answer/not_open.html",
            {
                "survey": survey,
                "message": not_open_message(survey),
                "receipt_url": reverse("engagement:receipt", args=[survey.pk]),
            },
        )
    return None


def _refused(request: AuthedRequest, survey: Survey, exc: ResponseError) -> HttpResponse:
    messages.error(request, exc.message)
    url = answer_url(survey)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- Views ------------------------------------------------------------------------------------


@require_GET
def my_surveys(request: AuthedRequest) -> HttpResponse:
    """The person's invitations to open surveys, answered or not."""
    invitations = list(
        Invitation.objects.filter(person=request.user, survey__status=SurveyStatus.OPEN)
        .select_related("survey")
        .order_by("submitted", "survey__closes_at", "survey__pk")
    )
    return render(request, "engagement/answer/my_surveys.html", {"invitations": invitations})


@require_http_methods(["GET", "POST"])
def answer(request: AuthedRequest, survey_id: int) -> HttpResponse:
    """The form: step 0 is the privacy notice, then one step per section, then the review.
    POST saves the step's answers (save_draft) and moves back or on."""
    invitation = own_invitation_or_404(request, survey_id)
    if request.method == "POST" and (
        invitation.submitted or invitation.survey.status != SurveyStatus.OPEN
    ):
        # A tab left open: say why nothing was saved, on the page that explains it.
        message = ALREADY_SUBMITTED if invitation.submitted else not_open_message(invitation.survey)
        return _refused(request, invitation.survey, ResponseError(message))
    stop = _closed_or_answered(request, invitation)
    if stop is not None:
        return stop
    form = load_form(invitation)
    if request.method == "GET":
        number = requested_step(form, request.GET.get("step"))
        return _render_step(request, _context(form, number))
    number = requested_step(form, request.POST.get("step"))
    if not 1 <= number <= len(form.steps):
        return redirect(answer_url(form.survey, number))
    step = form.steps[number - 1]
    raw = posted_answers(step, request.POST)
    try:
        save_draft(invitation=invitation, answers=raw, questions=form.questions)
    except InvalidAnswers as exc:
        # Keep what they typed: the step is shown again with their values and the messages.
        values = {**(invitation.draft or {}), **raw}
        return _render_step(request, _context(form, number, values=values, errors=exc.errors))
    except ResponseError as exc:
        return _refused(request, form.survey, exc)
    action = request.POST.get("action", "next")
    target = {"back": number - 1, "save": number}.get(action, number + 1)
    if action == "save":
        messages.success(request, "Your answers are saved. You can come back and finish later.")
    url = answer_url(form.survey, target)
    if request.htmx:
        return _render_step(request, _context(form, target), push=url)
    return redirect(url)


@require_POST
def answer_save(request: AuthedRequest, survey_id: int) -> HttpResponse:
    """Save the step's answers as they change (htmx); says "Saved" or why not."""
    invitation = own_invitation_or_404(request, survey_id)
    form = load_form(invitation)
    number = requested_step(form, request.POST.get("step"))
    if not 1 <= number <= len(form.steps):
        return redirect(answer_url(form.survey))
    status, ok = "Saved.", True
    try:
        save_draft(
            invitation=invitation,
            answers=posted_answers(form.steps[number - 1], request.POST),
            questions=form.questions,
        )
    except InvalidAnswers as exc:
        ok = False
        status = "Not saved yet: " + " ".join(sorted(set(exc.errors.values())))
    except ResponseError as exc:
        ok = False
        status = exc.message
    if not request.htmx:
        if not ok:
            messages.error(request, status)
        return redirect(answer_url(form.survey, number))
    return render(
        request, "engagement/answer/form.html#save_status", {"save_status": status, "save_ok": ok}
    )


@require_POST
def answer_submit(request: AuthedRequest, survey_id: int) -> HttpResponse:
    invitation = own_invitation_or_404(request, survey_id)
    survey = invitation.survey
    try:
        submit_response(invitation=invitation, answers=invitation.draft or {})
    except InvalidAnswers as exc:
        form = load_form(invitation)
        ctx = _context(form, form.review_number, errors=exc.errors)
        return render(request, "engagement/answer/form.html", ctx)
    except AlreadySubmitted as exc:
        messages.error(request, exc.message)
        return redirect(answer_url(survey))
    except ResponseError as exc:
        messages.error(request, exc.message)
        return redirect(answer_url(survey))
    return redirect("engagement:answer_thanks", survey.pk)


@require_GET
def answer_thanks(request: AuthedRequest, survey_id: int) -> HttpResponse:
    invitation = own_invitation_or_404(request, survey_id)
    if not invitation.submitted:
        return redirect(answer_url(invitation.survey))
    survey = invitation.survey
    return render(
        request,
        "engagement/answer/thanks.html",
        {
            "survey": survey,
            "notice": privacy_notice(survey),
            "receipt_url": reverse("engagement:receipt", args=[survey.pk]),
        },
    )


@require_GET
def answer_token(request: AuthedRequest, token: str) -> HttpResponse:
    """The link in the invitation email: only for the invited person, who must be signed in."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    invitation = (
        Invitation.objects.filter(token_hash=digest, person=request.user)
        .exclude(survey__status=SurveyStatus.DRAFT)
        .only("survey_id")
        .first()
    )
    if invitation is None:
        raise Http404
    return redirect(answer_url_for(invitation.survey_id))


def answer_url_for(survey_id: int) -> str:
    return reverse("engagement:answer", args=[survey_id])


@require_GET
def receipt(request: AuthedRequest, survey_id: int) -> HttpResponse:
    """The anonymity receipt: who can see what, at which threshold, for this survey."""
    invitation = own_invitation_or_404(request, survey_id)
    survey = invitation.survey
    return render(
        request,
        "engagement/answer/receipt.html",
        {"survey": survey, "invitation": invitation, "notice": privacy_notice(survey)},
    )
