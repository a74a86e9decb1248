"""Drafting over HTTP: the paragraph editor beside the evidence, citing answers without
JavaScript, findings and priority proposals on the report page, the evidence page, the
skeleton button, and who may reach them (Party users and NGOs never: 404 or 403)."""

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from monitor.extensions import db
from monitor.reports import services
from monitor.reports.models import (
    ParagraphCitation,
    Report,
    ReportChapter,
    ReportParagraph,
    ReportStatus,
)
from tests.factories import login

from .drafting_world import make_drafting


@dataclass
class Ids:
    am: int
    ua: int
    report: int
    intro: int
    info: int
    party_reply: int
    ngo_reply: int
    previous_proposal: int
    emails: dict[str, str]


@pytest.fixture
def ids(app: Flask) -> Ids:
    """Built and committed in its own app context, closed before the requests."""
    with app.app_context():
        d = make_drafting(db.session)
        report = db.session.get(Report, d.report_id)
        assert report is not None
        intro, info = services.chapters(db.session, report)
        db.session.commit()
        return Ids(
            am=d.world.am.id,  # type: ignore[arg-type]
            ua=d.world.ua.id,  # type: ignore[arg-type]
            report=d.report_id,
            intro=intro.id,  # type: ignore[arg-type]
            info=info.id,  # type: ignore[arg-type]
            party_reply=d.party_reply_id,
            ngo_reply=d.ngo_reply_id,
            previous_proposal=d.previous_proposal_id,
            emails={k: u.email for k, u in d.world.users.items()},
        )


def as_user(client: FlaskClient, ids: Ids, who: str) -> None:
    client.post("/logout")
    assert login(client, ids.emails[who]).status_code == 302


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def new_url(ids: Ids) -> str:
    return f"/evaluations/{ids.am}/report/paragraphs/new"


def test_editor_shows_the_chapter_evidence_side_by_side(client: FlaskClient, ids: Ids) -> None:
    as_user(client, ids, "panel")
    page = text(client.get(f"{new_url(ids)}?chapter={ids.info}"))
    assert 'class="drafting-layout"' in page
    assert "Questionnaire section: Right to information" in page
    assert "The Law on Victims, article 12." in page  # the Party's answer
    assert "NGO: Hope Coalition" in page  # the NGO's column
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert "Victims of AM lack information." in page  # the previous round report
    assert f'name="cite" value="{ids.party_reply}:info_law"' in page
    assert 'form="paragraph-form"' in page
    # the form offers the round's themes and the previous round's proposals
    assert 'value="information"' in page and "Right to information" in page
    assert f'<option value="{ids.previous_proposal}">§2 (urges)' in page
    # the introduction has no section: no answers, a hint
    intro = text(client.get(f"{new_url(ids)}?chapter={ids.intro}"))
    assert "not tied to a questionnaire section" in intro


def test_cite_answers_without_javascript_then_save(
    app: Flask, client: FlaskClient, ids: Ids
) -> None:
    as_user(client, ids, "panel")
    party_key = f"{ids.party_reply}:info_law"
    ngo_key = f"{ids.ngo_reply}:ngo_info_practice"
    form = {"chapter": str(ids.info), "kind": "narrative", "text": "The law informs victims."}
    # a Cite click posts the typed paragraph and shows it again, answer cited, unsaved
    response = client.post(new_url(ids), data={**form, "cite": party_key})
    page = text(response)
    assert response.status_code == 200
    assert "The law informs victims." in page
    assert f'type="hidden" name="cited" value="{party_key}"' in page
    assert "Cited by this paragraph" in page
    response = client.post(new_url(ids), data={**form, "cited": [party_key], "cite": ngo_key})
    assert f'value="{ngo_key}"' in text(response)
    # Remove drops one
    response = client.post(
        new_url(ids), data={**form, "cited": [party_key, ngo_key], "uncite": ngo_key}
    )
    assert f'name="cited" value="{ngo_key}"' not in text(response)
    with app.app_context():
        assert db.session.exec(select(ReportParagraph)).all().__len__() == 4  # nothing saved
    # saving stores the citations with the paragraph
    response = client.post(new_url(ids), data={**form, "cited": [party_key, ngo_key]})
    assert response.status_code == 302
    with app.app_context():
        cites = db.session.exec(select(ParagraphCitation)).all()
        assert {(c.reply_id, c.item_id) for c in cites} == {
            (ids.party_reply, "info_law"),
            (ids.ngo_reply, "ngo_info_practice"),
        }
        paragraph_id = cites[0].paragraph_id
    # the report page lists them under the paragraph (panel)
    page = text(client.get(f"/evaluations/{ids.am}/report"))
    assert "Answers cited" in page
    assert f"#answer-{ids.party_reply}-info_law" in page
    # the cited answer links back to its paragraph, on the compare page and in the editor
    compare = text(client.get(f"/evaluations/{ids.am}/compare?section=information"))
    assert re.search(rf'Cited in\s*<a href="[^"]*#p-{paragraph_id}">§1</a>', compare)
    editor = text(client.get(f"{new_url(ids)}?chapter={ids.info}"))
    assert f"#p-{paragraph_id}" in editor
    # the edit form starts with the stored citations; removing one and saving drops it
    edit_url = f"/evaluations/{ids.am}/report/paragraphs/{paragraph_id}/edit"
    page = text(client.get(edit_url))
    assert f'name="cited" value="{party_key}"' in page
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', page)
    assert version is not None
    response = client.post(
        edit_url,
        data={**form, "version": version.group(1), "cited": [ngo_key]},
    )
    assert response.status_code == 302
    with app.app_context():
        cites = db.session.exec(select(ParagraphCitation)).all()
        assert [(c.reply_id, c.item_id) for c in cites] == [(ids.ngo_reply, "ngo_info_practice")]


def test_finding_and_priority_proposal_on_the_report_page(client: FlaskClient, ids: Ids) -> None:
    as_user(client, ids, "panel")
    base = {"chapter": str(ids.info), "text": "Victims get no leaflet."}
    response = client.post(new_url(ids), data={**base, "kind": "finding"})
    assert response.status_code == 422
    assert "A finding needs a grade" in text(response)
    assert (
        client.post(new_url(ids), data={**base, "kind": "finding", "grade": "gap"}).status_code
        == 302
    )
    response = client.post(
        new_url(ids),
        data={
            "chapter": str(ids.info),
            "kind": "proposal",
            "verb": "urges",
            "articles": "12",
            "themes": ["information"],
            "priority": "y",
            "repeats": str(ids.previous_proposal),
            "text": "GRETA urges the authorities to print leaflets.",
        },
    )
    assert response.status_code == 302, text(response)
    page = text(client.get(f"/evaluations/{ids.am}/report"))
    assert "paragraph finding finding-gap" in page and "Finding: Gap" in page
    assert "paragraph proposal priority" in page and 'class="tag priority"' in page
    assert "Themes: Right to information" in page
    assert (
        f"#p-{ids.previous_proposal}" in page and "proposal §2 of the previous round report" in page
    )


def test_evidence_page_and_chapter_section(app: Flask, client: FlaskClient, ids: Ids) -> None:
    as_user(client, ids, "secretariat")
    url = f"/evaluations/{ids.am}/report/chapters/{ids.intro}/evidence"
    assert "not tied to a questionnaire section" in text(client.get(url))
    response = client.post(
        f"/evaluations/{ids.am}/report/chapters/{ids.intro}/section",
        data={"section_id": "compensation"},
    )
    assert response.status_code == 302
    page = text(client.get(url))
    assert "Questionnaire section: Compensation" in page
    client.post(
        f"/evaluations/{ids.am}/report/chapters/{ids.intro}/section",
        data={"section_id": "nonsense"},
    )
    with app.app_context():
        chapter = db.session.get(ReportChapter, ids.intro)
        assert chapter is not None and chapter.section_id == "compensation"


def test_skeleton_button(app: Flask, client: FlaskClient, ids: Ids) -> None:
    as_user(client, ids, "panel")
    page = text(client.get(f"/evaluations/{ids.ua}/report"))
    assert "Start with a skeleton draft" in page
    assert client.post(f"/evaluations/{ids.ua}/report/skeleton").status_code == 302
    page = text(client.get(f"/evaluations/{ids.ua}/report"))
    assert "Overview of the current situation and trends" in page
    assert "sent the questionnaire to the authorities of Ukraine on 15 January 2024" in page
    assert "Generate a skeleton draft" not in page
    # refused on a report with paragraphs: nothing changes
    client.post(
        f"/evaluations/{ids.am}/report/paragraphs/new",
        data={"chapter": str(ids.info), "kind": "narrative", "text": "Some text."},
    )
    client.post(f"/evaluations/{ids.am}/report/skeleton")
    page = text(client.get(f"/evaluations/{ids.am}/report"))
    assert "already has paragraphs" in page
    with app.app_context():
        report = db.session.get(Report, ids.report)
        assert report is not None
        assert [c.title for c in services.chapters(db.session, report)] == [
            "Introduction",
            "Right to information",
        ]


def _urls(ids: Ids) -> list[tuple[str, str]]:
    return [
        ("GET", f"{new_url(ids)}?chapter={ids.info}"),
        ("GET", f"/evaluations/{ids.am}/report/chapters/{ids.info}/evidence"),
        ("POST", f"/evaluations/{ids.am}/report/chapters/{ids.info}/section"),
        ("POST", f"/evaluations/{ids.am}/report/skeleton"),
        ("POST", f"/evaluations/{ids.am}/report/citations/1/delete"),
        ("GET", f"/evaluations/{ids.am}/compare?section=information"),
    ]


@pytest.mark.parametrize("who", ["contact_am", "contributor_am", "contact_ua", "ngo"])
def test_party_users_and_ngos_never_reach_the_editor_or_evidence(
    app: Flask, client: FlaskClient, ids: Ids, who: str
) -> None:
    as_user(client, ids, who)
    for method, url in _urls(ids):
        response = client.open(url, method=method)
        assert response.status_code == 404, (who, url, response.status_code)
    # once the draft is with the Party, its own users may read it but still not draft
    with app.app_context():
        report = db.session.get(Report, ids.report)
        assert report is not None
        report.status = ReportStatus.SENT_TO_PARTY
        db.session.commit()
    for method, url in _urls(ids):
        response = client.open(url, method=method)
        expected = {403} if who in ("contact_am", "contributor_am") else {404}
        if "compare" in url:
            expected = {404}
        assert response.status_code in expected, (who, url, response.status_code)
        assert "The Law on Victims" not in text(response)
        assert "Victims are rarely told" not in text(response)


def test_the_party_never_sees_citations_on_its_draft(
    app: Flask, client: FlaskClient, ids: Ids
) -> None:
    as_user(client, ids, "panel")
    client.post(
        new_url(ids),
        data={
            "chapter": str(ids.info),
            "kind": "narrative",
            "text": "NGOs disagree.",
            "cited": [f"{ids.ngo_reply}:ngo_info_practice"],
        },
    )
    with app.app_context():
        report = db.session.get(Report, ids.report)
        assert report is not None
        report.status = ReportStatus.SENT_TO_PARTY
        db.session.commit()
    as_user(client, ids, "contact_am")
    page = text(client.get(f"/evaluations/{ids.am}/report"))
    assert "NGOs disagree." in page
    assert "Answers cited" not in page and "Hope Coalition" not in page


def test_anonymous_is_sent_to_sign_in(client: FlaskClient, ids: Ids) -> None:
    response = client.get(f"/evaluations/{ids.am}/report/chapters/{ids.info}/evidence")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reply_view_shows_cited_in_to_the_panel_only(client: FlaskClient, ids: Ids) -> None:
    as_user(client, ids, "panel")
    response = client.post(
        new_url(ids),
        data={
            "chapter": str(ids.info),
            "kind": "narrative",
            "text": "The law informs victims.",
            "cited": [f"{ids.party_reply}:info_law"],
        },
    )
    assert response.status_code == 302
    page = text(client.get(f"/replies/{ids.party_reply}/view"))
    assert re.search(r'Cited in <a href="/evaluations/\d+/report#p-\d+">§1</a>', page)
    as_user(client, ids, "contact_am")
    page = text(client.get(f"/replies/{ids.party_reply}/view"))
    assert "The Law on Victims" in page
    assert "Cited in" not in page
