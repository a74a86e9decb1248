"""Instruments, evaluation rounds, stored questionnaire versions, evaluations."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from monitor.core.db import enum_type, json_type
from monitor.core.time import utcnow


class Audience(enum.StrEnum):
    """Who answers a questionnaire."""

    PARTY = "party"
    NGO = "ngo"


class Instrument(SQLModel, table=True):
    """A treaty being monitored. ``definition`` is the loaded instrument YAML as JSON
    (``{"code", "title", "articles": [{"number", "title"}], "proposal_verbs": [...]}``)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=300)
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())


class EvaluationRound(SQLModel, table=True):
    """A multi-year evaluation round of one instrument (GRETA's third round: number 3).

    ``definition`` is the loaded round YAML as JSON (provisions, deadlines, groups).
    """

    __tablename__ = "evaluation_round"
    __table_args__ = (sa.UniqueConstraint("instrument_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    instrument_id: int = Field(foreign_key="instrument.id")
    number: int
    title: str = Field(max_length=300)
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())
    loaded_at: datetime = Field(default_factory=utcnow)


class QuestionnaireVersion(SQLModel, table=True):
    """An immutable questionnaire as loaded, identified by the SHA-256 of its JSON.

    For the Party audience there is one version per Party, because Part II holds
    country-specific questions; ``party_code`` is then the Party's ISO code.
    ``definition`` is the questionnaire as JSON (see ``monitor.questionnaires.schema``).
    """

    __tablename__ = "questionnaire_version"
    __table_args__ = (sa.UniqueConstraint("round_id", "audience", "party_code", "content_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluation_round.id", index=True)
    audience: Audience = Field(sa_type=enum_type(Audience))
    party_code: str | None = Field(default=None, max_length=2)
    content_hash: str = Field(max_length=64)
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=json_type())
    created_at: datetime = Field(default_factory=utcnow)


class Evaluation(SQLModel, table=True):
    """One Party in one evaluation round: everything else hangs on it.

    Dates are calendar dates; ``reply_due`` defaults to 5 months after
    ``questionnaire_sent`` (the round's ``deadlines.reply_months``).
    """

    __table_args__ = (sa.UniqueConstraint("round_id", "party_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="evaluation_round.id", index=True)
    party_id: int = Field(foreign_key="party.id", index=True)
    questionnaire_version_id: int = Field(foreign_key="questionnaire_version.id")
    questionnaire_sent: date | None = None
    reply_due: date | None = None
    visit_start: date | None = None
    visit_end: date | None = None
