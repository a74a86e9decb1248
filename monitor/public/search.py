"""Queries behind the public pages (issue 5, point 8): published reports and their
proposals with the current follow-up status, full-text search over published report
text, and counts such as "Parties urged under Article 15 in round 3".

Every query here starts from ``Report.status == published``: nothing unpublished can be
listed, counted or matched (``shared/domain.md``, "Who may see what": drafts and
comments before publication are never public).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.accounts.models import Party
from monitor.reports.models import ParagraphKind, Report, ReportParagraph, ReportStatus
from monitor.reports.recommendation_models import Grade
from monitor.reports.recommendations import current_grades_by_paragraph
from monitor.reports.services import proposals, structure
from monitor.rounds.models import Evaluation, EvaluationRound, Instrument

#: At most this many search results are shown.
MAX_RESULTS = 100


@dataclass(frozen=True)
class PublishedReport:
    report: Report
    evaluation: Evaluation
    party: Party
    round: EvaluationRound


def published_reports(
    session: Session, party_code: str | None = None, round_id: int | None = None
) -> list[PublishedReport]:
    """Published reports, of one Party and/or one round when given, by round number
    (newest first) then Party name. One query."""
    query = (
        select(Report, Evaluation, Party, EvaluationRound)
        .join(Evaluation, col(Evaluation.id) == col(Report.evaluation_id))
        .join(Party, col(Party.id) == col(Evaluation.party_id))
        .join(EvaluationRound, col(EvaluationRound.id) == col(Evaluation.round_id))
        .where(Report.status == ReportStatus.PUBLISHED)
    )
    if party_code is not None:
        query = query.where(Party.code == party_code.upper())
    if round_id is not None:
        query = query.where(EvaluationRound.id == round_id)
    rows = session.exec(query.order_by(col(EvaluationRound.number).desc(), col(Party.name)))
    return [PublishedReport(*row) for row in rows]


@dataclass(frozen=True)
class PublishedProposal:
    """A proposal of a published report with its number and current follow-up grade
    (None: not graded)."""

    number: int
    paragraph: ReportParagraph
    grade: Grade | None


def published_proposals(session: Session, report: Report) -> list[PublishedProposal]:
    """The proposals of a published report, in report order, with their current grade.
    Returns [] for a report that is not published."""
    if report.status != ReportStatus.PUBLISHED:
        return []
    found = proposals(session, report)
    grades = current_grades_by_paragraph(session, [p.id for _n, p in found if p.id])
    return [PublishedProposal(n, p, grades.get(p.id or 0)) for n, p in found]


# --- full-text search ---------------------------------------------------------------------


def like_escape(term: str) -> str:
    """``term`` with the LIKE wildcards ``%`` and ``_`` and the escape character ``\\``
    escaped, for ``LIKE ... ESCAPE '\\'``: a search for ``100%`` matches the text
    "100%", not "1000"."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_terms(query: str) -> list[str]:
    """The words of a search, case-folded, at most 10, each of 2 or more characters."""
    words = [w.casefold() for w in re.split(r"\s+", query.strip()) if len(w) >= 2]
    return list(dict.fromkeys(words))[:10]


@dataclass(frozen=True)
class SearchHit:
    published: PublishedReport
    number: int
    paragraph: ReportParagraph


def search_published(session: Session, query: str) -> list[SearchHit]:
    """Paragraphs of published reports containing every word of ``query`` (a
    case-insensitive substring match), by report (as :func:`published_reports`) then
    paragraph number; at most :data:`MAX_RESULTS`.

    The database narrows with ``lower(text) LIKE '%word%'`` (wildcards in the words
    escaped); Python then checks each candidate with ``str.casefold``, because SQLite's
    ``lower`` folds ASCII letters only (a Cyrillic word in other case would be missed:
    for a word outside ASCII the database filter is left out on SQLite).
    """
    terms = search_terms(query)
    if not terms:
        return []
    sqlite = session.get_bind().dialect.name == "sqlite"
    stmt = (
        select(ReportParagraph)
        .join(Report, col(Report.id) == col(ReportParagraph.report_id))
        .where(Report.status == ReportStatus.PUBLISHED)
    )
    for term in terms:
        if sqlite and not term.isascii():
            continue
        stmt = stmt.where(
            func.lower(ReportParagraph.text).like(f"%{like_escape(term)}%", escape="\\")
        )
    candidates = [p for p in session.exec(stmt) if all(t in p.text.casefold() for t in terms)]
    if not candidates:
        return []
    report_ids = {p.report_id for p in candidates}
    reports = [r for r in published_reports(session) if r.report.id in report_ids]
    hits: list[SearchHit] = []
    wanted = {p.id for p in candidates}
    for pub in reports:
        for _chapter, numbered in structure(session, pub.report):
            for n, p in numbered:
                if p.id in wanted:
                    hits.append(SearchHit(pub, n, p))
                    if len(hits) >= MAX_RESULTS:
                        return hits
    return hits


def snippet(text: str, terms: Sequence[str], width: int = 220) -> tuple[str, str, str]:
    """``(before, match, after)``: about ``width`` characters of ``text`` around the
    first occurrence of the first term (case-insensitive), for highlighting."""
    folded = text.casefold()
    for term in terms:
        at = folded.find(term)
        if at >= 0 and len(folded) == len(text):
            start = max(0, at - width // 2)
            end = min(len(text), at + len(term) + width // 2)
            before = ("…" if start else "") + text[start:at]
            after = text[at + len(term) : end] + ("…" if end < len(text) else "")
            return before, text[at : at + len(term)], after
    return text[:width] + ("…" if len(text) > width else ""), "", ""


# --- counts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    """A Party with the numbers of the matching proposal paragraphs in its report."""

    published: PublishedReport
    paragraphs: list[int]


def proposal_counts(
    session: Session, verb: str, article: int | None, round_id: int
) -> list[CountRow]:
    """The Parties whose published report in the round has a proposal with ``verb``
    concerning ``article`` (any article when None): "Parties urged under Article 15 in
    round 3". By Party name; one row per Party."""
    out: list[CountRow] = []
    for pub in sorted(published_reports(session, round_id=round_id), key=lambda r: r.party.name):
        numbers = [
            n
            for n, p in proposals(session, pub.report)
            if p.kind == ParagraphKind.PROPOSAL
            and p.verb == verb
            and (article is None or article in p.articles)
        ]
        if numbers:
            out.append(CountRow(pub, numbers))
    return out


def published_rounds(session: Session) -> list[EvaluationRound]:
    """Rounds with at least one published report, newest first."""
    ids = select(Evaluation.round_id).join(Report, col(Report.evaluation_id) == col(Evaluation.id))
    ids = ids.where(Report.status == ReportStatus.PUBLISHED)
    return list(
        session.exec(
            select(EvaluationRound)
            .where(col(EvaluationRound.id).in_(ids))
            .order_by(col(EvaluationRound.number).desc())
        )
    )


def known_verbs(session: Session) -> list[str]:
    """The proposal verbs of every instrument, strongest first, without repeats."""
    verbs: list[str] = []
    for inst in session.exec(select(Instrument).order_by(col(Instrument.id))):
        for v in (inst.definition or {}).get("proposal_verbs") or ["urges", "considers", "invites"]:
            if v not in verbs:
                verbs.append(v)
    return verbs or ["urges", "considers", "invites"]
