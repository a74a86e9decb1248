"""Public pages without sign-in (issue 5, point 8): published reports by Party and by
round with each proposal's follow-up status, search, counts and their CSV (known
failures B04 and B05). Nothing unpublished ever shows or matches."""

import csv
import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from monitor.accounts.models import Party, User
from monitor.core.csvexport import csv_bytes, safe_cell
from monitor.extensions import db
from monitor.public import search
from monitor.reports import recommendations as recs
from monitor.reports import services
from monitor.reports.models import ParagraphKind, ReportStatus
from monitor.reports.recommendation_models import Grade
from monitor.rounds.models import Evaluation
from tests.reports.conftest import Data
from tests.reports.followup_data import advance, published_report

SECRET = "zebraconfidential"


def _world(app: Flask, data: Data) -> None:
    """AM published (one proposal graded), UA's report adopted but not published, both
    with a secret word; a third Party's report only drafted."""
    with app.app_context():
        s = db.session
        sec = s.get(User, data.users["secretariat"])
        panel = s.get(User, data.users["panel"])
        assert sec is not None and panel is not None
        report = published_report(
            s, data.am_evaluation, data.users["panel"], "Ссылка на Закон о Жертвах."
        )
        rec = recs.draft_recommendation(s, report, sec)
        recs.adopt_recommendation(s, rec, sec, date(2026, 10, 15))
        first = recs.items(s, rec)[0]
        recs.grade_item(s, rec, first, sec, Grade.PARTLY_IMPLEMENTED)
        ua = s.get(Evaluation, data.ua_evaluation)
        assert ua is not None
        draft = services.start_report(s, ua, panel, "UA", ["One"])
        [chapter] = services.chapters(s, draft)
        services.add_paragraph(
            s,
            draft,
            chapter,
            panel,
            f"GRETA urges {SECRET} 100% now.",
            ParagraphKind.PROPOSAL,
            "urges",
            [15],
        )
        # adopted, not published
        advance(s, draft, ReportStatus.ADOPTED, sent=date(2026, 3, 1), adopted=date(2026, 6, 2))
        s.commit()


def test_pages_by_party_and_round_show_proposals_with_status(
    app: Flask, client: FlaskClient, data: Data
) -> None:
    _world(app, data)
    listing = client.get("/published").get_data(as_text=True)
    assert f"/published/parties/AM#report-{data.am_evaluation}" in listing
    index = client.get("/published/parties").get_data(as_text=True)
    assert "Armenia" in index and "Ukraine" not in index
    page = client.get("/published/parties/AM")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "set up a State compensation fund" in body
    assert "Partly implemented" in body and "Not graded yet" in body
    assert "15, 26" in body and "urges" in body
    assert client.get("/published/parties/UA").status_code == 404  # adopted only
    assert client.get("/published/parties/XX").status_code == 404
    with app.app_context():
        round_id = db.session.get(Evaluation, data.am_evaluation).round_id  # type: ignore[union-attr]
    by_round = client.get(f"/published/rounds/{round_id}").get_data(as_text=True)
    assert "Armenia" in by_round and SECRET not in by_round
    assert client.get("/published/rounds/999").status_code == 404
    # in French
    fr = client.get("/published/parties/AM?lang=fr").get_data(as_text=True)
    assert "Partiellement mis en œuvre" in fr


def test_search_matches_published_text_only(app: Flask, client: FlaskClient, data: Data) -> None:
    _world(app, data)
    with app.app_context():
        s = db.session
        assert [h.number for h in search.search_published(s, "compensation FUND")] == [3]
        assert search.search_published(s, SECRET) == []  # adopted, not published
        # the unpublished report has "100%" too: only the published paragraph matches
        assert [h.number for h in search.search_published(s, "100%")] == [1]
        # % and _ are not wildcards: "1_0" would match "100", "awards%paid" "awards_paid"
        assert search.search_published(s, "1_0") == []
        assert [h.number for h in search.search_published(s, "100% awards_paid")] == [1]
        assert search.search_published(s, "awards%paid") == []
        assert search.search_published(s, "a_ards") == []
        # Cyrillic in another case (SQLite's lower() folds ASCII only)
        assert [h.number for h in search.search_published(s, "закон жертвах")] == [1]
        assert search.search_published(s, "") == []
    body = client.get("/published/search?q=compensation").get_data(as_text=True)
    assert "<mark>compensation</mark>" in body and "§3" in body
    assert (
        SECRET
        not in client.get(f"/published/search?q={SECRET}")
        .get_data(as_text=True)
        .split("</form>")[1]
    )


def test_like_escape() -> None:
    assert search.like_escape("100%_\\x") == "100\\%\\_\\\\x"


def test_counts_query_and_csv(app: Flask, client: FlaskClient, data: Data) -> None:
    _world(app, data)
    with app.app_context():
        s = db.session
        round_id = s.get(Evaluation, data.am_evaluation).round_id  # type: ignore[union-attr]
        rows = search.proposal_counts(s, "urges", 15, round_id)
        assert [(r.published.party.code, r.paragraphs) for r in rows] == [("AM", [3, 5])]
        assert [r.paragraphs for r in search.proposal_counts(s, "urges", 26, round_id)] == [[5]]
        assert search.proposal_counts(s, "invites", 15, round_id) == []
        assert [r.paragraphs for r in search.proposal_counts(s, "considers", None, round_id)] == [
            [2]
        ]
    page = client.get(f"/published/counts?verb=urges&article=15&round={round_id}")
    body = page.get_data(as_text=True)
    assert "1 Party" in body and "Armenia" in body and "Ukraine" not in body
    assert "Type an article number" in client.get(
        f"/published/counts?verb=urges&article=x&round={round_id}"
    ).get_data(as_text=True)
    got = client.get(f"/published/counts?verb=urges&article=15&round={round_id}&format=csv")
    assert got.mimetype == "text/csv" and "attachment" in got.headers["Content-Disposition"]
    assert got.data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert table == [
        ["Party code", "Party", "Round", "Verb", "Article", "Paragraphs"],
        ["AM", "Armenia", "3", "urges", "15", "3, 5"],
    ]
    ru = client.get(f"/published/counts?verb=urges&article=15&round={round_id}&format=csv&lang=ru")
    header = next(csv.reader(io.StringIO(ru.data.decode("utf-8-sig"))))
    assert header[1] == "Сторона"


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.example","x")', "+1+1", "@SUM(A1)", "-2+3 persons", "\tx", "\rx"],
)
def test_formula_cells_are_neutralised_b05(value: str) -> None:
    assert safe_cell(value) == "'" + value
    data = csv_bytes([value], [[value, -5, 3]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["'" + value]
    assert rows[1] == ["'" + value, "-5", "3"]  # numbers stay numbers


def test_csv_is_utf8_with_bom_and_round_trips_b04() -> None:
    values = ["Élodie — n°5 « test »", "Пример ответа: ёЁ", "Ağ Şəki", "🙂"]
    data = csv_bytes(["Partie", "Сторона"], [values])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["Partie", "Сторона"], values]


def test_party_names_in_csv_are_guarded(app: Flask, client: FlaskClient, data: Data) -> None:
    _world(app, data)
    with app.app_context():
        am = db.session.get(Party, db.session.get(Evaluation, data.am_evaluation).party_id)  # type: ignore[union-attr]
        assert am is not None
        am.name = "=cmd|' /C calc'!A0"
        db.session.add(am)
        db.session.commit()
        round_id = db.session.get(Evaluation, data.am_evaluation).round_id  # type: ignore[union-attr]
    got = client.get(f"/published/counts?verb=urges&article=15&round={round_id}&format=csv")
    rows = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"


def test_public_summaries_show_no_footnote_markup(
    app: Flask, client: FlaskClient, data: Data
) -> None:
    """Search results and proposal tables show a paragraph without its footnotes: the
    ``[^1]`` reference of the Markdown source is not shown raw (critic finding)."""
    from sqlmodel import select

    from monitor.reports.models import ReportParagraph

    _world(app, data)
    with app.app_context():
        s = db.session
        for para in s.exec(select(ReportParagraph)):
            para.text += " See the law.[^1]"
            para.footnotes = ["Law of 2014."]
            s.add(para)
        s.commit()
    found = client.get("/published/search?q=Ссылка").get_data(as_text=True)
    assert "Ссылка" in found and "See the law." in found and "[^" not in found
    page = client.get("/published/parties/AM").get_data(as_text=True)
    assert "compensation fund" in page and "[^" not in page
