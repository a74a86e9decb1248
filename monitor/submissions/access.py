"""Who may see and change a reply (``shared/domain.md``, "Who may see what").

- The panel and secretariat see a Party's reply and NGO submissions only once submitted
  (drafts are the respondents' own).
- A Party's users see and edit their own Party's reply, never an NGO submission.
- An NGO user sees and edits only their organisation's submission; the users of an
  organisation invited to co-sign it (a joint submission) read it too, never edit it
  (:mod:`monitor.submissions.cosigning`).
- Within the Party, the contact person edits every section; a contributor reads the
  whole reply but edits only the sections assigned to them (issue 4, point 1; see
  :mod:`monitor.submissions.team`).
"""

from flask import abort
from flask_login import current_user
from sqlmodel import col, select

from monitor.accounts.models import Party, Role, User
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation, QuestionnaireVersion
from monitor.submissions.definitions import remember_content_hash
from monitor.submissions.models import Reply, ReplyStatus
from monitor.submissions.team import is_assigned


def is_respondent(user: User, reply: Reply, evaluation: Evaluation) -> bool:
    """True for the people who write this reply."""
    if reply.audience == Audience.PARTY:
        return user.is_party and user.party_id == evaluation.party_id
    return user.is_ngo and user.organisation_id == reply.organisation_id


def can_view_reply(user: User, reply: Reply, evaluation: Evaluation) -> bool:
    if not user.is_authenticated:
        return False
    if is_respondent(user, reply, evaluation):
        return True
    if reply.audience == Audience.NGO and user.is_ngo:
        from monitor.submissions.cosigning import is_cosigner

        return is_cosigner(db.session, user, reply)
    return user.is_panel and reply.status == ReplyStatus.SUBMITTED


def can_edit_reply(user: User, reply: Reply, evaluation: Evaluation) -> bool:
    return reply.status == ReplyStatus.DRAFT and is_respondent(user, reply, evaluation)


def can_edit_section(user: User, reply: Reply, evaluation: Evaluation, section_id: str) -> bool:
    """Whether ``user`` may change the answers of one section (its form, autosave,
    attachments, conflict choices): whoever may edit the reply, except that a Party's
    contributor may change only the sections assigned to them."""
    if not can_edit_reply(user, reply, evaluation):
        return False
    if reply.audience != Audience.PARTY or user.role == Role.PARTY_CONTACT:
        return True
    return is_assigned(db.session, reply, user, section_id)


def can_submit_reply(user: User, reply: Reply, evaluation: Evaluation) -> bool:
    """Only the contact person submits the Party's official reply; an NGO user submits
    their organisation's input."""
    if not can_edit_reply(user, reply, evaluation):
        return False
    if reply.audience == Audience.PARTY:
        return user.role == Role.PARTY_CONTACT
    return True


def reply_or_404(reply_id: int) -> tuple[Reply, Evaluation]:
    """Load a reply the current user may see, with its evaluation; 404 otherwise."""
    reply, evaluation, _party = reply_with_party_or_404(reply_id)
    return reply, evaluation


def reply_with_party_or_404(reply_id: int) -> tuple[Reply, Evaluation, Party | None]:
    """:func:`reply_or_404` with the evaluation's Party, in one query. The query also
    reads the content hash of the reply's questionnaire version, for
    :func:`~monitor.submissions.definitions.definition_of` (every view of a reply needs
    its definition next: it then needs no query of its own)."""
    row = db.session.exec(
        select(Reply, Evaluation, Party, QuestionnaireVersion.content_hash)
        .join(Evaluation, col(Evaluation.id) == Reply.evaluation_id)
        .join(Party, col(Party.id) == Evaluation.party_id, isouter=True)
        .join(
            QuestionnaireVersion,
            col(QuestionnaireVersion.id) == Reply.questionnaire_version_id,
            isouter=True,
        )
        .where(Reply.id == reply_id)
    ).first()
    if row is None:
        abort(404)
    reply, evaluation, party, content_hash = row
    if not can_view_reply(current_user, reply, evaluation):
        abort(404)
    if content_hash is not None:
        remember_content_hash(db.session, reply.questionnaire_version_id, content_hash)
    return reply, evaluation, party
