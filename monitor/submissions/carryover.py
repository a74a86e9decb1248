"""Answers carried over from the Party's reply to an earlier round (issue 4, point 7).

When a Party answered an earlier evaluation round of the same instrument, its new draft
reply is offered the previous answers to items with the same ids, each marked "Carried
over from round N — confirm or update". They are never submitted silently:

- They are copied **when the reply is created** (:func:`carry_over`, called by
  :func:`monitor.submissions.services.get_or_create_reply`). Copying once, into ordinary
  :class:`Answer` rows marked with ``carried_over_from_reply_id``, keeps every later
  path (section page, autosave, conflicts, check answers) working on one kind of answer;
  computing them on every page instead would make a value the respondent never saved
  appear in the form and be saved by any Save button without a decision.
- A carried answer counts as **not given** for submission until the respondent confirms
  it (:func:`confirm`, per item or per section) or changes it (any changed value saved by
  :func:`monitor.submissions.services.save_answers` clears the mark): the check-answers
  page lists each one as needing confirmation (:func:`carried_problems`), and
  submission is refused while any is left.
- Only values valid for the new item are carried (:func:`carried_value`): same kind,
  the value passes the new item's checks (option codes that still exist, numbers within
  bounds, a currency still offered...). File items (attachments belong to the earlier
  reply) and statistics tables (their figures are for the earlier round's period) are
  never carried, nor groups with a file member.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlmodel import Session, col, select

from monitor.accounts.models import User
from monitor.core.audit import record
from monitor.core.time import utcnow
from monitor.questionnaires.schema import GroupItem, ItemBase, QuestionnaireDef
from monitor.questionnaires.visibility import hidden_items
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions.definitions import answerable, definition_of, other_key
from monitor.submissions.models import Answer, Reply, ReplyStatus
from monitor.submissions.validation import Problem, check_item, is_blank

#: Item kinds whose answers are never carried over (see the module docstring).
NOT_CARRIED = frozenset({"file", "statistics_table", "info"})


def previous_reply(session: Session, evaluation: Evaluation) -> tuple[Reply, int] | None:
    """The Party's submitted reply to the latest earlier round of the same instrument, with
    that round's number; None when the Party never submitted one."""
    rnd = session.get(EvaluationRound, evaluation.round_id)
    if rnd is None:
        return None
    row = session.exec(
        select(Reply, EvaluationRound.number)
        .join(Evaluation, col(Evaluation.id) == Reply.evaluation_id)
        .join(EvaluationRound, col(EvaluationRound.id) == Evaluation.round_id)
        .where(
            Evaluation.party_id == evaluation.party_id,
            EvaluationRound.instrument_id == rnd.instrument_id,
            EvaluationRound.number < rnd.number,
            Reply.audience == Audience.PARTY,
            Reply.status == ReplyStatus.SUBMITTED,
        )
        .order_by(col(EvaluationRound.number).desc())
    ).first()
    if row is None:
        return None
    reply, number = row
    return reply, number


def _members_carried(item: GroupItem) -> bool:
    return all(m.kind not in NOT_CARRIED for m in item.items)


def carried_value(new_item: ItemBase, old_item: ItemBase | None, value: Any) -> bool:
    """True when ``value``, the answer to ``old_item`` in the earlier reply, may be
    offered for ``new_item``: both items have the same kind, the kind is carried, the
    value is not blank and the new item's checks find no error in it."""
    kind = getattr(new_item, "kind", None)
    if old_item is None or getattr(old_item, "kind", None) != kind or kind in NOT_CARRIED:
        return False
    if isinstance(new_item, GroupItem):
        if not isinstance(old_item, GroupItem) or not _members_carried(new_item):
            return False
        members = {m.id: m.kind for m in new_item.items}
        old_members = {m.id: m.kind for m in old_item.items}
        # a member whose kind changed makes the entries' values unsafe to reuse
        if any(old_members.get(k, kind) != kind for k, kind in members.items()):
            return False
    if is_blank(value):
        return False
    # a blank value is not an error here: required-ness is not the point
    return not any(level == "error" for _m, _c, level in check_item(new_item, value, {}))


def carry_over(session: Session, reply: Reply, actor: User | None = None) -> int:
    """Copy into the new draft ``reply`` (a Party reply with no answers yet) the answers
    of the Party's previous submitted reply (:func:`previous_reply`) to items with the
    same ids whose values are valid for the new items (:func:`carried_value`), and their
    "please specify" texts. Each copy is marked with ``carried_over_from_reply_id``.
    Writes an audit row ``reply.carried_over``. Returns the number of answers copied.
    """
    if reply.audience != Audience.PARTY:
        return 0
    evaluation = session.get(Evaluation, reply.evaluation_id)
    if evaluation is None:
        return 0
    found = previous_reply(session, evaluation)
    if found is None:
        return 0
    earlier, number = found
    new_def = definition_of(session, reply.questionnaire_version_id)
    old_def = definition_of(session, earlier.questionnaire_version_id)
    old_items = {i.id: i for i in answerable(old_def.items())}
    old_answers = {
        a.item_id: a
        for a in session.exec(
            select(Answer).where(Answer.reply_id == earlier.id, col(Answer.active).is_(True))
        ).all()
    }
    copied: list[Answer] = []
    for item in answerable(new_def.items()):
        old = old_answers.get(item.id)
        if old is None or not carried_value(item, old_items.get(item.id), old.value):
            continue
        keys = [item.id]
        other = old_answers.get(other_key(item.id))
        if other is not None and not is_blank(other.value):
            keys.append(other_key(item.id))
        for key in keys:
            source = old_answers[key]
            copied.append(
                Answer(
                    reply_id=reply.id,  # type: ignore[arg-type]
                    item_id=key,
                    value=source.value,
                    language=source.language,
                    carried_over_from_reply_id=earlier.id,
                    updated_by_id=None,
                )
            )
    # answers to items the carried answers hide are kept inactive, as a save would
    hidden = hidden_items(new_def, {a.item_id: a.value for a in copied})
    for answer in copied:
        answer.active = answer.item_id.split("__", 1)[0] not in hidden
        session.add(answer)
    if copied:
        session.flush()
        record(
            session,
            actor.id if actor else None,
            "reply.carried_over",
            reply,
            reply.evaluation_id,
            from_reply=earlier.id,
            round=number,
            answers=len(copied),
        )
    return len(copied)


def carried_answers(
    session: Session, reply: Reply, answers: Iterable[Any] | None = None
) -> dict[str, int]:
    """Answer key -> number of the round it was carried over from, for the reply's
    answers still awaiting confirmation (one query, plus one per source reply).
    ``answers``: the reply's answers already loaded (objects or rows with ``item_id`` and
    ``carried_over_from_reply_id``), read instead of the query."""
    if answers is None:
        rows = session.exec(
            select(Answer.item_id, Answer.carried_over_from_reply_id).where(
                Answer.reply_id == reply.id, col(Answer.carried_over_from_reply_id).is_not(None)
            )
        ).all()
    else:
        rows = [
            (a.item_id, a.carried_over_from_reply_id)
            for a in answers
            if a.carried_over_from_reply_id is not None
        ]
    numbers: dict[int, int] = {}
    out: dict[str, int] = {}
    for key, source_id in rows:
        assert source_id is not None
        if source_id not in numbers:
            numbers[source_id] = _round_number(session, source_id)
        out[key] = numbers[source_id]
    # a "please specify" text waits only as long as its item does
    return {k: n for k, n in out.items() if "__" not in k or k.split("__", 1)[0] in out}


def _round_number(session: Session, reply_id: int) -> int:
    number = session.exec(
        select(EvaluationRound.number)
        .join(Evaluation, col(Evaluation.round_id) == EvaluationRound.id)
        .join(Reply, col(Reply.evaluation_id) == Evaluation.id)
        .where(Reply.id == reply_id)
    ).first()
    return int(number or 0)


def confirm(session: Session, reply: Reply, actor: User, keys: list[str]) -> int:
    """The respondent confirms the carried-over answers under ``keys`` (answer keys; a
    choice item's "please specify" text is confirmed with its item): they become ordinary
    answers of this reply, by ``actor``. Returns the number confirmed; writes an audit row
    ``reply.carried_over_confirmed``. Raises ValueError when the reply is not a draft."""
    if reply.status != ReplyStatus.DRAFT:
        raise ValueError("only a draft reply's answers can be confirmed")
    wanted = set(keys) | {other_key(k) for k in keys}
    rows = session.exec(
        select(Answer).where(
            Answer.reply_id == reply.id,
            col(Answer.item_id).in_(wanted),
            col(Answer.carried_over_from_reply_id).is_not(None),
        )
    ).all()
    now = utcnow()
    for answer in rows:
        answer.carried_over_from_reply_id = None
        answer.updated_by_id = actor.id
        answer.updated_at = now  # confirmed now, by the actor
        answer.updated_from_page = None
        session.add(answer)
    if rows:
        record(
            session,
            actor.id,
            "reply.carried_over_confirmed",
            reply,
            reply.evaluation_id,
            answers=sorted(a.item_id for a in rows),
        )
    return len(rows)


def awaiting_values(values: Mapping[str, Any], carried: Mapping[str, int]) -> dict[str, Any]:
    """``values`` (answer key -> value) without the answers awaiting confirmation: what
    submission counts as given."""
    return {k: v for k, v in values.items() if k not in carried}


def carried_problems(
    definition: QuestionnaireDef,
    carried: Mapping[str, int],
    problems: list[Problem],
    values: Mapping[str, Any],
) -> list[Problem]:
    """``problems`` (from validating the answers without the carried ones) with, for each
    shown item whose answer awaits confirmation, one error "Carried over from round N —
    confirm or update" in place of any other problem of that item (its "required"
    error). ``values`` are all the answers, carried included, as the respondent sees
    them: an item they hide is not listed (its answer is kept but never submitted)."""
    if not carried:
        return problems
    hidden = hidden_items(definition, values)
    items = {k.split("__", 1)[0] for k in carried} - hidden
    out = [p for p in problems if p.item_id not in items]
    for section in definition.sections():
        for item in answerable(section.items):
            if item.id in items:
                number = carried.get(item.id) or carried.get(other_key(item.id)) or 0
                out.append(
                    Problem(
                        section.id,
                        item.id,
                        _("Carried over from round %(number)d — confirm or update", number=number),
                    )
                )
    order = {i.id: n for n, i in enumerate(definition.items())}
    out.sort(key=lambda p: order.get(p.item_id, len(order)))
    return out
