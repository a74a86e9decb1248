"""Country reports: chapters of numbered paragraphs, proposals and comments."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from monitor.core.db import enum_type, json_type
from monitor.core.time import utcnow


class ReportStatus(enum.StrEnum):
    """States of a country report (procedure steps 6-12 in ``shared/domain.md``), in
    procedure order. The transitions between them are the table in
    :mod:`monitor.reports.cycle`."""

    DRAFTING = "drafting"  # step 6: rapporteurs and secretariat write
    PANEL_REVIEW = "panel_review"  # step 6: panel members comment internally
    DRAFT_APPROVED = "draft_approved"  # step 7: approved at a plenary
    SENT_TO_PARTY = "sent_to_party"  # step 8: with the Party for comments (2 months)
    PARTY_COMMENTED = "party_commented"  # step 9: the contact person sent the comments
    REVISING = "revising"  # step 9: the panel answers each comment and revises
    ADOPTED = "adopted"  # step 10: adopted at a later plenary, text frozen
    TRANSMITTED = "transmitted"  # step 11: to the Party and the Committee (1 month)
    PUBLISHED = "published"  # step 12: with the Party's final comments


class CommentStage(enum.StrEnum):
    """Which conversation a comment belongs to (see "Who may see what")."""

    PANEL = "panel"  # panel-internal, during panel review or revision: panel only
    DRAFT = "draft"  # the Party's comments on the draft (step 9): panel and that Party
    FINAL = "final"  # the Party's final comments (step 11): published with the report


class CommentResponse(enum.StrEnum):
    """How the panel dealt with a Party comment (procedure step 9)."""

    TAKEN_INTO_ACCOUNT = "taken_into_account"
    PARTLY = "partly"
    NOT_TAKEN = "not_taken"


class PlenaryItemKind(enum.StrEnum):
    """What a plenary's agenda asks for a report (procedure steps 7 and 10)."""

    APPROVE_DRAFT = "approve_draft"
    ADOPT = "adopt"


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
    #: Urgent procedure: the report may go from drafting straight to adoption at a
    #: plenary (see :mod:`monitor.reports.cycle`).
    urgent: bool = False
    final_comments_due: date | None = None
    transmitted_at: datetime | None = None
    #: Paragraph id (as a string, JSON keys) -> number, stored at adoption so that
    #: citations of the adopted text hold.
    frozen_numbers: dict[str, int] | None = Field(default=None, sa_type=json_type())


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
    """A comment on the report, on one paragraph or general (``paragraph_id`` None).

    ``stage`` says whose conversation it is (:class:`CommentStage`). A Party comment is
    written by the contact person or a contributor and stays the Party's own draft
    (``sent_at`` None) until the contact person sends the Party's comments; panel
    comments count as sent when written. The panel answers each Party comment on the
    draft with ``response`` and a reason (``panel_note``)."""

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
    stage: CommentStage = Field(default=CommentStage.DRAFT, sa_type=enum_type(CommentStage))
    sent_at: datetime | None = None
    response: CommentResponse | None = Field(default=None, sa_type=enum_type(CommentResponse))


class Plenary(SQLModel, table=True):
    """A plenary meeting of the panel (its number or name, dates, place): drafts are
    approved and final reports adopted there (procedure steps 7 and 10)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    start_date: date
    end_date: date
    place: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class PlenaryItem(SQLModel, table=True):
    """An agenda item: approve the draft of ``report_id`` or adopt it as final."""

    __tablename__ = "plenary_item"
    __table_args__ = (sa.UniqueConstraint("plenary_id", "report_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    plenary_id: int = Field(foreign_key="plenary.id", index=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    kind: PlenaryItemKind = Field(sa_type=enum_type(PlenaryItemKind))
    #: When the transition was recorded at this plenary (None: still to be decided).
    done_at: datetime | None = None


class ReportStep(SQLModel, table=True):
    """One transition of the report's cycle: who (None: the system, e.g. the cron
    command), when (UTC), from which state by which action to which state, the new
    step's deadline (a calendar date, None if the step has none) and the plenary at
    which it was decided."""

    __tablename__ = "report_step"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    action: str = Field(max_length=40)
    from_status: ReportStatus = Field(sa_type=enum_type(ReportStatus, "ck_report_step_from_status"))
    to_status: ReportStatus = Field(sa_type=enum_type(ReportStatus, "ck_report_step_to_status"))
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)
    due: date | None = None
    plenary_id: int | None = Field(default=None, foreign_key="plenary.id")


class ReportVersion(SQLModel, table=True):
    """A snapshot of the whole text taken at a cycle step. ``content`` is
    ``{"title": str, "chapters": [{"id", "position", "title", "paragraphs": [{"id",
    "number", "kind", "text", "verb", "articles", "footnotes", ...}]}]}`` (every column of
    the paragraph, plus its number). ``number`` counts the report's versions from 1."""

    __tablename__ = "report_version"
    __table_args__ = (sa.UniqueConstraint("report_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    number: int
    status: ReportStatus = Field(sa_type=enum_type(ReportStatus))
    action: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    content: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())


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
