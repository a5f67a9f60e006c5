"""Factories for interactions, feedback, frameworks and reviews.

`demo_definition()` is a small mixed framework most tests share; `published_version()` freezes a
definition the way publishing does. Reviews with scores should be made through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from scorecards import framework_def as fd
from scorecards.models import (
    Channel,
    CustomerFeedback,
    Framework,
    FrameworkVersion,
    Interaction,
    Review,
    Transcript,
)
from tests.people.factories import TeamFactory, UserFactory


def demo_definition(*, mode: str = "weighted", mark: str = "80") -> fd.FrameworkDef:
    """Two sections: a fatal yes/no, a 5-point with root causes, an N/A-able 3-point, a question."""
    five = fd.point_scale(5)
    return fd.FrameworkDef(
        name="Support standard",
        scoring_mode=mode,
        pass_mark=Decimal(mark),
        use_section_weights=False,
        sections=(
            fd.Section(
                key="opening",
                title="Opening",
                weight=None,
                criteria=(
                    fd.Criterion(
                        key="verify-identity",
                        title="Verifies the customer's identity",
                        guidance="Asks two security questions before discussing the account.",
                        scale="yes_no",
                        options=fd.yes_no_options(),
                        weight=Decimal(1),
                        points=Decimal(5),
                        severity="fatal",
                    ),
                    fd.Criterion(
                        key="greeting",
                        title="Greets the customer",
                        guidance="",
                        scale="three",
                        options=fd.point_scale(3),
                        weight=Decimal(1),
                        points=Decimal(5),
                        na_allowed=True,
                    ),
                ),
            ),
            fd.Section(
                key="resolution",
                title="Resolution",
                weight=None,
                criteria=(
                    fd.Criterion(
                        key="empathy",
                        title="Shows empathy",
                        guidance="Acknowledges the customer's situation in their words.",
                        scale="five",
                        options=five,
                        weight=Decimal(2),
                        points=Decimal(10),
                        root_causes=("Knowledge gap", "Behaviour"),
                    ),
                    fd.Criterion(
                        key="contact-reason",
                        title="Contact reason",
                        guidance="",
                        scale="three",
                        options=(
                            fd.ScaleOption(Decimal(1), "Billing"),
                            fd.ScaleOption(Decimal(2), "Technical"),
                            fd.ScaleOption(Decimal(3), "Other"),
                        ),
                        scoring=False,
                    ),
                ),
            ),
        ),
    )


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    name = factory.Sequence(lambda n: f"Framework {n}")
    live = True


def published_version(
    definition: fd.FrameworkDef | None = None, framework: Framework | None = None, number: int = 1
) -> FrameworkVersion:
    definition = definition or demo_definition()
    framework = framework or FrameworkFactory(name=definition.name)
    return FrameworkVersion.objects.create(
        framework=framework,
        number=number,
        definition=fd.to_json(definition),
        published_at=timezone.now(),
    )


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    source = "helpdesk"
    source_id = factory.Sequence(lambda n: f"T-{n:06d}")
    channel = Channel.CHAT
    agent = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
    duration_seconds = 420
    queue = "Billing"


def chat_messages(n: int = 4) -> list[dict[str, object]]:
    start = timezone.now() - dt.timedelta(days=2)
    lines = []
    for i in range(n):
        speaker = "customer" if i % 2 == 0 else "agent"
        lines.append(
            {
                "speaker": speaker,
                "name": "Customer" if speaker == "customer" else "Agent",
                "at": (start + dt.timedelta(seconds=30 * i)).isoformat(),
                "offset": None,
                "text": f"Message {i + 1} from the {speaker}.",
                "internal": False,
            }
        )
    return lines


class TranscriptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transcript

    interaction = factory.SubFactory(InteractionFactory)
    messages = factory.LazyFunction(chat_messages)


class CustomerFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerFeedback

    source = "survey"
    source_id = factory.Sequence(lambda n: f"F-{n:06d}")
    interaction = None
    agent = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    csat = 4
    nps = 9


class ReviewFactory(factory.django.DjangoModelFactory):
    """A bare review row (draft by default). Use scorecards.services to rate and submit."""

    class Meta:
        model = Review

    interaction = factory.SubFactory(InteractionFactory)
    framework_version = factory.LazyFunction(published_version)
    reviewer = factory.SubFactory(UserFactory)
    agent = factory.LazyAttribute(lambda o: o.interaction.agent)
    team = factory.LazyAttribute(lambda o: o.interaction.team)
    interaction_started_at = factory.LazyAttribute(lambda o: o.interaction.started_at)
    channel = factory.LazyAttribute(lambda o: o.interaction.channel)
