"""Round operations: loading a round from YAML and finding its evaluations.

Following the GOV.UK Forms model, a questionnaire as sent is an immutable snapshot
(:class:`QuestionnaireVersion`, identified by the SHA-256 of its canonical JSON); answers
point at the snapshot they were given against.
"""

import logging
import os

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from monitor.accounts.models import Party
from monitor.accounts.services import get_or_create_party
from monitor.core.audit import record
from monitor.questionnaires.loader import LoadedRound, content_hash, load_round_file
from monitor.questionnaires.schema import QuestionnaireDef
from monitor.rounds.models import (
    Audience,
    Evaluation,
    EvaluationRound,
    Instrument,
    QuestionnaireVersion,
)

log = logging.getLogger(__name__)

# rounds/ sits below submissions/ in the import order, so the reply table is named here
# rather than importing monitor.submissions.models.
_reply = sa.table("reply", sa.column("id"), sa.column("evaluation_id"), sa.column("audience"))


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
    :class:`Evaluation` per Party bound to its Party questionnaire version. When a Party's
    version changes, its evaluation is repointed only while it has no Party reply; a reply
    keeps the version it was given against (the change is logged and audited).
    ``questionnaire_sent`` and ``reply_due`` (procedure steps 1-2; default
    ``deadlines.reply_months`` after sending) are set from the round when given.

    ``changes``, if given, receives one English line per created or updated row (for the
    command line). Writes audit rows with ``actor_id`` (None from the command line); never
    commits. Raises :class:`monitor.questionnaires.loader.DefinitionError`.
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
        definition = loaded.questionnaire_for(Audience.PARTY.value, entry.code)
        versions[entry.code] = _version(session, rnd, Audience.PARTY, entry.code, definition)
    if "ngo" in loaded.questionnaires:
        definition = loaded.questionnaire_for(Audience.NGO.value, None)
        versions[None] = _version(session, rnd, Audience.NGO, None, definition)
    for version in versions.values():
        if version.id is None:
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
            if _has_party_reply(session, evaluation):
                log.warning(
                    "round %s: evaluation %s of %s keeps questionnaire version %s because "
                    "a reply exists; new version %s not bound (actor %s)",
                    rnd.number,
                    evaluation.id,
                    entry.code,
                    evaluation.questionnaire_version_id,
                    version.id,
                    actor_id,
                )
                record(
                    session,
                    actor_id,
                    "evaluation.version_kept",
                    evaluation,
                    evaluation.id,
                    kept=evaluation.questionnaire_version_id,
                    available=version.id,
                )
                notes.append(
                    f"kept questionnaire version {evaluation.questionnaire_version_id} for "
                    f"{entry.code}: a reply exists (new version {version.id} not bound)"
                )
            else:
                record(
                    session,
                    actor_id,
                    "evaluation.version_changed",
                    evaluation,
                    evaluation.id,
                    old=evaluation.questionnaire_version_id,
                    new=version.id,
                )
                notes.append(
                    f"bound evaluation of {entry.code} to questionnaire version {version.id}"
                )
                evaluation.questionnaire_version_id = version.id  # type: ignore[assignment]
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
    if not notes:
        notes.append(f"round {rnd.number} is up to date")
    return rnd


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


def _has_party_reply(session: Session, evaluation: Evaluation) -> bool:
    query = (
        sa.select(_reply.c.id)
        .where(_reply.c.evaluation_id == evaluation.id, _reply.c.audience == "party")
        .limit(1)
    )
    return session.execute(query).first() is not None


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
