"""Imports every domain's models so that SQLModel.metadata knows all tables
(for Alembic and for tests)."""

from monitor.accounts.models import Organisation, Party, User
from monitor.core.models import AuditEvent, PdfJob
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
from monitor.rounds.models import Evaluation, EvaluationRound, Instrument, QuestionnaireVersion
from monitor.submissions.models import Answer, Attachment, Receipt, Reply

__all__ = [
    "Answer",
    "Attachment",
    "AuditEvent",
    "Evaluation",
    "EvaluationRound",
    "Instrument",
    "Organisation",
    "Party",
    "PdfJob",
    "Plenary",
    "PlenaryItem",
    "QuestionnaireVersion",
    "Receipt",
    "Reply",
    "Report",
    "ReportChapter",
    "ReportComment",
    "ReportParagraph",
    "ReportStep",
    "ReportVersion",
    "User",
]
