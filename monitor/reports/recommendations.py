"""Committee of the Parties: the recommendation from a published report, the Party's
implementation report and the panel's grading of each proposal (procedure steps 13-14
of ``shared/domain.md``; issue 5, point 6).

One function per state change; each checks the transition, changes the models, writes
an audit row and never commits:

- :func:`draft_recommendation`: one item per proposal of the published report, the
  instrument's strongest verb first ("urges"), then the other verbs in the instrument's
  order, each verb's proposals in report order;
- :func:`update_item`: the secretariat edits an item's text while the recommendation is
  a draft;
- :func:`adopt_recommendation`: adopted on a date; the implementation report is due
  ``deadlines.implementation_report_months`` (12 by default) after it;
- :func:`save_answer` / :func:`submit_implementation_report`: the Party's answers per
  item and their submission by the contact person;
- :func:`grade_item`: the panel grades an item (history kept; the latest is current).

:func:`open_proposals` and :func:`follow_up_sections` turn what is still open into the
next round's Part II questions for the Party (``monitor round follow-up-questions``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from monitor.accounts.models import User
from monitor.core.audit import record
from monitor.core.time import add_months, utcnow
from monitor.reports.models import Report, ReportParagraph, ReportStatus
from monitor.reports.recommendation_models import (
    FollowUpGrade,
    Grade,
    ImplementationAnswer,
    Recommendation,
    RecommendationItem,
    RecommendationStatus,
)
from monitor.reports.services import proposal_verbs, proposals
from monitor.rounds.models import Evaluation, EvaluationRound

#: Grades after which a proposal needs no further follow-up question.
CLOSED = frozenset({Grade.IMPLEMENTED})


class RecommendationError(Exception):
    """A refused operation; ``str(exc)`` is a message for the user."""


def recommendation_for(session: Session, report: Report) -> Recommendation | None:
    return session.exec(select(Recommendation).where(Recommendation.report_id == report.id)).first()


def items(session: Session, recommendation: Recommendation) -> list[RecommendationItem]:
    """The items in their order (urges first)."""
    return list(
        session.exec(
            select(RecommendationItem)
            .where(RecommendationItem.recommendation_id == recommendation.id)
            .order_by(col(RecommendationItem.position))
        )
    )


def ordered_proposals(session: Session, report: Report) -> list[tuple[int, ReportParagraph]]:
    """The report's proposals as ``(paragraph number, paragraph)``: by verb in the
    instrument's order (strongest first: urges, considers, invites for GRETA), a verb not
    in the list last, and in report order within a verb."""
    verbs = proposal_verbs(session, report)
    rank = {v: i for i, v in enumerate(verbs)}
    found = proposals(session, report)
    return sorted(found, key=lambda np: (rank.get(np[1].verb or "", len(verbs)), np[0]))


def implementation_months(session: Session, evaluation: Evaluation) -> int:
    """The round's ``deadlines.implementation_report_months`` (default 12, procedure
    step 13)."""
    rnd = session.get(EvaluationRound, evaluation.round_id)
    deadlines = (rnd.definition if rnd else {}).get("deadlines") or {}
    return int(deadlines.get("implementation_report_months") or 12)


def draft_recommendation(session: Session, report: Report, actor: User) -> Recommendation:
    """Draft the recommendation of a published report: one item per proposal, in the
    order of :func:`ordered_proposals`, each linked to its paragraph with its verb,
    articles and text.

    Raises RecommendationError unless the report is published (procedure step 13
    follows publication), has proposals and has no recommendation yet.
    """
    if report.status != ReportStatus.PUBLISHED:
        raise RecommendationError(_l("A recommendation is drafted from a published report."))
    if recommendation_for(session, report) is not None:
        raise RecommendationError(_l("This report already has a recommendation."))
    found = ordered_proposals(session, report)
    if not found:
        raise RecommendationError(_l("The report has no proposals."))
    rec = Recommendation(
        report_id=report.id,  # type: ignore[arg-type]
        evaluation_id=report.evaluation_id,
        created_by_id=actor.id,
    )
    session.add(rec)
    session.flush()
    for position, (_number, para) in enumerate(found, start=1):
        session.add(
            RecommendationItem(
                recommendation_id=rec.id,  # type: ignore[arg-type]
                paragraph_id=para.id,  # type: ignore[arg-type]
                position=position,
                verb=para.verb,
                articles=list(para.articles),
                text=para.text,
                updated_by_id=actor.id,
            )
        )
    record(session, actor.id, "recommendation.drafted", rec, report.evaluation_id, items=len(found))
    return rec


def update_item(
    session: Session, rec: Recommendation, item: RecommendationItem, actor: User, text: str
) -> None:
    """Change an item's text while the recommendation is a draft."""
    if item.recommendation_id != rec.id:
        raise RecommendationError(_l("That item belongs to another recommendation."))
    if rec.status != RecommendationStatus.DRAFT:
        raise RecommendationError(
            _l("The recommendation has been adopted; it can no longer change.")
        )
    if not text.strip():
        raise RecommendationError(_l("An item needs text."))
    item.text = text.strip()
    item.updated_at = utcnow()
    item.updated_by_id = actor.id
    session.add(item)
    record(session, actor.id, "recommendation.item_changed", item, rec.evaluation_id)


def adopt_recommendation(
    session: Session,
    rec: Recommendation,
    actor: User,
    adopted_on: date,
    implementation_due: date | None = None,
) -> None:
    """Record the Committee of the Parties' adoption on ``adopted_on`` (procedure step
    13). The implementation report is due on ``implementation_due`` or, by default, the
    round's ``deadlines.implementation_report_months`` (12) after ``adopted_on``.

    Raises RecommendationError when already adopted, when ``adopted_on`` is in the
    future, or when the due date is not after the adoption.
    """
    if rec.status != RecommendationStatus.DRAFT:
        raise RecommendationError(_l("The recommendation has already been adopted."))
    if adopted_on > utcnow().date():
        raise RecommendationError(_l("The date of adoption cannot be in the future."))
    evaluation = session.get(Evaluation, rec.evaluation_id)
    assert evaluation is not None
    due = implementation_due or add_months(adopted_on, implementation_months(session, evaluation))
    if due <= adopted_on:
        raise RecommendationError(
            _l("The implementation report must be due after the date of adoption.")
        )
    rec.status = RecommendationStatus.ADOPTED
    rec.adopted_on = adopted_on
    rec.adopted_at = utcnow()
    rec.adopted_by_id = actor.id
    rec.implementation_due = due
    session.add(rec)
    record(
        session,
        actor.id,
        "recommendation.adopted",
        rec,
        rec.evaluation_id,
        adopted_on=adopted_on.isoformat(),
        implementation_due=due.isoformat(),
    )


def _require_open_for_answers(rec: Recommendation) -> None:
    if rec.status != RecommendationStatus.ADOPTED:
        raise RecommendationError(_l("The recommendation has not been adopted yet."))
    if rec.implementation_submitted_at is not None:
        raise RecommendationError(_l("The implementation report has been submitted."))


def answers(session: Session, rec: Recommendation) -> dict[int, ImplementationAnswer]:
    """The Party's answers keyed by item id. One query."""
    ids = [i.id for i in items(session, rec)]
    return {
        a.item_id: a
        for a in session.exec(
            select(ImplementationAnswer).where(col(ImplementationAnswer.item_id).in_(ids))
        )
    }


def save_answer(
    session: Session, rec: Recommendation, item: RecommendationItem, actor: User, text: str
) -> ImplementationAnswer:
    """Save the Party's answer on ``item`` (contact person or contributor), until the
    implementation report is submitted. An empty text clears the answer's text."""
    if item.recommendation_id != rec.id:
        raise RecommendationError(_l("That item belongs to another recommendation."))
    _require_open_for_answers(rec)
    answer = session.exec(
        select(ImplementationAnswer).where(ImplementationAnswer.item_id == item.id)
    ).first()
    if answer is None:
        answer = ImplementationAnswer(item_id=item.id, text="")  # type: ignore[arg-type]
    answer.text = text.strip()
    answer.updated_at = utcnow()
    answer.updated_by_id = actor.id
    session.add(answer)
    record(session, actor.id, "recommendation.answer_saved", answer, rec.evaluation_id)
    return answer


def submit_implementation_report(session: Session, rec: Recommendation, actor: User) -> None:
    """The contact person submits the implementation report: the answers are frozen.

    Raises RecommendationError when the recommendation is not adopted, the report was
    already submitted, or no item has been answered.
    """
    _require_open_for_answers(rec)
    if not any(a.text for a in answers(session, rec).values()):
        raise RecommendationError(_l("Answer at least one item before submitting."))
    rec.implementation_submitted_at = utcnow()
    rec.implementation_submitted_by_id = actor.id
    session.add(rec)
    record(session, actor.id, "recommendation.implementation_submitted", rec, rec.evaluation_id)


def grade_item(
    session: Session,
    rec: Recommendation,
    item: RecommendationItem,
    actor: User,
    grade: Grade,
    comment: str = "",
) -> FollowUpGrade:
    """Add a grading of ``item`` (procedure step 14). Earlier gradings stay as history.

    Raises RecommendationError unless the recommendation is adopted.
    """
    if item.recommendation_id != rec.id:
        raise RecommendationError(_l("That item belongs to another recommendation."))
    if rec.status != RecommendationStatus.ADOPTED:
        raise RecommendationError(_l("The recommendation has not been adopted yet."))
    row = FollowUpGrade(
        item_id=item.id,  # type: ignore[arg-type]
        grade=Grade(grade),
        comment=comment.strip(),
        graded_by_id=actor.id,
    )
    session.add(row)
    record(
        session, actor.id, "recommendation.graded", row, rec.evaluation_id, grade=row.grade.value
    )
    return row


def grade_history(session: Session, item_ids: Sequence[int]) -> dict[int, list[FollowUpGrade]]:
    """Every grading per item id, oldest first (the last one is current). One query."""
    out: dict[int, list[FollowUpGrade]] = {i: [] for i in item_ids}
    if not item_ids:
        return out
    for g in session.exec(
        select(FollowUpGrade)
        .where(col(FollowUpGrade.item_id).in_(list(item_ids)))
        .order_by(col(FollowUpGrade.graded_at), col(FollowUpGrade.id))
    ):
        out.setdefault(g.item_id, []).append(g)
    return out


def current_grades_by_paragraph(session: Session, paragraph_ids: Sequence[int]) -> dict[int, Grade]:
    """The current grade of each proposal paragraph that has one, keyed by paragraph id,
    from adopted recommendations only. Two queries."""
    if not paragraph_ids:
        return {}
    rows = session.exec(
        select(RecommendationItem)
        .join(Recommendation, col(Recommendation.id) == col(RecommendationItem.recommendation_id))
        .where(
            col(RecommendationItem.paragraph_id).in_(list(paragraph_ids)),
            Recommendation.status == RecommendationStatus.ADOPTED,
        )
    ).all()
    history = grade_history(session, [r.id for r in rows if r.id is not None])
    out: dict[int, Grade] = {}
    for r in rows:
        graded = history.get(r.id or 0) or []
        if graded:
            out[r.paragraph_id] = graded[-1].grade
    return out


@dataclass(frozen=True)
class OpenProposal:
    """A proposal of a published report not (yet) graded implemented. ``grade`` is its
    current grade (None: never graded); ``answer`` the Party's latest answer, if any."""

    number: int
    paragraph: ReportParagraph
    grade: Grade | None
    answer: str | None


def open_proposals(session: Session, report: Report) -> list[OpenProposal]:
    """The proposals of ``report`` (in :func:`ordered_proposals` order) whose current
    grade is not "implemented". Raises RecommendationError unless the report is
    published."""
    if report.status != ReportStatus.PUBLISHED:
        raise RecommendationError(_l("The report has not been published."))
    found = ordered_proposals(session, report)
    grades = current_grades_by_paragraph(session, [p.id for _n, p in found if p.id])
    rec = recommendation_for(session, report)
    by_paragraph: dict[int, str] = {}
    if rec is not None:
        got = answers(session, rec)
        for item in items(session, rec):
            a = got.get(item.id or 0)
            if a is not None and a.text:
                by_paragraph[item.paragraph_id] = a.text
    return [
        OpenProposal(n, p, grades.get(p.id or 0), by_paragraph.get(p.id or 0))
        for n, p in found
        if grades.get(p.id or 0) not in CLOSED
    ]


def _quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.strip().splitlines())


GRADE_TEXT = {
    Grade.IMPLEMENTED: "implemented",
    Grade.PARTLY_IMPLEMENTED: "partly implemented",
    Grade.NOT_IMPLEMENTED: "not implemented",
    Grade.NO_INFORMATION: "no information",
}


def follow_up_sections(
    session: Session,
    report: Report,
    party_code: str,
    from_round: int,
    to_round: int,
) -> list[dict[str, Any]]:
    """Part II of the next round for the Party, as a list with one section (or none when
    nothing is open): the value of a round's ``country_specific`` entry, in the shape of
    :class:`monitor.questionnaires.schema.Section`.

    One ``long_text`` item per open proposal (:func:`open_proposals`), id
    ``fu<from>_<party>_p<paragraph number>`` (unique, stable for a report frozen at
    adoption), required, with the proposal's articles; its guidance quotes the proposal
    and its paragraph number, and the current grade when there is one. English text (the
    panel's source language); the YAML author edits it like any Part II file.
    """
    found = open_proposals(session, report)
    if not found:
        return []
    code = party_code.lower()
    articles = sorted({a for o in found for a in o.paragraph.articles})
    out_items: list[dict[str, Any]] = []
    for o in found:
        guidance = (
            f"Proposal in paragraph {o.number} of the report of round {from_round}"
            f" (the panel {o.paragraph.verb or 'asks'}):\n\n{_quote(o.paragraph.text)}"
        )
        if o.grade is not None:
            guidance += f"\n\nCurrent follow-up status: {GRADE_TEXT[o.grade]}."
        item: dict[str, Any] = {
            "id": f"fu{from_round}_{code}_p{o.number}",
            "kind": "long_text",
            "label": (
                f"What has been done since the report of round {from_round} on the proposal "
                f"in its paragraph {o.number}?"
            ),
            "guidance": guidance,
            "required": True,
        }
        if o.paragraph.articles:
            item["articles"] = list(o.paragraph.articles)
        out_items.append(item)
    section: dict[str, Any] = {
        "id": f"fu{from_round}_{code}_followup",
        "title": f"Follow-up to the proposals of round {from_round} ({party_code.upper()})",
        "intro": (
            f"The proposals of the report of round {from_round} that are not yet fully "
            f"implemented. For each, describe the measures taken since, with dates, and "
            f"their results. These questions are part of round {to_round}."
        ),
    }
    if articles:
        section["articles"] = articles
    section["items"] = out_items
    return [section]
