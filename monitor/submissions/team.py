"""The multi-agency reply (issue 4, point 1): the contact person invites contributors by
e-mail, assigns them sections, and reviews each section before submitting the one
official reply. One function per state change; services never commit, and each writes
an audit row (:func:`monitor.core.audit.record`).

Who may do what (``shared/domain.md``, "Who may see what", and the procedure: "one
contact person receives the questionnaire, shares sections with ministries,
consolidates and submits one official reply"):

- the Party's contact person invites, assigns, edits every section, marks sections
  reviewed (or sends them back) and alone submits;
- a contributor reads the whole reply, edits only the sections assigned to them and
  marks them ready for review.

Invitation links are signed with itsdangerous (salt :data:`INVITATION_SALT`) and carry
the invitation id; each is valid ``INVITATION_MAX_AGE`` seconds from when its e-mail was
sent, until the invitation is accepted (then it is "used") or withdrawn.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from monitor.accounts.models import Party, Role, User
from monitor.accounts.services import create_user
from monitor.core.audit import record
from monitor.core.i18n import qt
from monitor.core.mail import build_message
from monitor.core.time import utcnow
from monitor.questionnaires.schema import QuestionnaireDef
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions.definitions import answerable, definition_of
from monitor.submissions.models import Answer, Reply, ReplyStatus
from monitor.submissions.team_models import (
    Invitation,
    SectionAssignment,
    SectionState,
    SectionStatus,
)

log = logging.getLogger(__name__)

#: itsdangerous salt of invitation links (one salt per purpose).
INVITATION_SALT = "monitor.team.invitation"


class TeamError(Exception):
    """A refused team operation; the message is shown to the user (translated lazily)."""


class InvitationLinkError(Exception):
    """An invitation link that cannot be used. ``reason`` is ``invalid`` (tampered or
    unknown), ``expired``, ``used`` (the account exists) or ``revoked``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- who ---------------------------------------------------------------------------------


def is_contact(user: Any, reply: Reply, evaluation: Evaluation) -> bool:
    """True for the contact person of the Party whose reply this is."""
    return (
        reply.audience == Audience.PARTY
        and getattr(user, "role", None) == Role.PARTY_CONTACT
        and user.party_id == evaluation.party_id
    )


def is_assigned(session: Session, reply: Reply, user: Any, section_id: str) -> bool:
    """True if ``user`` is assigned to the section ``section_id`` of ``reply``."""
    return (
        session.exec(
            select(SectionAssignment.id).where(
                SectionAssignment.reply_id == reply.id,
                SectionAssignment.section_id == section_id,
                SectionAssignment.user_id == user.id,
            )
        ).first()
        is not None
    )


def contributors(session: Session, party_id: int) -> list[User]:
    """The Party's contributors (active or not), by name."""
    return list(
        session.exec(
            select(User)
            .where(User.party_id == party_id, User.role == Role.PARTY_CONTRIBUTOR)
            .order_by(User.name)
        )
    )


# --- invitations -------------------------------------------------------------------------


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=INVITATION_SALT)


def invitation_token(secret_key: str, invitation: Invitation) -> str:
    """The signed, URL-safe token of an invitation link (signed now)."""
    return str(_serializer(secret_key).dumps({"invitation": invitation.id}))


def invitation_from_token(
    session: Session, secret_key: str, token: str, max_age: int
) -> Invitation:
    """The invitation a link's token names, if the link can still be used.

    ``max_age`` is in seconds from when the token was signed. Raises
    InvitationLinkError with ``expired``, ``invalid`` (bad signature or no such
    invitation), ``used`` or ``revoked``.
    """
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvitationLinkError("expired") from exc
    except BadSignature as exc:
        raise InvitationLinkError("invalid") from exc
    invitation_id = data.get("invitation") if isinstance(data, dict) else None
    invitation = session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None:
        raise InvitationLinkError("invalid")
    if invitation.accepted_at is not None:
        raise InvitationLinkError("used")
    if invitation.revoked_at is not None:
        raise InvitationLinkError("revoked")
    return invitation


def party_invitations(session: Session, party_id: int) -> list[Invitation]:
    """The Party's invitations not yet accepted, newest first."""
    return list(
        session.exec(
            select(Invitation)
            .where(Invitation.party_id == party_id, Invitation.accepted_at.is_(None))  # type: ignore[union-attr]
            .order_by(Invitation.sent_at.desc())  # type: ignore[attr-defined]
        )
    )


def invite(
    session: Session,
    reply: Reply,
    evaluation: Evaluation,
    actor: User,
    email: str,
    name: str,
    language: str,
) -> tuple[Invitation, bool]:
    """The contact person invites ``email`` to contribute to the Party's reply. Inviting
    an address already invited (revoked or not) sends the invitation again with the new
    name and language. Returns the invitation and whether it is new.

    Raises TeamError when ``actor`` is not the Party's contact person, the reply is
    submitted, or the address already belongs to an account.
    """
    if not is_contact(actor, reply, evaluation):
        raise TeamError(_l("Only the contact person can invite contributors."))
    if reply.status != ReplyStatus.DRAFT:
        raise TeamError(_l("This reply has been submitted: the team can no longer change."))
    email = email.strip().lower()
    user = session.exec(select(User).where(User.email == email)).first()
    if user is not None:
        if user.role == Role.PARTY_CONTRIBUTOR and user.party_id == evaluation.party_id:
            raise TeamError(_l("This person is already a contributor."))
        raise TeamError(_l("This e-mail address belongs to another account."))
    invitation = session.exec(
        select(Invitation).where(
            Invitation.party_id == evaluation.party_id, Invitation.email == email
        )
    ).first()
    now = utcnow()
    new = invitation is None
    if invitation is None:
        invitation = Invitation(
            party_id=evaluation.party_id,
            email=email,
            name=name.strip(),
            invited_by_id=actor.id,  # type: ignore[arg-type]
            created_at=now,
        )
    invitation.name = name.strip()
    invitation.language = language
    invitation.reply_id = reply.id
    invitation.invited_by_id = actor.id  # type: ignore[assignment]
    invitation.sent_at = now
    was_revoked = invitation.revoked_at is not None
    invitation.revoked_at = None
    session.add(invitation)
    session.flush()
    record(
        session,
        actor.id,
        "invitation.created" if new else "invitation.resent",
        invitation,
        evaluation.id,
        email=email,
        language=language,
        reply=reply.id,
        **({"was_revoked": True} if was_revoked else {}),
    )
    log.info("user %s invited %s to reply %s", actor.id, email, reply.id)
    return invitation, new


def link_expiry(invitation: Invitation, max_age: int) -> datetime:
    """When the link of the last e-mail stops working (UTC)."""
    return invitation.sent_at + timedelta(seconds=max_age)


def invitation_message(
    session: Session, invitation: Invitation, inviter: User, link: str, max_age: int
) -> EmailMessage:
    """The invitation e-mail, in the invitee's language, with the link (``link`` is
    the absolute URL of the signed link; ``max_age`` its validity in seconds)."""
    party = session.get(Party, invitation.party_id)
    assert party is not None
    reply = session.get(Reply, invitation.reply_id) if invitation.reply_id else None
    lang = invitation.language if invitation.language in ("en", "fr", "ru") else "en"
    with force_locale(lang):
        title = ""
        if reply is not None:
            definition = definition_of(session, reply.questionnaire_version_id)
            evaluation = session.get(Evaluation, reply.evaluation_id)
            rnd = session.get(EvaluationRound, evaluation.round_id) if evaluation else None
            title = qt(definition.title) + (f" ({qt(rnd.title)})" if rnd else "")
        subject = _("Invitation to contribute to the reply of %(party)s", party=party.name)
        text = "\n\n".join(
            [
                _("Dear %(name)s,", name=invitation.name),
                _(
                    "%(inviter)s, the contact person of %(party)s, invites you to contribute"
                    " to the reply to the questionnaire “%(questionnaire)s”.",
                    inviter=inviter.name,
                    party=party.name,
                    questionnaire=title,
                ),
                _("Open this link to choose your password and start:"),
                link,
                _(
                    "The link can be used once, until %(when)s (UTC). If you did not expect"
                    " this invitation, you can ignore this e-mail.",
                    when=format_datetime(link_expiry(invitation, max_age), "medium"),
                ),
            ]
        )
    return build_message(
        sender=current_app.config["MAIL_SENDER"],
        to=str(Address(display_name=invitation.name, addr_spec=invitation.email)),
        subject=subject,
        text=text + "\n",
        reply_to=str(Address(display_name=inviter.name, addr_spec=inviter.email)),
        language=lang,
    )


def accept_invitation(session: Session, invitation: Invitation, name: str, password: str) -> User:
    """The invitee sets a name and password: the account is created as a contributor of
    the invitation's Party, in the invitation's language. Returns the new user.

    Raises InvitationLinkError (``used``, ``revoked``) if the invitation can no longer
    be used, and TeamError if the address has meanwhile got an account.
    """
    if invitation.accepted_at is not None:
        raise InvitationLinkError("used")
    if invitation.revoked_at is not None:
        raise InvitationLinkError("revoked")
    party = session.get(Party, invitation.party_id)
    try:
        user = create_user(
            session,
            invitation.email,
            name.strip(),
            password,
            Role.PARTY_CONTRIBUTOR,
            party=party,
            locale=invitation.language,
        )
    except ValueError as exc:
        raise TeamError(_l("This e-mail address belongs to another account.")) from exc
    invitation.accepted_at = utcnow()
    invitation.user_id = user.id
    session.add(invitation)
    evaluation_id = None
    if invitation.reply_id:
        reply = session.get(Reply, invitation.reply_id)
        evaluation_id = reply.evaluation_id if reply else None
    record(
        session,
        user.id,
        "invitation.accepted",
        invitation,
        evaluation_id,
        email=invitation.email,
        user=user.id,
    )
    log.info("invitation %s accepted: user %s", invitation.id, user.id)
    return user


def revoke_invitation(
    session: Session, invitation: Invitation, actor: User, evaluation: Evaluation
) -> None:
    """The contact person withdraws an invitation not yet accepted: its link stops
    working. Raises TeamError if it was accepted (deactivate the contributor instead)."""
    if invitation.accepted_at is not None:
        raise TeamError(_l("This invitation has been accepted already."))
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.add(invitation)
        record(
            session,
            actor.id,
            "invitation.revoked",
            invitation,
            evaluation.id,
            email=invitation.email,
        )


def set_contributor_active(
    session: Session, contributor: User, actor: User, evaluation: Evaluation, active: bool
) -> None:
    """The contact person deactivates (or reactivates) a contributor of the Party: a
    deactivated contributor can no longer sign in; their assignments are kept.
    Raises TeamError for anyone but a contributor of the contact's Party."""
    if contributor.role != Role.PARTY_CONTRIBUTOR or contributor.party_id != actor.party_id:
        raise TeamError(_l("Only contributors of your Party can be changed here."))
    if contributor.active != active:
        contributor.active = active
        session.add(contributor)
        record(
            session,
            actor.id,
            "contributor.reactivated" if active else "contributor.deactivated",
            contributor,
            evaluation.id,
            email=contributor.email,
        )


# --- section assignments -----------------------------------------------------------------


def assignments(session: Session, reply: Reply) -> dict[str, list[int]]:
    """Section id -> ids of the users assigned to it (in order of assignment)."""
    out: dict[str, list[int]] = {}
    for a in session.exec(
        select(SectionAssignment)
        .where(SectionAssignment.reply_id == reply.id)
        .order_by(SectionAssignment.id)  # type: ignore[arg-type]
    ):
        out.setdefault(a.section_id, []).append(a.user_id)
    return out


def set_assignments(
    session: Session,
    reply: Reply,
    evaluation: Evaluation,
    actor: User,
    wanted: dict[str, set[int]],
) -> int:
    """The contact person sets who is assigned to each section named in ``wanted``
    (section id -> user ids; sections left out keep their assignments). Only
    contributors of the Party can be assigned. Returns the number of assignments added
    and removed.

    Raises TeamError when ``actor`` is not the contact person, the reply is submitted,
    a section is unknown or a user is not a contributor of the Party.
    """
    if not is_contact(actor, reply, evaluation):
        raise TeamError(_l("Only the contact person can assign sections."))
    if reply.status != ReplyStatus.DRAFT:
        raise TeamError(_l("This reply has been submitted: the team can no longer change."))
    definition = definition_of(session, reply.questionnaire_version_id)
    section_ids = {s.id for s in definition.sections()}
    allowed = {u.id for u in contributors(session, evaluation.party_id)}
    if set(wanted) - section_ids:
        raise TeamError(_l("Unknown section."))
    if any(set(users) - allowed for users in wanted.values()):
        raise TeamError(_l("Only contributors of your Party can be assigned."))
    rows = {
        (a.section_id, a.user_id): a
        for a in session.exec(
            select(SectionAssignment).where(SectionAssignment.reply_id == reply.id)
        )
    }
    changes = 0
    for section_id, users in wanted.items():
        current = {u for (s, u) in rows if s == section_id}
        for user_id in sorted(users - current):
            session.add(
                SectionAssignment(
                    reply_id=reply.id,  # type: ignore[arg-type]
                    section_id=section_id,
                    user_id=user_id,
                    assigned_by_id=actor.id,
                )
            )
            session.flush()
            record(
                session,
                actor.id,
                "section.assigned",
                reply,
                evaluation.id,
                section=section_id,
                user=user_id,
            )
            changes += 1
        for user_id in sorted(current - users):
            session.delete(rows[(section_id, user_id)])
            record(
                session,
                actor.id,
                "section.unassigned",
                reply,
                evaluation.id,
                section=section_id,
                user=user_id,
            )
            changes += 1
    return changes


# --- section status ----------------------------------------------------------------------


def section_states(session: Session, reply: Reply) -> dict[str, SectionState]:
    """Section id -> its stored state (sections without a row are not started)."""
    return {
        s.section_id: s
        for s in session.exec(select(SectionState).where(SectionState.reply_id == reply.id))
    }


def section_status(session: Session, reply: Reply, section_id: str) -> SectionStatus:
    """The section's status (``NOT_STARTED`` while it has no row)."""
    return status_or_not_started(session.exec(status_query(reply, section_id)).first())


def status_query(reply: Reply, section_id: str) -> Any:
    """SELECT of the section's stored status (no row: not started, see
    :func:`status_or_not_started`); usable as a scalar subquery in a larger query."""
    return select(SectionState.status).where(
        SectionState.reply_id == reply.id, SectionState.section_id == section_id
    )


def status_or_not_started(stored: SectionStatus | None) -> SectionStatus:
    return stored or SectionStatus.NOT_STARTED


def _change_status(
    session: Session,
    reply: Reply,
    actor: User,
    section_id: str,
    status: SectionStatus,
    reason: str,
) -> SectionStatus:
    """Store the new status, audit it; return the previous one."""
    state = session.exec(
        select(SectionState).where(
            SectionState.reply_id == reply.id, SectionState.section_id == section_id
        )
    ).first()
    if state is None:
        state = SectionState(reply_id=reply.id, section_id=section_id)  # type: ignore[arg-type]
    before = state.status or SectionStatus.NOT_STARTED
    state.status = status
    state.changed_by_id = actor.id
    state.changed_at = utcnow()
    session.add(state)
    record(
        session,
        actor.id,
        "section.status_changed",
        reply,
        reply.evaluation_id,
        section=section_id,
        before=str(before),
        after=str(status),
        reason=reason,
    )
    return SectionStatus(before)


def section_changed(
    session: Session, reply: Reply, actor: User, section_id: str
) -> SectionStatus | None:
    """Answers of a section of a Party's reply were saved: a section not started, or
    already reviewed, is now in progress (a reviewed section must be reviewed again).
    Returns the status it had when it changed, else None."""
    if reply.audience != Audience.PARTY:
        return None
    # the answers just saved need not be written to read the state: they are written
    # once, at commit (a state row is never left unwritten: each change flushes)
    with session.no_autoflush:
        status = section_status(session, reply, section_id)
    if status in (SectionStatus.NOT_STARTED, SectionStatus.REVIEWED):
        return _change_status(
            session, reply, actor, section_id, SectionStatus.IN_PROGRESS, "answer_saved"
        )
    return None


#: Status -> the statuses a section may be moved to from it by hand, and by whom
#: ("contact", or "assigned" for the contributors assigned to the section).
TRANSITIONS: dict[SectionStatus, dict[SectionStatus, str]] = {
    SectionStatus.NOT_STARTED: {
        SectionStatus.READY_FOR_REVIEW: "assigned",
        SectionStatus.REVIEWED: "contact",
    },
    SectionStatus.IN_PROGRESS: {
        SectionStatus.READY_FOR_REVIEW: "assigned",
        SectionStatus.REVIEWED: "contact",
    },
    SectionStatus.READY_FOR_REVIEW: {
        SectionStatus.REVIEWED: "contact",
        SectionStatus.IN_PROGRESS: "contact",
    },
    SectionStatus.REVIEWED: {SectionStatus.IN_PROGRESS: "contact"},
}


def allowed_statuses(
    session: Session, reply: Reply, evaluation: Evaluation, user: Any, section_id: str
) -> list[SectionStatus]:
    """The statuses ``user`` may move the section to now (empty for a submitted reply
    or an NGO submission)."""
    if reply.audience != Audience.PARTY or reply.status != ReplyStatus.DRAFT:
        return []
    contact = is_contact(user, reply, evaluation)
    assigned = (
        getattr(user, "role", None) == Role.PARTY_CONTRIBUTOR
        and user.party_id == evaluation.party_id
        and is_assigned(session, reply, user, section_id)
    )
    current = section_status(session, reply, section_id)
    return [
        to
        for to, who in TRANSITIONS[current].items()
        if (who == "contact" and contact) or (who == "assigned" and assigned)
    ]


def set_section_status(
    session: Session,
    reply: Reply,
    evaluation: Evaluation,
    actor: User,
    section_id: str,
    status: SectionStatus,
) -> SectionStatus:
    """Move a section by hand: an assigned contributor marks it ready for review; the
    contact marks it reviewed (ready or not) or sends it back to in progress. Returns
    the previous status.

    Raises TeamError when the section is unknown or the move is not one ``actor`` may
    make now (see :data:`TRANSITIONS`).
    """
    definition = definition_of(session, reply.questionnaire_version_id)
    if section_id not in {s.id for s in definition.sections()}:
        raise TeamError(_l("Unknown section."))
    if status not in allowed_statuses(session, reply, evaluation, actor, section_id):
        raise TeamError(_l("You cannot change the status of this section now."))
    return _change_status(session, reply, actor, section_id, status, "by_hand")


# --- the task list's view of the team ----------------------------------------------------


@dataclass
class SectionTeam:
    """One section on the task list: ``status``; ``assignees`` (users); the last answer
    change (``changed_at`` UTC, ``changed_by`` a user or None)."""

    status: SectionStatus
    assignees: list[User] = field(default_factory=list)
    changed_at: datetime | None = None
    changed_by: User | None = None
    status_changed_by: User | None = None
    status_changed_at: datetime | None = None


def section_teams(
    session: Session, reply: Reply, definition: QuestionnaireDef
) -> dict[str, SectionTeam]:
    """Section id -> :class:`SectionTeam`, for every section of the questionnaire (a few
    queries, whatever the number of sections)."""
    states = section_states(session, reply)
    assigned = assignments(session, reply)
    item_section = {
        item.id: section.id
        for section in definition.sections()
        for item in answerable(section.items)
    }
    last: dict[str, Answer] = {}
    for answer in session.exec(select(Answer).where(Answer.reply_id == reply.id)):
        sid = item_section.get(answer.item_id.split("__", 1)[0])
        if sid and (sid not in last or answer.updated_at > last[sid].updated_at):
            last[sid] = answer
    user_ids = {u for ids in assigned.values() for u in ids}
    user_ids |= {a.updated_by_id for a in last.values() if a.updated_by_id}
    user_ids |= {s.changed_by_id for s in states.values() if s.changed_by_id}
    users = (
        {u.id: u for u in session.exec(select(User).where(User.id.in_(user_ids)))}  # type: ignore[union-attr]
        if user_ids
        else {}
    )
    out: dict[str, SectionTeam] = {}
    for section in definition.sections():
        state = states.get(section.id)
        latest = last.get(section.id)
        out[section.id] = SectionTeam(
            status=state.status if state else SectionStatus.NOT_STARTED,
            assignees=[users[u] for u in assigned.get(section.id, []) if u in users],
            changed_at=latest.updated_at if latest else None,
            changed_by=users.get(latest.updated_by_id) if latest and latest.updated_by_id else None,
            status_changed_by=users.get(state.changed_by_id)
            if state and state.changed_by_id
            else None,
            status_changed_at=state.changed_at if state else None,
        )
    return out


def assigned_sections(session: Session, reply: Reply, user: Any) -> set[str]:
    """Ids of the sections of ``reply`` assigned to ``user``."""
    return set(
        session.exec(
            select(SectionAssignment.section_id).where(
                SectionAssignment.reply_id == reply.id, SectionAssignment.user_id == user.id
            )
        )
    )
