"""NGO parallel input (issue 4, point 8): partial input, joint submissions (co-signing),
and the publication choice (confidential by default, locked once sent)."""

import copy
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlmodel import select

from monitor.accounts.models import Organisation, OrganisationStatus, Role
from monitor.accounts.services import create_user
from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.rounds.models import Audience
from monitor.submissions import cosigning, services
from monitor.submissions.models import CoSignatureStatus, Reply, ReplyStatus
from tests.factories import NGO_Q, PASSWORD, _version, detach_world, login, make_world

#: An NGO questionnaire of two sections, each with a required item.
TWO_SECTIONS = copy.deepcopy(NGO_Q)
TWO_SECTIONS["id"] = "test_ngo_two"
TWO_SECTIONS["parts"][0]["sections"].append(
    {
        "id": "ngo_compensation",
        "title": "Compensation",
        "items": [
            {"id": "ngo_comp_cases", "kind": "number", "label": "Cases", "required": True},
            {"id": "ngo_comp_note", "kind": "long_text", "label": "Notes"},
        ],
    }
)


def add_organisations(session, world):
    """Two more approved organisations with a user each (``ngo2``, ``ngo3``), and a
    pending one (``pending``); flushed."""
    out = {}
    for key, name, status in (
        ("ngo2", "La Strada", OrganisationStatus.APPROVED),
        ("ngo3", "Unrelated Watch", OrganisationStatus.APPROVED),
        ("pending", "Not Yet Approved", OrganisationStatus.PENDING),
    ):
        org = Organisation(name=name, party_id=world.am.party_id, status=status)
        session.add(org)
        session.flush()
        out[key] = org
        world.users[key] = create_user(
            session, f"{key}@example.org", f"{name} user", PASSWORD, Role.NGO, organisation=org
        )
    return out


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        _version(db.session, w.round, TWO_SECTIONS, Audience.NGO, None)
        w.orgs = add_organisations(db.session, w)  # type: ignore[attr-defined]
        db.session.commit()
        yield w


# --- partial input -------------------------------------------------------------------------


def test_ngo_may_submit_some_sections_only(app, world):
    s = db.session
    user = world.users["ngo"]
    reply = services.get_or_create_reply(s, world.am, Audience.NGO, world.ngo_org)
    s.commit()  # the refusal below is rolled back; the draft stays
    # nothing at all: refused
    with pytest.raises(services.SubmissionError) as exc:
        services.submit_reply(s, reply, user)
    assert [p.message for p in exc.value.problems] == [
        "Answer at least one question before you submit."
    ]
    s.rollback()
    # a started section still needs its required items; an untouched one does not
    services.save_answers(s, reply, user, {"ngo_comp_note": "Few cases reach court."}, "en")
    problems = [p for p in services.check_reply(s, reply) if p.level == "error"]
    assert [p.item_id for p in problems] == ["ngo_comp_cases"]
    services.save_answers(s, reply, user, {"ngo_comp_cases": "3"}, "en")
    services.submit_reply(s, reply, user)
    s.commit()
    assert reply.status == ReplyStatus.SUBMITTED


def test_ngo_answers_given_are_still_checked(app, world):
    s = db.session
    user = world.users["ngo"]
    reply = services.get_or_create_reply(s, world.am, Audience.NGO, world.ngo_org)
    services.save_answers(s, reply, user, {"ngo_comp_cases": "many"}, "en")
    problems = [p for p in services.check_reply(s, reply) if p.level == "error"]
    assert [p.item_id for p in problems] == ["ngo_comp_cases"]


def test_party_reply_still_needs_every_required_item(app, world):
    s = db.session
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    services.save_answers(s, reply, world.users["contact_am"], {"info_law": "x"}, "en")
    ids = {p.item_id for p in services.check_reply(s, reply) if p.level == "error"}
    assert {"info_languages", "comp_victims", "victims"} <= ids


# --- publication choice ----------------------------------------------------------------------


def test_confidential_by_default_and_locked_once_submitted(app, world):
    s = db.session
    user = world.users["ngo"]
    reply = services.get_or_create_reply(s, world.am, Audience.NGO, world.ngo_org)
    assert reply.confidential
    services.set_confidential(s, reply, user, False)
    services.set_confidential(s, reply, user, True)
    services.save_answers(s, reply, user, {"ngo_info_practice": "Leaflets."}, "en")
    services.submit_reply(s, reply, user)
    with pytest.raises(services.SubmissionError, match="cannot change"):
        services.set_confidential(s, reply, user, False)
    assert reply.confidential
    # returned to a draft by the panel: the choice is open again
    reply.status = ReplyStatus.DRAFT
    services.set_confidential(s, reply, user, False)
    assert not reply.confidential


# --- co-signing (services) -------------------------------------------------------------------


def test_invite_accept_and_joint_names(app, world):
    s = db.session
    lead, ngo2 = world.users["ngo"], world.users["ngo2"]
    reply = services.get_or_create_reply(s, world.am, Audience.NGO, world.ngo_org)
    assert [o.name for o in cosigning.candidates(s, reply)] == ["La Strada", "Unrelated Watch"]
    with pytest.raises(cosigning.CoSigningError):
        cosigning.invite(s, reply, ngo2, [world.orgs["ngo3"].id])  # not the lead
    with pytest.raises(cosigning.CoSigningError):
        cosigning.invite(s, reply, lead, [world.orgs["pending"].id])  # not approved
    with pytest.raises(cosigning.CoSigningError):
        cosigning.invite(s, reply, lead, [world.ngo_org.id])  # the lead itself
    (sig,) = cosigning.invite(s, reply, lead, [world.orgs["ngo2"].id, world.orgs["ngo2"].id])
    assert sig.status == CoSignatureStatus.INVITED
    assert cosigning.invite(s, reply, lead, [world.orgs["ngo2"].id]) == []  # already
    assert cosigning.is_cosigner(s, ngo2, reply)
    assert not cosigning.is_cosigner(s, world.users["ngo3"], reply)
    assert cosigning.joint_names(s, reply) == []  # not yet accepted
    with pytest.raises(cosigning.CoSigningError):
        cosigning.decide(s, reply, world.users["ngo3"], True)
    cosigning.decide(s, reply, ngo2, True)
    assert cosigning.joint_names(s, reply) == ["Hope Coalition", "La Strada"]
    with pytest.raises(cosigning.CoSigningError):
        cosigning.decide(s, reply, ngo2, False)  # decided already
    actions = s.exec(select(AuditEvent.action).where(AuditEvent.object_id == reply.id)).all()
    assert {"reply.cosigners_invited", "reply.cosignature_accepted"} <= set(actions)


def test_a_declined_cosigner_loses_access_and_may_be_invited_again(app, world):
    s = db.session
    lead, ngo3 = world.users["ngo"], world.users["ngo3"]
    reply = services.get_or_create_reply(s, world.am, Audience.NGO, world.ngo_org)
    cosigning.invite(s, reply, lead, [world.orgs["ngo3"].id])
    cosigning.decide(s, reply, ngo3, False)
    assert not cosigning.is_cosigner(s, ngo3, reply)
    assert "Unrelated Watch" in [o.name for o in cosigning.candidates(s, reply)]
    (sig,) = cosigning.invite(s, reply, lead, [world.orgs["ngo3"].id])
    assert sig.status == CoSignatureStatus.INVITED and sig.decided_at is None


def test_no_invitations_once_submitted(app, world):
    s = db.session
    lead = world.users["ngo"]
    reply = services.get_or_create_reply(s, world.am, Audience.NGO, world.ngo_org)
    services.save_answers(s, reply, lead, {"ngo_info_practice": "Leaflets."}, "en")
    services.submit_reply(s, reply, lead)
    with pytest.raises(cosigning.CoSigningError, match="before"):
        cosigning.invite(s, reply, lead, [world.orgs["ngo2"].id])


# --- co-signing over HTTP --------------------------------------------------------------------


@pytest.fixture
def web_world(app):
    with app.app_context():
        w = make_world(db.session)
        _version(db.session, w.round, TWO_SECTIONS, Audience.NGO, None)
        orgs = add_organisations(db.session, w)
        db.session.commit()
        ids = {k: o.id for k, o in orgs.items()}
        w = detach_world(db.session, w)  # world.users holds the new users too
        w.org_ids = ids  # type: ignore[attr-defined]
        return w


def _ngo_reply(client, world) -> int:
    resp = client.post(f"/evaluations/{world.am.id}/ngo-submission")
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


def _mails(app) -> list:
    folder = Path(app.config["MAIL_DIR"])
    return (
        [
            BytesParser(policy=policy.default).parsebytes(p.read_bytes())
            for p in sorted(folder.glob("*.eml"))
        ]
        if folder.exists()
        else []
    )


def test_joint_submission_over_http(client, web_world, app):
    w = web_world
    login(client, w.users["ngo"])
    rid = _ngo_reply(client, w)
    tasks = client.get(f"/replies/{rid}").get_data(as_text=True)
    assert "Confidential: only the expert panel reads our submission (default)" in tasks
    assert "never the authorities of the country" in tasks
    assert "sections you leave blank are skipped" in tasks
    assert "La Strada" in tasks and "Not Yet Approved" not in tasks  # only approved
    client.post(
        f"/replies/{rid}/sections/ngo_information",
        data={"ngo_info_practice": "Shelters are full.", "action": "stay"},
    )
    resp = client.post(f"/replies/{rid}/cosigners", data={"organisation": [w.org_ids["ngo2"]]})
    assert resp.status_code == 302
    (mail,) = _mails(app)
    assert mail["To"].addresses[0].addr_spec == "ngo2@example.org"
    assert "Hope Coalition" in mail["Subject"]
    client.post("/logout")
    # the invited organisation reads the draft, cannot edit it, and accepts
    login(client, w.users["ngo2"])
    listing = client.get("/joint-submissions").get_data(as_text=True)
    assert "Hope Coalition – Armenia" in listing
    view = client.get(f"/replies/{rid}/view")
    assert view.status_code == 200
    html = view.get_data(as_text=True)
    assert "Shelters are full." in html and "Accept to co-sign" in html
    assert client.get(f"/replies/{rid}").status_code == 302  # task list: to the view
    resp = client.post(
        f"/replies/{rid}/sections/ngo_information",
        data={"ngo_info_practice": "changed by co-signer", "action": "stay"},
    )
    assert resp.status_code == 302
    assert client.post(f"/replies/{rid}/check").status_code in (302, 403)
    assert (
        client.post(f"/replies/{rid}/confidentiality", data={"publishable": "1"}).status_code == 403
    )
    assert (
        client.post(
            f"/replies/{rid}/cosigners", data={"organisation": [w.org_ids["ngo3"]]}
        ).status_code
        == 403
    )
    with app.app_context():
        reply = db.session.get(Reply, rid)
        assert reply.status == ReplyStatus.DRAFT and reply.confidential
        assert (
            services.answer_values(db.session, reply)["ngo_info_practice"] == "Shelters are full."
        )
    client.post(f"/replies/{rid}/cosignature", data={"decision": "accept"})
    assert "Joint submission by Hope Coalition, La Strada" in client.get(
        f"/replies/{rid}/view"
    ).get_data(as_text=True)
    client.post("/logout")
    # the lead submits; the panel sees the joint submission
    login(client, w.users["ngo"])
    assert client.post(f"/replies/{rid}/check").status_code == 302
    client.post("/logout")
    login(client, w.users["panel"])
    for url in (
        f"/evaluations/{w.am.id}",
        f"/evaluations/{w.am.id}/compare",
        f"/replies/{rid}/view",
    ):
        assert "Joint submission by Hope Coalition, La Strada" in client.get(url).get_data(
            as_text=True
        ), url


def test_submitted_publication_choice_is_locked_over_http(client, web_world, app):
    w = web_world
    login(client, w.users["ngo"])
    rid = _ngo_reply(client, w)
    client.post(
        f"/replies/{rid}/sections/ngo_information",
        data={"ngo_info_practice": "Some input.", "action": "stay"},
    )
    assert client.post(f"/replies/{rid}/check").status_code == 302
    resp = client.post(
        f"/replies/{rid}/confidentiality", data={"publishable": "1"}, follow_redirects=True
    )
    assert "cannot change once the submission is sent" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Reply, rid).confidential


def test_ngo_partial_submission_over_http(client, web_world, app):
    w = web_world
    login(client, w.users["ngo"])
    rid = _ngo_reply(client, w)
    check = client.get(f"/replies/{rid}/check").get_data(as_text=True)
    assert "Confidential: only the expert panel reads our submission (default)" in check
    assert "This choice cannot change once the submission is sent." in check
    resp = client.post(f"/replies/{rid}/check")
    assert resp.status_code == 200
    assert "Answer at least one question before you submit." in resp.get_data(as_text=True)
    client.post(
        f"/replies/{rid}/sections/ngo_compensation", data={"ngo_comp_cases": "4", "action": "stay"}
    )
    assert client.post(f"/replies/{rid}/check").status_code == 302
    with app.app_context():
        assert db.session.get(Reply, rid).status == ReplyStatus.SUBMITTED
