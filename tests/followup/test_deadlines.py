"""Milestones of an evaluation and the deadlines dashboard (issue 5, point 7)."""

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time

from monitor.accounts.models import User
from monitor.deadlines import PANEL, PARTY, milestones, next_milestone
from monitor.extensions import db
from monitor.reports import recommendations as recs
from monitor.rounds.models import Audience, Evaluation
from tests.reports.conftest import Data, login
from tests.reports.followup_data import published_report


def _setup(app: Flask, data: Data) -> None:
    with app.app_context():
        s = db.session
        am = s.get(Evaluation, data.am_evaluation)
        ua = s.get(Evaluation, data.ua_evaluation)
        sec = s.get(User, data.users["secretariat"])
        assert am is not None and ua is not None and sec is not None
        am.reply_due = date(2026, 1, 31)
        ua.reply_due = date(2027, 12, 1)
        s.add_all([am, ua])
        report = published_report(s, data.am_evaluation, data.users["panel"])
        rec = recs.draft_recommendation(s, report, sec)
        recs.adopt_recommendation(s, rec, sec, date(2026, 10, 15))
        s.commit()


def test_milestones_of_a_published_report_with_recommendation(app: Flask, data: Data) -> None:
    _setup(app, data)
    with app.app_context():
        s = db.session
        am = s.get(Evaluation, data.am_evaluation)
        assert am is not None
        got = milestones(s, am, today=date(2027, 11, 1))
        assert [(m.key, m.due, m.done, m.overdue) for m in got] == [
            # never submitted, but no longer awaited once the draft went to the Party
            ("reply", date(2026, 1, 31), date(2026, 3, 1), False),
            # no Party comment: done when the report was adopted
            ("report_comments", date(2026, 5, 1), date(2026, 6, 2), False),
            # 1 month after adoption; done at publication
            ("final_comments", date(2026, 7, 2), date(2026, 7, 3), False),
            # the secretariat's step, same day
            ("publication", date(2026, 7, 2), date(2026, 7, 3), False),
            ("implementation_report", date(2027, 10, 15), None, True),
        ]
        assert [m.side for m in got] == [PARTY, PARTY, PARTY, PANEL, PARTY]
        assert [u.email for u in got[0].responsible] == ["contact.am@example.org"]
        assert [u.email for u in got[3].responsible] == ["sec@example.org"]
        assert str(got[0].name) == "Reply to the questionnaire"
        nxt = next_milestone(got)
        assert nxt is not None and nxt.key == "implementation_report"
        ua = s.get(Evaluation, data.ua_evaluation)
        assert ua is not None
        [reply] = milestones(s, ua, today=date(2027, 12, 1))
        assert (reply.key, reply.done, reply.overdue) == ("reply", None, False)  # due today
        [reply] = milestones(s, ua, today=date(2027, 12, 2))
        assert reply.overdue


@freeze_time("2027-11-01 08:00:00")
def test_dashboard_lists_next_and_overdue_sortable(
    app: Flask, client: FlaskClient, data: Data
) -> None:
    _setup(app, data)
    url = "/deadlines"
    for who in ("contact_am", "contributor_am", "ngo"):
        login(client, who)
        assert client.get(url).status_code == 403
    client.post("/logout")
    assert client.get(url).status_code == 302  # to sign in
    login(client, "secretariat")
    body = client.get(url).get_data(as_text=True)
    assert "Reply to the questionnaire" in body and "Implementation report" in body
    assert "1 overdue step." in body
    assert body.index("Armenia") < body.index("Ukraine")  # AM's implementation report first
    desc = client.get(f"{url}?sort=due&desc=1").get_data(as_text=True)
    assert desc.index("Ukraine") < desc.index("Armenia")
    by_party = client.get(f"{url}?sort=party&desc=1").get_data(as_text=True)
    assert by_party.index("Ukraine") < by_party.index("Armenia")
    assert f"/evaluations/{data.am_evaluation}/recommendation" in body
    assert client.get(f"{url}?sort=nonsense").status_code == 200


def test_requests_for_information_are_milestones(app: Flask, data: Data) -> None:
    """Runs once the requests for information (issue 4) are merged; skipped before."""
    from datetime import UTC, datetime

    from monitor.submissions import models as submissions

    request_model = getattr(submissions, "InformationRequest", None)
    if request_model is None:
        pytest.skip("no InformationRequest model on this branch yet")
    with app.app_context():
        s = db.session
        open_ = request_model(
            evaluation_id=data.am_evaluation, audience=Audience.PARTY, deadline=date(2026, 9, 1)
        )
        answered = request_model(
            evaluation_id=data.am_evaluation,
            audience=Audience.PARTY,
            deadline=date(2026, 10, 1),
            answered_at=datetime(2026, 9, 20, tzinfo=UTC),
        )
        s.add_all([open_, answered])
        s.commit()
        am = s.get(Evaluation, data.am_evaluation)
        assert am is not None
        got = [(m.key, m.done, m.overdue) for m in milestones(s, am, today=date(2026, 9, 2))]
        assert got == [
            (f"request:{open_.id}", None, True),
            (f"request:{answered.id}", date(2026, 9, 20), False),
        ]
