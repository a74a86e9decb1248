"""``monitor submissions cleanup``: old pending saves and kept forms, and stored files
nothing refers to (issue 4: nothing kept for ever that nobody will come back for)."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from monitor.cli import main
from monitor.core.models import PdfJob
from monitor.core.storage import current_storage
from monitor.extensions import db
from monitor.submissions import services
from monitor.submissions.models import Attachment, PendingSave, Receipt, StashedPost
from tests.factories import detach_world, make_world

DAY = 24 * 3600


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        return detach_world(db.session, w)


def _reply_id(app, world) -> int:
    with app.app_context():
        from monitor.rounds.models import Evaluation

        ev = db.session.get(Evaluation, world.am.id)
        reply = services.get_or_create_reply(db.session, ev, "party")
        db.session.commit()
        return reply.id  # type: ignore[return-value]


def _rows(app, world, when: str) -> None:
    rid = _reply_id(app, world)
    with app.app_context(), freeze_time(when):
        user = world.users["contact_am"]
        db.session.add(
            PendingSave(
                reply_id=rid, section_id=f"s-{when}", user_id=user.id, values={"q": 1}, base={}
            )
        )
        db.session.add(StashedPost(token=f"t-{when}", path="/x", form=[["q", "1"]]))
        db.session.commit()


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            len(db.session.exec(select(PendingSave)).all()),
            len(db.session.exec(select(StashedPost)).all()),
        )


def _age(path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_old_rows_are_deleted_recent_ones_kept(app, world):
    _rows(app, world, "2026-01-01 10:00:00")
    _rows(app, world, "2026-02-10 10:00:00")
    runner = app.test_cli_runner()
    with freeze_time("2026-02-15 10:00:00"):
        result = runner.invoke(main, ["submissions", "cleanup", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "would delete 1 pending conflicting saves" in result.output
        assert "would delete 1 kept forms" in result.output
        assert _counts(app) == (2, 2)
        result = runner.invoke(main, ["submissions", "cleanup"])
        assert result.exit_code == 0, result.output
        assert "deleted 1 pending conflicting saves" in result.output
        assert "deleted 1 kept forms" in result.output
    assert _counts(app) == (1, 1)
    with app.app_context():
        assert db.session.exec(select(StashedPost.token)).all() == ["t-2026-02-10 10:00:00"]


def test_max_age_from_the_option_and_the_configuration(app, world):
    _rows(app, world, "2026-02-10 10:00:00")
    runner = app.test_cli_runner()
    with freeze_time("2026-02-15 10:00:00"):
        app.config["CLEANUP_MAX_AGE"] = 6 * DAY
        assert "deleted 0 kept forms" in runner.invoke(main, ["submissions", "cleanup"]).output
        result = runner.invoke(main, ["submissions", "cleanup", "--max-age", str(4 * DAY)])
        assert "deleted 1 kept forms" in result.output
    assert _counts(app) == (0, 0)


def test_unreferenced_files_go_after_the_grace_period(app, world):
    rid = _reply_id(app, world)
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with app.app_context():
        storage = current_storage()
        attached = storage.put(b"law of 2010")
        receipt_pdf = storage.put(b"%PDF receipt")
        report_pdf = storage.put(b"%PDF report laid out by a PDF job")
        orphan = storage.put(b"uploaded, then the answer was changed")
        in_flight = storage.put(b"being uploaded now")
        db.session.add(
            Attachment(
                reply_id=rid, sha256=attached, size=11, content_type="text/plain", filename="l"
            )
        )
        db.session.add(
            Receipt(
                reply_id=rid, series="S", sequence=1, reference="S-0001", pdf_sha256=receipt_pdf
            )
        )
        db.session.add(PdfJob(key="k" * 64, status="done", pdf_sha256=report_pdf))
        db.session.commit()
        old = now - timedelta(days=3)
        for key in (attached, receipt_pdf, report_pdf, orphan):
            _age(storage.path(key), old)  # type: ignore[attr-defined]
        _age(storage.path(in_flight), now - timedelta(minutes=5))  # type: ignore[attr-defined]
        tmp = storage.root / "tmp"  # type: ignore[attr-defined]
        crashed, writing = tmp / "upload-crashed", tmp / "upload-writing"
        crashed.write_bytes(b"half")
        writing.write_bytes(b"half")
        _age(crashed, old)
        _age(writing, now)
    runner = app.test_cli_runner()
    with freeze_time(now):
        result = runner.invoke(main, ["submissions", "cleanup", "--dry-run"])
        assert "would delete 1 unreferenced files" in result.output
        assert "would delete 1 abandoned upload temporary files" in result.output
        with app.app_context():
            assert storage.exists(orphan) and crashed.exists()
        result = runner.invoke(main, ["submissions", "cleanup"])
        assert result.exit_code == 0, result.output
        assert "deleted 1 unreferenced files" in result.output
    with app.app_context():
        assert not storage.exists(orphan)
        assert storage.exists(attached) and storage.exists(receipt_pdf)
        assert storage.exists(report_pdf)
        assert storage.exists(in_flight)
        assert not crashed.exists() and writing.exists()


def test_storing_existing_content_again_renews_its_grace_period(app, tmp_path):
    """An orphan blob whose content is being uploaded again must not be removed while
    the new attachment row is not yet committed: put() dates it anew."""
    with app.app_context():
        storage = current_storage()
        key = storage.put(b"same bytes")
        path = storage.path(key)  # type: ignore[attr-defined]
        _age(path, datetime(2020, 1, 1, tzinfo=UTC))
        assert storage.put(b"same bytes") == key
        assert datetime.fromtimestamp(path.stat().st_mtime, UTC).year > 2020
        result = app.test_cli_runner().invoke(main, ["submissions", "cleanup"])
        assert "deleted 0 unreferenced files" in result.output
        assert storage.exists(key)
