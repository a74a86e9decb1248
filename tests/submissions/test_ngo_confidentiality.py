"""A Party never sees a confidential NGO submission, by any route (issue 4, point 8;
``shared/domain.md``, "Who may see what").

Every route of the application (read from ``app.url_map``, so that a route added later is
covered too) is requested as the Party's contact person, as a Party contributor and as an
unrelated NGO, with the ids of a submitted, confidential NGO submission that has an
attached file, a receipt and a co-signer, while the Party's draft report has been sent to
it (so the report page and its PDF are the Party's to read). No response, PDFs included
(read back as text), may contain the submission's text, its file name or the
organisation's name; every route that names the submission answers 403 or 404; posts
change nothing. The co-signing organisation does read it.
"""

import io

import pytest
from sqlmodel import select

from monitor.accounts.models import Organisation, Role
from monitor.accounts.services import create_user
from monitor.extensions import db
from monitor.rounds.models import Audience, QuestionnaireVersion
from monitor.submissions import cosigning, services
from monitor.submissions.models import Attachment, CoSignature, Reply, ReplyStatus
from tests.factories import PASSWORD, detach_world, login, make_world
from tests.submissions.samples import add_file_items, pdf

SECRET = "Trafficked workers were hidden at the Kotayk farm"
FILENAME = "witness-statements-kotayk.pdf"
ORG = "Hope Coalition"


@pytest.fixture
def setup(app):
    with app.app_context():
        w = make_world(db.session)
        add_file_items(db.session, w)
        for key, name in (("cosigner", "La Strada"), ("other_ngo", "Unrelated Watch")):
            org = Organisation(name=name, party_id=w.am.party_id)
            db.session.add(org)
            db.session.flush()
            w.users[key] = create_user(
                db.session, f"{key}@example.org", name, PASSWORD, Role.NGO, organisation=org
            )
        db.session.commit()
        cosigner_org = w.users["cosigner"].organisation_id
        w = detach_world(db.session, w)
    client = app.test_client()
    # the NGO writes, attaches its evidence, invites a co-signer and submits
    login(client, w.users["ngo"])
    resp = client.post(f"/evaluations/{w.am.id}/ngo-submission")
    rid = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    client.post(
        f"/replies/{rid}/sections/ngo_information",
        data={
            "ngo_info_practice": SECRET,
            "evidence": [(io.BytesIO(pdf("kotayk")), FILENAME)],
            "action": "stay",
        },
        content_type="multipart/form-data",
    )
    client.post(f"/replies/{rid}/cosigners", data={"organisation": [cosigner_org]})
    assert client.post(f"/replies/{rid}/check").status_code == 302
    client.post("/logout")
    login(client, w.users["cosigner"])
    client.post(f"/replies/{rid}/cosignature", data={"decision": "accept"})
    client.post("/logout")
    with app.app_context():
        # the draft report, sent to the Party: its pages and PDF are the Party's to read
        from monitor.reports import services as reports

        secretariat = db.session.merge(w.users["secretariat"])
        report = reports.start_report(
            db.session, db.session.merge(w.am), secretariat, "Report on Armenia", ["Findings"]
        )
        db.session.flush()
        (chapter,) = reports.chapters(db.session, report)
        paragraph = reports.add_paragraph(
            db.session, report, chapter, secretariat, "Victims are informed of their rights."
        )
        # through the cycle: panel review, approval at a plenary, sent to the Party
        from datetime import date

        from monitor.reports import cycle, plenaries
        from monitor.reports.models import PlenaryItemKind

        plenary = plenaries.create_plenary(
            db.session, secretariat, "50th plenary", date(2020, 1, 6), date(2020, 1, 10)
        )
        plenaries.add_agenda_item(
            db.session, plenary, report, PlenaryItemKind.APPROVE_DRAFT, secretariat
        )
        cycle.transition(db.session, report, "submit_for_review", secretariat)
        cycle.transition(db.session, report, "approve_draft", secretariat, plenary=plenary)
        cycle.transition(db.session, report, "send_to_party", secretariat)
        db.session.commit()
        paragraph_id = paragraph.id
        reply = db.session.get(Reply, rid)
        assert reply.status == ReplyStatus.SUBMITTED and reply.confidential
        (attachment,) = db.session.exec(select(Attachment)).all()
        version_id = reply.questionnaire_version_id
        party_version = db.session.exec(
            select(QuestionnaireVersion.id).where(QuestionnaireVersion.audience == Audience.PARTY)
        ).first()
        org_id = reply.organisation_id
    return {
        "world": w,
        "reply_id": rid,
        "attachment_id": attachment.id,
        "evaluation_id": w.am.id,
        "version_id": version_id,
        "party_version_id": party_version,
        "org_id": org_id,
        "paragraph_id": paragraph_id,
    }


def _snapshot(app, rid):
    with app.app_context():
        reply = db.session.get(Reply, rid)
        sigs = db.session.exec(select(CoSignature).where(CoSignature.reply_id == rid)).all()
        return (
            reply.status,
            reply.confidential,
            reply.version,
            services.answer_values(db.session, reply),
            sorted((s.organisation_id, str(s.status)) for s in sigs),
        )


def _urls(app, ids):
    """(rule, methods, url) for every route, with the NGO submission's ids filled in."""
    values = {
        "reply_id": ids["reply_id"],
        "attachment_id": ids["attachment_id"],
        "evaluation_id": ids["evaluation_id"],
        "section_id": "ngo_information",
        "version_id": ids["version_id"],
        "org_id": ids["org_id"],
        "comment_id": 1,
        "paragraph_id": ids["paragraph_id"],
        "relpath": "greta-round3/ngo.yaml",
        "code": "en",
        "number": 1,
        "request_id": 1,
        # routes of the report cycle, plenaries, drafting, recommendations and the team
        "action": "publish",
        "chapter_id": 1,
        "plenary_id": 1,
        "item_id": 1,
        "invitation_id": 1,
        "user_id": 1,
        "token": "not-a-token",
        "citation_id": 1,
    }
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "accounts.logout", "accounts.login", "switch_language"):
            continue
        missing = set(rule.arguments) - set(values)
        assert not missing, f"add a value for {missing} of {rule.rule} to this test"
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
        out.append((rule, rule.methods - {"HEAD", "OPTIONS"}, url))
    return out


def _text(resp) -> str:
    """A response's text: the page, or the text of every page of a PDF."""
    if resp.mimetype == "application/pdf" and resp.status_code == 200:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(resp.get_data()))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    if resp.mimetype.startswith("text") or resp.mimetype == "application/json":
        return resp.get_data(as_text=True)
    return resp.get_data().decode("latin-1")


def _leaks(text: str) -> list[str]:
    return [s for s in (SECRET, FILENAME, ORG, "kotayk") if s.lower() in text.lower()]


@pytest.mark.parametrize("who", ["contact_am", "contributor_am", "other_ngo"])
def test_no_route_shows_a_confidential_ngo_submission(app, setup, who):
    w = setup["world"]
    rid = setup["reply_id"]
    before = _snapshot(app, rid)
    client = app.test_client()
    assert login(client, w.users[who]).status_code == 302
    checked = pdfs = 0
    for rule, methods, url in _urls(app, setup):
        names_reply = "reply_id" in rule.arguments
        if "GET" in methods:
            resp = client.get(url)
            if names_reply:
                assert resp.status_code in (403, 404), (who, url, resp.status_code)
            body = _text(resp)
            assert not _leaks(body), (who, url, _leaks(body))
            if resp.status_code == 200 and resp.mimetype == "application/pdf":
                assert "informed of their rights" in body  # the PDF's text was read
                pdfs += 1
            if resp.status_code in (301, 302, 303):
                followed = client.get(resp.headers["Location"], follow_redirects=True)
                assert not _leaks(followed.get_data(as_text=True)), (who, url)
            checked += 1
        if "POST" in methods and names_reply:
            resp = client.post(
                url,
                data={
                    "ngo_info_practice": "overwritten",
                    "publishable": "1",
                    "decision": "accept",
                    "organisation": [setup["org_id"]],
                    "all": "1",
                },
            )
            assert resp.status_code in (403, 404), (who, "POST", url, resp.status_code)
            assert not _leaks(resp.get_data(as_text=True)), (who, "POST", url)
            checked += 1
    assert _snapshot(app, rid) == before
    assert checked >= 20
    if who != "other_ngo":
        assert pdfs >= 1  # the report PDF was read, and searched, as text


@pytest.mark.parametrize("who", ["contact_am", "contributor_am"])
def test_party_pages_do_not_mention_the_submission(app, setup, who):
    """The Party's own pages (dashboard, evaluation, its reply, its side of the report)
    neither list nor count the NGO submission."""
    w = setup["world"]
    client = app.test_client()
    login(client, w.users[who])
    client.post(f"/evaluations/{w.am.id}/reply")  # the Party's own reply exists
    for url in ("/dashboard", f"/evaluations/{w.am.id}", "/account", "/published"):
        resp = client.get(url)
        assert resp.status_code == 200
        text = resp.get_data(as_text=True)
        assert not _leaks(text) and "NGO submission" not in text, url


def test_the_panel_and_the_cosigner_do_see_it(app, setup):
    """The routes above are not empty for those who may read the submission."""
    w = setup["world"]
    rid, aid = setup["reply_id"], setup["attachment_id"]
    for who in ("panel", "secretariat", "cosigner", "ngo"):
        client = app.test_client()
        login(client, w.users[who])
        assert SECRET in client.get(f"/replies/{rid}/view").get_data(as_text=True), who
        assert client.get(f"/replies/{rid}/receipt").status_code == 200, who
        pdf_resp = client.get(f"/replies/{rid}/receipt.pdf")
        assert pdf_resp.status_code == 200 and pdf_resp.mimetype == "application/pdf", who
        download = client.get(f"/replies/{rid}/attachments/{aid}")
        assert download.status_code == 200, who
        assert FILENAME in download.headers["Content-Disposition"], who
    client = app.test_client()
    login(client, w.users["panel"])
    compare = client.get(f"/evaluations/{w.am.id}/compare?section=information")
    assert SECRET in compare.get_data(as_text=True)
    assert "Joint submission by Hope Coalition, La Strada" in compare.get_data(as_text=True)


def test_a_draft_ngo_submission_is_hidden_from_the_party_and_the_panel(app, setup):
    w = setup["world"]
    with app.app_context():
        other = db.session.get(Organisation, w.users["other_ngo"].organisation_id)
        reply = services.get_or_create_reply(
            db.session, db.session.merge(w.am), Audience.NGO, other
        )
        services.save_answers(
            db.session,
            reply,
            db.session.merge(w.users["other_ngo"]),
            {"ngo_info_practice": SECRET},
            "en",
        )
        db.session.commit()
        rid = reply.id
    for who in ("contact_am", "contributor_am", "panel", "ngo", "cosigner"):
        client = app.test_client()
        login(client, w.users[who])
        for url in (
            f"/replies/{rid}",
            f"/replies/{rid}/view",
            f"/replies/{rid}/check",
            f"/replies/{rid}/sections/ngo_information",
        ):
            assert client.get(url).status_code == 404, (who, url)


def test_a_declined_cosigner_loses_access(app, setup):
    w = setup["world"]
    rid = setup["reply_id"]
    with app.app_context():
        # a second invitation, declined, by the unrelated NGO
        reply = db.session.get(Reply, rid)
        reply.status = ReplyStatus.DRAFT
        cosigning.invite(
            db.session,
            reply,
            db.session.merge(w.users["ngo"]),
            [w.users["other_ngo"].organisation_id],
        )
        reply.status = ReplyStatus.SUBMITTED
        db.session.commit()
    client = app.test_client()
    login(client, w.users["other_ngo"])
    assert client.get(f"/replies/{rid}/view").status_code == 200
    client.post(f"/replies/{rid}/cosignature", data={"decision": "decline"})
    assert client.get(f"/replies/{rid}/view").status_code == 404
    listing = client.get("/joint-submissions").get_data(as_text=True)
    assert "no invitation to co-sign" in listing and ORG not in listing
