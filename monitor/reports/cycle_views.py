"""Cycle pages of the country report: the transition buttons, the comments of each
conversation and the panel's answers, the urgent-procedure flag.

Routes live on the ``reports`` blueprint. A refused transition flashes its message and
shows the report page again with 409 (403 for a role the cycle table does not allow);
nothing changes.
"""

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from monitor.accounts.models import Role
from monitor.core.audit import record
from monitor.extensions import db
from monitor.reports import access, comments, cycle, plenaries, services, versions
from monitor.reports.forms import (
    ActionForm,
    AnswerForm,
    CommentForm,
    DeadlineForm,
    TransitionForm,
)
from monitor.reports.labels import RESPONSE_LABELS
from monitor.reports.models import (
    CommentResponse,
    Plenary,
    Report,
    ReportChapter,
    ReportComment,
    ReportParagraph,
    ReportStatus,
)
from monitor.reports.services import users_by_id
from monitor.reports.views import (
    _back,
    _context,
    _deny,
    _get_paragraph,
    _load_for_panel,
    _load_for_view,
    _render_view,
    bp,
)
from monitor.rounds.models import Evaluation


def sent_structure(
    report: Report,
) -> list[tuple[ReportChapter, list[tuple[int, ReportParagraph]]]]:
    """The text the Party was sent, rebuilt from its snapshot as detached rows in the
    shape of :func:`monitor.reports.services.structure` (nothing is added to the
    session)."""
    version = versions.sent_version(db.session, report)
    if version is None:
        return []
    out = []
    for ch in version.content.get("chapters", []):
        chapter = ReportChapter(
            id=ch["id"],
            report_id=report.id,  # type: ignore[arg-type]
            position=ch["position"],
            title=ch["title"],
        )
        paras = []
        for row in ch.get("paragraphs", []):
            fields = {k: v for k, v in row.items() if k in ReportParagraph.model_fields}
            paras.append((int(row["number"]), ReportParagraph(**fields, report_id=report.id)))  # type: ignore[arg-type]
        out.append((chapter, paras))
    return out


def cycle_context(evaluation: Evaluation, report: Report) -> dict[str, Any]:
    """What the report page needs for the cycle: ``cycle_actions`` (``[{"action",
    "label", "plenary_kind", "plenaries"}]`` the user may take now), ``current`` (the
    state, due date and overdue flag), ``steps`` with actors and plenaries (panel
    only), ``can_set_urgent``, and the forms."""
    session = db.session
    actions = []
    for t in cycle.available(session, report, current_user):
        actions.append(
            {
                "action": t.action.value,
                "label": str(cycle.ACTION_LABELS[t.action]),
                "plenary_kind": t.plenary,
                "plenaries": plenaries.pending_plenaries(session, report, t.plenary)
                if t.plenary
                else [],
            }
        )
    steps: list[tuple[Any, Any, Any]] = []
    if access.is_panel(current_user):
        rows = cycle.steps(session, report)
        users = users_by_id(session, {s.actor_id for s in rows if s.actor_id})
        plens = {p.id: p for p in plenaries.plenaries(session)}
        steps = [
            (s, users.get(s.actor_id) if s.actor_id else None, plens.get(s.plenary_id))
            for s in rows
        ]
    state, due, overdue = cycle.current_step(session, report)
    return {
        "cycle_actions": actions,
        "current": {"state": state, "due": due, "overdue": overdue},
        "steps": steps,
        "action_labels": cycle.ACTION_LABELS,
        "response_labels": RESPONSE_LABELS,
        "Response": CommentResponse,
        "transition_form": TransitionForm(formdata=None),
        "answer_form": AnswerForm(formdata=None),
        "can_set_urgent": getattr(current_user, "role", None) == Role.SECRETARIAT
        and report.status == ReportStatus.DRAFTING,
        "sees_sent_text": access.sees_sent_text(current_user, report),
        "deadline_form": DeadlineForm(formdata=None, due=due)
        if getattr(current_user, "role", None) == Role.SECRETARIAT
        and report.status in (ReportStatus.SENT_TO_PARTY, ReportStatus.TRANSMITTED)
        else None,
        "version_count": _visible_version_count(evaluation, report),
    }


def _visible_version_count(evaluation: Evaluation, report: Report) -> int:
    """How many versions the current user may open (see versions_views)."""
    rows = versions.versions(db.session, report)
    if access.is_panel(current_user):
        return len(rows)
    if access.is_own_party(current_user, evaluation):
        return sum(1 for v in rows if v.status in versions.PARTY_VERSION_STATES)
    return 0


def commit_or_refuse(change: Callable[[], object]) -> bool:
    """Run ``change`` (a call of :mod:`monitor.reports.cycle`) and commit; True when done.
    A role the cycle does not allow gets 403; any other refusal
    (:class:`monitor.reports.services.ReportError`: an illegal transition, a failed
    guard) rolls back, flashes its message and returns False, so the caller shows the
    page again with status 409."""
    try:
        change()
        db.session.commit()
    except cycle.TransitionForbidden:
        db.session.rollback()
        abort(403)
    except services.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    return True


@bp.route("/evaluations/<int:evaluation_id>/report/cycle/<action>", methods=["POST"])
def take(evaluation_id: int, action: str) -> Response | tuple[str, int]:
    """Take a cycle action (a row of :data:`monitor.reports.cycle.TRANSITIONS`)."""
    evaluation, report, party, rnd = _context(evaluation_id)
    if not access.can_view_report(current_user, report, evaluation) or report is None:
        _deny()
    if action not in cycle.Action.__members__.values():
        abort(404)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    plenary = None
    if form.plenary.data:
        try:
            plenary = db.session.get(Plenary, int(form.plenary.data))
        except ValueError:
            abort(400)
        if plenary is None:
            abort(400)
    if not commit_or_refuse(
        lambda: cycle.transition(db.session, report, action, current_user, plenary=plenary)
    ):
        return _render_view(evaluation, report, party, rnd, status=409)
    flash(str(cycle.DONE_MESSAGES[cycle.Action(action)]), "success")
    return _back(evaluation_id)


@bp.route("/evaluations/<int:evaluation_id>/report/urgent", methods=["POST"])
def set_urgent(evaluation_id: int) -> Response:
    """The secretariat puts a report being drafted under the urgent procedure (or takes
    it out): see :mod:`monitor.reports.cycle`."""
    evaluation, report, party, rnd = _load_for_panel(evaluation_id)
    if current_user.role != Role.SECRETARIAT:
        abort(403)
    if ActionForm().validate_on_submit():
        if report.status != ReportStatus.DRAFTING:
            flash(_("Only a report being drafted can change procedure."), "error")
            return _back(evaluation_id)
        report.urgent = not report.urgent
        db.session.add(report)
        record(
            db.session,
            current_user.id,
            "report.urgent_set",
            report,
            report.evaluation_id,
            urgent=report.urgent,
        )
        db.session.commit()
        flash(
            _("The report follows the urgent procedure.")
            if report.urgent
            else _("The report follows the normal procedure."),
            "success",
        )
    return _back(evaluation_id)


@bp.route("/evaluations/<int:evaluation_id>/report/deadline", methods=["POST"])
def extend_deadline(evaluation_id: int) -> Response | tuple[str, int]:
    """The secretariat moves the Party's current deadline (an extension)."""
    evaluation, report, party, rnd = _load_for_panel(evaluation_id)
    form = DeadlineForm()
    if not form.validate_on_submit() or form.due.data is None:
        flash(_("Give the new deadline as a date."), "error")
        return _render_view(evaluation, report, party, rnd, status=400)
    due = form.due.data
    if not commit_or_refuse(lambda: cycle.extend_deadline(db.session, report, current_user, due)):
        return _render_view(evaluation, report, party, rnd, status=409)
    flash(_("The deadline has been changed."), "success")
    return _back(evaluation_id)


@bp.route("/evaluations/<int:evaluation_id>/report/comments", methods=["POST"])
def add_comment(evaluation_id: int) -> Response:
    """A comment on a paragraph (``paragraph`` field) or on the whole report: a panel
    member's internal comment, or the Party's comment (contact person or contributor)."""
    evaluation, report, party, rnd = _load_for_view(evaluation_id)
    if report is None:
        abort(404)
    if not access.can_comment(current_user, report, evaluation):
        abort(403)
    form = CommentForm()
    para = None
    if form.paragraph.data:
        try:
            para = _get_paragraph(report, int(form.paragraph.data))
        except ValueError:
            abort(400)
    anchor = f"p-{para.id}" if para else "general-comments"
    if not form.validate_on_submit():
        flash(_("A comment needs text."), "error")
        return _back(evaluation_id, anchor)
    try:
        comments.add_comment(db.session, report, current_user, form.text.data or "", para)
        db.session.commit()
        if current_user.is_party:
            flash(
                _("Your comment is saved for your Party; the contact person sends the comments."),
                "success",
            )
        else:
            flash(_("Your comment has been added for the panel."), "success")
    except services.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return _back(evaluation_id, anchor)


@bp.route(
    "/evaluations/<int:evaluation_id>/report/comments/<int:comment_id>/answer",
    methods=["POST"],
)
def answer_comment(evaluation_id: int, comment_id: int) -> Response:
    """The panel answers a Party comment: taken into account / partly / not, why."""
    evaluation, report, party, rnd = _load_for_panel(evaluation_id)
    comment = db.session.get(ReportComment, comment_id)
    if comment is None or comment.report_id != report.id:
        abort(404)
    if not access.can_see_comment(current_user, comment, report, evaluation):
        abort(404)
    form = AnswerForm()
    anchor = f"p-{comment.paragraph_id}" if comment.paragraph_id else "general-comments"
    if not form.validate_on_submit():
        flash(_("Choose how the panel dealt with the comment."), "error")
        return _back(evaluation_id, anchor)
    try:
        comments.answer_comment(
            db.session,
            report,
            comment,
            current_user,
            CommentResponse(form.response.data),
            form.reason.data or "",
        )
        db.session.commit()
        flash(_("The answer to the comment has been recorded."), "success")
    except services.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("reports.view", evaluation_id=evaluation_id) + f"#{anchor}")
