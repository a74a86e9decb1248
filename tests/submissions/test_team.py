"""The multi-agency reply (issue 4, point 1): invitations by e-mail link, section
assignments, section status, and who may change what."""

import io
import re
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from freezegun import freeze_time
from sqlmodel import select

from monitor.accounts.models import Role, User
from monitor.core.models import AuditEvent
from monitor.core.time import utcnow
from monitor.extensions import db
from monitor.rounds.models import Audience
from monitor.submissions import services, team
from monitor.submissions.models import Answer, Attachment, Reply, ReplyStatus
from monitor.submissions.team_models import Invitation, SectionAssignment, SectionStatus
from tests.conftest import make_app, reset_schema
from tests.factories import PASSWORD, detach_world, login, make_world
from tests.submissions.samples import add_file_items, pdf
from tests.submissions.test_services import COMPLETE

SECRET = "test-secret"
MAX_AGE = 14 * 24 * 3600


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        add_file_items(db.session, w)
        db.session.commit()
        return detach_world(db.session, w)


def _reply(app, world) -> int:
    with app.app_context():
        ev = db.session.merge(world.am)
        reply = services.get_or_create_reply(db.session, ev, Audience.PARTY)
        db.session.commit()
        return reply.id  # type: ignore[return-value]


def _assign(app, rid: int, section: str, *users: User) -> None:
    with app.app_context():
        for u in users:
            db.session.add(SectionAssignment(reply_id=rid, section_id=section, user_id=u.id))
        db.session.commit()


def _actions(app) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def _mails(folder: Path) -> list:
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def _link(msg) -> str:
    """The invitation link of an e-mail, as a path with its query."""
    text = msg.get_body(("plain",)).get_content()
    m = re.search(r"(https?://\S+/invitations/\S+)", text)
    assert m, text
    url = urlsplit(m.group(1))
    return f"{url.path}?{url.query}" if url.query else url.path


# --- services ----------------------------------------------------------------------------


def test_invite_accept_and_audit(app, world):
    rid = _reply(app, world)
    with app.app_context():
        s = db.session
        reply, ev = s.get(Reply, rid), s.merge(world.am)
        contact = s.merge(world.users["contact_am"])
        inv, new = team.invite(s, reply, ev, contact, " Maria@Justice.AM ", "Maria", "fr")
        assert new and inv.email == "maria@justice.am" and inv.language == "fr"
        assert inv.invited_by_id == contact.id and inv.created_at.tzinfo is not None
        token = team.invitation_token(SECRET, inv)
        assert team.invitation_from_token(s, SECRET, token, MAX_AGE).id == inv.id
        # inviting the same address again sends it again: one invitation
        again, new = team.invite(s, reply, ev, contact, "maria@justice.am", "Maria K.", "ru")
        assert not new and again.id == inv.id and again.language == "ru"
        user = team.accept_invitation(s, inv, "Maria Karapetyan", "long enough password")
        s.commit()
        assert user.role == Role.PARTY_CONTRIBUTOR and user.party_id == ev.party_id
        assert user.locale == "ru" and inv.accepted_at is not None and inv.user_id == user.id
        with pytest.raises(team.InvitationLinkError) as exc:
            team.invitation_from_token(s, SECRET, token, MAX_AGE)
        assert exc.value.reason == "used"
        # an address with an account cannot be invited
        with pytest.raises(team.TeamError):
            team.invite(s, reply, ev, contact, "maria@justice.am", "Maria", "en")
        with pytest.raises(team.TeamError):
            team.invite(s, reply, ev, contact, "panel@example.org", "Pat", "en")
    assert _actions(app) == ["invitation.created", "invitation.resent", "invitation.accepted"]


def test_only_the_contact_invites_and_assigns(app, world):
    rid = _reply(app, world)
    with app.app_context():
        s = db.session
        reply, ev = s.get(Reply, rid), s.merge(world.am)
        contributor = s.merge(world.users["contributor_am"])
        with pytest.raises(team.TeamError):
            team.invite(s, reply, ev, contributor, "x@example.org", "X", "en")
        with pytest.raises(team.TeamError):
            team.set_assignments(s, reply, ev, contributor, {"information": {contributor.id}})
        contact = s.merge(world.users["contact_am"])
        # only the Party's contributors can be assigned, to sections that exist
        with pytest.raises(team.TeamError):
            team.set_assignments(s, reply, ev, contact, {"information": {contact.id}})
        with pytest.raises(team.TeamError):
            team.set_assignments(s, reply, ev, contact, {"nowhere": {contributor.id}})


def test_assignments_and_status_transitions(app, world):
    rid = _reply(app, world)
    with app.app_context():
        s = db.session
        reply, ev = s.get(Reply, rid), s.merge(world.am)
        contact = s.merge(world.users["contact_am"])
        contributor = s.merge(world.users["contributor_am"])
        assert team.set_assignments(s, reply, ev, contact, {"information": {contributor.id}}) == 1
        assert team.set_assignments(s, reply, ev, contact, {"information": {contributor.id}}) == 0
        assert team.assignments(s, reply) == {"information": [contributor.id]}
        assert team.is_assigned(s, reply, contributor, "information")
        assert not team.is_assigned(s, reply, contributor, "compensation")
        # the contributor marks their section ready; not another one
        assert team.allowed_statuses(s, reply, ev, contributor, "information") == [
            SectionStatus.READY_FOR_REVIEW
        ]
        assert team.allowed_statuses(s, reply, ev, contributor, "compensation") == []
        with pytest.raises(team.TeamError):
            team.set_section_status(
                s, reply, ev, contributor, "compensation", SectionStatus.READY_FOR_REVIEW
            )
        with pytest.raises(team.TeamError):  # only the contact reviews
            team.set_section_status(
                s, reply, ev, contributor, "information", SectionStatus.REVIEWED
            )
        team.set_section_status(
            s, reply, ev, contributor, "information", SectionStatus.READY_FOR_REVIEW
        )
        team.set_section_status(s, reply, ev, contact, "information", SectionStatus.REVIEWED)
        assert team.section_status(s, reply, "information") == SectionStatus.REVIEWED
        # the contact sends it back
        team.set_section_status(s, reply, ev, contact, "information", SectionStatus.IN_PROGRESS)
        assert team.section_status(s, reply, "information") == SectionStatus.IN_PROGRESS
        # unassigning
        assert team.set_assignments(s, reply, ev, contact, {"information": set()}) == 1
        assert team.assignments(s, reply) == {}
        s.commit()
    actions = _actions(app)
    assert actions.count("section.assigned") == 1 and actions.count("section.unassigned") == 1
    assert actions.count("section.status_changed") == 3


def test_saving_moves_not_started_and_reviewed_sections_to_in_progress(app, world):
    rid = _reply(app, world)
    with app.app_context():
        s = db.session
        reply, ev = s.get(Reply, rid), s.merge(world.am)
        contact = s.merge(world.users["contact_am"])
        assert team.section_changed(s, reply, contact, "information") == SectionStatus.NOT_STARTED
        assert team.section_status(s, reply, "information") == SectionStatus.IN_PROGRESS
        assert team.section_changed(s, reply, contact, "information") is None
        team.set_section_status(s, reply, ev, contact, "information", SectionStatus.REVIEWED)
        assert team.section_changed(s, reply, contact, "information") == SectionStatus.REVIEWED
        assert team.section_status(s, reply, "information") == SectionStatus.IN_PROGRESS
        # ready for review stays ready when edited (the contact fixing a detail)
        with pytest.raises(team.TeamError):  # contributors mark their sections ready
            team.set_section_status(
                s, reply, ev, contact, "information", SectionStatus.READY_FOR_REVIEW
            )
        contributor = s.merge(world.users["contributor_am"])
        s.add(SectionAssignment(reply_id=rid, section_id="information", user_id=contributor.id))
        team.set_section_status(
            s, reply, ev, contributor, "information", SectionStatus.READY_FOR_REVIEW
        )
        assert team.section_changed(s, reply, contact, "information") is None


def test_revoked_and_tampered_and_expired_tokens(app, world):
    rid = _reply(app, world)
    with app.app_context():
        s = db.session
        reply, ev = s.get(Reply, rid), s.merge(world.am)
        contact = s.merge(world.users["contact_am"])
        inv, _new = team.invite(s, reply, ev, contact, "a@example.org", "A", "en")
        token = team.invitation_token(SECRET, inv)
        for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense"):
            with pytest.raises(team.InvitationLinkError) as exc:
                team.invitation_from_token(s, SECRET, bad, MAX_AGE)
            assert exc.value.reason == "invalid"
        with pytest.raises(team.InvitationLinkError) as exc:  # another purpose's signature
            team.invitation_from_token(s, "other-secret", token, MAX_AGE)
        assert exc.value.reason == "invalid"
        team.revoke_invitation(s, inv, contact, ev)
        with pytest.raises(team.InvitationLinkError) as exc:
            team.invitation_from_token(s, SECRET, token, MAX_AGE)
        assert exc.value.reason == "revoked"
        with pytest.raises(team.InvitationLinkError):
            team.accept_invitation(s, inv, "A", "long enough password")
        # re-inviting a withdrawn invitation makes it usable again
        team.invite(s, reply, ev, contact, "a@example.org", "A", "en")
        assert team.invitation_from_token(s, SECRET, token, MAX_AGE).id == inv.id
        with freeze_time(utcnow() + timedelta(seconds=MAX_AGE + 5)):
            with pytest.raises(team.InvitationLinkError) as exc:
                team.invitation_from_token(s, SECRET, token, MAX_AGE)
        assert exc.value.reason == "expired"


def test_section_teams_names_assignees_and_last_change(app, world):
    rid = _reply(app, world)
    _assign(app, rid, "information", world.users["contributor_am"])
    with app.app_context():
        s = db.session
        reply = s.get(Reply, rid)
        contributor = s.merge(world.users["contributor_am"])
        services.save_answers(s, reply, contributor, {"info_law": "Law 2010"}, "en")
        s.commit()
        from monitor.submissions.definitions import definition_of

        teams = team.section_teams(s, reply, definition_of(s, reply.questionnaire_version_id))
        info = teams["information"]
        assert [u.name for u in info.assignees] == ["Aram Contributor"]
        assert info.changed_by is not None and info.changed_by.name == "Aram Contributor"
        assert info.changed_at is not None
        assert teams["compensation"].assignees == [] and teams["compensation"].changed_at is None


# --- over HTTP: who may change what --------------------------------------------------------


def _section_post(client, rid, section, **data):
    data.setdefault("action", "stay")
    return client.post(f"/replies/{rid}/sections/{section}", data=data)


def _stored(app, rid) -> dict:
    with app.app_context():
        return services.answer_values(db.session, db.session.get(Reply, rid))


def test_contributor_edits_only_assigned_sections(app, client, world):
    rid = _reply(app, world)
    _assign(app, rid, "information", world.users["contributor_am"])
    login(client, world.users["contributor_am"])
    # assigned: the form, a save, an autosave
    page = client.get(f"/replies/{rid}/sections/information").get_data(as_text=True)
    assert 'id="section-form"' in page
    assert _section_post(client, rid, "information", info_law="Law 2010").status_code == 302
    r = client.post(f"/replies/{rid}/sections/information/autosave", data={"info_law": "Law 11"})
    assert r.status_code == 200 and r.json["status"] == "saved"
    # not assigned: read-only page with the answers and who changed them
    with app.app_context():
        s = db.session
        reply = s.get(Reply, rid)
        services.save_answers(
            s, reply, s.merge(world.users["contact_am"]), {"comp_contact": "Ministry"}, "en"
        )
        s.commit()
    r = client.get(f"/replies/{rid}/sections/compensation")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="section-form"' not in html and "<input" not in html.split("<main")[1].split(
        "</main>"
    )[0].replace('type="hidden"', "")
    assert "Ministry" in html and "Last changed by Ani Contact on" in html
    assert "Only the contact person and the contributors assigned to it can change it." in html
    # ... and every write refused, nothing saved
    r = _section_post(client, rid, "compensation", comp_contact="Mine")
    assert r.status_code == 403
    assert "This section is not assigned to you" in r.get_data(as_text=True)
    r = client.post(f"/replies/{rid}/sections/compensation/autosave", data={"comp_contact": "M"})
    assert r.status_code == 403 and r.json["status"] == "refused"
    r = client.post(f"/replies/{rid}/sections/compensation/conflict", data={})
    assert r.status_code == 403
    assert client.get(f"/replies/{rid}/sections/compensation/conflict").status_code == 302
    r = client.get(f"/replies/{rid}/sections/compensation?resume=whatever")
    assert r.status_code == 403
    assert _stored(app, rid)["comp_contact"] == "Ministry"
    # nor may they mark it ready
    r = client.post(
        f"/replies/{rid}/sections/compensation/status", data={"status": "ready_for_review"}
    )
    assert r.status_code == 403


def test_contributor_cannot_upload_or_remove_files_outside_their_sections(app, client, world):
    rid = _reply(app, world)
    login(client, world.users["contributor_am"])
    r = client.post(
        f"/replies/{rid}/sections/documents",
        data={"action": "stay", "laws": [(io.BytesIO(pdf("law")), "law.pdf")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 403
    with app.app_context():
        assert db.session.exec(select(Attachment)).first() is None
    _assign(app, rid, "documents", world.users["contributor_am"])
    r = client.post(
        f"/replies/{rid}/sections/documents",
        data={"action": "stay", "laws": [(io.BytesIO(pdf("law")), "law.pdf")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.exec(select(Attachment)).first() is not None


def test_contact_edits_everything_and_alone_submits(app, client, world):
    rid = _reply(app, world)
    _assign(app, rid, "information", world.users["contributor_am"])
    other = app.test_client()
    login(other, world.users["contributor_am"])
    with app.app_context():
        s = db.session
        services.save_answers(
            s, s.get(Reply, rid), s.merge(world.users["contact_am"]), COMPLETE, "en"
        )
        s.commit()
    # the contributor sees the check page but cannot submit
    page = other.get(f"/replies/{rid}/check").get_data(as_text=True)
    assert "Only the contact person can submit the official reply." in page
    assert other.post(f"/replies/{rid}/check").status_code == 403
    login(client, world.users["contact_am"])
    assert (
        _section_post(
            client, rid, "compensation", comp_victims="12", comp_contact="Contact's"
        ).status_code
        == 302
    )
    r = client.post(
        f"/replies/{rid}/sections/documents",
        data={"action": "stay", "laws": [(io.BytesIO(pdf("law")), "law.pdf")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    r = client.post(f"/replies/{rid}/check")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Reply, rid).status == ReplyStatus.SUBMITTED


@pytest.mark.parametrize("who", ["contact_ua", "ngo"])
def test_other_party_and_ngo_get_404(app, client, world, who):
    rid = _reply(app, world)
    login(client, world.users[who])
    for url in (
        f"/replies/{rid}",
        f"/replies/{rid}/team",
        f"/replies/{rid}/sections/information",
        f"/replies/{rid}/check",
    ):
        assert client.get(url).status_code == 404, url
    assert _section_post(client, rid, "information", info_law="x").status_code == 404
    r = client.post(f"/replies/{rid}/sections/information/status", data={"status": "reviewed"})
    assert r.status_code == 404
    r = client.post(f"/replies/{rid}/team/invite", data={"email": "x@example.org", "name": "X"})
    assert r.status_code == 404


def test_panel_cannot_see_the_draft_nor_its_team(app, client, world):
    rid = _reply(app, world)
    for who in ("panel", "secretariat"):
        login(client, world.users[who])
        for url in (f"/replies/{rid}", f"/replies/{rid}/team", f"/replies/{rid}/view"):
            assert client.get(url).status_code == 404, (who, url)
        client.post("/logout")


def test_team_page_is_the_contacts(app, client, world):
    rid = _reply(app, world)
    login(client, world.users["contributor_am"])
    assert client.get(f"/replies/{rid}/team").status_code == 403
    r = client.post(f"/replies/{rid}/team/invite", data={"email": "x@example.org", "name": "X"})
    assert r.status_code == 403
    client.post("/logout")
    login(client, world.users["contact_am"])
    html = client.get(f"/replies/{rid}/team").get_data(as_text=True)
    assert "Invite a contributor" in html and "Aram Contributor" in html
    assert "0 sections assigned" in html


def test_task_list_shows_assignees_status_and_last_change(app, client, world):
    rid = _reply(app, world)
    login(client, world.users["contact_am"])
    r = client.post(
        f"/replies/{rid}/team/assignments",
        data={"section__information": [str(world.users["contributor_am"].id)]},
    )
    assert r.status_code == 302
    contributor = app.test_client()
    login(contributor, world.users["contributor_am"])
    _section_post(contributor, rid, "information", info_law="Law 2010")
    html = client.get(f"/replies/{rid}").get_data(as_text=True)
    assert "Assigned to: Aram Contributor" in html
    assert "Last changed by Aram Contributor on" in html
    assert re.search(r'id="review-information">.*In progress', html)
    # ready for review by the contributor, reviewed by the contact
    r = contributor.post(
        f"/replies/{rid}/sections/information/status", data={"status": "ready_for_review"}
    )
    assert r.status_code == 302
    assert re.search(
        r'id="review-information">.*Ready for review',
        client.get(f"/replies/{rid}").get_data(as_text=True),
    )
    r = client.post(f"/replies/{rid}/sections/information/status", data={"status": "reviewed"})
    assert r.status_code == 302
    page = contributor.get(f"/replies/{rid}/sections/information").get_data(as_text=True)
    assert "This section has been reviewed. If you change an answer" in page
    # editing a reviewed section puts it back in progress
    _section_post(contributor, rid, "information", info_law="Law 2010, amended")
    assert re.search(
        r'id="review-information">.*In progress',
        client.get(f"/replies/{rid}").get_data(as_text=True),
    )
    check = client.get(f"/replies/{rid}/check").get_data(as_text=True)
    assert "Last changed by Aram Contributor on" in check
    # per item too: the answer, then who changed it
    item = check.split('id="answers-information"')[1].split("</details>")[0]
    assert re.search(
        r"Which law gives victims information\?.*Law 2010, amended.*"
        r"Last changed by Aram Contributor on",
        item,
        re.S,
    )


# --- invitation links over HTTP ----------------------------------------------------------


def _invite(client, rid, email="maria@justice.am", name="Maria Karapetyan", language="en"):
    return client.post(
        f"/replies/{rid}/team/invite", data={"email": email, "name": name, "language": language}
    )


def test_invitation_mail_link_creates_a_contributor_signed_in(app, client, world, tmp_path):
    rid = _reply(app, world)
    login(client, world.users["contact_am"])
    r = _invite(client, rid, language="fr")
    assert r.status_code == 302
    [msg] = _mails(tmp_path / "mail")
    assert msg["To"].addresses[0].addr_spec == "maria@justice.am"
    assert msg["Content-Language"] == "fr"
    assert msg["Subject"] == "Invitation à contribuer à la réponse de Armenia"
    assert msg["Reply-To"].addresses[0].addr_spec == "contact.am@example.org"
    link = _link(msg)
    assert "lang=fr" in link
    invitee = app.test_client()
    page = invitee.get(link)
    assert page.status_code == 200 and '<html lang="fr">' in page.get_data(as_text=True)
    r = invitee.post(
        link, data={"name": "Maria K.", "password": "a long password", "confirm": "a long password"}
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/replies/{rid}")
    # signed in: the task list opens, read-only until a section is assigned
    html = invitee.get(f"/replies/{rid}").get_data(as_text=True)
    assert "Maria K." in html
    with app.app_context():
        user = db.session.exec(select(User).where(User.email == "maria@justice.am")).one()
        assert user.role == Role.PARTY_CONTRIBUTOR and user.locale == "fr"
    # used: a clear page, not an error
    r = app.test_client().get(link)
    assert r.status_code == 410
    assert "déjà été utilisé" in r.get_data(as_text=True)
    assert "invitation.accepted" in _actions(app)


def test_invitation_form_checks_the_password(app, client, world, tmp_path):
    rid = _reply(app, world)
    login(client, world.users["contact_am"])
    _invite(client, rid)
    link = _link(_mails(tmp_path / "mail")[0])
    invitee = app.test_client()
    r = invitee.post(link, data={"name": "M", "password": "short", "confirm": "short"})
    assert r.status_code == 200 and "Use at least 10 characters." in r.get_data(as_text=True)
    r = invitee.post(
        link, data={"name": "M", "password": "long enough 1", "confirm": "other one 2"}
    )
    assert "The two passwords are not the same." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.exec(select(User).where(User.email == "maria@justice.am")).first() is None


def test_expired_tampered_and_revoked_links(app, client, world, tmp_path):
    rid = _reply(app, world)
    login(client, world.users["contact_am"])
    _invite(client, rid)
    link = _link(_mails(tmp_path / "mail")[0])
    anon = app.test_client()
    with freeze_time(utcnow() + timedelta(days=14, minutes=1)):
        r = anon.get(link)
        assert r.status_code == 410 and "The link has expired." in r.get_data(as_text=True)
        r = anon.post(
            link, data={"name": "M", "password": "long enough 1", "confirm": "long enough 1"}
        )
        assert r.status_code == 410
    path, _q, query = link.partition("?")
    tampered = path[:-3] + ("xyz" if not path.endswith("xyz") else "abc") + "?" + query
    r = anon.get(tampered)
    assert r.status_code == 404 and "The link is not complete or not valid." in r.get_data(
        as_text=True
    )
    with app.app_context():
        inv = db.session.exec(select(Invitation)).one()
        inv_id = inv.id
    r = client.post(f"/replies/{rid}/team/invitations/{inv_id}/revoke")
    assert r.status_code == 302
    r = anon.get(link)
    assert r.status_code == 410 and "withdrawn" in r.get_data(as_text=True)
    # inviting again resends: a second e-mail, the link works again
    r = client.post(f"/replies/{rid}/team/invitations/{inv_id}/resend")
    assert r.status_code == 302
    assert len(_mails(tmp_path / "mail")) == 2
    assert anon.get(_link(_mails(tmp_path / "mail")[1])).status_code == 200
    actions = _actions(app)
    assert actions.count("invitation.created") == 1 and actions.count("invitation.resent") == 1
    assert "invitation.revoked" in actions


def test_reinviting_an_address_resends(app, client, world, tmp_path):
    rid = _reply(app, world)
    login(client, world.users["contact_am"])
    _invite(client, rid)
    r = _invite(client, rid, email="MARIA@justice.am", language="ru")
    assert r.status_code == 302
    mails = _mails(tmp_path / "mail")
    assert len(mails) == 2  # (files named by the second: order them by language)
    [ru] = [m for m in mails if m["Content-Language"] == "ru"]
    assert "Приглашение" in ru["Subject"]
    assert "Приглашение участвовать в подготовке ответа" in ru["Subject"]
    with app.app_context():
        assert len(db.session.exec(select(Invitation)).all()) == 1
    html = client.get(f"/replies/{rid}/team").get_data(as_text=True)
    assert "maria@justice.am" in html and "not yet accepted" in html
    # an address with an account: refused beside the field
    r = _invite(client, rid, email="contrib.am@example.org")
    assert r.status_code == 400 and "This person is already a contributor." in r.get_data(
        as_text=True
    )


def test_invitation_sent_through_smtp(tmp_path, smtp_server):
    app = make_app(tmp_path, MAIL_HOST=smtp_server.host, MAIL_PORT=str(smtp_server.port))
    reset_schema(app)
    with app.app_context():
        world = detach_world(db.session, make_world(db.session))
        db.session.commit()
    rid = _reply(app, world)
    client = app.test_client()
    login(client, world.users["contact_am"])
    assert _invite(client, rid, language="ru").status_code == 302
    [msg] = smtp_server.messages
    assert smtp_server.envelopes[0][1] == ["maria@justice.am"]
    text = msg.get_body(("plain",)).get_content()
    assert "Ani Contact" in text and "/invitations/" in text
    assert msg["Content-Language"] == "ru"


def test_deactivated_contributor_cannot_sign_in(app, client, world):
    rid = _reply(app, world)
    login(client, world.users["contact_am"])
    uid = world.users["contributor_am"].id
    r = client.post(f"/replies/{rid}/team/contributors/{uid}", data={"active": "0"})
    assert r.status_code == 302
    other = app.test_client()
    r = login(other, world.users["contributor_am"])
    assert r.status_code == 200  # the sign-in form again
    r = client.post(f"/replies/{rid}/team/contributors/{uid}", data={"active": "1"})
    assert login(app.test_client(), world.users["contributor_am"]).status_code == 302
    # never the contact's own account, nor another Party's user
    cid = world.users["contact_am"].id
    assert (
        client.post(f"/replies/{rid}/team/contributors/{cid}", data={"active": "0"}).status_code
        == 404
    )
    actions = _actions(app)
    assert "contributor.deactivated" in actions and "contributor.reactivated" in actions


def test_password_hash_is_argon2_and_checks(app, world):
    """The account made from an invitation uses the accounts' password hashing."""
    rid = _reply(app, world)
    with app.app_context():
        s = db.session
        inv, _n = team.invite(
            s,
            s.get(Reply, rid),
            s.merge(world.am),
            s.merge(world.users["contact_am"]),
            "b@example.org",
            "B",
            "en",
        )
        user = team.accept_invitation(s, inv, "B", PASSWORD)
        assert user.password_hash.startswith("$argon2")
        from monitor.accounts.services import check_password

        assert check_password(user, PASSWORD)
        assert s.exec(select(Answer)).first() is None


@pytest.mark.parametrize(
    ("sections", "text"),
    [
        (["information"], "1 раздел назначен"),
        (["information", "coordination"], "2 раздела назначено"),
        (
            ["information", "coordination", "compensation", "statistics", "documents"],
            "5 разделов назначено",
        ),
    ],
)
def test_team_page_counts_in_russian(app, client, world, sections, text):
    rid = _reply(app, world)
    for section in sections:
        _assign(app, rid, section, world.users["contributor_am"])
    login(client, world.users["contact_am"])
    html = client.get(f"/replies/{rid}/team?lang=ru").get_data(as_text=True)
    assert text in html
    assert "Пригласить участника" in html
    # known-failures B15: lazy form labels in the request's language
    assert "Полное имя" in html and "Язык приглашения" in html and "Full name" not in html
