"""Account operations: creating users and checking passwords (argon2)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from monitor.accounts.models import Organisation, Party, Role, User

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """True if ``password`` matches; never raises on a malformed stored hash."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active user with this e-mail (case-insensitive) and password, or None."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.active or not check_password(user, password):
        return None
    return user


def get_or_create_party(session: Session, code: str, name: str) -> Party:
    party = session.exec(select(Party).where(Party.code == code)).first()
    if party is None:
        party = Party(code=code, name=name)
        session.add(party)
        session.flush()
    return party


def create_user(
    session: Session,
    email: str,
    name: str,
    password: str,
    role: Role,
    party: Party | None = None,
    organisation: Organisation | None = None,
    locale: str | None = None,
) -> User:
    """Create a user. Party roles need ``party``; the NGO role needs ``organisation``.

    Raises ValueError when the role and its attachment do not match or the e-mail is taken.
    """
    email = email.strip().lower()
    if role in (Role.PARTY_CONTACT, Role.PARTY_CONTRIBUTOR) and party is None:
        raise ValueError("a Party user needs a Party")
    if role == Role.NGO and organisation is None:
        raise ValueError("an NGO user needs an organisation")
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise ValueError(f"a user with e-mail {email} exists")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        party_id=party.id if party else None,
        organisation_id=organisation.id if organisation else None,
        locale=locale,
    )
    session.add(user)
    session.flush()
    return user
