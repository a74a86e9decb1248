"""Who may see and do what with a country report.

The rules follow "Who may see what" in ``shared/domain.md`` and procedure steps 6-12:

- panel members and the secretariat see every report, at every stage, with every comment;
- a Party's users (contact person and contributors) see their own Party's report once it
  has been sent to the Party (never while it is drafted, never another Party's);
- NGO users, other Parties' users and the public see a report only once it is
  published (before that, a signed-in user without access gets 404, never a hint that
  the draft exists);
- only the Party's contact person comments on the draft, while it is with the Party; the
  Party's comments become public with the published report (in this first version the
  one comment cycle stands for the Party's comments that GRETA publishes);
- only the panel and the secretariat edit the text and move the report through its cycle.

Every function takes ``user`` as Flask-Login's current user (possibly anonymous: no
``role`` attribute) and never touches the database.
"""

from typing import Any

from monitor.accounts.models import Role
from monitor.reports.models import Report, ReportComment, ReportStatus
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
        return report.status != ReportStatus.DRAFTING
    return False


def can_edit_report(user: Any, report: Report | None) -> bool:
    """The panel edits the text while it is drafted or with the Party for comments."""
    return is_panel(user) and report is not None and report.status in EDITABLE


def can_manage_cycle(user: Any, report: Report | None = None) -> bool:
    """The panel starts the report, sends it, adopts it, publishes it and deals with the
    Party's comments."""
    return is_panel(user)


def can_comment(user: Any, report: Report | None, evaluation: Evaluation) -> bool:
    """Only the Party's contact person, only while the draft is with the Party
    (procedure steps 8-9)."""
    return (
        report is not None
        and report.status == ReportStatus.SENT_TO_PARTY
        and is_own_party(user, evaluation)
        and user.role == Role.PARTY_CONTACT
    )


def can_see_comment(
    user: Any,
    comment: ReportComment,
    report: Report,
    evaluation: Evaluation,
    party_user_ids: set[int],
) -> bool:
    """The panel sees every comment; the Party's users see the comments made by their
    Party (``party_user_ids``: ids of that Party's users). Before publication the
    comments are confidential; the published report carries the Party's comments for
    everyone, as the PDF does (procedure step 12: the report is published together with
    the Party's comments). The panel's notes on them stay internal."""
    if is_panel(user):
        return True
    if comment.author_id not in party_user_ids:
        return False
    return report.status == ReportStatus.PUBLISHED or is_own_party(user, evaluation)


def can_see_panel_notes(user: Any) -> bool:
    """How the panel dealt with a comment is panel-internal."""
    return is_panel(user)
