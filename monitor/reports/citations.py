"""Paragraphs cite answers: a :class:`ParagraphCitation` names one answer (reply, item) of
the report's evaluation. Both directions are read here: the citations of each paragraph
(shown under it, panel only) and the paragraphs citing an answer ("Cited in §N" in the
side-by-side view and the editor's evidence panel).

Services follow the project's rule: check, change, write an audit row, never commit.
Citations are panel-internal: an NGO's input is confidential, so the Party never sees
which answers a paragraph rests on (its sources are in the footnotes).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from monitor.accounts.models import Organisation, User
from monitor.core.audit import record
from monitor.reports import services
from monitor.reports.models import ParagraphCitation, Report, ReportParagraph
from monitor.rounds.models import Audience
from monitor.submissions.definitions import answerable, definition_of
from monitor.submissions.models import Answer, Reply, ReplyStatus
from monitor.submissions.validation import is_blank

AnswerKey = tuple[int, str]
"""An answer as ``(reply id, item id)``."""


@dataclass(frozen=True)
class CitedAnswer:
    """A cited answer, described for display: whose reply (``audience`` ``party`` or
    ``ngo`` with ``org_name``), the item's English ``label`` and the Party questionnaire
    ``section_id`` under which the side-by-side view shows it (None if unknown)."""

    reply_id: int
    item_id: str
    audience: str
    org_name: str | None
    label: str
    section_id: str | None
    citation_id: int | None = None

    @property
    def key(self) -> str:
        """The form value naming this answer: ``"<reply id>:<item id>"``."""
        return f"{self.reply_id}:{self.item_id}"


@dataclass(frozen=True)
class CitingParagraph:
    """A paragraph citing an answer, with its number in its report."""

    paragraph_id: int
    number: int
    evaluation_id: int


def parse_key(value: str) -> AnswerKey | None:
    """``"12:info_law"`` -> ``(12, "info_law")``; None when malformed."""
    reply_id, sep, item_id = value.partition(":")
    if not sep or not reply_id.isdigit() or not item_id:
        return None
    return int(reply_id), item_id


def _describe(session: Session, reply: Reply, item_id: str) -> CitedAnswer | None:
    """The answer ``item_id`` of ``reply`` described, or None when the reply's
    questionnaire has no such answerable section-level item."""
    definition = definition_of(session, reply.questionnaire_version_id)
    for section in definition.sections():
        for item in answerable(section.items):
            if item.id == item_id:
                if reply.audience == Audience.NGO:
                    section_id = section.mirrors[0] if section.mirrors else section.id
                else:
                    section_id = section.id
                org = (
                    session.get(Organisation, reply.organisation_id)
                    if reply.organisation_id
                    else None
                )
                return CitedAnswer(
                    reply_id=reply.id,  # type: ignore[arg-type]
                    item_id=item_id,
                    audience=reply.audience.value,
                    org_name=org.name if org else None,
                    label=item.label,
                    section_id=section_id,
                )
    return None


def check_citable(session: Session, report: Report, reply_id: int, item_id: str) -> CitedAnswer:
    """The answer ``(reply_id, item_id)`` described, if a paragraph of ``report`` may cite
    it: a submitted reply of the report's evaluation (the Party's or an NGO's) with a
    non-blank answer to that item. Raises ReportError otherwise."""
    reply = session.get(Reply, reply_id)
    if (
        reply is None
        or reply.evaluation_id != report.evaluation_id
        or reply.status != ReplyStatus.SUBMITTED
    ):
        raise services.ReportError(_l("Only submitted replies of this evaluation can be cited."))
    answer = session.exec(
        select(Answer).where(Answer.reply_id == reply_id, Answer.item_id == item_id)
    ).first()
    described = _describe(session, reply, item_id)
    if answer is None or described is None or not answer.active or is_blank(answer.value):
        raise services.ReportError(_l("That question has no answer to cite."))
    return described


def cite_answer(
    session: Session,
    report: Report,
    para: ReportParagraph,
    reply_id: int,
    item_id: str,
    actor: User,
) -> ParagraphCitation:
    """Record that ``para`` cites the answer ``(reply_id, item_id)``; citing it twice
    returns the existing citation. Raises ReportError when the report's text is frozen,
    the paragraph belongs to another report, or the answer cannot be cited
    (:func:`check_citable`)."""
    if report.status not in services.EDITABLE:
        raise services.ReportError(
            _l("The report has been adopted; its text can no longer change.")
        )
    if para.report_id != report.id:
        raise services.ReportError(_l("That paragraph belongs to another report."))
    check_citable(session, report, reply_id, item_id)
    existing = session.exec(
        select(ParagraphCitation).where(
            ParagraphCitation.paragraph_id == para.id,
            ParagraphCitation.reply_id == reply_id,
            ParagraphCitation.item_id == item_id,
        )
    ).first()
    if existing is not None:
        return existing
    citation = ParagraphCitation(
        paragraph_id=para.id,  # type: ignore[arg-type]
        reply_id=reply_id,
        item_id=item_id,
        created_by_id=actor.id,
    )
    session.add(citation)
    record(
        session,
        actor.id,
        "report.answer_cited",
        citation,
        report.evaluation_id,
        paragraph_id=para.id,
        reply_id=reply_id,
        item_id=item_id,
    )
    return citation


def remove_citation(
    session: Session, report: Report, citation: ParagraphCitation, actor: User
) -> None:
    """Remove a citation of a paragraph of ``report``. Raises ReportError when the text
    is frozen or the citation belongs to another report."""
    if report.status not in services.EDITABLE:
        raise services.ReportError(
            _l("The report has been adopted; its text can no longer change.")
        )
    para = session.get(ReportParagraph, citation.paragraph_id)
    if para is None or para.report_id != report.id:
        raise services.ReportError(_l("That paragraph belongs to another report."))
    record(
        session,
        actor.id,
        "report.citation_removed",
        citation,
        report.evaluation_id,
        paragraph_id=para.id,
        reply_id=citation.reply_id,
        item_id=citation.item_id,
    )
    session.delete(citation)


def set_citations(
    session: Session,
    report: Report,
    para: ReportParagraph,
    keys: Sequence[AnswerKey],
    actor: User,
) -> None:
    """Make ``para`` cite exactly the answers ``keys`` (the editor's list): cite the new
    ones, remove the others. Same errors as :func:`cite_answer`."""
    wanted = list(dict.fromkeys(keys))
    current = list(
        session.exec(select(ParagraphCitation).where(ParagraphCitation.paragraph_id == para.id))
    )
    for citation in current:
        if (citation.reply_id, citation.item_id) not in wanted:
            remove_citation(session, report, citation, actor)
    have = {(c.reply_id, c.item_id) for c in current}
    for reply_id, item_id in wanted:
        if (reply_id, item_id) not in have:
            cite_answer(session, report, para, reply_id, item_id, actor)


def describe_keys(session: Session, report: Report, keys: Iterable[AnswerKey]) -> list[CitedAnswer]:
    """The answers ``keys`` described (those that can be cited from ``report``; others
    are left out), in the given order."""
    out = []
    for reply_id, item_id in dict.fromkeys(keys):
        try:
            out.append(check_citable(session, report, reply_id, item_id))
        except services.ReportError:
            continue
    return out


def citations_by_paragraph(session: Session, report: Report) -> dict[int, list[CitedAnswer]]:
    """Every citation of ``report``'s paragraphs, described: paragraph id -> cited
    answers in the order they were cited. A fixed number of queries per reply cited."""
    rows = session.exec(
        select(ParagraphCitation)
        .join(ReportParagraph, col(ReportParagraph.id) == ParagraphCitation.paragraph_id)
        .where(ReportParagraph.report_id == report.id)
        .order_by(col(ParagraphCitation.id))
    ).all()
    replies = {
        r.id: r
        for r in session.exec(select(Reply).where(col(Reply.id).in_({c.reply_id for c in rows})))
    }
    out: dict[int, list[CitedAnswer]] = {}
    for c in rows:
        reply = replies.get(c.reply_id)
        described = _describe(session, reply, c.item_id) if reply is not None else None
        if described is None:
            continue
        out.setdefault(c.paragraph_id, []).append(
            CitedAnswer(**{**described.__dict__, "citation_id": c.id})
        )
    return out


def citing_paragraphs(
    session: Session, keys: Iterable[AnswerKey]
) -> dict[AnswerKey, list[CitingParagraph]]:
    """The paragraphs citing each of the answers ``keys``: ``(reply id, item id)`` ->
    citing paragraphs in report order (only answers that are cited appear)."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = session.exec(
        select(ParagraphCitation, ReportParagraph)
        .join(ReportParagraph, col(ReportParagraph.id) == ParagraphCitation.paragraph_id)
        .where(col(ParagraphCitation.reply_id).in_({r for r, _i in wanted}))
    ).all()
    numbers: dict[int, dict[int, int]] = {}
    evaluations: dict[int, int] = {}
    out: dict[AnswerKey, list[CitingParagraph]] = {}
    for citation, para in rows:
        key = (citation.reply_id, citation.item_id)
        if key not in wanted:
            continue
        if para.report_id not in numbers:
            report = session.get(Report, para.report_id)
            assert report is not None
            numbers[para.report_id] = services.paragraph_numbers(session, report)
            evaluations[para.report_id] = report.evaluation_id
        out.setdefault(key, []).append(
            CitingParagraph(
                paragraph_id=para.id,  # type: ignore[arg-type]
                number=numbers[para.report_id].get(para.id, 0),  # type: ignore[arg-type]
                evaluation_id=evaluations[para.report_id],
            )
        )
    for cites in out.values():
        cites.sort(key=lambda c: c.number)
    return out


def citing_paragraphs_of_reply(session: Session, reply_id: int) -> dict[str, list[CitingParagraph]]:
    """The paragraphs citing each answer of reply ``reply_id``: item id -> citing
    paragraphs in report order (cited answers only)."""
    items = session.exec(
        select(ParagraphCitation.item_id).where(ParagraphCitation.reply_id == reply_id)
    ).all()
    found = citing_paragraphs(session, [(reply_id, i) for i in items])
    return {item_id: cites for (_r, item_id), cites in found.items()}
