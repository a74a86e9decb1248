"""The audit log (one row per state change, with actor and time, UTC) and PDF jobs."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
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


#: States of a :class:`PdfJob`.
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class PdfJob(SQLModel, table=True):
    """One PDF laid out (or being laid out) from one HTML document.

    ``key`` is the SHA-256 (hex) of the HTML and its asset folder; ``status`` is
    ``queued``, ``running``, ``done`` or ``failed``. When done, ``pdf_sha256`` names the
    PDF in :mod:`monitor.core.storage` and ``size`` is its length in bytes. ``error`` is
    the child's message when failed. Times are UTC; ``seconds`` is the layout time.
    """

    __tablename__ = "pdf_job"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True, index=True)
    status: str = Field(default=QUEUED, max_length=16)
    pdf_sha256: str | None = Field(default=None, max_length=64)
    size: int | None = Field(default=None, sa_type=sa.BigInteger)
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    seconds: float | None = None
