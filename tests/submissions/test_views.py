"""Answering over HTTP, as each role."""

import re

import pytest

from monitor.extensions import db
from monitor.rounds.models import Audience
from monitor.submissions import services
from monitor.submissions.models import Reply, ReplyStatus
from tests.factories import assign_all_sections, detach_world, login, make_world


@pytest.fixture
def world(app):
    # no app context held across client requests (it would share g and the session)
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        return detach_world(db.session, w)


def _party_reply(client, world) -> int:
    resp = client.post(f"/evaluations/{world.am.id}/reply")
    assert resp.status_code == 302
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


def test_task_list_section_save_and_progress(client, world):
    login(client, world.users["contributor_am"])
    rid = _party_reply(client, world)
    assign_all_sections(client.application, rid, world.users["contributor_am"])
    page = client.get(f"/replies/{rid}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Right to information" in text and "Not started" in text
    assert "You have completed 0 of 4 sections." in text
    resp = client.post(
        f"/replies/{rid}/sections/information",
        data={
            "info_law": "Закон о борьбе с торговлей людьми, « article 12 »",
            "info_languages": ["hy", "ru"],
            "info_leaflet": "partly",
            "action": "save",
        },
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/replies/{rid}")
    text = client.get(f"/replies/{rid}").get_data(as_text=True)
    assert "3 of 4 questions answered" in text and "Completed" in text
    section = client.get(f"/replies/{rid}/sections/information").get_data(as_text=True)
    assert "Закон о борьбе с торговлей людьми, « article 12 »" in section
    assert re.search(r'<input checked[^>]*value="partly"', section)


def test_statistics_table_is_a_real_table_with_header_cells(client, world):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    html = client.get(f"/replies/{rid}/sections/statistics").get_data(as_text=True)
    assert '<table class="stats" id="item-victims">' in html
    assert '<th scope="row">2022</th>' in html and '<th scope="col">Women and girls</th>' in html
    assert 'aria-label="2022, Women and girls"' in html


def test_language_switch_saves_typed_input_and_keeps_codes(client, world, app):
    """known-failures B03: switching language loses nothing; choices stay codes."""
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    resp = client.post(
        f"/replies/{rid}/sections/information",
        data={
            "info_law": "typed but not saved",
            "info_body": "police",
            "info_languages": ["hy", "en"],
            "action": "lang:fr",
        },
    )
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"])
    html = page.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "typed but not saved" in html
    with app.app_context():
        values = services.answer_values(db.session, db.session.get(Reply, rid))
    assert values["info_body"] == "police" and values["info_languages"] == ["hy", "en"]


def test_french_number_is_stored_canonically_and_shown_per_locale(client, world, app):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    client.get("/lang/fr")
    client.post(
        f"/replies/{rid}/sections/compensation",
        data={
            "comp_victims": "1 234",
            "comp_amount__amount": "12 500,50",
            "comp_amount__currency": "EUR",
            "action": "stay",
        },
    )
    with app.app_context():
        values = services.answer_values(db.session, db.session.get(Reply, rid))
    assert values["comp_victims"] == "1234"
    assert values["comp_amount"] == {"amount": "12500.5", "currency": "EUR"}
    client.get("/lang/en")
    html = client.get(f"/replies/{rid}/sections/compensation").get_data(as_text=True)
    assert 'value="1,234"' in html and 'value="12,500.5"' in html


def test_submit_refused_with_error_summary_then_accepted(client, world, app):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    resp = client.post(f"/replies/{rid}/check")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "error-summary" in html
    assert f"/replies/{rid}/sections/information?check=1#item-info_law" in html
    client.post(
        f"/replies/{rid}/sections/information",
        data={"info_law": "Law of 2014", "info_languages": ["hy"], "action": "stay"},
    )
    client.post(
        f"/replies/{rid}/sections/compensation", data={"comp_victims": "4", "action": "stay"}
    )
    client.post(
        f"/replies/{rid}/sections/statistics",
        data={"victims__0__0": "10", "victims__0__1": "12", "action": "stay"},
    )
    html = client.get(f"/replies/{rid}/sections/statistics?check=1").get_data(as_text=True)
    assert "more than the total" in html and 'class="error"' in html
    client.post(
        f"/replies/{rid}/sections/statistics",
        data={"victims__0__0": "10", "victims__0__1": "7", "action": "stay"},
    )
    resp = client.post(f"/replies/{rid}/check")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/replies/{rid}/receipt")
    with app.app_context():
        assert db.session.get(Reply, rid).status == ReplyStatus.SUBMITTED
    # read-only afterwards: the section page redirects to the reply, posts change nothing
    assert client.get(f"/replies/{rid}/sections/information").status_code == 302
    view = client.get(f"/replies/{rid}/view").get_data(as_text=True)
    assert "Law of 2014" in view and "read-only" in view


def test_contributor_cannot_submit(client, world):
    login(client, world.users["contributor_am"])
    rid = _party_reply(client, world)
    assert client.post(f"/replies/{rid}/check").status_code == 403


def test_party_user_cannot_see_another_partys_reply_or_evaluation(client, world, app):
    with app.app_context():
        reply = services.get_or_create_reply(
            db.session, db.session.get(type(world.am), world.am.id), Audience.PARTY
        )
        db.session.commit()
        rid = reply.id
    login(client, world.users["contact_ua"])
    assert client.get(f"/replies/{rid}").status_code == 404
    assert client.get(f"/replies/{rid}/view").status_code == 404
    assert client.get(f"/evaluations/{world.am.id}").status_code == 404
    assert client.post(f"/evaluations/{world.am.id}/reply").status_code == 404
    assert client.get(f"/evaluations/{world.ua.id}").status_code == 200


def test_panel_sees_replies_only_after_submission(client, world, app):
    from tests.submissions.test_services import COMPLETE

    with app.app_context():
        ev = db.session.get(type(world.am), world.am.id)
        reply = services.get_or_create_reply(db.session, ev, Audience.PARTY)
        services.save_answers(db.session, reply, world.users["contact_am"], COMPLETE, "en")
        db.session.commit()
        rid = reply.id
    login(client, world.users["panel"])
    assert client.get(f"/replies/{rid}/view").status_code == 404
    assert "The Party has not submitted" in client.get(
        f"/evaluations/{world.am.id}/compare"
    ).get_data(as_text=True)
    with app.app_context():
        services.submit_reply(db.session, db.session.get(Reply, rid), world.users["contact_am"])
        db.session.commit()
    assert client.get(f"/replies/{rid}/view").status_code == 200
    html = client.get(f"/evaluations/{world.am.id}/compare").get_data(as_text=True)
    assert "Law on identification and assistance" in html


def test_ngo_submission_private_to_its_organisation(client, world, app):
    login(client, world.users["ngo"])
    resp = client.post(f"/evaluations/{world.am.id}/ngo-submission")
    rid = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    client.post(
        f"/replies/{rid}/sections/ngo_information",
        data={"ngo_info_practice": "Victims get a leaflet in three languages.", "action": "stay"},
    )
    assert client.post(f"/replies/{rid}/check").status_code == 302
    client.post("/logout")
    # the Party never sees the NGO submission; the panel does (submitted)
    login(client, world.users["contact_am"])
    assert client.get(f"/replies/{rid}/view").status_code == 404
    client.post("/logout")
    login(client, world.users["panel"])
    html = client.get(f"/evaluations/{world.am.id}/compare").get_data(as_text=True)
    assert "Victims get a leaflet in three languages." in html
    assert "Hope Coalition" in html


def test_panel_evaluation_list_and_party_refused(client, world):
    login(client, world.users["panel"])
    html = client.get("/evaluations").get_data(as_text=True)
    assert "Armenia" in html and "Ukraine" in html
    client.post("/logout")
    login(client, world.users["contact_am"])
    assert client.get("/evaluations").status_code == 403


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "////evil.example",
        "/\\evil.example",
        "%2F%2Fevil.example",
        "javascript:alert(1)",
    ],
)
def test_login_next_never_leaves_the_site(client, world, target):
    """known-failures B27."""
    resp = client.post(
        "/login",
        data={"email": "panel@example.org", "password": "correct horse battery", "next": target},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/dashboard"


def test_login_next_local_path_is_honoured(client, world):
    resp = client.post(
        "/login",
        data={
            "email": "panel@example.org",
            "password": "correct horse battery",
            "next": "/evaluations",
        },
    )
    assert resp.headers["Location"] == "/evaluations"


def test_answers_are_shown_escaped_to_the_panel(client, world, app):
    """known-failures B25: a respondent's markup never runs for the reviewer."""
    from tests.submissions.test_services import COMPLETE

    evil = "<script>alert(1)</script><img src=x onerror=alert(1)> <b>bold</b>"
    with app.app_context():
        ev = db.session.get(type(world.am), world.am.id)
        reply = services.get_or_create_reply(db.session, ev, Audience.PARTY)
        services.save_answers(
            db.session, reply, world.users["contact_am"], dict(COMPLETE, info_law=evil), "en"
        )
        services.submit_reply(db.session, reply, world.users["contact_am"])
        db.session.commit()
        rid = reply.id
    login(client, world.users["panel"])
    for url in (f"/replies/{rid}/view", f"/evaluations/{world.am.id}/compare"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_panel_pages_use_a_bounded_number_of_queries(client, world, app):
    """known-failures B10: queries do not grow with the number of answers or Parties."""
    from sqlalchemy import event

    from tests.submissions.test_services import COMPLETE

    with app.app_context():
        for key, ev_id in (("contact_am", world.am.id), ("contact_ua", world.ua.id)):
            ev = db.session.get(type(world.am), ev_id)
            reply = services.get_or_create_reply(db.session, ev, Audience.PARTY)
            services.save_answers(db.session, reply, world.users[key], COMPLETE, "en")
            services.submit_reply(db.session, reply, world.users[key])
        db.session.commit()
        engine = db.engine
    login(client, world.users["panel"])
    counts = []

    def count(*_args, **_kw):
        counts[-1] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for url in (
            "/evaluations",
            "/dashboard",
            f"/evaluations/{world.am.id}/compare",
            f"/evaluations/{world.am.id}/compare?section=statistics",
        ):
            counts.append(0)
            assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert max(counts) <= 15, counts
