"""Writing the audit log. Services call :func:`record`; they never commit."""

import logging
from typing import Any

from sqlmodel import Session

from monitor.core.models import AuditEvent

log = logging.getLogger("monitor.audit")


def record(
    session: Session,
    actor_id: int | None,
    action: str,
    obj: Any,
    evaluation_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an :class:`AuditEvent` for ``obj`` (a persisted model with an ``id``).

    The event is added to ``session`` and flushed so that ``obj.id`` is known; the caller
    commits. Returns the event.
    """
    session.flush()
    return add_event(session, actor_id, action, obj, evaluation_id, **detail)


def add_event(
    session: Session,
    actor_id: int | None,
    action: str,
    obj: Any,
    evaluation_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """As :func:`record`, without flushing first: for an ``obj`` whose id is known, so
    that what is pending is written once, at commit. Raises ValueError for an object
    not yet written (no id)."""
    if obj.id is None:
        raise ValueError(f"{type(obj).__name__} has no id yet: use record()")
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.id,
        evaluation_id=evaluation_id,
        detail=detail,
    )
    session.add(event)
    log.info("%s by user %s on %s %s", action, actor_id, type(obj).__name__, obj.id)
    return event
