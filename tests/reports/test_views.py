"""The report pages over HTTP: the whole cycle, who may see and do what, the editor's
error handling, the audit timeline, the PDF route, the published list and stored XSS
(known failure B25)."""

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from monitor.extensions import db
from monitor.reports.models import Report, ReportComment, ReportParagraph, ReportStatus

from .conftest import Data, login


def url(data: Data, suffix: str = "") -> str:
    return f"/evaluations/{data.am_evaluation}/report{suffix}"


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


def numbered(html: str) -> list[tuple[int, str]]:
    """(number, first words of the body) for each paragraph on the page, in order."""
    out = []
    for m in re.finditer(
        r'<div class="num"[^>]*>(\d+)</div>\s*<div class="body">(.*?)</div>', html, re.S
    ):
        body = re.sub(r"<[^>]+>", " ", m.group(2))
        out.append((int(m.group(1)), " ".join(body.split())))
    return out


def chapter_ids(app: Flask, data: Data) -> list[int]:
    from monitor.reports import services

    with app.app_context():
        report = services.report_for_evaluation(db.session, data.am_evaluation)
        assert report is not None
        return [c.id for c in services.chapters(db.session, report)]  # type: ignore[misc]


def paragraph_ids(app: Flask, data: Data) -> list[int]:
    from monitor.reports import services

    with app.app_context():
        report = services.report_for_evaluation(db.session, data.am_evaluation)
        assert report is not None
        return [p.id for _c, ps in services.structure(db.session, report) for _n, p in ps]  # type: ignore[misc]


def report_row(app: Flask, data: Data) -> Report:
    with app.app_context():
        report = db.session.exec(
            select(Report).where(Report.evaluation_id == data.am_evaluation)
        ).one()
        db.session.expunge(report)
        return report


def add_paragraph(client: FlaskClient, data: Data, chapter: int, text: str, **extra: str) -> Any:
    form = {"chapter": str(chapter), "kind": "narrative", "text": text, "verb": ""}
    form.update(extra)
    return client.post(url(data, "/paragraphs/new"), data=form)


@pytest.fixture
def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, str]]:
    """Replace the PDF layout (the child process of
    :func:`monitor.core.pdf.render_isolated`) by a stub that records the language of each
    document it is given; the route still builds the report's HTML and runs the job."""
    calls: list[tuple[Any, str]] = []

    def render_isolated(html: str, root: Any, **_limits: Any) -> bytes:
        match = re.search(r'<html lang="([a-z]+)"', html)
        calls.append((None, match.group(1) if match else ""))
        return b"%PDF-1.7 stub"

    monkeypatch.setattr("monitor.core.pdfjobs.render_isolated", render_isolated)
    return calls


def walk(app: Flask, client: FlaskClient, data: Data) -> None:
    """Move the started report (with a paragraph) to the Party: review, approval at a
    plenary, sending."""
    from datetime import date

    from monitor.accounts.models import User
    from monitor.reports import cycle, plenaries, services
    from monitor.reports.models import PlenaryItemKind

    with app.app_context():
        s = db.session
        report = services.report_for_evaluation(s, data.am_evaluation)
        sec = s.get(User, data.users["secretariat"])
        assert report is not None and sec is not None
        cycle.transition(s, report, "submit_for_review", sec)
        plenary = plenaries.create_plenary(s, sec, "50th", date(2020, 1, 1), date(2020, 1, 2))
        plenaries.add_agenda_item(s, plenary, report, PlenaryItemKind.APPROVE_DRAFT, sec)
        cycle.transition(s, report, "approve_draft", sec, plenary=plenary)
        cycle.transition(s, report, "send_to_party", sec)
        s.commit()


def start(client: FlaskClient, data: Data) -> None:
    login(client, "panel")
    response = client.post(url(data, "/start"))
    assert response.status_code == 302


# --- the whole cycle -------------------------------------------------------------------------


def test_whole_cycle_over_http(
    app: Flask, client: FlaskClient, data: Data, fake_pdf: list[tuple[Any, str]]
) -> None:
    # Nobody but the panel sees the empty page; the panel gets a button to start.
    login(client, "panel")
    page = text_of(client.get(url(data)))
    assert "Start the report" in page
    client.post(url(data, "/start"))
    page = text_of(client.get(url(data)))
    assert "Report concerning the implementation of the Council of Europe Convention" in page
    # default chapters: introduction, overview, developments (round 3), the questionnaire's
    # thematic sections, follow-up, conclusions
    for title in ("Introduction", "Developments since the previous", "Compensation", "Conclusions"):
        assert title in page
    intro, _overview, _dev, _info, comp, *_rest = chapter_ids(app, data)

    # narrative in the introduction, a proposal in a later chapter
    r = add_paragraph(client, data, intro, "The third evaluation of Armenia started in 2022.")
    assert r.status_code == 302
    r = add_paragraph(
        client,
        data,
        comp,
        "GRETA urges the authorities to guarantee effective access to compensation.",
        kind="proposal",
        verb="urges",
        articles="15, 23",
        footnotes="Law on Combating Trafficking, 2014.\nNGO reports, 2023.",
    )
    assert r.status_code == 302
    r = add_paragraph(client, data, intro, "The visit took place in May 2023.")
    assert r.status_code == 302
    page = text_of(client.get(url(data)))
    nums = numbered(page)
    assert [n for n, _t in nums] == [1, 2, 3]
    assert nums[0][1].startswith("The third evaluation")
    assert nums[1][1].startswith("The visit")
    assert "Proposal" in nums[2][1] and "urges" in nums[2][1] and "Articles 15, 23" in nums[2][1]
    assert "Law on Combating Trafficking, 2014." in page and "NGO reports, 2023." in page

    # insert after paragraph 1: everything after it is renumbered
    first = paragraph_ids(app, data)[0]
    form_page = client.get(url(data, f"/paragraphs/new?after={first}"))
    assert "New paragraph after paragraph 1" in text_of(form_page)
    r = client.post(
        url(data, "/paragraphs/new"),
        data={"after": str(first), "kind": "narrative", "text": "Inserted paragraph.", "verb": ""},
    )
    assert r.status_code == 302
    nums = numbered(text_of(client.get(url(data))))
    assert [(n, t.split()[0]) for n, t in nums] == [
        (1, "The"),
        (2, "Inserted"),
        (3, "The"),
        (4, "Proposal"),
    ]

    # a proposal without a verb is refused and every typed value comes back
    r = add_paragraph(
        client,
        data,
        comp,
        "GRETA considers that the authorities should train judges.",
        kind="proposal",
        articles="15, 26",
        footnotes="A footnote kept.",
    )
    assert r.status_code == 422
    page = text_of(r)
    assert "A proposal needs a verb: urges / considers / invites." in page
    assert 'id="verb-error"' in page  # shown next to the verb field
    assert "GRETA considers that the authorities should train judges." in page
    assert 'value="15, 26"' in page and "A footnote kept." in page
    assert re.search(r'value="proposal"[^>]*checked|checked[^>]*value="proposal"', page)
    assert len(paragraph_ids(app, data)) == 4
    # an article list that is not numbers is a field error, values kept too
    r = add_paragraph(client, data, comp, "Some text.", articles="fifteen")
    assert r.status_code == 422 and "separated by commas" in text_of(r)
    assert "Some text." in text_of(r)

    # edit a paragraph on its own page
    para = paragraph_ids(app, data)[1]
    edit = text_of(client.get(url(data, f"/paragraphs/{para}/edit")))
    assert "Inserted paragraph." in edit
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', edit)
    assert version is not None
    r = client.post(
        url(data, f"/paragraphs/{para}/edit"),
        data={
            "kind": "narrative",
            "text": "Inserted, then edited.",
            "verb": "",
            "version": version.group(1),
        },
    )
    assert r.status_code == 302
    assert "Inserted, then edited." in text_of(client.get(url(data)))

    # the Party sees nothing while the draft is drafted
    login(client, "contact_am")
    assert client.get(url(data)).status_code == 404

    # the panel sends it for review, the secretariat approves it at a plenary and records
    # the plenary from the plenary pages; then it goes to the Party
    login(client, "panel")
    r = client.post(url(data, "/cycle/submit_for_review"), follow_redirects=True)
    assert "The draft is with the panel for review." in text_of(r)
    login(client, "secretariat")
    r = client.post(
        "/plenaries",
        data={"name": "52nd plenary", "start_date": "2020-03-10", "end_date": "2020-03-14"},
    )
    assert r.status_code == 302
    plenary_url = r.headers["Location"]
    with app.app_context():
        report_id = db.session.exec(select(Report.id)).one()
    client.post(plenary_url + "/items", data={"report": str(report_id), "kind": "approve_draft"})
    page = text_of(client.get(plenary_url))
    assert "Approve the draft" in page and "Armenia" in page
    item = re.search(r"/items/(\d+)/decide", page)
    assert item is not None
    r = client.post(plenary_url + f"/items/{item.group(1)}/decide", follow_redirects=True)
    assert "The draft has been approved." in text_of(r)
    assert report_row(app, data).status == ReportStatus.DRAFT_APPROVED
    # deciding twice is refused with 409 and a message
    r = client.post(plenary_url + f"/items/{item.group(1)}/decide")
    assert r.status_code == 409
    r = client.post(url(data, "/cycle/send_to_party"), follow_redirects=True)
    assert "The draft has been sent to the Party." in text_of(r)
    assert report_row(app, data).status == ReportStatus.SENT_TO_PARTY

    # the contributor drafts a comment, the contact person sends the Party's comments
    login(client, "contributor_am")
    target = paragraph_ids(app, data)[0]
    r = client.post(
        url(data, "/comments"),
        data={"paragraph": str(target), "text": "The evaluation started in 2021."},
    )
    assert r.status_code == 302
    assert client.post(url(data, "/cycle/send_comments")).status_code == 403
    login(client, "panel")
    assert "The evaluation started in 2021." not in text_of(client.get(url(data)))
    login(client, "contact_am")
    assert "The evaluation started in 2021." in text_of(client.get(url(data)))
    r = client.post(url(data, "/cycle/send_comments"), follow_redirects=True)
    assert "Your comments have been sent to the panel." in text_of(r)

    # the panel revises and answers
    login(client, "panel")
    r = client.post(url(data, "/cycle/start_revision"), follow_redirects=True)
    assert "The revision has started." in text_of(r)
    with app.app_context():
        comment_id = db.session.exec(select(ReportComment.id)).one()
    page = text_of(client.get(url(data)))
    assert 'value="partly" required> Partly taken into account' in page
    r = client.post(
        url(data, f"/comments/{comment_id}/answer"), data={"response": "partly", "reason": ""}
    )
    r = client.get(url(data))
    assert "Give the reason" in text_of(r)
    client.post(
        url(data, f"/comments/{comment_id}/answer"),
        data={"response": "partly", "reason": "Date corrected in paragraph 1."},
    )
    page = text_of(client.get(url(data)))
    assert "Partly taken into account" in page and "Date corrected in paragraph 1." in page
    login(client, "contact_am")
    page = text_of(client.get(url(data)))
    assert "The evaluation started in 2021." in page and "Date corrected" not in page


# --- access details ------------------------------------------------------------------------


def test_without_a_report_only_the_panel_sees_the_page(client: FlaskClient, data: Data) -> None:
    for who in ("contact_am", "contributor_am", "ngo", "contact_ua"):
        login(client, who)
        assert client.get(url(data)).status_code == 404, who
        assert client.post(url(data, "/start")).status_code == 404, who
    client.post("/logout")
    assert client.get(url(data)).status_code == 302
    assert client.post(url(data, "/start")).status_code == 302
    login(client, "secretariat")
    assert "Start the report" in text_of(client.get(url(data)))
    assert client.get("/evaluations/9999/report").status_code == 404


def test_party_users_cannot_act_as_the_panel(app: Flask, client: FlaskClient, data: Data) -> None:
    start(client, data)
    add_paragraph(client, data, chapter_ids(app, data)[0], "Text.")
    walk(app, client, data)
    login(client, "contact_am")
    for suffix in ("/cycle/start_revision", "/chapters"):
        assert client.post(url(data, suffix), data={"title": "x"}).status_code == 403, suffix
    pid = paragraph_ids(app, data)[0]
    assert client.get(url(data, f"/paragraphs/{pid}/edit")).status_code == 403
    assert client.post(url(data, f"/paragraphs/{pid}/delete")).status_code == 403
    assert report_row(app, data).status == ReportStatus.SENT_TO_PARTY
    # the Ukrainian contact learns nothing, not even through the panel's actions
    login(client, "contact_ua")
    assert client.post(url(data, "/cycle/adopt")).status_code == 404


def test_comments_only_while_with_the_party(app: Flask, client: FlaskClient, data: Data) -> None:
    start(client, data)
    add_paragraph(client, data, chapter_ids(app, data)[0], "Text.")
    walk(app, client, data)
    login(client, "contact_am")
    r = client.post(url(data, "/comments"), data={"paragraph": "", "text": "   "})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.exec(select(ReportComment)).first() is None
    # a paragraph of another report is not accepted
    assert (
        client.post(url(data, "/comments"), data={"paragraph": "999", "text": "x"}).status_code
        == 404
    )


def test_refused_transition_changes_nothing(app: Flask, client: FlaskClient, data: Data) -> None:
    start(client, data)
    r = client.post(url(data, "/cycle/submit_for_review"))
    assert r.status_code == 409 and "The report has no paragraphs yet." in text_of(r)
    r = client.post(url(data, "/cycle/publish"))
    assert r.status_code == 409
    assert "is not possible while the report is in the state" in text_of(r)
    assert client.post(url(data, "/cycle/no_such_action")).status_code == 404
    assert report_row(app, data).status == ReportStatus.DRAFTING


def test_stale_edit_is_refused_with_409(app: Flask, client: FlaskClient, data: Data) -> None:
    start(client, data)
    add_paragraph(client, data, chapter_ids(app, data)[0], "Original.")
    pid = paragraph_ids(app, data)[0]
    r = client.post(
        url(data, f"/paragraphs/{pid}/edit"),
        data={"kind": "narrative", "text": "My version.", "verb": "", "version": "2000-01-01"},
    )
    assert r.status_code == 409 and "My version." in text_of(r)
    with app.app_context():
        assert db.session.get(ReportParagraph, pid).text == "Original."  # type: ignore[union-attr]


def test_delete_paragraph(app: Flask, client: FlaskClient, data: Data) -> None:
    start(client, data)
    intro = chapter_ids(app, data)[0]
    add_paragraph(client, data, intro, "One.")
    add_paragraph(client, data, intro, "Two.")
    client.post(url(data, f"/paragraphs/{paragraph_ids(app, data)[0]}/delete"))
    assert numbered(text_of(client.get(url(data)))) == [(1, "Two.")]


def test_add_chapter(app: Flask, client: FlaskClient, data: Data) -> None:
    start(client, data)
    before = len(chapter_ids(app, data))
    client.post(url(data, "/chapters"), data={"title": "Appendix: bodies met"})
    assert len(chapter_ids(app, data)) == before + 1
    assert "Appendix: bodies met" in text_of(client.get(url(data)))


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_response(
    app: Flask, client: FlaskClient, data: Data, fake_pdf: list[tuple[Any, str]]
) -> None:
    start(client, data)
    r = client.get(url(data, ".pdf?lang=ru"))
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data == b"%PDF-1.7 stub"
    assert 'filename="report-AM-round3-ru.pdf"' in r.headers["Content-Disposition"]
    # default: the UI language; an unknown language falls back to it
    client.get("/lang/fr")
    r = client.get(url(data, ".pdf?lang=xx"))
    assert "report-AM-round3-fr.pdf" in r.headers["Content-Disposition"]
    assert [lang for _id, lang in fake_pdf] == ["ru", "fr"]


def test_real_pdf_renders(app: Flask, client: FlaskClient, data: Data) -> None:
    pytest.importorskip("monitor.reports.pdf")
    start(client, data)
    add_paragraph(client, data, chapter_ids(app, data)[0], "A paragraph for the PDF.")
    r = client.get(url(data, ".pdf?lang=en"))
    assert r.status_code == 200 and r.data.startswith(b"%PDF")


# --- stored XSS (B25) --------------------------------------------------------------------------


def test_paragraph_markup_is_sanitised(app: Flask, client: FlaskClient, data: Data) -> None:
    start(client, data)
    text = (
        "Before <script>alert(1)</script> after <img src=x onerror=alert(1)> "
        "[x](javascript:alert(1)) and [ok](https://example.org) **bold**[^1]"
    )
    r = add_paragraph(
        client, data, chapter_ids(app, data)[0], text, footnotes="<script>alert(2)</script>"
    )
    assert r.status_code == 302
    page = text_of(client.get(url(data)))
    body = page[page.index('<div class="report-text">') : page.index('id="editor"')]
    assert "<script" not in body and "<img" not in body
    # the javascript: link is not a link: markdown-it refuses the URL, nh3 would strip it
    assert not re.search(r"href=\S*javascript", body, re.I)
    assert "[x](javascript:alert(1))" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in body
    assert "<strong>bold</strong>" in body
    assert re.search(r'<sup class="fnref"><a href="#fn-\d+-1">1</a></sup>', body)
    assert "Content-Security-Policy" in client.get(url(data)).headers


def test_comment_text_is_escaped(app: Flask, client: FlaskClient, data: Data) -> None:
    start(client, data)
    add_paragraph(client, data, chapter_ids(app, data)[0], "Text.")
    walk(app, client, data)
    login(client, "contact_am")
    client.post(
        url(data, "/comments"), data={"paragraph": "", "text": "<b>x</b><script>alert(1)</script>"}
    )
    page = text_of(client.get(url(data)))
    assert "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;" in page and "<script>alert" not in page


def test_deadline_extension_over_http(app: Flask, client: FlaskClient, data: Data) -> None:
    start(client, data)
    add_paragraph(client, data, chapter_ids(app, data)[0], "Text.")
    walk(app, client, data)
    login(client, "panel")
    assert "Change the deadline" not in text_of(client.get(url(data)))
    assert client.post(url(data, "/deadline"), data={"due": "2099-01-01"}).status_code == 403
    login(client, "secretariat")
    assert "Change the deadline" in text_of(client.get(url(data)))
    r = client.post(url(data, "/deadline"), data={"due": "2000-01-01"})
    assert r.status_code == 409 and "cannot be set in the past" in text_of(r)
    r = client.post(url(data, "/deadline"), data={"due": "2099-01-01"}, follow_redirects=True)
    assert "The deadline has been changed." in text_of(r)
    assert str(report_row(app, data).comments_due) == "2099-01-01"
    login(client, "contact_am")
    assert client.post(url(data, "/deadline"), data={"due": "2099-02-01"}).status_code == 403
