"""The report PDF shows findings with their grade and marks priority proposals, in the
text and in the conclusions appendix (read back with pypdf)."""

import re
from io import BytesIO

from flask import Flask
from pypdf import PdfReader

from monitor.extensions import db
from monitor.reports import pdf, services
from monitor.reports.models import FindingGrade, ParagraphKind, Report

from .drafting_world import make_drafting


def _pages(data: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(BytesIO(data)).pages]


def test_pdf_has_finding_labels_and_a_marked_priority_proposal(app: Flask) -> None:
    with app.app_context():
        d = make_drafting(db.session)
        s = db.session
        report = s.get(Report, d.report_id)
        assert report is not None
        panel = d.world.users["panel"]
        chapter = services.chapters(s, report)[1]
        services.add_paragraph(
            s,
            report,
            chapter,
            panel,
            "Victims are rarely informed of their rights.",
            ParagraphKind.FINDING,
            grade=FindingGrade.CONCERN,
        )
        services.add_paragraph(
            s,
            report,
            chapter,
            panel,
            "Leaflets exist in eight languages.",
            ParagraphKind.FINDING,
            grade=FindingGrade.GOOD_PRACTICE,
        )
        services.add_paragraph(
            s,
            report,
            chapter,
            panel,
            "GRETA urges the authorities to inform every victim in a language they understand.",
            ParagraphKind.PROPOSAL,
            "urges",
            [12],
            priority=True,
            themes=["information"],
        )
        services.add_paragraph(
            s,
            report,
            chapter,
            panel,
            "GRETA invites the authorities to keep the leaflets.",
            ParagraphKind.PROPOSAL,
            "invites",
            [12],
        )
        s.commit()
        data = pdf.render_report_pdf(s, report, "en")
        french = pdf.render_report_pdf(s, report, "fr")
    pages = _pages(data)
    body = " ".join(pages)
    assert re.search(r"FINDING · CONCERN\s*1\. Victims are rarely informed", body)
    assert re.search(r"FINDING · GOOD PRACTICE\s*2\. Leaflets exist", body)
    assert re.search(r"PRIORITY · URGES · ARTICLE 12\s*3\. GRETA urges", body)
    assert re.search(r"(?<!PRIORITY · )INVITES · ARTICLE 12\s*4\. GRETA invites", body)
    appendix = next(
        p for p in pages if "Conclusions and proposals for action" in p and "paragraph 3" in p
    )
    assert re.search(r"PRIORITY \(paragraph 3; Article 12\)", appendix)
    assert "PRIORITY (paragraph 4" not in appendix
    assert "PRIORITAIRE" in " ".join(_pages(french)) or "PRIORITÉ" in " ".join(_pages(french))
