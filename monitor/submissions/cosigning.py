"""Joint NGO submissions (``shared/domain.md``: "a joint submission comes from several
NGOs"; issue 4, point 8).

The lead NGO (the organisation whose submission it is) invites other approved
organisations to co-sign, while the submission is a draft. The co-signing organisation's
users read the submission (draft or submitted) but never edit or submit it, and accept
or decline. Once a co-signer has accepted, the submission is shown to the panel as
"Joint submission by A, B" (:func:`joint_names`). A declined co-signer loses access.
Every change writes an audit row; services never commit.
"""

import logging
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from monitor.accounts.models import Organisation, OrganisationStatus, Party, User
from monitor.core.audit import record
from monitor.core.i18n import qt
from monitor.core.mail import build_message
from monitor.core.time import utcnow
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions.models import CoSignature, CoSignatureStatus, Reply, ReplyStatus

log = logging.getLogger(__name__)

#: Co-signatures that give the co-signing organisation read access to the submission.
READING = (CoSignatureStatus.INVITED, CoSignatureStatus.ACCEPTED)


class CoSigningError(ValueError):
    """A refused invitation or decision; the message is shown to the user."""


def is_lead(user: User, reply: Reply) -> bool:
    """True for the users of the organisation whose NGO submission this is."""
    return (
        reply.audience == Audience.NGO
        and user.is_ngo
        and user.organisation_id is not None
        and user.organisation_id == reply.organisation_id
    )


def co_signature(session: Session, reply: Reply, organisation_id: int | None) -> CoSignature | None:
    if organisation_id is None:
        return None
    return session.exec(
        select(CoSignature).where(
            CoSignature.reply_id == reply.id, CoSignature.organisation_id == organisation_id
        )
    ).first()


def is_cosigner(session: Session, user: User, reply: Reply) -> bool:
    """True when ``user``'s organisation has been invited to co-sign ``reply`` (an NGO
    submission) and has not declined."""
    if reply.audience != Audience.NGO or not user.is_ngo:
        return False
    sig = co_signature(session, reply, user.organisation_id)
    return sig is not None and sig.status in READING


def co_signatures(session: Session, reply: Reply) -> list[tuple[CoSignature, Organisation]]:
    """The reply's co-signatures with their organisations, in the order invited."""
    rows = session.exec(
        select(CoSignature, Organisation)
        .join(Organisation, col(Organisation.id) == CoSignature.organisation_id)
        .where(CoSignature.reply_id == reply.id)
        .order_by(col(CoSignature.id))
    ).all()
    return [(s, o) for s, o in rows]


def joint_names(session: Session, reply: Reply) -> list[str]:
    """The lead organisation's name followed by those of the co-signers who accepted;
    empty when the submission is not (yet) joint."""
    accepted = [o.name for s, o in co_signatures(session, reply) if s.status == "accepted"]
    if not accepted:
        return []
    lead = session.get(Organisation, reply.organisation_id) if reply.organisation_id else None
    return [lead.name if lead else "?", *accepted]


def candidates(session: Session, reply: Reply) -> list[Organisation]:
    """Approved organisations the lead may still invite (not the lead, not already
    invited or accepted), by name."""
    taken = {s.organisation_id for s, _o in co_signatures(session, reply) if s.status in READING}
    taken.add(reply.organisation_id or 0)
    orgs = session.exec(
        select(Organisation)
        .where(Organisation.status == OrganisationStatus.APPROVED)
        .order_by(col(Organisation.name))
    ).all()
    return [o for o in orgs if o.id not in taken]


def invite(
    session: Session, reply: Reply, actor: User, organisation_ids: list[int]
) -> list[CoSignature]:
    """The lead NGO invites organisations to co-sign its draft submission. An
    organisation that declined earlier may be invited again. Returns the new or renewed
    invitations; audit row ``reply.cosigners_invited``.

    Raises CoSigningError when ``actor`` is not of the lead organisation, the
    submission is not a draft, or an organisation is unknown, not approved or the lead.
    """
    if not is_lead(actor, reply):
        raise CoSigningError(
            _l("Only the organisation that leads the submission invites co-signers.")
        )
    if reply.status != ReplyStatus.DRAFT:
        raise CoSigningError(_l("Co-signers can only be invited before the submission is sent."))
    out: list[CoSignature] = []
    for org_id in dict.fromkeys(organisation_ids):
        org = session.get(Organisation, org_id)
        if org is None or not org.is_approved or org.id == reply.organisation_id:
            raise CoSigningError(_l("Only other approved organisations can be invited."))
        sig = co_signature(session, reply, org.id)
        if sig is not None and sig.status in READING:
            continue
        if sig is None:
            sig = CoSignature(reply_id=reply.id, organisation_id=org.id)  # type: ignore[arg-type]
        sig.status = CoSignatureStatus.INVITED
        sig.invited_by_id = actor.id
        sig.invited_at = utcnow()
        sig.decided_at = None
        sig.decided_by_id = None
        session.add(sig)
        out.append(sig)
    if out:
        session.flush()
        record(
            session,
            actor.id,
            "reply.cosigners_invited",
            reply,
            reply.evaluation_id,
            organisations=[s.organisation_id for s in out],
        )
        log.info(
            "user %s invited organisations %s to co-sign reply %s",
            actor.id,
            [s.organisation_id for s in out],
            reply.id,
        )
    return out


def decide(session: Session, reply: Reply, actor: User, accept: bool) -> CoSignature:
    """A user of an invited organisation accepts or declines to co-sign ``reply``.
    Audit row ``reply.cosignature_accepted`` or ``reply.cosignature_declined``.

    Raises CoSigningError when ``actor``'s organisation has no pending invitation.
    """
    sig = co_signature(session, reply, actor.organisation_id) if actor.is_ngo else None
    if sig is None or sig.status != CoSignatureStatus.INVITED:
        raise CoSigningError(_l("Your organisation has no invitation to co-sign this submission."))
    sig.status = CoSignatureStatus.ACCEPTED if accept else CoSignatureStatus.DECLINED
    sig.decided_at = utcnow()
    sig.decided_by_id = actor.id
    session.add(sig)
    action = "reply.cosignature_accepted" if accept else "reply.cosignature_declined"
    record(session, actor.id, action, reply, reply.evaluation_id, organisation=sig.organisation_id)
    log.info(
        "user %s %s co-signing reply %s", actor.id, "accepted" if accept else "declined", reply.id
    )
    return sig


@dataclass(frozen=True)
class Invitation:
    """An invitation to co-sign, as listed for the invited organisation."""

    signature: CoSignature
    reply: Reply
    lead: Organisation | None
    party: Party | None
    round: EvaluationRound | None


def invitations_for(session: Session, organisation_id: int) -> list[Invitation]:
    """The co-signatures of an organisation that give it access (invited or accepted),
    newest first."""
    sigs = session.exec(
        select(CoSignature)
        .where(
            CoSignature.organisation_id == organisation_id,
            col(CoSignature.status).in_([s.value for s in READING]),
        )
        .order_by(col(CoSignature.id).desc())
    ).all()
    out = []
    for sig in sigs:
        reply = session.get(Reply, sig.reply_id)
        if reply is None:
            continue
        evaluation = session.get(Evaluation, reply.evaluation_id)
        out.append(
            Invitation(
                sig,
                reply,
                session.get(Organisation, reply.organisation_id) if reply.organisation_id else None,
                session.get(Party, evaluation.party_id) if evaluation else None,
                session.get(EvaluationRound, evaluation.round_id) if evaluation else None,
            )
        )
    return out


def invitation_message(session: Session, sig: CoSignature, user: User) -> EmailMessage:
    """The e-mail telling ``user`` (of the invited organisation) about the invitation,
    in their language."""
    reply = session.get(Reply, sig.reply_id)
    assert reply is not None
    lead = session.get(Organisation, reply.organisation_id)
    evaluation = session.get(Evaluation, reply.evaluation_id)
    party = session.get(Party, evaluation.party_id) if evaluation else None
    rnd = session.get(EvaluationRound, evaluation.round_id) if evaluation else None
    lang = user.locale if user.locale in current_app.config["LANGUAGES"] else "en"
    with force_locale(lang):
        subject = _("Invitation to co-sign a submission by %(org)s", org=lead.name if lead else "")
        text = "\n\n".join(
            [
                _("Dear %(name)s,", name=user.name),
                _(
                    "%(org)s invites your organisation to co-sign its parallel input on"
                    " %(party)s (%(round)s).",
                    org=lead.name if lead else "",
                    party=party.name if party else "",
                    round=qt(rnd.title) if rnd else "",
                ),
                _(
                    "Sign in and open “Joint submissions” to read the submission and accept"
                    " or decline."
                ),
            ]
        )
    return build_message(
        sender=current_app.config["MAIL_SENDER"],
        to=str(Address(display_name=user.name, addr_spec=user.email)),
        subject=subject,
        text=text + "\n",
        language=lang,
    )
