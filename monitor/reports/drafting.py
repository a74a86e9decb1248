"""What a report's paragraphs may refer to: the round's themes, the questionnaire sections
chapters are written from, and the same Party's previous round report and its proposals.

Plain look-ups (no state change, no audit): the services validate paragraphs against
them and the editor offers them as choices. Questionnaire definitions are read as the
stored JSON (``QuestionnaireVersion.definition``), so that a report can be drafted even
from a version an older schema stored.
"""

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from monitor.accounts.models import User
from monitor.core.audit import record
from monitor.reports import services
from monitor.reports.models import ParagraphKind, Report, ReportChapter, ReportParagraph
from monitor.rounds.models import Evaluation, EvaluationRound, QuestionnaireVersion


@dataclass(frozen=True)
class SectionRef:
    """A questionnaire section a chapter can be written from. ``part`` is ``thematic``
    (Part I), ``country_specific`` (Part II) or ``other`` (e.g. Part III statistics)."""

    id: str
    title: str
    part: str
    articles: tuple[int, ...] = ()


def _definition(session: Session, report: Report) -> dict[str, Any]:
    evaluation = session.get(Evaluation, report.evaluation_id)
    version = (
        session.get(QuestionnaireVersion, evaluation.questionnaire_version_id)
        if evaluation is not None
        else None
    )
    return dict(version.definition) if version is not None else {}


def questionnaire_sections(session: Session, report: Report) -> list[SectionRef]:
    """The sections of the evaluation's Party questionnaire, in order, each with the kind
    of part it belongs to: the first non-country-specific part with sections is the
    thematic Part I, the country-specific part is Part II, any later part is ``other``."""
    out: list[SectionRef] = []
    thematic_seen = False
    for part in _definition(session, report).get("parts") or []:
        sections = part.get("sections") or []
        if part.get("country_specific"):
            kind = "country_specific"
        elif sections and not thematic_seen:
            kind = "thematic"
            thematic_seen = True
        else:
            kind = "other"
        for s in sections:
            if s.get("id"):
                out.append(
                    SectionRef(
                        id=str(s["id"]),
                        title=str(s.get("title") or s["id"]),
                        part=kind,
                        articles=tuple(int(a) for a in s.get("articles") or ()),
                    )
                )
    return out


def chapter_section(session: Session, report: Report, chapter: ReportChapter) -> SectionRef | None:
    """The questionnaire section ``chapter`` is written from: its ``section_id``, else the
    section with the chapter's title (reports started before chapters had sections)."""
    sections = questionnaire_sections(session, report)
    if chapter.section_id:
        return next((s for s in sections if s.id == chapter.section_id), None)
    return next((s for s in sections if s.title == chapter.title), None)


def report_themes(session: Session, report: Report) -> list[tuple[str, str]]:
    """The themes a proposal of ``report`` may carry, as ``(theme id, English label)``
    in questionnaire order: each thematic (Part I) section of the round's questionnaire,
    then every item-level ``themes`` tag not already listed (labelled by its id)."""
    out: dict[str, str] = {}
    definition = _definition(session, report)
    for s in questionnaire_sections(session, report):
        if s.part == "thematic":
            out.setdefault(s.id, s.title)
    for part in definition.get("parts") or []:
        for s in part.get("sections") or []:
            for item in s.get("items") or []:
                for tag in item.get("themes") or []:
                    out.setdefault(str(tag), str(tag).replace("_", " ").capitalize())
    return list(out.items())


def _round_of(session: Session, report: Report) -> tuple[Evaluation, EvaluationRound]:
    evaluation = session.get(Evaluation, report.evaluation_id)
    assert evaluation is not None
    rnd = session.get(EvaluationRound, evaluation.round_id)
    assert rnd is not None
    return evaluation, rnd


def previous_report(session: Session, report: Report) -> Report | None:
    """The report on the same Party in the latest earlier round of the same instrument
    that has a report, or None (first round, or no earlier report on the platform)."""
    evaluation, rnd = _round_of(session, report)
    row = session.exec(
        select(Report)
        .join(Evaluation, col(Evaluation.id) == Report.evaluation_id)
        .join(EvaluationRound, col(EvaluationRound.id) == Evaluation.round_id)
        .where(
            Evaluation.party_id == evaluation.party_id,
            EvaluationRound.instrument_id == rnd.instrument_id,
            EvaluationRound.number < rnd.number,
        )
        .order_by(col(EvaluationRound.number).desc())
    ).first()
    return row


def is_earlier_proposal(session: Session, report: Report, para: ReportParagraph) -> bool:
    """True if ``para`` is a proposal of a report on the same Party in an earlier round
    of the same instrument: what a proposal of ``report`` may say it repeats."""
    if para.kind != ParagraphKind.PROPOSAL:
        return False
    other = session.get(Report, para.report_id)
    if other is None or other.id == report.id:
        return False
    evaluation, rnd = _round_of(session, report)
    other_evaluation, other_rnd = _round_of(session, other)
    return (
        other_evaluation.party_id == evaluation.party_id
        and other_rnd.instrument_id == rnd.instrument_id
        and other_rnd.number < rnd.number
    )


def previous_chapter(
    session: Session, report: Report, chapter: ReportChapter, previous: Report
) -> ReportChapter | None:
    """The chapter of the ``previous`` round report that matches ``chapter``: the same
    questionnaire section id, else the same title."""
    chapters = session.exec(
        select(ReportChapter)
        .where(ReportChapter.report_id == previous.id)
        .order_by(col(ReportChapter.position))
    ).all()
    if chapter.section_id:
        match = next((c for c in chapters if c.section_id == chapter.section_id), None)
        if match is not None:
            return match
    return next((c for c in chapters if c.title == chapter.title), None)


def set_chapter_section(
    session: Session,
    report: Report,
    chapter: ReportChapter,
    section_id: str | None,
    actor: User,
) -> None:
    """Tie ``chapter`` to the questionnaire section ``section_id`` (None: to none), so
    that the editor shows that section's answers. Raises ReportError when the report's
    text is frozen, the chapter is another report's or the questionnaire has no such
    section."""
    if report.status not in services.EDITABLE:
        raise services.ReportError(
            _l("The report has been adopted; its text can no longer change.")
        )
    if chapter.report_id != report.id:
        raise services.ReportError(_l("That chapter belongs to another report."))
    if section_id is not None and section_id not in {
        s.id for s in questionnaire_sections(session, report)
    }:
        raise services.ReportError(_l("The questionnaire has no such section."))
    chapter.section_id = section_id
    session.add(chapter)
    record(
        session,
        actor.id,
        "report.chapter_section_set",
        chapter,
        report.evaluation_id,
        section_id=section_id,
    )
