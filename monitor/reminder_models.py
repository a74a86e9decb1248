"""The ledger of reminders sent (issue 5, point 7): one row per (evaluation, milestone,
interval), ever. See :mod:`monitor.reminders`."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from monitor.core.time import utcnow


class SentReminder(SQLModel, table=True):
    """A reminder claimed (and sent) for ``milestone`` of an evaluation at ``offset_days``
    days from its due date (negative: before). The unique constraint is what makes the
    reminder go out at most once, even with several app servers running the command at
    the same time: the row is inserted, in the transaction that sends, before sending.
    ``recipients`` are the addresses it went to."""

    __tablename__ = "sent_reminder"
    __table_args__ = (sa.UniqueConstraint("evaluation_id", "milestone", "offset_days"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    milestone: str = Field(max_length=64)
    offset_days: int
    due: date | None = None
    sent_at: datetime = Field(default_factory=utcnow)
    recipients: str = ""
