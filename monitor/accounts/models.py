"""Accounts: Parties, organisations (NGOs), users and their roles."""

import enum

from flask_login import UserMixin
from sqlmodel import Field, SQLModel

from monitor.core.db import enum_type


class Role(enum.StrEnum):
    """What a user does on the platform (see ``shared/domain.md``, "Who may see what")."""

    SECRETARIAT = "secretariat"
    PANEL = "panel"
    PARTY_CONTACT = "party_contact"
    PARTY_CONTRIBUTOR = "party_contributor"
    NGO = "ngo"


PANEL_ROLES = frozenset({Role.SECRETARIAT, Role.PANEL})
PARTY_ROLES = frozenset({Role.PARTY_CONTACT, Role.PARTY_CONTRIBUTOR})


class Party(SQLModel, table=True):
    """A State bound by the convention, identified by its ISO 3166-1 alpha-2 code."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=2, unique=True, index=True)
    name: str = Field(max_length=200)


class Organisation(SQLModel, table=True):
    """A civil-society organisation (NGO) that sends parallel input on a Party."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, unique=True)
    party_id: int | None = Field(default=None, foreign_key="party.id")


class User(UserMixin, SQLModel, table=True):
    """A person with a login. ``party_id`` is set for Party roles, ``organisation_id``
    for NGO users; panel and secretariat users have neither."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=enum_type(Role))
    party_id: int | None = Field(default=None, foreign_key="party.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    locale: str | None = Field(default=None, max_length=8)
    active: bool = True

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def is_panel(self) -> bool:
        """Panel members and the secretariat: they see everything but respondents' drafts."""
        return self.role in PANEL_ROLES

    @property
    def is_party(self) -> bool:
        return self.role in PARTY_ROLES

    @property
    def is_ngo(self) -> bool:
        return self.role == Role.NGO
