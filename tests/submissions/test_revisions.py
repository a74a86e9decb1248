"""Revisions of a reply (issue 4, point 6): numbering, immutability, return for changes
and resubmission, the comparison with word-level diffs, and who may see and do what."""

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlmodel import select

from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation
from monitor.submissions import revisions, services
from monitor.submissions.models import (
    Answer,
    Receipt,
    Reply,
    ReplyReturn,
    ReplyRevision,
    ReplyStatus,
)
from tests.factories import detach_world, login, make_world
from tests.submissions.test_services import COMPLETE

OLD_LAW = "Law on identification and assistance of victims (2014), article 12."
NEW_LAW = "Law on identification and protection of victims (2014), article 12 and 13."


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        return detach_world(db.session, w)


def _submitted(app, world, party="am", audience=Audience.PARTY) -> int:
    with app.app_context():
        s = db.session
        ev = s.get(Evaluation, getattr(world, party).id)
        if audience == Audience.NGO:
            reply = services.get_or_create_reply(s, ev, audience, world.ngo_org)
            user = s.get(type(world.users["ngo"]), world.users["ngo"].id)
            services.save_answers(s, reply, user, {"ngo_info_practice": "Leaflets."}, "en")
        else:
            reply = services.get_or_create_reply(s, ev, audience)
            user = s.get(type(world.users["contact_am"]), world.users[f"contact_{party}"].id)
            services.save_answers(s, reply, user, COMPLETE, "en")
        services.submit_reply(s, reply, user)
        s.commit()
        return reply.id


def _user(s, world, key):
    return s.get(type(world.users[key]), world.users[key].id)


# --- services ------------------------------------------------------------------------------


def test_submission_makes_revision_1_with_active_answers_and_receipt(app, world):
    rid = _submitted(app, world)
    with app.app_context():
        s = db.session
        reply = s.get(Reply, rid)
        [rev] = revisions.revisions_of(s, reply)
        receipt = s.exec(select(Receipt).where(Receipt.reply_id == rid)).one()
        assert rev.number == 1 and rev.receipt_id == receipt.id
        assert rev.submitted_at == reply.submitted_at
        assert rev.submitted_by_id == world.users["contact_am"].id
        assert rev.questionnaire_version_id == reply.questionnaire_version_id
        assert rev.answers == COMPLETE
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "reply.submitted")).one()
        assert event.detail["revision"] == 1


def test_inactive_answers_are_left_out_of_the_snapshot(app, world):
    with app.app_context():
        s = db.session
        user = _user(s, world, "contact_am")
        reply = services.get_or_create_reply(s, s.get(Evaluation, world.am.id), Audience.PARTY)
        bodies = [{"body_name": "Commission", "body_kind": "ministry"}]
        values = {**COMPLETE, "has_body": "yes", "bodies": bodies}
        services.save_answers(s, reply, user, values, "en")
        services.save_answers(s, reply, user, {"has_body": "no"}, "en")  # hides "bodies"
        services.submit_reply(s, reply, user)
        s.commit()
        [rev] = revisions.revisions_of(s, reply)
        assert "bodies" not in rev.answers and rev.answers["has_body"] == "no"


def test_return_then_resubmit_makes_revision_2_and_keeps_revision_1(app, world):
    rid = _submitted(app, world)
    with app.app_context():
        s = db.session
        reply = s.get(Reply, rid)
        panel, contact = _user(s, world, "panel"), _user(s, world, "contact_am")
        returned = revisions.return_reply(s, reply, panel, "  Say which law.  ")
        s.commit()
        assert reply.status == ReplyStatus.DRAFT
        assert returned.revision_number == 1 and returned.message == "Say which law."
        assert revisions.current_return(s, reply) == returned
        services.save_answers(s, reply, contact, {"info_law": NEW_LAW}, "en")
        receipt2 = services.submit_reply(s, reply, contact)
        s.commit()
        rev1, rev2 = revisions.revisions_of(s, reply)
        assert (rev1.number, rev2.number) == (1, 2)
        assert rev1.answers["info_law"] == OLD_LAW  # the live edit never reached it
        assert rev2.answers["info_law"] == NEW_LAW
        assert rev2.receipt_id == receipt2.id != rev1.receipt_id
        assert receipt2.reference.endswith("-0002")
        assert revisions.current_return(s, reply) is None
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.object_id == rid)).all()
        assert "reply.returned" in actions


def test_a_revision_cannot_be_changed_or_deleted(app, world):
    rid = _submitted(app, world)
    with app.app_context():
        s = db.session
        [rev] = revisions.revisions_of(s, s.get(Reply, rid))
        rev.answers = {"info_law": "rewritten history"}
        s.add(rev)
        with pytest.raises(revisions.ImmutableRevisionError):
            s.flush()
        s.rollback()
        [rev] = revisions.revisions_of(s, s.get(Reply, rid))
        s.delete(rev)
        with pytest.raises(revisions.ImmutableRevisionError):
            s.flush()
        s.rollback()
        assert revisions.revisions_of(s, s.get(Reply, rid))[0].answers["info_law"] == OLD_LAW


def test_only_a_submitted_reply_is_returned_and_with_a_message(app, world):
    rid = _submitted(app, world)
    with app.app_context():
        s = db.session
        reply = s.get(Reply, rid)
        panel = _user(s, world, "panel")
        with pytest.raises(revisions.RevisionError):
            revisions.return_reply(s, reply, panel, "   ")
        revisions.return_reply(s, reply, panel, "Fix it.")
        with pytest.raises(revisions.RevisionError):
            revisions.return_reply(s, reply, panel, "Again.")


def test_reply_submitted_before_revisions_gets_revision_1_on_first_need(app, world):
    rid = _submitted(app, world)
    with app.app_context():
        s = db.session
        # as if submitted before this feature: no revision stored
        s.exec(select(ReplyRevision)).one()
        s.connection().exec_driver_sql("DELETE FROM reply_revision")
        s.commit()
        reply = s.get(Reply, rid)
        assert revisions.revisions_of(s, reply) == []
        returned = revisions.return_reply(s, reply, _user(s, world, "panel"), "Add sources.")
        s.commit()
        [rev] = revisions.revisions_of(s, reply)
        assert rev.number == 1 and returned.revision_number == 1
        assert rev.answers == COMPLETE and rev.submitted_at == reply.submitted_at
        assert rev.receipt_id is not None


def test_compare_gives_word_diffs_per_item_and_counts_unchanged(app, world):
    rid = _submitted(app, world)
    with app.app_context(), app.test_request_context():
        s = db.session
        reply = s.get(Reply, rid)
        contact = _user(s, world, "contact_am")
        revisions.return_reply(s, reply, _user(s, world, "panel"), "More detail.")
        services.save_answers(
            s,
            reply,
            contact,
            {"info_law": NEW_LAW, "info_languages": ["hy", "en"], "comp_victims": "12"},
            "en",
        )
        services.submit_reply(s, reply, contact)
        s.commit()
        rev1, rev2 = revisions.revisions_of(s, reply)
        comparison = revisions.compare_revisions(s, rev1, rev2, "en")
        by_item = {c.item.id: c for sec in comparison.sections for c in sec.changes}
        assert set(by_item) == {"info_law", "info_languages"}
        law = by_item["info_law"]
        assert str(law.html) == (
            "Law on identification and <del>assistance</del><ins>protection</ins> of victims"
            " (2014), article <del>12.</del><ins>12 and 13.</ins>"
        )
        languages = by_item["info_languages"]
        assert languages.old == "Armenian\nRussian" and languages.new == "Armenian\nEnglish"
        assert comparison.changed_count == 2
        # every other answerable item of the questionnaire is counted as unchanged
        info = next(sec for sec in comparison.sections if sec.section.id == "information")
        assert info.unchanged == 2  # info_leaflet and info_body
        stats = next(sec for sec in comparison.sections if sec.section.id == "statistics")
        assert stats.changes == [] and stats.unchanged == 2


def test_table_answer_text_has_one_line_per_cell(app, world):
    rid = _submitted(app, world)
    with app.app_context(), app.test_request_context():
        s = db.session
        [rev] = revisions.revisions_of(s, s.get(Reply, rid))
        definition = services.definition_of(s, rev.questionnaire_version_id)
        item = next(i for i in definition.items() if i.id == "victims")
        text = revisions.answer_text(item, rev.answers["victims"], "en")
        assert text.splitlines() == [
            "2022 · Total: 10",
            "2022 · Women and girls: 7",
            "2022 · Men and boys: 3",
        ]


# --- HTTP ----------------------------------------------------------------------------------


def _return(client, rid, message="Please name the law."):
    return client.post(f"/replies/{rid}/return", data={"message": message})


def _mails(app) -> list:
    folder = Path(app.config["MAIL_DIR"])
    return [
        BytesParser(policy=policy.default).parsebytes(p.read_bytes())
        for p in sorted(folder.glob("*.eml"))
    ]


def test_panel_returns_reply_respondents_are_mailed_and_see_the_message(client, world, app):
    rid = _submitted(app, world)
    for p in Path(app.config["MAIL_DIR"]).glob("*.eml"):
        p.unlink()  # the receipt
    login(client, world.users["panel"])
    page = client.get(f"/replies/{rid}/revisions").get_data(as_text=True)
    assert "Revision 1" in page and "Return the reply for changes" in page
    resp = _return(client, rid, "Please name the law & its article.")
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Reply, rid).status == ReplyStatus.DRAFT
    mails = _mails(app)
    to = sorted(m["To"].addresses[0].addr_spec for m in mails)
    assert to == ["contact.am@example.org", "contrib.am@example.org"]
    assert all("Please name the law & its article." in m.get_content() for m in mails)
    assert "ngo@example.org" not in to and "contact.ua@example.org" not in to
    # the panel sees the return on the evaluation page, no longer the draft itself
    ev = client.get(f"/evaluations/{world.am.id}").get_data(as_text=True)
    assert "Returned for changes: Please name the law &amp; its article." in ev
    assert client.get(f"/replies/{rid}/view").status_code == 404
    client.post("/logout")
    login(client, world.users["contributor_am"])
    task_list = client.get(f"/replies/{rid}")
    assert task_list.status_code == 200  # editable again
    assert "Returned for changes: Please name the law &amp; its article." in task_list.get_data(
        as_text=True
    )
    ev = client.get(f"/evaluations/{world.am.id}").get_data(as_text=True)
    assert "Returned for changes: Please name the law &amp; its article." in ev


def test_contact_resubmits_and_both_see_the_comparison(client, world, app):
    rid = _submitted(app, world)
    login(client, world.users["panel"])
    _return(client, rid)
    client.post("/logout")
    login(client, world.users["contact_am"])
    resp = client.post(
        f"/replies/{rid}/sections/information",
        data={"info_law": NEW_LAW, "info_languages": ["hy", "ru"], "action": "save"},
    )
    assert resp.status_code == 302
    resp = client.post(f"/replies/{rid}/check")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/replies/{rid}/receipt")
    for who in ("contact_am", "panel"):
        client.post("/logout")
        login(client, world.users[who])
        page = client.get(f"/replies/{rid}/revisions/compare?from=1&to=2")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "<del>assistance</del><ins>protection</ins>" in html
        assert "Which law gives victims information?" in html
        assert "questions unchanged" in html
        assert "Languages used" not in html  # unchanged items are not shown
    assert client.get(f"/replies/{rid}/revisions/1").status_code == 200
    assert OLD_LAW in client.get(f"/replies/{rid}/revisions/1").get_data(as_text=True)
    assert client.get(f"/replies/{rid}/revisions/3").status_code == 404
    assert client.get(f"/replies/{rid}/revisions/compare?from=1&to=9").status_code == 404


def test_party_cannot_return_its_own_reply(client, world, app):
    rid = _submitted(app, world)
    for who in ("contact_am", "contributor_am"):
        login(client, world.users[who])
        assert _return(client, rid).status_code == 403
        client.post("/logout")
    with app.app_context():
        assert db.session.get(Reply, rid).status == ReplyStatus.SUBMITTED


def test_other_party_and_ngo_get_404_on_revisions(client, world, app):
    rid = _submitted(app, world)
    ngo_rid = _submitted(app, world, audience=Audience.NGO)
    for who, target in (("contact_ua", rid), ("ngo", rid), ("contact_am", ngo_rid)):
        login(client, world.users[who])
        for url in (
            f"/replies/{target}/revisions",
            f"/replies/{target}/revisions/1",
            f"/replies/{target}/revisions/compare",
        ):
            assert client.get(url).status_code == 404, (who, url)
        assert _return(client, target).status_code == 404
        client.post("/logout")


def test_panel_cannot_see_revisions_of_a_never_submitted_draft(client, world, app):
    login(client, world.users["contact_am"])
    resp = client.post(f"/evaluations/{world.am.id}/reply")
    rid = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    assert client.get(f"/replies/{rid}/revisions").status_code == 200  # own, empty
    client.post("/logout")
    login(client, world.users["panel"])
    assert client.get(f"/replies/{rid}/revisions").status_code == 404
    assert _return(client, rid).status_code == 404


def test_ngo_submission_can_be_returned_and_only_the_ngo_is_mailed(client, world, app):
    rid = _submitted(app, world, audience=Audience.NGO)
    for p in Path(app.config["MAIL_DIR"]).glob("*.eml"):
        p.unlink()
    login(client, world.users["secretariat"])
    assert _return(client, rid, "Confirm the figures.").status_code == 302
    to = [m["To"].addresses[0].addr_spec for m in _mails(app)]
    assert to == ["ngo@example.org"]


@pytest.mark.parametrize(
    "path,data",
    [
        ("/sections/information", {"info_law": "changed", "action": "save"}),
        ("/sections/information/autosave", {"info_law": "changed"}),
        ("/sections/information/conflict", {"choice-info_law": "mine"}),
        ("/check", {}),
    ],
)
def test_submitted_reply_is_read_only_on_every_write_route(client, world, app, path, data):
    rid = _submitted(app, world)
    for who in ("contact_am", "contributor_am", "panel"):
        login(client, world.users[who])
        resp = client.post(f"/replies/{rid}{path}", data=data)
        assert resp.status_code in (302, 403, 404), (who, path, resp.status_code)
        client.post("/logout")
    with app.app_context():
        s = db.session
        law = s.exec(select(Answer).where(Answer.reply_id == rid, Answer.item_id == "info_law"))
        assert law.one().value == OLD_LAW
        assert s.get(Reply, rid).status == ReplyStatus.SUBMITTED
        assert len(s.exec(select(ReplyRevision)).all()) == 1
        assert s.exec(select(ReplyReturn)).all() == []


def test_panel_cannot_edit_a_submitted_or_returned_reply(client, world, app):
    rid = _submitted(app, world)
    login(client, world.users["panel"])
    _return(client, rid)
    for path in ("", "/sections/information", "/check"):
        assert client.get(f"/replies/{rid}{path}").status_code == 404
    resp = client.post(
        f"/replies/{rid}/sections/information", data={"info_law": "panel text", "action": "save"}
    )
    assert resp.status_code == 404
    with app.app_context():
        law = db.session.exec(
            select(Answer).where(Answer.reply_id == rid, Answer.item_id == "info_law")
        ).one()
        assert law.value == OLD_LAW


def test_legacy_submitted_reply_gets_revision_1_when_the_panel_opens_revisions(client, world, app):
    rid = _submitted(app, world)
    with app.app_context():
        db.session.connection().exec_driver_sql("DELETE FROM reply_revision")
        db.session.commit()
    login(client, world.users["panel"])
    page = client.get(f"/replies/{rid}/revisions")
    assert page.status_code == 200 and "Revision 1" in page.get_data(as_text=True)
    assert OLD_LAW in client.get(f"/replies/{rid}/revisions/1").get_data(as_text=True)
    with app.app_context():
        [rev] = db.session.exec(select(ReplyRevision)).all()
        assert rev.number == 1 and rev.answers == COMPLETE
        event = db.session.exec(
            select(AuditEvent).where(AuditEvent.action == "reply.revision_made")
        ).one()
        assert event.detail["revision"] == 1
