"""Every write to learner state. Views, the API, tasks, commands and the demo call these."""

from .assignments import AssignResult, assign_training, withdraw_assignments
from .attempts import (
    FREE_RESPONSE_SCALE,
    AnswerResult,
    StepResult,
    answer_question,
    answer_step,
    grade_free_response,
    start_attempt,
    submit_module_attempt,
)
from .common import (
    AlreadyAnswered,
    AttemptFinished,
    AttemptLimitReached,
    InvalidAnswer,
    NotCurrentStep,
    NotPublished,
    NotYourAttempt,
    TrainingError,
    UnknownQuestion,
)
from .completion import complete_path, issue_certificate, revoke_certificate
from .reconcile import ReconcileResult, create_rule, reconcile_rules, save_rule
from .reminders import recertify_expiring, send_reminders

__all__ = [
    "FREE_RESPONSE_SCALE",
    "AlreadyAnswered",
    "AnswerResult",
    "AssignResult",
    "AttemptFinished",
    "AttemptLimitReached",
    "InvalidAnswer",
    "NotCurrentStep",
    "NotPublished",
    "NotYourAttempt",
    "ReconcileResult",
    "StepResult",
    "TrainingError",
    "UnknownQuestion",
    "answer_question",
    "answer_step",
    "assign_training",
    "complete_path",
    "create_rule",
    "grade_free_response",
    "issue_certificate",
    "recertify_expiring",
    "reconcile_rules",
    "revoke_certificate",
    "save_rule",
    "send_reminders",
    "start_attempt",
    "submit_module_attempt",
    "withdraw_assignments",
]
