"""Reply operations: one function per state change; services never commit.

A Party's official reply is one per evaluation (procedure step 3); NGO parallel input is
one submission per evaluation and organisation (step 4). Drafts are saved without
validation so nothing typed is lost; submission validates the whole reply
(:mod:`monitor.submissions.validation`) and makes it read-only.
"""

from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from monitor.accounts.models import Organisation, User
from monitor.core.audit import add_event, record
from monitor.core.time import utcnow
from monitor.questionnaires.schema import QuestionnaireDef
from monitor.questionnaires.visibility import hidden_items
from monitor.rounds.models import Audience, Evaluation, QuestionnaireVersion
from monitor.submissions import carryover, ngo_input
from monitor.submissions.definitions import definition_of, facts_of
from monitor.submissions.models import Answer, Receipt, Reply, ReplyStatus
from monitor.submissions.receipts import issue_receipt
from monitor.submissions.revisions import record_revision
from monitor.submissions.validation import Problem, validate_reply


class SubmissionError(Exception):
    """A refused reply operation. ``problems`` lists the answers that block submission
    (empty when the refusal is about the reply's state)."""

    def __init__(self, message: Any, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def ngo_version(session: Session, evaluation: Evaluation) -> QuestionnaireVersion | None:
    """The latest NGO questionnaire version of the evaluation's round."""
    return session.exec(
        select(QuestionnaireVersion)
        .where(
            QuestionnaireVersion.round_id == evaluation.round_id,
            QuestionnaireVersion.audience == Audience.NGO,
        )
        .order_by(QuestionnaireVersion.id.desc())  # type: ignore[union-attr]
    ).first()


def find_reply(
    session: Session, evaluation: Evaluation, audience: Audience, organisation_id: int | None = None
) -> Reply | None:
    q = select(Reply).where(Reply.evaluation_id == evaluation.id, Reply.audience == audience)
    if audience == Audience.NGO:
        q = q.where(Reply.organisation_id == organisation_id)
    return session.exec(q).first()


def get_or_create_reply(
    session: Session,
    evaluation: Evaluation,
    audience: Audience | str,
    organisation: Organisation | None = None,
    actor: User | None = None,
) -> Reply:
    """The Party's reply (``audience`` party) or an NGO's submission (``audience`` ngo,
    with ``organisation``) for ``evaluation``, created as a draft bound to the current
    questionnaire version if it does not exist yet. A new Party reply is given the
    answers of the Party's reply to an earlier round, marked as carried over
    (:func:`monitor.submissions.carryover.carry_over`; ``actor`` is recorded as
    creating them).

    Raises SubmissionError when an NGO submission is asked for without an organisation
    or the round has no NGO questionnaire.
    """
    audience = Audience(audience)
    org_id = organisation.id if organisation else None
    if audience == Audience.NGO and org_id is None:
        raise SubmissionError(_l("An NGO submission needs an organisation."))
    reply = find_reply(session, evaluation, audience, org_id)
    if reply is not None:
        return reply
    if audience == Audience.PARTY:
        version_id = evaluation.questionnaire_version_id
    else:
        version = ngo_version(session, evaluation)
        if version is None:
            raise SubmissionError(_l("This round has no questionnaire for NGOs."))
        version_id = version.id  # type: ignore[assignment]
    reply = Reply(
        evaluation_id=evaluation.id,  # type: ignore[arg-type]
        audience=audience,
        organisation_id=org_id,
        questionnaire_version_id=version_id,
    )
    session.add(reply)
    session.flush()
    carryover.carry_over(session, reply, actor)
    return reply


class AnswerMap(dict[str, Answer]):
    """A reply's answers keyed by answer key, as loaded: every answer of the reply
    (``loaded`` None, :func:`answers_of`) or only those to the keys ``loaded``
    (:func:`answers_to`); a key of ``loaded`` missing from the map has no answer stored.
    ``others``: rows (``id``, ``item_id``, ``active``, ``value``) of the reply's other
    answers that a save's hidden-item check needs (:func:`answers_for_save`); None when
    not read."""

    def __init__(
        self,
        answers: dict[str, Answer],
        loaded: frozenset[str] | None = None,
        others: list[Any] | None = None,
    ):
        super().__init__(answers)
        self.loaded = loaded
        self.others = others

    @property
    def for_save(self) -> bool:
        """Whether the map holds what a save of its keys reads (:func:`answers_for_save`)."""
        return self.loaded is None or self.others is not None

    def covers(self, keys: Collection[str]) -> bool:
        """Whether every answer stored under ``keys`` is in the map."""
        return self.loaded is None or all(k in self.loaded for k in keys)


def answers_of(session: Session, reply: Reply) -> AnswerMap:
    """The reply's answers keyed by item id (one query)."""
    rows = session.exec(select(Answer).where(Answer.reply_id == reply.id)).all()
    return AnswerMap({a.item_id: a for a in rows})


def answers_to(session: Session, reply: Reply, keys: Collection[str]) -> AnswerMap:
    """The reply's answers to the answer keys ``keys`` only (one query, none for no keys)."""
    wanted = frozenset(keys)
    if not wanted:
        return AnswerMap({}, wanted)
    rows = session.exec(
        select(Answer).where(
            Answer.reply_id == reply.id,
            Answer.item_id.in_(wanted),  # type: ignore[attr-defined]
        )
    ).all()
    return AnswerMap({a.item_id: a for a in rows}, wanted)


class AnswerRow(NamedTuple):
    """An :class:`Answer` as read for showing it (see :func:`answer_rows`)."""

    item_id: str
    reply_id: int
    value: Any
    updated_at: datetime
    updated_by_id: int | None
    carried_over_from_reply_id: int | None
    updated_from_page: str | None


def answer_rows(session: Session, reply: Reply) -> dict[str, AnswerRow]:
    """The reply's answers keyed by item id, as read-only :class:`AnswerRow` tuples with
    the attributes of an :class:`Answer` that a page showing them reads (one query).
    Loading 150 ORM objects instead took about 1.5 ms of a 10 ms section page
    (``benchmarks/section_page.py``); SQLAlchemy's own rows read an attribute about ten
    times slower than a named tuple. Use :func:`answers_of` to change answers."""
    columns: list[Any] = [
        Answer.item_id,
        Answer.reply_id,
        Answer.value,
        Answer.updated_at,
        Answer.updated_by_id,
        Answer.carried_over_from_reply_id,
        Answer.updated_from_page,
    ]
    rows = session.execute(sa.select(*columns).where(Answer.reply_id == reply.id))  # type: ignore[arg-type]
    make = AnswerRow._make
    return {row[0]: make(row) for row in rows}


def answers_for_save(
    session: Session, reply: Reply, definition: QuestionnaireDef, keys: Collection[str]
) -> AnswerMap:
    """What a save of the answers under ``keys`` reads, instead of every answer of the
    reply: the answers to ``keys`` (objects, to be written), and as plain rows (see
    :class:`AnswerMap`) the other answers the hidden-item check (:func:`_mark_active`)
    needs: those to the keys conditions read (they decide what is hidden) and every
    answer whose flag may have to change (inactive ones, those to items that can be
    hidden, those under a ``<id>__...`` key). Any other answer is active and to an item
    always shown: right whatever is saved. Two queries."""
    facts = facts_of(definition)
    mine = answers_to(session, reply, keys)
    loaded = mine.loaded or frozenset()
    others = session.execute(
        sa.select(  # type: ignore[call-overload]
            Answer.id, Answer.item_id, Answer.active, Answer.value
        ).where(
            Answer.reply_id == reply.id,
            Answer.item_id.not_in(loaded),  # type: ignore[attr-defined]
            sa.or_(
                Answer.item_id.in_(facts.condition_keys | facts.conditional_items),  # type: ignore[attr-defined]
                Answer.active.is_(False),  # type: ignore[attr-defined]
                Answer.item_id.contains("__", autoescape=True),  # type: ignore[attr-defined]
            ),
        )
    ).all()
    return AnswerMap(dict(mine), loaded, list(others))


def answer_values(session: Session, reply: Reply) -> dict[str, Any]:
    """Item id -> stored answer value."""
    return {k: a.value for k, a in answers_of(session, reply).items()}


def save_answers(
    session: Session,
    reply: Reply,
    actor: User,
    values: dict[str, Any],
    language: str,
    *,
    answers: AnswerMap | None = None,
    definition: QuestionnaireDef | None = None,
    page: str | None = None,
) -> int:
    """Save draft answers without validating them.

    ``values`` maps item id to the stored form of its answer (see
    :class:`monitor.submissions.models.Answer`); ids not in the questionnaire are
    ignored. An unchanged answer keeps its author and time. ``language`` is the UI
    language the answers were written in. Returns the number of answers changed.
    ``answers`` (the reply's answers as the caller loaded them, :func:`answers_of` or
    :func:`answers_for_save`) and ``definition`` (the reply's) spare loading them again;
    otherwise only what :func:`answers_for_save` reads is loaded. ``page``: the token of
    the section page the answers were posted from (``Answer.updated_from_page``).

    Raises SubmissionError when the reply has been submitted (it is then read-only).
    """
    if reply.status == ReplyStatus.SUBMITTED:
        raise SubmissionError(_l("This reply has been submitted and can no longer change."))
    if definition is None:
        definition = definition_of(session, reply.questionnaire_version_id)
    facts = facts_of(definition)
    keys = [k for k in values if k in facts.answer_keys]
    if answers is None or not answers.covers(keys) or not answers.for_save:
        answers = answers_for_save(session, reply, definition, keys)
    existing = AnswerMap(dict(answers), answers.loaded, answers.others)  # news added
    now = utcnow()
    changed = 0
    for item_id in keys:
        value = values[item_id]
        answer = existing.get(item_id)
        if answer is None:
            if value is None:
                continue
            answer = Answer(reply_id=reply.id, item_id=item_id)  # type: ignore[arg-type]
            existing[item_id] = answer
        elif answer.value == value:
            continue
        answer.value = value
        answer.carried_over_from_reply_id = None  # changed: no longer awaits confirmation
        answer.language = language
        answer.updated_at = now
        answer.updated_by_id = actor.id
        answer.updated_from_page = page
        session.add(answer)
        changed += 1
    _mark_active(session, definition, existing)
    if changed:
        reply.version += 1
        session.add(reply)
        # one flush for the whole save, at commit (the reply's id is known)
        add_event(
            session, actor.id, "reply.draft_saved", reply, reply.evaluation_id, answers=changed
        )
    return changed


def _mark_active(session: Session, definition: QuestionnaireDef, answers: AnswerMap) -> None:
    """Mark answers to items now hidden (retired, or ``show_if`` false) inactive, and
    answers to shown items active again. Inactive answers are kept, never deleted: the
    respondent may change the answer that hid them (issue 3, conditional display).
    ``answers`` holds every answer of the reply, or those :func:`answers_for_save` reads
    (the others are right whatever is hidden); the flags of its ``others`` that change
    are written in one statement each way."""
    others = answers.others or []
    values = {row.item_id: row.value for row in others}
    values.update({k: a.value for k, a in answers.items()})
    hidden = hidden_items(definition, values)
    for key, answer in answers.items():
        active = key.split("__", 1)[0] not in hidden
        if answer.active != active:
            answer.active = active
            session.add(answer)
    flips: dict[bool, list[int]] = {True: [], False: []}
    for row in others:
        active = row.item_id.split("__", 1)[0] not in hidden
        if row.active != active:
            flips[active].append(row.id)
    for active, ids in flips.items():
        if ids:
            session.execute(
                sa.update(Answer)
                .where(Answer.id.in_(ids))  # type: ignore[union-attr]
                .values(active=active)
            )


def check_reply(session: Session, reply: Reply) -> list[Problem]:
    """Every problem (errors and warnings) that submitting the reply now would meet.
    Answers carried over from an earlier round and not yet confirmed count as not given
    and are each an error (:mod:`monitor.submissions.carryover`); an NGO submission may
    leave whole sections blank (:mod:`monitor.submissions.ngo_input`)."""
    definition = definition_of(session, reply.questionnaire_version_id)
    values = answer_values(session, reply)
    carried = carryover.carried_answers(session, reply)
    given = carryover.awaiting_values(values, carried)
    problems = validate_reply(definition, given)
    problems = carryover.carried_problems(definition, carried, problems, values)
    if reply.audience == Audience.NGO:
        problems = ngo_input.partial_input_problems(definition, given, problems)
    return problems


def submit_reply(session: Session, reply: Reply, actor: User) -> Receipt:
    """Submit the reply: validates it, makes it read-only and returns its receipt (a
    reference number and the UTC time, :func:`monitor.submissions.receipts.issue_receipt`;
    the PDF is rendered and mailed by the caller once committed). The answers submitted
    are frozen as the reply's next revision
    (:func:`monitor.submissions.revisions.record_revision`): revision 1, then one more
    for each submission after a return for changes.

    Raises SubmissionError if it was already submitted, or with ``problems`` listing
    every error when a required item is unanswered or an answer is invalid. Warnings
    do not block.
    """
    if reply.status == ReplyStatus.SUBMITTED:
        raise SubmissionError(_l("This reply has already been submitted."))
    problems = [p for p in check_reply(session, reply) if p.level == "error"]
    if problems:
        raise SubmissionError(_l("The reply has problems to fix before it can be sent."), problems)
    reply.status = ReplyStatus.SUBMITTED
    reply.submitted_at = utcnow()
    reply.submitted_by_id = actor.id
    session.add(reply)
    receipt = issue_receipt(session, reply, actor)
    revision = record_revision(session, reply, actor, receipt)  # issue 4, point 6
    record(
        session,
        actor.id,
        "reply.submitted",
        reply,
        reply.evaluation_id,
        audience=str(reply.audience),
        reference=receipt.reference,
        revision=revision.number,
    )
    return receipt


def set_confidential(session: Session, reply: Reply, actor: User, confidential: bool) -> None:
    """An NGO marks its submission confidential (the default) or publishable. The choice
    is locked once submitted (until the panel returns the submission to a draft).

    Raises SubmissionError for a Party reply or a submitted NGO submission."""
    if reply.audience != Audience.NGO:
        raise SubmissionError(_l("Only NGO submissions can be marked confidential."))
    if reply.status != ReplyStatus.DRAFT:
        raise SubmissionError(
            _l("The choice about publication cannot change once the submission is sent.")
        )
    if reply.confidential != confidential:
        reply.confidential = confidential
        session.add(reply)
        record(
            session,
            actor.id,
            "reply.confidentiality_changed",
            reply,
            reply.evaluation_id,
            confidential=confidential,
        )
