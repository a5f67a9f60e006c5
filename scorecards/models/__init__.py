from .frameworks import Framework, FrameworkQuerySet, FrameworkVersion, ScoringMode
from .interactions import (
    CesVersion,
    Channel,
    CustomerFeedback,
    Interaction,
    InteractionQuerySet,
    Speaker,
    Transcript,
)
from .quality_settings import QualitySettings
from .reviews import Review, ReviewPurpose, ReviewQuerySet, ReviewRating, ReviewSource, ReviewStatus

__all__ = [
    "CesVersion",
    "Channel",
    "CustomerFeedback",
    "Framework",
    "FrameworkQuerySet",
    "FrameworkVersion",
    "Interaction",
    "InteractionQuerySet",
    "QualitySettings",
    "Review",
    "ReviewPurpose",
    "ReviewQuerySet",
    "ReviewRating",
    "ReviewSource",
    "ReviewStatus",
    "ScoringMode",
    "Speaker",
    "Transcript",
]
