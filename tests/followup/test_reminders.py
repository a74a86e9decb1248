"""``monitor reminders send`` (issue 5, point 7): before and after each deadline, in the
recipient's language, each (evaluation, milestone, offset) at most once ever, even with
two servers sending at the same time."""

import threading
import time
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from freezegun import freeze_time
from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

import monitor.reminders as reminders
from monitor.accounts.models import User
from monitor.cli import main
from monitor.extensions import db
from monitor.reminder_models import SentReminder
from monitor.reminders import due_reminders, parse_offsets, send_reminder
from monitor.reports import services
from monitor.rounds.models import Audience, Evaluation
from monitor.submissions.models import Reply, ReplyStatus
from tests.conftest import Outbox
from tests.reports.conftest import Data

DUE = date(2027, 1, 20)


@pytest.fixture
def mail(app: Flask, smtp_server: Outbox) -> Outbox:
    app.config.update(MAIL_HOST=smtp_server.host, MAIL_PORT=smtp_server.port)
    return smtp_server


def _reply_due(app: Flask, data: Data, locale: str | None = "fr") -> None:
    with app.app_context():
        s = db.session
        ev = s.get(Evaluation, data.am_evaluation)
        contact = s.get(User, data.users["contact_am"])
        assert ev is not None and contact is not None
        ev.reply_due = DUE
        contact.locale = locale
        s.add_all([ev, contact])
        s.commit()


def _run(runner: FlaskCliRunner, when: str, *args: str) -> str:
    with freeze_time(when):
        result = runner.invoke(main, ["reminders", "send", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _ledger(app: Flask) -> list[tuple[str, int]]:
    with app.app_context():
        return [
            (r.milestone, r.offset_days)
            for r in db.session.exec(select(SentReminder).order_by(SentReminder.id))  # type: ignore[arg-type]
        ]


def test_before_and_after_each_once_in_the_recipients_language(
    app: Flask, data: Data, runner: FlaskCliRunner, mail: Outbox
) -> None:
    _reply_due(app, data)
    assert "0 reminders sent" in _run(runner, "2027-01-05 06:00")  # 15 days before
    _run(runner, "2027-01-06 06:00")  # 14 days before
    assert len(mail.messages) == 1
    msg = mail.messages[0]
    assert mail.envelopes[0][1] == ["contact.am@example.org"]
    assert msg["Content-Language"] == "fr"
    assert "Rappel" in msg["Subject"] and "Armenia" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    assert "20 janvier 2027" in text and "14 jours" in text
    _run(runner, "2027-01-06 18:00")  # again the same day: nothing
    _run(runner, "2027-01-10 06:00")  # -14 already sent, -3 not reached
    assert len(mail.messages) == 1
    _run(runner, "2027-01-17 06:00")  # 3 days before
    _run(runner, "2027-01-21 06:00")  # 1 day after
    assert len(mail.messages) == 3
    # cron did not run for weeks: one message for the latest offset reached, not three
    _run(runner, "2027-03-01 06:00")
    assert len(mail.messages) == 4
    assert _ledger(app) == [("reply", -14), ("reply", -3), ("reply", 1), ("reply", 30)]
    _run(runner, "2027-06-01 06:00")
    assert len(mail.messages) == 4  # every offset used up


def test_done_milestones_are_not_reminded_and_english_by_default(
    app: Flask, data: Data, runner: FlaskCliRunner, mail: Outbox
) -> None:
    _reply_due(app, data, locale=None)
    _run(runner, "2027-01-17 06:00")
    assert "Reminder: Reply to the questionnaire" in mail.messages[0]["Subject"]
    assert "in 3 days" in mail.messages[0].get_body(("plain",)).get_content()
    with app.app_context():
        s = db.session
        ev = s.get(Evaluation, data.am_evaluation)
        assert ev is not None
        s.add(
            Reply(
                evaluation_id=ev.id,  # type: ignore[arg-type]
                audience=Audience.PARTY,
                questionnaire_version_id=ev.questionnaire_version_id,
                status=ReplyStatus.SUBMITTED,
                submitted_at=datetime(2027, 1, 19, tzinfo=UTC),
            )
        )
        s.commit()
    _run(runner, "2027-01-21 06:00")
    assert len(mail.messages) == 1


def test_dry_run_and_custom_offsets(
    app: Flask, data: Data, runner: FlaskCliRunner, mail: Outbox
) -> None:
    _reply_due(app, data)
    out = _run(runner, "2027-01-19 06:00", "--dry-run", "--offsets", "-2,5")
    assert "AM 3 reply -2 -> contact.am@example.org" in out and "1 reminder would be sent" in out
    assert mail.messages == [] and _ledger(app) == []
    _run(runner, "2027-01-19 06:00", "--offsets", "-2,5")
    assert _ledger(app) == [("reply", -2)]
    with freeze_time("2027-01-19"):
        bad = runner.invoke(main, ["reminders", "send", "--offsets", "two"])
    assert bad.exit_code == 2
    assert parse_offsets("7, -14,7,1") == (-14, 1, 7)
    assert parse_offsets(None) == (-14, -3, 1, 7, 30)


def test_two_servers_at_once_send_once(
    app: Flask, data: Data, mail: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Server A claims the reminder and, while its mail is going out (its transaction
    open), server B tries the same reminder through another connection: B sends nothing
    (SQLite: locked; PostgreSQL: waits, then the unique constraint). After A commits, B
    still sends nothing."""
    _reply_due(app, data)
    today = date(2027, 1, 6)
    url = app.config["SQLALCHEMY_ENGINES"]["default"]
    args = {"connect_args": {"timeout": 0.3}} if url.startswith("sqlite") else {}
    engine_a, engine_b = create_engine(url, **args), create_engine(url, **args)
    real_send = reminders.send
    b_results: list[bool] = []
    a_sending = threading.Event()

    def server_b() -> None:
        a_sending.wait(5)
        with app.app_context(), Session(engine_b) as s_b:
            [r] = due_reminders(s_b, today)  # A's claim is not committed: still due
            b_results.append(send_reminder(s_b, r, today))

    def slow_send(msg):  # type: ignore[no-untyped-def]
        a_sending.set()
        time.sleep(0.8)  # B tries meanwhile
        return real_send(msg)

    monkeypatch.setattr(reminders, "send", slow_send)
    b = threading.Thread(target=server_b)
    b.start()
    with app.app_context(), Session(engine_a) as s_a:
        [r] = due_reminders(s_a, today)
        assert send_reminder(s_a, r, today) is True
    b.join(10)
    assert b_results == [False]
    # once A has committed, B's next run finds nothing due, and the ledger refuses a copy
    with app.app_context(), Session(engine_b) as s_b:
        assert due_reminders(s_b, today) == []
        assert s_b.exec(select(SentReminder)).one().offset_days == -14
        s_b.add(SentReminder(evaluation_id=data.am_evaluation, milestone="reply", offset_days=-14))
        with pytest.raises(IntegrityError):
            s_b.flush()
    assert len(mail.messages) == 1
    engine_a.dispose()
    engine_b.dispose()


def test_panel_side_step_reminds_the_secretariat(
    app: Flask, data: Data, runner: FlaskCliRunner, mail: Outbox
) -> None:
    """An adopted report: the Party is reminded of its final comments, the secretariat
    of the publication, each in their own language."""
    with app.app_context():
        s = db.session
        ev = s.get(Evaluation, data.am_evaluation)
        panel = s.get(User, data.users["panel"])
        sec = s.get(User, data.users["secretariat"])
        assert ev is not None and panel is not None and sec is not None
        sec.locale = "ru"
        s.add(sec)
        with freeze_time("2026-11-02 09:00"):
            report = services.start_report(s, ev, panel, "Report", ["One"])
            [chapter] = services.chapters(s, report)
            services.add_paragraph(s, report, chapter, panel, "Text.")
            services.send_to_party(s, report, panel, today=date(2026, 11, 2))
        with freeze_time("2027-01-05 09:00"):
            services.adopt(s, report, panel, today=date(2027, 1, 5))
        s.commit()
    _run(runner, "2027-02-02 06:00")  # final comments and publication due 5 February
    got = {env[1][0]: msg for env, msg in zip(mail.envelopes, mail.messages, strict=True)}
    assert set(got) == {"contact.am@example.org", "sec@example.org"}
    assert "Публикация доклада" in got["sec@example.org"]["Subject"]
    assert "через 3 дня" in got["sec@example.org"].get_body(("plain",)).get_content()
    assert "Final comments on the report" in got["contact.am@example.org"]["Subject"]
    assert _ledger(app) == [("final_comments", -3), ("publication", -3)]
