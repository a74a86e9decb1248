"""Who may see and do what with a country report.

The rules follow "Who may see what" in ``shared/domain.md`` and procedure steps 6-12:

- panel members and the secretariat see every report, at every stage, with every sent
  comment (never a Party's comments it has not sent yet: those are the Party's drafts);
- a Party's users (contact person and contributors) see their own Party's report once the
  draft has been sent to it (never before, never another Party's); while the panel
  revises and until the final report is transmitted, they see the text they were sent,
  not the panel's work in progress;
- panel-internal comments and how the panel answered each comment are the panel's only;
- a Party's comments on the draft are seen by the panel and that Party only, even after
  publication; its final comments are published with the report;
- NGO users, other Parties' users and the public see a report only once it is
  published (before that, a signed-in user without access gets 404, never a hint that
  the draft exists);
- only the panel and the secretariat edit the text; who moves the report through its
  cycle is the table in :mod:`monitor.reports.cycle`.

Every function takes ``user`` as Flask-Login's current user (possibly anonymous: no
``role`` attribute) and never touches the database.
"""

from typing import Any

from monitor.reports.models import CommentStage, Report, ReportComment, ReportStatus
from monitor.reports.services import EDITABLE
from monitor.rounds.models import Evaluation


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_panel(user: Any) -> bool:
    """Panel member or secretariat."""
    return _signed_in(user) and bool(getattr(user, "is_panel", False))


def is_own_party(user: Any, evaluation: Evaluation) -> bool:
    """A Party user (contact person or contributor) of the evaluated Party."""
    return (
        _signed_in(user)
        and bool(getattr(user, "is_party", False))
        and user.party_id is not None
        and user.party_id == evaluation.party_id
    )


#: States in which the Party reads its report (its own draft, once sent: step 8).
PARTY_VISIBLE = frozenset(
    {
        ReportStatus.SENT_TO_PARTY,
        ReportStatus.PARTY_COMMENTED,
        ReportStatus.REVISING,
        ReportStatus.ADOPTED,
        ReportStatus.TRANSMITTED,
        ReportStatus.PUBLISHED,
    }
)
#: States in which the Party is shown the text it was sent instead of the live text.
PARTY_SEES_SENT_TEXT = frozenset({ReportStatus.REVISING, ReportStatus.ADOPTED})


def can_view_report(user: Any, report: Report | None, evaluation: Evaluation) -> bool:
    """True if ``user`` may read ``report`` (None: no report yet, only the panel may see
    that page, to start one)."""
    if is_panel(user):
        return True
    if report is None:
        return False
    if report.status == ReportStatus.PUBLISHED:
        # Published reports are public: another Party's users read them like anyone.
        return True
    if is_own_party(user, evaluation):
        return report.status in PARTY_VISIBLE
    return False


def sees_sent_text(user: Any, report: Report) -> bool:
    """True if the page and versions should show ``user`` the text sent to the Party
    rather than the live text (a Party user while the panel revises or before
    transmission)."""
    return not is_panel(user) and report.status in PARTY_SEES_SENT_TEXT


def can_download_pdf(user: Any, report: Report | None, evaluation: Evaluation) -> bool:
    """The PDF is the live text: as :func:`can_view_report`, except that the Party gets
    no PDF of the panel's revision in progress (it reads the sent text on the page)."""
    if report is None or not can_view_report(user, report, evaluation):
        return False
    return not sees_sent_text(user, report)


def can_edit_report(user: Any, report: Report | None) -> bool:
    """The panel edits the text while it is drafted, reviewed or revised."""
    return is_panel(user) and report is not None and report.status in EDITABLE


def can_manage_cycle(user: Any, report: Report | None = None) -> bool:
    """The panel starts the report and deals with its text and comments."""
    return is_panel(user)


def can_comment(user: Any, report: Report | None, evaluation: Evaluation) -> bool:
    """Panel members comment internally during panel review and revision; the Party's
    users (contact person and contributors) write the Party's comments while the draft
    or the final report is with the Party. Only the contact person sends them (the cycle
    table)."""
    from monitor.reports.comments import PANEL_COMMENT_STATES, PARTY_STAGES

    if report is None:
        return False
    if is_panel(user):
        return report.status in PANEL_COMMENT_STATES
    return report.status in PARTY_STAGES and is_own_party(user, evaluation)


def can_see_comment(
    user: Any,
    comment: ReportComment,
    report: Report,
    evaluation: Evaluation,
    party_user_ids: set[int] | None = None,
) -> bool:
    """Who sees a comment ("Who may see what"): panel-internal comments the panel only;
    the Party's comments its own users (drafts included, for their internal review) and,
    once sent, the panel; the Party's final comments everyone once published."""
    if comment.stage == CommentStage.PANEL:
        return is_panel(user)
    if is_own_party(user, evaluation):
        return True
    if comment.sent_at is None:
        return False
    if is_panel(user):
        return True
    return comment.stage == CommentStage.FINAL and report.status == ReportStatus.PUBLISHED


def can_see_panel_notes(user: Any) -> bool:
    """How the panel answered a comment (and why) is panel-internal."""
    return is_panel(user)
