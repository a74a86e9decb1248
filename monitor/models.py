"""Imports every domain's models so that SQLModel.metadata knows all tables
(for Alembic and for tests)."""

from monitor.accounts.models import Organisation, Party, User
from monitor.core.models import AuditEvent, PdfJob
from monitor.reminder_models import SentReminder
from monitor.reports.models import (
    Plenary,
    PlenaryItem,
    Report,
    ReportChapter,
    ReportComment,
    ReportParagraph,
    ReportStep,
    ReportVersion,
)
from monitor.reports.recommendation_models import (
    FollowUpGrade,
    ImplementationAnswer,
    Recommendation,
    RecommendationItem,
)
from monitor.rounds.models import Evaluation, EvaluationRound, Instrument, QuestionnaireVersion
from monitor.submissions.models import Answer, Attachment, CoSignature, Receipt, Reply
from monitor.submissions.team_models import Invitation, SectionAssignment, SectionState

__all__ = [
    "Answer",
    "Attachment",
    "AuditEvent",
    "CoSignature",
    "Evaluation",
    "FollowUpGrade",
    "ImplementationAnswer",
    "EvaluationRound",
    "Instrument",
    "Invitation",
    "Organisation",
    "Party",
    "PdfJob",
    "Plenary",
    "PlenaryItem",
    "QuestionnaireVersion",
    "Receipt",
    "Recommendation",
    "RecommendationItem",
    "Reply",
    "Report",
    "ReportChapter",
    "ReportComment",
    "ReportParagraph",
    "ReportStep",
    "ReportVersion",
    "SectionAssignment",
    "SectionState",
    "SentReminder",
    "User",
]
