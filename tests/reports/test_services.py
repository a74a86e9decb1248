"""Report services: numbering, paragraph rules and every transition of the cycle
(procedure steps 6-12 in shared/domain.md), legal and illegal."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlmodel import Session, select

from monitor.accounts.models import User
from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.reports import services
from monitor.reports.models import ParagraphKind, Report, ReportStatus
from monitor.reports.services import ReportError
from monitor.rounds.models import Evaluation

from .conftest import Data


@pytest.fixture
def session(app: Flask, data: Data) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def _user(s: Session, data: Data, who: str) -> User:
    user = s.get(User, data.users[who])
    assert user is not None
    return user


def _report(s: Session, data: Data) -> Report:
    ev = s.get(Evaluation, data.am_evaluation)
    assert ev is not None
    return services.start_report(
        s, ev, _user(s, data, "panel"), "Report on Armenia", ["Introduction", "Compensation"]
    )


def _numbers(s: Session, report: Report) -> list[tuple[str, int, str]]:
    return [(c.title, n, p.text) for c, ps in services.structure(s, report) for n, p in ps]


def test_numbering_is_continuous_across_chapters_and_renumbers_after_insert(
    session: Session, data: Data
) -> None:
    s, panel = session, _user(session, data, "panel")
    report = _report(s, data)
    intro, comp = services.chapters(s, report)
    services.add_paragraph(s, report, intro, panel, "Intro A")
    b = services.add_paragraph(s, report, intro, panel, "Intro B")
    services.add_paragraph(
        s, report, comp, panel, "GRETA urges...", ParagraphKind.PROPOSAL, "urges", [15]
    )
    assert _numbers(s, report) == [
        ("Introduction", 1, "Intro A"),
        ("Introduction", 2, "Intro B"),
        ("Compensation", 3, "GRETA urges..."),
    ]
    first = services.structure(s, report)[0][1][0][1]
    services.add_paragraph(s, report, intro, panel, "Inserted", after=first)
    assert [(n, t) for _c, n, t in _numbers(s, report)] == [
        (1, "Intro A"),
        (2, "Inserted"),
        (3, "Intro B"),
        (4, "GRETA urges..."),
    ]
    assert services.paragraph_numbers(s, report)[b.id] == 3  # type: ignore[index]
    assert [n for n, _p in services.proposals(s, report)] == [4]


@pytest.mark.parametrize(
    ("kind", "verb", "articles", "text", "message"),
    [
        (ParagraphKind.PROPOSAL, None, [15], "x", "needs a verb"),
        (ParagraphKind.PROPOSAL, "demands", [15], "x", "needs a verb"),
        (ParagraphKind.PROPOSAL, "urges", [15, 99], "x", "no article 99"),
        (ParagraphKind.NARRATIVE, None, [], "   ", "needs text"),
    ],
)
def test_invalid_paragraphs_are_refused(
    session: Session,
    data: Data,
    kind: ParagraphKind,
    verb: str | None,
    articles: list[int],
    text: str,
    message: str,
) -> None:
    report = _report(session, data)
    intro = services.chapters(session, report)[0]
    with pytest.raises(ReportError, match=message):
        services.add_paragraph(
            session, report, intro, _user(session, data, "panel"), text, kind, verb, articles
        )


def test_start_report_twice_is_refused(session: Session, data: Data) -> None:
    _report(session, data)
    with pytest.raises(ReportError):
        _report(session, data)


def test_send_requires_a_paragraph_and_sets_comments_due_two_months_later(
    session: Session, data: Data
) -> None:
    s, panel = session, _user(session, data, "panel")
    report = _report(s, data)
    with pytest.raises(ReportError, match="no paragraphs"):
        services.send_to_party(s, report, panel)
    assert report.status == ReportStatus.DRAFTING
    services.add_paragraph(s, report, services.chapters(s, report)[0], panel, "Text")
    with freeze_time("2023-12-31 10:00:00"):
        services.send_to_party(s, report, panel)
    assert report.status == ReportStatus.SENT_TO_PARTY
    assert report.sent_at == datetime(2023, 12, 31, 10, 0, 0, tzinfo=UTC)
    assert report.comments_due == date(2024, 2, 29)  # 2 months, clamped to a leap February
    with pytest.raises(ReportError, match="being drafted"):
        services.send_to_party(s, report, panel)


def test_comments_due_follows_the_round_setting(session: Session, data: Data) -> None:
    s, panel = session, _user(session, data, "panel")
    report = _report(s, data)
    ev = s.get(Evaluation, data.am_evaluation)
    from monitor.rounds.models import EvaluationRound

    rnd = s.get(EvaluationRound, ev.round_id)  # type: ignore[union-attr]
    rnd.definition = {"deadlines": {"comments_months": 3}}  # type: ignore[union-attr]
    s.add(rnd)
    services.add_paragraph(s, report, services.chapters(s, report)[0], panel, "Text")
    with freeze_time("2024-05-15 08:00:00"):
        services.send_to_party(s, report, panel)
    assert report.comments_due == date(2024, 8, 15)


def test_the_whole_cycle_with_illegal_steps_refused(session: Session, data: Data) -> None:
    s = session
    panel, contact = _user(s, data, "panel"), _user(s, data, "contact_am")
    report = _report(s, data)
    intro = services.chapters(s, report)[0]
    para = services.add_paragraph(s, report, intro, panel, "Text")

    # drafting: no comments, no adoption, no publication
    with pytest.raises(ReportError, match="only while the draft is with the Party"):
        services.add_comment(s, report, contact, "Too early", para)
    with pytest.raises(ReportError, match="sent to the Party"):
        services.adopt(s, report, panel)
    with pytest.raises(ReportError, match="Only an adopted report"):
        services.publish(s, report, panel)

    services.send_to_party(s, report, panel)
    with pytest.raises(ReportError, match="Only an adopted report"):
        services.publish(s, report, panel)
    comment = services.add_comment(s, report, contact, "Paragraph 1 is outdated.", para)
    general = services.add_comment(s, report, contact, "General remark.")
    with pytest.raises(ReportError, match="needs text"):
        services.add_comment(s, report, contact, "  ")
    with pytest.raises(ReportError, match="cannot be deleted"):
        services.delete_paragraph(s, report, para, panel)
    with pytest.raises(ReportError, match="2 comments"):
        services.adopt(s, report, panel)
    assert report.status == ReportStatus.SENT_TO_PARTY

    services.mark_comment_dealt_with(s, report, comment, panel, "Taken into account.")
    with pytest.raises(ReportError, match="1 comment of the Party"):
        services.adopt(s, report, panel)
    services.mark_comment_dealt_with(s, report, general, panel)
    assert comment.dealt_with_by_id == panel.id and comment.panel_note == "Taken into account."
    assert general.panel_note is None
    # the panel may still edit while the draft is with the Party
    services.update_paragraph(
        s, report, para, panel, "Text, revised", ParagraphKind.NARRATIVE, None, [], []
    )

    services.adopt(s, report, panel)
    assert report.status == ReportStatus.ADOPTED and report.adopted_at is not None
    with pytest.raises(ReportError, match="sent to the Party"):
        services.adopt(s, report, panel)
    # the text is frozen
    with pytest.raises(ReportError, match="adopted"):
        services.add_paragraph(s, report, intro, panel, "Late")
    with pytest.raises(ReportError, match="adopted"):
        services.update_paragraph(
            s, report, para, panel, "Late", ParagraphKind.NARRATIVE, None, [], []
        )
    with pytest.raises(ReportError, match="adopted"):
        services.delete_paragraph(s, report, para, panel)
    with pytest.raises(ReportError, match="adopted"):
        services.add_chapter(s, report, panel, "Late chapter")
    with pytest.raises(ReportError):
        services.add_comment(s, report, contact, "Late comment", para)

    services.publish(s, report, panel)
    assert report.status == ReportStatus.PUBLISHED and report.published_at is not None
    with pytest.raises(ReportError):
        services.publish(s, report, panel)
    with pytest.raises(ReportError):
        services.send_to_party(s, report, panel)

    actions = [
        (e.action, e.actor_id)
        for e in s.exec(
            select(AuditEvent)
            .where(AuditEvent.evaluation_id == data.am_evaluation)
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        )
    ]
    assert actions == [
        ("report.created", panel.id),
        ("report.chapter_added", panel.id),
        ("report.chapter_added", panel.id),
        ("report.paragraph_added", panel.id),
        ("report.sent_to_party", panel.id),
        ("report.comment_added", contact.id),
        ("report.comment_added", contact.id),
        ("report.comment_dealt_with", panel.id),
        ("report.comment_dealt_with", panel.id),
        ("report.paragraph_changed", panel.id),
        ("report.adopted", panel.id),
        ("report.published", panel.id),
    ]
    timeline = services.timeline(s, report)
    assert [(e.action, u.name if u else None) for e, u in timeline][-1] == (
        "report.published",
        "Paula Panel",
    )


def test_services_never_commit(app: Flask, data: Data) -> None:
    """A service's changes vanish with a rollback: the caller owns the transaction."""
    with app.app_context():
        _report(db.session, data)
        db.session.rollback()
        assert db.session.exec(select(Report)).first() is None


def test_adoption_waits_for_the_partys_comments_or_the_deadline(app):
    """Procedure steps 8-10: without comments, adoption only after the comment period."""
    from datetime import date

    from monitor.reports import services as rs
    from tests.factories import make_world

    with app.app_context():
        w = make_world(db.session)
        panel = w.users["panel"]
        report = rs.create_report(db.session, w.am, panel, "Report on Armenia")
        chapter = rs.add_chapter(db.session, report, panel, "Introduction")
        rs.add_paragraph(db.session, report, chapter, panel, "GRETA visited Armenia.")
        rs.send_to_party(db.session, report, panel, today=date(2024, 3, 1))
        assert report.comments_due == date(2024, 5, 1)
        with pytest.raises(rs.ReportError, match="2024-05-01"):
            rs.adopt(db.session, report, panel, today=date(2024, 5, 1))
        rs.adopt(db.session, report, panel, today=date(2024, 5, 2))
        assert report.status == "adopted"
