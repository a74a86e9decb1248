"""Accounts: Parties, organisations (NGOs), users and their roles."""

import enum
from datetime import datetime

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


class OrganisationStatus(enum.StrEnum):
    """Where an organisation's registration stands (issue 4, point 8: an NGO registers and
    the secretariat approves it). Organisations created by the secretariat or the demo are
    ``approved`` from the start."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Organisation(SQLModel, table=True):
    """A civil-society organisation (NGO) that sends parallel input on a Party.

    ``party_id`` is the Party it reports on. An organisation that registered itself
    (``registered_at``, UTC) is ``pending`` until the secretariat decides
    (``decided_at`` UTC, ``decided_by_id``; ``rejection_reason`` as sent to the
    applicant); only ``approved`` organisations' users may sign in, and only approved
    organisations can be invited to co-sign a joint submission.
    """

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, unique=True)
    party_id: int | None = Field(default=None, foreign_key="party.id")
    status: OrganisationStatus = Field(
        default=OrganisationStatus.APPROVED,
        sa_type=enum_type(OrganisationStatus),
        sa_column_kwargs={"server_default": "approved"},
    )
    website: str | None = Field(default=None, max_length=300)
    registered_at: datetime | None = None
    decided_at: datetime | None = None
    # no foreign key: user -> organisation already exists, and a cycle would break the
    # ordering of CREATE/DROP TABLE; the audit row names the deciding user too
    decided_by_id: int | None = None
    rejection_reason: str | None = Field(default=None, max_length=2000)

    @property
    def is_approved(self) -> bool:
        return self.status == OrganisationStatus.APPROVED


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
