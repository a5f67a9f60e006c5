"""Demo quality data for `manage.py seed_demo` (see qa_platform.people.demo for the rules).

``small``
    The "Customer Support Standard" framework (12 criteria in 4 sections and one non-scoring
    question), published through Wagtail as version 1; 60 interactions of the small demo agents
    over the last 8 weeks with transcripts written for the demo (a double charge and a locked
    account in chat, a late delivery by email, a cancellation call with recording offsets, a plan
    question by messaging); customer feedback (CSAT, most with NPS, some CES and comments) on
    about 80% of them; and 30 submitted reviews, graded through `services.reviews` (start, rate,
    submit, with the system as the audit actor like every demo seeder), so their scores come
    from `scorecards.scoring`; their times are then set back to a few hours after the contact.
``large`` (for ``bench/``)
    Everything in ``small`` plus, across the large demo's agents, ``INTERACTIONS_PER_AGENT`` (500)
    interactions each over the last 8 weeks (1,000,000 for the 2,000 agents of the default people
    shape), a review of 10% of them (100,000) under the 15-criterion "Customer Support Standard
    (extended)" (1,500,000 ratings) and feedback on 20% (200,000). Written as raw rows in
    batches of `LARGE_BATCH` interactions (see "Large scale" below), so memory stays flat; scores
    come from `scorecards.scoring` on a pool of rating patterns scored once; one summary audit
    event (`demo.seed_quality`). Measured on a busy 2-CPU machine: about 5.5 minutes for the
    quality part on SQLite and on PostgreSQL, 477 MB / 204 MB peak resident (docs/decisions.md).

Re-running creates nothing new: interactions and feedback are matched on their source ids, a
demo interaction that has a review gets no second one, and the frameworks are found by name.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from io import TextIOBase
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from qa_platform.audit.services import record
from qa_platform.people.demo import SMALL_TEAMS, seeder
from qa_platform.people.models import Membership, RoleGrant, Team, User
from qa_platform.people.roles import Role
from scorecards import framework_def as fd
from scorecards import scoring
from scorecards.frameworks import QUESTION_SCALE, blocks_from_definition
from scorecards.models import (
    CesVersion,
    Channel,
    CustomerFeedback,
    Framework,
    FrameworkVersion,
    Interaction,
    QualityRollup,
    Review,
    ReviewPurpose,
    ReviewRating,
    ReviewSource,
    ReviewStatus,
    Transcript,
)
from scorecards.services import rollups
from scorecards.services.reviews import RatingInput, rate, start_review, submit_review

SOURCE = "demo-helpdesk"
FEEDBACK_SOURCE = "demo-survey"
LARGE_SOURCE = "demo-bench"
LARGE_FEEDBACK_SOURCE = "demo-bench-survey"
SMALL_INTERACTIONS = 60
SMALL_REVIEWS = 30
WEEKS = 8
INTERACTIONS_PER_AGENT = 500
LARGE_REVIEW_SHARE = 0.10
LARGE_FEEDBACK_SHARE = 0.20
LARGE_BATCH = 5_000
PATTERNS_PER_SKILL = 200
SKILL_LEVELS = 10

# --- The framework ------------------------------------------------------------------------------


def _opt(value: int, label: str, guidance: str) -> fd.ScaleOption:
    return fd.ScaleOption(Decimal(value), label, guidance)


def _yes_no(yes: str, no: str) -> tuple[fd.ScaleOption, ...]:
    return (_opt(1, "Yes", yes), _opt(0, "No", no))


def _criterion(
    key: str,
    title: str,
    guidance: str,
    scale: str,
    options: tuple[fd.ScaleOption, ...],
    *,
    weight: int = 1,
    severity: str = "normal",
    na_rule: str = "",
    root_causes: tuple[str, ...] = (),
) -> fd.Criterion:
    return fd.Criterion(
        key=key,
        title=title,
        guidance=guidance,
        scale=scale,
        options=options,
        weight=Decimal(weight),
        points=Decimal(0),
        na_allowed=bool(na_rule),
        na_rule=na_rule,
        severity=severity,
        root_causes=root_causes,
    )


GREETING = _criterion(
    "greeting",
    "Greets the customer and introduces themselves",
    "Within the first exchange: a greeting, the agent's name and an offer to help.",
    "three",
    (
        _opt(1, "Missing", "No greeting, or straight into questions."),
        _opt(2, "Partial", "Greets, but no name, or sounds read from a script."),
        _opt(3, "Warm", "Greets warmly, gives their name and offers help."),
    ),
)
VERIFY_IDENTITY = _criterion(
    "verify-identity",
    "Verifies identity before discussing the account",
    "The security check (two of: date of birth, postcode, last four card digits) comes before any "
    "account, order or payment detail is discussed or changed.",
    "yes_no",
    _yes_no(
        "Completed the whole check before any account detail.",
        "Discussed or changed account details before the check, or skipped part of it.",
    ),
    weight=2,
    severity="fatal",
    na_rule="The contact never touched account, order or payment details (e.g. a general "
    "product question)",
    root_causes=("Process not followed", "Knowledge gap", "Behaviour"),
)
CONFIRMS_REASON = _criterion(
    "confirms-reason",
    "Confirms the reason for contact",
    "Restates what the customer needs before acting on it.",
    "yes_no",
    _yes_no("Restated the need and the customer agreed.", "Acted on a guess."),
)
ACTIVE_LISTENING = _criterion(
    "active-listening",
    "Listens and asks clarifying questions",
    "Lets the customer finish, asks what is missing instead of assuming.",
    "five",
    (
        _opt(1, "Very poor", "Interrupts or ignores what the customer said."),
        _opt(2, "Poor", "Misses a key detail the customer gave."),
        _opt(3, "Fair", "Follows, but asks for information already given."),
        _opt(4, "Good", "Picks up every detail; asks one or two useful questions."),
        _opt(5, "Excellent", "Reflects the customer's words back and uncovers the real need."),
    ),
    weight=2,
    root_causes=("Knowledge gap", "Behaviour", "Tool (slow or missing information)"),
)
EMPATHY = _criterion(
    "empathy",
    "Acknowledges the customer's situation with empathy",
    "Names the impact on the customer in their own words; an apology where we got it wrong.",
    "five",
    (
        _opt(1, "Very poor", "Dismissive, or blames the customer."),
        _opt(2, "Poor", "A scripted 'sorry for the inconvenience' and nothing more."),
        _opt(3, "Fair", "Polite and neutral, no acknowledgement of the impact."),
        _opt(4, "Good", "Acknowledges the impact once, sincerely."),
        _opt(5, "Excellent", "Acknowledges the impact and adapts to the customer's mood."),
    ),
    weight=2,
    root_causes=("Behaviour", "Workload or pace"),
)
PLAIN_LANGUAGE = _criterion(
    "plain-language",
    "Explains in plain language",
    "No internal jargon or system names; checks the explanation landed.",
    "three",
    (
        _opt(1, "Unclear", "Jargon, or the customer had to ask again."),
        _opt(2, "Mostly clear", "Clear, with one unexplained term."),
        _opt(3, "Clear", "Plain words throughout; the customer could repeat it back."),
    ),
)
ACCURATE_INFORMATION = _criterion(
    "accurate-information",
    "Gives accurate, complete information",
    "What the agent says matches policy and the account; nothing the customer needs is left out.",
    "five",
    (
        _opt(1, "Very poor", "Wrong information that will cause a repeat contact or a loss."),
        _opt(2, "Poor", "Partly wrong, or a key fact missing."),
        _opt(3, "Fair", "Right, but incomplete (e.g. no timescale)."),
        _opt(4, "Good", "Right and complete."),
        _opt(5, "Excellent", "Right, complete, and anticipates the next question."),
    ),
    weight=3,
    severity="critical",
    root_causes=("Knowledge gap", "Process unclear", "Knowledge base wrong or missing"),
)
RESOLVES = _criterion(
    "resolves",
    "Resolves at first contact or sets a clear next step",
    "Either the issue is fixed now, or the customer knows who does what by when.",
    "three",
    (
        _opt(1, "Not resolved", "No fix and no clear next step."),
        _opt(2, "Next step", "Not fixed yet, but a clear owner and date."),
        _opt(3, "Resolved", "Fixed in this contact and confirmed with the customer."),
    ),
    weight=3,
    root_causes=(
        "Knowledge gap",
        "Process (needs another team)",
        "Tool or system fault",
        "Policy does not allow it",
    ),
)
OWNERSHIP = _criterion(
    "ownership",
    "Takes ownership; no unnecessary transfers",
    "Handles what they can; a transfer or escalation is warm and explained.",
    "yes_no",
    _yes_no("Owned it, or transferred warmly with context.", "A cold or avoidable transfer."),
    na_rule="No transfer or escalation was considered",
)
CLOSING = _criterion(
    "closing",
    "Summarises and checks nothing else is needed",
    "A short summary of what happens next, and 'is there anything else?'.",
    "yes_no",
    _yes_no("Summarised and asked.", "Ended without a summary or the check."),
)
REFUND_POLICY = _criterion(
    "refund-policy",
    "Follows the refund and credit policy",
    "Refunds, credits and goodwill within policy limits, with the reason noted.",
    "yes_no",
    _yes_no("Within policy and noted.", "Outside policy, or refused when policy allowed it."),
    weight=2,
    severity="critical",
    na_rule="No refund, credit or compensation was discussed",
    root_causes=("Knowledge gap", "Process unclear", "Behaviour"),
)
DATA_PROTECTION = _criterion(
    "data-protection",
    "Keeps personal data safe",
    "No full card numbers in chat or email, nothing disclosed to a third party, notes without "
    "unnecessary personal data.",
    "yes_no",
    _yes_no("Handled safely.", "Asked for, repeated or disclosed data it should not have."),
    weight=2,
    severity="critical",
    root_causes=("Knowledge gap", "Behaviour", "Tool"),
)
HOLD = _criterion(
    "hold-etiquette",
    "Uses hold and silence properly",
    "Asks before holding, explains why, comes back within a minute.",
    "three",
    (
        _opt(1, "Poor", "Unannounced hold or long silence."),
        _opt(2, "Acceptable", "Announced, but long or unexplained."),
        _opt(3, "Good", "Asked, explained and kept short."),
    ),
    na_rule="No hold or silence longer than 30 seconds",
)
TONE = _criterion(
    "tone",
    "Keeps a positive, professional tone",
    "Friendly and calm throughout, also when the customer is not.",
    "five",
    (
        _opt(1, "Very poor", "Curt, sarcastic or argumentative."),
        _opt(2, "Poor", "Flat or impatient at times."),
        _opt(3, "Fair", "Professional but distant."),
        _opt(4, "Good", "Friendly and calm."),
        _opt(5, "Excellent", "Friendly, calm and lifts the customer's mood."),
    ),
)
NOTES = _criterion(
    "case-notes",
    "Leaves accurate case notes",
    "Someone else could pick the case up from the notes alone.",
    "yes_no",
    _yes_no("Complete and accurate.", "Missing, wrong or unreadable."),
)
CONTACT_REASONS = (
    "Billing or payment",
    "Account access",
    "Delivery",
    "Cancellation",
    "Product question",
    "Other",
)
CONTACT_REASON = fd.Criterion(
    key="contact-reason",
    title="Contact reason",
    guidance="Why the customer got in touch; used for reports only, never scored.",
    scale=QUESTION_SCALE,
    options=tuple(
        fd.ScaleOption(Decimal(n), label) for n, label in enumerate(CONTACT_REASONS, start=1)
    ),
    weight=Decimal(0),
    points=Decimal(0),
    scoring=False,
)


def _standard(name: str, extended: bool) -> fd.FrameworkDef:
    return fd.FrameworkDef(
        name=name,
        scoring_mode="weighted",
        pass_mark=Decimal(80),
        use_section_weights=False,
        sections=(
            fd.Section(
                "opening",
                "Opening",
                None,
                (GREETING, VERIFY_IDENTITY, CONFIRMS_REASON, CONTACT_REASON),
            ),
            fd.Section(
                "understanding",
                "Understanding",
                None,
                (ACTIVE_LISTENING, EMPATHY, PLAIN_LANGUAGE, *((HOLD, TONE) if extended else ())),
            ),
            fd.Section(
                "resolution",
                "Resolution",
                None,
                (ACCURATE_INFORMATION, RESOLVES, OWNERSHIP, CLOSING),
            ),
            fd.Section(
                "compliance",
                "Compliance",
                None,
                (REFUND_POLICY, DATA_PROTECTION, *((NOTES,) if extended else ())),
            ),
        ),
    )


STANDARD = _standard("Customer Support Standard", extended=False)  # 12 criteria + 1 question
EXTENDED = _standard("Customer Support Standard (extended)", extended=True)  # 15 + 1
DESCRIPTIONS = {
    STANDARD.name: "How Northwind grades calls, chats, emails and messages: opening, understanding "
    "the customer, resolution, and compliance. Verifying identity is fatal.",
    EXTENDED.name: "The standard plus hold etiquette, tone and case notes (used by the benchmark "
    "data).",
}


def ensure_framework(defn: fd.FrameworkDef) -> FrameworkVersion:
    """The demo framework's latest version; created and published through Wagtail (a revision,
    then publish, which freezes version 1 via the `published` signal) when missing."""
    framework = Framework.objects.filter(name=defn.name).order_by("pk").first()
    if framework is None:
        framework = Framework.objects.create(
            name=defn.name,
            description=DESCRIPTIONS[defn.name],
            scoring_mode=defn.scoring_mode,
            pass_mark=defn.pass_mark,
            use_section_weights=defn.use_section_weights,
            sections=blocks_from_definition(defn),
            live=False,
        )
        framework.save_revision().publish()
    version = framework.versions.order_by("-number").first()
    if version is None:  # found as an unpublished draft: publish what it holds
        framework.save_revision().publish()
        version = framework.versions.order_by("-number").first()
    assert version is not None
    return version


# --- Transcripts written for the demo -----------------------------------------------------------


@dataclass(frozen=True)
class Line:
    at: int  # seconds after the contact started (a call's offset into the recording)
    speaker: str  # agent | customer | system
    text: str
    internal: bool = False


@dataclass(frozen=True)
class Script:
    key: str
    channel: str
    queue: str
    topic: str
    reason: str  # the contact-reason answer
    touches_account: bool  # identity must be verified
    refund: bool  # a refund or credit is discussed
    difficulty: float  # 0 easy .. 1 hard: lowers ratings and CSAT a little
    lines: tuple[Line, ...]


SCRIPTS: tuple[Script, ...] = (
    Script(
        "double-charge",
        Channel.CHAT,
        "Billing",
        "Charged twice",
        "Billing or payment",
        True,
        True,
        0.6,
        (
            Line(0, "customer", "Hi, I've been charged twice for my subscription this month. "
                 "Two payments of €{amount} on {day}."),
            Line(25, "agent", "Hi {first}, thanks for getting in touch, I'm {agent}. I'm sorry "
                 "to see a double charge, let's get that sorted."),
            Line(40, "agent", "Before I look at the account, could you confirm your date of "
                 "birth and the postcode on the account?"),
            Line(95, "customer", "14/03/1986 and it's LS6 2QT."),
            Line(130, "agent", "Thank you, that's confirmed. I can see both payments: one at "
                 "09:12 and a second attempt two minutes later that went through as well."),
            Line(150, "customer", "So why did it take it twice?? This is the second time this "
                 "year."),
            Line(190, "agent", "I understand how frustrating that is, especially when it has "
                 "happened before. The first payment timed out at the bank and our system "
                 "retried; the retry should have been cancelled and it wasn't."),
            Line(230, "agent", "I've raised a refund of €{amount} for the duplicate payment. It "
                 "will be back on your card within 3 to 5 working days, and I've asked our "
                 "billing team to check the retry on your account."),
            Line(236, "system", "Refund RF-{ref} raised: €{amount}, reason duplicate payment.",
                 internal=True),
            Line(260, "customer", "OK. Will I get an email about the refund?"),
            Line(280, "agent", "Yes, a confirmation with the refund reference within the hour. "
                 "Is there anything else I can help with today?"),
            Line(320, "customer", "No that's it, thanks."),
            Line(335, "agent", "Thanks {first}, and sorry again for the trouble. Have a good "
                 "evening!"),
        ),
    ),
    Script(
        "locked-account",
        Channel.CHAT,
        "Accounts",
        "Account locked",
        "Account access",
        True,
        False,
        0.3,
        (
            Line(0, "customer", "I can't log in. It says my account is locked."),
            Line(30, "agent", "Hello {first}, I'm {agent} and I can help with that. Accounts "
                 "lock after five wrong passwords, to keep them safe."),
            Line(45, "agent", "So I can unlock it, please confirm the email address on the "
                 "account and the last four digits of the card you pay with."),
            Line(110, "customer", "It's my gmail address, and the card ends 2290."),
            Line(140, "agent", "Thanks, that matches. I've unlocked the account and sent a "
                 "password reset link to your email. It's valid for 30 minutes."),
            Line(200, "customer", "Got it. The link says expired though?"),
            Line(225, "agent", "Sorry about that, it happens when an older link is opened. I've "
                 "sent a fresh one just now; please use the newest email."),
            Line(290, "customer", "That worked, I'm in. Thanks!"),
            Line(305, "agent", "Great! Next time the 'Forgot password' link on the sign-in page "
                 "sends the same email, so you won't need to wait for us. Anything else?"),
            Line(330, "customer", "No, all good."),
        ),
    ),
    Script(
        "late-delivery",
        Channel.EMAIL,
        "Orders",
        "Late delivery",
        "Delivery",
        True,
        True,
        0.5,
        (
            Line(0, "customer", "Order {order} hasn't arrived. It was due on {day} and the "
                 "tracking hasn't changed for four days. I need it for the weekend. What is "
                 "going on?"),
            Line(3 * 3600, "agent", "Dear {first},\n\nThank you for your email, and I'm sorry "
                 "your order hasn't arrived yet. I've checked order {order} against your "
                 "account: the parcel left our warehouse on time but has been held at the "
                 "courier's regional depot since Monday.\n\nI've opened a trace with the courier "
                 "(reference TR-{ref}); they answer within 24 hours and I'll email you as soon "
                 "as I hear back. If the parcel can't be found by Friday, I'll send a "
                 "replacement by next-day delivery at no cost.\n\nKind regards,\n{agent}"),
            Line(26 * 3600, "customer", "Thanks for the update. Any news?"),
            Line(27 * 3600, "agent", "Hi {first},\n\nGood news: the courier found the parcel "
                 "and it's out for delivery today before 6 pm. I've refunded the €4.95 delivery "
                 "charge for the delay.\n\nKind regards,\n{agent}"),
            Line(30 * 3600, "customer", "Arrived, thank you!"),
        ),
    ),
    Script(
        "cancellation",
        Channel.CALL,
        "Retention",
        "Cancel subscription",
        "Cancellation",
        True,
        True,
        0.7,
        (
            Line(0, "agent", "Thank you for calling Northwind, you're speaking with {agent}. "
                 "How can I help?"),
            Line(6, "customer", "Hi, I want to cancel my subscription."),
            Line(11, "agent", "I can help with that. Can I take your full name and date of "
                 "birth first, please?"),
            Line(18, "customer", "{customer}, fourteenth of March eighty-six."),
            Line(30, "agent", "Thank you, and the first line of your address?"),
            Line(35, "customer", "12 Elm Road."),
            Line(42, "agent", "Thanks, you're verified. May I ask what's made you want to "
                 "cancel?"),
            Line(48, "customer", "Honestly it's the price. It went up again and I barely use "
                 "the premium features."),
            Line(65, "agent", "That makes sense, nobody wants to pay for what they don't use. "
                 "You could move to the Basic plan at €9.99, which keeps your history and the "
                 "app. Or I can cancel today, effective at the end of this billing period."),
            Line(95, "customer", "What would Basic not have?"),
            Line(100, "agent", "Priority support and family sharing. Everything else stays."),
            Line(120, "customer", "Hm. No, I think I'll just cancel."),
            Line(125, "agent", "Of course. I've cancelled the subscription; you keep full "
                 "access until the end of the period and won't be charged again. A "
                 "confirmation email is on its way."),
            Line(150, "customer", "Do I get anything back for this month?"),
            Line(156, "agent", "This month's payment covers you until the end of the period, "
                 "so there's no refund for it; that's our policy for monthly plans. Nothing more "
                 "will be taken."),
            Line(175, "customer", "Fine. Thanks."),
            Line(180, "agent", "Is there anything else I can help with? ... Then thank you for "
                 "being with us, {first}, and take care."),
        ),
    ),
    Script(
        "plan-question",
        Channel.MESSAGING,
        "Sales & plans",
        "Family plan question",
        "Product question",
        False,
        False,
        0.1,
        (
            Line(0, "customer", "Hi! Does the family plan work on tablets too or only phones?"),
            Line(40, "agent", "Hi, {agent} here. Yes: the family plan works on phones, tablets "
                 "and the web, for up to 6 people."),
            Line(70, "customer", "And can each person have their own login?"),
            Line(90, "agent", "Yes, everyone gets their own profile and password; the plan "
                 "owner just manages billing. You can invite people from Settings, then "
                 "Family."),
            Line(130, "customer", "Perfect, thanks"),
            Line(140, "agent", "You're welcome! Anything else I can help with?"),
        ),
    ),
)  # fmt: skip

CUSTOMERS = (
    "Hannah Whitfield", "Marcus Obi", "Sinéad Gallagher", "Tomasz Zielinski", "Aylin Demir",
    "Ruth Abernathy", "Kenji Mori", "Beatriz Costa", "Callum Reid", "Priyanka Das",
    "Jonas Lindgren", "Fiona MacLeod", "Mehmet Aksoy", "Clara Dupont", "Samuel Adebayo",
)  # fmt: skip

COMMENTS = {
    "good": (
        "Quick and friendly, sorted in one go.",
        "The agent explained everything clearly. Thank you!",
        "Really helpful, didn't have to repeat myself.",
        "Great service, problem solved.",
    ),
    "mixed": (
        "Fixed in the end but took longer than it should.",
        "Polite, but I had to explain twice.",
        "OK, though I'm still not sure why it happened.",
    ),
    "bad": (
        "Still waiting for a proper answer.",
        "I was passed around and nobody owned it.",
        "Not happy, this is the second time.",
    ),
}
REVIEW_COMMENTS = {
    "pass": (
        "Clear, warm contact. Keep summarising at the end like this.",
        "Solid handling; the explanation of the charge was spot on.",
        "Well verified and well resolved. Good use of the customer's name.",
    ),
    "fail": (
        "The fix was right, but the customer had to chase for the next step. Let's look at "
        "setting expectations together.",
        "Work on acknowledging the impact before jumping into the process.",
        "Information was incomplete: the refund timescale was missing.",
    ),
    "fatal": (
        "Account details were discussed before the security check was finished. This is a "
        "fatal criterion, so the review scores 0; please re-read the verification playbook.",
    ),
}


def _fill(text: str, context: dict[str, str]) -> str:
    for name, value in context.items():
        text = text.replace("{" + name + "}", value)
    return text


def transcript_messages(
    script: Script, started: dt.datetime, agent: str, customer: str, ref: int
) -> list[dict[str, Any]]:
    """The script as `Transcript.messages`: chats and emails carry times, calls offsets."""
    context = {
        "agent": agent,
        "customer": customer,
        "first": customer.split(" ")[0],
        "amount": f"{12 + ref % 30}.99",
        "day": (started - dt.timedelta(days=3)).strftime("%-d %B"),
        "order": f"NW-{400000 + ref}",
        "ref": f"{ref:06d}",
    }
    call = script.channel == Channel.CALL
    return [
        {
            "speaker": line.speaker,
            "name": {"agent": agent, "customer": customer}.get(line.speaker, "System"),
            "at": None if call else (started + dt.timedelta(seconds=line.at)).isoformat(),
            "offset": line.at if call else None,
            "text": _fill(line.text, context),
            "internal": line.internal,
        }
        for line in script.lines
    ]


def _duration(script: Script, rng: random.Random) -> int:
    if script.channel == Channel.EMAIL:
        return rng.randint(300, 900)  # handling time of the replies
    return script.lines[-1].at + rng.randint(15, 60)


# --- Ratings: what a reviewer of an agent with this skill would plausibly give --------------------


def draw_ratings(
    defn: fd.FrameworkDef, skill: float, script: Script, rng: random.Random
) -> dict[str, tuple[Decimal | None, bool, str]]:
    """criterion key -> (value, N/A, root cause) for every scoring criterion."""
    ratings: dict[str, tuple[Decimal | None, bool, str]] = {}
    level = max(0.0, min(1.0, skill - 0.25 * script.difficulty + 0.1))
    for criterion in defn.scoring_criteria:
        na = criterion.na_allowed and (
            (criterion.key == VERIFY_IDENTITY.key and not script.touches_account)
            or (criterion.key == REFUND_POLICY.key and not script.refund)
            or (criterion.key == HOLD.key and script.channel != Channel.CALL)
            or (criterion.key not in (VERIFY_IDENTITY.key, REFUND_POLICY.key, HOLD.key)
                and rng.random() < 0.3)
        )  # fmt: skip
        chance = rng.random()
        noise = rng.gauss(0, 0.7)
        cause_pick = rng.random()
        if na:
            ratings[criterion.key] = (None, True, "")
            continue
        ordered = sorted(criterion.options, key=lambda o: o.value)
        if criterion.is_fatal:
            option = ordered[0] if chance < 0.06 else ordered[-1]
        elif criterion.scale == "yes_no":
            option = ordered[-1] if chance < 0.35 + 0.65 * level else ordered[0]
        else:
            index = round(level * (len(ordered) - 1) + noise)
            option = ordered[max(0, min(len(ordered) - 1, index))]
        low = option.value - criterion.minimum < (criterion.maximum - criterion.minimum) / 2
        cause = ""
        if low and criterion.root_causes:
            cause = criterion.root_causes[int(cause_pick * len(criterion.root_causes))]
        ratings[criterion.key] = (option.value, False, cause)
    return ratings


def _as_scoring(
    ratings: dict[str, tuple[Decimal | None, bool, str]],
) -> dict[str, scoring.Rating]:
    return {k: scoring.Rating(key=k, value=v, na=na) for k, (v, na, _) in ratings.items()}


# --- Small scale: planned, then applied through the services --------------------------------------


@dataclass(frozen=True)
class InteractionPlan:
    number: int
    agent: int  # index into the sorted small demo agents
    script: int  # index into SCRIPTS
    customer: str
    started_at: dt.datetime
    duration: int
    escalated: bool
    repeat_contact: bool
    feedback: tuple[int, int | None, int | None, str] | None  # csat, nps, ces (7-point), comment
    feedback_delay_hours: int


@dataclass(frozen=True)
class ReviewPlan:
    interaction: int  # InteractionPlan.number
    reviewer_pick: float  # which of the eligible graders, as a share of their count
    ratings: dict[str, tuple[Decimal | None, bool, str]]
    comment: str
    hours_after: int


@dataclass(frozen=True)
class SmallQualityPlan:
    interactions: tuple[InteractionPlan, ...]
    reviews: tuple[ReviewPlan, ...]


def small_agents() -> list[User]:
    """The small demo organisation's active agents, in a stable order."""
    small = [spec.external_id for spec in SMALL_TEAMS]
    ids = (
        RoleGrant.objects.active()
        .filter(role=Role.AGENT, team__external_id__in=small, user__is_active=True)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids).order_by("email"))


def _feedback(rng: random.Random, quality: float) -> tuple[int, int | None, int | None, str] | None:
    if rng.random() >= 0.8:
        return None
    csat = max(1, min(5, round(1.6 + 3.4 * quality + rng.gauss(0, 0.8))))
    nps_roll, ces_roll, comment_roll, pick = rng.random(), rng.random(), rng.random(), rng.random()
    nps = max(0, min(10, round(csat * 2 + rng.gauss(-0.5, 1.2)))) if nps_roll < 0.7 else None
    ces = max(1, min(7, round(1 + 6 * quality + rng.gauss(0, 1)))) if ces_roll < 0.5 else None
    comment = ""
    if comment_roll < 0.45:
        tone = "good" if csat >= 4 else "mixed" if csat == 3 else "bad"
        options = COMMENTS[tone]
        comment = options[int(pick * len(options))]
    return csat, nps, ces, comment


def plan_small(
    rng: random.Random, now: dt.datetime, agent_count: int, defn: fd.FrameworkDef
) -> SmallQualityPlan:
    """Same `rng` state, `now` and agent count: same plan."""
    skills = [rng.uniform(0.45, 0.95) for _ in range(max(agent_count, 1))]
    interactions = []
    for number in range(1, SMALL_INTERACTIONS + 1):
        agent = rng.randrange(max(agent_count, 1))
        script = rng.randrange(len(SCRIPTS))
        day = now - dt.timedelta(days=rng.randint(1, WEEKS * 7 - 1))
        started = day.replace(
            hour=rng.randint(8, 18), minute=rng.randint(0, 59), second=0, microsecond=0
        )
        interactions.append(
            InteractionPlan(
                number=number,
                agent=agent,
                script=script,
                customer=rng.choice(CUSTOMERS),
                started_at=started,
                duration=_duration(SCRIPTS[script], rng),
                escalated=rng.random() < 0.08,
                repeat_contact=rng.random() < 0.12,
                feedback=_feedback(rng, skills[agent] - 0.2 * SCRIPTS[script].difficulty + 0.1),
                feedback_delay_hours=rng.randint(1, 30),
            )
        )
    reviews = []
    for number in sorted(rng.sample(range(1, SMALL_INTERACTIONS + 1), SMALL_REVIEWS)):
        planned = interactions[number - 1]
        ratings = draw_ratings(defn, skills[planned.agent], SCRIPTS[planned.script], rng)
        result = scoring.score_review(defn, _as_scoring(ratings))
        kind = "fatal" if result.fatal_failures else "pass" if result.passed else "fail"
        reviews.append(
            ReviewPlan(
                interaction=number,
                reviewer_pick=rng.random(),
                ratings=ratings,
                comment=rng.choice(REVIEW_COMMENTS[kind]),
                hours_after=rng.randint(4, 72),
            )
        )
    return SmallQualityPlan(tuple(interactions), tuple(reviews))


def _team_on(memberships: Sequence[Membership], day: dt.date) -> Team | None:
    for membership in memberships:
        if membership.start <= day and (membership.end is None or membership.end > day):
            return membership.team
    return None


def _graders() -> list[tuple[User, tuple[str, ...]]]:
    """Reviewers and QA managers of the small demo, with the team paths their role reaches."""
    rows = (
        RoleGrant.objects.active()
        .filter(role__in=[Role.REVIEWER, Role.QA_MANAGER], user__is_active=True)
        .filter(team__external_id__in=[spec.external_id for spec in SMALL_TEAMS])
        .select_related("user", "team")
        .order_by("user__email", "team__path")
    )
    reach: dict[int, tuple[User, list[str]]] = {}
    for grant in rows:
        reach.setdefault(grant.user_id, (grant.user, []))[1].append(grant.team.path)
    return [(user, tuple(paths)) for user, paths in reach.values()]


def apply_small(
    plan: SmallQualityPlan, version: FrameworkVersion | None, now: dt.datetime
) -> dict[str, int]:
    """Create what is missing of `plan`; reviews only when `version` is given."""
    agents = small_agents()
    if not agents:
        return {"interactions": 0, "feedback": 0, "reviews": 0}
    memberships: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(user__in=agents).select_related("team"):
        memberships.setdefault(membership.user_id, []).append(membership)
    source_ids = [f"DEMO-{p.number:04d}" for p in plan.interactions]
    existing = {
        i.source_id: i
        for i in Interaction.objects.filter(source=SOURCE, source_id__in=source_ids).select_related(
            "team"
        )
    }
    counts = {"interactions": 0, "feedback": 0, "reviews": 0}
    by_number: dict[int, Interaction] = {}
    for planned in plan.interactions:
        source_id = f"DEMO-{planned.number:04d}"
        interaction = existing.get(source_id)
        agent = agents[planned.agent % len(agents)]
        script = SCRIPTS[planned.script]
        if interaction is None:
            team = _team_on(memberships.get(agent.pk, []), planned.started_at.date())
            if team is None:
                continue
            interaction = Interaction.objects.create(
                source=SOURCE,
                source_id=source_id,
                channel=script.channel,
                agent=agent,
                team=team,
                started_at=planned.started_at,
                duration_seconds=planned.duration,
                queue=script.queue,
                topic=script.topic,
                escalated=planned.escalated,
                repeat_contact=planned.repeat_contact,
                custom_fields={"customer": planned.customer, "demo_script": script.key},
            )
            Transcript.objects.create(
                interaction=interaction,
                messages=transcript_messages(
                    script,
                    planned.started_at,
                    agent.get_short_name(),
                    planned.customer,
                    planned.number,
                ),
            )
            counts["interactions"] += 1
        by_number[planned.number] = interaction
        if planned.feedback is not None:
            csat, nps, ces, comment = planned.feedback
            _, created = CustomerFeedback.objects.get_or_create(
                source=FEEDBACK_SOURCE,
                source_id=f"DEMO-FB-{planned.number:04d}",
                defaults={
                    "interaction": interaction,
                    "agent": interaction.agent,
                    "team": interaction.team,
                    "received_at": min(
                        now, planned.started_at + dt.timedelta(hours=planned.feedback_delay_hours)
                    ),
                    "csat": csat,
                    "nps": nps,
                    "ces": ces,
                    "ces_version": CesVersion.AGREE_7 if ces is not None else "",
                    "comment": comment,
                },
            )
            counts["feedback"] += int(created)

    if version is None:
        return counts
    reviewed = set(
        Review.objects.filter(interaction__in=by_number.values()).values_list(
            "interaction_id", flat=True
        )
    )
    graders = _graders()
    for planned_review in plan.reviews:
        interaction = by_number.get(planned_review.interaction)
        if interaction is None or interaction.pk in reviewed:
            continue
        eligible = [
            user
            for user, paths in graders
            if user.pk != interaction.agent_id
            and any(interaction.team.path.startswith(path) for path in paths)
        ]
        if not eligible:
            continue
        reviewer = eligible[int(planned_review.reviewer_pick * len(eligible))]
        planned_interaction = plan.interactions[planned_review.interaction - 1]
        script = SCRIPTS[planned_interaction.script]
        review = start_review(reviewer=reviewer, interaction=interaction, framework_version=version)
        rate(
            review=review,
            by=None,  # the seed writes as the system, like every demo seeder
            ratings={
                key: RatingInput(value=value, na=na, root_cause=cause)
                for key, (value, na, cause) in planned_review.ratings.items()
            },
            comment=planned_review.comment,
            answers={CONTACT_REASON.key: script.reason},
        )
        submitted = submit_review(review=review, by=None)
        # Seeding history: the review was written a few hours after the contact, not today.
        when = min(now, interaction.started_at + dt.timedelta(hours=planned_review.hours_after))
        Review.objects.filter(pk=submitted.pk).update(
            started_at=when - dt.timedelta(minutes=20), submitted_at=when
        )
        counts["reviews"] += 1
    return counts


def _version_like(latest: FrameworkVersion, defn: fd.FrameworkDef) -> FrameworkVersion | None:
    """The demo framework's version whose criteria are `defn`'s (the planned ratings fit it):
    the latest one, or an earlier one if someone has since published changes in the admin."""
    wanted = fd.to_json(defn)["sections"]
    if latest.definition.get("sections") == wanted:
        return latest
    for version in latest.framework.versions.order_by("-number"):
        if version.definition.get("sections") == wanted:
            return version
    return None


# --- Large scale: raw bulk inserts in batches --------------------------------------------------
#
# One million interactions through `bulk_create` took about 0.4 ms a row here (building model
# instances and the SQL), which is most of an hour. The large path writes rows as plain tuples
# in multi-row INSERTs instead, preparing each value with its model field, and gives the rows
# explicit ids (from the current maximum) so feedback, reviews and ratings can point at them
# without reading anything back; the sequences are reset afterwards (PostgreSQL). The seed runs
# alone, inside the one seeding transaction.


@dataclass(frozen=True)
class Pattern:
    """One plausible set of ratings, scored once by `scorecards.scoring`; values are already
    prepared for the database."""

    ratings: tuple[tuple[str, Any, bool, Any, str], ...]  # key, value, N/A, normalised, cause
    raw: Any
    final: Any
    passed: bool | None
    fatal: bool


class _Table:
    """Multi-row INSERTs of plain rows into one model's table, the values prepared by its fields.

    SQLite: many rows per statement (under its 32,766 parameters), since one statement per row
    costs a parse each. PostgreSQL: COPY.
    """

    def __init__(self, model: type[Any], columns: Sequence[str]) -> None:
        meta = model._meta
        self.fields = {name: meta.get_field(name) for name in columns}
        quote = connection.ops.quote_name
        self.head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 - names from the model
            quote(meta.db_table), ", ".join(quote(field.column) for field in self.fields.values())
        )
        self.row_sql = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.copy_sql = "COPY {} ({}) FROM STDIN".format(
            quote(meta.db_table), ", ".join(quote(field.column) for field in self.fields.values())
        )
        self.per_statement = max(1, min(1_000, 30_000 // len(self.fields)))

    def db(self, name: str, value: Any) -> Any:
        return self.fields[name].get_db_prep_save(value, connection)

    def time(self, value: dt.datetime) -> Any:
        """An aware datetime as the database takes it: what DateTimeField would store, without
        its per-value overhead on the hot path (SQLite keeps naive UTC text)."""
        if connection.vendor == "sqlite":
            return str(value.astimezone(dt.UTC).replace(tzinfo=None))
        if connection.vendor == "postgresql":
            return value
        return self.db("created_at", value)

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with connection.cursor() as wrapper:
            # The backend's own cursor: with DEBUG on, Django's wrapper would also log each
            # statement with its thousands of parameters quoted (on SQLite, by more queries).
            cursor = wrapper.cursor
            if connection.vendor == "postgresql":
                # COPY: psycopg formats the rows in C; client-side INSERT binding was the
                # slowest part of the seed there.
                with cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            for start in range(0, len(rows), self.per_statement):
                chunk = rows[start : start + self.per_statement]
                sql = self.head + ", ".join([self.row_sql] * len(chunk))
                cursor.execute(sql, [value for row in chunk for value in row])


INTERACTION_COLUMNS = (
    "id", "source", "source_id", "channel", "agent", "team", "started_at", "duration_seconds",
    "queue", "topic", "recording_url", "recording_file", "ticket_url", "escalated",
    "repeat_contact", "custom_fields", "created_at", "updated_at",
)  # fmt: skip
FEEDBACK_COLUMNS = (
    "source", "source_id", "interaction", "agent", "team", "received_at", "csat", "nps", "ces",
    "ces_version", "comment", "created_at", "updated_at",
)  # fmt: skip
REVIEW_COLUMNS = (
    "id", "interaction", "framework_version", "reviewer", "agent", "team",
    "interaction_started_at", "channel", "purpose", "status", "source", "external_id",
    "raw_score", "final_score", "passed", "fatal_failed", "comment", "answers", "started_at",
    "updated_at", "submitted_at", "acknowledged_at",
)  # fmt: skip
RATING_COLUMNS = (
    "review", "criterion_key", "value", "na", "normalised", "root_cause", "comment", "evidence",
)  # fmt: skip


def rating_patterns(
    defn: fd.FrameworkDef, rng: random.Random, per_skill: int
) -> list[list[Pattern]]:
    """For each skill level, `per_skill` plausible rating sets, scored once each."""
    ratings_table = _Table(ReviewRating, RATING_COLUMNS)
    reviews_table = _Table(Review, REVIEW_COLUMNS)
    pools: list[list[Pattern]] = []
    for level in range(SKILL_LEVELS):
        skill = 0.4 + 0.55 * level / (SKILL_LEVELS - 1)
        pool = []
        for _ in range(per_skill):
            script = SCRIPTS[rng.randrange(len(SCRIPTS))]
            ratings = draw_ratings(defn, skill, script, rng)
            result = scoring.score_review(defn, _as_scoring(ratings))
            normalised = {c.key: c.normalised for c in result.criteria}
            pool.append(
                Pattern(
                    ratings=tuple(
                        (
                            key,
                            ratings_table.db("value", value),
                            na,
                            ratings_table.db("normalised", normalised.get(key)),
                            cause,
                        )
                        for key, (value, na, cause) in ratings.items()
                    ),
                    raw=reviews_table.db("raw_score", result.raw),
                    final=reviews_table.db("final_score", result.final),
                    passed=result.passed,
                    fatal=bool(result.fatal_failures),
                )
            )
        pools.append(pool)
    return pools


@dataclass(frozen=True)
class LargeAgent:
    user_id: int
    skill: int  # index into the pattern pools
    memberships: tuple[tuple[dt.date, dt.date | None, int], ...]  # start, end, team_id


def large_agents(rng: random.Random) -> list[LargeAgent]:
    small = [spec.external_id for spec in SMALL_TEAMS]
    user_ids = sorted(
        set(
            RoleGrant.objects.active()
            .filter(role=Role.AGENT)
            .exclude(team__external_id__in=small)
            .values_list("user_id", flat=True)
        )
    )
    spans: dict[int, list[tuple[dt.date, dt.date | None, int]]] = {}
    for user_id, start, end, team_id in (
        Membership.objects.filter(user__in=User.objects.filter(pk__in=user_ids))
        .order_by("user_id", "start")
        .values_list("user_id", "start", "end", "team_id")
        .iterator(chunk_size=5_000)
    ):
        spans.setdefault(user_id, []).append((start, end, team_id))
    return [
        LargeAgent(user_id, rng.randrange(SKILL_LEVELS), tuple(spans[user_id]))
        for user_id in user_ids
        if user_id in spans
    ]


def _team_of_the_day(agent: LargeAgent, day: dt.date) -> int:
    for start, end, team_id in agent.memberships:
        if start <= day and (end is None or end > day):
            return team_id
    return agent.memberships[-1][2]


def _large_graders() -> dict[int, list[int]]:
    """team id -> who grades it (its reviewers, then its lead), from the large demo's grants."""
    graders: dict[int, list[int]] = {}
    rows = (
        RoleGrant.objects.active()
        .filter(role__in=[Role.REVIEWER, Role.LEAD])
        .order_by("-role", "user_id")  # reviewer before lead
        .values_list("team_id", "user_id")
    )
    for team_id, user_id in rows:
        graders.setdefault(team_id, []).append(user_id)
    return graders


def _batches(total: int, size: int) -> Iterator[range]:
    for start in range(1, total + 1, size):
        yield range(start, min(total, start + size - 1) + 1)


CHANNEL_MIX = (
    (Channel.CALL, 0.35),
    (Channel.CHAT, 0.35),
    (Channel.EMAIL, 0.2),
    (Channel.MESSAGING, 0.07),
    (Channel.SOCIAL, 0.03),
)
QUEUES: dict[str, str] = {
    Channel.CALL: "Voice",
    Channel.CHAT: "Chat",
    Channel.EMAIL: "Email",
    Channel.MESSAGING: "Messaging",
    Channel.SOCIAL: "Social",
}


def _channel(roll: float) -> str:
    total = 0.0
    for channel, share in CHANNEL_MIX:
        total += share
        if roll < total:
            return channel
    return CHANNEL_MIX[-1][0]


def _next_id(model: type[Any]) -> int:
    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


@contextmanager
def _roomy_sqlite_cache() -> Iterator[None]:
    """A 128 MB page cache while the large seed writes (SQLite only; the default 2 MB makes it
    write index pages over and over). Fixed size, so memory stays bounded."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -131072")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def seed_large(rng: random.Random, now: dt.datetime, stdout: TextIOBase) -> dict[str, int]:
    """Bulk interactions, feedback and reviews for the large demo agents (see the docstring)."""
    started = time.perf_counter()
    counts = {"interactions": 0, "feedback": 0, "reviews": 0, "ratings": 0}
    agents = large_agents(rng)
    total = len(agents) * INTERACTIONS_PER_AGENT
    if not agents:
        return counts
    already = Interaction.objects.filter(source=LARGE_SOURCE).count()
    if already >= total:
        stdout.write(f"Quality (large): the {already:,} benchmark interactions are there.\n")
        return counts
    version = ensure_framework(EXTENDED)
    # Scaled with the data (one per 500 interactions per level), at most PATTERNS_PER_SKILL.
    per_skill = max(5, min(PATTERNS_PER_SKILL, total // (SKILL_LEVELS * 50)))
    pools = rating_patterns(version.defn, rng, per_skill)
    graders = _large_graders()
    interactions = _Table(Interaction, INTERACTION_COLUMNS)
    feedback = _Table(CustomerFeedback, FEEDBACK_COLUMNS)
    reviews = _Table(Review, REVIEW_COLUMNS)
    ratings = _Table(ReviewRating, RATING_COLUMNS)
    now_db = interactions.db("created_at", now)
    no_fields = interactions.db("custom_fields", {})
    no_evidence = ratings.db("evidence", [])
    answers: dict[str, Any] = {
        channel: reviews.db(
            "answers", {CONTACT_REASON.key: CONTACT_REASONS[n % (len(CONTACT_REASONS) - 1)]}
        )
        for n, (channel, _) in enumerate(CHANNEL_MIX)
    }
    first = now - dt.timedelta(weeks=WEEKS)
    step = (now - first - dt.timedelta(hours=2)).total_seconds() / total
    next_interaction, next_review = _next_id(Interaction), _next_id(Review)

    with _roomy_sqlite_cache():
        for numbers in _batches(total, LARGE_BATCH):
            interaction_rows: list[tuple[Any, ...]] = []
            feedback_rows: list[tuple[Any, ...]] = []
            review_rows: list[tuple[Any, ...]] = []
            rating_rows: list[tuple[Any, ...]] = []
            # Draw the whole batch first, so the data does not depend on what already exists.
            drawn = [
                (
                    number,
                    agents[rng.randrange(len(agents))],
                    # In time order, like a helpdesk's ids; a little jitter.
                    first + dt.timedelta(seconds=(number - 1 + rng.random()) * step),
                    _channel(rng.random()),
                    rng.randint(60, 1800),
                    rng.random(),
                    rng.random(),
                    rng.random(),
                    rng.randint(1, 5),
                    rng.randint(0, 10),
                    rng.randint(1, 72),
                )
                for number in numbers
            ]
            found = set(
                Interaction.objects.filter(
                    source=LARGE_SOURCE,
                    source_id__gte=f"L{numbers[0]:07d}",
                    source_id__lte=f"L{numbers[-1]:07d}",
                ).values_list("source_id", flat=True)
            )
            for number, agent, when, channel, duration, fb, rv, pick, csat, nps, hours in drawn:
                source_id = f"L{number:07d}"
                if source_id in found:
                    continue
                interaction_id = next_interaction
                next_interaction += 1
                team_id = _team_of_the_day(agent, when.date())
                when_db = interactions.time(when)
                later = interactions.time(min(now, when + dt.timedelta(hours=hours)))
                interaction_rows.append(
                    (
                        interaction_id, LARGE_SOURCE, source_id, channel, agent.user_id, team_id,
                        when_db, duration, QUEUES[channel], "", "", "", "", rv > 0.97,
                        fb > 0.9, no_fields, now_db, now_db,
                    )
                )  # fmt: skip
                if fb < LARGE_FEEDBACK_SHARE:
                    quality = (agent.skill + 1) / SKILL_LEVELS
                    feedback_rows.append(
                        (
                            LARGE_FEEDBACK_SOURCE, f"LF{number:07d}", interaction_id,
                            agent.user_id, team_id, later,
                            max(1, min(5, round((csat + 5 * quality) / 2))),
                            nps if fb < LARGE_FEEDBACK_SHARE * 0.7 else None, None, "", "",
                            now_db, now_db,
                        )
                    )  # fmt: skip
                team_graders = graders.get(team_id)
                if rv < LARGE_REVIEW_SHARE and team_graders:
                    pattern = pools[agent.skill][int(pick * per_skill)]
                    review_id = next_review
                    next_review += 1
                    review_rows.append(
                        (
                            review_id, interaction_id, version.pk,
                            team_graders[int(pick * 997) % len(team_graders)], agent.user_id,
                            team_id, when_db, channel, ReviewPurpose.QUALITY,
                            ReviewStatus.SUBMITTED, ReviewSource.APP, "", pattern.raw,
                            pattern.final, pattern.passed, pattern.fatal, "", answers[channel],
                            later, later, later, None,
                        )
                    )  # fmt: skip
                    rating_rows.extend(
                        (review_id, key, value, na, normalised, cause, "", no_evidence)
                        for key, value, na, normalised, cause in pattern.ratings
                    )
            interactions.insert(interaction_rows)
            feedback.insert(feedback_rows)
            reviews.insert(review_rows)
            ratings.insert(rating_rows)
            counts["interactions"] += len(interaction_rows)
            counts["feedback"] += len(feedback_rows)
            counts["reviews"] += len(review_rows)
            counts["ratings"] += len(rating_rows)

    models = [Interaction, CustomerFeedback, Review, ReviewRating]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
        # Fresh statistics, so the first pages after the seed get good plans (without them
        # PostgreSQL took 1.4 s for the framework list instead of 0.08 s).
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    elapsed = time.perf_counter() - started
    if counts["interactions"]:
        record(
            action="demo.seed_quality",
            object_type="demo",
            object_repr="Large demo quality data",
            after={**counts, "seconds": round(elapsed, 1)},
        )
    stdout.write(
        "Quality (large): {interactions:,} interactions, {feedback:,} feedback, {reviews:,} "
        "reviews with {ratings:,} ratings".format(**counts)
        + f" in {elapsed:.1f} s.\n"
    )
    return counts


# --- The scorecards seeder ----------------------------------------------------------------------


@seeder
def seed_scorecards(scale: str, rng: random.Random, stdout: TextIOBase) -> None:
    """Frameworks, interactions, transcripts, customer feedback and reviews."""
    started = time.perf_counter()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    agent_count = len(small_agents())
    plan = plan_small(rng, now, agent_count, STANDARD)
    version = ensure_framework(STANDARD)
    graded = _version_like(version, STANDARD)
    if graded is None:
        stdout.write(
            f"Quality (small): '{STANDARD.name}' was changed since the demo published it; "
            "its version 1 is gone, so no demo reviews are added.\n"
        )
    counts = apply_small(plan, graded, now)
    stdout.write(
        "Quality (small): {interactions} new interactions, {feedback} new feedback, {reviews} new "
        "reviews".format(**counts)
        + f" in {time.perf_counter() - started:.1f} s.\n"
    )
    bulk_added = 0
    if scale == "large":
        bulk_added = seed_large(random.Random(rng.random()), now, stdout)["reviews"]
    fill_rollups(bulk_added, stdout)


def fill_rollups(bulk_added: int, stdout: TextIOBase) -> None:
    """The quality overview's rollups. The small seed's reviews went through the review services,
    which add them as they write; the large seed bulk-inserts, so its reviews are summed by a
    rebuild from the reviews afterwards (also when a database seeded before the rollups existed
    has reviews but no rollups)."""
    if bulk_added or (Review.objects.counting().exists() and not QualityRollup.objects.exists()):
        started = time.perf_counter()
        reviews, criteria = rollups.rebuild()
        stdout.write(
            f"Quality rollups: rebuilt from the reviews ({reviews:,} review cells, {criteria:,} "
            f"criterion cells) in {time.perf_counter() - started:.1f} s.\n"
        )
