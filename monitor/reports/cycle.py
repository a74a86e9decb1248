"""The report cycle as one state machine (issue 5, point 4; procedure steps 6-12 of
``shared/domain.md``).

Every legal move is one row of :data:`TRANSITIONS`: from-state, action, to-state, the
roles allowed to take it, and a guard that names what is missing. :func:`transition` is
the only way a report changes state: it refuses anything not in the table with
:class:`TransitionError` (or :class:`TransitionForbidden` for a role that may not take an
action that exists), then records a :class:`ReportStep` (actor, UTC time, the new step's
deadline, the plenary), an audit row, and a snapshot of the text
(:mod:`monitor.reports.versions`).

The normal path::

    drafting -submit_for_review-> panel_review -approve_draft (plenary)-> draft_approved
    -send_to_party (comments due: round's deadlines.comments_months, 2)-> sent_to_party
    -send_comments (contact person)-> party_commented -start_revision-> revising
    -adopt (a later plenary; numbers frozen)-> adopted
    -transmit (final comments due: deadlines.final_comments_months, 1)-> transmitted
    -publish (secretariat, once the Party sent final comments or the month is over)
     or publish_due (the cron command, once the month is over)-> published

Side paths: panel_review -return_to_drafting-> drafting; sent_to_party -start_revision->
revising once the comment deadline passed without comments (the Party did not answer);
transmitted -send_final_comments-> transmitted (the Party's final comments, a step of its
own on the record).

Urgent procedure (``Report.urgent``; domain.md: "an urgent procedure (a short, focused
evaluation)"): drafting -adopt_urgent (plenary)-> adopted. An urgent report skips the
panel-internal review and the Party's comment cycle on the draft, because the point of
the procedure is speed. It still needs adoption in plenary, because the glossary makes
the plenary the only place where the panel adopts reports, and it still goes through
transmission and the month for final comments, because step 12 publishes a report
"together with the Party's comments": the Party is heard once, on the final text.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlmodel import Session, col, select

from monitor.accounts.models import Role, User
from monitor.core.audit import record
from monitor.core.time import add_months, utcnow
from monitor.reports import plenaries, services, versions
from monitor.reports.labels import status_label
from monitor.reports.models import (
    CommentStage,
    Plenary,
    PlenaryItem,
    PlenaryItemKind,
    Report,
    ReportComment,
    ReportStatus,
    ReportStep,
)
from monitor.rounds.models import Evaluation

S = ReportStatus


class Action(enum.StrEnum):
    SUBMIT_FOR_REVIEW = "submit_for_review"
    RETURN_TO_DRAFTING = "return_to_drafting"
    APPROVE_DRAFT = "approve_draft"
    SEND_TO_PARTY = "send_to_party"
    SEND_COMMENTS = "send_comments"
    START_REVISION = "start_revision"
    ADOPT = "adopt"
    ADOPT_URGENT = "adopt_urgent"
    TRANSMIT = "transmit"
    SEND_FINAL_COMMENTS = "send_final_comments"
    PUBLISH = "publish"
    PUBLISH_DUE = "publish_due"


class TransitionError(services.ReportError):
    """A refused transition (not from this state, or a guard failed); ``str(exc)`` is
    the message for the user. Over HTTP: 409."""


class TransitionForbidden(TransitionError):
    """The actor's role may not take this action (over HTTP: 403)."""


@dataclass(frozen=True)
class Context:
    """What a guard or a deadline rule may look at. ``today`` is a UTC calendar date;
    ``actor`` is None for the system (the cron command)."""

    session: Session
    report: Report
    actor: User | None
    today: date
    plenary: Plenary | None


Guard = Callable[[Context], str | None]

SECRETARIAT = frozenset({Role.SECRETARIAT})
PANEL = frozenset({Role.SECRETARIAT, Role.PANEL})
CONTACT = frozenset({Role.PARTY_CONTACT})


@dataclass(frozen=True)
class Transition:
    """One row of the table. ``roles`` empty with ``system`` True: only the cron command.
    ``plenary``: the decision is taken at a plenary whose agenda has this item kind.
    ``due``: the deadline of the step the report enters (None: no deadline)."""

    source: ReportStatus
    action: Action
    target: ReportStatus
    roles: frozenset[Role]
    guard: Guard | None = None
    plenary: PlenaryItemKind | None = None
    due: Callable[[Context], date] | None = None
    system: bool = False


# --- guards and deadlines ------------------------------------------------------------------


def _has_paragraphs(ctx: Context) -> str | None:
    if not services.paragraph_numbers(ctx.session, ctx.report):
        return str(_l("The report has no paragraphs yet."))
    return None


def _unsent(ctx: Context, stage: CommentStage) -> list[ReportComment]:
    return [
        c
        for c in services.comments(ctx.session, ctx.report)
        if c.stage == stage and c.sent_at is None
    ]


def _has_unsent_draft_comments(ctx: Context) -> str | None:
    if not _unsent(ctx, CommentStage.DRAFT):
        return str(_l("There is no comment to send yet."))
    return None


def _has_unsent_final_comments(ctx: Context) -> str | None:
    if not _unsent(ctx, CommentStage.FINAL):
        return str(_l("There is no final comment to send yet."))
    return None


def _comment_period_over(ctx: Context) -> str | None:
    due = ctx.report.comments_due
    if due is not None and ctx.today <= due:
        return str(
            _l(
                "The Party has until %(date)s to comment; the revision starts when it has "
                "sent its comments or that date has passed.",
                date=due.isoformat(),
            )
        )
    return None


def _approval_date(ctx: Context) -> date | None:
    step = ctx.session.exec(
        select(ReportStep)
        .where(ReportStep.report_id == ctx.report.id)
        .where(ReportStep.action == Action.APPROVE_DRAFT.value)
        .order_by(col(ReportStep.id).desc())
    ).first()
    if step is None or step.plenary_id is None:
        return None
    plenary = ctx.session.get(Plenary, step.plenary_id)
    return plenary.start_date if plenary else None


def _adoption_ready(ctx: Context) -> str | None:
    """Step 10: at a later plenary than the approval, every Party comment answered."""
    approved = _approval_date(ctx)
    if ctx.plenary is not None and approved is not None and ctx.plenary.start_date <= approved:
        return str(_l("The final report is adopted at a later plenary than the draft."))
    open_ = [
        c
        for c in services.comments(ctx.session, ctx.report)
        if c.stage == CommentStage.DRAFT and c.sent_at is not None and c.response is None
    ]
    if open_:
        return str(
            lazy_ngettext(
                "%(num)d comment of the Party has not been answered.",
                "%(num)d comments of the Party have not been answered.",
                len(open_),
            )
        )
    return None


def _urgent(ctx: Context) -> str | None:
    if not ctx.report.urgent:
        return str(_l("Only a report under the urgent procedure can be adopted without comments."))
    return _has_paragraphs(ctx)


def _final_comments_in_or_month_over(ctx: Context) -> str | None:
    sent = [
        c
        for c in services.comments(ctx.session, ctx.report)
        if c.stage == CommentStage.FINAL and c.sent_at is not None
    ]
    if sent:
        return None
    return _final_month_over(ctx)


def _final_month_over(ctx: Context) -> str | None:
    due = ctx.report.final_comments_due
    if due is not None and ctx.today <= due:
        return str(
            _l(
                "The Party has until %(date)s for its final comments; the report can be "
                "published earlier only once the Party has sent them.",
                date=due.isoformat(),
            )
        )
    return None


def _months(ctx: Context, key: str, default: int) -> int:
    rnd = services._round(ctx.session, ctx.report)
    return int((rnd.definition.get("deadlines") or {}).get(key, default))


def _comments_due(ctx: Context) -> date:
    return add_months(ctx.today, _months(ctx, "comments_months", 2))


def _final_comments_due(ctx: Context) -> date:
    return add_months(ctx.today, _months(ctx, "final_comments_months", 1))


# --- the table -----------------------------------------------------------------------------

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFTING, Action.SUBMIT_FOR_REVIEW, S.PANEL_REVIEW, PANEL, _has_paragraphs),
    Transition(S.PANEL_REVIEW, Action.RETURN_TO_DRAFTING, S.DRAFTING, PANEL),
    Transition(
        S.PANEL_REVIEW,
        Action.APPROVE_DRAFT,
        S.DRAFT_APPROVED,
        SECRETARIAT,
        _has_paragraphs,
        plenary=PlenaryItemKind.APPROVE_DRAFT,
    ),
    Transition(S.DRAFT_APPROVED, Action.SEND_TO_PARTY, S.SENT_TO_PARTY, PANEL, due=_comments_due),
    Transition(
        S.SENT_TO_PARTY,
        Action.SEND_COMMENTS,
        S.PARTY_COMMENTED,
        CONTACT,
        _has_unsent_draft_comments,
    ),
    Transition(S.SENT_TO_PARTY, Action.START_REVISION, S.REVISING, PANEL, _comment_period_over),
    Transition(S.PARTY_COMMENTED, Action.START_REVISION, S.REVISING, PANEL),
    Transition(
        S.REVISING,
        Action.ADOPT,
        S.ADOPTED,
        SECRETARIAT,
        _adoption_ready,
        plenary=PlenaryItemKind.ADOPT,
    ),
    Transition(
        S.DRAFTING,
        Action.ADOPT_URGENT,
        S.ADOPTED,
        SECRETARIAT,
        _urgent,
        plenary=PlenaryItemKind.ADOPT,
    ),
    Transition(S.ADOPTED, Action.TRANSMIT, S.TRANSMITTED, SECRETARIAT, due=_final_comments_due),
    Transition(
        S.TRANSMITTED,
        Action.SEND_FINAL_COMMENTS,
        S.TRANSMITTED,
        CONTACT,
        _has_unsent_final_comments,
    ),
    Transition(
        S.TRANSMITTED, Action.PUBLISH, S.PUBLISHED, SECRETARIAT, _final_comments_in_or_month_over
    ),
    Transition(
        S.TRANSMITTED,
        Action.PUBLISH_DUE,
        S.PUBLISHED,
        frozenset(),
        _final_month_over,
        system=True,
    ),
)

ACTION_LABELS = {
    Action.SUBMIT_FOR_REVIEW: _l("Send for panel review"),
    Action.RETURN_TO_DRAFTING: _l("Return to drafting"),
    Action.APPROVE_DRAFT: _l("Approve the draft"),
    Action.SEND_TO_PARTY: _l("Send the draft to the Party"),
    Action.SEND_COMMENTS: _l("Send the Party's comments to the panel"),
    Action.START_REVISION: _l("Start the revision"),
    Action.ADOPT: _l("Adopt the final report"),
    Action.ADOPT_URGENT: _l("Adopt under the urgent procedure"),
    Action.TRANSMIT: _l("Transmit to the Party and the Committee of the Parties"),
    Action.SEND_FINAL_COMMENTS: _l("Send the final comments"),
    Action.PUBLISH: _l("Publish"),
    Action.PUBLISH_DUE: _l("Published when the month for final comments expired"),
}

DONE_MESSAGES = {
    Action.SUBMIT_FOR_REVIEW: _l("The draft is with the panel for review."),
    Action.RETURN_TO_DRAFTING: _l("The draft is back in drafting."),
    Action.APPROVE_DRAFT: _l("The draft has been approved."),
    Action.SEND_TO_PARTY: _l("The draft has been sent to the Party."),
    Action.SEND_COMMENTS: _l("Your comments have been sent to the panel."),
    Action.START_REVISION: _l("The revision has started."),
    Action.ADOPT: _l("The final report has been adopted."),
    Action.ADOPT_URGENT: _l("The final report has been adopted."),
    Action.TRANSMIT: _l("The final report has been transmitted."),
    Action.SEND_FINAL_COMMENTS: _l("Your final comments have been sent."),
    Action.PUBLISH: _l("The report has been published."),
    Action.PUBLISH_DUE: _l("The report has been published."),
}


def transitions_from(status: ReportStatus) -> list[Transition]:
    """The table's rows leaving ``status``, in table order."""
    return [t for t in TRANSITIONS if t.source == status]


def find(status: ReportStatus, action: Action | str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == status and t.action == action), None)


def allowed_for(user: User | None, transition: Transition, evaluation: Evaluation) -> bool:
    """True if ``user`` (None: the system) may take ``transition`` on a report of
    ``evaluation``: by role, and for Party roles only on their own Party's report."""
    if user is None:
        return transition.system
    role = getattr(user, "role", None)
    if role not in transition.roles:
        return False
    if role in (Role.PARTY_CONTACT, Role.PARTY_CONTRIBUTOR):
        return user.party_id == evaluation.party_id
    return True


def available(session: Session, report: Report, user: User | None) -> list[Transition]:
    """The transitions ``user`` may try from the report's state (guards not checked)."""
    evaluation = session.get(Evaluation, report.evaluation_id)
    assert evaluation is not None
    return [
        t
        for t in transitions_from(ReportStatus(report.status))
        if not t.system and allowed_for(user, t, evaluation)
    ]


def transition(
    session: Session,
    report: Report,
    action: Action | str,
    actor: User | None,
    plenary: Plenary | None = None,
    today: date | None = None,
) -> ReportStep:
    """Take ``action`` on ``report`` as ``actor`` (None: the system), at ``plenary`` for
    the decisions taken in plenary. ``today`` (UTC date) defaults to the current date.

    Returns the recorded step. Raises :class:`TransitionError` for an action that does not
    leave the current state, a plenary missing or without the report on its agenda (or
    not yet begun), or a failed guard; :class:`TransitionForbidden` for a role the row
    does not allow. On refusal nothing changes. Never commits.
    """
    status = ReportStatus(report.status)
    try:
        action = Action(action)
    except ValueError:
        raise TransitionError(_l("Unknown action.")) from None
    row = find(status, action)
    if row is None:
        raise TransitionError(
            _l(
                "“%(action)s” is not possible while the report is in the state “%(status)s”.",
                action=ACTION_LABELS[action],
                status=status_label(status),
            )
        )
    evaluation = session.get(Evaluation, report.evaluation_id)
    assert evaluation is not None
    if not allowed_for(actor, row, evaluation):
        raise TransitionForbidden(
            _l("Your role does not allow “%(action)s”.", action=ACTION_LABELS[action])
        )
    today = today or utcnow().date()
    item: PlenaryItem | None = None
    if row.plenary is not None:
        if plenary is None:
            raise TransitionError(_l("This decision is taken at a plenary: choose the plenary."))
        item = plenaries.agenda_item(session, plenary, report, row.plenary)
        if item is None:
            raise TransitionError(
                _l(
                    "The report is not on the agenda of %(plenary)s for this decision.",
                    plenary=plenary.name,
                )
            )
        if plenary.start_date > today:
            raise TransitionError(
                _l(
                    "%(plenary)s begins on %(date)s; its decisions are recorded from then on.",
                    plenary=plenary.name,
                    date=plenary.start_date.isoformat(),
                )
            )
    ctx = Context(session, report, actor, today, plenary)
    if row.guard is not None:
        problem = row.guard(ctx)
        if problem:
            raise TransitionError(problem)
    due = row.due(ctx) if row.due is not None else None
    _apply(ctx, row, due)
    now = utcnow()
    if item is not None:
        item.done_at = now
        session.add(item)
    step = ReportStep(
        report_id=report.id,  # type: ignore[arg-type]
        action=action.value,
        from_status=status,
        to_status=row.target,
        actor_id=actor.id if actor else None,
        at=now,
        due=due,
        plenary_id=plenary.id if plenary is not None and row.plenary else None,
    )
    session.add(step)
    record(
        session,
        actor.id if actor else None,
        f"report.{action.value}",
        report,
        report.evaluation_id,
        **{"from": status.value, "to": row.target.value},
        due=due.isoformat() if due else None,
        plenary=plenary.name if plenary is not None and row.plenary else None,
    )
    versions.snapshot(session, report, actor, action.value)
    return step


def _apply(ctx: Context, row: Transition, due: date | None) -> None:
    """The state change and the fields each step sets."""
    report, now = ctx.report, utcnow()
    report.status = row.target
    if row.action == Action.SEND_TO_PARTY:
        report.sent_at = now
        report.comments_due = due
    elif row.action in (Action.SEND_COMMENTS, Action.SEND_FINAL_COMMENTS):
        stage = CommentStage.DRAFT if row.action == Action.SEND_COMMENTS else CommentStage.FINAL
        for comment in _unsent(ctx, stage):
            comment.sent_at = now
            ctx.session.add(comment)
    elif row.action in (Action.ADOPT, Action.ADOPT_URGENT):
        report.adopted_at = now
        # Citations ("§198") must hold: store the numbers of the adopted text.
        report.frozen_numbers = {
            str(pid): n for pid, n in services.paragraph_numbers(ctx.session, report).items()
        }
    elif row.action == Action.TRANSMIT:
        report.transmitted_at = now
        report.final_comments_due = due
    elif row.action in (Action.PUBLISH, Action.PUBLISH_DUE):
        report.published_at = now
    ctx.session.add(report)


# --- deadlines -----------------------------------------------------------------------------


def current_step(
    session: Session, report: Report, today: date | None = None
) -> tuple[ReportStatus, date | None, bool]:
    """``(state, due date or None, overdue)`` of the report's current step, for the
    deadlines dashboard. ``today`` is a UTC date (default: now).

    The due date is the Party's deadline while the draft or the final report is with it
    (``comments_due``, ``final_comments_due``), and otherwise the start of the next
    plenary whose agenda has the decision the step waits for (approval during panel
    review, adoption during revision or urgent drafting). Overdue: ``today`` is after
    the due date.
    """
    status = ReportStatus(report.status)
    today = today or utcnow().date()
    due: date | None = None
    if status == S.SENT_TO_PARTY:
        due = report.comments_due
    elif status == S.TRANSMITTED:
        due = report.final_comments_due
    elif status == S.PANEL_REVIEW:
        due = _next_plenary(session, report, PlenaryItemKind.APPROVE_DRAFT)
    elif status in (S.PARTY_COMMENTED, S.REVISING) or (status == S.DRAFTING and report.urgent):
        due = _next_plenary(session, report, PlenaryItemKind.ADOPT)
    return status, due, due is not None and today > due


def extend_deadline(
    session: Session, report: Report, actor: User, new_due: date, today: date | None = None
) -> date:
    """Move the Party's current deadline (comments on the draft while it is with the
    Party, final comments while the final report is) to ``new_due``, a UTC calendar date
    not in the past: deadlines are data, changeable per evaluation ("extensions happen",
    ``shared/domain.md``). Only the secretariat. Returns the old due date; writes an
    audit row. Raises TransitionForbidden for another role, TransitionError in a state
    without a Party deadline or for a date in the past."""
    if getattr(actor, "role", None) != Role.SECRETARIAT:
        raise TransitionForbidden(_l("Only the secretariat changes deadlines."))
    today = today or utcnow().date()
    status = ReportStatus(report.status)
    if status not in (S.SENT_TO_PARTY, S.TRANSMITTED):
        raise TransitionError(_l("The report has no deadline of the Party to change now."))
    if new_due < today:
        raise TransitionError(_l("A deadline cannot be set in the past."))
    field = "comments_due" if status == S.SENT_TO_PARTY else "final_comments_due"
    old = getattr(report, field)
    setattr(report, field, new_due)
    session.add(report)
    record(
        session,
        actor.id,
        "report.deadline_changed",
        report,
        report.evaluation_id,
        field=field,
        old=old.isoformat() if old else None,
        due=new_due.isoformat(),
    )
    return old  # type: ignore[no-any-return]


def _next_plenary(session: Session, report: Report, kind: PlenaryItemKind) -> date | None:
    pending = plenaries.pending_plenaries(session, report, kind)
    return pending[0].start_date if pending else None


def steps(session: Session, report: Report) -> list[ReportStep]:
    """The report's recorded steps, oldest first."""
    return list(
        session.exec(
            select(ReportStep).where(ReportStep.report_id == report.id).order_by(col(ReportStep.id))
        )
    )


def publish_due(session: Session, today: date | None = None) -> list[Report]:
    """Publish every transmitted report whose month for final comments is over
    (``final_comments_due`` before ``today``, a UTC date): procedure step 12, run by the
    cron command ``monitor report publish-due``. Returns the reports published; a second
    run finds nothing. Never commits."""
    today = today or utcnow().date()
    due = session.exec(
        select(Report)
        .where(Report.status == S.TRANSMITTED)
        .where(col(Report.final_comments_due).is_not(None))
        .where(col(Report.final_comments_due) < today)
        .order_by(col(Report.id))
    ).all()
    for report in due:
        transition(session, report, Action.PUBLISH_DUE, None, today=today)
    return list(due)
