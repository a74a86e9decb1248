"""Plenary pages (issue 5, point 5): the secretariat lists and creates plenaries, puts
reports on a plenary's agenda and records from the plenary's page the approval of drafts
and the adoption of final reports (cycle transitions that name the plenary).

The pages are the panel's: they tell which Parties' drafts are at which stage, so
everyone else gets 404 (or the sign-in page).
"""

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.wrappers import Response

from monitor.accounts.models import Party, Role
from monitor.extensions import db
from monitor.reports import access, cycle, plenaries, services
from monitor.reports.forms import AgendaItemForm, PlenaryForm, TransitionForm
from monitor.reports.labels import AGENDA_LABELS, status_label
from monitor.reports.models import (
    Plenary,
    PlenaryItem,
    PlenaryItemKind,
    Report,
    ReportStatus,
)
from monitor.reports.views import _deny, bp
from monitor.rounds.models import Evaluation, EvaluationRound


def _panel_only() -> None:
    if not access.is_panel(current_user):
        _deny()


def _secretariat_only() -> None:
    _panel_only()
    if current_user.role != Role.SECRETARIAT:
        abort(403)


def _report_names() -> dict[int, str]:
    """Report id -> "Party, round" for every report."""
    rows = db.session.exec(
        select(Report.id, Party.name, EvaluationRound.title)
        .join(Evaluation, col(Evaluation.id) == col(Report.evaluation_id))
        .join(Party, col(Party.id) == col(Evaluation.party_id))
        .join(EvaluationRound, col(EvaluationRound.id) == col(Evaluation.round_id))
    ).all()
    return {rid: f"{party} · {rnd}" for rid, party, rnd in rows if rid is not None}


@bp.route("/plenaries", methods=["GET", "POST"])
def plenary_list() -> str | Response | tuple[str, int]:
    """Every plenary, latest first; the secretariat creates one here."""
    _panel_only()
    form = PlenaryForm()
    status = 200
    error = None
    if form.is_submitted():
        _secretariat_only()
        if form.validate():
            try:
                plenary = plenaries.create_plenary(
                    db.session,
                    current_user,
                    form.name.data or "",
                    form.start_date.data,  # type: ignore[arg-type]
                    form.end_date.data,  # type: ignore[arg-type]
                    form.place.data or "",
                )
                db.session.commit()
                flash(_("The plenary has been recorded."), "success")
                return redirect(url_for("reports.plenary", plenary_id=plenary.id))
            except services.ReportError as exc:
                db.session.rollback()
                error = str(exc)
        status = 422
    rows = plenaries.plenaries(db.session)
    counts: dict[int, int] = {}
    for item in db.session.exec(select(PlenaryItem)).all():
        counts[item.plenary_id] = counts.get(item.plenary_id, 0) + 1
    return (
        render_template(
            "reports/plenaries.html",
            plenaries=rows,
            counts=counts,
            form=form,
            form_error=error,
            can_create=current_user.role == Role.SECRETARIAT,
        ),
        status,
    )


def _render_plenary(plenary: Plenary, status: int = 200) -> tuple[str, int]:
    names = _report_names()
    items = plenaries.agenda(db.session, plenary)
    reports = {
        r.id: r
        for r in db.session.exec(
            select(Report).where(col(Report.id).in_([i.report_id for i in items]))
        )
    }
    rows: list[dict[str, Any]] = []
    for item in items:
        report = reports[item.report_id]
        row = cycle.find(
            ReportStatus(report.status),
            cycle.Action.APPROVE_DRAFT
            if item.kind == PlenaryItemKind.APPROVE_DRAFT
            else (cycle.Action.ADOPT_URGENT if report.urgent else cycle.Action.ADOPT),
        )
        if row is None and item.kind == PlenaryItemKind.ADOPT:
            row = cycle.find(ReportStatus(report.status), cycle.Action.ADOPT)
        rows.append(
            {
                "item": item,
                "report": report,
                "name": names.get(report.id, ""),  # type: ignore[arg-type]
                "can_decide": item.done_at is None and row is not None,
            }
        )
    form = AgendaItemForm(formdata=None)
    form.report.choices = sorted(((rid, name) for rid, name in names.items()), key=lambda c: c[1])
    return (
        render_template(
            "reports/plenary.html",
            plenary=plenary,
            rows=rows,
            form=form,
            decide_form=TransitionForm(formdata=None),
            is_secretariat=current_user.role == Role.SECRETARIAT,
            agenda_labels=AGENDA_LABELS,
            status_label=status_label,
        ),
        status,
    )


def _plenary_or_404(plenary_id: int) -> Plenary:
    _panel_only()
    plenary = db.session.get(Plenary, plenary_id)
    if plenary is None:
        abort(404)
    return plenary


@bp.route("/plenaries/<int:plenary_id>")
def plenary(plenary_id: int) -> tuple[str, int]:
    """A plenary: dates, place, its agenda with each report's state, and the buttons to
    record the decisions."""
    return _render_plenary(_plenary_or_404(plenary_id))


@bp.route("/plenaries/<int:plenary_id>/items", methods=["POST"])
def add_item(plenary_id: int) -> Response:
    plenary = _plenary_or_404(plenary_id)
    _secretariat_only()
    form = AgendaItemForm()
    form.report.choices = [(rid, name) for rid, name in _report_names().items()]
    if not form.validate_on_submit():
        flash(_("Choose a report and a decision."), "error")
    else:
        report = db.session.get(Report, form.report.data)
        assert report is not None
        try:
            plenaries.add_agenda_item(
                db.session, plenary, report, PlenaryItemKind(form.kind.data), current_user
            )
            db.session.commit()
            flash(_("The report is on the agenda."), "success")
        except services.ReportError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("reports.plenary", plenary_id=plenary_id))


@bp.route("/plenaries/<int:plenary_id>/items/<int:item_id>/decide", methods=["POST"])
def decide(plenary_id: int, item_id: int) -> Response | tuple[str, int]:
    """Record the plenary's decision on an agenda item: approve the draft, or adopt the
    final report (the urgent procedure's adoption for an urgent report being drafted)."""
    plenary = _plenary_or_404(plenary_id)
    item = db.session.get(PlenaryItem, item_id)
    if item is None or item.plenary_id != plenary.id:
        abort(404)
    if not TransitionForm().validate_on_submit():
        abort(400)
    report = db.session.get(Report, item.report_id)
    assert report is not None
    if item.kind == PlenaryItemKind.APPROVE_DRAFT:
        action = cycle.Action.APPROVE_DRAFT
    elif report.urgent and report.status == ReportStatus.DRAFTING:
        action = cycle.Action.ADOPT_URGENT
    else:
        action = cycle.Action.ADOPT
    from monitor.reports.cycle_views import commit_or_refuse

    if not commit_or_refuse(
        lambda: cycle.transition(db.session, report, action, current_user, plenary=plenary)
    ):
        return _render_plenary(plenary, status=409)
    flash(str(cycle.DONE_MESSAGES[action]), "success")
    return redirect(url_for("reports.plenary", plenary_id=plenary_id))
