"""Receipts of submitted replies (issue 4, point 5): a reference number, the time of
submission, and a PDF of the whole reply as answered, sent by e-mail and downloadable.

- :func:`issue_receipt` (called by :func:`monitor.submissions.services.submit_reply`)
  numbers the submission: ``<panel>-<round>-<Party>[-NGO]-<UTC year>-<sequence>``, e.g.
  ``GRETA-3-AM-2026-0001``; never commits.
- :func:`receipt_pdf` renders the reply with the answers the reply view shows (answers to
  hidden items left out, :func:`monitor.submissions.validation.visible_answers`) through
  ``reports/receipt.html`` and the bundled fonts, and stores the PDF content-addressed, so
  the receipt keeps showing what was sent. Rendering needs a request context (answers
  link their attachments with ``url_for``).
- :func:`receipt_message` builds the e-mail to the submitter in their language
  (``User.locale``), with the PDF attached; :func:`send_receipt` sends it.
"""

import logging
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from sqlmodel import Session, func, select

from monitor.accounts.models import Organisation, Party, User
from monitor.core.i18n import qt
from monitor.core.mail import MailAttachment, build_message, send
from monitor.core.pdf import AssetURLFetcher, html_to_pdf, render_isolated
from monitor.core.storage import Storage
from monitor.questionnaires.visibility import hidden_items
from monitor.rounds.models import Audience, Evaluation, EvaluationRound, Instrument
from monitor.submissions import attachments
from monitor.submissions.definitions import answerable, definition_of
from monitor.submissions.forms import display_answer
from monitor.submissions.models import Answer, Receipt, Reply
from monitor.submissions.validation import is_blank, visible_answers

log = logging.getLogger(__name__)

TEMPLATE = "receipt.html"
LANGUAGES = ("en", "fr", "ru")
_NOT_CODE = re.compile(r"[^A-Z0-9]+")


def _code(text: str) -> str:
    """``text`` as an upper-case code of letters and digits (``"CETS 197"`` -> ``CETS197``)."""
    return _NOT_CODE.sub("", text.upper())


def receipt_series(session: Session, reply: Reply, when: datetime) -> str:
    """The series a submission of ``reply`` at ``when`` (UTC) is numbered in:
    ``<panel>-<round number>-<Party code>-<year>`` for a Party's reply and
    ``<panel>-<round number>-<Party code>-NGO-<year>`` for NGO input. The panel is the
    instrument's ``panel`` (``GRETA``), else its code. Raises LookupError when the
    evaluation, round, instrument or Party is missing."""
    evaluation = session.get(Evaluation, reply.evaluation_id)
    rnd = session.get(EvaluationRound, evaluation.round_id) if evaluation else None
    instrument = session.get(Instrument, rnd.instrument_id) if rnd else None
    party = session.get(Party, evaluation.party_id) if evaluation else None
    if evaluation is None or rnd is None or instrument is None or party is None:
        raise LookupError(f"reply {reply.id}: evaluation, round or Party missing")
    panel = _code(str(instrument.definition.get("panel") or "")) or _code(instrument.code)
    parts = [panel, str(rnd.number), _code(party.code)]
    if reply.audience == Audience.NGO:
        parts.append("NGO")
    parts.append(f"{when.year:04d}")
    return "-".join(parts)


def issue_receipt(session: Session, reply: Reply, actor: User) -> Receipt:
    """Number the submission of ``reply`` (its ``submitted_at``, UTC) just made by
    ``actor``: the next sequence of its :func:`receipt_series`. Never commits.

    Two submissions in one series at the same instant would pick the same number: the
    unique constraint on (series, sequence) then refuses the second, whose submission is
    rolled back and can be sent again.
    """
    assert reply.submitted_at is not None
    series = receipt_series(session, reply, reply.submitted_at)
    last = session.exec(select(func.max(Receipt.sequence)).where(Receipt.series == series)).one()
    sequence = (last or 0) + 1
    receipt = Receipt(
        reply_id=reply.id,  # type: ignore[arg-type]
        series=series,
        sequence=sequence,
        reference=f"{series}-{sequence:04d}",
        submitted_at=reply.submitted_at,
        submitted_by_id=actor.id,
    )
    session.add(receipt)
    session.flush()
    return receipt


def latest_receipt(session: Session, reply: Reply) -> Receipt | None:
    """The receipt of the reply's latest submission, or None."""
    return session.exec(
        select(Receipt).where(Receipt.reply_id == reply.id).order_by(Receipt.id.desc())  # type: ignore[union-attr]
    ).first()


def answers_context(session: Session, reply: Reply, locale: str) -> dict[str, Any]:
    """What the read-only reply shows (``submissions/_reply_answers.html``):
    ``definition``; ``answers`` (item id -> Answer); ``hidden`` (ids of items hidden for
    these answers); ``shown`` (item id -> answer made readable for ``locale``, only for
    shown, non-blank answers); ``files`` (attachment id -> Attachment)."""
    definition = definition_of(session, reply.questionnaire_version_id)
    answers: dict[str, Answer] = {
        a.item_id: a for a in session.exec(select(Answer).where(Answer.reply_id == reply.id))
    }
    values = visible_answers(definition, {k: a.value for k, a in answers.items()})
    hidden = hidden_items(definition, values)
    shown = {
        i.id: display_answer(i, values[i.id], locale, values)
        for i in answerable(definition.items())
        if i.id in values and not is_blank(values[i.id])
    }
    return {
        "definition": definition,
        "answers": answers,
        "hidden": hidden,
        "shown": shown,
        "files": attachments.attachments_of_replies(session, [reply.id]),
    }


def reply_names(session: Session, reply: Reply) -> dict[str, Any]:
    """``evaluation``, ``party``, ``round`` and ``org`` (None for a Party's reply)."""
    evaluation = session.get(Evaluation, reply.evaluation_id)
    assert evaluation is not None
    return {
        "evaluation": evaluation,
        "party": session.get(Party, evaluation.party_id),
        "round": session.get(EvaluationRound, evaluation.round_id),
        "org": session.get(Organisation, reply.organisation_id) if reply.organisation_id else None,
    }


def submitted_time(receipt: Receipt) -> str:
    """The submission time in the current locale's long format, in UTC (``BABEL_DEFAULT_
    TIMEZONE``): ``30 November 2026 at 11:25:15 UTC``."""
    return format_datetime(receipt.submitted_at, "long")


def _check_lang(lang: str) -> str:
    return lang if lang in LANGUAGES else "en"


def _environment() -> Environment:
    """The app's Jinja environment loading ``reports/`` first, then the app's templates
    (for the shared ``submissions/_reply_answers.html``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    env: Environment | None = app.extensions.get("monitor.submissions.receipts")
    if env is None:
        loader = ChoiceLoader([FileSystemLoader(str(_reports_dir())), app.jinja_env.loader])
        env = app.jinja_env.overlay(loader=loader, autoescape=True)
        app.extensions["monitor.submissions.receipts"] = env
    return env


def _reports_dir() -> Path:
    return Path(current_app.config["REPORT_TEMPLATE_DIR"]).resolve()


def receipt_html(session: Session, receipt: Receipt, lang: str) -> str:
    """The receipt as an HTML document for WeasyPrint, headings in ``lang`` (en, fr or
    ru; another code gives English). Needs a request context."""
    lang = _check_lang(lang)
    reply = session.get(Reply, receipt.reply_id)
    assert reply is not None
    submitter = session.get(User, receipt.submitted_by_id) if receipt.submitted_by_id else None
    with force_locale(lang):
        context = answers_context(session, reply, lang)
        return (
            _environment()
            .get_template(TEMPLATE)
            .render(
                receipt=receipt,
                reply=reply,
                lang=lang,
                submitter=submitter,
                when=submitted_time(receipt),
                **reply_names(session, reply),
                **context,
            )
        )


def render_receipt_pdf(
    session: Session, receipt: Receipt, lang: str, fetcher: AssetURLFetcher | None = None
) -> bytes:
    """The receipt as PDF bytes (A4, bundled fonts, only ``reports/`` assets fetched)."""
    return html_to_pdf(receipt_html(session, receipt, lang), _reports_dir(), fetcher)


def receipt_pdf(session: Session, receipt: Receipt, storage: Storage, lang: str) -> bytes:
    """The receipt's PDF: the stored one, or else rendered now in ``lang`` and stored
    (``receipt.pdf_sha256``, ``pdf_size``, ``language`` set; the caller commits).

    Rendering runs in a child process (:func:`monitor.core.pdf.render_isolated`), so a
    long reply's layout memory is not kept by the web worker (known-failures B14).
    Raises :class:`monitor.core.pdf.PdfRenderError` when it fails."""
    if receipt.pdf_sha256 and storage.exists(receipt.pdf_sha256):
        with storage.open(receipt.pdf_sha256) as stream:
            return stream.read()
    pdf = render_isolated(
        receipt_html(session, receipt, lang),
        _reports_dir(),
        max_memory_bytes=current_app.config["PDF_MAX_MEMORY_BYTES"],
        timeout=current_app.config["PDF_TIMEOUT_SECONDS"],
    )
    receipt.pdf_sha256 = storage.put(pdf)
    receipt.pdf_size = len(pdf)
    receipt.language = _check_lang(lang)
    session.add(receipt)
    return pdf


def receipt_filename(receipt: Receipt) -> str:
    return f"{receipt.reference}.pdf"


def receipt_message(session: Session, receipt: Receipt, user: User, pdf: bytes) -> EmailMessage:
    """The e-mail to ``user`` (the submitter) in their language (``user.locale``, else
    English) with the receipt PDF attached."""
    lang = _check_lang(user.locale or "en")
    reply = session.get(Reply, receipt.reply_id)
    assert reply is not None
    names = reply_names(session, reply)
    definition = definition_of(session, reply.questionnaire_version_id)
    with force_locale(lang):
        who = names["org"].name if names["org"] else names["party"].name
        subject = _("Receipt %(reference)s: reply submitted", reference=receipt.reference)
        text = "\n\n".join(
            [
                _("Dear %(name)s,", name=user.name),
                _(
                    "The reply of %(who)s to “%(questionnaire)s” (%(round)s) was submitted"
                    " on %(when)s.",
                    who=who,
                    questionnaire=qt(definition.title),
                    round=qt(names["round"].title),
                    when=submitted_time(receipt),
                ),
                _("Reference number: %(reference)s", reference=receipt.reference),
                _(
                    "The attached PDF shows the reply as submitted. Please quote the"
                    " reference number in any correspondence about this reply."
                ),
            ]
        )
    return build_message(
        sender=current_app.config["MAIL_SENDER"],
        to=str(Address(display_name=user.name, addr_spec=user.email)),
        subject=subject,
        text=text + "\n",
        attachments=[MailAttachment(receipt_filename(receipt), pdf, "application/pdf")],
        language=lang,
    )


def send_receipt(session: Session, receipt: Receipt, user: User, pdf: bytes) -> Path | None:
    """Send :func:`receipt_message` (see :func:`monitor.core.mail.send`; raises
    MailError)."""
    path = send(receipt_message(session, receipt, user, pdf))
    log.info("receipt %s e-mailed to user %s", receipt.reference, user.id)
    return path
