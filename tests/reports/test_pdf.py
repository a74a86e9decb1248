"""The country report PDF, read back with pypdf: layout facts (pages, numbering, table of
contents, footnotes, appendices), fonts and scripts (case B11), the table of contents'
page numbers (B13), detached data (B19) and the restricted URL fetcher (B25)."""

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from sqlmodel import Session, select
from weasyprint import HTML

from monitor.accounts.models import Party, Role, User
from monitor.extensions import db
from monitor.reports import pdf, services
from monitor.reports.cli import report as report_cli
from monitor.reports.models import (
    CommentStage,
    ParagraphKind,
    Report,
    ReportComment,
    ReportStatus,
)
from monitor.rounds.models import (
    Audience,
    Evaluation,
    EvaluationRound,
    Instrument,
    QuestionnaireVersion,
)

PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
    "hQGAhKmMIQAAAABJRU5ErkJggg=="
)
RUSSIAN = "Группа экспертов по противодействию торговле людьми"
FRENCH = "Évaluation, œuvre, « guillemets », n° 12"
AZERBAIJANI = "Ağ, Şəki"

CHAPTERS = [
    "Introduction",
    "National framework in the field of action against trafficking in human beings",
    "Access to justice and effective remedies for victims",
    "Follow-up topics specific to Armenia",
]

# Original filler in the register of a monitoring report (facts only, no quoted text).
SENTENCES = [
    "The authorities stated that the national referral mechanism was revised in 2021.",
    "Labour inspectors and border guards now follow a joint training course on the "
    "indicators of trafficking.",
    "Civil society organisations met during the visit welcomed closer cooperation with the "
    "police but reported delays in the payment of assistance allowances.",
    "Few victims of trafficking for labour exploitation were identified over the reporting "
    "period, which the delegation attributed to limited inspections in agriculture.",
    "Shelter places for men remain scarce, and assistance depends on project funding.",
]


@dataclass
class Built:
    """Ids of the rows of one test report (objects are reloaded in each session)."""

    report_id: int
    panel_id: int
    contact_id: int
    commented_paragraph_number: int


def _text(k: int, sentences: int) -> str:
    body = " ".join(SENTENCES[(k + i) % len(SENTENCES)] for i in range(sentences))
    return f"Observation {k}. {body}"


def build_report(session: Session, with_comments: bool = True) -> Built:
    """An instrument, round 3, Party AM with its evaluation and a report of four chapters
    (narrative paragraphs, proposals, footnotes); sent to the Party with a general comment in
    Russian and a paragraph comment in French when ``with_comments``. Commits."""
    instrument = Instrument(
        code="cets197",
        title="Council of Europe Convention on Action against Trafficking in Human Beings",
        definition={
            "code": "cets197",
            "title": "Council of Europe Convention on Action against Trafficking in Human Beings",
            "panel": "Group of Experts on Action against Trafficking in Human Beings (GRETA)",
            "proposal_verbs": ["urges", "considers", "invites"],
            "articles": [{"number": n, "title": f"Article {n}"} for n in range(1, 48)],
        },
    )
    session.add(instrument)
    session.flush()
    rnd = EvaluationRound(
        instrument_id=instrument.id,  # type: ignore[arg-type]
        number=3,
        title="Access to justice and effective remedies for victims of trafficking",
        definition={"deadlines": {"comments_months": 2}},
    )
    session.add(rnd)
    session.flush()
    version = QuestionnaireVersion(
        round_id=rnd.id,  # type: ignore[arg-type]
        audience=Audience.PARTY,
        party_code="AM",
        content_hash="0" * 64,
    )
    party = Party(code="AM", name="Armenia")
    session.add_all([version, party])
    session.flush()
    evaluation = Evaluation(
        round_id=rnd.id,  # type: ignore[arg-type]
        party_id=party.id,  # type: ignore[arg-type]
        questionnaire_version_id=version.id,  # type: ignore[arg-type]
    )
    panel = User(email="panel@example.org", name="Paula", password_hash="x", role=Role.PANEL)
    contact = User(
        email="contact.am@example.org",
        name="Anna",
        password_hash="x",
        role=Role.PARTY_CONTACT,
        party_id=party.id,
    )
    session.add_all([evaluation, panel, contact])
    session.flush()

    report = services.create_report(session, evaluation, panel, "Third round report on Armenia")
    commented = None
    k = 0
    for ci, title in enumerate(CHAPTERS):
        chapter = services.add_chapter(session, report, panel, title)
        for j in range(5):
            k += 1
            footnotes: list[str] = []
            text = _text(k, 3 + (k % 3))
            if j == 1:
                text += f" The delegation also met the {RUSSIAN} (visit {k}).[^1]"
                footnotes = [f"Source note {k}: {FRENCH}; {AZERBAIJANI}."]
            para = services.add_paragraph(
                session, report, chapter, panel, text, footnotes=footnotes
            )
            if ci == 1 and j == 1:
                commented = para
            if j in (2, 4):
                verb = ["urges", "considers", "invites"][(ci + j) % 3]
                services.add_paragraph(
                    session,
                    report,
                    chapter,
                    panel,
                    f"GRETA {verb} the Armenian authorities to ensure that victims have "
                    f"effective access to compensation (proposal in chapter {ci + 1}).[^1]",
                    kind=ParagraphKind.PROPOSAL,
                    verb=verb,
                    articles=[15, 12] if j == 2 else [29],
                    footnotes=[f"Proposal source {ci + 1}-{j}."],
                )
    assert commented is not None
    if with_comments:
        # The layout is under test, not the cycle (tests/reports/test_cycle.py): the draft
        # is put with the Party directly, with the kind of comments the PDF prints (the
        # Party's final comments, sent).
        report.status = ReportStatus.SENT_TO_PARTY
        report.sent_at = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
        report.comments_due = date(2025, 5, 14)
        session.add(report)
        for text, para in (
            (f"Правительство Армении отмечает работу: {RUSSIAN}.", None),
            (f"Les autorités précisent la mise en œuvre : « guillemets » ; {FRENCH}.", commented),
        ):
            session.add(
                ReportComment(
                    report_id=report.id,
                    paragraph_id=para.id if para else None,
                    author_id=contact.id,
                    text=text,
                    stage=CommentStage.FINAL,
                    sent_at=report.sent_at,
                )
            )
    session.commit()
    number = services.paragraph_numbers(session, report)[commented.id]  # type: ignore[index]
    return Built(report.id, panel.id, contact.id, number)  # type: ignore[arg-type]


@pytest.fixture
def built(app: Flask) -> Built:
    with app.app_context():
        return build_report(db.session)


def render(app: Flask, report_id: int, lang: str = "en") -> tuple[bytes, pdf.ReportURLFetcher]:
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        fetcher = pdf.ReportURLFetcher(pdf.reports_dir())
        return pdf.render_report_pdf(db.session, report, lang, fetcher=fetcher), fetcher


def norm(text: str) -> str:
    """Whitespace collapsed and soft hyphenation at line ends undone."""
    text = re.sub(r"[\u2010\u00ad-]\n", "", text)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def page_texts(data: bytes) -> list[str]:
    return [norm(page.extract_text()) for page in PdfReader(BytesIO(data)).pages]


# --- the draft, read back ------------------------------------------------------------------


@pytest.fixture
def draft(app: Flask, built: Built) -> tuple[bytes, list[str], pdf.ReportURLFetcher]:
    data, fetcher = render(app, built.report_id)
    return data, page_texts(data), fetcher


def test_pdf_is_a4_with_several_pages(draft: tuple[bytes, list[str], object]) -> None:
    data, pages, _ = draft
    assert data.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) > 4
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "by Armenia" in pages[0] and "THIRD EVALUATION ROUND" in pages[0].upper()


def test_paragraph_numbers_are_continuous(
    app: Flask, built: Built, draft: tuple[bytes, list[str], object]
) -> None:
    _, pages, _ = draft
    body = " ".join(pages[2:])
    body = body[: body.upper().index("APPENDIX 1 CONCLUSIONS")]
    found = [int(n) for n in re.findall(r"(?<![\d.])(\d+)\. (?:Observation \d+\.|GRETA )", body)]
    with app.app_context():
        report = db.session.get(Report, built.report_id)
        total = len(services.paragraph_numbers(db.session, report))  # type: ignore[arg-type]
    assert total == 28
    assert found == list(range(1, total + 1))


def test_proposals_are_boxed_with_their_label(draft: tuple[bytes, list[str], object]) -> None:
    _, pages, _ = draft
    text = " ".join(pages)
    assert "URGES · ARTICLES 12, 15" in text.upper()
    assert "INVITES · ARTICLE 29" in text.upper()


def test_conclusions_appendix_lists_every_proposal_with_its_paragraph(
    app: Flask, built: Built, draft: tuple[bytes, list[str], object]
) -> None:
    _, pages, _ = draft
    start = next(i for i, t in enumerate(pages) if t.upper().startswith("APPENDIX 1"))
    end = next(i for i, t in enumerate(pages) if t.upper().startswith("APPENDIX 2"))
    appendix = " ".join(pages[start:end])
    listed = [int(n) for n in re.findall(r"\(paragraph (\d+)", appendix)]
    with app.app_context():
        report = db.session.get(Report, built.report_id)
        expected = [n for n, _p in services.proposals(db.session, report)]  # type: ignore[arg-type]
    assert len(expected) == 8
    assert listed == expected
    assert "[^1]" not in appendix and "Proposal source" not in appendix


def test_toc_page_numbers_are_the_pages_of_the_headings(
    draft: tuple[bytes, list[str], object],
) -> None:
    _, pages, _ = draft
    toc_index = next(i for i, t in enumerate(pages) if t.startswith("Table of contents"))
    toc = pages[toc_index]
    headings = [*CHAPTERS, "Conclusions and proposals for action"]
    headings.append("Comments of the authorities of Armenia")
    for heading in headings:
        match = re.search(re.escape(heading) + r"[ .]*?(\d+)(?: |$)", toc)
        assert match, heading
        page = int(match[1])
        assert page > toc_index + 1, (heading, page)
        assert heading in pages[page - 1], (heading, page)
        # not on any page before it (the running header only ever repeats it later)
        for earlier in range(toc_index + 1, page - 1):
            assert heading not in pages[earlier], (heading, page, earlier + 1)


def test_footnotes_sit_at_the_foot_of_the_page_of_their_call(
    draft: tuple[bytes, list[str], object],
) -> None:
    data, pages, _ = draft
    reader = PdfReader(BytesIO(data))
    raw = [page.extract_text() for page in reader.pages]
    checked = 0
    for k in range(1, 29):
        note = f"Source note {k}:"
        holder = [i for i, t in enumerate(pages) if note in t]
        if not holder:
            continue
        (page,) = holder
        # on the page of its call, as a footnote (numbered, after the body text)
        assert f"(visit {k})." in pages[page], (k, page + 1)
        lines = raw[page].splitlines()
        index = next(i for i, line in enumerate(lines) if note in line)
        assert re.match(r"\d+\. Source note", lines[index].strip()), lines[index]
        checked += 1
    assert checked == 4


def test_cyrillic_french_and_azerbaijani_text_come_back_intact(
    draft: tuple[bytes, list[str], object],
) -> None:
    _, pages, _ = draft
    text = " ".join(pages)
    assert RUSSIAN in text
    assert "Правительство Армении отмечает работу" in text
    assert FRENCH in text
    assert AZERBAIJANI in text
    assert "Les autorités précisent la mise en œuvre : « guillemets »" in text
    assert "\ufffd" not in text


def test_comments_appendix_has_general_and_paragraph_comments(
    built: Built, draft: tuple[bytes, list[str], object]
) -> None:
    _, pages, _ = draft
    start = next(i for i, t in enumerate(pages) if t.upper().startswith("APPENDIX 2"))
    appendix = " ".join(pages[start:])
    assert appendix.index("General comments") < appendix.index("Правительство Армении")
    assert f"Paragraph {built.commented_paragraph_number} Les autorités" in appendix


def _fonts(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def test_only_the_bundled_fonts_are_embedded(draft: tuple[bytes, list[str], object]) -> None:
    data, _, fetcher = draft
    names = _fonts(data)
    assert names
    # WeasyPrint names embedded fonts after the @font-face family: a system fallback font
    # would show up as DejaVuSans, LiberationSerif...
    for name in names:
        assert re.fullmatch(r"/[A-Z]{6}\+Report-(Serif|Sans)(-Bold|-Italic|-BoldItalic)?", name)
    served = {Path(u).name for u in fetcher.fetched if u.endswith(".ttf")}  # type: ignore[attr-defined]
    assert {"DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans.ttf"} <= served


def test_bundled_fonts_have_a_glyph_for_every_character(app: Flask, built: Built) -> None:
    """No .notdef box: every character of the report, in each language, is in the cmap of
    the bundled fonts (DejaVu Serif for text, DejaVu Sans for headings and labels)."""
    fonts = Path(__file__).resolve().parents[2] / "reports" / "fonts"
    cmaps = [
        set(TTFont(fonts / name).getBestCmap())
        for name in ("DejaVuSerif.ttf", "DejaVuSans.ttf", "DejaVuSerif-Bold.ttf")
    ]
    for lang in ("en", "fr", "ru"):
        with app.app_context():
            report = db.session.get(Report, built.report_id)
            html = pdf.report_html(db.session, report, lang)  # type: ignore[arg-type]
        text = re.sub(r"<[^>]+>", " ", html)
        chars = {c for c in text if not c.isspace() and c.isprintable()}
        for cmap in cmaps:
            missing = sorted(c for c in chars if ord(c) not in cmap)
            assert not missing, (lang, missing)


def test_confidential_draft_on_every_page_of_a_draft(
    draft: tuple[bytes, list[str], object],
) -> None:
    _, pages, _ = draft
    assert all("CONFIDENTIAL DRAFT" in t.upper() for t in pages)


@pytest.mark.parametrize("status", ["panel_review", "revising"])
def test_every_draft_state_marks_every_page(app: Flask, built: Built, status: str) -> None:
    """Drafts are confidential until adoption, in every state of the cycle before it."""
    with app.app_context():
        report = db.session.get(Report, built.report_id)
        assert report is not None
        report.status = ReportStatus(status)
        db.session.add(report)
        db.session.commit()
    data, _ = render(app, built.report_id)
    pages = page_texts(data)
    assert len(pages) > 4
    assert all("CONFIDENTIAL DRAFT" in t.upper() for t in pages), status


def test_published_report_has_no_draft_mark(app: Flask, built: Built) -> None:
    with app.app_context():
        s = db.session
        report = s.get(Report, built.report_id)
        panel = s.get(User, built.panel_id)
        assert report is not None and panel is not None
        report.status = ReportStatus.PUBLISHED
        report.adopted_at = report.published_at = datetime(2025, 12, 1, tzinfo=UTC)
        s.add(report)
        s.commit()
    data, _ = render(app, built.report_id)
    pages = page_texts(data)
    assert len(pages) > 4
    assert not any("CONFIDENTIAL" in t.upper() for t in pages)
    assert "Published on" in pages[0]


def test_chrome_follows_the_language(app: Flask, built: Built) -> None:
    """Dates and chrome come out in the requested language; report text stays as written."""
    data, _ = render(app, built.report_id, "fr")
    pages = page_texts(data)
    assert "14 mai 2025" in pages[0]  # comments due: 14 March + 2 months
    assert RUSSIAN in " ".join(pages)
    data, _ = render(app, built.report_id, "ru")
    assert "14 мая 2025" in page_texts(data)[0]
    with app.app_context(), pytest.raises(ValueError):
        pdf.report_html(db.session, db.session.get(Report, built.report_id), "de")  # type: ignore[arg-type]


def test_renders_from_data_loaded_before_the_session_closed(app: Flask, built: Built) -> None:
    """B19: the layout step reads no relationship after the session has gone."""
    with app.app_context():
        engine = db.engine
    with Session(engine) as session:
        report = session.get(Report, built.report_id)
        assert report is not None
        view = pdf.load_report_view(session, report)
    with app.app_context():
        data = pdf.render_view_pdf(view, "en")
    assert RUSSIAN in " ".join(page_texts(data))


# --- nothing is fetched from outside reports/ -----------------------------------------------


@pytest.fixture
def http_hits() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it gets: ``(base_url, paths)``."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_paragraph_with_external_image_and_script_link_fetches_nothing(
    app: Flask, built: Built, http_hits: tuple[str, list[str]]
) -> None:
    base, hits = http_hits
    with app.app_context():
        s = db.session
        report = s.get(Report, built.report_id)
        panel = s.get(User, built.panel_id)
        chapter = services.chapters(s, report)[0]  # type: ignore[arg-type]
        report.status = ReportStatus.REVISING  # type: ignore[union-attr]
        services.add_paragraph(
            s,
            report,  # type: ignore[arg-type]
            chapter,
            panel,  # type: ignore[arg-type]
            f"Hostile input <img src={base}/raw.png onerror=alert(1)> and ![pic]({base}/md.png) "
            "and [click me](javascript:alert(2)) and <script>alert(3)</script> end.",
            footnotes=[f"<img src={base}/note.png> ![n]({base}/note2.png)"],
        )
        s.commit()
    data, fetcher = render(app, built.report_id)
    assert hits == []
    assert not [u for u in fetcher.fetched if not u.startswith("file:")]
    reader = PdfReader(BytesIO(data))
    for page in reader.pages:
        xobjects = page["/Resources"].get_object().get("/XObject", {})
        assert not any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())
        for annot in page.get("/Annots", []) or []:
            action = annot.get_object().get("/A", {})
            assert "javascript" not in str(action.get("/URI", "")).lower()
            assert action.get("/S") != "/JavaScript"
    assert b"/JavaScript" not in data and b"/JS " not in data


def test_fetcher_serves_only_the_reports_folder(
    app: Flask, tmp_path: Path, http_hits: tuple[str, list[str]]
) -> None:
    """Even HTML that bypassed the sanitiser cannot reach the network or the disk."""
    base, hits = http_hits
    with app.app_context():
        root = pdf.reports_dir()
    outside = tmp_path / "secret.css"
    outside.write_text("body { color: red }")
    fetcher = pdf.ReportURLFetcher(root)
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/x.css">
      <link rel="stylesheet" href="{outside.as_uri()}">
      <link rel="stylesheet" href="../pyproject.toml">
      <link rel="stylesheet" href="report.css">
      </head><body><p>Text</p><img src="{base}/y.png">
      <img src="{PIXEL}">
      </body></html>"""
    HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert hits == []
    assert f"{base}/x.css" in fetcher.refused and f"{base}/y.png" in fetcher.refused
    assert outside.as_uri() in fetcher.refused
    assert any(u.endswith("/pyproject.toml") for u in fetcher.refused)
    assert root.joinpath("report.css").as_uri() in fetcher.fetched
    assert any(u.startswith("data:image/png") for u in fetcher.fetched)
    with pytest.raises(ValueError):
        fetcher.fetch("file://example.org" + str(root / "report.css"))
    with pytest.raises(ValueError):
        fetcher.fetch("ftp://example.org/x")


# --- helpers -----------------------------------------------------------------------------------


def test_footnote_markers_become_footnotes() -> None:
    html = "<p>One[^1] again[^1] missing[^3].</p>"
    out = pdf.with_footnotes(html, ["First *note*.", "Never\n\nreferenced."])
    assert out.count('<span class="fn">') == 2
    assert '<p>One<span class="fn">First <em>note</em>.</span> again[^1]' in out
    assert "missing[^3]" in out
    # a footnote the text never refers to is kept, at the end of the paragraph
    assert out.endswith('<span class="fn">Never referenced.</span></p>')


def test_verb_is_bolded_in_text_not_in_markup() -> None:
    html = '<p><a href="https://x.org/urges">see</a> GRETA Urges the authorities; urges</p>'
    out = pdf.bold_first(html, "urges")
    assert 'href="https://x.org/urges"' in out
    assert "GRETA <strong>Urges</strong> the authorities; urges</p>" in out


def test_css_string_cannot_break_out_of_the_style_element() -> None:
    out = pdf.css_string('a"b\\c</style><script>')
    assert out.startswith('"') and out.endswith('"')
    assert '"' not in out[1:-1] and "<" not in out and "\\" in out


def test_roman_numerals() -> None:
    assert [pdf.roman(n) for n in (1, 4, 9, 14, 40, 1999)] == [
        "I",
        "IV",
        "IX",
        "XIV",
        "XL",
        "MCMXCIX",
    ]


# --- the command -------------------------------------------------------------------------------


def test_cli_writes_the_pdf(app: Flask, built: Built, runner, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "am.pdf"
    result = runner.invoke(
        report_cli,
        ["render", "--party", "am", "--round", "3", "--lang", "fr", "--output", str(out)],
    )
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    assert len(reader.pages) > 4
    assert "14 mai 2025" in norm(reader.pages[0].extract_text())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--party", "ARM", "--round", "3"], "alpha-2"),
        (["--party", "UA", "--round", "3"], "UA is not evaluated in round 3"),
        (["--party", "AM", "--round", "9"], "no evaluation round 9"),
        (["--party", "AM", "--round", "3", "--lang", "de"], "de"),
    ],
)
def test_cli_errors(
    app: Flask,
    built: Built,
    runner,  # noqa: ANN001
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    out = tmp_path / "x.pdf"
    result = runner.invoke(report_cli, ["render", *args, "--output", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()


def test_cli_error_when_the_evaluation_has_no_report(app: Flask, runner, tmp_path: Path) -> None:  # noqa: ANN001
    with app.app_context():
        s = db.session
        build_report(s, with_comments=False)
        party = Party(code="UA", name="Ukraine")
        s.add(party)
        s.flush()
        first = s.exec(select(Evaluation)).one()
        s.add(
            Evaluation(
                round_id=first.round_id,
                party_id=party.id,  # type: ignore[arg-type]
                questionnaire_version_id=first.questionnaire_version_id,
            )
        )
        s.commit()
    out = tmp_path / "ua.pdf"
    result = runner.invoke(
        report_cli, ["render", "--party", "UA", "--round", "3", "--output", str(out)]
    )
    assert result.exit_code == 1
    assert "UA in round 3 has no report yet" in result.output
