"""Receipts over HTTP: the confirmation page after submission (GOV.UK "confirmation"
pattern: a panel with the reference number) and the receipt PDF, both for whoever may see
the reply (:mod:`monitor.submissions.access`; 404 otherwise)."""

import io

from flask import Blueprint, abort, current_app, flash, render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from monitor.accounts.models import User
from monitor.core.downloads import content_disposition
from monitor.core.mail import MailError
from monitor.core.storage import current_storage
from monitor.core.web import current_language
from monitor.extensions import db
from monitor.submissions import receipts
from monitor.submissions.access import is_respondent, reply_or_404
from monitor.submissions.models import Receipt, Reply

bp = Blueprint("receipts", __name__, template_folder="templates")


def _receipt_or_404(reply: Reply) -> Receipt:
    """The reply's latest receipt. A reply submitted before receipts existed (submitted,
    none issued) gets one now, numbered at its original submission time."""
    receipt = receipts.latest_receipt(db.session, reply)
    if receipt is None and reply.is_submitted and reply.submitted_at is not None:
        submitter = db.session.get(User, reply.submitted_by_id) if reply.submitted_by_id else None
        receipt = receipts.issue_receipt(db.session, reply, submitter or current_user)
        if submitter is None:
            receipt.submitted_by_id = None
        db.session.commit()
    if receipt is None:
        abort(404)
    return receipt


def deliver_receipt(reply: Reply, user: User) -> None:
    """After a submission has been committed: render and store the receipt PDF (in the
    submitter's language), commit, and e-mail it to the submitter. A failed e-mail does
    not undo the submission (nor does a failed PDF): the page says so and offers the
    download."""
    receipt = _receipt_or_404(reply)
    lang = user.locale or ""
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_language()
    try:
        pdf = receipts.receipt_pdf(db.session, receipt, current_storage(), lang)
        db.session.commit()
    except Exception:  # the submission stands; the download renders the PDF again
        db.session.rollback()
        current_app.logger.exception("receipt %s: PDF not rendered", receipt.id)
        flash(_("The receipt could not be sent by e-mail. Please download it below."), "error")
        return
    try:
        receipts.send_receipt(db.session, receipt, user, pdf)
    except MailError:
        current_app.logger.exception("receipt %s: e-mail to user %s failed", receipt.id, user.id)
        flash(_("The receipt could not be sent by e-mail. Please download it below."), "error")
    else:
        flash(_("A copy of the receipt has been sent to %(email)s.", email=user.email), "success")


@bp.route("/replies/<int:reply_id>/receipt")
@login_required
def confirmation(reply_id: int) -> str:
    """The confirmation page: reference number, time of submission, download link."""
    reply, evaluation = reply_or_404(reply_id)
    receipt = _receipt_or_404(reply)
    context = receipts.reply_names(db.session, reply)
    return render_template(
        "submissions/receipt.html",
        reply=reply,
        receipt=receipt,
        when=receipts.submitted_time(receipt),
        respondent=is_respondent(current_user, reply, evaluation),
        **context,
    )


@bp.route("/replies/<int:reply_id>/receipt.pdf")
@login_required
def download(reply_id: int) -> Response:
    """The receipt PDF as stored at submission (rendered now, in the reader's language,
    if it was not), sent as a download named after the reference number."""
    reply, _evaluation = reply_or_404(reply_id)
    receipt = _receipt_or_404(reply)
    had_pdf = receipt.pdf_sha256 is not None
    pdf = receipts.receipt_pdf(db.session, receipt, current_storage(), current_language())
    if not had_pdf:
        db.session.commit()
    response = send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=receipts.receipt_filename(receipt),
    )
    response.headers["Content-Disposition"] = content_disposition(
        receipts.receipt_filename(receipt), fallback="receipt.pdf"
    )
    response.cache_control.private = True
    return response
