"""Additional requests for information (issue 4, point 6): sent by the panel with a
deadline, answered by the respondents (draft, then submitted by the contact person), read
by the panel; overdue shown; e-mail to the Party's contact; NGO requests never shown to
the Party."""

from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlmodel import select

from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation
from monitor.submissions import requests as info
from monitor.submissions import services
from monitor.submissions.models import (
    InformationQuestion,
    InformationRequest,
    RequestStatus,
)
from tests.factories import detach_world, login, make_world
from tests.submissions.test_services import COMPLETE

TODAY = "2026-03-01 09:00:00"


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        return detach_world(db.session, w)


def _user(s, world, key):
    return s.get(type(world.users[key]), world.users[key].id)


def _submit_replies(app, world) -> tuple[int, int]:
    """The Armenian reply and the NGO's submission on Armenia, both submitted."""
    with app.app_context():
        s = db.session
        ev = s.get(Evaluation, world.am.id)
        party = services.get_or_create_reply(s, ev, Audience.PARTY)
        services.save_answers(s, party, _user(s, world, "contact_am"), COMPLETE, "en")
        services.submit_reply(s, party, _user(s, world, "contact_am"))
        ngo = services.get_or_create_reply(s, ev, Audience.NGO, world.ngo_org)
        services.save_answers(s, ngo, _user(s, world, "ngo"), {"ngo_info_practice": "Leaf"}, "en")
        services.submit_reply(s, ngo, _user(s, world, "ngo"))
        s.commit()
        return party.id, ngo.id


def _clear_mail(app) -> None:
    for p in Path(app.config["MAIL_DIR"]).glob("*.eml"):
        p.unlink()


def _mails(app) -> list:
    return [
        BytesParser(policy=policy.default).parsebytes(p.read_bytes())
        for p in sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    ]


def _send(client, world, to="party", deadline="2026-03-20", questions=None) -> int:
    questions = questions or ["How many shelters?", "Who funds them?"]
    data = {"to": to, "deadline": deadline}
    for n, q in enumerate(questions):
        data[f"questions-{n}"] = q
    resp = client.post(f"/evaluations/{world.am.id}/requests/new", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


# --- services ------------------------------------------------------------------------------


@freeze_time(TODAY)
def test_request_lifecycle_and_audit(app, world):
    with app.app_context():
        s = db.session
        ev = s.get(Evaluation, world.am.id)
        panel, contact = _user(s, world, "panel"), _user(s, world, "contact_am")
        with pytest.raises(info.RequestError):
            info.send_request(s, ev, panel, date(2026, 3, 20), ["  ", ""])
        with pytest.raises(info.RequestError):
            info.send_request(s, ev, panel, date(2026, 2, 28), ["Why?"])
        req = info.send_request(s, ev, panel, date(2026, 3, 20), ["One?", " ", "Two?"])
        s.commit()
        q1, q2 = info.questions_of(s, req)
        assert (q1.number, q1.text, q2.number, q2.text) == (1, "One?", 2, "Two?")
        assert req.audience == Audience.PARTY and req.is_open
        assert info.save_answers(s, req, contact, {q1.id: "Three shelters."}, "fr") == 1
        with pytest.raises(info.RequestError):  # question 2 unanswered
            info.submit_answers(s, req, contact)
        info.save_answers(s, req, contact, {q2.id: "The State budget."}, "en")
        info.submit_answers(s, req, contact)
        s.commit()
        assert req.status == RequestStatus.ANSWERED and req.answered_by_id == contact.id
        assert q1.language == "fr" and q1.updated_by_id == contact.id
        with pytest.raises(info.RequestError):  # read-only now
            info.save_answers(s, req, contact, {q1.id: "changed"}, "en")
        with pytest.raises(info.RequestError):
            info.submit_answers(s, req, contact)
        actions = s.exec(
            select(AuditEvent.action).where(AuditEvent.object_type == "InformationRequest")
        ).all()
        assert actions == [
            "information_request.sent",
            "information_request.draft_saved",
            "information_request.draft_saved",
            "information_request.answered",
        ]


def test_overdue_from_the_day_after_the_deadline(app, world):
    with app.app_context():
        s = db.session
        with freeze_time(TODAY):
            req = info.send_request(
                s,
                s.get(Evaluation, world.am.id),
                _user(s, world, "panel"),
                date(2026, 3, 20),
                ["Q"],
            )
        with freeze_time("2026-03-20 23:59:00"):
            assert not info.is_overdue(req)
        with freeze_time("2026-03-21 00:00:01"):
            assert info.is_overdue(req)
            req.status = RequestStatus.ANSWERED
            assert not info.is_overdue(req)


# --- HTTP ----------------------------------------------------------------------------------


@freeze_time(TODAY)
def test_panel_sends_party_answers_and_panel_reads(client, world, app):
    party_rid, _ngo = _submit_replies(app, world)
    _clear_mail(app)
    login(client, world.users["panel"])
    rid = _send(client, world)
    # e-mail to the Party's contact person (not to contributors, not to other Parties)
    [mail] = _mails(app)
    assert mail["To"].addresses[0].addr_spec == "contact.am@example.org"
    body = mail.get_content()
    assert "1. How many shelters?" in body and "2. Who funds them?" in body
    assert "March 20, 2026" in body and f"/requests/{rid}" in body
    # the panel sees the open request and its deadline on the evaluation and reply pages
    ev_page = client.get(f"/evaluations/{world.am.id}").get_data(as_text=True)
    assert "Reply by March 20, 2026" in ev_page and "Awaiting answers" in ev_page
    assert "Reply by March 20, 2026" in client.get(f"/replies/{party_rid}/view").get_data(
        as_text=True
    )
    client.post("/logout")

    login(client, world.users["contributor_am"])
    page = client.get(f"/requests/{rid}").get_data(as_text=True)
    assert "How many shelters?" in page and "Submit the answers" not in page
    with app.app_context():
        q1, q2 = db.session.exec(
            select(InformationQuestion).where(InformationQuestion.request_id == rid)
        ).all()
        q1_id, q2_id = q1.id, q2.id
    resp = client.post(
        f"/requests/{rid}", data={f"answer-{q1_id}": "Three shelters.", "action": "save"}
    )
    assert resp.status_code == 302
    # a contributor cannot submit (the draft is kept)
    resp = client.post(
        f"/requests/{rid}", data={f"answer-{q2_id}": "The budget.", "action": "submit"}
    )
    assert resp.status_code == 403
    client.post("/logout")

    # before submission the panel sees the questions, never the draft answers
    login(client, world.users["panel"])
    page = client.get(f"/requests/{rid}").get_data(as_text=True)
    assert "How many shelters?" in page and "Three shelters." not in page
    client.post("/logout")

    login(client, world.users["contact_am"])
    task = client.get(f"/replies/{party_rid}/view").get_data(as_text=True)
    assert "Reply by March 20, 2026" in task
    resp = client.post(f"/requests/{rid}", data={f"answer-{q2_id}": "", "action": "submit"})
    assert resp.status_code == 302  # refused: question 2 blank
    with app.app_context():
        assert db.session.get(InformationRequest, rid).is_open
    resp = client.post(
        f"/requests/{rid}", data={f"answer-{q2_id}": "The State budget.", "action": "submit"}
    )
    assert resp.status_code == 302
    page = client.get(f"/requests/{rid}").get_data(as_text=True)
    assert "<textarea" not in page and "The State budget." in page  # read-only
    resp = client.post(f"/requests/{rid}", data={f"answer-{q1_id}": "changed", "action": "save"})
    assert resp.status_code == 403
    client.post("/logout")

    login(client, world.users["panel"])
    page = client.get(f"/requests/{rid}").get_data(as_text=True)
    assert "Three shelters." in page and "The State budget." in page
    view = client.get(f"/replies/{party_rid}/view").get_data(as_text=True)
    assert "Three shelters." in view  # beside the reply
    with app.app_context():
        q1 = db.session.get(InformationQuestion, q1_id)
        assert q1.answer == "Three shelters."


def test_overdue_request_shown_on_task_list_and_evaluation(client, world, app):
    with freeze_time(TODAY):
        login(client, world.users["panel"])
        rid = _send(client, world, deadline="2026-03-10")
        client.post("/logout")
    with freeze_time("2026-03-11 08:00:00"):
        login(client, world.users["contact_am"])
        resp = client.post(f"/evaluations/{world.am.id}/reply")
        reply_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
        task_list = client.get(f"/replies/{reply_id}").get_data(as_text=True)
        assert "Reply by March 10, 2026" in task_list and "Overdue" in task_list
        assert "Overdue" in client.get(f"/requests/{rid}").get_data(as_text=True)
        client.post("/logout")
        login(client, world.users["panel"])
        assert "Overdue" in client.get(f"/evaluations/{world.am.id}").get_data(as_text=True)
    with freeze_time("2026-03-10 08:00:00"):
        assert "Overdue" not in client.get(f"/evaluations/{world.am.id}").get_data(as_text=True)


@freeze_time(TODAY)
def test_ngo_request_never_visible_to_the_party(client, world, app):
    party_rid, ngo_rid = _submit_replies(app, world)
    _clear_mail(app)
    login(client, world.users["panel"])
    form = client.get(f"/evaluations/{world.am.id}/requests/new").get_data(as_text=True)
    assert "NGO: Hope Coalition" in form
    ngo_req = _send(
        client,
        world,
        to=f"ngo:{world.ngo_org.id}",
        questions=["Secret question for the NGO about shelters?"],
    )
    party_req = _send(client, world, questions=["Question for the Party?"])
    mails = _mails(app)
    assert sorted(m["To"].addresses[0].addr_spec for m in mails) == [
        "contact.am@example.org",
        "ngo@example.org",
    ]
    client.post("/logout")

    # the NGO answers and submits its request
    login(client, world.users["ngo"])
    with app.app_context():
        [q] = db.session.exec(
            select(InformationQuestion).where(InformationQuestion.request_id == ngo_req)
        ).all()
        q_id = q.id
    resp = client.post(
        f"/requests/{ngo_req}",
        data={f"answer-{q_id}": "Confidential NGO answer.", "action": "submit"},
    )
    assert resp.status_code == 302
    ngo_view = client.get(f"/replies/{ngo_rid}/view").get_data(as_text=True)
    assert "1 question" in ngo_view and "Answered" in ngo_view  # its own request
    # the NGO never sees the Party's requests
    assert client.get(f"/requests/{party_req}").status_code == 404
    assert client.post(f"/requests/{party_req}", data={"action": "save"}).status_code == 404
    client.post("/logout")

    for who in ("contact_am", "contributor_am"):
        login(client, world.users[who])
        assert client.get(f"/requests/{ngo_req}").status_code == 404
        assert client.post(f"/requests/{ngo_req}", data={"action": "save"}).status_code == 404
        for url in (
            f"/evaluations/{world.am.id}",
            f"/replies/{party_rid}/view",
            f"/requests/{party_req}",
        ):
            html = client.get(url).get_data(as_text=True)
            assert "Secret question" not in html and "Confidential NGO answer" not in html
            assert "Hope Coalition" not in html
        assert "Question for the Party?" in client.get(f"/requests/{party_req}").get_data(
            as_text=True
        )
        client.post("/logout")

    login(client, world.users["panel"])
    page = client.get(f"/requests/{ngo_req}").get_data(as_text=True)
    assert "Confidential NGO answer." in page


@freeze_time(TODAY)
def test_who_may_send_and_see_requests(client, world, app):
    login(client, world.users["panel"])
    rid = _send(client, world)
    client.post("/logout")
    # no one but the panel and secretariat sends a request
    for who in ("contact_am", "contributor_am", "ngo", "contact_ua"):
        login(client, world.users[who])
        assert client.get(f"/evaluations/{world.am.id}/requests/new").status_code == 404
        resp = client.post(
            f"/evaluations/{world.am.id}/requests/new",
            data={"to": "party", "deadline": "2026-03-20", "questions-0": "Q?"},
        )
        assert resp.status_code == 404
        client.post("/logout")
    # another Party sees nothing of Armenia's request
    login(client, world.users["contact_ua"])
    assert client.get(f"/requests/{rid}").status_code == 404
    assert client.post(f"/requests/{rid}", data={"action": "save"}).status_code == 404
    client.post("/logout")
    # the panel cannot answer
    login(client, world.users["secretariat"])
    assert client.get(f"/requests/{rid}").status_code == 200
    assert client.post(f"/requests/{rid}", data={"action": "save"}).status_code == 403
    with app.app_context():
        assert len(db.session.exec(select(InformationRequest)).all()) == 1


@freeze_time(TODAY)
def test_request_mail_is_in_the_contacts_language(client, world, app):
    with app.app_context():
        _user(db.session, world, "contact_am").locale = "fr"
        db.session.commit()
    _clear_mail(app)
    login(client, world.users["panel"])
    _send(client, world, questions=["Combien de foyers ?"])
    [mail] = _mails(app)
    assert mail["Subject"] == (
        "Demande d’informations complémentaires : Armenia, réponse attendue le 20 mars 2026"
    )
    assert mail["Content-Language"] == "fr"
    assert "1. Combien de foyers ?" in mail.get_content()
