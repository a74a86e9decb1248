"""Imports every domain's models so that SQLModel.metadata knows all tables
(for Alembic and for tests)."""

from monitor.accounts.models import Organisation, Party, User
from monitor.core.models import AuditEvent
from monitor.reminder_models import SentReminder
from monitor.reports.models import Report, ReportChapter, ReportComment, ReportParagraph
from monitor.reports.recommendation_models import (
    FollowUpGrade,
    ImplementationAnswer,
    Recommendation,
    RecommendationItem,
)
from monitor.rounds.models import Evaluation, EvaluationRound, Instrument, QuestionnaireVersion
from monitor.submissions.models import Answer, Attachment, Receipt, Reply

__all__ = [
    "Answer",
    "Attachment",
    "AuditEvent",
    "Evaluation",
    "FollowUpGrade",
    "ImplementationAnswer",
    "EvaluationRound",
    "Instrument",
    "Organisation",
    "Party",
    "QuestionnaireVersion",
    "Receipt",
    "Recommendation",
    "RecommendationItem",
    "Reply",
    "Report",
    "ReportChapter",
    "ReportComment",
    "ReportParagraph",
    "SentReminder",
    "User",
]
