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
from monitor.submissions.models import Answer, Attachment, CoSignature, Receipt, Reply
from monitor.submissions.team_models import Invitation, SectionAssignment, SectionState

__all__ = [
    "Answer",
    "Attachment",
    "AuditEvent",
    "CoSignature",
    "Evaluation",
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
    "Reply",
    "Report",
    "ReportChapter",
    "ReportComment",
    "ReportParagraph",
    "ReportStep",
    "ReportVersion",
    "SectionAssignment",
    "SectionState",
    "User",
]
