"""Joint NGO submissions over HTTP (see :mod:`monitor.submissions.cosigning`): the lead
invites co-signers from its task list, the invited organisation lists its invitations,
reads the submission and accepts or declines."""

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from monitor.accounts.models import User
from monitor.core.mail import MailError, send
from monitor.extensions import db
from monitor.submissions import cosigning
from monitor.submissions.access import reply_or_404
from monitor.submissions.models import CoSignature, Reply

bp = Blueprint("cosigning", __name__, template_folder="templates")


def cosigning_context(reply: Reply) -> dict[str, Any]:
    """For templates: ``signatures`` [(CoSignature, Organisation)], ``candidates``
    [Organisation] the lead may invite, ``joint`` names (empty unless accepted),
    ``mine`` the current user's organisation's co-signature (or None)."""
    user = current_user
    return {
        "signatures": cosigning.co_signatures(db.session, reply),
        "candidates": cosigning.candidates(db.session, reply)
        if cosigning.is_lead(user, reply)
        else [],
        "joint": cosigning.joint_names(db.session, reply),
        "mine": cosigning.co_signature(db.session, reply, user.organisation_id)
        if user.is_authenticated and user.is_ngo and not cosigning.is_lead(user, reply)
        else None,
    }


def joint_names(reply: Reply) -> list[str]:
    return cosigning.joint_names(db.session, reply)


@bp.record_once
def _register_helpers(state: Any) -> None:
    state.app.jinja_env.globals.update(cosigning_context=cosigning_context, joint_names=joint_names)


@bp.route("/joint-submissions")
@login_required
def invitations() -> str:
    """The submissions the user's organisation is invited to co-sign, or co-signs."""
    if not current_user.is_ngo or current_user.organisation_id is None:
        abort(403)
    return render_template(
        "submissions/cosignatures.html",
        invitations=cosigning.invitations_for(db.session, current_user.organisation_id),
    )


def _tell_invited(sigs: list[CoSignature]) -> None:
    for sig in sigs:
        users = db.session.exec(
            select(User).where(User.organisation_id == sig.organisation_id, User.active == True)  # noqa: E712
        ).all()
        for user in users:
            try:
                send(cosigning.invitation_message(db.session, sig, user))
            except MailError:
                current_app.logger.exception(
                    "co-signature %s: e-mail to %s failed", sig.id, user.id
                )


@bp.route("/replies/<int:reply_id>/cosigners", methods=["POST"])
@login_required
def invite(reply_id: int) -> Response:
    """The lead NGO invites the organisations ticked in ``organisation``."""
    reply, _evaluation = reply_or_404(reply_id)
    if not cosigning.is_lead(current_user, reply):
        abort(403)
    try:
        ids = [int(v) for v in request.form.getlist("organisation")]
    except ValueError:
        abort(400)
    if not ids:
        flash(_("Choose at least one organisation to invite."), "error")
        return redirect(url_for("submissions.task_list", reply_id=reply.id, _anchor="joint"))
    try:
        sigs = cosigning.invite(db.session, reply, current_user, ids)
    except cosigning.CoSigningError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("submissions.task_list", reply_id=reply.id, _anchor="joint"))
    db.session.commit()
    if sigs:
        flash(_("The organisations have been invited to co-sign."), "success")
    _tell_invited(sigs)
    return redirect(url_for("submissions.task_list", reply_id=reply.id, _anchor="joint"))


@bp.route("/replies/<int:reply_id>/cosignature", methods=["POST"])
@login_required
def decide(reply_id: int) -> Response:
    """An invited organisation's user accepts (``decision=accept``) or declines."""
    reply, _evaluation = reply_or_404(reply_id)
    decision = request.form.get("decision")
    if decision not in ("accept", "decline"):
        abort(400)
    try:
        cosigning.decide(db.session, reply, current_user, decision == "accept")
    except cosigning.CoSigningError as exc:
        flash(str(exc), "error")
        return redirect(url_for("cosigning.invitations"))
    db.session.commit()
    if decision == "accept":
        flash(_("Your organisation now co-signs this submission."), "success")
        return redirect(url_for("submissions.reply_view", reply_id=reply.id))
    flash(_("You have declined to co-sign this submission."), "info")
    return redirect(url_for("cosigning.invitations"))
