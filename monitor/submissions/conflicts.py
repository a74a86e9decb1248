"""No silent overwrite: saving a section against the answers its form was rendered from.

A section page carries, in a hidden field, the *base* of each of its answers: a digest of
the stored value the field was filled from (:func:`section_base`). A save compares, for
each answer key posted, three values (as ODK Central does for a record, but per answer, so
that two contributors working on different items or sections never conflict):

- *base*: what the respondent's form showed;
- *mine*: what the respondent posts;
- *theirs*: what is stored now.

If mine equals base, the respondent did not touch the field: nothing is written (an
unchanged field must never put back an answer someone else changed meanwhile). If theirs
still equals base, only the respondent changed it, or theirs was last saved from the same
page (an autosave of that page still on its way when a Save button was pressed: each
rendering of a section page carries a random token, :data:`PAGE_FIELD`), it is written.
The same respondent in another browser tab counts as someone else. If mine equals theirs,
there is nothing to do. Otherwise both changed it differently: a conflict. Conflicting
answers are kept in a :class:`PendingSave` until the respondent chooses (issue 4, point 3);
the others of the same post are saved.
"""

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from monitor.accounts.models import User
from monitor.core.audit import record
from monitor.core.memo import IdentityCache
from monitor.questionnaires.schema import QuestionnaireDef, Section
from monitor.submissions import services, team
from monitor.submissions.definitions import answerable, definition_of, other_key
from monitor.submissions.models import Answer, PendingSave, Reply

BASE_FIELD = "_base"
#: The hidden field carrying the section page's token (see :func:`new_page_token`).
PAGE_FIELD = "_page"


def new_page_token() -> str:
    """A random token for one rendering of a section page (16 URL-safe characters): the
    page posts it with every save and autosave, so that a save from the page that made
    the last change is told apart from a save from another tab of the same respondent
    (``Answer.updated_from_page``)."""
    return secrets.token_urlsafe(12)


def parse_page(text: str | None) -> str | None:
    """The posted page token, or None when absent or not one of ours."""
    if not text or len(text) > 32 or not text.replace("-", "").replace("_", "").isalnum():
        return None
    return text


def value_digest(value: Any) -> str:
    """A short digest (16 hex digits) of a stored answer value; ``""`` for no answer."""
    if value is None:
        return ""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_SECTION_KEYS: IdentityCache[list[str]] = IdentityCache(256)


def section_keys(section: Section) -> list[str]:
    """The answer keys a section's form posts: its answerable items' ids and the
    ``<id>__other`` keys of choice items with a "please specify" option (kept per
    section object; do not change the list)."""
    return _SECTION_KEYS.get((section,), (), lambda: _section_keys(section))


def _section_keys(section: Section) -> list[str]:
    keys: list[str] = []
    for item in answerable(section.items):
        keys.append(item.id)
        if any(getattr(o, "specify", False) for o in getattr(item, "options", None) or []):
            keys.append(other_key(item.id))
    return keys


def section_base(section: Section, stored: dict[str, Any]) -> dict[str, str]:
    """Answer key -> digest of the stored value, for every key of the section (the
    section's version, per answer)."""
    return {k: value_digest(stored.get(k)) for k in section_keys(section)}


def posted_version(form: Mapping[str, Any]) -> tuple[dict[str, str] | None, str | None]:
    """What a posted section form says it was based on: its base (:func:`parse_base`)
    and its page token (:func:`parse_page`), for :func:`save_section`."""
    return parse_base(form.get(BASE_FIELD)), parse_page(form.get(PAGE_FIELD))


def parse_base(text: str | None) -> dict[str, str] | None:
    """The posted base (JSON object of key -> digest), or None when absent or unreadable
    (a form rendered before bases existed: saved without a check, as before)."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): str(v) for k, v in data.items()}


@dataclass
class SaveResult:
    """``changed``: answers written; ``conflicts``: keys refused (kept pending);
    ``base``: the posted base advanced for the keys now stored as the respondent posted
    them (what the page now shows is based on those), for a page that stays open."""

    changed: int
    conflicts: list[str]
    base: dict[str, str]


def save_section(
    session: Session,
    reply: Reply,
    actor: User,
    section: Section,
    values: dict[str, Any],
    base: dict[str, str] | None,
    language: str,
    *,
    answers: services.AnswerMap | None = None,
    rows: Mapping[str, Any] | None = None,
    definition: QuestionnaireDef | None = None,
    page: str | None = None,
) -> SaveResult:
    """Save a section's posted answers (answer key -> stored value) against ``base``
    (answer key -> digest, see the module docstring). Without a base, everything is
    saved (:func:`monitor.submissions.services.save_answers`). What the caller has read
    spares reading it again: ``answers``, the reply's answers as objects, at least those
    to the keys of ``values`` (:func:`~monitor.submissions.services.answers_for_save`);
    or ``rows``, every answer of the reply as read-only rows
    (:func:`~monitor.submissions.services.answer_rows`), against which the posted
    answers are compared so that only those that change are loaded to be written; and
    ``definition``, the reply's. Otherwise only the answers to the keys posted are read.
    ``page``: the posting page's token (:func:`parse_page`), None for a page without one.

    Conflicting answers are not written: they replace the actor's :class:`PendingSave`
    for the section (keys already pending and not posted again are kept). A change
    puts a section not started or reviewed in progress
    (:func:`monitor.submissions.team.section_changed`). Raises SubmissionError when
    the reply is read-only.
    """
    if base is None:
        if rows is not None:
            values = _changes(values, rows)
        changed = services.save_answers(
            session,
            reply,
            actor,
            values,
            language,
            answers=answers,
            definition=definition,
            page=page,
        )
        if changed:
            team.section_changed(session, reply, actor, section.id)  # multi-agency reply
        return SaveResult(changed, [], {})
    current: Mapping[str, Any]
    if rows is not None:
        current = rows
    else:
        if answers is None or not answers.covers(values):
            if definition is None:
                definition = definition_of(session, reply.questionnaire_version_id)
            answers = services.answers_for_save(session, reply, definition, values)
        current = answers
    stored = {k: a.value for k, a in current.items()}
    to_save: dict[str, Any] = {}
    conflicts: dict[str, Any] = {}
    theirs_digest: dict[str, str] = {}
    new_base = dict(base)
    for key, mine in values.items():
        if key not in base:
            to_save[key] = mine
            continue
        mine_d, theirs_d = value_digest(mine), value_digest(stored.get(key))
        if mine_d == base[key]:
            continue  # not touched here: never put an older answer back
        # the page's own later save (an autosave still on its way when a Save button
        # was pressed) is not someone else's change; another tab of the same respondent
        # is (page tokens; without one, as posted by a page rendered before tokens
        # existed, any change by the same respondent counts as their own)
        own = (
            key in current
            and current[key].updated_by_id == actor.id
            and (page is None or current[key].updated_from_page == page)
        )
        if theirs_d == base[key] or mine_d == theirs_d or own:
            to_save[key] = mine
            new_base[key] = mine_d
            continue
        conflicts[key] = mine
        theirs_digest[key] = theirs_d
    if rows is not None:
        to_save = _changes(to_save, rows)
    changed = services.save_answers(
        session,
        reply,
        actor,
        to_save,
        language,
        answers=answers,
        definition=definition,
        page=page,
    )
    if changed:
        team.section_changed(session, reply, actor, section.id)  # multi-agency reply
    if conflicts:
        pending = pending_save(session, reply, section.id, actor)
        if pending is None:
            pending = PendingSave(
                reply_id=reply.id,  # type: ignore[arg-type]
                section_id=section.id,
                user_id=actor.id,  # type: ignore[arg-type]
                values={},
                base={},
            )
        pending.values = {**(pending.values or {}), **conflicts}
        pending.base = {**(pending.base or {}), **theirs_digest}
        pending.language = language
        session.add(pending)
        record(
            session,
            actor.id,
            "reply.save_conflict",
            reply,
            reply.evaluation_id,
            section=section.id,
            answers=sorted(conflicts),
        )
    return SaveResult(changed, sorted(conflicts), new_base)


def _changes(values: dict[str, Any], rows: Mapping[str, Any]) -> dict[str, Any]:
    """The ``values`` that differ from the stored answers ``rows`` (every answer of the
    reply): :func:`~monitor.submissions.services.save_answers` writes nothing for the
    others (an answer posted as stored, or posted blank where none is stored), so they
    need not be loaded to be compared again."""
    return {k: v for k, v in values.items() if (rows[k].value != v if k in rows else v is not None)}


def _pending_of(reply: Reply, section_id: str, user: User) -> tuple[Any, ...]:
    return (
        PendingSave.reply_id == reply.id,
        PendingSave.section_id == section_id,
        PendingSave.user_id == user.id,
    )


def pending_save(session: Session, reply: Reply, section_id: str, user: User) -> PendingSave | None:
    """The user's answers to the section still waiting for a choice, if any."""
    return session.exec(select(PendingSave).where(*_pending_of(reply, section_id, user))).first()


def has_pending_save(reply: Reply, section_id: str, user: User) -> Any:
    """An SQL ``EXISTS`` that is true when :func:`pending_save` finds a row (to be
    selected with other values in one query)."""
    return sa.exists().where(*_pending_of(reply, section_id, user))


def resolve_conflicts(
    session: Session,
    reply: Reply,
    actor: User,
    section: Section,
    pending: PendingSave,
    chosen: dict[str, Any],
) -> SaveResult:
    """Apply the respondent's choices for a pending save: ``chosen`` maps each pending
    key the respondent resolved to the value to store (theirs kept = key left out). The
    choices are saved against the answers the conflict page showed (``pending.base``):
    an answer changed once more since then is a new conflict, kept pending. The pending
    save is deleted once nothing is left in it.
    """
    values = pending.values or {}
    base = pending.base or {}
    resolved = set(values)
    pending.values, pending.base = {}, {}
    result = save_section(
        session,
        reply,
        actor,
        section,
        {k: v for k, v in chosen.items() if k in resolved},
        {k: base.get(k, "") for k in resolved},
        pending.language or "en",
    )
    record(
        session,
        actor.id,
        "reply.conflict_resolved",
        reply,
        reply.evaluation_id,
        section=section.id,
        kept_theirs=sorted(resolved - set(chosen)),
        chosen=sorted(set(chosen) & resolved),
        again=result.conflicts,
    )
    if result.conflicts:
        # save_section merged the new conflicts into this same row
        session.add(pending)
    else:
        session.delete(pending)
    return result


@dataclass
class ConflictView:
    """One conflicting answer for the conflict page: ``theirs`` is the stored answer
    (None if since cleared), ``mine`` the respondent's posted value."""

    key: str
    theirs: Answer | None
    mine: Any


def conflict_views(session: Session, reply: Reply, pending: PendingSave) -> list[ConflictView]:
    """The pending save's conflicts, in key order."""
    answers = services.answers_of(session, reply)
    return [ConflictView(k, answers.get(k), v) for k, v in sorted((pending.values or {}).items())]
