"""Country reports: chapters of numbered paragraphs, proposals and comments."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
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
    """Kinds of report paragraphs (``shared/domain.md``, Reports)."""

    NARRATIVE = "narrative"
    FINDING = "finding"
    PROPOSAL = "proposal"


class FindingGrade(enum.StrEnum):
    """How a finding grades what the panel found: a good practice to follow, a gap in law
    or practice, or a concern."""

    GOOD_PRACTICE = "good_practice"
    GAP = "gap"
    CONCERN = "concern"


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
    #: The questionnaire section the chapter is written from (its stable id in the
    #: evaluation's Party questionnaire); the editor shows that section's answers.
    section_id: str | None = Field(default=None, max_length=120)


class ReportParagraph(SQLModel, table=True):
    """A paragraph: narrative text; a finding with its ``grade``; or a proposal with a
    verb (from the instrument's ``proposal_verbs``, e.g. urges / considers / invites), the
    articles it concerns, its ``themes`` (theme ids of the round's questionnaire, see
    :func:`monitor.reports.drafting.report_themes`), a ``priority`` flag and, optionally,
    ``repeats_id``: the proposal of the same Party's previous round report it repeats.

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
    grade: FindingGrade | None = Field(default=None, sa_type=enum_type(FindingGrade))
    themes: list[str] = Field(default_factory=list, sa_type=json_type())
    priority: bool = False
    repeats_id: int | None = Field(default=None, foreign_key="report_paragraph.id")
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


class ParagraphCitation(SQLModel, table=True):
    """A paragraph cites one answer: item ``item_id`` of reply ``reply_id`` (the Party's
    reply or an NGO submission of the report's evaluation). Seen by the panel only: an
    NGO's confidential input must not reach the Party through its draft."""

    __tablename__ = "paragraph_citation"
    __table_args__ = (sa.UniqueConstraint("paragraph_id", "reply_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    paragraph_id: int = Field(foreign_key="report_paragraph.id", index=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    item_id: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
