"""Plenary meetings of the panel and their agendas (issue 5, point 5; procedure steps 7
and 10: drafts are approved and final reports adopted in plenary).

The secretariat creates a plenary, puts reports on its agenda (approve the draft, adopt
the final report) and records the decisions from the plenary's page; the decisions
themselves are cycle transitions (:func:`monitor.reports.cycle.transition` with the
plenary), which mark the agenda item done.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from monitor.accounts.models import User
from monitor.core.audit import record
from monitor.reports.models import Plenary, PlenaryItem, PlenaryItemKind, Report, ReportStatus
from monitor.reports.services import FINAL, ReportError


def create_plenary(
    session: Session, actor: User, name: str, start: date, end: date, place: str = ""
) -> Plenary:
    """Record a plenary meeting (``start``/``end``: calendar dates, ``end`` >= ``start``).
    Raises ReportError for an empty name or dates in the wrong order."""
    if not name.strip():
        raise ReportError(_l("A plenary needs a number or a name."))
    if end < start:
        raise ReportError(_l("A plenary cannot end before it starts."))
    plenary = Plenary(name=name.strip(), start_date=start, end_date=end, place=place.strip())
    session.add(plenary)
    record(session, actor.id, "plenary.created", plenary, start=start.isoformat())
    return plenary


def plenaries(session: Session) -> list[Plenary]:
    """Every plenary, latest first."""
    return list(
        session.exec(
            select(Plenary).order_by(col(Plenary.start_date).desc(), col(Plenary.id).desc())
        )
    )


def agenda(session: Session, plenary: Plenary) -> list[PlenaryItem]:
    """The plenary's agenda items in the order they were added."""
    return list(
        session.exec(
            select(PlenaryItem)
            .where(PlenaryItem.plenary_id == plenary.id)
            .order_by(col(PlenaryItem.id))
        )
    )


#: States in which a draft still awaits its approval at a plenary.
_BEFORE_APPROVAL = frozenset({ReportStatus.DRAFTING, ReportStatus.PANEL_REVIEW})


def add_agenda_item(
    session: Session, plenary: Plenary, report: Report, kind: PlenaryItemKind, actor: User
) -> PlenaryItem:
    """Put ``report`` on the plenary's agenda for approval of the draft or adoption.

    Raises ReportError when it is there already for the same decision, or when the
    decision can no longer be taken: a draft is approved only before it goes to the
    Party (procedure step 7), a report adopted only once (step 10), and at a plenary
    later than the one that approved its draft."""
    status = ReportStatus(report.status)
    if kind == PlenaryItemKind.APPROVE_DRAFT and status not in _BEFORE_APPROVAL:
        raise ReportError(_l("This draft has been approved already."))
    if kind == PlenaryItemKind.ADOPT:
        if status in FINAL:
            raise ReportError(_l("This report has been adopted already."))
        approved = session.exec(
            select(Plenary)
            .join(PlenaryItem, col(PlenaryItem.plenary_id) == Plenary.id)
            .where(
                PlenaryItem.report_id == report.id,
                PlenaryItem.kind == PlenaryItemKind.APPROVE_DRAFT,
                col(PlenaryItem.done_at).is_not(None),
            )
        ).first()
        if approved is not None and plenary.start_date <= approved.start_date:
            raise ReportError(
                _l(
                    "The final report is adopted at a later plenary than %(plenary)s,"
                    " which approved the draft.",
                    plenary=approved.name,
                )
            )
    exists = session.exec(
        select(PlenaryItem).where(
            PlenaryItem.plenary_id == plenary.id,
            PlenaryItem.report_id == report.id,
            PlenaryItem.kind == kind,
        )
    ).first()
    if exists is not None:
        raise ReportError(_l("This report is already on the agenda for that decision."))
    item = PlenaryItem(plenary_id=plenary.id, report_id=report.id, kind=kind)  # type: ignore[arg-type]
    session.add(item)
    record(
        session,
        actor.id,
        "report.agenda_item_added",
        item,
        report.evaluation_id,
        plenary=plenary.name,
        kind=kind.value,
    )
    return item


def agenda_item(
    session: Session, plenary: Plenary, report: Report, kind: PlenaryItemKind
) -> PlenaryItem | None:
    """The agenda item of ``plenary`` for ``report`` and decision ``kind``, if any."""
    return session.exec(
        select(PlenaryItem).where(
            PlenaryItem.plenary_id == plenary.id,
            PlenaryItem.report_id == report.id,
            PlenaryItem.kind == kind,
        )
    ).first()


def pending_plenaries(session: Session, report: Report, kind: PlenaryItemKind) -> list[Plenary]:
    """Plenaries with an undecided agenda item ``kind`` for ``report``, earliest first."""
    return list(
        session.exec(
            select(Plenary)
            .join(PlenaryItem, col(PlenaryItem.plenary_id) == col(Plenary.id))
            .where(PlenaryItem.report_id == report.id)
            .where(PlenaryItem.kind == kind)
            .where(col(PlenaryItem.done_at).is_(None))
            .order_by(col(Plenary.start_date))
        )
    )
