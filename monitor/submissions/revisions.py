"""Revisions of a reply and returns for changes (issue 4, point 6, "after submission").

Every submission of a reply (the Party's official reply or an NGO submission) is kept as
an immutable :class:`~monitor.submissions.models.ReplyRevision`: revision 1 is the first
submission, revision 2 the submission after the panel returned the reply for changes, and
so on. :func:`record_revision` is called by
:func:`monitor.submissions.services.submit_reply` right after the receipt is issued, so a
revision and its receipt always go together.

Replies submitted before revisions existed have none. They get their revision 1 **on first
need** (:func:`ensure_revisions`): when the reply is returned for changes, or when its
revisions are listed or compared. That revision is made from the answers as they stand
(a submitted reply is read-only, so they are the answers submitted), dated with the reply's
``submitted_at`` and linked to its latest receipt. The migration does not backfill.

:func:`return_reply` sends a submitted reply back to its respondents: it becomes a draft
again (``ReplyStatus.DRAFT``; :func:`current_return` tells a returned draft from a first
draft and gives the panel's message), the respondents edit it and submit it again, which
makes the next revision with a new receipt.

:func:`compare_revisions` compares any two revisions item by item, section by section,
with a word-level diff (:mod:`monitor.core.textdiff`) of each answer rendered as text
(:func:`answer_text`). Services never commit.
"""

import copy
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlmodel import Session, col, select

from monitor.accounts.models import PARTY_ROLES, Role, User
from monitor.core.audit import record
from monitor.core.i18n import qt
from monitor.core.mail import notify
from monitor.core.textdiff import changed, diff_html
from monitor.core.time import utcnow
from monitor.questionnaires.schema import (
    FileItem,
    GroupItem,
    MultipleChoiceItem,
    StatisticsTableItem,
)
from monitor.rounds.models import Audience, Evaluation
from monitor.submissions.definitions import (
    answerable,
    definition_of,
    table_columns,
    table_rows,
)
from monitor.submissions.forms import display_answer
from monitor.submissions.models import (
    Answer,
    Attachment,
    Receipt,
    Reply,
    ReplyReturn,
    ReplyRevision,
    ReplyStatus,
)
from monitor.submissions.validation import is_blank, visible_answers


class RevisionError(Exception):
    """A refused operation on a reply's revisions (e.g. returning a draft)."""


class ImmutableRevisionError(Exception):
    """Raised at flush when code tries to change or delete a stored revision."""


@sa.event.listens_for(ReplyRevision, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: ReplyRevision) -> None:
    raise ImmutableRevisionError(f"revision {target.number} of reply {target.reply_id}")


@sa.event.listens_for(ReplyRevision, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: ReplyRevision) -> None:
    raise ImmutableRevisionError(f"revision {target.number} of reply {target.reply_id}")


# --- revisions ---------------------------------------------------------------------------


def answer_snapshot(session: Session, reply: Reply) -> dict[str, Any]:
    """The reply's active answers as ``{answer key: stored value}`` (a deep copy: later
    edits of the live answers never reach it)."""
    rows = session.exec(
        select(Answer).where(Answer.reply_id == reply.id, col(Answer.active).is_(True))
    ).all()
    return {a.item_id: copy.deepcopy(a.value) for a in rows if a.value is not None}


def revisions_of(session: Session, reply: Reply) -> list[ReplyRevision]:
    """The reply's stored revisions, oldest first (does not make revision 1; see
    :func:`ensure_revisions`)."""
    return list(
        session.exec(
            select(ReplyRevision)
            .where(ReplyRevision.reply_id == reply.id)
            .order_by(col(ReplyRevision.number))
        ).all()
    )


def get_revision(session: Session, reply: Reply, number: int) -> ReplyRevision | None:
    return session.exec(
        select(ReplyRevision).where(
            ReplyRevision.reply_id == reply.id, ReplyRevision.number == number
        )
    ).first()


def _next_number(session: Session, reply: Reply) -> int:
    last = session.exec(
        select(sa.func.max(ReplyRevision.number)).where(ReplyRevision.reply_id == reply.id)
    ).one()
    return int(last or 0) + 1


def record_revision(
    session: Session, reply: Reply, actor: User | None, receipt: Receipt | None
) -> ReplyRevision:
    """Freeze the submission of ``reply`` just made by ``actor`` as its next revision
    (numbered from 1), with the active answers, the questionnaire version, the UTC
    submission time and ``receipt``. Called by ``submit_reply``; never commits."""
    assert reply.submitted_at is not None
    revision = ReplyRevision(
        reply_id=reply.id,  # type: ignore[arg-type]
        number=_next_number(session, reply),
        submitted_at=reply.submitted_at,
        submitted_by_id=actor.id if actor else reply.submitted_by_id,
        questionnaire_version_id=reply.questionnaire_version_id,
        answers=answer_snapshot(session, reply),
        receipt_id=receipt.id if receipt else None,
    )
    session.add(revision)
    session.flush()
    return revision


def ensure_revisions(session: Session, reply: Reply) -> list[ReplyRevision]:
    """The reply's revisions, oldest first, making revision 1 of a reply submitted before
    revisions existed (see the module docstring). Flushes; the caller commits."""
    found = revisions_of(session, reply)
    if found or not reply.is_submitted or reply.submitted_at is None:
        return found
    from monitor.submissions.receipts import latest_receipt

    receipt = latest_receipt(session, reply)
    revision = record_revision(session, reply, None, receipt)
    record(
        session,
        None,
        "reply.revision_made",
        reply,
        reply.evaluation_id,
        revision=revision.number,
        reason="submitted before revisions existed",
    )
    return [revision]


# --- returns for changes -----------------------------------------------------------------


def returns_of(session: Session, reply: Reply) -> list[ReplyReturn]:
    """Every return of the reply for changes, oldest first."""
    return list(
        session.exec(
            select(ReplyReturn)
            .where(ReplyReturn.reply_id == reply.id)
            .order_by(col(ReplyReturn.id))
        ).all()
    )


def current_return(session: Session, reply: Reply) -> ReplyReturn | None:
    """The return the reply is in now (a draft again after the panel returned it), or
    None (a first draft, or submitted)."""
    if reply.status != ReplyStatus.DRAFT:
        return None
    found = returns_of(session, reply)
    return found[-1] if found else None


def can_return_reply(user: User, reply: Reply) -> bool:
    """Only the panel and secretariat return a reply, and only a submitted one."""
    return bool(user.is_authenticated and user.is_panel and reply.is_submitted)


def return_reply(session: Session, reply: Reply, actor: User, message: str) -> ReplyReturn:
    """Return a submitted reply to its respondents for changes, with ``message`` (what to
    change). The submitted answers stay as the latest revision; the reply becomes an
    editable draft, to be submitted again as the next revision with a new receipt.

    Raises RevisionError when the reply is not submitted or the message is blank.
    """
    if not reply.is_submitted:
        raise RevisionError(_l("Only a submitted reply can be returned for changes."))
    message = (message or "").strip()
    if not message:
        raise RevisionError(_l("Say what should be changed."))
    revisions = ensure_revisions(session, reply)
    returned = ReplyReturn(
        reply_id=reply.id,  # type: ignore[arg-type]
        revision_number=revisions[-1].number,
        message=message,
        returned_at=utcnow(),
        returned_by_id=actor.id,
    )
    session.add(returned)
    reply.status = ReplyStatus.DRAFT
    session.add(reply)
    record(
        session,
        actor.id,
        "reply.returned",
        reply,
        reply.evaluation_id,
        revision=returned.revision_number,
        audience=str(reply.audience),
    )
    return returned


def respondents(session: Session, reply: Reply) -> list[User]:
    """The active users who write ``reply``: the Party's contact persons and contributors
    for a Party's reply, the organisation's users for an NGO submission."""
    q = select(User).where(col(User.active).is_(True))
    if reply.audience == Audience.PARTY:
        evaluation = session.get(Evaluation, reply.evaluation_id)
        assert evaluation is not None
        q = q.where(User.party_id == evaluation.party_id, col(User.role).in_(PARTY_ROLES))
    else:
        q = q.where(User.organisation_id == reply.organisation_id, User.role == Role.NGO)
    return list(session.exec(q.order_by(col(User.id))).all())


def send_return_notices(
    session: Session, reply: Reply, returned: ReplyReturn, link: str
) -> tuple[int, int]:
    """E-mail every respondent of ``reply`` (in their own language) that it was returned
    for changes, with the panel's message and ``link`` (the reply's page, absolute URL).
    Returns ``(sent, failed)``; a failure is logged, never raised."""
    from monitor.submissions.receipts import reply_names

    names = reply_names(session, reply)
    sent = failed = 0
    for user in respondents(session, reply):
        lang = user.locale if user.locale in ("en", "fr", "ru") else "en"
        with force_locale(lang):
            who = names["org"].name if names["org"] else names["party"].name
            subject = _("Reply returned for changes: %(who)s", who=who)
            text = "\n\n".join(
                [
                    _("Dear %(name)s,", name=user.name),
                    _(
                        "The expert panel has returned the reply of %(who)s (%(round)s)"
                        " for changes. It can be edited again and must then be submitted"
                        " again.",
                        who=who,
                        round=qt(names["round"].title),
                    ),
                    _("Message from the panel:"),
                    returned.message,
                    link,
                ]
            )
        if notify(user.name, user.email, subject, text, lang, f"return of reply {reply.id}"):
            sent += 1
        else:
            failed += 1
    return sent, failed


# --- answers as text, and the comparison ---------------------------------------------------


def _plain(value: Any) -> str:
    """A displayed value as plain text (labels may be Markup with a ``lang`` span)."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value.striptags()
    return str(value)


def answer_text(
    item: Any,
    value: Any,
    locale: str,
    siblings: dict[str, Any] | None = None,
    files: dict[int, Attachment] | None = None,
) -> str:
    """The answer ``value`` (stored form, see :class:`Answer`) to ``item`` as plain text
    for ``locale``, as the reply view shows it (:func:`display_answer`): one line per
    ticked option, per table cell (``row · column: figure``) and per group member, a
    blank line between group entries, attachments by file name. A blank answer is
    ``""``."""
    if is_blank(value):
        return ""
    files = files or {}
    siblings = siblings or {}
    shown = display_answer(item, value, locale, siblings)
    if isinstance(item, StatisticsTableItem) and isinstance(shown, dict):
        lines = []
        cols = table_columns(item)
        for row_key, row_label in table_rows(item):
            for col_key, col_label, _group in cols:
                cell = shown.get(f"{row_key}|{col_key}")
                if cell not in (None, ""):
                    lines.append(f"{_(row_label)} · {_(col_label)}: {_plain(cell)}")
        for where, note in shown.get("notes", []):
            lines.append(f"{where}: {_plain(note)}")
        if shown.get("explanation"):
            lines.append(_("Explanation:") + " " + _plain(shown["explanation"]))
        return "\n".join(lines)
    if isinstance(item, FileItem):
        return "\n".join(
            files[i].filename if i in files else f"#{i}" for i in (shown or []) if i is not None
        )
    if isinstance(item, GroupItem) and isinstance(shown, list):
        entries = []
        label = qt(item.entry_label) if item.entry_label else _("Entry")
        for n, entry in enumerate(shown, start=1):
            lines = [f"{label} {n}"]
            for member, member_value in entry:
                if isinstance(member, FileItem):
                    text = ", ".join(
                        files[i].filename if i in files else f"#{i}" for i in member_value or []
                    )
                elif isinstance(member_value, list):
                    text = ", ".join(_plain(v) for v in member_value)
                else:
                    text = _plain(member_value)
                lines.append(f"{qt(member.label)}: {text}")
            entries.append("\n".join(lines))
        return "\n\n".join(entries)
    if isinstance(item, MultipleChoiceItem) and isinstance(shown, list):
        return "\n".join(_plain(v) for v in shown)
    return _plain(shown)


@dataclass
class ItemChange:
    """One item whose answer differs between the two revisions: ``old`` and ``new`` as
    text (:func:`answer_text`), ``html`` the word diff (``<ins>``/``<del>``)."""

    item: Any
    old: str
    new: str
    html: Markup


@dataclass
class SectionChanges:
    """The changed items of one section (``section`` None for items no longer in the
    newer questionnaire) and how many of its answerable items did not change."""

    section: Any
    changes: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class Comparison:
    old: ReplyRevision
    new: ReplyRevision
    sections: list[SectionChanges]

    @property
    def changed_count(self) -> int:
        return sum(len(s.changes) for s in self.sections)

    @property
    def unchanged_count(self) -> int:
        return sum(s.unchanged for s in self.sections)


def compare_revisions(
    session: Session,
    old: ReplyRevision,
    new: ReplyRevision,
    locale: str,
    files: dict[int, Attachment] | None = None,
) -> Comparison:
    """Compare two revisions of a reply item by item, in the order of the newer
    revision's questionnaire (items only in the older one come last, in a section of
    their own). Answers to items hidden in a revision count as blank. ``files`` maps
    attachment id to :class:`Attachment` for file names."""
    new_def = definition_of(session, new.questionnaire_version_id)
    old_def = definition_of(session, old.questionnaire_version_id)
    old_values = visible_answers(old_def, old.answers or {})
    new_values = visible_answers(new_def, new.answers or {})
    old_items = {i.id: i for i in answerable(old_def.items())}
    sections: list[SectionChanges] = []
    seen: set[str] = set()

    def compare(target: SectionChanges, item: Any, old_item: Any) -> None:
        seen.add(item.id)
        before = (
            answer_text(old_item, old_values.get(item.id), locale, old_values, files)
            if old_item is not None
            else ""
        )
        after = answer_text(item, new_values.get(item.id), locale, new_values, files)
        if changed(before, after):
            target.changes.append(ItemChange(item, before, after, diff_html(before, after)))
        else:
            target.unchanged += 1

    for sec in new_def.sections():
        target = SectionChanges(sec)
        for item in answerable(sec.items):
            compare(target, item, old_items.get(item.id))
        sections.append(target)
    gone = SectionChanges(None)
    for item_id, old_item in old_items.items():
        if item_id not in seen:
            before = answer_text(old_item, old_values.get(item_id), locale, old_values, files)
            if before:
                gone.changes.append(ItemChange(old_item, before, "", diff_html(before, "")))
    if gone.changes:
        sections.append(gone)
    return Comparison(old, new, sections)


def revision_context(session: Session, revision: ReplyRevision, locale: str) -> dict[str, Any]:
    """What ``submissions/_reply_answers.html`` needs to show a revision as it was
    submitted: ``definition``, ``hidden``, ``shown``, ``files`` (see
    :func:`monitor.submissions.receipts.answers_context`)."""
    from monitor.questionnaires.visibility import hidden_items
    from monitor.submissions.attachments import attachments_of_replies

    definition = definition_of(session, revision.questionnaire_version_id)
    values = visible_answers(definition, revision.answers or {})
    shown = {
        i.id: display_answer(i, values[i.id], locale, values)
        for i in answerable(definition.items())
        if i.id in values and not is_blank(values[i.id])
    }
    return {
        "definition": definition,
        "hidden": hidden_items(definition, values),
        "shown": shown,
        "answers": {},
        "files": attachments_of_replies(session, [revision.reply_id]),
    }
