"""The demo's training pages, written for this product: three modules with knowledge checks, two
role-play scenarios and the learning path "New agent essentials".

`ensure_demo_training_pages()` is idempotent: pages are found by slug under the training index
(itself found by slug under the library home) and only missing ones are created and published. The
training seeder (`training.demo`) calls it before assigning and attempting.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.models import Page

from training.moderation import ensure_training_moderation
from training.pages import LearningPathPage, ModulePage, RolePlayScenarioPage, TrainingIndexPage

INDEX_SLUG = "training"
FRAMEWORK_NAME = "Customer Support Standard"  # scorecards.demo.STANDARD
JOB_AID_TITLE = "Refund policy at a glance"
JOB_AID_TEXT = """REFUND POLICY AT A GLANCE (Northwind customer care)

Damaged or faulty on arrival   Full refund or replacement, customer's choice. No return needed
                               under 40 (currency units); photo is enough.
Change of mind                 Within 30 days of delivery, unused, customer pays return postage.
Late delivery (over 5 days)    Refund the delivery charge without being asked.
Refund timing                  Card: 3-5 working days after approval. Gift card: immediate.
Over 250 or third refund       Needs a team lead's approval in the case before you promise it.

Always: say the amount, the method and the date. Record the root cause in the case.
"""


# --- Small builders ----------


def _text(html: str) -> dict[str, Any]:
    return {"type": "rich_text", "value": html}


def _callout(tone: str, html: str) -> dict[str, Any]:
    return {"type": "callout", "value": {"tone": tone, "text": html}}


def _do_dont(do: str, dont: str) -> dict[str, Any]:
    return {"type": "do_dont", "value": {"do": do, "dont": dont}}


def _single(
    key: str, prompt: str, choices: list[tuple[str, str, bool]], explanation: str, points: int = 1
) -> dict[str, Any]:
    return {
        "type": "single_choice",
        "value": {
            "key": key,
            "prompt": prompt,
            "explanation": explanation,
            "points": points,
            "choices": [{"key": k, "text": t, "correct": c} for k, t, c in choices],
        },
    }


def _multiple(
    key: str, prompt: str, choices: list[tuple[str, str, bool]], explanation: str, points: int = 2
) -> dict[str, Any]:
    block = _single(key, prompt, choices, explanation, points)
    block["type"] = "multiple_choice"
    return block


def _true_false(key: str, prompt: str, answer: bool, explanation: str) -> dict[str, Any]:
    return {
        "type": "true_false",
        "value": {
            "key": key,
            "prompt": prompt,
            "explanation": explanation,
            "points": 1,
            "answer": answer,
        },
    }


def _ordering(
    key: str, prompt: str, items: list[tuple[str, str]], explanation: str
) -> dict[str, Any]:
    return {
        "type": "ordering",
        "value": {
            "key": key,
            "prompt": prompt,
            "explanation": explanation,
            "points": 2,
            "items": [{"key": k, "text": t} for k, t in items],
        },
    }


def _short(key: str, prompt: str, accepted: list[str], explanation: str) -> dict[str, Any]:
    return {
        "type": "short_answer",
        "value": {
            "key": key,
            "prompt": prompt,
            "explanation": explanation,
            "points": 1,
            "accepted": accepted,
        },
    }


def _reply(
    key: str, text: str, target: str, points: int, feedback: str, *, critical: bool = False
) -> dict[str, Any]:
    return {
        "key": key,
        "text": text,
        "feedback": feedback,
        "points": points,
        "target": target,
        "critical": critical,
    }


def _choice(key: str, says: str, *replies: dict[str, Any], start: bool = False) -> dict[str, Any]:
    return {
        "type": "step",
        "value": {
            "key": key,
            "kind": "choice",
            "start": start,
            "customer_text": says,
            "replies": list(replies),
        },
    }


def _free(key: str, says: str, prompt: str, criteria: list[str], next_key: str) -> dict[str, Any]:
    return {
        "type": "step",
        "value": {
            "key": key,
            "kind": "free",
            "customer_text": says,
            "free_prompt": prompt,
            "criteria": criteria,
            "next": next_key,
        },
    }


def _end(key: str, says: str, outcome: str, debrief: str) -> dict[str, Any]:
    return {
        "type": "step",
        "value": {
            "key": key,
            "kind": "end",
            "customer_text": says,
            "outcome": outcome,
            "debrief": debrief,
        },
    }


# --- Modules ----------


def empathy_module() -> dict[str, Any]:
    return {
        "title": "Empathy on the phone",
        "summary": "Hear the feeling before the facts: acknowledge, name the impact, then act.",
        "estimated_minutes": 15,
        "pass_mark": 80,
        "attempt_limit": 3,
        "body": [
            _text(
                "<h2>Why it matters</h2><p>On the phone the customer cannot see your face. "
                "Everything they learn about whether you care comes from your words, your pace "
                "and your silences. Customers who feel heard accept the same outcome more "
                "readily, and they call back less.</p>"
            ),
            _text(
                "<h2>Acknowledge, name, act</h2><ol><li><b>Acknowledge</b> what happened in "
                "their words: 'Your parcel arrived crushed.'</li><li><b>Name the impact</b> on "
                "them: wasted time, worry, cost. 'And you had planned to give it as a present "
                "today.'</li><li><b>Act</b>: say what you will do now, and when they will see "
                "it.</li></ol>"
            ),
            _do_dont(
                "That sounds really frustrating, especially after waiting a week. Let me sort "
                "out the replacement for you now.",
                "I understand your frustration. As per our policy, damaged items must be "
                "reported within 48 hours.",
            ),
            _callout(
                "tip",
                "<p>Let the customer finish. A two-second pause after they stop speaking "
                "often brings out the detail you need.</p>",
            ),
            _text(
                "<h2>Words that work against you</h2><p>Avoid 'calm down', 'as I said', "
                "'unfortunately there's nothing I can do' and reading policy wording aloud. "
                "Say what you <i>can</i> do first.</p>"
            ),
            _callout(
                "warning",
                "<p>Empathy never replaces the identity check. Verify the customer before you "
                "discuss their account, however upset they are.</p>",
            ),
            _single(
                "first-move",
                "A customer opens with: 'This is the third time I'm calling about this!' What "
                "do you say first?",
                [
                    ("a", "Can I take your order number, please?", False),
                    (
                        "b",
                        "Third time? I'm sorry, that's a lot of your time. Let's fix it on "
                        "this call.",
                        True,
                    ),
                    ("c", "Our records only show one previous contact.", False),
                ],
                "Acknowledge the repeated effort before asking for anything; then take the "
                "details.",
            ),
            _multiple(
                "impact-words",
                "Which of these name the impact on the customer?",
                [
                    ("a", "You've had to take time off work to wait for it.", True),
                    ("b", "I appreciate your patience.", False),
                    ("c", "So the double charge left you short before payday.", True),
                    ("d", "Thank you for calling Northwind.", False),
                ],
                "Impact statements mention the customer's own situation, not a stock phrase.",
            ),
            _true_false(
                "skip-verification",
                "When a customer is very upset, you may skip the identity check to save time.",
                False,
                "Never skip it: verifying identity is a fatal criterion in our framework.",
            ),
            _ordering(
                "sequence",
                "Put the steps of an empathetic response in order.",
                [
                    ("acknowledge", "Acknowledge what happened"),
                    ("impact", "Name the impact on the customer"),
                    ("act", "Say what you will do and when"),
                ],
                "Acknowledge, name the impact, then act.",
            ),
        ],
    }


def refunds_module(job_aid: Any) -> dict[str, Any]:
    return {
        "title": "Handling refunds",
        "summary": "Apply the refund policy correctly and tell the customer exactly what "
        "happens next.",
        "estimated_minutes": 20,
        "pass_mark": 80,
        "attempt_limit": 0,
        "grading_method": "best",
        "body": [
            _text(
                "<h2>The promise</h2><p>A refund is often the moment a customer decides "
                "whether to stay. Get the amount, the method and the date right, say them "
                "clearly, and write them in the case.</p>"
            ),
            _text(
                "<h2>The rules you apply most</h2><ul><li>Damaged or faulty on arrival: full "
                "refund or replacement, the customer chooses.</li><li>Change of mind: within 30 "
                "days of delivery, item unused.</li><li>Late by more than five days: refund the "
                "delivery charge without being asked.</li></ul>"
            ),
            {"type": "job_aid", "value": {"document": job_aid.pk, "title": JOB_AID_TITLE}},
            _callout(
                "warning",
                "<p>Refunds over 250 or a customer's third refund this year need a team "
                "lead's approval <b>before</b> you promise them.</p>",
            ),
            _do_dont(
                "I've refunded 34.99 to the card ending 4411. You'll see it in 3 to 5 working "
                "days, and I've emailed you the confirmation.",
                "The refund has been processed and should be with you soon.",
            ),
            _text(
                "<h2>Recording it</h2><p>Pick the root cause in the case (damaged in transit, "
                "wrong item, late delivery, price error) so the teams who can fix the cause "
                "see it in their reports.</p>"
            ),
            _single(
                "damaged-choice",
                "A customer's kettle arrived with a cracked base. What do you offer?",
                [
                    ("a", "A replacement only, once the kettle is returned", False),
                    ("b", "A refund or a replacement, whichever they prefer", True),
                    ("c", "A 10% discount code", False),
                ],
                "Damaged on arrival: full refund or replacement, the customer's choice.",
            ),
            _short(
                "card-days",
                "How many working days does a card refund take to appear? (e.g. '3-5')",
                ["3-5", "3 to 5", "3 - 5", "three to five"],
                "Card refunds appear 3 to 5 working days after approval.",
            ),
            _true_false(
                "late-delivery-charge",
                "When an order is more than five days late, we refund the delivery charge "
                "without the customer having to ask.",
                True,
                "Offer it proactively: it is in the policy and costs the customer nothing to "
                "receive.",
            ),
            _single(
                "approval",
                "Which refund needs a team lead's approval before you promise it?",
                [
                    ("a", "A 45 refund for a damaged toaster", False),
                    ("b", "A 300 refund for a faulty television", True),
                    ("c", "Refunding a 4.99 delivery charge", False),
                ],
                "Over 250 (or a third refund this year) needs approval first.",
            ),
        ],
    }


def chat_module() -> dict[str, Any]:
    return {
        "title": "Writing clear chat replies",
        "summary": "Short, warm, specific chat replies that answer the question the customer "
        "actually asked.",
        "estimated_minutes": 12,
        "pass_mark": 75,
        "attempt_limit": 0,
        "grading_method": "last",
        "feedback_timing": "end",
        "body": [
            _text(
                "<h2>Chat is not email</h2><p>Customers read chat replies on a phone, often "
                "while doing something else. One idea per message, the answer first, and no "
                "more than three short sentences.</p>"
            ),
            _do_dont(
                "Your replacement ships today and arrives Thursday. I've sent the tracking "
                "link to your email.",
                "Thank you for contacting Northwind customer care. I have reviewed your "
                "account and can confirm that a replacement order has been created and will "
                "be dispatched in due course.",
            ),
            _text(
                "<h2>Plain words</h2><p>Write 'refund' not 'reimbursement', 'today' not 'in "
                "due course', 'your order' not 'the aforementioned order'. Spell out anything "
                "a customer might not know, like 'RMA'.</p>"
            ),
            _callout(
                "tip",
                "<p>Before you send, read your reply as the customer: does the first line "
                "answer what they asked?</p>",
            ),
            _text(
                "<h2>Closing the chat</h2><p>Summarise what will happen and when, ask if "
                "there is anything else, and only then close. Never close a chat while the "
                "customer is still typing.</p>"
            ),
            _single(
                "answer-first",
                "The customer asks 'When will my refund arrive?' Which reply is clearest?",
                [
                    ("a", "Refunds are processed according to our policy.", False),
                    ("b", "By Friday: I refunded it today and cards take 3-5 working days.", True),
                    ("c", "I've looked into this for you and can see there was a refund.", False),
                ],
                "Put the answer (the date) first, then the reason.",
            ),
            _multiple(
                "plain-words",
                "Which words are plain enough for a chat reply?",
                [
                    ("a", "refund", True),
                    ("b", "aforementioned", False),
                    ("c", "today", True),
                    ("d", "in due course", False),
                ],
                "Plain, concrete words; avoid formal filler.",
            ),
            _true_false(
                "close-while-typing",
                "It is fine to close a chat while the customer is still typing if you have "
                "answered their question.",
                False,
                "Wait: they may be about to ask something else.",
            ),
        ],
    }


# --- Scenarios ----------


def refund_scenario() -> dict[str, Any]:
    steps = [
        _choice(
            "opening",
            "Hi. My order arrived this morning and the lamp is smashed. I've already sent "
            "photos by email yesterday and nobody replied. I want my money back.",
            _reply(
                "acknowledge",
                "I'm so sorry it arrived smashed, and that you've been waiting for a reply. "
                "Let me sort this out for you now.",
                "verify",
                5,
                "You acknowledged both the damage and the ignored email before asking for "
                "anything.",
            ),
            _reply(
                "order-number",
                "Can I have your order number, please?",
                "verify",
                1,
                "Correct information to ask for, but the customer's frustration went "
                "unacknowledged.",
            ),
            _reply(
                "policy-first",
                "Damaged items have to be reported within 48 hours of delivery.",
                "annoyed",
                -3,
                "Leading with policy sounds like a refusal. She did report it in time.",
            ),
            start=True,
        ),
        _choice(
            "annoyed",
            "I DID report it. Yesterday. Are you even listening?",
            _reply(
                "recover",
                "You're right, and I'm sorry: you reported it in time. Let me fix this now.",
                "verify",
                2,
                "A good recovery: you owned the mistake and moved on.",
            ),
            _reply(
                "blame",
                "Well, the courier damaged it, not us, so you'll need to take it up with them.",
                "lost",
                -5,
                "Critical mistake: the delivery is our responsibility, and sending the customer "
                "to the courier breaks the refund policy.",
                critical=True,
            ),
        ),
        _choice(
            "verify",
            "Fine. It's order 48213, under Maya Okafor.",
            _reply(
                "security",
                "Thanks, Maya. Before I go into the order, can you confirm the postcode and "
                "the last four digits of the card you paid with?",
                "options",
                3,
                "Identity checked before discussing the account, every time.",
            ),
            _reply(
                "skip-check",
                "Thanks, I can see it. Let's get that refund going.",
                "options",
                -2,
                "You skipped the identity check. Empathy never replaces verification.",
            ),
        ),
        _choice(
            "options",
            "Right. So what happens now? I don't want to post a broken lamp back.",
            _reply(
                "choice",
                "You don't need to send it back. I can refund the 34.99 to your card, or send "
                "a replacement that arrives Thursday. Which would you prefer?",
                "explain",
                5,
                "You offered both options from the policy and removed the return hassle.",
            ),
            _reply(
                "replacement-only",
                "I'll send you a replacement; please return the broken one with the label I "
                "email you.",
                "explain",
                0,
                "Under the policy she can choose a refund, and no return is needed under 40.",
            ),
        ),
        _free(
            "explain",
            "The refund, please. When will I actually see the money?",
            "Write what you say to confirm the refund: the amount, where it goes, when she "
            "will see it, and what you will send her.",
            ["empathy", "ownership"],
            "close",
        ),
        _choice(
            "close",
            "OK. And what about the email nobody answered?",
            _reply(
                "own-it",
                "That shouldn't have happened. I've flagged it to the email team with your "
                "case, and the refund confirmation is on its way to you now.",
                "resolved",
                4,
                "You owned the missed email and told her what you did about it.",
            ),
            _reply(
                "deflect",
                "The email team is very busy at the moment.",
                "resolved-grudging",
                -1,
                "An excuse, not an answer: the customer is left feeling unheard.",
            ),
        ),
        _end(
            "resolved",
            "Thanks, that was quicker than I expected.",
            "resolved",
            "<p>Resolved in one contact. You acknowledged the damage and the missed email, "
            "verified identity, offered both policy options and confirmed amount, method and "
            "date.</p>",
        ),
        _end(
            "resolved-grudging",
            "Fine. I'll wait for the money, I suppose.",
            "resolved",
            "<p>The refund is sorted, but the customer leaves unhappy about the missed email. "
            "Owning our mistakes keeps customers who have been let down.</p>",
        ),
        _end(
            "lost",
            "Forget it. I'll dispute the payment with my bank and shop elsewhere.",
            "lost",
            "<p>Customer lost. Blaming the courier broke the policy and told her the problem "
            "was hers. The delivery is ours to put right.</p>",
        ),
    ]
    return {
        "title": "Refund for a damaged delivery: an upset customer",
        "goal": "Keep Maya as a customer: acknowledge, verify, offer the refund or replacement "
        "the policy allows, and confirm exactly what happens next.",
        "situation": "<p>Maya Okafor's lamp arrived smashed this morning. She emailed photos "
        "yesterday and has had no reply. She opens the chat annoyed and asks for her money "
        "back.</p>",
        "difficulty": "medium",
        "estimated_minutes": 10,
        "steps": steps,
    }


def billing_scenario() -> dict[str, Any]:
    steps = [
        _choice(
            "opening",
            "Good afternoon. I've been charged twice for my March bill, 58.40 both times. I "
            "would like to know why, and I want it put right before next month's payment.",
            _reply(
                "acknowledge",
                "Good afternoon. I'm sorry, being charged twice is worrying. I'll look into it "
                "with you now. May I first confirm a few details?",
                "verify",
                4,
                "Calm acknowledgement, then straight to verification.",
            ),
            _reply(
                "system",
                "Our system sometimes takes payments twice; it usually sorts itself out.",
                "worried",
                -3,
                "Vague and unverified: he now worries it will happen again.",
            ),
            start=True,
        ),
        _choice(
            "worried",
            "Sorts itself out? I'd like someone to actually check, please.",
            _reply(
                "check",
                "Of course. I'll check it properly. May I confirm your details first?",
                "verify",
                1,
                "Back on track.",
            ),
            _reply(
                "refund-now",
                "Don't worry, I'll refund 58.40 to you right away.",
                "refund-unchecked",
                -5,
                "Critical mistake: refunding without verifying identity or checking the "
                "account breaks data protection and the refund policy.",
                critical=True,
            ),
        ),
        _choice(
            "verify",
            "Yes, it's Harold Lindqvist, account 77-1042.",
            _reply(
                "security",
                "Thank you, Mr Lindqvist. Could you confirm your date of birth and the first "
                "line of your address?",
                "findings",
                3,
                "Identity verified before the account is discussed.",
            ),
            _reply(
                "look",
                "Thanks, I'm looking at your account now.",
                "findings",
                -2,
                "You opened the account without the security questions.",
            ),
        ),
        _choice(
            "findings",
            "So, can you see it?",
            _reply(
                "explain",
                "Yes, I can see two collections of 58.40 on 3 March, two minutes apart. The "
                "second is a duplicate. Duplicate collections are corrected by our finance "
                "team, so I'll pass it to them now with everything they need.",
                "explain-escalation",
                5,
                "Accurate, plain explanation, and the right route: duplicates go to finance "
                "operations.",
            ),
            _reply(
                "promise",
                "Yes, I'll reverse it myself right now.",
                "blocked",
                -1,
                "Agents cannot reverse direct debit collections; promising it sets up a "
                "broken promise.",
            ),
        ),
        _choice(
            "blocked",
            "You said you'd reverse it. Has it gone through?",
            _reply(
                "correct-course",
                "I'm sorry, I was wrong: our finance team has to correct it. I'm sending it "
                "to them now, marked urgent.",
                "explain-escalation",
                1,
                "Owning the mistake quickly limits the damage.",
            ),
            _reply(
                "stall",
                "It's processing; please check your bank in a few days.",
                "lost",
                -4,
                "An untrue answer. He will find out, and the trust will be gone.",
            ),
        ),
        _free(
            "explain-escalation",
            "I'd like to know exactly what happens now, and I'd like it in writing.",
            "Write your reply: what finance operations will do, by when, how he will hear, "
            "and what you will send him in writing.",
            ["accurate-information", "ownership"],
            "commitment",
        ),
        _choice(
            "commitment",
            "And if it isn't done before the 3rd of next month?",
            _reply(
                "timeline",
                "Finance corrects duplicates within 2 working days. I've noted your next "
                "collection date on the case, and I'll call you on Thursday to confirm it's "
                "done. You'll have my email today.",
                "escalated",
                4,
                "A named owner, a date and a follow-up: exactly what Harold wanted.",
            ),
            _reply(
                "vague",
                "I'm sure it will be fine.",
                "escalated-unsure",
                -1,
                "Reassurance without a commitment leaves him checking his statement anxiously.",
            ),
        ),
        _end(
            "escalated",
            "Thank you. That's very clear, and I'll look out for your email.",
            "escalated",
            "<p>Correctly escalated to finance operations, with a time limit, a follow-up "
            "call and written confirmation. Escalating was the right outcome here: agents "
            "cannot reverse collections.</p>",
        ),
        _end(
            "escalated-unsure",
            "Well. I suppose I'll wait and see.",
            "escalated",
            "<p>Escalated, but without a date or a follow-up the customer is left worrying. "
            "Give a time limit and a way to reach you.</p>",
        ),
        _end(
            "refund-unchecked",
            "Oh. Well, thank you, I think.",
            "lost",
            "<p>A refund to an unverified caller, without checking the account, is a data "
            "protection breach and may pay the wrong person. Verify first, always.</p>",
        ),
        _end(
            "lost",
            "I'm going to write to your complaints department.",
            "lost",
            "<p>Customer lost. An untrue 'it's processing' turned a fixable error into a "
            "formal complaint.</p>",
        ),
    ]
    return {
        "title": "Billing error: charged twice, needs escalation",
        "goal": "Verify Harold, explain the double charge accurately, and escalate it to "
        "finance operations with a date and written confirmation.",
        "situation": "<p>Harold Lindqvist checks every statement. His March bill was "
        "collected twice by direct debit. Agents cannot reverse collections: finance "
        "operations can, within two working days.</p>",
        "difficulty": "hard",
        "estimated_minutes": 12,
        "steps": steps,
    }


# --- Putting it together ----------


def _library_home() -> Page:
    from content.demo import library_home

    return library_home()


def _personas() -> dict[str, Any]:
    try:
        from content.demo import ensure_personas
    except ImportError:
        return {}
    return ensure_personas()


def _framework() -> Any:
    from scorecards.models import Framework

    framework = Framework.objects.filter(name=FRAMEWORK_NAME).order_by("pk").first()
    if framework is None or not framework.versions.exists():
        from scorecards.demo import STANDARD, ensure_framework

        return ensure_framework(STANDARD).framework
    return framework


def _job_aid() -> Any:
    document_model = get_document_model()
    found = document_model.objects.filter(title=JOB_AID_TITLE).first()
    if found is not None:
        return found
    document = document_model(title=JOB_AID_TITLE)
    document.file.save("refund-policy-at-a-glance.txt", ContentFile(JOB_AID_TEXT.encode()))
    document.save()
    return document


def _child(parent: Page, model: type[Page], slug: str, fields: dict[str, Any]) -> Page:
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@transaction.atomic
def ensure_demo_training_pages() -> dict[str, Any]:
    """The demo training pages, created when missing. Returns them by role:
    {"index", "modules": [3], "scenarios": [refund, billing], "path"}."""
    home = _library_home()
    index = _child(
        home,
        TrainingIndexPage,
        INDEX_SLUG,
        {
            "title": "Training",
            "intro": "<p>Modules, role-play scenarios and learning paths. Your assigned "
            'training is under <a href="/training/">My training</a>.</p>',
        },
    )
    ensure_training_moderation(index)
    personas = _personas()
    framework = _framework()
    modules = [
        _child(index, ModulePage, "empathy-on-the-phone", empathy_module()),
        _child(index, ModulePage, "handling-refunds", refunds_module(_job_aid())),
        _child(index, ModulePage, "writing-clear-chat-replies", chat_module()),
    ]
    scenarios = [
        _child(
            index,
            RolePlayScenarioPage,
            "refund-damaged-delivery",
            {
                **refund_scenario(),
                "persona": personas.get("maya-okafor"),
                "framework": framework,
            },
        ),
        _child(
            index,
            RolePlayScenarioPage,
            "billing-error-escalation",
            {
                **billing_scenario(),
                "persona": personas.get("harold-lindqvist"),
                "framework": framework,
            },
        ),
    ]
    items = [modules[0], modules[1], scenarios[0], modules[2], scenarios[1]]
    prerequisites = {2: [modules[0], modules[1]], 4: [modules[1]]}
    path = _child(
        index,
        LearningPathPage,
        "new-agent-essentials",
        {
            "title": "New agent essentials",
            "summary": "Your first weeks: empathy, refunds and clear chat replies, practised in "
            "two role-plays. Earns a certificate valid for 12 months.",
            "certificate": True,
            "validity_months": 12,
            "items": [
                {
                    "type": "item",
                    "value": {
                        "page": page.pk,
                        "prerequisites": [before.pk for before in prerequisites.get(n, [])],
                        "required": True,
                    },
                }
                for n, page in enumerate(items)
            ],
        },
    )
    return {"index": index, "modules": modules, "scenarios": scenarios, "path": path}
