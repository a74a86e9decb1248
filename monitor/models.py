"""Imports every domain's models so that SQLModel.metadata knows all tables
(for Alembic and for tests)."""

from monitor.accounts.models import Organisation, Party, User
from monitor.core.models import AuditEvent, PdfJob
from monitor.reports.models import Report, ReportChapter, ReportComment, ReportParagraph
from monitor.rounds.models import Evaluation, EvaluationRound, Instrument, QuestionnaireVersion
from monitor.submissions.models import Answer, Attachment, CoSignature, Receipt, Reply

__all__ = [
    "Answer",
    "Attachment",
    "AuditEvent",
    "CoSignature",
    "Evaluation",
    "EvaluationRound",
    "Instrument",
    "Organisation",
    "Party",
    "PdfJob",
    "QuestionnaireVersion",
    "Receipt",
    "Reply",
    "Report",
    "ReportChapter",
    "ReportComment",
    "ReportParagraph",
    "User",
]
