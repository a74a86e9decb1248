"""Country reports: chapters of numbered paragraphs, proposals and comments."""

import enum
from datetime import date, datetime
from typing import Any

from sqlmodel import Field, SQLModel

from monitor.core.db import enum_type, json_type
from monitor.core.time import utcnow


class ReportStatus(enum.StrEnum):
    """States of a country report (procedure steps 6-12 in ``shared/domain.md``)."""

    DRAFTING = "drafting"
    SENT_TO_PARTY = "sent_to_party"
    ADOPTED = "adopted"
    PUBLISHED = "published"


class ParagraphKind(enum.StrEnum):
    NARRATIVE = "narrative"
    PROPOSAL = "proposal"


class Report(SQLModel, table=True):
    """The country report of one evaluation. Paragraph numbers are computed from chapter
    and paragraph positions, continuous through the report."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", unique=True)
    title: str = Field(max_length=300)
    status: ReportStatus = Field(default=ReportStatus.DRAFTING, sa_type=enum_type(ReportStatus))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    comments_due: date | None = None
    adopted_at: datetime | None = None
    published_at: datetime | None = None


class ReportChapter(SQLModel, table=True):
    __tablename__ = "report_chapter"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    position: int
    title: str = Field(max_length=300)


class ReportParagraph(SQLModel, table=True):
    """A paragraph: narrative text, or a proposal with a verb (from the instrument's
    ``proposal_verbs``, e.g. urges / considers / invites) and the articles it concerns.

    ``text`` is Markdown; ``footnotes`` is a list of Markdown strings, referenced in the
    text as ``[^1]``, ``[^2]`` ... in order.
    """

    __tablename__ = "report_paragraph"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    chapter_id: int = Field(foreign_key="report_chapter.id", index=True)
    position: int
    kind: ParagraphKind = Field(default=ParagraphKind.NARRATIVE, sa_type=enum_type(ParagraphKind))
    verb: str | None = Field(default=None, max_length=32)
    articles: list[int] = Field(default_factory=list, sa_type=json_type())
    text: str
    footnotes: list[str] = Field(default_factory=list, sa_type=json_type())
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


class ReportComment(SQLModel, table=True):
    """A Party's comment on the draft report, on one paragraph or general
    (``paragraph_id`` None). The panel marks it dealt with."""

    __tablename__ = "report_comment"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    paragraph_id: int | None = Field(default=None, foreign_key="report_paragraph.id")
    author_id: int = Field(foreign_key="user.id")
    text: str
    created_at: datetime = Field(default_factory=utcnow)
    dealt_with_at: datetime | None = None
    dealt_with_by_id: int | None = Field(default=None, foreign_key="user.id")
    panel_note: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())
