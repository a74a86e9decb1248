"""The dated milestones of an evaluation, for the deadlines dashboard and the reminders
(issue 5, point 7; procedure steps 2-13 of ``shared/domain.md``).

:func:`milestones` lists, for one evaluation, every milestone that has a due date: the
Party's reply, the report's comment period, final comments, the implementation report.
The secretariat's publication of the report is the one panel-side milestone so far.
Each comes from a *source*: a small function ``source(facts) -> Iterable[Milestone]``
listed in :data:`SOURCES`. Adding a kind of milestone is adding one function there; the
report cycle's steps (``monitor.reports`` ``current_step(session, report)`` giving
``(state, due, overdue)``) are meant to come in as one such source, e.g.::

    def _cycle(f: Facts) -> Iterable[Milestone]:
        if f.report is not None:
            state, due, _overdue = current_step(f.session, f.report)
            if due is not None:
                yield f.milestone(f"cycle:{state}", state_label(state), due, None, PANEL)

This module reads rounds, submissions and reports, so it sits in the top layer, beside
``public/``; nothing below imports it.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from monitor.accounts.models import Role, User
from monitor.core.time import add_months, utcnow
from monitor.reports.models import CommentStage, Report, ReportComment, ReportStatus
from monitor.reports.recommendation_models import Recommendation, RecommendationStatus
from monitor.reports.services import FINAL
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions.models import Reply, ReplyStatus

#: Who acts on a milestone: the Party (its contact person is reminded) or the panel
#: (the secretariat is reminded).
PARTY = "party"
PANEL = "panel"


@dataclass(frozen=True)
class Milestone:
    """A dated step of an evaluation.

    ``key`` is a stable name (``reply``, ``report_comments``, ``final_comments``,
    ``publication``, ``implementation_report``; the reminder ledger is keyed by it); ``name`` a
    translatable label; ``due`` and ``done`` calendar dates (``done`` None while
    pending); ``overdue`` is true when pending after ``due``; ``side`` is :data:`PARTY`
    or :data:`PANEL`; ``responsible`` the people to remind (the Party's contact persons,
    or the secretariat).
    """

    evaluation_id: int
    key: str
    name: Any
    due: date
    done: date | None
    overdue: bool
    side: str
    responsible: tuple[User, ...] = field(default=(), compare=False)

    @property
    def pending(self) -> bool:
        return self.done is None


@dataclass
class Facts:
    """What the sources read about one evaluation, loaded once. ``today`` is a UTC date."""

    session: Session
    evaluation: Evaluation
    round: EvaluationRound | None
    reply: Reply | None
    report: Report | None
    recommendation: Recommendation | None
    contacts: tuple[User, ...]
    secretariat: tuple[User, ...]
    today: date

    def deadline_months(self, name: str, default: int) -> int:
        """The round's ``deadlines.<name>`` in months (``default`` when not set)."""
        deadlines = (self.round.definition if self.round else {}).get("deadlines") or {}
        return int(deadlines.get(name) or default)

    def milestone(self, key: str, name: Any, due: date, done: date | None, side: str) -> Milestone:
        return Milestone(
            evaluation_id=self.evaluation.id,  # type: ignore[arg-type]
            key=key,
            name=name,
            due=due,
            done=done,
            overdue=done is None and due < self.today,
            side=side,
            responsible=self.contacts if side == PARTY else self.secretariat,
        )


Source = Callable[[Facts], Iterable[Milestone]]


def _reply(f: Facts) -> Iterable[Milestone]:
    """Procedure steps 2-3: the Party's reply is due ``reply_due``; done when submitted,
    or no longer awaited once the draft report has gone to the Party (the date it was
    sent stands as done: nobody is reminded of a reply the report no longer waits for)."""
    if f.evaluation.reply_due is not None:
        done = None
        if f.reply is not None and f.reply.status == ReplyStatus.SUBMITTED and f.reply.submitted_at:
            done = f.reply.submitted_at.date()
        elif f.report is not None and f.report.sent_at is not None:
            done = f.report.sent_at.date()
        yield f.milestone(
            "reply", _l("Reply to the questionnaire"), f.evaluation.reply_due, done, PARTY
        )


def _additional_requests(f: Facts) -> Iterable[Milestone]:
    """Procedure step 3: each additional request for information to the Party, due on
    its ``deadline``, done when answered (``key`` ``request:<id>``). Requests to an NGO
    are left out (its people are not among the responsible). The request model comes
    with the requests-for-information work (issue 4); until it is there, nothing."""
    from monitor.submissions import models as submissions

    request_model: Any = getattr(submissions, "InformationRequest", None)
    if request_model is None:
        return
    rows = f.session.exec(
        select(request_model)
        .where(
            request_model.evaluation_id == f.evaluation.id,
            request_model.audience == Audience.PARTY,
        )
        .order_by(request_model.id)
    )
    for r in rows:
        done = r.answered_at.date() if r.answered_at else None
        yield f.milestone(
            f"request:{r.id}", _l("Answers to a request for information"), r.deadline, done, PARTY
        )


#: Report states in which the Party's comments on the draft are no longer awaited.
_PAST_DRAFT_COMMENTS = frozenset({ReportStatus.PARTY_COMMENTED, ReportStatus.REVISING}) | FINAL


def _first_sent(f: Facts, stage: CommentStage) -> date | None:
    """The UTC date the Party first sent a comment of ``stage``, or None."""
    assert f.report is not None
    first = f.session.exec(
        select(ReportComment.sent_at)
        .where(
            ReportComment.report_id == f.report.id,
            ReportComment.stage == stage,
            col(ReportComment.sent_at).is_not(None),
        )
        .order_by(col(ReportComment.sent_at))
    ).first()
    return first.date() if first is not None else None


def _report_comments(f: Facts) -> Iterable[Milestone]:
    """Procedure steps 8-9: the Party's comments on the draft, due ``comments_due``;
    done when the contact person sent them, or, once the panel has moved on without them
    (revision after the period, adoption), on the due date."""
    report = f.report
    if report is None or report.comments_due is None:
        return
    done = _first_sent(f, CommentStage.DRAFT)
    if done is None and report.status in _PAST_DRAFT_COMMENTS:
        done = report.comments_due
    yield f.milestone(
        "report_comments", _l("Comments on the draft report"), report.comments_due, done, PARTY
    )


def _final_comments(f: Facts) -> Iterable[Milestone]:
    """Procedure steps 11-12: final comments, due ``final_comments_due`` (set when the
    final report is transmitted, ``deadlines.final_comments_months`` later, default 1);
    done when the Party sent them, or at publication."""
    report = f.report
    if report is None:
        return
    due = report.final_comments_due
    if due is None and report.adopted_at is not None and report.status == ReportStatus.PUBLISHED:
        due = add_months(report.adopted_at.date(), f.deadline_months("final_comments_months", 1))
    if due is None:
        return
    done = _first_sent(f, CommentStage.FINAL)
    if done is None and report.published_at is not None:
        done = report.published_at.date()
    yield f.milestone("final_comments", _l("Final comments on the report"), due, done, PARTY)


def _cycle(f: Facts) -> Iterable[Milestone]:
    """Procedure steps 7 and 10, the panel's side of the report cycle: while the draft
    is under panel review, its approval at the next plenary with it on the agenda; while
    the panel revises (or drafts an urgent report), adoption at the next such plenary
    (:func:`monitor.reports.cycle.current_step`). The Party's deadlines are
    :func:`_report_comments` and :func:`_final_comments`. Key ``cycle:<state>``."""
    from monitor.reports.cycle import current_step

    report = f.report
    if report is None:
        return
    state, due, _overdue = current_step(f.session, report, f.today)
    if due is None or state in (ReportStatus.SENT_TO_PARTY, ReportStatus.TRANSMITTED):
        return
    name = (
        _l("Approval of the draft at a plenary")
        if state == ReportStatus.PANEL_REVIEW
        else _l("Adoption of the final report at a plenary")
    )
    yield f.milestone(f"cycle:{state.value}", name, due, None, PANEL)


def _publication(f: Facts) -> Iterable[Milestone]:
    """Procedure step 12: the secretariat publishes the report, with the Party's comments,
    when the month for final comments expires (same due date as :func:`_final_comments`);
    done at publication. A panel-side step: the secretariat is reminded."""
    for m in _final_comments(f):
        yield f.milestone("publication", _l("Publication of the report"), m.due, m.done, PANEL)


def _implementation_report(f: Facts) -> Iterable[Milestone]:
    """Procedure step 13: the implementation report, due as the recommendation says."""
    rec = f.recommendation
    if rec is None or rec.status != RecommendationStatus.ADOPTED or rec.implementation_due is None:
        return
    done = rec.implementation_submitted_at.date() if rec.implementation_submitted_at else None
    yield f.milestone(
        "implementation_report", _l("Implementation report"), rec.implementation_due, done, PARTY
    )


#: The milestone sources, in procedure order (see the module docstring).
SOURCES: list[Source] = [
    _reply,
    _additional_requests,
    _report_comments,
    _cycle,
    _final_comments,
    _publication,
    _implementation_report,
]


def _facts(session: Session, evaluations: Sequence[Evaluation], today: date) -> list[Facts]:
    """Load what the sources need for ``evaluations`` in a fixed number of queries."""
    ids = [e.id for e in evaluations]
    rounds = {r.id: r for r in session.exec(select(EvaluationRound))}
    replies: dict[int | None, Reply] = {
        r.evaluation_id: r
        for r in session.exec(
            select(Reply).where(col(Reply.evaluation_id).in_(ids), Reply.audience == Audience.PARTY)
        )
    }
    reports: dict[int | None, Report] = {
        r.evaluation_id: r
        for r in session.exec(select(Report).where(col(Report.evaluation_id).in_(ids)))
    }
    recs: dict[int | None, Recommendation] = {
        r.evaluation_id: r
        for r in session.exec(
            select(Recommendation).where(col(Recommendation.evaluation_id).in_(ids))
        )
    }
    users = list(session.exec(select(User).where(User.active == True)))  # noqa: E712
    secretariat = tuple(u for u in users if u.role == Role.SECRETARIAT)
    contacts: dict[int | None, list[User]] = {}
    for u in users:
        if u.role == Role.PARTY_CONTACT:
            contacts.setdefault(u.party_id, []).append(u)
    return [
        Facts(
            session=session,
            evaluation=e,
            round=rounds.get(e.round_id),
            reply=replies.get(e.id),
            report=reports.get(e.id),
            recommendation=recs.get(e.id),
            contacts=tuple(contacts.get(e.party_id, ())),
            secretariat=secretariat,
            today=today,
        )
        for e in evaluations
    ]


def _collect(f: Facts) -> list[Milestone]:
    out = [m for source in SOURCES for m in source(f)]
    return sorted(out, key=lambda m: (m.due, m.key))


def milestones(
    session: Session, evaluation: Evaluation, today: date | None = None
) -> list[Milestone]:
    """Every dated milestone of ``evaluation``, by due date. ``today`` (UTC date,
    default now) decides ``overdue``."""
    return _collect(_facts(session, [evaluation], today or utcnow().date())[0])


def milestones_of(
    session: Session, evaluations: Sequence[Evaluation], today: date | None = None
) -> dict[int, list[Milestone]]:
    """:func:`milestones` for several evaluations, keyed by evaluation id (the loading
    is shared, a fixed number of queries plus one per report with a comment period)."""
    facts = _facts(session, evaluations, today or utcnow().date())
    return {f.evaluation.id: _collect(f) for f in facts}  # type: ignore[misc]


def next_milestone(items: Iterable[Milestone]) -> Milestone | None:
    """The pending milestone due first, or None."""
    pending = [m for m in items if m.pending]
    return min(pending, key=lambda m: (m.due, m.key)) if pending else None
