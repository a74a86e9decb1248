"""The recommendation page as each role: who sees it, who drafts, edits, adopts,
answers, submits and grades (issue 5, point 6)."""

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.reports.recommendation_models import (
    FollowUpGrade,
    ImplementationAnswer,
    Recommendation,
    RecommendationItem,
    RecommendationStatus,
)

from .conftest import Data, login
from .followup_data import published_report


def _publish(app: Flask, data: Data) -> None:
    with app.app_context():
        published_report(db.session, data.am_evaluation, data.users["panel"])
        db.session.commit()


def _items(app: Flask) -> list[int]:
    with app.app_context():
        return [
            i.id  # type: ignore[misc]
            for i in db.session.exec(
                select(RecommendationItem).order_by(RecommendationItem.position)  # type: ignore[arg-type]
            )
        ]


def test_full_walk_through_the_pages(app: Flask, client: FlaskClient, data: Data) -> None:
    _publish(app, data)
    url = f"/evaluations/{data.am_evaluation}/recommendation"
    # the panel member may not draft; the secretariat may
    login(client, "panel")
    assert client.post(f"{url}/draft").status_code == 403
    login(client, "secretariat")
    page = client.get(url)
    assert page.status_code == 200 and "Draft the recommendation" in page.get_data(as_text=True)
    assert client.post(f"{url}/draft").status_code == 302
    first, *_ = _items(app)
    # the Party does not see a draft
    login(client, "contact_am")
    assert client.get(url).status_code == 404
    login(client, "secretariat")
    r = client.post(f"{url}/items/{first}/text", data={"text": "Set up a fund by 2028."})
    assert r.status_code == 302
    r = client.post(f"{url}/adopt", data={"adopted_on": "2026-10-15"})
    assert r.status_code == 302
    with app.app_context():
        rec = db.session.exec(select(Recommendation)).one()
        assert rec.status == RecommendationStatus.ADOPTED
        assert rec.implementation_due == date(2027, 10, 15)
        assert db.session.get(RecommendationItem, first).text == "Set up a fund by 2028."  # type: ignore[union-attr]
    # the Party's contributor drafts, the contact person submits
    login(client, "contributor_am")
    body = client.get(url).get_data(as_text=True)
    assert "Set up a fund by 2028." in body and "Save the answer" in body
    assert "Submit the implementation report" not in body
    assert (
        client.post(f"{url}/items/{first}/answer", data={"text": "Law of 2027."}).status_code == 302
    )
    assert client.post(f"{url}/submit").status_code == 403
    assert (
        client.post(f"{url}/items/{first}/grade", data={"grade": "implemented"}).status_code == 403
    )
    login(client, "contact_am")
    assert client.post(f"{url}/submit").status_code == 302
    with app.app_context():
        assert db.session.exec(select(ImplementationAnswer)).one().text == "Law of 2027."
        rec = db.session.exec(select(Recommendation)).one()
        assert rec.implementation_submitted_at is not None
    # another Party, an NGO and the public see nothing
    for who in ("contact_ua", "ngo"):
        login(client, who)
        assert client.get(url).status_code == 404
    client.post("/logout")
    assert client.get(url).status_code in (302, 401)
    # the panel grades twice: history
    login(client, "panel")
    client.post(
        f"{url}/items/{first}/grade", data={"grade": "partly_implemented", "comment": "unfunded"}
    )
    client.post(f"{url}/items/{first}/grade", data={"grade": "implemented", "comment": "funded"})
    body = client.get(url).get_data(as_text=True)
    assert "unfunded" in body and "funded" in body
    with app.app_context():
        assert len(db.session.exec(select(FollowUpGrade)).all()) == 2
        actions = {e.action for e in db.session.exec(select(AuditEvent))}
    assert {
        "recommendation.drafted",
        "recommendation.item_changed",
        "recommendation.adopted",
        "recommendation.answer_saved",
        "recommendation.implementation_submitted",
        "recommendation.graded",
    } <= actions


def test_unpublished_report_has_no_recommendation(
    app: Flask, client: FlaskClient, data: Data
) -> None:
    login(client, "secretariat")
    url = f"/evaluations/{data.ua_evaluation}/recommendation"
    assert client.get(url).status_code == 404  # no report at all
