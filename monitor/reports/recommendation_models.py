"""The Committee of the Parties' recommendation and the follow-up of each proposal
(procedure steps 13-14 in ``shared/domain.md``; issue 5, point 6).

A :class:`Recommendation` is drafted from a published report's proposals, one
:class:`RecommendationItem` per proposal paragraph; the Party answers each item
(:class:`ImplementationAnswer`) and submits its implementation report; the panel grades
each item, every grading a :class:`FollowUpGrade` row (the current grade is the latest).
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from monitor.core.db import enum_type, json_type
from monitor.core.time import utcnow


class RecommendationStatus(enum.StrEnum):
    DRAFT = "draft"
    ADOPTED = "adopted"


class Grade(enum.StrEnum):
    """How far a proposal has been implemented (procedure step 14)."""

    IMPLEMENTED = "implemented"
    PARTLY_IMPLEMENTED = "partly_implemented"
    NOT_IMPLEMENTED = "not_implemented"
    NO_INFORMATION = "no_information"


class Recommendation(SQLModel, table=True):
    """The Committee of the Parties' recommendation to the Party of one published report.

    ``adopted_on`` is the date of the Committee's decision (a calendar date);
    ``implementation_due`` defaults to the round's ``deadlines.implementation_report_months``
    (12) after it. ``implementation_submitted_at`` (UTC) is set when the Party's contact
    person submits the implementation report.
    """

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", unique=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    status: RecommendationStatus = Field(
        default=RecommendationStatus.DRAFT, sa_type=enum_type(RecommendationStatus)
    )
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    adopted_on: date | None = None
    adopted_at: datetime | None = None
    adopted_by_id: int | None = Field(default=None, foreign_key="user.id")
    implementation_due: date | None = None
    implementation_submitted_at: datetime | None = None
    implementation_submitted_by_id: int | None = Field(default=None, foreign_key="user.id")


class RecommendationItem(SQLModel, table=True):
    """One recommendation item, drafted from (and linked to) a proposal paragraph.

    ``verb`` and ``articles`` are copied from the proposal; ``text`` starts as the
    proposal's text and may be edited by the secretariat until adoption.
    """

    __tablename__ = "recommendation_item"
    __table_args__ = (sa.UniqueConstraint("recommendation_id", "paragraph_id"),)

    id: int | None = Field(default=None, primary_key=True)
    recommendation_id: int = Field(foreign_key="recommendation.id", index=True)
    paragraph_id: int = Field(foreign_key="report_paragraph.id", index=True)
    position: int
    verb: str | None = Field(default=None, max_length=32)
    articles: list[int] = Field(default_factory=list, sa_type=json_type())
    text: str
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


class ImplementationAnswer(SQLModel, table=True):
    """The Party's answer on one recommendation item (its implementation report)."""

    __tablename__ = "implementation_answer"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="recommendation_item.id", unique=True)
    text: str
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


class FollowUpGrade(SQLModel, table=True):
    """One grading of a recommendation item by the panel: who, when (UTC), the grade and
    a comment. Rows are never changed; the latest (by time, then id) is current."""

    __tablename__ = "follow_up_grade"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="recommendation_item.id", index=True)
    grade: Grade = Field(sa_type=enum_type(Grade))
    comment: str = ""
    graded_at: datetime = Field(default_factory=utcnow)
    graded_by_id: int | None = Field(default=None, foreign_key="user.id")
