"""Attachments over HTTP: uploading in a section save, removing, downloading, and who may
download what."""

import io
import re
from urllib.parse import quote

import pytest
from sqlmodel import select

from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation
from monitor.submissions import services
from monitor.submissions.models import Attachment, Reply
from tests.conftest import make_app, reset_schema
from tests.factories import assign_all_sections, detach_world, login, make_world
from tests.submissions.samples import SAMPLES, add_file_items, image, pdf
from tests.submissions.test_services import COMPLETE


def _world(app):
    with app.app_context():
        w = make_world(db.session)
        add_file_items(db.session, w)
        db.session.commit()
        return detach_world(db.session, w)


@pytest.fixture
def world(app):
    return _world(app)


def _party_reply(client, world) -> int:
    resp = client.post(f"/evaluations/{world.am.id}/reply")
    rid = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    if not _assigned(client.application, rid):
        assign_all_sections(client.application, rid, world.users["contributor_am"])
    return rid


def _assigned(app, rid: int) -> bool:
    from monitor.submissions.team_models import SectionAssignment

    with app.app_context():
        return bool(
            db.session.exec(
                select(SectionAssignment).where(SectionAssignment.reply_id == rid)
            ).first()
        )


def _post(client, rid, section="documents", **data):
    data.setdefault("action", "stay")
    return client.post(
        f"/replies/{rid}/sections/{section}", data=data, content_type="multipart/form-data"
    )


def _values(app, rid):
    with app.app_context():
        return services.answer_values(db.session, db.session.get(Reply, rid))


def _attachments(app):
    with app.app_context():
        return {a.id: a.filename for a in db.session.exec(select(Attachment)).all()}


def test_section_page_is_multipart_with_a_file_input_and_hint(client, world):
    login(client, world.users["contributor_am"])
    rid = _party_reply(client, world)
    html = client.get(f"/replies/{rid}/sections/documents").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<input type="file"[^>]*id="item-laws"[^>]*name="laws"[^>]*multiple', html)
    assert 'accept=".pdf,application/pdf,.docx,' in html
    # the plan takes one file: no "multiple"
    assert not re.search(r'<input type="file"[^>]*name="plan"[^>]*multiple', html)
    assert (
        "Accepted types: PDF, DOCX, ODT. You can attach up to 2 files, each at most 25 MB." in html
    )
    assert "You can attach 1 file of at most 25 MB." in html


def test_upload_remove_and_download_in_a_section_save(client, world, app):
    login(client, world.users["contributor_am"])
    rid = _party_reply(client, world)
    resp = _post(
        client,
        rid,
        laws=[
            (io.BytesIO(pdf("law")), "Закон_2014.pdf"),
            (io.BytesIO(SAMPLES["odt"]), "décret.odt"),
        ],
        documents_note="Typed with the files",
        action="save",
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/replies/{rid}")
    values = _values(app, rid)
    assert values["documents_note"] == "Typed with the files"
    names = _attachments(app)
    assert [names[i] for i in values["laws"]] == ["Закон_2014.pdf", "décret.odt"]
    law_id, decree_id = values["laws"]

    html = client.get(f"/replies/{rid}/sections/documents").get_data(as_text=True)
    url = f"/replies/{rid}/attachments/{law_id}"
    assert f'<a href="{url}">Закон_2014.pdf</a>' in html
    assert f'name="laws__remove" value="{law_id}"' in html
    assert "(PDF, 1\u00a0kB)" in html or "(PDF, " in html

    resp = client.get(url)
    assert resp.status_code == 200 and resp.data == pdf("law")
    assert resp.mimetype == "application/pdf"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('Закон_2014.pdf')}" in disposition
    assert 'filename="2014.pdf"' in disposition
    assert "sandbox" in resp.headers["Content-Security-Policy"]

    # remove the law: the answer keeps the decree, and the law is no longer served
    resp = _post(client, rid, laws__remove=str(law_id))
    assert _values(app, rid)["laws"] == [decree_id]
    assert client.get(url).status_code == 404
    assert client.get(f"/replies/{rid}/attachments/{decree_id}").status_code == 200


def test_refused_upload_keeps_everything_typed_and_explains(client, world, app):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    resp = _post(
        client,
        rid,
        laws=[(io.BytesIO(image("PNG")), "scan.pdf"), (io.BytesIO(pdf("ok")), "ok.pdf")],
        plan=(io.BytesIO(b"print('hi')"), "../../config.py"),
        documents_note="Не потерять этот текст",
        action="next",
    )
    # back to the same section (not the next one), with the reasons
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/replies/{rid}/sections/documents")
    values = _values(app, rid)
    assert values["documents_note"] == "Не потерять этот текст"
    assert [_attachments(app)[i] for i in values["laws"]] == ["ok.pdf"]
    assert values.get("plan") is None
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="error-summary"' in html and 'href="#item-laws"' in html
    assert "“scan.pdf” is named as a PDF file but its content is PNG." in html
    assert "“config.py” is not a type this question accepts." in html
    assert "Не потерять этот текст" in html
    assert "some files were not attached" in html
    # shown once
    assert "scan.pdf" not in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_refusal_in_russian(client, world):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    client.get("/lang/ru")
    _post(client, rid, laws=(io.BytesIO(image("PNG")), "скан.pdf"))
    html = client.get(f"/replies/{rid}/sections/documents").get_data(as_text=True)
    assert "«скан.pdf» назван как файл PDF, но его содержимое — PNG." in html
    assert "Допустимые типы: PDF, DOCX, ODT." in html


def test_max_files_enforced_on_upload(client, world, app):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    _post(
        client,
        rid,
        laws=[(io.BytesIO(pdf(str(n))), f"закон-{n}.pdf") for n in range(3)],
        plan=[(io.BytesIO(SAMPLES["csv"]), "план.csv"), (io.BytesIO(SAMPLES["ods"]), "план.ods")],
    )
    values = _values(app, rid)
    assert len(values["laws"]) == 2 and len(values["plan"]) == 1
    html = client.get(f"/replies/{rid}/sections/documents").get_data(as_text=True)
    assert "“закон-2.pdf” was not attached: this question takes at most 2 files." in html
    assert "“план.ods” was not attached: this question takes at most 1 file." in html
    # removing one and adding one in the same save works
    first = values["laws"][0]
    _post(client, rid, laws__remove=str(first), laws=(io.BytesIO(pdf("new")), "new.pdf"))
    values = _values(app, rid)
    assert first not in values["laws"] and len(values["laws"]) == 2


def test_one_attachment_referenced_from_two_answers(client, world, app):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    _post(client, rid, laws=(io.BytesIO(pdf("plan-and-law")), "plan.pdf"))
    shared = _values(app, rid)["laws"][0]
    html = client.get(f"/replies/{rid}/sections/documents").get_data(as_text=True)
    assert f'name="plan__reuse" value="{shared}"' in html
    _post(client, rid, plan__reuse=str(shared))
    values = _values(app, rid)
    assert values["plan"] == [shared] and values["laws"] == [shared]
    assert len(_attachments(app)) == 1
    # removed from one answer, still served: the other lists it
    _post(client, rid, laws__remove=str(shared))
    assert client.get(f"/replies/{rid}/attachments/{shared}").status_code == 200


def test_download_access_for_each_role(client, world, app):
    login(client, world.users["contributor_am"])
    rid = _party_reply(client, world)
    _post(client, rid, laws=(io.BytesIO(pdf("x")), "Отчёт_2024.pdf"))
    aid = _values(app, rid)["laws"][0]
    url = f"/replies/{rid}/attachments/{aid}"
    assert client.get(url).status_code == 200
    client.post("/logout")
    for role, status in (("contact_am", 200), ("contact_ua", 404), ("panel", 404)):
        login(client, world.users[role])
        assert client.get(url).status_code == status, role
        client.post("/logout")
    # another reply's URL with this attachment id: 404
    login(client, world.users["contact_ua"])
    other = client.post(f"/evaluations/{world.ua.id}/reply")
    other_id = int(other.headers["Location"].rstrip("/").split("/")[-1])
    assert client.get(f"/replies/{other_id}/attachments/{aid}").status_code == 404
    client.post("/logout")
    # submitted: the panel may download, the other Party still not
    with app.app_context():
        reply = db.session.get(Reply, rid)
        services.save_answers(db.session, reply, world.users["contact_am"], COMPLETE, "en")
        services.submit_reply(db.session, reply, world.users["contact_am"])
        db.session.commit()
    login(client, world.users["panel"])
    assert client.get(url).status_code == 200
    view = client.get(f"/replies/{rid}/view").get_data(as_text=True)
    assert f'<a href="{url}">Отчёт_2024.pdf</a>' in view
    compare = client.get(f"/evaluations/{world.am.id}/compare?section=documents")
    assert f'<a href="{url}">Отчёт_2024.pdf</a>' in compare.get_data(as_text=True)
    client.post("/logout")
    login(client, world.users["contact_ua"])
    assert client.get(url).status_code == 404


def test_confidential_ngo_evidence_never_reaches_the_party(client, world, app):
    login(client, world.users["ngo"])
    resp = client.post(f"/evaluations/{world.am.id}/ngo-submission")
    rid = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    _post(
        client,
        rid,
        section="ngo_information",
        ngo_info_practice="Victims get a leaflet.",
        evidence=(io.BytesIO(image("JPEG")), "фото.jpg"),
    )
    aid = _values(app, rid)["evidence"][0]
    url = f"/replies/{rid}/attachments/{aid}"
    resp = client.get(url)
    assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
    assert "filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.jpg" in resp.headers["Content-Disposition"]
    assert 'filename="attachment-' in resp.headers["Content-Disposition"]
    client.post("/logout")
    login(client, world.users["panel"])
    assert client.get(url).status_code == 404  # draft
    client.post("/logout")
    login(client, world.users["ngo"])
    assert client.post(f"/replies/{rid}/check").status_code == 302
    client.post("/logout")
    for role, status in (("contact_am", 404), ("contributor_am", 404), ("panel", 200)):
        login(client, world.users[role])
        assert client.get(url).status_code == status, role
        client.post("/logout")
    with app.app_context():
        assert db.session.get(Reply, rid).confidential


def test_submit_needs_the_required_file(client, world, app):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    with app.app_context():
        reply = db.session.get(Reply, rid)
        services.save_answers(db.session, reply, world.users["contact_am"], COMPLETE, "en")
        db.session.commit()
    html = client.post(f"/replies/{rid}/check").get_data(as_text=True)
    assert "Attach at least one file: it is required." in html
    assert f"/replies/{rid}/sections/documents?check=1#item-laws" in html
    page = client.get(f"/replies/{rid}/sections/documents?check=1").get_data(as_text=True)
    assert "Attach at least one file: it is required." in page
    _post(client, rid, laws=(io.BytesIO(pdf()), "law.pdf"))
    resp = client.post(f"/replies/{rid}/check")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/replies/{rid}/receipt")


def test_oversize_file_refused_beside_the_question_and_oversize_request_413(tmp_path):
    app = make_app(tmp_path, MAX_UPLOAD_BYTES=2000, MAX_REQUEST_BYTES=20_000)
    reset_schema(app)
    try:
        world = _world(app)
        client = app.test_client()
        login(client, world.users["contact_am"])
        rid = _party_reply(client, world)
        resp = _post(
            client,
            rid,
            laws=(io.BytesIO(pdf() + b"0" * 3000), "большой.pdf"),
            documents_note="kept",
        )
        assert resp.status_code == 302
        assert _values(app, rid)["documents_note"] == "kept"
        html = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "“большой.pdf” is larger than 2 kB" in html
        assert list((tmp_path / "uploads").rglob("*.pdf")) == []
        resp = _post(client, rid, laws=(io.BytesIO(b"0" * 30_000), "huge.pdf"))
        assert resp.status_code == 413
        text = resp.get_data(as_text=True)
        assert "The files sent are too large" in text and "at most 2 kB" in text
    finally:
        with app.app_context():
            db.engine.dispose()


def test_reply_bound_to_old_version_without_file_items_unaffected(client, world, app):
    """A reply on a questionnaire without file items posts no files and renders as before."""
    with app.app_context():
        ev = db.session.get(Evaluation, world.ua.id)
        reply = services.get_or_create_reply(db.session, ev, Audience.PARTY)
        db.session.commit()
        rid = reply.id
    login(client, world.users["contact_ua"])
    resp = _post(client, rid, section="information", info_law="Law", action="stay")
    assert resp.status_code == 302
    assert _values(app, rid)["info_law"] == "Law"


# --- file items inside a repeatable group entry ------------------------------------------


def _coordination(client, rid, **data):
    base = {
        "has_body": "yes",
        "bodies__count": "1",
        "bodies__0__body_name": "Национальная комиссия",
        "bodies__0__body_kind": "ministry",
    }
    return _post(client, rid, section="coordination", **{**base, **data})


def test_file_in_a_group_entry_uploaded_kept_and_removed_with_the_entry(client, world, app):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    resp = _coordination(client, rid, bodies__0__body_statute=(io.BytesIO(pdf("s")), "Устав.pdf"))
    assert resp.status_code == 302
    entry = _values(app, rid)["bodies"][0]
    aid = entry["body_statute"][0]
    assert entry["body_name"] == "Национальная комиссия"
    url = f"/replies/{rid}/attachments/{aid}"
    html = client.get(f"/replies/{rid}/sections/coordination").get_data(as_text=True)
    assert f'<a href="{url}">Устав.pdf</a>' in html
    assert f'name="bodies__0__body_statute__remove" value="{aid}"' in html
    assert re.search(r'<input type="file"[^>]*id="cell-bodies-0-body_statute"', html)
    # a later save without a new file keeps it; a second entry gets its own field
    _coordination(
        client,
        rid,
        bodies__count="2",
        bodies__1__body_name="Ministry of Labour",
        bodies__1__body_kind="ministry",
        bodies__1__body_statute=(io.BytesIO(SAMPLES["odt"]), "statut.odt"),
    )
    entries = _values(app, rid)["bodies"]
    assert entries[0]["body_statute"] == [aid] and len(entries[1]["body_statute"]) == 1
    assert client.get(url).status_code == 200
    # removing the first entry removes its file from the reply: no longer served
    _coordination(
        client,
        rid,
        bodies__count="2",
        bodies__1__body_name="Ministry of Labour",
        bodies__1__body_kind="ministry",
        action="remove:bodies:0",
    )
    entries = _values(app, rid)["bodies"]
    assert [e["body_name"] for e in entries] == ["Ministry of Labour"]
    assert entries[0]["body_statute"] != [aid]
    assert client.get(url).status_code == 404
    html = client.get(f"/replies/{rid}/sections/coordination").get_data(as_text=True)
    assert "statut.odt" in html and "Устав.pdf" not in html


def test_refused_file_in_a_group_entry_points_at_its_input(client, world, app):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    resp = _coordination(
        client, rid, bodies__0__body_statute=(io.BytesIO(SAMPLES["xlsx"]), "x.xlsx")
    )
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'href="#cell-bodies-0-body_statute"' in html
    assert "“x.xlsx” is not a type this question accepts. Attach a file of type PDF, ODT." in html
    assert _values(app, rid)["bodies"][0]["body_name"] == "Национальная комиссия"


def test_group_file_links_on_the_reply_view_and_hidden_files_withheld_from_the_panel(
    client, world, app
):
    login(client, world.users["contact_am"])
    rid = _party_reply(client, world)
    _coordination(client, rid, bodies__0__body_statute=(io.BytesIO(pdf("s")), "Устав.pdf"))
    _post(client, rid, laws=(io.BytesIO(pdf("law")), "law.pdf"))
    aid = _values(app, rid)["bodies"][0]["body_statute"][0]
    url = f"/replies/{rid}/attachments/{aid}"
    view = client.get(f"/replies/{rid}/view").get_data(as_text=True)
    assert f'<a href="{url}">Устав.pdf</a>' in view
    # the group is hidden again (no body): kept for the respondent, withheld from the panel
    _post(client, rid, section="coordination", has_body="no", bodies__count="1")
    assert _values(app, rid)["bodies"][0]["body_statute"] == [aid]
    assert client.get(url).status_code == 200
    with app.app_context():
        reply = db.session.get(Reply, rid)
        services.save_answers(db.session, reply, world.users["contact_am"], COMPLETE, "en")
        services.submit_reply(db.session, reply, world.users["contact_am"])
        db.session.commit()
    client.post("/logout")
    login(client, world.users["panel"])
    assert client.get(url).status_code == 404
    assert "Устав.pdf" not in client.get(f"/replies/{rid}/view").get_data(as_text=True)


def test_preview_shows_file_items_without_a_reply(client, world, app):
    login(client, world.users["secretariat"])
    with app.app_context():
        version_id = db.session.get(Evaluation, world.am.id).questionnaire_version_id
    html = client.get(f"/questionnaires/versions/{version_id}?section=documents").get_data(
        as_text=True
    )
    assert re.search(r'<input type="file"[^>]*id="item-laws"', html)
    assert "You can attach up to 2 files, each at most 25 MB." in html
    html = client.get(f"/questionnaires/versions/{version_id}?section=coordination").get_data(
        as_text=True
    )
    assert 'name="bodies__0__body_statute"' in html
    with app.app_context():
        assert db.session.exec(select(Reply)).all() == []
