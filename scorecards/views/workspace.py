"""The grading workspace: read an interaction and grade it against a framework on one screen.

- ``GET  /quality/interactions/<pk>/review/`` (``workspace``): the conversation, the customer's
  feedback and the contact's details on the left; the framework, the reviewer's ratings and the
  running score on the right. A GET never writes: without a draft it shows the framework and a
  "Start review" button.
- ``POST`` to the same URL starts the reviewer's draft with the chosen framework version.
- ``POST /quality/reviews/<pk>/rate/`` (``review_rate``): saves the whole form (a draft save, or a
  correction of a submitted review). htmx gets the score panel plus the changed criterion's row
  (out of band); a plain POST is redirected back to the workspace.
- ``POST /quality/reviews/<pk>/submit/`` (``review_submit``): saves, then submits; incomplete
  reviews come back with the problems listed at the top and under each criterion.

Who: people holding a grading role (others get 403 before anything is looked up); the
interaction must be visible to them (404) and they may not grade their own contact (403). A
draft is edited by its author only; a submitted review is corrected by its author or a QA
manager or administrator of its team, and every corrected criterion is audited by the service.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST

from qa_platform.http import AuthedRequest
from qa_platform.people.access import get_visible_or_404, require_role
from scorecards import scoring
from scorecards.access import GRADER_ROLES, can_edit_review, require_grader
from scorecards.forms import (
    NA,
    RatingPost,
    is_low,
    parse_rating_post,
    problems_by_key,
)
from scorecards.framework_def import Criterion, FrameworkDef, Problem
from scorecards.models import (
    CustomerFeedback,
    FrameworkVersion,
    Interaction,
    InteractionQuerySet,
    Review,
    ReviewPurpose,
    ReviewQuerySet,
    Transcript,
)
from scorecards.services.reviews import (
    ReviewIncomplete,
    competing_reviews,
    lock_review,
    rate,
    score_of,
    start_review,
    submit_review,
)

TEMPLATE = "scorecards/workspace/workspace.html"
SPEEDS = ("0.75", "1", "1.25", "1.5", "2")
CONFIRM_FIELD = "confirm_competing"


# --- What the template shows ------------------------------------------------------------------


class _Lookup:
    """Django templates try `obj[name]` before `getattr(obj, name)`; answering the first spares
    an exception per variable, and a 30-criterion page prints thousands of them."""

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


@dataclass(frozen=True)
class MessageRow:
    """One line of the conversation, with everything the template prints already formatted
    (a 200-message thread renders several times faster without per-line template filters)."""

    index: str  # position in Transcript.messages: what quote evidence points at
    number: str  # index + 1, for people
    css: str  # the line's classes: speaker, internal note
    name: str
    speaker_label: str
    at_iso: str
    at_clock: str  # 14:03:27 in the viewer's time zone
    at_title: str
    offset: str  # seconds into the recording, "" when none
    offset_label: str  # 1:23
    text: SafeString  # escaped, line breaks as <br>
    internal: bool


@dataclass(frozen=True)
class OptionRow(_Lookup):
    position: str  # 1, 2, ... in the order shown
    shortcut: str  # the number key that picks it: "1".."9", "" beyond 9
    value: str
    label: str
    guidance: str
    checked: bool
    low: bool
    html: SafeString  # the labelled radio button (see option_html)


@dataclass(frozen=True)
class EvidenceRow(_Lookup):
    text: str
    data: str  # the JSON posted back in the hidden input


@dataclass
class CriterionRow(_Lookup):
    """Everything one criterion's row prints, flat, so the partial does few lookups."""

    criterion: Criterion
    key: str
    title: str
    css: str  # ws-criterion plus is-rated / has-error
    badges: SafeString  # Fatal / Critical / Question pills
    fatal: bool
    na_rule: str  # shown when N/A is allowed and has a rule
    guidance: str
    option_guidance: list[dict[str, str]]  # label, value, guidance of options that have some
    options: list[OptionRow]
    na_option: SafeString  # the N/A radio button, "" where N/A is not allowed
    na_checked: bool
    root_causes: list[dict[str, Any]]  # cause, selected; empty unless the rating is low
    comment: str
    evidence: list[EvidenceRow]
    errors: list[str]
    editable: bool
    has_root_causes: bool

    @property
    def has_guidance(self) -> bool:
        return bool(self.guidance or self.option_guidance)

    @property
    def show_root_causes(self) -> bool:
        return bool(self.root_causes)

    @property
    def rated(self) -> bool:
        return self.na_checked or any(option.checked for option in self.options)


@dataclass(frozen=True)
class SectionRows:
    title: str
    rows: list[CriterionRow]


@dataclass(frozen=True)
class ScorePanel(_Lookup):
    raw: str
    final: str
    passed: bool | None
    pass_mark: str
    fatal_sentence: str
    lines: list[str]
    rated: int
    total: int
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Competitor:
    name: str
    submitted: bool
    when: dt.datetime | None
    final: str


@dataclass(frozen=True)
class SummaryItem:
    anchor: str  # "" when the problem has no place on the page
    message: str


class RatingState(Protocol):
    """A stored ReviewRating or a posted RatingInput: what a criterion row shows."""

    @property
    def value(self) -> Decimal | None: ...

    @property
    def na(self) -> bool: ...

    @property
    def root_cause(self) -> str: ...

    @property
    def comment(self) -> str: ...

    @property
    def evidence(self) -> Any: ...


# --- Small helpers ----------------------------------------------------------------------------


def clock(seconds: float | int | None) -> str:
    """0:42, 12:05, 1:02:03."""
    if seconds is None:
        return ""
    total = max(int(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _clock_time(local: dt.datetime) -> str:
    """14:03:27 (plain arithmetic: strftime was a third of a 200-line thread's time)."""
    return f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}"


def _title_time(local: dt.datetime, zone_names: dict[Any, str]) -> str:
    """12 Jan 2026, 14:03:27 UTC: the exact time, for the hover title."""
    offset = local.utcoffset()
    if offset not in zone_names:
        zone_names[offset] = local.strftime("%Z")
    month = _MONTHS[local.month - 1]
    return f"{local.day} {month} {local.year}, {_clock_time(local)} {zone_names[offset]}"


def message_rows(transcript: Transcript | None) -> list[MessageRow]:
    if transcript is None or not isinstance(transcript.messages, list):
        return []
    labels = {"agent": "Agent", "customer": "Customer", "system": "System"}
    zone = timezone.get_current_timezone()
    rows = []
    zone_names: dict[Any, str] = {}
    for index, message in enumerate(transcript.messages):
        if not isinstance(message, dict):
            continue
        speaker = str(message.get("speaker") or "system")
        speaker = speaker if speaker in labels else "system"
        internal = bool(message.get("internal"))
        at = _parse_time(message.get("at"))
        local = at.astimezone(zone) if at is not None else None
        offset = _float(message.get("offset"))
        rows.append(
            MessageRow(
                index=str(index),
                number=str(index + 1),
                css=f"ws-message ws-speaker-{speaker}" + (" ws-internal" if internal else ""),
                name=str(message.get("name") or labels[speaker]),
                speaker_label=labels[speaker],
                at_iso=local.isoformat() if local else "",
                at_clock=_clock_time(local) if local else "",
                at_title=_title_time(local, zone_names) if local else "",
                offset="" if offset is None else f"{offset:g}",
                offset_label=clock(offset) if offset is not None else "",
                text=SafeString(
                    escape(str(message.get("text") or ""))
                    .replace("\r\n", "\n")
                    .replace("\n", "<br>")
                ),
                internal=internal,
            )
        )
    return rows


def thread_html(rows: Sequence[MessageRow], *, seekable: bool) -> SafeString:
    """The conversation as list items. Built here, not in the template: a 200-message thread
    rendered through template tags took most of the page's time (bench/workspace_bench.py)."""
    parts = []
    for m in rows:
        offset = ""
        if m.offset:
            seek = (
                f'<button type="button" class="linklike ws-seek" data-seek="{m.offset}" hidden>'
                f'{m.offset_label}<span class="visually-hidden"> — play from here</span></button> '
                if seekable
                else ""
            )
            offset = f' {seek}<span class="ws-offset muted" data-ws-offset>{m.offset_label}</span>'
        at = (
            f' <time class="muted" datetime="{m.at_iso}" title="{m.at_title}">{m.at_clock}</time>'
            if m.at_iso
            else ""
        )
        internal = (
            '<p class="ws-internal-label"><svg class="icon" aria-hidden="true">'
            '<use href="#i-alert"></use></svg> Internal note — not seen by the customer</p>'
            if m.internal
            else ""
        )
        data_offset = f' data-offset="{m.offset}"' if m.offset else ""
        parts.append(
            f'<li class="{m.css}" id="message-{m.index}" data-index="{m.index}"{data_offset}>'
            f'<p class="ws-message-head"><strong>{escape(m.name)}</strong> '
            f'<span class="muted">{m.speaker_label}</span>{offset}{at} '
            f'<button type="button" class="button button-small ws-quote" data-quote="{m.index}" '
            f'hidden>Quote<span class="visually-hidden"> message {m.number}</span></button></p>'
            f'{internal}<p class="ws-message-text">{m.text}</p></li>'
        )
    return SafeString("\n".join(parts))


def _evidence_rows(evidence: Any) -> list[EvidenceRow]:
    rows = []
    for item in evidence if isinstance(evidence, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("kind") == "quote":
            number = item.get("message")
            where = f" (message {number + 1})" if isinstance(number, int) else ""
            text = f"“{item.get('text', '')}”{where}"
        elif item.get("kind") == "time":
            text = f"At {clock(_float(item.get('seconds')) or 0)} in the recording"
        else:
            continue
        rows.append(EvidenceRow(text=text, data=json.dumps(item, ensure_ascii=False)))
    return rows


def option_html(
    key: str,
    position: str,
    value: str,
    label: str,
    *,
    shortcut: str,
    checked: bool,
    low: bool,
    na: bool = False,
    editable: bool,
) -> SafeString:
    """One labelled radio button. Built here, not in the template: a 30-criterion framework
    has ~180 of them and the template version made the page several times slower."""
    suffix = "na" if na else position
    flags = (
        (' data-na="true"' if na else f' data-option="{position}"')
        + (' data-low="true"' if low else "")
        + (" checked" if checked else "")
        + ("" if editable else " disabled")
    )
    value_text = "" if na else f' <span class="ws-option-value">{escape(value)}</span>'
    kbd = f'<kbd aria-hidden="true">{shortcut}</kbd>' if shortcut else ""
    return SafeString(
        f'<label class="ws-option{" ws-option-na" if na else ""}"><input type="radio" '
        f'id="rating-{escape(key)}-{suffix}" name="rating-{escape(key)}" value="{escape(value)}"'
        f"{flags}>{kbd}<span>{escape(label)}</span>{value_text}</label>"
    )


def criterion_row(
    criterion: Criterion,
    state: RatingState | None,
    *,
    editable: bool,
    errors: Sequence[str] = (),
) -> CriterionRow:
    value = None if state is None or state.na else state.value
    low_values = {option.value for option in criterion.options if is_low(criterion, option.value)}
    options = []
    for number, option in enumerate(criterion.options, start=1):
        position, text = str(number), _number(option.value)
        shortcut = position if number <= 9 else ""
        checked = value is not None and option.value == value
        low = option.value in low_values
        options.append(
            OptionRow(
                position=position,
                shortcut=shortcut,
                value=text,
                label=option.label,
                guidance=option.guidance,
                checked=checked,
                low=low,
                html=option_html(
                    criterion.key,
                    position,
                    text,
                    option.label,
                    shortcut=shortcut,
                    checked=checked,
                    low=low,
                    editable=editable,
                ),
            )
        )
    na_checked = bool(state is not None and state.na and criterion.na_allowed)
    na_option = (
        option_html(
            criterion.key,
            "",
            NA,
            "N/A",
            shortcut="0",
            checked=na_checked,
            low=False,
            na=True,
            editable=editable,
        )
        if criterion.na_allowed
        else SafeString("")
    )
    root_cause = state.root_cause if state is not None else ""
    errors = list(errors)
    rated = na_checked or value is not None
    return CriterionRow(
        criterion=criterion,
        key=criterion.key,
        title=criterion.title,
        css="ws-criterion" + (" has-error" if errors else "") + (" is-rated" if rated else ""),
        badges=_BADGES.get(criterion.severity if criterion.scoring else "question", _NO_BADGE),
        fatal=criterion.is_fatal,
        na_rule=criterion.na_rule if criterion.na_allowed else "",
        guidance=criterion.guidance,
        option_guidance=[
            {"label": o.label, "value": o.value, "guidance": o.guidance}
            for o in options
            if o.guidance
        ],
        options=options,
        na_option=na_option,
        na_checked=na_checked,
        root_causes=(
            [{"cause": c, "selected": c == root_cause} for c in criterion.root_causes]
            if value in low_values
            else []
        ),
        comment=state.comment if state is not None else "",
        evidence=_evidence_rows(state.evidence if state is not None else []),
        errors=errors,
        editable=editable,
        has_root_causes=bool(criterion.root_causes),
    )


_ALERT = '<svg class="icon" aria-hidden="true"><use href="#i-alert"></use></svg>'
_NO_BADGE = SafeString("")
_BADGES = {
    "fatal": SafeString(f' <span class="pill pill-danger">{_ALERT} Fatal</span>'),
    "critical": SafeString(' <span class="pill pill-warning">Critical</span>'),
    "question": SafeString(' <span class="pill pill-neutral">Question, not scored</span>'),
}


def section_rows(
    defn: FrameworkDef,
    states: Mapping[str, RatingState],
    *,
    editable: bool,
    errors: Mapping[str, list[str]],
) -> list[SectionRows]:
    return [
        SectionRows(
            title=section.title,
            rows=[
                criterion_row(
                    criterion,
                    states.get(criterion.key),
                    editable=editable,
                    errors=errors.get(criterion.key, ()),
                )
                for criterion in section.criteria
            ],
        )
        for section in defn.sections
    ]


def score_panel(score: scoring.ReviewScore, problems: Iterable[Problem] = ()) -> ScorePanel:
    fatal_titles = [f"'{c.title}'" for c in score.criteria if c.fatal_failed]
    fatal_sentence = ""
    if fatal_titles:
        noun = "criterion" if len(fatal_titles) == 1 else "criteria"
        fatal_sentence = (
            f"Fatal {noun} {', '.join(fatal_titles)} failed, so the final score is 0 whatever "
            f"the rest adds up to (raw score {scoring.display(score.raw)})."
        )
    scoring_results = [c for c in score.criteria if c.scoring]
    return ScorePanel(
        raw=scoring.display(score.raw),
        final=scoring.display(score.final),
        passed=score.passed,
        pass_mark=_number(score.pass_mark),
        fatal_sentence=fatal_sentence,
        lines=score.explanation(),
        rated=sum(1 for c in scoring_results if not c.unrated),
        total=len(scoring_results),
        problems=[p.message for p in problems],
    )


def summary(defn: FrameworkDef, problems: Iterable[Problem]) -> list[SummaryItem]:
    known = {criterion.key for criterion in defn.criteria}
    anchors = {"comment": "#ws-comment", "confirm": f"#{CONFIRM_FIELD}"}
    items = []
    for problem in problems:
        if problem.where in known:
            anchor = f"#criterion-{problem.where}"
        else:
            anchor = anchors.get(problem.where, "")
        items.append(SummaryItem(anchor=anchor, message=problem.message))
    return items


def verdict_word(passed: bool | None) -> str:
    return "Not scored" if passed is None else ("Pass" if passed else "Fail")


def _workspace_url(review: Review, *, correcting: bool = False) -> str:
    query = {"review": review.pk, **({"correct": 1} if correcting else {})}
    url = reverse("scorecards:workspace", args=[review.interaction_id])
    return f"{url}?{urlencode(query)}"


def _review_page_url(review: Review) -> str:
    try:
        return reverse("scorecards:review", args=[review.pk])
    except NoReverseMatch:  # the review page belongs to the reviews views module
        return _workspace_url(review)


# --- Fetching ---------------------------------------------------------------------------------


def _latest_versions() -> list[FrameworkVersion]:
    """The latest version of every framework in use (published, not retired), by name."""
    latest = (
        FrameworkVersion.objects.filter(framework=OuterRef("framework"))
        .order_by("-number")
        .values("number")[:1]
    )
    return list(
        FrameworkVersion.objects.filter(
            framework__live=True, framework__retired_at__isnull=True, number=Subquery(latest)
        )
        .select_related("framework")
        .order_by("framework__name", "framework_id")
    )


def _reviews() -> ReviewQuerySet:
    return Review.objects.select_related("framework_version", "reviewer", "team").prefetch_related(
        "ratings"
    )


def _interactions() -> InteractionQuerySet:
    return Interaction.objects.select_related("agent", "team", "transcript")


def _grader_interaction(request: AuthedRequest, pk: int) -> Interaction:
    require_role(request.user, *GRADER_ROLES)  # 403 for people who never grade
    interaction = get_visible_or_404(_interactions().visible_to(request.user), pk=pk)
    require_grader(request.user, interaction)  # e.g. their own contact
    return interaction


def _editable_review(request: AuthedRequest, pk: int, *, lock: bool = False) -> Review:
    """The review behind a rate or submit POST: drafts by their author, submitted reviews by
    whoever may correct them. `lock`: inside the caller's transaction, the same one query also
    locks the review and reads its ratings (`lock_review`), ready for `rate(locked=True)`."""
    require_role(request.user, *GRADER_ROLES)
    reviews = Review.objects.visible_to(request.user).select_related("framework_version", "team")
    if lock:
        try:
            review = lock_review(reviews, pk=pk)
        except (Review.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc
    else:
        review = get_visible_or_404(reviews, pk=pk)
    if review.is_submitted:
        allowed = can_edit_review(request.user, review)
    else:
        allowed = review.reviewer_id == request.user.pk
    if not allowed:
        raise PermissionDenied
    return review


# --- The page ---------------------------------------------------------------------------------


def _transcript(interaction: Interaction) -> Transcript | None:
    try:
        return interaction.transcript
    except Transcript.DoesNotExist:
        return None


_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*$")


def url_origin(url: str) -> str | None:
    """ "https://media.example.com:8443" from an http(s) address; None for anything else (other
    schemes, no host, a host or port that could not stand in a CSP source expression)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not _HOST.match(host):
        return None
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def playable_origin(url: str) -> str | None:
    """The origin of an external recording the workspace may play in its <audio> element: one
    listed in settings.RECORDING_MEDIA_ORIGINS ("*" allows any http(s) origin), else None (the
    page then only links to the recording)."""
    origin = url_origin(url)
    if origin is None:
        return None
    allowed = getattr(settings, "RECORDING_MEDIA_ORIGINS", ())
    if "*" in allowed or origin in {url_origin(a) for a in allowed}:
        return origin
    return None


def csp_with_media(origin: str) -> dict[str, list[str]]:
    """The site's policy with one more origin allowed for media (audio) and nothing else."""
    base: dict[str, Any] = settings.SECURE_CSP
    policy: dict[str, list[str]] = {k: list(v) for k, v in base.items()}
    policy["media-src"] = [*policy.get("media-src", [CSP.SELF]), origin]
    return policy


def render_workspace(
    request: AuthedRequest,
    interaction: Interaction,
    review: Review | None,
    *,
    correcting: bool = False,
    problems: Sequence[Problem] = (),
    chosen_version: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    versions: list[FrameworkVersion] = []
    version: FrameworkVersion | None
    if review is None:
        versions = _latest_versions()
        version = next((v for v in versions if str(v.pk) == chosen_version), None)
        version = version or (versions[0] if versions else None)
        competitors = list(
            Review.objects.filter(interaction=interaction, purpose=ReviewPurpose.QUALITY)
            .exclude(reviewer=user)
            .select_related("reviewer")
            .order_by("pk")
        )
    else:
        version = review.framework_version
        competitors = competing_reviews(review)

    if review is None:
        mode = "preview" if version is not None else "none"
    elif not review.is_submitted:
        mode = "draft" if review.reviewer_id == user.pk else "readonly"
    elif can_edit_review(user, review):
        mode = "correct" if correcting else "submitted"
    else:
        mode = "readonly"
    editable = mode in ("draft", "correct")

    errors = problems_by_key(list(problems))
    defn = version.defn if version is not None else None
    sections: list[SectionRows] = []
    panel = None
    if defn is not None:
        stored: dict[str, RatingState] = (
            {r.criterion_key: r for r in review.ratings.all()} if review is not None else {}
        )
        sections = section_rows(defn, stored, editable=editable, errors=errors)
        if review is not None:
            panel = score_panel(score_of(review))

    feedback = list(
        CustomerFeedback.objects.visible_to(user)
        .filter(interaction=interaction)
        .order_by("-received_at")
    )
    recording_src = ""
    media_origin = None
    if interaction.recording_file:
        recording_src = interaction.recording_file.url
    else:
        url = interaction.recording_url
        # A path on this site plays as it is; another site's only when its origin is allowed.
        local = url.startswith("/") and not url.startswith("//")
        media_origin = None if local or not url else playable_origin(url)
        if local or media_origin:
            recording_src = url
    seekable = interaction.channel == "call" and bool(recording_src)
    transcript = _transcript(interaction)
    description = " · ".join(
        part
        for part in (
            interaction.team.name,
            interaction.queue,
            f"{interaction.source} {interaction.source_id}",
        )
        if part
    )
    framework_summary = ""
    if defn is not None:
        scoring_count = len(defn.scoring_criteria)
        questions = len(defn.criteria) - scoring_count
        framework_summary = (
            f"Pass mark {_number(defn.pass_mark)}; {scoring_count} "
            f"criteri{'on' if scoring_count == 1 else 'a'}"
            + (f" and {questions} question{'s' if questions != 1 else ''}" if questions else "")
            + "."
        )
    context = {
        "description": description,
        "framework_summary": framework_summary,
        "title": f"Review: {interaction.get_channel_display()} with "
        f"{interaction.agent.get_full_name()}",
        "interaction": interaction,
        "is_call": interaction.channel == "call",
        "seekable": seekable,
        "thread": thread_html(message_rows(transcript), seekable=seekable),
        "transcript_masked": bool(transcript is not None and transcript.masked),
        "recording_src": recording_src,
        "speeds": SPEEDS,
        "duration": clock(interaction.duration_seconds),
        "feedback": feedback,
        "review": review,
        "mode": mode,
        "editable": editable,
        "version": version,
        "versions": versions,
        "defn": defn,
        "sections": sections,
        "panel": panel,
        "competitors": [
            Competitor(
                name=c.reviewer.get_full_name(),
                submitted=c.is_submitted,
                when=c.submitted_at if c.is_submitted else c.started_at,
                final=scoring.display(c.final_score),
            )
            for c in competitors
        ],
        "confirm_field": CONFIRM_FIELD,
        "summary": summary(defn, problems) if defn is not None else [],
        "errors": errors,
        "na": NA,
    }
    if review is not None:
        context["rate_url"] = reverse("scorecards:review_rate", args=[review.pk])
        context["submit_url"] = reverse("scorecards:review_submit", args=[review.pk])
        context["correct_url"] = _workspace_url(review, correcting=True)
        context["view_url"] = _workspace_url(review)
    response = render(request, TEMPLATE, context, status=status)
    if media_origin is not None:
        # This page, and only this one, may load media from the recording's origin.
        response._csp_config = csp_with_media(media_origin)  # type: ignore[attr-defined]
    return response


def _own_review(request: AuthedRequest, interaction: Interaction) -> Review | None:
    """The reviewer's draft of this interaction, else their latest submitted review of it."""
    found = list(
        _reviews()
        .filter(interaction=interaction, reviewer=request.user, purpose=ReviewPurpose.QUALITY)
        .order_by("status", "-pk")[:1]  # "draft" sorts before "submitted"
    )
    return found[0] if found else None


@require_http_methods(["GET", "POST"])
def workspace(request: AuthedRequest, pk: int) -> HttpResponse:
    interaction = _grader_interaction(request, pk)
    if request.method == "POST":
        return _start(request, interaction)

    review: Review | None
    review_id = request.GET.get("review", "")
    if review_id:
        review = get_visible_or_404(
            _reviews().visible_to(request.user).filter(interaction=interaction), pk=review_id
        )
    else:
        review = _own_review(request, interaction)
    return render_workspace(
        request,
        interaction,
        review,
        correcting=request.GET.get("correct") == "1",
        chosen_version=request.GET.get("framework", ""),
    )


def _start(request: AuthedRequest, interaction: Interaction) -> HttpResponse:
    chosen = request.POST.get("framework", "")
    versions = _latest_versions()
    version = next((v for v in versions if str(v.pk) == chosen), None)
    if version is None:
        messages.error(
            request,
            "Choose one of the frameworks in use to start the review."
            if versions
            else "No framework is in use yet: a QA manager publishes one first.",
        )
        return redirect("scorecards:workspace", pk=interaction.pk)
    review = start_review(reviewer=request.user, interaction=interaction, framework_version=version)
    return redirect(_workspace_url(review))


# --- Saving ratings ---------------------------------------------------------------------------


def _save(
    request: AuthedRequest, review: Review, posted: RatingPost, *, locked: bool = False
) -> scoring.ReviewScore:
    """Store what was posted; ReviewIncomplete when the service refuses it."""
    return rate(
        review=review,
        by=request.user,
        ratings=posted.ratings,
        comment=posted.comment,
        answers=posted.merged_answers(review.answers) if posted.answers else None,
        request=request,
        locked=locked,
    )


def _changed_key(request: AuthedRequest, defn: FrameworkDef) -> str:
    key = request.POST.get("changed", "")
    return key if any(c.key == key for c in defn.criteria) else ""


@require_POST
def review_rate(request: AuthedRequest, pk: int) -> HttpResponse:
    result = None
    try:
        # One transaction, one read: the review is found (visible, editable), locked and read
        # with its ratings in one query, then rated without reading it again.
        with transaction.atomic():
            review = _editable_review(request, pk, lock=True)
            defn = review.framework_version.defn
            posted = parse_rating_post(defn, request.POST)
            problems = list(posted.problems)
            if not problems:
                result = _save(request, review, posted, locked=True)
    except ReviewIncomplete as exc:  # refused before anything was written; rolled back
        problems = exc.problems

    if not request.htmx:
        if problems:
            return render_workspace(
                request,
                _interactions().get(pk=review.interaction_id),
                _reviews().get(pk=review.pk),
                correcting=review.is_submitted,
                problems=problems,
                status=400,
            )
        messages.success(request, "Corrections saved." if review.is_submitted else "Draft saved.")
        return redirect(_workspace_url(review, correcting=review.is_submitted))

    changed = _changed_key(request, defn)
    row = None
    if result is None:  # refused: show what is stored, with the reasons
        review = _reviews().get(pk=review.pk)
        result = score_of(review)
        stored = {r.criterion_key: r for r in review.ratings.all()}
        if changed:
            row = criterion_row(
                defn.criterion(changed),
                stored.get(changed),
                editable=True,
                errors=problems_by_key(problems).get(changed, ()),
            )
    elif changed:
        state = posted.ratings.get(changed)
        row = criterion_row(defn.criterion(changed), state, editable=True)
    context = {
        "panel": score_panel(result, problems),
        "review": review,
        "row": row,
        "editable": True,
        "oob": True,
        "na": NA,
        "rate_url": reverse("scorecards:review_rate", args=[review.pk]),
    }
    return render(request, f"{TEMPLATE}#rate_response", context)


@require_POST
def review_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _editable_review(request, pk)
    if review.reviewer_id != request.user.pk:
        raise PermissionDenied  # only the author submits
    if review.is_submitted:
        messages.info(request, "This review was already submitted.")
        return redirect(_review_page_url(review))
    defn = review.framework_version.defn
    posted = parse_rating_post(defn, request.POST)
    problems: list[Problem] = list(posted.problems)
    if not problems and (posted.ratings or posted.comment is not None):
        try:
            _save(request, review, posted)
        except ReviewIncomplete as exc:
            problems = exc.problems
    if not problems and competing_reviews(review) and not request.POST.get(CONFIRM_FIELD):
        problems = [
            Problem(
                "confirm",
                "Someone else has already reviewed this interaction: tick the box to confirm "
                "that you want to add a second review.",
            )
        ]
    if not problems:
        try:
            submitted = submit_review(review=review, by=request.user, request=request)
        except ReviewIncomplete as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                f"Review submitted: {scoring.display(submitted.final_score)}, "
                f"{verdict_word(submitted.passed)}.",
            )
            return redirect(_review_page_url(submitted))
    return render_workspace(
        request,
        _interactions().get(pk=review.interaction_id),
        _reviews().get(pk=review.pk),
        problems=problems,
        status=400,
    )


urlpatterns: list[URLPattern] = [
    path("interactions/<int:pk>/review/", workspace, name="workspace"),
    path("reviews/<int:pk>/rate/", review_rate, name="review_rate"),
    path("reviews/<int:pk>/submit/", review_submit, name="review_submit"),
]
