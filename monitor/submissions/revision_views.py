"""Revisions over HTTP (issue 4, point 6): the list of a reply's revisions, one revision as
submitted, the comparison of any two, and the panel's "return for changes".

Who may see them: the reply's respondents, and the panel and secretariat once the reply
has been submitted at least once (a returned reply is a draft again, but its revisions
were submitted). Anyone else gets 404, as for the reply itself.
"""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from monitor.accounts.models import User
from monitor.core.web import current_language
from monitor.extensions import db
from monitor.rounds.models import Evaluation
from monitor.submissions import receipts, revisions
from monitor.submissions.access import is_respondent
from monitor.submissions.attachments import attachments_of_replies
from monitor.submissions.models import Receipt, Reply, ReplyRevision

bp = Blueprint("revisions", __name__, template_folder="templates")


class ReturnForm(FlaskForm):
    message = TextAreaField(
        "What should be changed", validators=[DataRequired(), Length(max=10000)]
    )


def _reply_with_revisions_or_404(reply_id: int) -> tuple[Reply, Evaluation, list[ReplyRevision]]:
    """The reply, its evaluation and its revisions (revision 1 made now for a reply
    submitted before revisions existed, and committed), if the current user may see
    them; 404 otherwise."""
    reply = db.session.get(Reply, reply_id)
    if reply is None or not current_user.is_authenticated:
        abort(404)
    evaluation = db.session.get(Evaluation, reply.evaluation_id)
    if evaluation is None:
        abort(404)
    respondent = is_respondent(current_user, reply, evaluation)
    if not respondent and not current_user.is_panel:
        abort(404)
    found = revisions.revisions_of(db.session, reply)
    if not found and reply.is_submitted:
        found = revisions.ensure_revisions(db.session, reply)
        db.session.commit()
    if not found and not respondent:
        abort(404)  # the panel never sees a reply that was never submitted
    return reply, evaluation, found


def _names(user_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    return {u.id: u.name for u in (db.session.get(User, i) for i in ids) if u and u.id}


@bp.route("/replies/<int:reply_id>/revisions")
@login_required
def index(reply_id: int) -> str:
    """Every revision with its time, submitter and receipt, the returns for changes in
    between, a form to compare two revisions and (panel, submitted reply) the return."""
    reply, evaluation, found = _reply_with_revisions_or_404(reply_id)
    returns = revisions.returns_of(db.session, reply)
    refs = {
        r.id: r.reference
        for r in (db.session.get(Receipt, rev.receipt_id) for rev in found if rev.receipt_id)
        if r is not None
    }
    names = _names({r.submitted_by_id for r in found} | {r.returned_by_id for r in returns})
    return render_template(
        "submissions/revisions.html",
        revisions=found,
        returns=returns,
        references=refs,
        names=names,
        return_form=ReturnForm() if revisions.can_return_reply(current_user, reply) else None,
        respondent=is_respondent(current_user, reply, evaluation),
        **receipts.reply_names(db.session, reply),
        reply=reply,
    )


@bp.route("/replies/<int:reply_id>/revisions/<int:number>")
@login_required
def show(reply_id: int, number: int) -> str:
    """One revision, read-only, as it was submitted."""
    reply, _evaluation, found = _reply_with_revisions_or_404(reply_id)
    revision = next((r for r in found if r.number == number), None)
    if revision is None:
        abort(404)
    receipt = db.session.get(Receipt, revision.receipt_id) if revision.receipt_id else None
    return render_template(
        "submissions/revision.html",
        revision=revision,
        receipt=receipt,
        submitter=_names({revision.submitted_by_id}).get(revision.submitted_by_id or 0),
        reply=reply,
        **receipts.reply_names(db.session, reply),
        **revisions.revision_context(db.session, revision, current_language()),
    )


def _number(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except (TypeError, ValueError):
        abort(404)


@bp.route("/replies/<int:reply_id>/revisions/compare")
@login_required
def compare(reply_id: int) -> str:
    """Two revisions (``from`` and ``to``, by number; default: the last two) compared
    item by item, section by section: changed answers with a word-level diff, unchanged
    ones counted, not shown."""
    reply, _evaluation, found = _reply_with_revisions_or_404(reply_id)
    if not found:
        abort(404)
    last = found[-1].number
    a = _number("from", max(last - 1, 1))
    b = _number("to", last)
    by_number = {r.number: r for r in found}
    if a not in by_number or b not in by_number:
        abort(404)
    old, new = sorted((by_number[a], by_number[b]), key=lambda r: r.number)
    comparison = revisions.compare_revisions(
        db.session,
        old,
        new,
        current_language(),
        attachments_of_replies(db.session, [reply.id]),
    )
    return render_template(
        "submissions/revision_compare.html",
        comparison=comparison,
        revisions=found,
        reply=reply,
        **receipts.reply_names(db.session, reply),
    )


@bp.route("/replies/<int:reply_id>/return", methods=["POST"])
@login_required
def return_for_changes(reply_id: int) -> str | Response | tuple[str, int]:
    """The panel returns a submitted reply for changes with a message; its respondents are
    e-mailed. Respondents get 403 (they cannot return their own reply)."""
    reply, evaluation, found = _reply_with_revisions_or_404(reply_id)
    if not current_user.is_panel:
        abort(403)
    if not revisions.can_return_reply(current_user, reply):
        flash(_("Only a submitted reply can be returned for changes."), "error")
        return redirect(url_for("revisions.index", reply_id=reply.id))
    form = ReturnForm()
    if not form.validate_on_submit():
        flash(_("Say what should be changed."), "error")
        return redirect(url_for("revisions.index", reply_id=reply.id))
    returned = revisions.return_reply(db.session, reply, current_user, form.message.data or "")
    db.session.commit()
    link = url_for("submissions.task_list", reply_id=reply.id, _external=True)
    sent, failed = revisions.send_return_notices(db.session, reply, returned, link)
    flash(_("The reply has been returned for changes."), "success")
    if failed:
        flash(_("Some respondents could not be told by e-mail."), "error")
    return redirect(url_for("revisions.index", reply_id=reply.id))


@bp.record_once
def _register_globals(state: Any) -> None:
    """``reply_return(reply)``: the return a draft is in (or None), for the task list and
    the reply page's banner "Returned for changes: <message>"."""

    def reply_return(reply: Reply) -> Any:
        return revisions.current_return(db.session, reply)

    def revision_count(reply: Reply) -> int:
        return len(revisions.revisions_of(db.session, reply))

    state.app.jinja_env.globals.update(reply_return=reply_return, revision_count=revision_count)
