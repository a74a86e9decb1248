"""Committee of the Parties (issue 5, point 6): the recommendation drafted from a
published report, its adoption and deadline, the Party's answers, the panel's grades
with history, and the open proposals as the next round's Part II."""

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlmodel import Session, select

from monitor.accounts.models import User
from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.reports import recommendations as recs
from monitor.reports import services
from monitor.reports.models import ParagraphKind
from monitor.reports.recommendation_models import FollowUpGrade, Grade, RecommendationStatus
from monitor.reports.recommendations import RecommendationError
from monitor.rounds.models import Evaluation, EvaluationRound

from .conftest import Data
from .followup_data import published_report


@pytest.fixture
def session(app: Flask, data: Data) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def _u(s: Session, data: Data, who: str) -> User:
    user = s.get(User, data.users[who])
    assert user is not None
    return user


def test_draft_orders_urges_first_then_instrument_order_and_links_paragraphs(
    session: Session, data: Data
) -> None:
    s = session
    report = published_report(s, data.am_evaluation, data.users["panel"])
    rec = recs.draft_recommendation(s, report, _u(s, data, "secretariat"))
    got = recs.items(s, rec)
    numbers = services.paragraph_numbers(s, report)
    assert [(i.verb, numbers[i.paragraph_id]) for i in got] == [
        ("urges", 3),
        ("urges", 5),
        ("considers", 2),
        ("invites", 4),
    ]
    assert got[1].articles == [15, 26]
    assert got[0].text.startswith("GRETA urges the authorities to set up")
    assert rec.status == RecommendationStatus.DRAFT
    with pytest.raises(RecommendationError):
        recs.draft_recommendation(s, report, _u(s, data, "secretariat"))


def test_draft_refused_before_publication(session: Session, data: Data) -> None:
    s = session
    ev = s.get(Evaluation, data.ua_evaluation)
    assert ev is not None
    panel = _u(s, data, "panel")
    report = services.start_report(s, ev, panel, "Draft", ["One"])
    [chapter] = services.chapters(s, report)
    services.add_paragraph(
        s, report, chapter, panel, "GRETA urges X.", ParagraphKind.PROPOSAL, "urges", [15]
    )
    with pytest.raises(RecommendationError):
        recs.draft_recommendation(s, report, panel)


def test_edit_adopt_default_deadline_and_audit(session: Session, data: Data) -> None:
    s = session
    sec = _u(s, data, "secretariat")
    report = published_report(s, data.am_evaluation, data.users["panel"])
    rec = recs.draft_recommendation(s, report, sec)
    first = recs.items(s, rec)[0]
    recs.update_item(s, rec, first, sec, "  Set up a State compensation fund by 2028.  ")
    assert first.text == "Set up a State compensation fund by 2028."
    with freeze_time("2026-10-20 10:00:00"):
        with pytest.raises(RecommendationError):  # in the future
            recs.adopt_recommendation(s, rec, sec, date(2026, 10, 21))
        recs.adopt_recommendation(s, rec, sec, date(2026, 10, 15))
    assert rec.status == RecommendationStatus.ADOPTED
    assert rec.adopted_on == date(2026, 10, 15)
    assert rec.implementation_due == date(2027, 10, 15)  # default: 12 months
    assert rec.adopted_by_id == sec.id and rec.adopted_at is not None
    with pytest.raises(RecommendationError):
        recs.update_item(s, rec, first, sec, "too late")
    event = s.exec(select(AuditEvent).where(AuditEvent.action == "recommendation.adopted")).one()
    assert event.actor_id == sec.id
    assert event.detail == {"adopted_on": "2026-10-15", "implementation_due": "2027-10-15"}


def test_round_deadline_and_explicit_due_date(session: Session, data: Data) -> None:
    s = session
    sec = _u(s, data, "secretariat")
    ev = s.get(Evaluation, data.am_evaluation)
    assert ev is not None
    rnd = s.get(EvaluationRound, ev.round_id)
    assert rnd is not None
    rnd.definition = {"deadlines": {"implementation_report_months": 18}}
    s.add(rnd)
    report = published_report(s, data.am_evaluation, data.users["panel"])
    rec = recs.draft_recommendation(s, report, sec)
    recs.adopt_recommendation(s, rec, sec, date(2026, 1, 31))
    assert rec.implementation_due == date(2027, 7, 31)
    report2 = published_report(s, data.ua_evaluation, data.users["panel"])
    rec2 = recs.draft_recommendation(s, report2, sec)
    with pytest.raises(RecommendationError):
        recs.adopt_recommendation(s, rec2, sec, date(2026, 1, 31), date(2026, 1, 31))
    recs.adopt_recommendation(s, rec2, sec, date(2026, 1, 31), date(2026, 9, 30))
    assert rec2.implementation_due == date(2026, 9, 30)


def test_party_answers_submits_and_panel_grades_with_history(session: Session, data: Data) -> None:
    s = session
    sec, panel = _u(s, data, "secretariat"), _u(s, data, "panel")
    contrib, contact = _u(s, data, "contributor_am"), _u(s, data, "contact_am")
    report = published_report(s, data.am_evaluation, data.users["panel"])
    rec = recs.draft_recommendation(s, report, sec)
    first, second, *_rest = recs.items(s, rec)
    with pytest.raises(RecommendationError):  # not adopted yet
        recs.save_answer(s, rec, first, contrib, "Draft")
    with pytest.raises(RecommendationError):
        recs.grade_item(s, rec, first, panel, Grade.IMPLEMENTED)
    recs.adopt_recommendation(s, rec, sec, date(2026, 10, 15))
    with pytest.raises(RecommendationError):  # nothing answered
        recs.submit_implementation_report(s, rec, contact)
    recs.save_answer(s, rec, first, contrib, "A fund was created by law of 2027.")
    recs.save_answer(s, rec, first, contact, "A fund was created by the law of 3 May 2027.")
    recs.submit_implementation_report(s, rec, contact)
    assert rec.implementation_submitted_by_id == contact.id
    with pytest.raises(RecommendationError):
        recs.save_answer(s, rec, second, contact, "late")
    assert recs.answers(s, rec)[first.id].text == "A fund was created by the law of 3 May 2027."
    with freeze_time("2027-11-01 10:00:00"):
        recs.grade_item(s, rec, first, panel, Grade.PARTLY_IMPLEMENTED, "fund not financed")
    with freeze_time("2028-02-01 10:00:00"):
        recs.grade_item(s, rec, first, sec, Grade.IMPLEMENTED, "financed in 2028")
    history = recs.grade_history(s, [first.id])[first.id]  # type: ignore[list-item]
    assert [(g.grade, g.graded_by_id, g.comment) for g in history] == [
        (Grade.PARTLY_IMPLEMENTED, panel.id, "fund not financed"),
        (Grade.IMPLEMENTED, sec.id, "financed in 2028"),
    ]
    assert recs.current_grades_by_paragraph(s, [first.paragraph_id]) == {
        first.paragraph_id: Grade.IMPLEMENTED
    }
    assert len(s.exec(select(FollowUpGrade)).all()) == 2


def test_open_proposals_leave_out_implemented(session: Session, data: Data) -> None:
    s = session
    sec = _u(s, data, "secretariat")
    report = published_report(s, data.am_evaluation, data.users["panel"])
    assert len(recs.open_proposals(s, report)) == 4  # no recommendation yet: all open
    rec = recs.draft_recommendation(s, report, sec)
    recs.adopt_recommendation(s, rec, sec, date(2026, 10, 15))
    first, second, *_ = recs.items(s, rec)
    recs.grade_item(s, rec, first, sec, Grade.IMPLEMENTED)
    recs.grade_item(s, rec, second, sec, Grade.NOT_IMPLEMENTED)
    found = recs.open_proposals(s, report)
    assert [(o.number, o.grade) for o in found] == [
        (5, Grade.NOT_IMPLEMENTED),
        (2, None),
        (4, None),
    ]
