"""Round operations: loading a round from YAML and finding its evaluations.

Following the GOV.UK Forms model, a questionnaire as sent is an immutable snapshot
(:class:`QuestionnaireVersion`, identified by the SHA-256 of its canonical JSON); answers
point at the snapshot they were given against.

Loading a changed questionnaire into a round that has replies (issue 3, point 7; known
failure B08) never loses or misreads an answer:

- Every answered item must still be in the new definition (possibly ``retired``: kept
  for its answers, no longer asked) or be named in the ``renamed_from`` of the item that
  replaces it. Otherwise the whole load is refused with :class:`AnsweredItemsRemoved`
  before anything is written. This holds for drafts and submitted replies, Party and NGO
  alike: a submitted reply keeps its version, but its answers must stay traceable by
  stable id across versions (exports, comparison of Parties).
- A submitted reply stays bound to the version it was answered on and always renders
  with it.
- A draft moves to the new version (its ``version`` save counter goes up, so a form
  opened on the old version is stale) and answers to renamed items follow the rename
  (``Answer.item_id`` rewritten old -> new).
- The evaluation is bound to the newest Party version, so a reply started later uses it;
  an NGO submission started later uses the round's newest NGO version.
"""

import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from monitor.accounts.models import Party
from monitor.accounts.services import get_or_create_party
from monitor.core.audit import record
from monitor.questionnaires.diff import QuestionnaireDiff, diff, item_ids
from monitor.questionnaires.loader import (
    DefinitionError,
    LoadedRound,
    Problem,
    content_hash,
    load_round_file,
    read_yaml,
)
from monitor.questionnaires.schema import GroupItem, ItemBase, QuestionnaireDef
from monitor.rounds.models import (
    Audience,
    Evaluation,
    EvaluationRound,
    Instrument,
    QuestionnaireVersion,
)

log = logging.getLogger(__name__)

# rounds/ sits below submissions/ in the import order, so the reply and answer tables are
# named here rather than importing monitor.submissions.models.
_reply = sa.table(
    "reply",
    sa.column("id", sa.Integer),
    sa.column("evaluation_id", sa.Integer),
    sa.column("audience", sa.String),
    sa.column("status", sa.String),
    sa.column("questionnaire_version_id", sa.Integer),
    sa.column("version", sa.Integer),
)
_answer = sa.table(
    "answer",
    sa.column("id", sa.Integer),
    sa.column("reply_id", sa.Integer),
    sa.column("item_id", sa.String),
    sa.column("value", sa.JSON),
)


class _Row:
    """A row of a table this module may not import, for :func:`record`, which stores
    ``type(obj).__name__`` as the object type: subclasses carry the model's name."""

    def __init__(self, row_id: int) -> None:
        self.id = row_id


_ReplyRow: type[_Row] = type("Reply", (_Row,), {})


@dataclass(frozen=True)
class AnsweredItemConflict:
    """Answers that a new questionnaire version would leave without an item.

    ``party_code`` is None for the NGO questionnaire. ``reason`` is ``removed`` (the item
    is gone and no item declares it in ``renamed_from``), ``ambiguous`` (several items
    declare it) or ``collision`` (a reply also answers the item it is renamed to).
    ``answers`` counts answers, ``replies`` the replies holding them (``submitted`` of
    them submitted); ``version_ids`` are the versions they were given on.
    """

    round_number: int
    audience: str
    party_code: str | None
    item_id: str
    reason: str
    answers: int
    replies: int
    submitted: int
    version_ids: tuple[int, ...]
    section: str
    detail: str = ""

    def message(self) -> str:
        """The conflict in English, for the YAML author (like the loader's problems)."""
        whose = (
            f"the Party questionnaire of {self.party_code}"
            if self.party_code
            else "the NGO questionnaire"
        )
        held = (
            f"{_count(self.answers, 'answer')} in {_count(self.replies, 'reply', 'replies')}"
            f" ({self.submitted} submitted) on questionnaire "
            f"{'version' if len(self.version_ids) == 1 else 'versions'} "
            f"{', '.join(str(v) for v in self.version_ids)}"
        )
        where = f"round {self.round_number}, {whose}"
        if self.reason == "ambiguous":
            return (
                f"{where}: item '{self.item_id}' has {held}, but several items list it in "
                f"renamed_from ({self.detail}): keep it in one renamed_from only, or keep "
                f"the item with 'retired: true'"
            )
        if self.reason == "collision":
            return (
                f"{where}: answers to item '{self.item_id}' would follow the rename to "
                f"'{self.detail}', but the same replies also answer '{self.detail}' "
                f"({held}): keep '{self.item_id}' as an item with 'retired: true' instead "
                "of renaming it"
            )
        return (
            f"{where}: item '{self.item_id}' (section {self.section}) is no longer in the "
            f"questionnaire but has {held}: keep the item with 'retired: true', or list "
            f"'{self.item_id}' in the 'renamed_from' of the item that replaces it"
        )


class AnsweredItemsRemoved(DefinitionError):
    """A round load refused because the new questionnaire would drop answered items.

    ``conflicts`` lists them; ``problems`` (as for any :class:`DefinitionError`) locates
    each at the section the item was in, in the file to edit, or at the file's start.
    """

    def __init__(self, problems: Iterable[Problem], conflicts: list[AnsweredItemConflict]):
        super().__init__(problems)
        self.conflicts = conflicts


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def load_round(
    session: Session,
    path: str | os.PathLike[str],
    actor_id: int | None = None,
    changes: list[str] | None = None,
) -> EvaluationRound:
    """Load a round file and upsert what it defines; idempotent.

    Upserts the :class:`Instrument` (by code), the :class:`EvaluationRound` (by instrument
    and number), a :class:`Party` per entry of ``parties``, one :class:`QuestionnaireVersion`
    per (audience, Party) by content hash (the NGO version has ``party_code`` None), and an
    :class:`Evaluation` per Party bound to its newest Party questionnaire version. When a
    version changes, draft replies move to it with their answers (following
    ``renamed_from``) and submitted replies keep theirs (see the module docstring).
    ``questionnaire_sent`` and ``reply_due`` (procedure steps 1-2; default
    ``deadlines.reply_months`` after sending) are set from the round when given.

    ``changes``, if given, receives one English line per created or updated row (for the
    command line). Writes audit rows with ``actor_id`` (None from the command line); never
    commits. Raises :class:`monitor.questionnaires.loader.DefinitionError`, and its
    subclass :class:`AnsweredItemsRemoved` (before writing anything) when answered items
    would be dropped.
    """
    loaded = load_round_file(path)
    return apply_loaded_round(session, loaded, actor_id, changes)


def apply_loaded_round(
    session: Session,
    loaded: LoadedRound,
    actor_id: int | None = None,
    changes: list[str] | None = None,
) -> EvaluationRound:
    """:func:`load_round` for a round already loaded with ``load_round_file``."""
    notes: list[str] = changes if changes is not None else []
    # keyed by Party code; None is the NGO questionnaire
    definitions: dict[str | None, QuestionnaireDef] = {
        entry.code: loaded.questionnaire_for(Audience.PARTY.value, entry.code)
        for entry in loaded.round.parties
    }
    if "ngo" in loaded.questionnaires:
        definitions[None] = loaded.questionnaire_for(Audience.NGO.value, None)
    # Checked before anything is written: a refused load leaves the session untouched.
    moves = _plan_reply_moves(session, loaded, definitions)

    instrument = _upsert_instrument(session, loaded, actor_id, notes)
    rnd = _upsert_round(session, loaded, instrument, actor_id, notes)
    assert rnd.id is not None

    versions: dict[str | None, QuestionnaireVersion] = {}
    for entry in loaded.round.parties:
        party = session.exec(select(Party).where(Party.code == entry.code)).first()
        if party is None:
            party = get_or_create_party(session, entry.code, entry.name)
            record(session, actor_id, "party.created", party, code=entry.code)
            notes.append(f"created Party {entry.code} ({entry.name})")
        elif party.name != entry.name:
            record(session, actor_id, "party.renamed", party, old=party.name, new=entry.name)
            notes.append(f"renamed Party {entry.code}: {party.name} -> {entry.name}")
            party.name = entry.name
            session.add(party)
        versions[entry.code] = _version(
            session, rnd, Audience.PARTY, entry.code, definitions[entry.code]
        )
    if None in definitions:
        versions[None] = _version(session, rnd, Audience.NGO, None, definitions[None])
    # Parties (None: NGO) whose questionnaire changes in this load
    changed: set[str | None] = set()
    for key, version in versions.items():
        if version.id is None:
            changed.add(key)
            session.add(version)
            record(
                session,
                actor_id,
                "questionnaire_version.created",
                version,
                audience=version.audience.value,
                party_code=version.party_code,
                content_hash=version.content_hash,
            )
            whose = f" for {version.party_code}" if version.party_code else ""
            notes.append(
                f"created {version.audience.value} questionnaire version {version.id}"
                f"{whose} (sha256 {version.content_hash[:12]})"
            )
    if None in versions:
        _note_ngo_revert(session, rnd, versions[None], notes)

    reply_months = loaded.round.deadlines.reply_months
    for entry in loaded.round.parties:
        party = session.exec(select(Party).where(Party.code == entry.code)).one()
        version = versions[entry.code]
        due = entry.reply_due
        if due is None and entry.questionnaire_sent is not None:
            due = entry.questionnaire_sent + relativedelta(months=reply_months)
        evaluation = session.exec(
            select(Evaluation).where(Evaluation.round_id == rnd.id, Evaluation.party_id == party.id)
        ).first()
        if evaluation is None:
            evaluation = Evaluation(
                round_id=rnd.id,
                party_id=party.id,  # type: ignore[arg-type]
                questionnaire_version_id=version.id,  # type: ignore[arg-type]
                questionnaire_sent=entry.questionnaire_sent,
                reply_due=due,
            )
            session.add(evaluation)
            session.flush()
            record(session, actor_id, "evaluation.created", evaluation, evaluation.id)
            notes.append(f"created evaluation of {entry.code} in round {rnd.number}")
            continue
        if evaluation.questionnaire_version_id != version.id:
            # Always the newest version: replies started from now on use it, drafts are
            # moved to it below, submitted replies keep their own version.
            record(
                session,
                actor_id,
                "evaluation.version_changed",
                evaluation,
                evaluation.id,
                old=evaluation.questionnaire_version_id,
                new=version.id,
            )
            log.info(
                "round %s: evaluation %s of %s bound to questionnaire version %s (was %s) "
                "by actor %s",
                rnd.number,
                evaluation.id,
                entry.code,
                version.id,
                evaluation.questionnaire_version_id,
                actor_id,
            )
            notes.append(
                f"bound evaluation of {entry.code} to questionnaire version {version.id} "
                f"(was {evaluation.questionnaire_version_id})"
            )
            evaluation.questionnaire_version_id = version.id  # type: ignore[assignment]
            changed.add(entry.code)
        dates_changed = False
        if entry.questionnaire_sent is not None and (
            evaluation.questionnaire_sent != entry.questionnaire_sent
        ):
            evaluation.questionnaire_sent = entry.questionnaire_sent
            dates_changed = True
        if due is not None and evaluation.reply_due != due:
            evaluation.reply_due = due
            dates_changed = True
        if dates_changed:
            record(
                session,
                actor_id,
                "evaluation.dates_changed",
                evaluation,
                evaluation.id,
                questionnaire_sent=str(evaluation.questionnaire_sent),
                reply_due=str(evaluation.reply_due),
            )
            notes.append(f"updated dates of the evaluation of {entry.code}")
        session.add(evaluation)
    session.flush()
    _apply_reply_moves(session, rnd, moves, versions, changed, actor_id, notes)
    if not notes:
        notes.append(f"round {rnd.number} is up to date")
    return rnd


# --- replies on an earlier version ---------------------------------------------------------


@dataclass
class _ReplyMove:
    """What the load does to one reply bound to a version other than the new one.

    ``renames``: (answer id, old item id, new item id); ``values``: answer id -> value
    with renamed group members; ``kind_changed``: answered items whose kind changed;
    ``blank_removed``: (answer id, item id) of blank answers in the way of a renamed one.
    """

    reply_id: int
    evaluation_id: int
    key: str | None
    submitted: bool
    old_version_id: int
    renames: list[tuple[int, str, str]] = field(default_factory=list)
    values: dict[int, Any] = field(default_factory=dict)
    kind_changed: list[str] = field(default_factory=list)
    blank_removed: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Tally:
    """Answers without an item, per (Party or NGO, item id, reason): ``section`` is where
    the item was; ``replies``, ``submitted`` and ``versions`` hold ids."""

    section: str
    answers: int = 0
    replies: set[int] = field(default_factory=set)
    submitted: set[int] = field(default_factory=set)
    versions: set[int] = field(default_factory=set)


def _has_content(value: Any) -> bool:
    """Whether a stored value is an answer. Deliberately wider than the submission
    rules' notion of blank: when in doubt a load is refused rather than an answer
    dropped."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return True


def _items_by_id(definition: QuestionnaireDef) -> dict[str, tuple[ItemBase, str]]:
    """Item id -> (item, section id), group members included."""
    out: dict[str, tuple[ItemBase, str]] = {}
    for section in definition.sections():
        for item in section.items:
            out[item.id] = (item, section.id)
            if isinstance(item, GroupItem):
                for member in item.items:
                    out[member.id] = (member, section.id)
    return out


def _existing_round(session: Session, loaded: LoadedRound) -> EvaluationRound | None:
    return session.exec(
        select(EvaluationRound)
        .join(Instrument, col(Instrument.id) == col(EvaluationRound.instrument_id))
        .where(
            Instrument.code == loaded.instrument.code,
            EvaluationRound.number == loaded.round.number,
        )
    ).first()


def _plan_reply_moves(
    session: Session,
    loaded: LoadedRound,
    definitions: dict[str | None, QuestionnaireDef],
) -> list[_ReplyMove]:
    """The replies of the round bound to a version other than the one being loaded for
    their Party (or the NGO questionnaire), with what happens to their answers.

    Raises :class:`AnsweredItemsRemoved` listing every answered item the new definitions
    would drop (see the module docstring). Reads only; the reply rows are locked (FOR
    UPDATE, where the database supports it) until the load commits.
    """
    rnd = _existing_round(session, loaded)
    if rnd is None:
        return []
    rows = session.execute(
        sa.select(
            _reply.c.id,
            _reply.c.evaluation_id,
            _reply.c.audience,
            _reply.c.status,
            _reply.c.questionnaire_version_id,
            col(Party.code),
        )
        .select_from(_reply)
        .join(Evaluation, col(Evaluation.id) == _reply.c.evaluation_id)
        .join(Party, col(Party.id) == col(Evaluation.party_id))
        .where(col(Evaluation.round_id) == rnd.id)
        .order_by(_reply.c.id)
        .with_for_update(of=_reply)
    ).all()
    if not rows:
        return []
    new_hash = {key: content_hash(d) for key, d in definitions.items()}
    version_ids = {row.questionnaire_version_id for row in rows}
    stored = {
        v.id: v
        for v in session.exec(
            select(QuestionnaireVersion).where(
                QuestionnaireVersion.id.in_(version_ids)  # type: ignore[union-attr]
            )
        )
    }
    moves: list[_ReplyMove] = []
    for row in rows:
        key = row.code if row.audience == Audience.PARTY.value else None
        if key not in definitions:
            continue  # the Party (or the NGO questionnaire) is no longer in the round file
        if stored[row.questionnaire_version_id].content_hash == new_hash[key]:
            continue
        moves.append(
            _ReplyMove(
                reply_id=row.id,
                evaluation_id=row.evaluation_id,
                key=key,
                submitted=row.status != "draft",
                old_version_id=row.questionnaire_version_id,
            )
        )
    if not moves:
        return []

    answers: dict[int, list[tuple[int, str, Any]]] = {}
    for answer in session.execute(
        sa.select(_answer.c.id, _answer.c.reply_id, _answer.c.item_id, _answer.c.value)
        .where(_answer.c.reply_id.in_([m.reply_id for m in moves]))
        .order_by(_answer.c.id)
    ):
        answers.setdefault(answer.reply_id, []).append((answer.id, answer.item_id, answer.value))

    parsed: dict[int, QuestionnaireDef] = {}
    diffs: dict[tuple[int, str | None], QuestionnaireDiff] = {}
    found: dict[tuple[str | None, str, str, str], _Tally] = {}

    def conflict(move: _ReplyMove, item_id: str, reason: str, detail: str, section: str) -> None:
        tally = found.setdefault((move.key, item_id, reason, detail), _Tally(section))
        tally.answers += 1
        tally.replies.add(move.reply_id)
        if move.submitted:
            tally.submitted.add(move.reply_id)
        tally.versions.add(move.old_version_id)

    for move in moves:
        vid = move.old_version_id
        if vid not in parsed:
            parsed[vid] = QuestionnaireDef.model_validate(stored[vid].definition)
        if (vid, move.key) not in diffs:
            diffs[(vid, move.key)] = diff(parsed[vid], definitions[move.key])
        _plan_answers(
            move,
            parsed[vid],
            definitions[move.key],
            diffs[(vid, move.key)],
            answers.get(move.reply_id, []),
            conflict,
        )

    if found:
        rnd_number = loaded.round.number
        conflicts = [
            AnsweredItemConflict(
                round_number=rnd_number,
                audience=Audience.PARTY.value if key is not None else Audience.NGO.value,
                party_code=key,
                item_id=item_id,
                reason=reason,
                answers=tally.answers,
                replies=len(tally.replies),
                submitted=len(tally.submitted),
                version_ids=tuple(sorted(tally.versions)),
                section=tally.section,
                detail=detail,
            )
            for (key, item_id, reason, detail), tally in found.items()
        ]
        problems = [_locate(loaded, c) for c in conflicts]
        log.warning(
            "round %s: load refused, %s answered item(s) would be dropped", rnd_number, len(found)
        )
        raise AnsweredItemsRemoved(sorted(problems), conflicts)
    return moves


def _plan_answers(
    move: _ReplyMove,
    old_def: QuestionnaireDef,
    new_def: QuestionnaireDef,
    changes: QuestionnaireDiff,
    held: list[tuple[int, str, Any]],
    conflict: Callable[[_ReplyMove, str, str, str, str], None],
) -> None:
    """Fill ``move`` with where each of ``held`` (answer id, item id, value) goes in
    ``new_def``; report answers with nowhere to go through ``conflict(move, item id,
    reason, detail, section id)``."""
    renames = changes.renames()
    old_items = _items_by_id(old_def)
    new_ids = item_ids(new_def)
    kinds = {p.old.id for p in changes.kind_changed}

    def follow(item_id: str, section: str) -> str | None:
        """The id the answer moves to; None (conflict reported) when it has none."""
        if item_id in new_ids:
            return item_id
        if item_id in renames:
            return renames[item_id]
        if item_id in changes.ambiguous:
            conflict(move, item_id, "ambiguous", ", ".join(changes.ambiguous[item_id]), section)
        else:
            conflict(move, item_id, "removed", "", section)
        return None

    def collide(item_id: str, target: str, section: str) -> None:
        conflict(move, item_id, "collision", target, section)

    final: dict[int, str] = {}  # answer id -> item id after the move, for real answers
    for answer_id, item_id, value in held:
        if item_id not in old_items or not _has_content(value):
            continue  # not an item of its version, or no answer: left as it is
        item, section = old_items[item_id]
        target = follow(item_id, section)
        if target is None:
            continue
        final[answer_id] = target
        if target != item_id:
            move.renames.append((answer_id, item_id, target))
        if item_id in kinds:
            move.kind_changed.append(target)
        if isinstance(item, GroupItem) and isinstance(value, list):
            members = {m.id for m in item.items}
            rewritten = [
                _rename_members(entry, members, new_ids, renames, follow, collide, section)
                if isinstance(entry, dict)
                else entry
                for entry in value
            ]
            if rewritten != value:
                move.values[answer_id] = rewritten
    claimed = Counter(final.values())
    for answer_id, item_id, value in held:
        if answer_id in final:
            target = final[answer_id]
            if target != item_id and claimed[target] > 1:
                conflict(move, item_id, "collision", target, old_items[item_id][1])
        elif item_id in claimed:
            # a row left under an id that a renamed answer moves to
            if _has_content(value):
                section = old_items[item_id][1] if item_id in old_items else ""
                conflict(move, item_id, "collision", item_id, section)
            else:
                move.blank_removed.append((answer_id, item_id))


def _rename_members(
    entry: dict[str, Any],
    members: set[str],
    new_ids: set[str],
    renames: dict[str, str],
    follow: Callable[[str, str], str | None],
    collide: Callable[[str, str, str], None],
    section: str,
) -> dict[str, Any]:
    """One entry of a repeatable group stored as one answer (member id -> value) with its
    renamed members renamed. A blank value gives way to a real one under the same id;
    ``follow`` reports members that have an answer and nowhere to go, ``collide(member
    id, new id, section)`` two answers that would share an id."""
    out: dict[str, Any] = {}
    moving: list[tuple[str, str, Any]] = []
    for member_id, value in entry.items():
        if member_id in members and member_id not in new_ids and member_id in renames:
            moving.append((member_id, renames[member_id], value))
            continue
        if member_id in members and member_id not in new_ids and _has_content(value):
            follow(member_id, section)  # reports the conflict
        out[member_id] = value
    for member_id, new_id, value in moving:
        if new_id in out and _has_content(out[new_id]):
            if _has_content(value):
                collide(member_id, new_id, section)
            continue
        out[new_id] = value
    return out


def _locate(loaded: LoadedRound, conflict: AnsweredItemConflict) -> Problem:
    """A problem at the ``items`` of the section the item was in, in the file that holds
    that section now (questionnaire, Part II file or the round's inline Part II), or at
    the start of the questionnaire file."""
    base = os.path.dirname(loaded.path)
    files = loaded.round.questionnaires
    rel = files.party if conflict.party_code is not None else files.ngo
    candidates = [os.path.normpath(os.path.join(base, rel or ""))]
    if conflict.party_code is not None:
        part2 = loaded.round.country_specific.get(conflict.party_code)
        if isinstance(part2, str):
            candidates.append(os.path.normpath(os.path.join(base, part2)))
        elif part2 is not None:
            candidates.append(loaded.path)
    for path in candidates:
        doc = read_yaml(path)
        loc = _section_items(doc.data, conflict.section, ())
        if loc is not None:
            line, column = doc.position(loc, key=True)
            return Problem(path, line, column, conflict.message())
    return Problem(candidates[0], 1, 1, conflict.message())


def _section_items(data: Any, section_id: str, loc: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Location of the ``items`` key of the mapping with ``id: section_id`` in ``data``."""
    if isinstance(data, dict):
        if data.get("id") == section_id and "items" in data and "title" in data:
            return (*loc, "items")
        children: Iterable[tuple[Any, Any]] = data.items()
    elif isinstance(data, list):
        children = enumerate(data)
    else:
        return None
    for key, child in children:
        found = _section_items(child, section_id, (*loc, key))
        if found is not None:
            return found
    return None


def _apply_reply_moves(
    session: Session,
    rnd: EvaluationRound,
    moves: list[_ReplyMove],
    versions: dict[str | None, QuestionnaireVersion],
    changed: set[str | None],
    actor_id: int | None,
    notes: list[str],
) -> None:
    """Move each draft of ``moves`` to the new version of its Party (or the NGO
    questionnaire) with its answers renamed; submitted replies stay (noted when their
    Party's questionnaire, in ``changed``, changes in this load). Audited per reply."""
    touched = False
    for move in moves:
        version = versions[move.key]
        whose = f"{move.key}" if move.key else "NGO"
        if move.submitted:
            if move.key in changed:
                notes.append(
                    f"submitted reply {move.reply_id} ({whose}) stays on questionnaire "
                    f"version {move.old_version_id}"
                )
            continue
        touched = True
        session.execute(
            sa.update(_reply)
            .where(_reply.c.id == move.reply_id)
            .values(questionnaire_version_id=version.id, version=_reply.c.version + 1)
        )
        reply = _ReplyRow(move.reply_id)
        record(
            session,
            actor_id,
            "reply.version_changed",
            reply,
            move.evaluation_id,
            old=move.old_version_id,
            new=version.id,
        )
        log.info(
            "round %s: draft reply %s moved from questionnaire version %s to %s by actor %s",
            rnd.number,
            move.reply_id,
            move.old_version_id,
            version.id,
            actor_id,
        )
        notes.append(
            f"moved draft reply {move.reply_id} ({whose}) from questionnaire version "
            f"{move.old_version_id} to {version.id}"
        )
        if move.blank_removed:
            doomed = [answer_id for answer_id, _item in move.blank_removed]
            session.execute(sa.delete(_answer).where(_answer.c.id.in_(doomed)))
        # (reply, item id) is unique: a rename's target is an item of the new version, so
        # no other answer being renamed holds it, and blank ones in the way are gone.
        for answer_id, _old, new in move.renames:
            session.execute(sa.update(_answer).where(_answer.c.id == answer_id).values(item_id=new))
        for answer_id, value in move.values.items():
            session.execute(sa.update(_answer).where(_answer.c.id == answer_id).values(value=value))
        if move.renames or move.values or move.blank_removed:
            renamed = {old: new for _id, old, new in move.renames}
            record(
                session,
                actor_id,
                "reply.answers_renamed",
                reply,
                move.evaluation_id,
                renamed=renamed,
                group_answers=sorted(move.values),
                blank_removed=[item_id for _answer_id, item_id in move.blank_removed],
            )
            listed = ", ".join(f"{old} -> {new}" for old, new in renamed.items())
            notes.append(
                f"renamed answers of reply {move.reply_id}: "
                + (listed or f"members in {len(move.values)} group answer(s)")
            )
        if move.kind_changed:
            notes.append(
                f"check reply {move.reply_id}: the kind of answered item(s) "
                f"{', '.join(move.kind_changed)} changed; the answers are kept as given"
            )
    if touched:
        # The updates went past the ORM: reply and answer objects the caller holds in the
        # session are out of date.
        for obj in list(session.identity_map.values()):
            if getattr(type(obj), "__tablename__", None) in ("reply", "answer"):
                session.expire(obj)


def _note_ngo_revert(
    session: Session, rnd: EvaluationRound, version: QuestionnaireVersion, notes: list[str]
) -> None:
    """Warn when the NGO questionnaire goes back to an older stored version: new NGO
    submissions take the round's newest version (by id) while drafts move to this one."""
    newest = ngo_questionnaire_version(session, rnd)
    if newest.id != version.id:
        log.warning(
            "round %s: the NGO questionnaire is back to stored version %s; new NGO "
            "submissions still start on the newer version %s",
            rnd.number,
            version.id,
            newest.id,
        )
        notes.append(
            f"warning: the NGO questionnaire equals the earlier version {version.id}; new "
            f"NGO submissions still start on version {newest.id}"
        )


def _upsert_instrument(
    session: Session, loaded: LoadedRound, actor_id: int | None, notes: list[str]
) -> Instrument:
    defn = loaded.instrument
    data = defn.model_dump(mode="json")
    instrument = session.exec(select(Instrument).where(Instrument.code == defn.code)).first()
    if instrument is None:
        instrument = Instrument(code=defn.code, title=defn.title, definition=data)
        session.add(instrument)
        record(session, actor_id, "instrument.created", instrument, code=defn.code)
        notes.append(f"created instrument {defn.code}")
    elif instrument.title != defn.title or instrument.definition != data:
        instrument.title = defn.title
        instrument.definition = data
        session.add(instrument)
        record(session, actor_id, "instrument.updated", instrument, code=defn.code)
        notes.append(f"updated instrument {defn.code}")
    return instrument


def _upsert_round(
    session: Session,
    loaded: LoadedRound,
    instrument: Instrument,
    actor_id: int | None,
    notes: list[str],
) -> EvaluationRound:
    defn = loaded.round
    data = defn.model_dump(mode="json")
    rnd = session.exec(
        select(EvaluationRound).where(
            EvaluationRound.instrument_id == instrument.id, EvaluationRound.number == defn.number
        )
    ).first()
    if rnd is None:
        rnd = EvaluationRound(
            instrument_id=instrument.id,  # type: ignore[arg-type]
            number=defn.number,
            title=defn.title,
            definition=data,
        )
        session.add(rnd)
        record(session, actor_id, "round.created", rnd, number=defn.number)
        notes.append(f"created round {defn.number} ({defn.title})")
    elif rnd.title != defn.title or rnd.definition != data:
        rnd.title = defn.title
        rnd.definition = data
        session.add(rnd)
        record(session, actor_id, "round.updated", rnd, number=defn.number)
        notes.append(f"updated round {defn.number}")
    session.flush()
    return rnd


def _version(
    session: Session,
    rnd: EvaluationRound,
    audience: Audience,
    party_code: str | None,
    definition: QuestionnaireDef,
) -> QuestionnaireVersion:
    """The stored version with this content hash, or a new unsaved one (``id`` None)."""
    digest = content_hash(definition)
    query = select(QuestionnaireVersion).where(
        QuestionnaireVersion.round_id == rnd.id,
        QuestionnaireVersion.audience == audience,
        QuestionnaireVersion.content_hash == digest,
    )
    if party_code is None:
        query = query.where(QuestionnaireVersion.party_code.is_(None))  # type: ignore[union-attr]
    else:
        query = query.where(QuestionnaireVersion.party_code == party_code)
    found = session.exec(query).first()
    if found is not None:
        return found
    return QuestionnaireVersion(
        round_id=rnd.id,  # type: ignore[arg-type]
        audience=audience,
        party_code=party_code,
        content_hash=digest,
        definition=definition.model_dump(mode="json"),
    )


def get_round(
    session: Session, number: int, instrument_code: str | None = None
) -> EvaluationRound | None:
    """The round with this ``number`` (of the instrument with ``instrument_code`` when
    several instruments are loaded), or None. The newest instrument wins on ties."""
    query = select(EvaluationRound).where(EvaluationRound.number == number)
    if instrument_code is not None:
        query = query.join(Instrument).where(Instrument.code == instrument_code)
    return session.exec(query.order_by(EvaluationRound.id.desc())).first()  # type: ignore[union-attr]


def evaluation_for(session: Session, rnd: EvaluationRound, party_code: str) -> Evaluation:
    """The evaluation of the Party with ISO code ``party_code`` in ``rnd``.

    Raises LookupError when the Party is not evaluated in that round.
    """
    evaluation = session.exec(
        select(Evaluation)
        .join(Party, Party.id == Evaluation.party_id)  # type: ignore[arg-type]
        .where(Evaluation.round_id == rnd.id, Party.code == party_code)
    ).first()
    if evaluation is None:
        raise LookupError(f"{party_code} is not evaluated in round {rnd.number}")
    return evaluation


def ngo_questionnaire_version(session: Session, rnd: EvaluationRound) -> QuestionnaireVersion:
    """The newest NGO questionnaire version of ``rnd``; raises LookupError when the round
    has no NGO questionnaire."""
    version = session.exec(
        select(QuestionnaireVersion)
        .where(
            QuestionnaireVersion.round_id == rnd.id,
            QuestionnaireVersion.audience == Audience.NGO,
        )
        .order_by(QuestionnaireVersion.id.desc())  # type: ignore[union-attr]
    ).first()
    if version is None:
        raise LookupError(f"round {rnd.number} has no NGO questionnaire")
    return version
