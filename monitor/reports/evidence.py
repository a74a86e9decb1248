"""Drafting beside the evidence: for the chapter being written, the matching
questionnaire section's answers (the Party's submitted reply and every submitted NGO
submission, side by side, through :mod:`monitor.submissions.side_by_side`), the
paragraphs that already cite them, and the previous round report's paragraphs on the
same chapter. Panel only (the views check): NGO input is confidential.
"""

from dataclasses import dataclass, field

from sqlmodel import Session

from monitor.reports import drafting, services
from monitor.reports.citations import AnswerKey, CitingParagraph, citing_paragraphs
from monitor.reports.models import Report, ReportChapter, ReportParagraph
from monitor.rounds.models import Evaluation
from monitor.submissions.side_by_side import SideBySide, side_by_side


@dataclass
class Evidence:
    """What the editor shows beside the paragraph form for ``chapter``.

    ``section`` is the questionnaire section the chapter is written from (None: the
    chapter has none, e.g. the introduction); ``sections`` every section, to choose one;
    ``replies`` the answers on it side by side (None without a section);
    ``cited_in`` maps each shown answer ``(reply id, item id)`` to the paragraphs citing
    it; ``previous_paragraphs`` are ``(number, paragraph)`` of the matching chapter of the
    same Party's previous round report, if any.
    """

    chapter: ReportChapter
    section: drafting.SectionRef | None
    sections: list[drafting.SectionRef]
    replies: SideBySide | None
    cited_in: dict[AnswerKey, list[CitingParagraph]] = field(default_factory=dict)
    previous: Report | None = None
    previous_chapter: ReportChapter | None = None
    previous_paragraphs: list[tuple[int, ReportParagraph]] = field(default_factory=list)


def chapter_evidence(
    session: Session, report: Report, chapter: ReportChapter, locale: str
) -> Evidence:
    """The evidence for writing ``chapter`` of ``report``, answers readable in
    ``locale``. Reads only; a few queries per reply shown."""
    evaluation = session.get(Evaluation, report.evaluation_id)
    assert evaluation is not None
    sections = drafting.questionnaire_sections(session, report)
    section = drafting.chapter_section(session, report, chapter)
    replies = None
    cited: dict[AnswerKey, list[CitingParagraph]] = {}
    if section is not None:
        try:
            replies = side_by_side(session, evaluation, section.id, locale)
        except (LookupError, ValueError):
            # A stored questionnaire the current schema cannot read: no answers to show.
            replies = None
        if replies is not None:
            cited = citing_paragraphs(session, replies.answer_keys())
    previous = drafting.previous_report(session, report)
    previous_chapter = None
    previous_paragraphs: list[tuple[int, ReportParagraph]] = []
    if previous is not None:
        previous_chapter = drafting.previous_chapter(session, report, chapter, previous)
        if previous_chapter is not None:
            for c, paras in services.structure(session, previous):
                if c.id == previous_chapter.id:
                    previous_paragraphs = paras
    return Evidence(
        chapter=chapter,
        section=section,
        sections=sections,
        replies=replies,
        cited_in=cited,
        previous=previous,
        previous_chapter=previous_chapter,
        previous_paragraphs=previous_paragraphs,
    )
