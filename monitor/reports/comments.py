"""Comments on a country report: the panel's internal comments, the Party's comments on
the draft and its final comments, and the panel's answer to each Party comment
(procedure steps 6, 8-9 and 11; "Who may see what" in ``shared/domain.md``).

Who sees a comment is :func:`monitor.reports.access.can_see_comment`; which conversation
a comment belongs to follows from who writes it and the report's state.
"""

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from monitor.accounts.models import User
from monitor.core.audit import record
from monitor.core.time import utcnow
from monitor.reports.models import (
    CommentResponse,
    CommentStage,
    Report,
    ReportComment,
    ReportParagraph,
    ReportStatus,
)
from monitor.reports.services import ReportError

#: States in which panel members comment internally on the draft.
PANEL_COMMENT_STATES = frozenset({ReportStatus.PANEL_REVIEW, ReportStatus.REVISING})
#: The Party's conversation in each state in which it may write.
PARTY_STAGES = {
    ReportStatus.SENT_TO_PARTY: CommentStage.DRAFT,
    ReportStatus.TRANSMITTED: CommentStage.FINAL,
}


def comment_stage(report: Report, actor: User) -> CommentStage | None:
    """The conversation ``actor`` would write in now, or None if they may not comment
    (a panel member outside panel review and revision, a Party user outside the two
    periods with the Party). Party ownership is checked by the caller (access)."""
    status = ReportStatus(report.status)
    if actor.is_panel:
        return CommentStage.PANEL if status in PANEL_COMMENT_STATES else None
    if actor.is_party:
        return PARTY_STAGES.get(status)
    return None


def add_comment(
    session: Session,
    report: Report,
    actor: User,
    text: str,
    paragraph: ReportParagraph | None = None,
) -> ReportComment:
    """Write a comment on ``paragraph`` (None: a general comment).

    A panel member's comment is panel-internal and counts as sent. A Party user's comment
    (contact person or contributor) is the Party's draft until the contact person sends
    the Party's comments (cycle action ``send_comments`` / ``send_final_comments``).
    Raises ReportError when ``actor`` may not comment in the report's state, for an empty
    text, or a paragraph of another report.
    """
    stage = comment_stage(report, actor)
    if stage is None:
        raise ReportError(_l("Comments cannot be made at this step of the procedure."))
    if not text.strip():
        raise ReportError(_l("A comment needs text."))
    if paragraph is not None and paragraph.report_id != report.id:
        raise ReportError(_l("That paragraph belongs to another report."))
    comment = ReportComment(
        report_id=report.id,  # type: ignore[arg-type]
        paragraph_id=paragraph.id if paragraph else None,
        author_id=actor.id,  # type: ignore[arg-type]
        text=text.strip(),
        stage=stage,
        sent_at=utcnow() if stage == CommentStage.PANEL else None,
    )
    session.add(comment)
    record(
        session,
        actor.id,
        "report.comment_added",
        comment,
        report.evaluation_id,
        stage=stage.value,
    )
    return comment


def answer_comment(
    session: Session,
    report: Report,
    comment: ReportComment,
    actor: User,
    response: CommentResponse,
    reason: str = "",
) -> None:
    """The panel records how it dealt with a Party comment on the draft: taken into
    account, partly, or not, with a reason (required unless taken into account).
    Procedure step 9. Raises ReportError outside the revision, for another report's
    comment, a panel or final comment, or a missing reason."""
    if comment.report_id != report.id:
        raise ReportError(_l("That comment belongs to another report."))
    if report.status != ReportStatus.REVISING:
        raise ReportError(_l("The Party's comments are answered during the revision."))
    if comment.stage != CommentStage.DRAFT or comment.sent_at is None:
        raise ReportError(_l("Only the Party's comments on the draft are answered."))
    if response != CommentResponse.TAKEN_INTO_ACCOUNT and not reason.strip():
        raise ReportError(_l("Give the reason why the comment was not fully taken into account."))
    comment.response = response
    comment.panel_note = reason.strip() or None
    comment.dealt_with_at = utcnow()
    comment.dealt_with_by_id = actor.id
    session.add(comment)
    record(
        session,
        actor.id,
        "report.comment_answered",
        comment,
        report.evaluation_id,
        response=response.value,
    )
