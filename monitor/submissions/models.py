"""Replies (the Party's official reply, NGO parallel input), answers and attachments."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from monitor.core.db import enum_type, json_type
from monitor.core.time import utcnow
from monitor.rounds.models import Audience


class ReplyStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Reply(SQLModel, table=True):
    """A set of answers to one questionnaire version.

    ``audience`` is ``party`` for the Party's one official reply (one per evaluation) and
    ``ngo`` for an NGO submission (one per evaluation and organisation). NGO submissions
    are ``confidential`` unless the NGO opts in to publication. ``version`` counts saves,
    for refusing stale edits.
    """

    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "audience", "organisation_id"),
        # NULL organisation ids are distinct in a unique constraint: the Party's one reply
        # per evaluation needs its own partial index.
        sa.Index(
            "uq_reply_party_per_evaluation",
            "evaluation_id",
            unique=True,
            sqlite_where=sa.text("audience = 'party'"),
            postgresql_where=sa.text("audience = 'party'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    audience: Audience = Field(sa_type=enum_type(Audience))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    questionnaire_version_id: int = Field(foreign_key="questionnaire_version.id")
    status: ReplyStatus = Field(default=ReplyStatus.DRAFT, sa_type=enum_type(ReplyStatus))
    confidential: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    version: int = 0

    @property
    def is_submitted(self) -> bool:
        return self.status == ReplyStatus.SUBMITTED


class Answer(SQLModel, table=True):
    """The answer to one item of a reply, keyed by the item's stable id.

    ``value`` is JSON: a string for text, date, year and number items (numbers stored as
    canonical decimal strings such as ``"1234.5"``, or as typed when they do not parse so
    that nothing typed is lost), a list of option codes for multiple choice, an object
    ``{"amount": "12.50", "currency": "EUR"}`` for money, and for a statistics table an
    object mapping ``"row|column"`` to a cell (a number string; ``{"state": "estimate",
    "value": "120"}``; or ``{"state": "not_available", "reason": "..."}``) plus an optional
    ``"explanation"`` of figures a warning flags; for a repeatable group a list of entries,
    each mapping member id to a value of the same forms. For a file item (also as a group
    member) the value is a list of :class:`Attachment` ids of the same reply, in the order
    attached: ``[12, 15]``; entries written as ``{"id": 12}`` are read the same way
    (:func:`monitor.submissions.attachments.attachment_ids`), and one attachment may be
    listed by several answers. The "please specify" text of a
    choice item is a separate answer keyed ``<item id>__other``. ``language`` is the UI
    language the answer was written in. ``active`` is false while the item is hidden
    (retired, or its ``show_if`` condition false): the answer is kept, but neither
    validated, exported nor printed.

    ``carried_over_from_reply_id`` is set on an answer copied, when the reply was created,
    from the Party's submitted reply of an earlier round
    (:mod:`monitor.submissions.carryover`); it stays set until the respondent confirms or
    changes the answer, and while it is set the answer counts as not given for submission.

    ``updated_from_page`` is the token of the section page (one page as rendered, in one
    browser tab) the last change was posted from, None when it came from elsewhere (the
    conflict page, a carry-over, a page rendered before tokens existed): a later save
    from that same page is the respondent's own change, from any other page a conflict
    (:mod:`monitor.submissions.conflicts`).
    """

    __table_args__ = (sa.UniqueConstraint("reply_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    item_id: str = Field(max_length=120)
    value: Any = Field(default=None, sa_type=json_type())
    language: str | None = Field(default=None, max_length=8)
    active: bool = True
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    carried_over_from_reply_id: int | None = Field(default=None, foreign_key="reply.id")
    updated_from_page: str | None = Field(default=None, max_length=32)


class Attachment(SQLModel, table=True):
    """A file attached to a reply (a law, a plan, a study), referenced by the answers of
    file items (see :class:`Answer`).

    The bytes are stored once per content in :mod:`monitor.core.storage` under
    ``sha256`` (64 hex digits), so two attachments with the same content share one blob and
    never collide, whatever their names. ``size`` is in bytes; ``content_type`` is the MIME
    type sniffed from the bytes, never the browser's claim; ``filename`` is the name as the
    uploader gave it, in any script, with only path components and control characters
    removed (known-failures B29); it is shown and sent back on download, never used as a
    path. ``uploaded_at`` is UTC.
    """

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    size: int = Field(sa_type=sa.BigInteger)
    content_type: str = Field(max_length=120)
    filename: str = Field(max_length=255)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)


# --- joint submissions --------------------------------------------------------------------


class CoSignatureStatus(enum.StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class CoSignature(SQLModel, table=True):
    """An organisation invited by the lead NGO to co-sign its submission (a joint
    submission, issue 4 point 8). The co-signing organisation's users read the submission
    (never edit it) and accept or decline; accepted co-signers are named with the lead
    ("Joint submission by A, B"). ``invited_at`` and ``decided_at`` are UTC.
    See :mod:`monitor.submissions.cosigning`.
    """

    __tablename__ = "co_signature"
    __table_args__ = (sa.UniqueConstraint("reply_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    status: CoSignatureStatus = Field(
        default=CoSignatureStatus.INVITED, sa_type=enum_type(CoSignatureStatus)
    )
    invited_by_id: int | None = Field(default=None, foreign_key="user.id")
    invited_at: datetime = Field(default_factory=utcnow)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None


# --- end joint submissions

# --- receipts ----------------------------------------------------------------------------


class Receipt(SQLModel, table=True):
    """The acknowledgement of one submission of a reply (issue 4, point 5).

    ``reference`` is ``<series>-<sequence:04d>``, the number quoted in correspondence;
    ``series`` names the panel, round, Party (and ``NGO`` for parallel input) and the UTC
    year of submission, e.g. ``GRETA-3-AM-2026`` (see
    :func:`monitor.submissions.receipts.receipt_series`); ``sequence`` counts from 1
    within a series. ``submitted_at`` is UTC. The PDF of the reply as submitted is stored
    once rendered (``pdf_sha256`` in :mod:`monitor.core.storage`, ``pdf_size`` in bytes,
    ``language`` the language of its headings), so that the receipt keeps showing what
    was sent. A reply returned and submitted again gets a new receipt.
    """

    __table_args__ = (sa.UniqueConstraint("series", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    series: str = Field(max_length=60)
    sequence: int
    reference: str = Field(max_length=80, unique=True)
    submitted_at: datetime = Field(default_factory=utcnow)
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    language: str | None = Field(default=None, max_length=8)
    pdf_sha256: str | None = Field(default=None, max_length=64)
    pdf_size: int | None = Field(default=None, sa_type=sa.BigInteger)


# --- end receipts


class PendingSave(SQLModel, table=True):
    """A respondent's answers to one section that a save could not write because someone
    changed the same answers after the respondent's form was rendered (issue 4, "no silent
    overwrite"). Kept until the respondent chooses, item by item, between theirs and
    their own, so that neither is lost.

    ``values`` maps answer key to the respondent's posted value (stored form, see
    :class:`Answer`), conflicting keys only; ``base`` maps the same keys to the digest
    (:func:`monitor.submissions.conflicts.value_digest`) of the other person's answer the
    conflict was shown against: a resolution is refused again if that answer has changed
    once more. One per reply, section and user; ``created_at`` is UTC.
    """

    __tablename__ = "pending_save"
    __table_args__ = (sa.UniqueConstraint("reply_id", "section_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    section_id: str = Field(max_length=120)
    user_id: int = Field(foreign_key="user.id")
    values: Any = Field(default=None, sa_type=json_type())
    base: Any = Field(default=None, sa_type=json_type())
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow)


class StashedPost(SQLModel, table=True):
    """A section form posted when it could not be saved: the session had expired (sign-in
    required) or with it the CSRF token. Kept under a random ``token`` (given back in the
    sign-in link's ``next``) and saved once the respondent has signed in again (issue 4,
    point 2: "a form posted after expiry is kept and saved once the user logs in again").

    ``path`` is the section page it was posted to; ``form`` the posted fields as a list of
    ``[name, value]`` pairs (files are not kept); ``created_at`` is UTC.
    """

    __tablename__ = "stashed_post"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    path: str = Field(max_length=500)
    form: Any = Field(default=None, sa_type=json_type())
    created_at: datetime = Field(default_factory=utcnow)


# --- after submission: revisions, returns for changes, additional requests ---------------


class ReplyRevision(SQLModel, table=True):
    """One submission of a reply, frozen (issue 4, point 6): what was sent, never changed.

    ``number`` counts the reply's submissions from 1; ``submitted_at`` is UTC;
    ``questionnaire_version_id`` the version the answers were given against; ``answers``
    maps answer key (item id, ``<item id>__other``) to the stored value (see
    :class:`Answer`) of every *active* answer at submission. ``receipt_id`` is the
    receipt issued for that submission (None for a reply submitted before revisions
    existed whose revision 1 was made later, see :mod:`monitor.submissions.revisions`).
    Rows are only ever inserted: an update is refused at flush.
    """

    __tablename__ = "reply_revision"
    __table_args__ = (sa.UniqueConstraint("reply_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    number: int
    submitted_at: datetime
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    questionnaire_version_id: int = Field(foreign_key="questionnaire_version.id")
    answers: Any = Field(default=None, sa_type=json_type())
    receipt_id: int | None = Field(default=None, foreign_key="receipt.id")


class ReplyReturn(SQLModel, table=True):
    """The panel or secretariat sent a submitted reply back to its respondents for changes
    (issue 4, point 6). ``revision_number`` is the revision returned; ``message`` says what
    to change; ``returned_at`` is UTC. The reply is a draft again until submitted anew."""

    __tablename__ = "reply_return"

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True)
    revision_number: int
    message: str = Field(sa_type=sa.Text)
    returned_at: datetime = Field(default_factory=utcnow)
    returned_by_id: int | None = Field(default=None, foreign_key="user.id")


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class InformationRequest(SQLModel, table=True):
    """An additional request for information: ad-hoc questions the panel sends after the
    reply (procedure step 3), to the Party (``audience`` party) or to one NGO
    (``audience`` ngo, ``organisation_id`` set) on an evaluation.

    ``deadline`` is a calendar date (overdue from the day after); ``sent_at`` and
    ``answered_at`` are UTC. Once ``answered`` the answers are read-only. A request to an
    NGO is never shown to the Party ("Who may see what": NGO input is confidential).
    """

    __tablename__ = "information_request"

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    audience: Audience = Field(sa_type=enum_type(Audience))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    deadline: date
    status: RequestStatus = Field(default=RequestStatus.OPEN, sa_type=enum_type(RequestStatus))
    sent_at: datetime = Field(default_factory=utcnow)
    sent_by_id: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = None
    answered_by_id: int | None = Field(default=None, foreign_key="user.id")

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN


class InformationQuestion(SQLModel, table=True):
    """One question of an :class:`InformationRequest` (``number`` from 1) and its answer:
    free text, saved as a draft (``answer``, ``language``, ``updated_at`` UTC,
    ``updated_by_id``) until the request is answered."""

    __tablename__ = "information_question"
    __table_args__ = (sa.UniqueConstraint("request_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="information_request.id", index=True)
    number: int
    text: str = Field(sa_type=sa.Text)
    answer: str | None = Field(default=None, sa_type=sa.Text)
    language: str | None = Field(default=None, max_length=8)
    updated_at: datetime | None = None
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


# --- end after submission
