"""Report PDFs laid out as jobs in a child process (known-failures B14): the web worker
never lays out a PDF itself, an unchanged report is laid out once, a long layout gets a
page that polls instead of a request that times out, and a failure or a stopped server
is recovered from."""

import tempfile
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from monitor.core.models import DONE, FAILED, RUNNING, PdfJob
from monitor.core.pdf import PdfRenderError, render_isolated
from monitor.core.time import utcnow
from monitor.extensions import db

from .conftest import Data, login
from .test_views import add_paragraph, chapter_ids, start, url


def jobs(app: Flask) -> list[PdfJob]:
    with app.app_context():
        return list(db.session.exec(select(PdfJob).order_by(PdfJob.id)))  # type: ignore[arg-type]


def wait_for_jobs() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("pdf-job-"):
            thread.join(timeout=120)


@pytest.fixture
def no_layout_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Laying out a PDF in the test (web) process fails: only a child process can."""

    def refuse(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("a PDF was laid out in the web process")

    monkeypatch.setattr("weasyprint.HTML.write_pdf", refuse)


def test_layout_happens_in_a_child_and_is_done_once(
    app: Flask,
    client: FlaskClient,
    data: Data,
    no_layout_here: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start(client, data)
    add_paragraph(client, data, chapter_ids(app, data)[0], "Группа экспертов, œuvre, Şəki.")
    first = client.get(url(data, ".pdf?lang=en"))
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert first.headers["Content-Disposition"].startswith("inline; ")
    [job] = jobs(app)
    assert job.status == DONE and job.size == len(first.data) and job.seconds is not None

    # the same report again: served from storage, not laid out again
    def fail(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("laid out twice")

    monkeypatch.setattr("monitor.core.pdfjobs.render_isolated", fail)
    again = client.get(url(data, ".pdf?lang=en"))
    assert again.status_code == 200 and again.data == first.data
    assert len(jobs(app)) == 1


def test_a_changed_report_or_language_is_a_new_pdf(
    app: Flask, client: FlaskClient, data: Data
) -> None:
    start(client, data)
    assert client.get(url(data, ".pdf?lang=en")).status_code == 200
    assert client.get(url(data, ".pdf?lang=fr")).status_code == 200
    add_paragraph(client, data, chapter_ids(app, data)[0], "A new paragraph.")
    assert client.get(url(data, ".pdf?lang=en")).status_code == 200
    assert [j.status for j in jobs(app)] == [DONE, DONE, DONE]
    assert len({j.key for j in jobs(app)}) == 3


def test_a_long_layout_gets_a_page_that_polls(app: Flask, client: FlaskClient, data: Data) -> None:
    start(client, data)
    app.config["PDF_WAIT_SECONDS"] = 0
    waiting = client.get(url(data, ".pdf?lang=en"))
    assert waiting.status_code == 202
    assert waiting.headers["Retry-After"] == "3"
    page = waiting.get_data(as_text=True)
    assert "Preparing the PDF" in page
    assert 'http-equiv="refresh"' in page and "report.pdf?lang=en" in page
    wait_for_jobs()
    ready = client.get(url(data, ".pdf?lang=en"))
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")
    assert len(jobs(app)) == 1


def test_a_failed_layout_says_so_and_can_be_retried(
    app: Flask, client: FlaskClient, data: Data
) -> None:
    start(client, data)
    app.config["PDF_MAX_MEMORY_BYTES"] = 40 * 1024 * 1024  # too little for WeasyPrint
    failed = client.get(url(data, ".pdf?lang=en"))
    assert failed.status_code == 500
    page = failed.get_data(as_text=True)
    assert "The PDF could not be prepared" in page and "retry=1" in page
    [job] = jobs(app)
    assert job.status == FAILED and "memory" in (job.error or "")
    # asking again without retry shows the failure, without laying it out again
    assert client.get(url(data, ".pdf?lang=en")).status_code == 500
    app.config["PDF_MAX_MEMORY_BYTES"] = 1536 * 1024 * 1024
    retried = client.get(url(data, ".pdf?lang=en&retry=1"))
    assert retried.status_code == 200 and retried.data.startswith(b"%PDF")
    [job] = jobs(app)
    assert job.status == DONE and job.error is None


def test_a_job_whose_server_stopped_is_started_again(
    app: Flask, client: FlaskClient, data: Data
) -> None:
    start(client, data)
    app.config["PDF_WAIT_SECONDS"] = 0
    assert client.get(url(data, ".pdf?lang=en")).status_code == 202
    wait_for_jobs()
    with app.app_context():
        job = db.session.exec(select(PdfJob)).one()
        # as if the server laying it out had stopped an hour ago, and its PDF never stored
        job.status, job.pdf_sha256 = RUNNING, None
        job.started_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    app.config["PDF_WAIT_SECONDS"] = 60
    again = client.get(url(data, ".pdf?lang=en"))
    assert again.status_code == 200 and again.data.startswith(b"%PDF")
    [job] = jobs(app)
    assert job.status == DONE


def test_no_job_for_someone_who_may_not_read_the_report(
    app: Flask, client: FlaskClient, data: Data
) -> None:
    start(client, data)
    login(client, "ngo")
    assert client.get(url(data, ".pdf?lang=en")).status_code == 404
    assert jobs(app) == []


REPORTS = Path(__file__).resolve().parents[2] / "reports"
#: A document with the bundled font: the test machine has no system fonts at all.
SMALL = (
    '<html><head><style>@font-face { font-family: "S"; src: url(fonts/DejaVuSans.ttf) }'
    ' body { font-family: "S" }</style></head><body><p>Группа экспертов</p></body></html>'
)


def test_render_isolated_limits() -> None:
    assert render_isolated(SMALL, REPORTS).startswith(b"%PDF")
    with pytest.raises(PdfRenderError, match="longer than"):
        render_isolated(SMALL, REPORTS, timeout=0.01)
    with pytest.raises(PdfRenderError, match="memory"):
        render_isolated(SMALL, REPORTS, max_memory_bytes=40 * 1024 * 1024)


def test_the_worker_never_touches_the_system_font_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker out of memory while scanning fonts once wrote an empty system font cache
    (as root), after which Chromium and WeasyPrint found no font on the machine: the
    worker gets a fontconfig file of its own, with the bundled fonts and its own cache."""
    import subprocess

    seen: dict[str, str] = {}
    real_run = subprocess.run

    def run(*args: object, **kwargs: object) -> object:
        seen.update(kwargs["env"])  # type: ignore[arg-type]
        return real_run(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("monitor.core.pdf.subprocess.run", run)
    assert render_isolated(SMALL, REPORTS).startswith(b"%PDF")
    conf = Path(seen["FONTCONFIG_FILE"]).read_text(encoding="utf-8")
    assert f"<dir>{REPORTS / 'fonts'}</dir>" in conf
    cachedir = conf.split("<cachedir>")[1].split("</cachedir>")[0]
    assert cachedir.startswith(tempfile.gettempdir()) and "/var/cache" not in conf


def test_the_generation_time_alone_is_no_new_pdf(
    app: Flask, client: FlaskClient, data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cover says when the PDF was generated; an hour later the same report is still
    the same PDF (it is not laid out again), while a change of text makes a new one."""
    start(client, data)
    now = utcnow()
    # the report's HTML is built at two times 89 minutes apart (freezegun would also
    # stop the clock the child process's timeout runs on)
    monkeypatch.setattr("monitor.reports.pdf.utcnow", lambda: now + timedelta(minutes=1))
    first = client.get(url(data, ".pdf?lang=en"))
    monkeypatch.setattr("monitor.reports.pdf.utcnow", lambda: now + timedelta(minutes=90))
    again = client.get(url(data, ".pdf?lang=en"))
    assert first.status_code == again.status_code == 200 and again.data == first.data
    assert len(jobs(app)) == 1
