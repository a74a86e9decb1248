"""The autosave posts only the questions changed (``_items``, see static/autosave.js):
a partial post must never clear an answer it does not carry (issue 4, speed)."""

import json

import pytest

from monitor.extensions import db
from monitor.submissions import services
from monitor.submissions.models import Reply
from tests.factories import detach_world, login, make_world


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        return detach_world(db.session, w)


FULL = {
    "info_law": "Law of 2010",
    "info_languages": ["hy", "ru"],
    "info_leaflet": "yes",
    "info_body": "police",
}


@pytest.fixture
def filled(app, world):
    """The contact of Armenia with every answer of 'information' saved; returns the
    client, the reply id and the autosave URL."""
    client = app.test_client()
    login(client, world.users["contact_am"])
    rid = int(client.post(f"/evaluations/{world.am.id}/reply").headers["Location"].split("/")[-1])
    r = client.post(f"/replies/{rid}/sections/information", data={**FULL, "action": "save"})
    assert r.status_code == 302
    return client, rid, f"/replies/{rid}/sections/information/autosave"


def _stored(app, rid: int) -> dict:
    """The answers given (a cleared answer keeps its row, with no value)."""
    with app.app_context():
        values = services.answer_values(db.session, db.session.get(Reply, rid))
        return {k: v for k, v in values.items() if v is not None}


def test_partial_autosave_keeps_every_answer_it_does_not_carry(app, filled):
    client, rid, url = filled
    r = client.post(url, data={"_items": "info_law", "info_law": "Law of 2010, amended"})
    assert r.status_code == 200 and r.get_json()["changed"] == 1
    assert _stored(app, rid) == {**FULL, "info_law": "Law of 2010, amended"}


def test_partial_autosave_with_a_base_keeps_the_rest(app, filled):
    client, rid, url = filled
    page = client.get(f"/replies/{rid}/sections/information").get_data(as_text=True)
    base = page.split('name="_base" value="', 1)[1].split('"', 1)[0].replace("&#34;", '"')
    assert json.loads(base)["info_body"]
    r = client.post(url, data={"_base": base, "_items": "info_leaflet", "info_leaflet": "no"})
    assert r.status_code == 200
    assert _stored(app, rid) == {**FULL, "info_leaflet": "no"}


def test_item_listed_without_fields_is_cleared(app, filled):
    """Every box of a multiple choice unticked posts no field: listed, it is cleared."""
    client, rid, url = filled
    r = client.post(url, data={"_items": "info_languages"})
    assert r.status_code == 200
    assert _stored(app, rid) == {k: v for k, v in FULL.items() if k != "info_languages"}


def test_empty_or_unknown_items_change_nothing(app, filled):
    client, rid, url = filled
    for items in ("", "nope,info_law__other", "coordination"):
        r = client.post(url, data={"_items": items, "info_law": "ignored"})
        assert r.status_code == 200 and r.get_json()["changed"] == 0
    assert _stored(app, rid) == FULL


def test_partial_autosave_of_a_group_and_its_condition(app, world):
    client = app.test_client()
    login(client, world.users["contact_am"])
    rid = int(client.post(f"/evaluations/{world.am.id}/reply").headers["Location"].split("/")[-1])
    url = f"/replies/{rid}/sections/coordination"
    client.post(
        url,
        data={
            "has_body": "yes",
            "bodies__count": "1",
            "bodies__0__body_name": "Commission",
            "bodies__0__body_kind": "commission",
            "bodies__0__body_staff": "12",
            "action": "save",
        },
    )
    before = _stored(app, rid)
    r = client.post(
        url + "/autosave",
        data={
            "_items": "bodies",
            "bodies__count": "1",
            "bodies__0__body_name": "National commission",
            "bodies__0__body_kind": "commission",
            "bodies__0__body_staff": "12",
        },
    )
    assert r.status_code == 200
    after = _stored(app, rid)
    assert after["has_body"] == before["has_body"] == "yes"
    assert after["bodies"][0]["body_name"] == "National commission"
    assert after["bodies"][0]["body_staff"] == "12"


def test_whole_form_autosave_still_reads_missing_fields_as_cleared(app, filled):
    """Without ``_items`` (a page from before partial autosaves) the post is the whole
    form, as the Save buttons send it."""
    client, rid, url = filled
    r = client.post(url, data={"info_law": "Law of 2010"})
    assert r.status_code == 200
    assert _stored(app, rid) == {"info_law": "Law of 2010"}
