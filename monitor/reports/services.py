"""Country report operations: one function per state change.

Services check the transition, change the models, write an audit row and never commit
(the view or command commits once). The states and the transitions between them are
the table in :mod:`monitor.reports.cycle`; comments are :mod:`monitor.reports.comments`.
"""

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from monitor.accounts.models import User
from monitor.core.audit import record
from monitor.core.models import AuditEvent
from monitor.core.time import utcnow
from monitor.reports.models import (
    FindingGrade,
    ParagraphCitation,
    ParagraphKind,
    Report,
    ReportChapter,
    ReportComment,
    ReportParagraph,
    ReportStatus,
)
from monitor.rounds.models import Evaluation, EvaluationRound


class ReportError(Exception):
    """A refused report operation; ``str(exc)`` is a message for the user."""


#: Default of :func:`update_paragraph`'s optional fields: keep the stored value.
UNCHANGED: Any = object()

#: Statuses in which the panel may change the text: while drafting, during its own review,
#: and while revising after the Party's comments. The text the Party was sent stays as it
#: was while the Party reads it; after adoption it is frozen (procedure steps 6-10).
EDITABLE = frozenset({ReportStatus.DRAFTING, ReportStatus.PANEL_REVIEW, ReportStatus.REVISING})
#: Statuses after adoption.
FINAL = frozenset({ReportStatus.ADOPTED, ReportStatus.TRANSMITTED, ReportStatus.PUBLISHED})


def report_for_evaluation(session: Session, evaluation_id: int) -> Report | None:
    return session.exec(select(Report).where(Report.evaluation_id == evaluation_id)).first()


def create_report(session: Session, evaluation: Evaluation, actor: User, title: str) -> Report:
    """Start the country report of ``evaluation``. Raises ReportError if one exists."""
    if report_for_evaluation(session, evaluation.id) is not None:  # type: ignore[arg-type]
        raise ReportError(_l("This evaluation already has a report."))
    report = Report(evaluation_id=evaluation.id, title=title)  # type: ignore[arg-type]
    session.add(report)
    record(session, actor.id, "report.created", report, evaluation.id)
    return report


def chapters(session: Session, report: Report) -> list[ReportChapter]:
    return list(
        session.exec(
            select(ReportChapter)
            .where(ReportChapter.report_id == report.id)
            .order_by(ReportChapter.position)  # type: ignore[arg-type]
        )
    )


def structure(
    session: Session, report: Report
) -> list[tuple[ReportChapter, list[tuple[int, ReportParagraph]]]]:
    """The report in reading order: ``[(chapter, [(number, paragraph), ...]), ...]``.

    Numbers are continuous through the whole report, starting at 1, in chapter order then
    paragraph order; while the text may change they are computed, so inserting a
    paragraph renumbers those after it. Once the report is adopted (procedure step 10)
    the numbers frozen then (``Report.frozen_numbers``, paragraph id -> number) are used,
    so that citations of the adopted text hold whatever happens to the rows later. Two
    queries whatever the report's size.
    """
    chs = chapters(session, report)
    paras = session.exec(
        select(ReportParagraph)
        .where(ReportParagraph.report_id == report.id)
        .order_by(ReportParagraph.position)  # type: ignore[arg-type]
    ).all()
    by_chapter: dict[int, list[ReportParagraph]] = {c.id: [] for c in chs}  # type: ignore[misc]
    for p in paras:
        by_chapter.setdefault(p.chapter_id, []).append(p)
    frozen = report.frozen_numbers or {}
    out: list[tuple[ReportChapter, list[tuple[int, ReportParagraph]]]] = []
    n = 0
    for c in chs:
        numbered = []
        for p in by_chapter.get(c.id, []):  # type: ignore[arg-type]
            n += 1
            numbered.append((int(frozen.get(str(p.id), n)), p))
        out.append((c, numbered))
    return out


def paragraph_numbers(session: Session, report: Report) -> dict[int, int]:
    """Paragraph id -> its number in the report (see :func:`structure`)."""
    return {p.id: n for _, ps in structure(session, report) for n, p in ps}  # type: ignore[misc]


def proposals(session: Session, report: Report) -> list[tuple[int, ReportParagraph]]:
    """Every proposal as ``(paragraph number, paragraph)``, in report order: the
    conclusions appendix."""
    return [
        (n, p)
        for _, ps in structure(session, report)
        for n, p in ps
        if p.kind == ParagraphKind.PROPOSAL
    ]


def _require_editable(report: Report) -> None:
    if report.status in FINAL:
        raise ReportError(_l("The report has been adopted; its text can no longer change."))
    if report.status not in EDITABLE:
        raise ReportError(
            _l(
                "The text does not change while the approved draft is with the Party; the "
                "panel revises it after the Party's comments."
            )
        )


def add_chapter(session: Session, report: Report, actor: User, title: str) -> ReportChapter:
    """Append a chapter at the end of the report."""
    _require_editable(report)
    last = session.exec(
        select(func.max(ReportChapter.position)).where(ReportChapter.report_id == report.id)
    ).one()
    chapter = ReportChapter(report_id=report.id, position=(last or 0) + 1, title=title)  # type: ignore[arg-type]
    session.add(chapter)
    record(session, actor.id, "report.chapter_added", chapter, report.evaluation_id)
    return chapter


def _validate_paragraph(
    session: Session,
    report: Report,
    kind: ParagraphKind,
    verb: str | None,
    articles: Sequence[int],
    grade: FindingGrade | None = None,
    themes: Sequence[str] = (),
    repeats_id: int | None = None,
) -> None:
    """The rules of each kind (``shared/domain.md``, Reports): a finding has a grade; a
    proposal has a verb from the instrument's list, articles the instrument has, themes
    of the round, and repeats (if at all) a proposal of the same Party's earlier round."""
    from monitor.reports import drafting

    if kind == ParagraphKind.FINDING and grade not in set(FindingGrade):
        raise ReportError(_l("A finding needs a grade: good practice, gap or concern."))
    if kind == ParagraphKind.PROPOSAL:
        verbs = proposal_verbs(session, report)
        if verb not in verbs:
            raise ReportError(_l("A proposal needs a verb: %(verbs)s.", verbs=" / ".join(verbs)))
        known = instrument_articles(session, report)
        unknown = [a for a in articles if a not in known]
        if unknown:
            raise ReportError(
                _l(
                    "The convention has no article %(articles)s.",
                    articles=", ".join(str(a) for a in unknown),
                )
            )
        theme_ids = {t for t, _label in drafting.report_themes(session, report)}
        strange = [t for t in themes if t not in theme_ids]
        if strange:
            raise ReportError(_l("The round has no theme %(themes)s.", themes=", ".join(strange)))
        if repeats_id is not None:
            repeated = session.get(ReportParagraph, repeats_id)
            if repeated is None or not drafting.is_earlier_proposal(session, report, repeated):
                raise ReportError(
                    _l(
                        "A proposal can only repeat a proposal of the previous round's "
                        "report on the same Party."
                    )
                )


def _kind_fields(
    kind: ParagraphKind,
    verb: str | None,
    grade: FindingGrade | None,
    themes: Sequence[str],
    priority: bool,
    repeats_id: int | None,
) -> dict[str, object]:
    """The kind-specific columns as stored: what does not belong to ``kind`` is cleared
    (a narrative paragraph keeps no verb, grade, theme, priority or repeated proposal)."""
    proposal = kind == ParagraphKind.PROPOSAL
    return {
        "kind": kind,
        "verb": verb if proposal else None,
        "grade": FindingGrade(grade) if kind == ParagraphKind.FINDING and grade else None,
        "themes": list(dict.fromkeys(themes)) if proposal else [],
        "priority": bool(priority) if proposal else False,
        "repeats_id": repeats_id if proposal else None,
    }


def add_paragraph(
    session: Session,
    report: Report,
    chapter: ReportChapter,
    actor: User,
    text: str,
    kind: ParagraphKind = ParagraphKind.NARRATIVE,
    verb: str | None = None,
    articles: Sequence[int] = (),
    footnotes: Sequence[str] = (),
    after: ReportParagraph | None = None,
    grade: FindingGrade | None = None,
    themes: Sequence[str] = (),
    priority: bool = False,
    repeats_id: int | None = None,
) -> ReportParagraph:
    """Add a paragraph to ``chapter``, at its end or right after ``after``.

    Raises ReportError when the report is adopted, when a finding has no grade, when a
    proposal has no verb from the instrument's list, names an article the instrument
    does not have or a theme the round does not have, or repeats something other than a
    proposal of the same Party's earlier round report (see :func:`_validate_paragraph`).
    """
    _require_editable(report)
    if chapter.report_id != report.id:
        raise ReportError(_l("That chapter belongs to another report."))
    if not text.strip():
        raise ReportError(_l("A paragraph needs text."))
    _validate_paragraph(session, report, kind, verb, articles, grade, themes, repeats_id)
    siblings = session.exec(
        select(ReportParagraph)
        .where(ReportParagraph.chapter_id == chapter.id)
        .order_by(ReportParagraph.position)  # type: ignore[arg-type]
    ).all()
    if after is None:
        position = (siblings[-1].position + 1) if siblings else 1
    else:
        position = after.position + 1
        for s in siblings:
            if s.position >= position:
                s.position += 1
                session.add(s)
    para = ReportParagraph(
        report_id=report.id,  # type: ignore[arg-type]
        chapter_id=chapter.id,  # type: ignore[arg-type]
        position=position,
        articles=list(articles),
        text=text.strip(),
        footnotes=[f.strip() for f in footnotes if f.strip()],
        updated_by_id=actor.id,
        **_kind_fields(kind, verb, grade, themes, priority, repeats_id),  # type: ignore[arg-type]
    )
    session.add(para)
    record(session, actor.id, "report.paragraph_added", para, report.evaluation_id)
    return para


def update_paragraph(
    session: Session,
    report: Report,
    para: ReportParagraph,
    actor: User,
    text: str,
    kind: ParagraphKind,
    verb: str | None,
    articles: Sequence[int],
    footnotes: Sequence[str],
    grade: Any = UNCHANGED,
    themes: Any = UNCHANGED,
    priority: Any = UNCHANGED,
    repeats_id: Any = UNCHANGED,
) -> ReportParagraph:
    """Change a paragraph's text, kind and the kind's fields, articles and footnotes
    (same rules as :func:`add_paragraph`). ``grade``, ``themes``, ``priority`` and
    ``repeats_id`` keep their stored values unless given."""
    _require_editable(report)
    grade = para.grade if grade is UNCHANGED else grade
    themes = list(para.themes or []) if themes is UNCHANGED else themes
    priority = para.priority if priority is UNCHANGED else priority
    repeats_id = para.repeats_id if repeats_id is UNCHANGED else repeats_id
    if not text.strip():
        raise ReportError(_l("A paragraph needs text."))
    _validate_paragraph(session, report, kind, verb, articles, grade, themes, repeats_id)
    para.text = text.strip()
    for name, value in _kind_fields(kind, verb, grade, themes, priority, repeats_id).items():
        setattr(para, name, value)
    para.articles = list(articles)
    para.footnotes = [f.strip() for f in footnotes if f.strip()]
    para.updated_at = utcnow()
    para.updated_by_id = actor.id
    session.add(para)
    record(session, actor.id, "report.paragraph_changed", para, report.evaluation_id)
    return para


def delete_paragraph(session: Session, report: Report, para: ReportParagraph, actor: User) -> None:
    """Remove a paragraph that no comment refers to and no later proposal repeats, with
    its citations."""
    _require_editable(report)
    commented = session.exec(
        select(ReportComment).where(ReportComment.paragraph_id == para.id)
    ).first()
    if commented is not None:
        raise ReportError(_l("The Party commented on this paragraph; it cannot be deleted."))
    repeated = session.exec(
        select(ReportParagraph).where(ReportParagraph.repeats_id == para.id)
    ).first()
    if repeated is not None:
        raise ReportError(
            _l("A proposal of a later report repeats this paragraph; it cannot be deleted.")
        )
    # Its citations of answers go with it.
    for citation in session.exec(
        select(ParagraphCitation).where(ParagraphCitation.paragraph_id == para.id)
    ):
        session.delete(citation)
    session.flush()  # citations first: they refer to the paragraph
    record(session, actor.id, "report.paragraph_deleted", para, report.evaluation_id)
    session.delete(para)


def _round(session: Session, report: Report) -> EvaluationRound:
    evaluation = session.get(Evaluation, report.evaluation_id)
    assert evaluation is not None
    rnd = session.get(EvaluationRound, evaluation.round_id)
    assert rnd is not None
    return rnd


def proposal_verbs(session: Session, report: Report) -> list[str]:
    """The instrument's proposal verbs, strongest first (GRETA: urges, considers, invites)."""
    from monitor.rounds.models import Instrument

    instrument = session.get(Instrument, _round(session, report).instrument_id)
    verbs = (instrument.definition if instrument else {}).get("proposal_verbs")
    return list(verbs or ["urges", "considers", "invites"])


def instrument_articles(session: Session, report: Report) -> set[int]:
    """Article numbers of the report's instrument."""
    from monitor.rounds.models import Instrument

    instrument = session.get(Instrument, _round(session, report).instrument_id)
    arts = (instrument.definition if instrument else {}).get("articles") or []
    return {int(a["number"]) for a in arts}


def comments(session: Session, report: Report) -> list[ReportComment]:
    """Every comment on the report, of every stage, oldest first (callers filter what a
    user may see with :func:`monitor.reports.access.can_see_comment`)."""
    return list(
        session.exec(
            select(ReportComment)
            .where(ReportComment.report_id == report.id)
            .order_by(ReportComment.created_at, ReportComment.id)  # type: ignore[arg-type]
        )
    )


def start_report(
    session: Session,
    evaluation: Evaluation,
    actor: User,
    title: str,
    chapter_titles: Sequence[str],
) -> Report:
    """Start the report of ``evaluation`` with ``title`` and empty chapters, in order
    (see :func:`create_report` and :func:`add_chapter`; raises ReportError the same way)."""
    report = create_report(session, evaluation, actor, title)
    for chapter_title in chapter_titles:
        add_chapter(session, report, actor, chapter_title)
    return report


def timeline(session: Session, report: Report) -> list[tuple[AuditEvent, User | None]]:
    """The report's audit events, oldest first, each with its actor (None for the
    system): ``[(event, actor), ...]``. Event times are naive UTC. Two queries."""
    events = list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.evaluation_id == report.evaluation_id)
            .where(AuditEvent.action.startswith("report."))  # type: ignore[attr-defined]
            .order_by(AuditEvent.at, AuditEvent.id)  # type: ignore[arg-type]
        )
    )
    ids = {e.actor_id for e in events if e.actor_id is not None}
    users = users_by_id(session, ids)
    return [(e, users.get(e.actor_id) if e.actor_id is not None else None) for e in events]


def users_by_id(session: Session, ids: set[int]) -> dict[int, User]:
    """Users keyed by id, for showing names next to comments and events. One query."""
    if not ids:
        return {}
    return {
        u.id: u  # type: ignore[misc]
        for u in session.exec(select(User).where(User.id.in_(ids)))  # type: ignore[union-attr]
    }
