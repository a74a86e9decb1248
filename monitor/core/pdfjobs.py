"""PDF downloads as jobs, so that a long report neither holds a web worker's memory nor
makes the browser's request time out (known-failures B14).

A download route builds the document's HTML (cheap, and where its access rules are
checked) and calls :func:`pdf_download`. The PDF is keyed by the SHA-256 of that HTML:

- a finished :class:`PdfJob` with the same key is served from storage at once (a report
  that has not changed is laid out once, whoever asks and in which app server);
- otherwise a job is recorded in the database and a background thread of this app
  server lays the PDF out in a child process (:func:`monitor.core.pdf.render_isolated`,
  capped at ``PDF_MAX_MEMORY_BYTES``), stores it (:mod:`monitor.core.storage`) and marks
  the job done or failed;
- the request waits up to ``PDF_WAIT_SECONDS`` for the job; a small PDF is therefore
  sent in the same response, a long one gets a "being prepared" page (HTTP 202 with
  ``Retry-After``) that reloads the same URL until the PDF is ready.

Everything a poll needs is in the database and the shared storage, so app servers stay
stateless: any of them answers the next poll. A job left running longer than
``PDF_TIMEOUT_SECONDS`` (its server stopped) is started again; a failed job shows its
error with a button to try again.
"""

import hashlib
import io
import logging
import re
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Flask, current_app, render_template, request, send_file
from flask.typing import ResponseReturnValue
from sqlmodel import Session, select

from monitor.core.downloads import content_disposition
from monitor.core.models import DONE, FAILED, QUEUED, RUNNING, PdfJob
from monitor.core.pdf import PdfRenderError, render_isolated
from monitor.core.storage import current_storage, storage_for
from monitor.core.time import utcnow
from monitor.extensions import db

log = logging.getLogger(__name__)

# monitor.core.models import DONE, FAILED, QUEUED, RUNNING, PdfJob

#: Seconds between two looks at the job while a request waits for it.
POLL_INTERVAL = 0.25


#: A part of a document that changes on every request without changing what the document
#: says (the time it was generated, on the report's cover): left out of :func:`job_key`,
#: so the PDF laid out first, with its own time, is served until the content changes.
VOLATILE = re.compile(r"<!--volatile-->.*?<!--/volatile-->", re.S)


def job_key(html: str, root: Path) -> str:
    """The SHA-256 (hex) that identifies the PDF of ``html`` laid out with the assets
    under ``root``; the :data:`VOLATILE` parts of ``html`` do not count."""
    digest = hashlib.sha256(str(Path(root).resolve()).encode("utf-8") + b"\0")
    digest.update(VOLATILE.sub("", html).encode("utf-8"))
    return digest.hexdigest()


def _stale(job: PdfJob, timeout: float) -> bool:
    """A queued or running job whose server must have stopped (older than ``timeout``
    seconds, plus a margin for the child's start)."""
    started = job.started_at or job.created_at
    return job.status in (QUEUED, RUNNING) and utcnow() - started > timedelta(seconds=timeout + 30)


def _claim(session: Session, html: str, root: Path, retry: bool) -> tuple[PdfJob, bool]:
    """The job for ``html``, and whether this request must start it (new, stale, or a
    failed one the user asked to retry). Two servers racing for a new key are settled by
    the unique constraint; an existing job is taken over with a conditional UPDATE, so
    only one server starts it."""
    key = job_key(html, root)
    job = session.exec(select(PdfJob).where(PdfJob.key == key)).first()
    if job is None:
        job = PdfJob(key=key)
        session.add(job)
        try:
            session.commit()
            return job, True
        except sa.exc.IntegrityError:
            session.rollback()
            job = session.exec(select(PdfJob).where(PdfJob.key == key)).one()
            return job, False
    timeout = current_app.config["PDF_TIMEOUT_SECONDS"]
    done_but_lost = job.status == DONE and not (
        job.pdf_sha256 and current_storage().exists(job.pdf_sha256)
    )
    if done_but_lost or _stale(job, timeout) or (retry and job.status == FAILED):
        result = session.execute(
            sa.update(PdfJob)
            .where(PdfJob.id == job.id, PdfJob.status == job.status)  # type: ignore[arg-type]
            .values(status=QUEUED, error=None, created_at=utcnow(), started_at=None)
        )
        session.commit()
        session.refresh(job)
        return job, result.rowcount == 1  # type: ignore[attr-defined]
    return job, False


def run_job(app: Flask, job_id: int, html: str, root: Path) -> None:
    """Lay out the job's PDF in a child process and record the outcome (in its own app
    context and session). Never raises: a failure is recorded on the job."""
    with app.app_context():
        session = db.session
        job = session.get(PdfJob, job_id)
        if job is None:
            return
        job.status, job.started_at = RUNNING, utcnow()
        session.commit()
        started = time.perf_counter()
        try:
            pdf = render_isolated(
                html,
                root,
                max_memory_bytes=app.config["PDF_MAX_MEMORY_BYTES"],
                timeout=app.config["PDF_TIMEOUT_SECONDS"],
            )
            job.pdf_sha256 = storage_for(app).put(pdf)
            job.size, job.status = len(pdf), DONE
        except PdfRenderError as error:
            log.error("PDF job %s failed: %s", job_id, error)
            job.status, job.error = FAILED, str(error)[:1000]
        except Exception as error:  # a storage or database fault: record it, do not hide it
            log.exception("PDF job %s failed", job_id)
            job.status, job.error = FAILED, f"{type(error).__name__}: {error}"[:1000]
        job.finished_at, job.seconds = utcnow(), time.perf_counter() - started
        session.commit()


def start_job(job: PdfJob, html: str, root: Path) -> threading.Thread:
    """Start :func:`run_job` for ``job`` on a daemon thread of this app server."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    assert job.id is not None
    thread = threading.Thread(
        target=run_job, args=(app, job.id, html, Path(root)), name=f"pdf-job-{job.id}", daemon=True
    )
    thread.start()
    return thread


def wait_for(session: Session, job: PdfJob, seconds: float) -> PdfJob:
    """``job`` reloaded until it is done or failed, or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while job.status not in (DONE, FAILED) and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL)
        session.expire(job)
        session.refresh(job)
    return job


def pdf_download(
    html: str, root: Path, filename: str, *, inline: bool = True
) -> ResponseReturnValue:
    """The response for a PDF download of ``html`` (laid out with the assets under
    ``root``) named ``filename`` (any script; see
    :func:`monitor.core.downloads.content_disposition`).

    The PDF itself (200, ``application/pdf``) when it is ready within
    ``PDF_WAIT_SECONDS``; else a page saying it is being prepared (202, refreshed every
    few seconds, ``Retry-After``); a page with the error and a "Try again" button (500)
    when laying it out failed. ``?retry=1`` restarts a failed job. The caller has
    checked who may download the document.
    """
    session = db.session
    job, start = _claim(session, html, root, retry=request.args.get("retry") == "1")
    if start:
        start_job(job, html, root)
    job = wait_for(session, job, current_app.config["PDF_WAIT_SECONDS"])
    if job.status == DONE and job.pdf_sha256:
        with current_storage().open(job.pdf_sha256) as stream:
            data = stream.read()
        disposition = content_disposition(filename, fallback="document.pdf")
        if inline:
            disposition = "inline" + disposition[len("attachment") :]
        response = send_file(io.BytesIO(data), mimetype="application/pdf", max_age=0)
        response.headers["Content-Disposition"] = disposition
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    if job.status == FAILED:
        retry_url = request.base_url + "?" + _query(retry="1")
        return render_template("pdf_job.html", job=job, failed=True, retry_url=retry_url), 500
    refresh = 3
    poll_url = request.base_url + "?" + _query(retry=None)
    body = render_template(
        "pdf_job.html", job=job, failed=False, refresh=refresh, poll_url=poll_url.rstrip("?")
    )
    return body, 202, {"Retry-After": str(refresh), "Cache-Control": "no-store"}


def _query(**changes: str | None) -> str:
    """The current query string with ``changes`` applied (None removes a key),
    URL-encoded."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    return urlencode(args, doseq=True)
