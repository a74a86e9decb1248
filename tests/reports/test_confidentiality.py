"""Confidentiality of the report by every route ("Who may see what" in shared/domain.md;
issue 5, Confidentiality): each report route tried as each role at several states.

Drafts: the panel always; the Party its own once sent; nobody else before publication.
Panel-internal comments and the panel's answers: the panel only. The Party's comments on
the draft: the panel (once sent) and that Party, never the public. Its final comments:
published with the report. A comment the Party has not sent: that Party only.
"""

import re
import sys
import types
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from monitor.reports.models import Report, ReportParagraph

from .conftest import Data, login, walk_to

ROLES = ["anonymous", "ngo", "contact_ua", "contact_am", "contributor_am", "panel", "secretariat"]
STATES = ["drafting", "panel_review", "sent_to_party", "revising", "transmitted", "published"]
PARTY_SEES = {"sent_to_party", "revising", "transmitted", "published"}


@pytest.fixture
def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF route's access rule is under test, not the layout (test_pdf.py). Where
    PDFs are laid out as jobs in a child process (monitor.core.pdfjobs), the child's
    layout is stubbed; otherwise the renderer module is."""
    try:
        import monitor.core.pdfjobs  # noqa: F401
    except ImportError:
        pass
    else:

        def render_isolated(html: str, root: Any, **_limits: Any) -> bytes:
            return b"%PDF-1.7 stub"

        monkeypatch.setattr("monitor.core.pdfjobs.render_isolated", render_isolated)
        return
    module = types.ModuleType("monitor.reports.pdf")

    def render_report_pdf(session: Any, report: Report, lang: str) -> bytes:
        return b"%PDF-1.7 stub"

    module.render_report_pdf = render_report_pdf  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "monitor.reports.pdf", module)


def _expected(role: str, state: str) -> dict[str, Any]:
    panel = role in ("panel", "secretariat")
    own = role in ("contact_am", "contributor_am")
    published = state == "published"
    view = panel or published or (own and state in PARTY_SEES)
    return {
        "view": view,
        "pdf": view and not (own and state == "revising"),
        "versions": panel or (own and state in PARTY_SEES),
        "plenaries": panel,
        "draft_text": view,
        "panel_comment": panel and state not in ("drafting",),
        "party_comment": (panel or own) and state in ("revising", "transmitted", "published"),
        "panel_reason": panel and state in ("transmitted", "published"),
        "final_comment": (panel or own or published) and state == "published",
        "unsent": own and state in ("sent_to_party", "transmitted"),
    }


def _denied(response: Any, role: str) -> bool:
    if role == "anonymous":
        return response.status_code == 302 and "/login" in response.headers["Location"]
    return response.status_code == 404


@pytest.mark.parametrize("state", STATES)
def test_every_route_as_every_role(
    app: Flask, client: FlaskClient, data: Data, fake_pdf: None, state: str
) -> None:
    ids = walk_to(app, data, state)
    base = f"/evaluations/{data.am_evaluation}/report"
    for role in ROLES:
        if role == "anonymous":
            client.post("/logout")
        else:
            login(client, role)
        want = _expected(role, state)
        page = client.get(base)
        if want["view"]:
            assert page.status_code == 200, (role, state)
            html = page.get_data(as_text=True)
            marks = {
                "draft_text": "SECRET DRAFT TEXT.",
                "panel_comment": "PANEL INTERNAL NOTE.",
                "party_comment": "PARTY COMMENT.",
                "panel_reason": "PANEL REASON.",
                "final_comment": "FINAL COMMENT.",
                "unsent": "UNSENT PARTY DRAFT.",
            }
            for key, mark in marks.items():
                assert (mark in html) == want[key], (role, state, key)
        else:
            assert _denied(page, role), (role, state, page.status_code)

        pdf = client.get(base + ".pdf")
        if want["pdf"]:
            assert pdf.status_code == 200, (role, state)
        else:
            assert _denied(pdf, role), (role, state, "pdf", pdf.status_code)

        for url in (base + "/versions", base + "/versions/compare?a=1&b=1"):
            r = client.get(url)
            if want["versions"]:
                assert r.status_code in (200, 404), (role, state, url)
                if r.status_code == 200:
                    assert "PANEL INTERNAL NOTE." not in r.get_data(as_text=True)
            else:
                assert _denied(r, role), (role, state, url, r.status_code)

        for url in ("/plenaries", "/plenaries/1"):
            r = client.get(url)
            if want["plenaries"]:
                assert r.status_code == 200, (role, state, url)
            else:
                assert _denied(r, role), (role, state, url, r.status_code)

        listing = client.get("/published").get_data(as_text=True)
        assert ("Armenia" in listing) == (state == "published"), (role, state)

        # nobody but the panel can take a panel action, whatever they can see
        r = client.post(base + "/cycle/submit_for_review")
        if role == "anonymous":
            assert _denied(r, role) or (want["view"] and r.status_code == 409)
        elif role not in ("panel", "secretariat"):
            assert r.status_code in (403, 404, 409), (role, state, r.status_code)
    assert ids["report"]


def test_party_versions_start_with_the_sent_text(
    app: Flask, client: FlaskClient, data: Data
) -> None:
    walk_to(app, data, "transmitted")
    base = f"/evaluations/{data.am_evaluation}/report/versions"
    login(client, "panel")
    panel_page = client.get(base).get_data(as_text=True)
    login(client, "contact_am")
    party_page = client.get(base).get_data(as_text=True)
    assert "Panel review" in panel_page and "Panel review" not in party_page
    report_page = client.get(f"/evaluations/{data.am_evaluation}/report").get_data(as_text=True)
    assert re.search(r'href="[^"]*/report/versions">\d+ versions?</a>', report_page)
    assert "With the Party for comments" in party_page
    # the panel-only versions cannot be compared by the Party
    assert client.get(base + "/compare?a=1&b=3").status_code == 404


def test_the_panel_compares_a_version_with_the_current_text(
    app: Flask, client: FlaskClient, data: Data
) -> None:
    """While revising, the panel checks its edits against the text the Party was sent
    (``b=current``); the current text is never offered to the Party."""
    from monitor.accounts.models import User
    from monitor.extensions import db
    from monitor.reports import services, versions

    ids = walk_to(app, data, "revising")
    with app.app_context():
        s = db.session
        report = s.get(Report, ids["report"])
        assert report is not None
        sent = next(v for v in versions.versions(s, report) if v.action == "send_to_party")
        para = s.get(ReportParagraph, ids["paragraph"])
        panel = s.get(User, data.users["panel"])
        assert para is not None and panel is not None
        services.update_paragraph(
            s, report, para, panel, "SECRET DRAFT TEXT, revised.", para.kind, None, [], []
        )
        s.commit()
        number = sent.number
    url = f"/evaluations/{data.am_evaluation}/report/versions/compare?a={number}&b=current"
    login(client, "panel")
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "compared with the current text" in text, re.findall(r"<h1>.*?</h1>", text)
    assert re.search(r"<ins>[^<]*revised\.</ins>", text)
    listing = client.get(f"/evaluations/{data.am_evaluation}/report/versions").get_data(
        as_text=True
    )
    assert 'value="current"' in listing
    login(client, "contact_am")
    assert client.get(url).status_code == 404
    assert 'value="current"' not in client.get(
        f"/evaluations/{data.am_evaluation}/report/versions"
    ).get_data(as_text=True)
