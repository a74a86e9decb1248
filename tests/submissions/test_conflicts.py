"""No silent overwrite (issue 4, point 3): two respondents editing the same section."""

import json
import re

import pytest
from sqlmodel import select

from monitor.extensions import db
from monitor.submissions import services
from monitor.submissions.models import PendingSave, Reply
from tests.factories import assign_all_sections, detach_world, login, make_world


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        return detach_world(db.session, w)


def _reply(client, world) -> int:
    resp = client.post(f"/evaluations/{world.am.id}/reply")
    assert resp.status_code == 302
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


def _base(client, rid: int, section: str) -> str:
    """The version the section page was rendered with (its hidden ``_base`` field)."""
    html = client.get(f"/replies/{rid}/sections/{section}").get_data(as_text=True)
    m = re.search(r'name="_base" value="([^"]*)"', html)
    assert m, "the section form carries its version"
    return m.group(1).replace("&#34;", '"').replace("&quot;", '"')


def _stored(app, rid: int) -> dict:
    with app.app_context():
        return services.answer_values(db.session, db.session.get(Reply, rid))


@pytest.fixture
def two(app, world):
    """The contact and a contributor of Armenia, each with a client, on the same reply,
    both with the 'information' section open on the same saved answers."""
    contact, contrib = app.test_client(), app.test_client()
    login(contact, world.users["contact_am"])
    login(contrib, world.users["contributor_am"])
    rid = _reply(contact, world)
    assign_all_sections(app, rid, world.users["contributor_am"])
    contact.post(
        f"/replies/{rid}/sections/information",
        data={"info_law": "Law of 2010", "info_body": "police", "action": "save"},
    )
    return (
        contact,
        contrib,
        rid,
        _base(contact, rid, "information"),
        _base(contrib, rid, "information"),
    )


def test_stale_save_of_a_changed_answer_is_refused_with_both_answers(app, two):
    contact, contrib, rid, base_contact, base_contrib = two
    # the contributor saves first
    r = contrib.post(
        f"/replies/{rid}/sections/information",
        data={
            "_base": base_contrib,
            "info_law": "Law of 2010, amended 2021",
            "info_body": "police",
            "action": "save",
        },
    )
    assert r.status_code == 302
    # the contact, on the page rendered before, changes the same answer and another one
    r = contact.post(
        f"/replies/{rid}/sections/information",
        data={
            "_base": base_contact,
            "info_law": "Anti-trafficking Act",
            "info_body": "ngo",
            "action": "save",
        },
    )
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Someone else changed these answers" in html
    assert "Their answer" in html and "Your answer" in html
    assert "Law of 2010, amended 2021" in html and "Anti-trafficking Act" in html
    assert "Aram Contributor" in html  # who changed it
    assert 'name="choice-info_law"' in html and 'name="merge-info_law"' in html
    assert 'name="choice-info_body"' not in html  # not a conflict
    stored = _stored(app, rid)
    # theirs not overwritten; the non-conflicting answer of the same post saved
    assert stored["info_law"] == "Law of 2010, amended 2021"
    assert stored["info_body"] == "ngo"
    # mine kept on the server until a choice is made
    with app.app_context():
        pending = db.session.exec(select(PendingSave)).one()
        assert pending.values == {"info_law": "Anti-trafficking Act"}
    # the conflict page can be found again from the section (by the one who has answers
    # waiting, not by the other)
    notice = "were not saved because someone else changed them meanwhile"
    link = f'href="/replies/{rid}/sections/information/conflict"'
    mine = contact.get(f"/replies/{rid}/sections/information").get_data(as_text=True)
    assert notice in mine and link in mine
    theirs = contrib.get(f"/replies/{rid}/sections/information").get_data(as_text=True)
    assert notice not in theirs and link not in theirs
    page = contact.get(f"/replies/{rid}/sections/information/conflict")
    assert page.status_code == 200 and "Anti-trafficking Act" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("choice", "merged", "expected"),
    [
        ("theirs", "", "Law of 2010, amended 2021"),
        ("mine", "", "Anti-trafficking Act"),
        ("merge", "Act of 2010 as amended", "Act of 2010 as amended"),
    ],
)
def test_choice_keeps_theirs_mine_or_merged(app, two, choice, merged, expected):
    contact, contrib, rid, base_contact, base_contrib = two
    contrib.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contrib, "info_law": "Law of 2010, amended 2021", "action": "save"},
    )
    contact.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contact, "info_law": "Anti-trafficking Act", "action": "save"},
    )
    page = contact.get(f"/replies/{rid}/sections/information/conflict").get_data(as_text=True)
    assert "Law of 2010, amended 2021\n\nAnti-trafficking Act" in page  # merge prefilled
    r = contact.post(
        f"/replies/{rid}/sections/information/conflict",
        data={"choice-info_law": choice, "merge-info_law": merged},
    )
    assert r.status_code == 302
    assert _stored(app, rid)["info_law"] == expected
    with app.app_context():
        assert db.session.exec(select(PendingSave)).first() is None
    assert contact.get(f"/replies/{rid}/sections/information/conflict").status_code == 302


def test_no_choice_keeps_both(app, two):
    contact, contrib, rid, base_contact, base_contrib = two
    contrib.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contrib, "info_law": "theirs", "action": "save"},
    )
    contact.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contact, "info_law": "mine", "action": "save"},
    )
    r = contact.post(f"/replies/{rid}/sections/information/conflict", data={})
    assert r.status_code == 409
    assert _stored(app, rid)["info_law"] == "theirs"
    with app.app_context():
        assert db.session.exec(select(PendingSave)).one().values == {"info_law": "mine"}


def test_untouched_field_never_puts_an_older_answer_back(app, two):
    """The contact's stale page still shows the old law; saving another answer must not
    write the old law over the contributor's new one (no conflict either)."""
    contact, contrib, rid, base_contact, base_contrib = two
    contrib.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contrib, "info_law": "new law", "info_body": "police"},
    )
    r = contact.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contact, "info_law": "Law of 2010", "info_body": "ngo"},
    )
    assert r.status_code == 302
    stored = _stored(app, rid)
    assert stored["info_law"] == "new law" and stored["info_body"] == "ngo"


def test_different_sections_never_conflict(app, two):
    contact, contrib, rid, base_contact, _ = two
    base_comp = _base(contrib, rid, "compensation")
    contrib.post(
        f"/replies/{rid}/sections/compensation",
        data={"_base": base_comp, "comp_victims": "12", "action": "save"},
    )
    r = contact.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contact, "info_law": "Act", "action": "save"},
    )
    assert r.status_code == 302
    stored = _stored(app, rid)
    assert stored["info_law"] == "Act" and stored["comp_victims"] == "12"


def test_changed_again_while_choosing_is_a_new_conflict(app, two):
    contact, contrib, rid, base_contact, base_contrib = two
    contrib.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contrib, "info_law": "theirs 1", "action": "save"},
    )
    contact.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contact, "info_law": "mine", "action": "save"},
    )
    contrib.post(
        f"/replies/{rid}/sections/information",
        data={"_base": _base(contrib, rid, "information"), "info_law": "theirs 2"},
    )
    r = contact.post(
        f"/replies/{rid}/sections/information/conflict", data={"choice-info_law": "mine"}
    )
    assert r.status_code == 409 and "theirs 2" in r.get_data(as_text=True)
    assert _stored(app, rid)["info_law"] == "theirs 2"


def test_autosave_json_saves_and_reports_conflicts(app, two):
    contact, contrib, rid, base_contact, base_contrib = two
    url = f"/replies/{rid}/sections/information/autosave"
    r = contrib.post(url, data={"_base": base_contrib, "info_law": "typed", "info_body": "police"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "saved" and body["changed"] == 1 and body["saved_at"]
    assert _stored(app, rid)["info_law"] == "typed"
    # the next autosave of the same page goes on from the version returned
    r = contrib.post(
        url,
        data={"_base": json.dumps(body["base"]), "info_law": "typed more", "info_body": "police"},
    )
    assert r.status_code == 200 and _stored(app, rid)["info_law"] == "typed more"
    # the contact's page is stale
    r = contact.post(url, data={"_base": base_contact, "info_law": "other", "info_body": "police"})
    assert r.status_code == 409
    body = r.get_json()
    assert body["status"] == "conflict" and body["conflicts"] == ["info_law"]
    assert body["url"].endswith(f"/replies/{rid}/sections/information/conflict")
    assert _stored(app, rid)["info_law"] == "typed more"


def test_autosave_needs_a_session_and_edit_rights(app, world, two):
    _, _, rid, base, _ = two
    url = f"/replies/{rid}/sections/information/autosave"
    anonymous = app.test_client()
    r = anonymous.post(url, data={"_base": base, "info_law": "x"})
    assert r.status_code == 401 and r.get_json()["status"] == "login"
    other = app.test_client()
    login(other, world.users["contact_ua"])
    assert other.post(url, data={"_base": base, "info_law": "x"}).status_code == 404
    assert _stored(app, rid)["info_law"] == "Law of 2010"


def test_own_autosave_still_on_its_way_is_not_a_conflict(app, two):
    """The Save button posts the page's version from before an autosave answered: the
    respondent's own later save is not someone else's change."""
    contact, _, rid, base_contact, _ = two
    r = contact.post(
        f"/replies/{rid}/sections/information/autosave",
        data={"_base": base_contact, "info_law": "Law of 2010, art"},
    )
    assert r.status_code == 200
    r = contact.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contact, "info_law": "Law of 2010, article 5", "action": "save"},
    )
    assert r.status_code == 302
    assert _stored(app, rid)["info_law"] == "Law of 2010, article 5"


def test_group_and_table_conflicts_show_both_answers(app, world):
    contact, contrib = app.test_client(), app.test_client()
    login(contact, world.users["contact_am"])
    login(contrib, world.users["contributor_am"])
    rid = _reply(contact, world)
    assign_all_sections(app, rid, world.users["contributor_am"])
    url = f"/replies/{rid}/sections/coordination"
    b1, b2 = _base(contact, rid, "coordination"), _base(contrib, rid, "coordination")
    body = {"has_body": "yes", "bodies__count": "1", "bodies__0__body_kind": "ministry"}
    contrib.post(url, data={**body, "_base": b2, "bodies__0__body_name": "Ministry of Justice"})
    r = contact.post(url, data={**body, "_base": b1, "bodies__0__body_name": "Police"})
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Ministry of Justice" in html and "Police" in html
    assert 'name="merge-bodies"' not in html  # a group is kept whole, not merged as text

    url = f"/replies/{rid}/sections/statistics"
    b1, b2 = _base(contact, rid, "statistics"), _base(contrib, rid, "statistics")
    contrib.post(url, data={"_base": b2, "victims__0__0": "12"})
    r = contact.post(url, data={"_base": b1, "victims__0__0": "15"})
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert 'name="choice-victims"' in html
    assert re.search(r"<blockquote[^>]*>[^<]*\b12\b", html)  # theirs
    assert re.search(r"<blockquote[^>]*>[^<]*\b15\b", html)  # mine


def _page(client, rid: int, section: str) -> tuple[str, str]:
    """The base and the page token of a fresh rendering of the section page (a tab)."""
    html = client.get(f"/replies/{rid}/sections/{section}").get_data(as_text=True)
    base = re.search(r'name="_base" value="([^"]*)"', html)
    page = re.search(r'name="_page" value="([^"]*)"', html)
    assert base and page, "the section form carries its version and its page token"
    return base.group(1).replace("&#34;", '"'), page.group(1)


def test_same_respondent_in_another_tab_gets_the_conflict_page(app, two):
    """One person, two tabs on the same section: the stale tab's save of an answer the
    other tab changed is refused, not written over it."""
    contact, _contrib, rid, _b1, _b2 = two
    base_a, page_a = _page(contact, rid, "information")
    base_b, page_b = _page(contact, rid, "information")
    assert page_a != page_b
    r = contact.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_a, "_page": page_a, "info_law": "Act of tab A", "action": "stay"},
    )
    assert r.status_code == 302
    r = contact.post(
        f"/replies/{rid}/sections/information/autosave",
        data={"_base": base_b, "_page": page_b, "_items": "info_law", "info_law": "Act of tab B"},
    )
    assert r.status_code == 409 and r.get_json()["conflicts"] == ["info_law"]
    assert _stored(app, rid)["info_law"] == "Act of tab A"
    with app.app_context():
        assert db.session.exec(select(PendingSave)).one().values == {"info_law": "Act of tab B"}
    page = contact.get(f"/replies/{rid}/sections/information/conflict").get_data(as_text=True)
    assert "These answers were changed in another window" in page
    assert "Someone else" not in page
    assert "Act of tab A" in page and "Act of tab B" in page


def test_save_button_after_the_pages_own_autosave_is_not_a_conflict(app, two):
    """An autosave still on its way when Save is pressed: the Save post carries the
    version the page had before that autosave, but the change is the same page's."""
    contact, _contrib, rid, _b1, _b2 = two
    base, page = _page(contact, rid, "information")
    r = contact.post(
        f"/replies/{rid}/sections/information/autosave",
        data={"_base": base, "_page": page, "_items": "info_law", "info_law": "Act, draft"},
    )
    assert r.status_code == 200
    r = contact.post(
        f"/replies/{rid}/sections/information",
        data={
            "_base": base,  # the autosave's answer had not arrived
            "_page": page,
            "info_law": "Act, final",
            "info_body": "police",
            "action": "save",
        },
    )
    assert r.status_code == 302
    assert _stored(app, rid)["info_law"] == "Act, final"
    with app.app_context():
        assert db.session.exec(select(PendingSave)).first() is None


def test_page_without_a_token_keeps_the_respondents_own_answers(app, two):
    """A page rendered before page tokens existed posts none: a change by the same
    respondent still counts as their own, as before."""
    contact, _contrib, rid, base, _b2 = two
    for text in ("First", "Second"):
        r = contact.post(
            f"/replies/{rid}/sections/information",
            data={"_base": base, "info_law": text, "info_body": "police", "action": "stay"},
        )
        assert r.status_code == 302
    assert _stored(app, rid)["info_law"] == "Second"


def test_choices_left_out_are_flagged_and_nothing_chosen_or_typed_is_lost(app, two):
    """Critic's find: sending the conflict page without a choice for every question
    gave only a banner; now each question left out is flagged (error summary, message
    at the question) and the choices made and the merged text typed are kept."""
    contact, contrib, rid, base_contact, base_contrib = two
    contrib.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contrib, "info_law": "Theirs", "info_body": "ngo", "action": "save"},
    )
    r = contact.post(
        f"/replies/{rid}/sections/information",
        data={"_base": base_contact, "info_law": "Mine", "info_body": "", "action": "save"},
    )
    assert r.status_code == 409
    r = contact.post(
        f"/replies/{rid}/sections/information/conflict",
        data={"choice-info_body": "mine", "merge-info_law": "Theirs, and mine, merged by hand"},
    )
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert 'class="error-summary"' in html and 'href="#choice-info_law-theirs"' in html
    assert 'id="conflict-info_law-msg"' in html and "Choose which answer to keep" in html
    assert 'id="conflict-info_body-msg"' not in html
    assert 'id="choice-info_body-mine" name="choice-info_body" value="mine" checked' in html
    assert "Theirs, and mine, merged by hand</textarea>" in html
    assert _stored(app, rid)["info_law"] == "Theirs"  # nothing applied yet
