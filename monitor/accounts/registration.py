"""NGO registration (issue 4, point 8): an organisation registers itself with one contact
user; the secretariat approves or rejects it; the applicant is told by e-mail.

Until approved, the organisation is ``pending`` and its user inactive: the user cannot
sign in (:func:`sign_in_refusal` says why, once the password is right, so that the
message reveals nothing to someone who does not know it). Approval activates the
organisation's users; a rejection keeps them inactive and records the reason sent to
the applicant. Every step writes an audit row; services never commit.
"""

import logging
from email.headerregistry import Address
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from monitor.accounts.models import Organisation, OrganisationStatus, Party, Role, User
from monitor.accounts.services import check_password, create_user
from monitor.core.audit import record
from monitor.core.mail import build_message
from monitor.core.time import utcnow

log = logging.getLogger(__name__)


class RegistrationError(ValueError):
    """A registration or decision refused; the message is shown to the user."""


def register_organisation(
    session: Session,
    *,
    name: str,
    party: Party,
    contact_name: str,
    email: str,
    password: str,
    website: str | None = None,
    locale: str | None = None,
) -> tuple[Organisation, User]:
    """Create a ``pending`` organisation reporting on ``party`` and its inactive NGO user
    (``contact_name``, ``email``, ``password``; ``locale`` the language of later
    e-mails). Writes the audit row ``organisation.registered`` (actor: the new user).

    Raises RegistrationError when an organisation of that name (case-insensitive) or a
    user with that e-mail exists, or the website is not an http(s) address.
    """
    name = " ".join(name.split())
    website = (website or "").strip() or None
    if website and not website.lower().startswith(("http://", "https://")):
        raise RegistrationError(_l("The website address must start with http:// or https://."))
    taken = session.exec(
        select(Organisation).where(func.lower(Organisation.name) == name.lower())
    ).first()
    if taken is not None:
        raise RegistrationError(_l("An organisation with this name is already registered."))
    if session.exec(select(User).where(User.email == email.strip().lower())).first():
        raise RegistrationError(_l("An account with this e-mail address already exists."))
    org = Organisation(
        name=name,
        party_id=party.id,
        status=OrganisationStatus.PENDING,
        website=website,
        registered_at=utcnow(),
    )
    session.add(org)
    session.flush()
    user = create_user(
        session, email, contact_name.strip(), password, Role.NGO, organisation=org, locale=locale
    )
    user.active = False
    session.add(user)
    record(session, user.id, "organisation.registered", org, party=party.code, user=user.id)
    log.info("organisation %s registered by user %s, awaiting approval", org.id, user.id)
    return org, user


def pending_organisations(session: Session) -> list[tuple[Organisation, Party | None, list[User]]]:
    """Registrations awaiting a decision, oldest first, with the Party each reports on
    and its users."""
    orgs = session.exec(
        select(Organisation)
        .where(Organisation.status == OrganisationStatus.PENDING)
        .order_by(col(Organisation.registered_at), col(Organisation.id))
    ).all()
    out = []
    for org in orgs:
        users = list(session.exec(select(User).where(User.organisation_id == org.id)).all())
        party = session.get(Party, org.party_id) if org.party_id else None
        out.append((org, party, users))
    return out


def _decide(session: Session, org: Organisation, actor: User) -> None:
    if actor.role != Role.SECRETARIAT:
        raise RegistrationError(_l("Only the secretariat decides on registrations."))
    if org.status != OrganisationStatus.PENDING:
        raise RegistrationError(_l("This registration has already been decided."))
    org.decided_at = utcnow()
    org.decided_by_id = actor.id


def approve_organisation(session: Session, org: Organisation, actor: User) -> list[User]:
    """The secretariat approves a pending registration: the organisation is ``approved``
    and its users may sign in. Returns those users (to be told by e-mail). Audit row
    ``organisation.approved``. Raises RegistrationError when ``actor`` is not the
    secretariat or the registration is not pending."""
    _decide(session, org, actor)
    org.status = OrganisationStatus.APPROVED
    session.add(org)
    users = list(session.exec(select(User).where(User.organisation_id == org.id)).all())
    for user in users:
        user.active = True
        session.add(user)
    record(session, actor.id, "organisation.approved", org, users=[u.id for u in users])
    log.info("organisation %s approved by user %s", org.id, actor.id)
    return users


def reject_organisation(
    session: Session, org: Organisation, actor: User, reason: str
) -> list[User]:
    """The secretariat rejects a pending registration, giving ``reason`` (sent to the
    applicant). Its users stay inactive. Returns them. Audit row
    ``organisation.rejected``. Raises RegistrationError as :func:`approve_organisation`
    does, and for an empty reason."""
    reason = reason.strip()
    if not reason:
        raise RegistrationError(_l("Give the reason for the rejection."))
    _decide(session, org, actor)
    org.status = OrganisationStatus.REJECTED
    org.rejection_reason = reason
    session.add(org)
    users = list(session.exec(select(User).where(User.organisation_id == org.id)).all())
    record(session, actor.id, "organisation.rejected", org, reason=reason)
    log.info("organisation %s rejected by user %s", org.id, actor.id)
    return users


def sign_in_refusal(session: Session, email: str, password: str) -> str | None:
    """Why a user with the right password may not sign in (their organisation's
    registration is pending or was rejected, or the account is disabled); None when the
    e-mail and password do not match an inactive account."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or user.active or not check_password(user, password):
        return None
    org = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    if org is not None and org.status == OrganisationStatus.PENDING:
        return _(
            "Your organisation's registration is awaiting approval by the secretariat."
            " You will receive an e-mail when it has been decided."
        )
    if org is not None and org.status == OrganisationStatus.REJECTED:
        return _("Your organisation's registration was not approved.")
    return _("This account has been disabled. Please contact the secretariat.")


def decision_message(org: Organisation, user: User) -> EmailMessage:
    """The e-mail telling ``user`` the secretariat's decision on ``org``'s registration,
    in the user's language (``user.locale``, else English)."""
    lang = user.locale if user.locale in current_app.config["LANGUAGES"] else "en"
    with force_locale(lang):
        greeting = _("Dear %(name)s,", name=user.name)
        if org.status == OrganisationStatus.APPROVED:
            subject = _("Registration approved: %(org)s", org=org.name)
            body = [
                _(
                    "The secretariat has approved the registration of %(org)s. You can now"
                    " sign in with your e-mail address and password to send parallel input.",
                    org=org.name,
                )
            ]
        else:
            subject = _("Registration not approved: %(org)s", org=org.name)
            body = [
                _("The secretariat has not approved the registration of %(org)s.", org=org.name),
                _("Reason: %(reason)s", reason=org.rejection_reason or ""),
            ]
        text = "\n\n".join([greeting, *body])
    return build_message(
        sender=current_app.config["MAIL_SENDER"],
        to=str(Address(display_name=user.name, addr_spec=user.email)),
        subject=subject,
        text=text + "\n",
        language=lang,
    )
