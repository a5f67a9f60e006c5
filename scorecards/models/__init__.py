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
from .rollups import CriterionRollup, QualityRollup, RollupSpan

__all__ = [
    "CesVersion",
    "Channel",
    "CriterionRollup",
    "CustomerFeedback",
    "Framework",
    "FrameworkQuerySet",
    "FrameworkVersion",
    "Interaction",
    "InteractionQuerySet",
    "QualityRollup",
    "QualitySettings",
    "Review",
    "ReviewPurpose",
    "ReviewQuerySet",
    "ReviewRating",
    "ReviewSource",
    "ReviewStatus",
    "RollupSpan",
    "ScoringMode",
    "Speaker",
    "Transcript",
]
