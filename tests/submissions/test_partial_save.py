"""A partial autosave (``_items``) reads and writes only the answers it carries, yet keeps
every rule of a whole save: the conflict check on its items, the section assignment, the
author, time and language of each answer, the carried-over mark, the section status, the
audit, and the hidden-item flags of every answer of the reply (issue 4, speed)."""

import json
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.submissions import services
from monitor.submissions.models import Answer, PendingSave, Reply
from monitor.submissions.team_models import SectionState, SectionStatus
from tests.factories import detach_world, login, make_world

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


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
    html = client.get(f"/replies/{rid}/sections/{section}").get_data(as_text=True)
    m = re.search(r'name="_base" value="([^"]*)"', html)
    assert m
    return m.group(1).replace("&#34;", '"').replace("&quot;", '"')


def _answers(app, rid: int) -> dict[str, Answer]:
    with app.app_context():
        answers = services.answers_of(db.session, db.session.get(Reply, rid))
        for a in answers.values():
            db.session.expunge(a)
        return dict(answers)


@pytest.fixture
def team(app, world):
    """The contact and a contributor of Armenia on the same reply, 'information' saved by
    the contact; the contributor is assigned 'information' only."""
    contact, contrib = app.test_client(), app.test_client()
    login(contact, world.users["contact_am"])
    login(contrib, world.users["contributor_am"])
    rid = _reply(contact, world)
    with app.app_context():
        from monitor.submissions.team_models import SectionAssignment

        db.session.add(
            SectionAssignment(
                reply_id=rid, section_id="information", user_id=world.users["contributor_am"].id
            )
        )
        db.session.commit()
    r = contact.post(
        f"/replies/{rid}/sections/information",
        data={"info_law": "Law of 2010", "info_body": "police", "action": "save"},
    )
    assert r.status_code == 302
    return contact, contrib, rid


def test_partial_autosave_of_an_item_changed_meanwhile_is_a_conflict(app, world, team):
    contact, contrib, rid = team
    url = f"/replies/{rid}/sections/information/autosave"
    base_contact = _base(contact, rid, "information")
    base_contrib = _base(contrib, rid, "information")
    r = contrib.post(url, data={"_base": base_contrib, "_items": "info_law", "info_law": "theirs"})
    assert r.status_code == 200 and r.get_json()["changed"] == 1
    # the contact's page still shows the old answer: the same item is refused, kept pending
    r = contact.post(url, data={"_base": base_contact, "_items": "info_law", "info_law": "mine"})
    assert r.status_code == 409
    assert r.get_json()["conflicts"] == ["info_law"]
    assert _answers(app, rid)["info_law"].value == "theirs"
    with app.app_context():
        pending = db.session.exec(select(PendingSave).where(PendingSave.reply_id == rid)).one()
        assert pending.values == {"info_law": "mine"}
        assert pending.user_id == world.users["contact_am"].id
    # another item of the same stale page is not in conflict
    r = contact.post(url, data={"_base": base_contact, "_items": "info_body", "info_body": "ngo"})
    assert r.status_code == 200 and r.get_json()["changed"] == 1
    body = r.get_json()
    assert json.loads(base_contact)["info_law"] == body["base"]["info_law"]  # still stale
    assert _answers(app, rid)["info_body"].value == "ngo"


def test_partial_autosave_of_a_section_not_assigned_is_refused(app, team):
    _, contrib, rid = team
    before = _answers(app, rid)
    r = contrib.post(
        f"/replies/{rid}/sections/compensation/autosave",
        data={"_items": "comp_contact", "comp_contact": "Ministry"},
    )
    assert r.status_code == 403 and r.get_json()["status"] == "refused"
    assert set(_answers(app, rid)) == set(before)


def test_partial_autosave_records_author_time_language_status_and_audit(app, world, team):
    contact, contrib, rid = team
    with app.app_context():
        state = db.session.exec(
            select(SectionState).where(
                SectionState.reply_id == rid, SectionState.section_id == "information"
            )
        ).one()
        state.status = SectionStatus.REVIEWED
        db.session.add(state)
        # the answers were given long ago; one was carried over from an earlier round
        # and awaits confirmation
        db.session.execute(
            sa.update(Answer).where(Answer.reply_id == rid).values(updated_at=LONG_AGO)  # type: ignore[arg-type]
        )
        db.session.execute(
            sa.update(Answer)
            .where(Answer.reply_id == rid, Answer.item_id == "info_law")  # type: ignore[arg-type]
            .values(carried_over_from_reply_id=rid)
        )
        db.session.commit()
    before = _answers(app, rid)
    r = contrib.post(
        f"/replies/{rid}/sections/information/autosave?lang=fr",
        data={"_items": "info_law", "info_law": "Loi de 2010"},
    )
    assert r.status_code == 200
    after = _answers(app, rid)
    law = after["info_law"]
    assert law.value == "Loi de 2010"
    assert law.updated_by_id == world.users["contributor_am"].id
    assert law.language == "fr"
    assert before["info_law"].updated_at == LONG_AGO < law.updated_at
    assert law.carried_over_from_reply_id is None
    # the answer not carried keeps its author and time
    assert after["info_body"].updated_by_id == world.users["contact_am"].id
    assert after["info_body"].updated_at == before["info_body"].updated_at
    with app.app_context():
        reply = db.session.get(Reply, rid)
        assert reply.version == 2
        actions = [
            (e.action, e.actor_id, e.detail)
            for e in db.session.exec(
                select(AuditEvent).where(AuditEvent.object_type.in_(["Reply", "SectionState"]))  # type: ignore[attr-defined]
            )
        ]
        contrib_id = world.users["contributor_am"].id
        assert ("reply.draft_saved", contrib_id, {"answers": 1}) in actions
        changed = [
            d for a, who, d in actions if a == "section.status_changed" and who == contrib_id
        ]
        assert changed and changed[-1]["before"] == "reviewed"
        assert changed[-1]["after"] == "in_progress"


def test_partial_autosave_parses_numbers_in_the_language_of_the_page(app, world):
    client = app.test_client()
    login(client, world.users["contact_am"])
    rid = _reply(client, world)
    r = client.post(
        f"/replies/{rid}/sections/coordination/autosave?lang=fr",
        data={"_items": "budget_share", "budget_share": "12,5"},
    )
    assert r.status_code == 200
    assert _answers(app, rid)["budget_share"].value == "12.5"


def test_partial_autosave_marks_the_answers_it_hides_and_shows(app, world):
    """Changing the answer a condition reads hides, and shows again, answers the post
    does not carry; their values are kept."""
    client = app.test_client()
    login(client, world.users["contact_am"])
    rid = _reply(client, world)
    url = f"/replies/{rid}/sections/coordination"
    r = client.post(
        url,
        data={
            "has_body": "yes",
            "bodies__count": "1",
            "bodies__0__body_name": "Commission",
            "budget_share": "60",
            "budget_review": "Reviewed yearly",
            "action": "save",
        },
    )
    assert r.status_code == 302
    assert all(a.active for a in _answers(app, rid).values())
    r = client.post(url + "/autosave", data={"_items": "has_body", "has_body": "no"})
    assert r.status_code == 200
    answers = _answers(app, rid)
    assert not answers["bodies"].active
    assert answers["bodies"].value == [{"body_name": "Commission"}]
    assert answers["budget_review"].active and answers["has_body"].active
    r = client.post(url + "/autosave", data={"_items": "budget_share", "budget_share": "10"})
    answers = _answers(app, rid)
    assert not answers["bodies"].active and not answers["budget_review"].active
    assert answers["budget_review"].value == "Reviewed yearly"
    client.post(url + "/autosave", data={"_items": "has_body", "has_body": "yes"})
    client.post(url + "/autosave", data={"_items": "budget_share", "budget_share": "70"})
    assert all(a.active for a in _answers(app, rid).values())


def test_partial_autosave_corrects_the_flag_of_any_answer_of_the_reply(app, team):
    """Every answer's flag is checked on each save, as a whole save does: a flag left
    wrong (by data from before the flag existed) is put right by the next save."""
    _, contrib, rid = team
    with app.app_context():
        db.session.execute(
            sa.update(Answer)
            .where(Answer.reply_id == rid, Answer.item_id == "info_body")  # type: ignore[arg-type]
            .values(active=False)
        )
        db.session.commit()
    r = contrib.post(
        f"/replies/{rid}/sections/information/autosave",
        data={"_items": "info_law", "info_law": "Law of 2011"},
    )
    assert r.status_code == 200
    assert _answers(app, rid)["info_body"].active


def test_partial_autosave_reads_only_the_answers_it_carries(app, world, team):
    """The speed of the autosave (issue 4): the answers of the items posted are loaded
    as objects, the rest of the reply only as keys and flags; the reply, its evaluation
    and its questionnaire version in one query."""
    _, contrib, rid = team
    statements: list[str] = []

    def log(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", log)
    try:
        r = contrib.post(
            f"/replies/{rid}/sections/information/autosave",
            data={"_items": "info_law", "info_law": "Law of 2012"},
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", log)
    assert r.status_code == 200 and r.get_json()["changed"] == 1
    answer_loads = [s for s in statements if s.startswith("SELECT answer.id, answer.reply_id")]
    assert len(answer_loads) == 1 and "answer.item_id IN" in answer_loads[0]
    assert not [s for s in statements if s.startswith("SELECT questionnaire_version.")]
    assert len([s for s in statements if s.startswith("SELECT")]) <= 6, statements


def test_save_answers_loads_what_the_answers_given_do_not_cover(app, world):
    """A caller's map of answers loaded for other keys is not taken for a map of no
    answers: the answer stored is updated, not inserted twice."""
    client = app.test_client()
    login(client, world.users["contact_am"])
    rid = _reply(client, world)
    client.post(f"/replies/{rid}/sections/information", data={"info_law": "A", "action": "save"})
    with app.app_context():
        reply = db.session.get(Reply, rid)
        user = db.session.get(type(world.users["contact_am"]), world.users["contact_am"].id)
        loaded = services.answers_to(db.session, reply, ["info_body"])
        assert not loaded.covers(["info_law"]) and loaded.covers(["info_body"])
        changed = services.save_answers(
            db.session, reply, user, {"info_law": "B"}, "en", answers=loaded
        )
        db.session.commit()
        assert changed == 1
        assert services.answer_values(db.session, reply)["info_law"] == "B"


def test_partial_autosave_corrects_the_flag_of_an_answer_to_a_hidden_item(app, world):
    client = app.test_client()
    login(client, world.users["contact_am"])
    rid = _reply(client, world)
    url = f"/replies/{rid}/sections/coordination"
    client.post(
        url,
        data={
            "has_body": "no",
            "bodies__count": "1",
            "bodies__0__body_name": "Commission",
            "action": "save",
        },
    )
    assert not _answers(app, rid)["bodies"].active
    with app.app_context():
        db.session.execute(
            sa.update(Answer)
            .where(Answer.reply_id == rid, Answer.item_id == "bodies")  # type: ignore[arg-type]
            .values(active=True)
        )
        # a key under the hidden item's id (as "<id>__other" keys are) is hidden with it
        db.session.add(Answer(reply_id=rid, item_id="bodies__note", value="x", active=True))
        db.session.commit()
    r = client.post(url + "/autosave", data={"_items": "forms_covered", "forms_covered": []})
    assert r.status_code == 200
    answers = _answers(app, rid)
    assert not answers["bodies"].active and not answers["bodies__note"].active
    assert answers["has_body"].active


@pytest.mark.parametrize("endpoint", ["", "/autosave"])
def test_whole_form_save_writes_only_the_answers_that_change(app, world, team, endpoint):
    """The Save button (and an autosave of the whole form) compares the post with the
    answers read as rows and writes only those that change: the others keep their
    author and time, and a blank posted where nothing is stored adds no answer."""
    contact, contrib, rid = team
    with app.app_context():
        db.session.execute(
            sa.update(Answer).where(Answer.reply_id == rid).values(updated_at=LONG_AGO)  # type: ignore[arg-type]
        )
        db.session.commit()
    base = _base(contrib, rid, "information")
    r = contrib.post(
        f"/replies/{rid}/sections/information{endpoint}",
        data={
            "_base": base,
            "info_law": "Law of 2010, amended",
            "info_body": "police",
            "info_leaflet": "",
            "action": "save",
        },
    )
    assert r.status_code in (200, 302)
    answers = _answers(app, rid)
    assert answers["info_law"].value == "Law of 2010, amended"
    assert answers["info_law"].updated_by_id == world.users["contributor_am"].id
    assert answers["info_body"].updated_by_id == world.users["contact_am"].id
    assert answers["info_body"].updated_at == LONG_AGO
    assert "info_leaflet" not in answers
    # the contact's page, still showing the first law, is refused on that answer only
    r = contact.post(
        f"/replies/{rid}/sections/information{endpoint}",
        data={"_base": base, "info_law": "Law of 2010 (mine)", "info_body": "ngo"},
    )
    assert r.status_code == 409
    answers = _answers(app, rid)
    assert answers["info_law"].value == "Law of 2010, amended"
    assert answers["info_body"].value == "ngo"
