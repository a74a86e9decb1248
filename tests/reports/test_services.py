"""Report services: numbering, paragraph rules and every transition of the cycle
(procedure steps 6-12 in shared/domain.md), legal and illegal."""

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlmodel import Session, select

from monitor.accounts.models import User
from monitor.extensions import db
from monitor.reports import services
from monitor.reports.models import ParagraphKind, Report
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


def test_services_never_commit(app: Flask, data: Data) -> None:
    """A service's changes vanish with a rollback: the caller owns the transaction."""
    with app.app_context():
        _report(db.session, data)
        db.session.rollback()
        assert db.session.exec(select(Report)).first() is None
