"""Removing what is kept only for a while: conflicting answers never resolved, forms kept
after a session expired and never resumed, and stored files nothing refers to any more.

Run from cron as ``monitor submissions cleanup`` (:mod:`monitor.submissions.cli`). The
service deletes rows in the session given and never commits; stored files are removed
only by :func:`remove_orphan_blobs`, after the caller has committed.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, delete, func, select

from monitor.core.storage import LocalStorage
from monitor.core.time import utcnow
from monitor.submissions.models import PendingSave, StashedPost


@dataclass
class CleanupResult:
    """What a clean-up removed (or, on a dry run, would remove): counts of
    ``pending_saves`` and ``stashed_posts`` rows, and the keys of the unreferenced
    ``blobs`` and the paths of the abandoned ``temporary`` upload files."""

    pending_saves: int = 0
    stashed_posts: int = 0
    blobs: list[str] = field(default_factory=list)
    temporary: list[Path] = field(default_factory=list)


def delete_old_rows(session: Session, max_age: timedelta, dry_run: bool = False) -> CleanupResult:
    """Delete the :class:`PendingSave` and :class:`StashedPost` rows created more than
    ``max_age`` ago (by ``created_at``, UTC); with ``dry_run`` only count them. The caller
    commits."""
    cutoff = utcnow() - max_age
    result = CleanupResult()
    for model, attr in ((PendingSave, "pending_saves"), (StashedPost, "stashed_posts")):
        old = col(model.created_at) < cutoff
        count = session.exec(select(func.count()).select_from(model).where(old)).one()
        if count and not dry_run:
            session.exec(delete(model).where(old))  # type: ignore[call-overload]
        setattr(result, attr, count)
    return result


def orphan_blobs(
    session: Session, storage: LocalStorage, grace: timedelta
) -> tuple[list[str], list[Path]]:
    """Keys of the stored blobs that no row names (:func:`blob_columns`: attachments,
    receipts, laid-out PDFs) and that were last stored more than ``grace``
    ago, and upload temporary files older than ``grace``. A blob stored within the grace
    period is kept: its upload may still be under way, its row not yet committed."""
    cutoff = utcnow() - grace
    candidates = [key for key, stored in storage.blobs() if stored < cutoff]
    temporary = [path for path, written in storage.temporary_files() if written < cutoff]
    if not candidates:
        return [], temporary
    referenced: set[str] = set()
    for column in blob_columns():
        rows = session.exec(select(column).where(column.is_not(None)).distinct())  # type: ignore[call-overload]
        referenced.update(str(k) for k in rows.all())
    return sorted(k for k in candidates if k not in referenced), temporary


def blob_columns() -> list[sa.Column[Any]]:
    """Every column that names a stored blob: by convention a column called ``sha256`` or
    ending in ``_sha256`` (:class:`Attachment`, :class:`Receipt`, ``PdfJob``...), in any
    table of the application's models (those the app has imported: all of them once
    :func:`monitor.create_app` has run), so that a model added later is not forgotten."""
    return [
        column
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if column.name == "sha256" or column.name.endswith("_sha256")
    ]


def remove_orphan_blobs(
    session: Session, storage: LocalStorage, grace: timedelta, dry_run: bool = False
) -> tuple[list[str], list[Path]]:
    """Remove what :func:`orphan_blobs` finds (nothing with ``dry_run``); returns it."""
    blobs, temporary = orphan_blobs(session, storage, grace)
    if not dry_run:
        for key in blobs:
            storage.delete(key)
        for path in temporary:
            path.unlink(missing_ok=True)
    return blobs, temporary


def cleanup(
    session: Session,
    storage: LocalStorage,
    max_age: timedelta,
    grace: timedelta,
    dry_run: bool = False,
) -> CleanupResult:
    """Delete the old rows (:func:`delete_old_rows`), commit, then remove unreferenced
    blobs (:func:`remove_orphan_blobs`). Commits: the rows go before the files, so a
    failure between the two leaves only files to remove next time."""
    result = delete_old_rows(session, max_age, dry_run)
    if not dry_run:
        session.commit()
    result.blobs, result.temporary = remove_orphan_blobs(session, storage, grace, dry_run)
    return result
