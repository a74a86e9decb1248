"""The audit log: one row per state change, with actor and time (UTC)."""

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from monitor.core.db import json_type
from monitor.core.time import utcnow


class AuditEvent(SQLModel, table=True):
    """A recorded state change.

    ``action`` is a dotted name such as ``"reply.submitted"`` or ``"report.adopted"``;
    ``object_type``/``object_id`` name the changed record; ``detail`` is a JSON object
    with action-specific data. ``at`` is UTC.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=32)
    object_id: int
    evaluation_id: int | None = Field(default=None, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())
