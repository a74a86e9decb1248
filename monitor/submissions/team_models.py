"""The team that writes a Party's reply (issue 4, point 1, "multi-agency reply"): the
contact person's invitations, who is assigned to which section, and each section's
review status.

The procedure's contact person "receives the questionnaire, shares sections with
ministries, consolidates and submits one official reply" (``shared/domain.md``); the
people of those ministries are contributors (:attr:`Role.PARTY_CONTRIBUTOR`).
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from monitor.core.db import enum_type
from monitor.core.time import utcnow


class Invitation(SQLModel, table=True):
    """An invitation by a Party's contact person to contribute to the Party's reply.

    ``email`` is stored lower-case; one invitation per Party and address (inviting the
    same address again resends it). ``language`` (``en``, ``fr``, ``ru``) is the
    invitee's: the e-mail is written in it and the account created with it.
    ``reply_id`` is the reply the invitee is taken to once the account exists. Times are
    UTC: ``created_at`` the first invitation, ``sent_at`` the last e-mail (the signed
    link counts its validity from then), ``accepted_at`` when the account was made
    (``user_id`` names it), ``revoked_at`` when the contact withdrew it.
    """

    __table_args__ = (sa.UniqueConstraint("party_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    party_id: int = Field(foreign_key="party.id", index=True)
    reply_id: int | None = Field(default=None, foreign_key="reply.id")
    email: str = Field(max_length=320)
    name: str = Field(max_length=200)
    language: str = Field(default="en", max_length=8)
    invited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime = Field(default_factory=utcnow)
    accepted_at: datetime | None = None
    user_id: int | None = Field(default=None, foreign_key="user.id")
    revoked_at: datetime | None = None


class SectionAssignment(SQLModel, table=True):
    """A contributor assigned to one section of a reply (one or more per section). Only
    assigned contributors change a section's answers; the contact person changes all.
    ``assigned_at`` is UTC."""

    __tablename__ = "section_assignment"
    __table_args__ = (sa.UniqueConstraint("reply_id", "section_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    section_id: str = Field(max_length=120)
    user_id: int = Field(foreign_key="user.id", index=True)
    assigned_by_id: int | None = Field(default=None, foreign_key="user.id")
    assigned_at: datetime = Field(default_factory=utcnow)


class SectionStatus(enum.StrEnum):
    """Where a section of a reply stands in the team's work. Saving an answer in a
    section not started, or in one already reviewed, puts it in progress."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    READY_FOR_REVIEW = "ready_for_review"
    REVIEWED = "reviewed"


class SectionState(SQLModel, table=True):
    """The status of one section of a reply (no row: not started); ``changed_by_id`` and
    ``changed_at`` (UTC) name the last change of status."""

    __tablename__ = "section_state"
    __table_args__ = (sa.UniqueConstraint("reply_id", "section_id"),)

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    section_id: str = Field(max_length=120)
    status: SectionStatus = Field(
        default=SectionStatus.NOT_STARTED, sa_type=enum_type(SectionStatus)
    )
    changed_by_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow)
