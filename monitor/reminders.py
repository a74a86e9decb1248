"""``monitor reminders send``: e-mail the people responsible for a milestone before and
after its due date (issue 5, point 7). Run it from cron (once a day is enough), never
from inside the web server (``shared/engineering.md``: a scheduler in gunicorn runs once
per worker).

Offsets are days from the due date, negative before it: ``REMINDER_OFFSETS`` (default
``-14,-3,1,7,30``), or ``--offsets``. For each pending milestone (:mod:`monitor.deadlines`)
the reminder of the latest offset already reached is sent, once: a run that missed a day
catches up with one message, never a burst of all the earlier ones.

At most once ever per (evaluation, milestone, offset): the :class:`SentReminder` row is
inserted and flushed *before* the mail goes out, in the transaction that is committed
after sending. A second server running the command at the same time either waits for
that row and then violates the unique constraint (PostgreSQL), or finds the database
locked (SQLite); either way it does not send. If sending fails, the transaction is
rolled back and the next run tries again. (A crash between sending and committing can
still lose the row: then the reminder goes out twice; the reverse, never sent, cannot
happen silently.)
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from monitor.accounts.models import Party, User
from monitor.core.mail import MailError, build_message, send
from monitor.core.time import utcnow
from monitor.deadlines import Milestone, milestones_of
from monitor.extensions import db
from monitor.reminder_models import SentReminder
from monitor.rounds.models import Evaluation, EvaluationRound

log = logging.getLogger(__name__)

DEFAULT_OFFSETS = (-14, -3, 1, 7, 30)


def parse_offsets(text: str | Sequence[int] | None) -> tuple[int, ...]:
    """``"-14,-3,1,7,30"`` -> ``(-14, -3, 1, 7, 30)`` (sorted, duplicates dropped; 0 is
    the due date itself). Raises ValueError for anything but comma-separated integers."""
    if text is None or text == "":
        return DEFAULT_OFFSETS
    values = text.split(",") if isinstance(text, str) else list(text)
    return tuple(sorted({int(v) for v in values if str(v).strip()}))


@dataclass(frozen=True)
class Reminder:
    """A reminder to send: ``offset`` days from ``milestone.due`` (negative: before)."""

    evaluation: Evaluation
    party: Party
    round: EvaluationRound
    milestone: Milestone
    offset: int


def due_reminders(
    session: Session, today: date, offsets: Sequence[int] = DEFAULT_OFFSETS
) -> list[Reminder]:
    """The reminders to send on ``today`` (UTC date): for every pending milestone with
    somebody responsible, the latest offset with ``due + offset <= today``, unless the
    ledger has it already."""
    from datetime import timedelta

    evaluations = list(session.exec(select(Evaluation)))
    parties = {p.id: p for p in session.exec(select(Party))}
    rounds = {r.id: r for r in session.exec(select(EvaluationRound))}
    sent = {
        (r.evaluation_id, r.milestone, r.offset_days) for r in session.exec(select(SentReminder))
    }
    out: list[Reminder] = []
    for ev_id, ms in milestones_of(session, evaluations, today).items():
        ev = next(e for e in evaluations if e.id == ev_id)
        for m in ms:
            if not m.pending or not m.responsible:
                continue
            reached = [o for o in offsets if m.due + timedelta(days=o) <= today]
            if not reached:
                continue
            offset = max(reached)
            if (ev_id, m.key, offset) in sent:
                continue
            out.append(Reminder(ev, parties[ev.party_id], rounds[ev.round_id], m, offset))
    return out


def _text(reminder: Reminder, user: User, today: date) -> tuple[str, str]:
    """Subject and body in the current locale (the caller forces the user's)."""
    m = reminder.milestone
    what = str(m.name)
    due = format_date(m.due, "long")
    subject = _(
        "Reminder: %(milestone)s, %(party)s, round %(round)s",
        milestone=what,
        party=reminder.party.name,
        round=reminder.round.number,
    )
    days = (m.due - today).days
    if days > 0:
        when = ngettext(
            "It is due on %(date)s, in %(num)d day.",
            "It is due on %(date)s, in %(num)d days.",
            days,
            date=due,
        )
    elif days == 0:
        when = _("It is due today, %(date)s.", date=due)
    else:
        when = ngettext(
            "It was due on %(date)s, %(num)d day ago, and has not been received.",
            "It was due on %(date)s, %(num)d days ago, and has not been received.",
            -days,
            date=due,
        )
    body = "\n\n".join(
        [
            _("Dear %(name)s,", name=user.name),
            _(
                "This is a reminder about a step in the evaluation of %(party)s "
                "(round %(round)s: %(title)s): %(milestone)s.",
                milestone=what,
                party=reminder.party.name,
                round=reminder.round.number,
                title=reminder.round.title,
            ),
            when,
            _("Please sign in to the monitoring platform to deal with it."),
            _("This message was sent automatically."),
        ]
    )
    return subject, body + "\n"


def send_reminder(session: Session, reminder: Reminder, today: date) -> bool:
    """Claim ``reminder`` in the ledger and send it to each responsible person in their
    own language (``User.locale``); commit. Returns False, sending nothing, when the
    ledger already has it or another process holds the claim. Raises MailError (after
    rolling back the claim) when a message cannot be delivered."""
    m = reminder.milestone
    recipients = [u for u in m.responsible if u.email]
    claim = SentReminder(
        evaluation_id=reminder.evaluation.id,  # type: ignore[arg-type]
        milestone=m.key,
        offset_days=reminder.offset,
        due=m.due,
        recipients=", ".join(u.email for u in recipients),
    )
    session.add(claim)
    try:
        session.flush()
    except (IntegrityError, OperationalError) as exc:
        # IntegrityError: already sent. OperationalError: SQLite is locked by another
        # sender holding this claim (or the database is unreachable); the next run retries.
        session.rollback()
        log.log(
            logging.INFO if isinstance(exc, IntegrityError) else logging.WARNING,
            "reminder %s/%s/%s not claimed here (%s): sent or being sent elsewhere",
            reminder.evaluation.id,
            m.key,
            reminder.offset,
            type(exc).__name__,
        )
        return False
    default = str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))
    languages = current_app.config.get("LANGUAGES", ("en",))
    try:
        for user in recipients:
            locale = user.locale if user.locale in languages else default
            with force_locale(locale):
                subject, text = _text(reminder, user, today)
            msg = build_message(
                sender=current_app.config["MAIL_SENDER"],
                to=f"{user.name} <{user.email}>",
                subject=subject,
                text=text,
                language=locale,
            )
            send(msg)
    except (MailError, ValueError):
        session.rollback()
        raise
    session.commit()
    log.info(
        "reminder %s (%+d days) for evaluation %s sent to %s",
        m.key,
        reminder.offset,
        reminder.evaluation.id,
        claim.recipients,
    )
    return True


@click.group("reminders")
def reminders_group() -> None:
    """Deadline reminders."""


@reminders_group.command("send")
@click.option(
    "--offsets",
    default=None,
    help="Days from each due date, negative before it (default: REMINDER_OFFSETS, -14,-3,1,7,30).",
)
@click.option("--dry-run", is_flag=True, help="List what would be sent; send and record nothing.")
@with_appcontext
def send_command(offsets: str | None, dry_run: bool) -> None:
    """E-mail the people responsible for each pending milestone before and after its due
    date, each (evaluation, milestone, offset) at most once ever."""
    try:
        chosen = parse_offsets(offsets or current_app.config.get("REMINDER_OFFSETS"))
    except ValueError:
        raise click.BadParameter(
            _("expected whole numbers of days separated by commas, e.g. -14,-3,1,7,30"),
            param_hint="--offsets",
        ) from None
    session = db.session
    today = utcnow().date()
    todo = due_reminders(session, today, chosen)  # type: ignore[arg-type]
    session.rollback()  # end the read transaction before claiming
    sent = failed = 0
    for r in todo:
        line = f"{r.party.code} {r.round.number} {r.milestone.key} {r.offset:+d} -> " + ", ".join(
            u.email for u in r.milestone.responsible
        )
        if dry_run:
            click.echo(line)
            continue
        try:
            if send_reminder(session, r, today):  # type: ignore[arg-type]
                sent += 1
                click.echo(line)
        except (MailError, ValueError) as exc:
            failed += 1
            click.echo(f"{line}: {exc}", err=True)
    if dry_run:
        click.echo(
            ngettext(
                "%(num)d reminder would be sent.", "%(num)d reminders would be sent.", len(todo)
            )
        )
        return
    click.echo(ngettext("%(num)d reminder sent.", "%(num)d reminders sent.", sent))
    if failed:
        raise SystemExit(1)
