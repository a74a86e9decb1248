"""E-mail: build a message with the standard library and send it through SMTP, or, in
development, write it to a folder as an ``.eml`` file (issue 4, point 11).

Settings come from :mod:`monitor.config` (``MAIL_*``, from ``MONITOR_MAIL_*``): with
``MAIL_HOST`` set, :func:`send` delivers through that server (plain, STARTTLS or implicit
TLS, logging in when ``MAIL_USERNAME`` is set); without it, :func:`send` writes each
message to ``MAIL_DIR`` (default ``instance/mail``), where any mail client opens it.

Messages are :class:`email.message.EmailMessage` with the ``default`` policy: UTF-8
bodies, RFC 2047 encoded non-ASCII headers, a ``Date`` and a ``Message-ID``, plain text
with an optional HTML alternative, and attachments. Callers build the text in the
recipient's language (``User.locale``); this module knows no domain.
"""

import logging
import smtplib
import ssl
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from flask import current_app

from monitor.core.time import utcnow

log = logging.getLogger(__name__)


class MailError(Exception):
    """A message could not be delivered (SMTP refusal, connection or file error)."""


@dataclass(frozen=True)
class MailAttachment:
    """A file sent with a message. ``content_type`` is a MIME type (``application/pdf``);
    ``filename`` may be in any script (sent as RFC 2231 ``filename*``)."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def build_message(
    *,
    sender: str,
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[MailAttachment] = (),
    reply_to: str | None = None,
    language: str | None = None,
) -> EmailMessage:
    """An e-mail ready for :func:`send`.

    ``sender`` and each of ``to`` are addresses, optionally with a display name
    (``"Ani Contact <contact.am@example.org>"``). ``text`` is the plain-text body;
    ``html``, when given, is added as the alternative a mail client prefers;
    ``attachments`` follow in order. ``language`` (``en``, ``fr``, ``ru``) is stated in
    ``Content-Language``. Raises ValueError for an empty recipient list or a header with
    a line break (header injection).
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError("a message needs at least one recipient")
    for value in (sender, subject, reply_to or "", *recipients):
        if "\n" in value or "\r" in value:
            raise ValueError("line break in an e-mail header")
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(text, subtype="plain", charset="utf-8")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    for a in attachments:
        maintype, _, subtype = a.content_type.partition("/")
        msg.add_attachment(
            a.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=a.filename,
        )
    if language:  # after the body: set_content drops Content-* headers
        msg["Content-Language"] = language
    return msg


def recipients_of(msg: EmailMessage) -> list[str]:
    """The bare addresses of ``To``, ``Cc`` and ``Bcc``, in order."""
    out: list[str] = []
    for header in ("To", "Cc", "Bcc"):
        for address in getattr(msg[header], "addresses", ()):
            assert isinstance(address, Address)
            out.append(address.addr_spec)
    return out


def send(msg: EmailMessage, config: Mapping[str, Any] | None = None) -> Path | None:
    """Deliver ``msg`` with the app's mail settings (``config`` defaults to the current
    app's config): through SMTP when ``MAIL_HOST`` is set, returning None; otherwise
    written to ``MAIL_DIR`` as ``<UTC time>-<random>.eml``, returning its path.

    A ``Bcc`` header is used for the envelope and never transmitted. Raises MailError
    when the server refuses the message or cannot be reached, or the folder cannot be
    written.
    """
    cfg = config if config is not None else current_app.config
    if cfg.get("MAIL_HOST"):
        _send_smtp(msg, cfg)
        return None
    return _write_file(msg, Path(cfg["MAIL_DIR"]))


def notify(name: str, address: str, subject: str, text: str, language: str, what: str) -> bool:
    """Send a plain-text notification to one person (``name <address>``) from
    ``MAIL_SENDER``, logging instead of raising when it cannot be delivered: for messages
    that must not undo the action they report (a return for changes, a request for
    information). ``what`` names the occasion in the log ("request 12"). Returns True
    when sent (or written to the mail folder), False when :func:`send` raised MailError.
    """
    msg = build_message(
        sender=current_app.config["MAIL_SENDER"],
        to=str(Address(display_name=name, addr_spec=address)),
        subject=subject,
        text=text if text.endswith("\n") else text + "\n",
        language=language,
    )
    try:
        send(msg)
    except MailError:
        log.exception("%s: e-mail to %s failed", what, address)
        return False
    return True


def _send_smtp(msg: EmailMessage, cfg: Mapping[str, Any]) -> None:
    host, port = cfg["MAIL_HOST"], int(cfg["MAIL_PORT"])
    security = cfg.get("MAIL_SECURITY", "none")
    timeout = float(cfg.get("MAIL_TIMEOUT", 10))
    recipients = recipients_of(msg)
    del msg["Bcc"]
    try:
        smtp: smtplib.SMTP
        if security == "ssl":
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD", ""))
            refused = smtp.send_message(msg, to_addrs=recipients)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning(
            "mail %s to %s via %s:%s failed: %s", msg["Message-ID"], recipients, host, port, exc
        )
        raise MailError(str(exc)) from exc
    if refused:
        log.warning("mail %s: recipients refused: %s", msg["Message-ID"], refused)
    log.info("mail %s sent to %s via %s:%s", msg["Message-ID"], recipients, host, port)


def _write_file(msg: EmailMessage, folder: Path) -> Path:
    name = f"{utcnow():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:12]}.eml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(msg.as_bytes())
    except OSError as exc:
        raise MailError(str(exc)) from exc
    log.info("mail %s to %s written to %s", msg["Message-ID"], recipients_of(msg), path)
    return path
