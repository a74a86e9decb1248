"""Translated labels of the report cycle's states, actions and answers (lazy, so that
they follow the language of the request that shows them)."""

from flask_babel import lazy_gettext as _l

from monitor.reports.models import CommentResponse, PlenaryItemKind, ReportStatus

STATUS_LABELS = {
    ReportStatus.DRAFTING: _l("Being drafted"),
    ReportStatus.PANEL_REVIEW: _l("Panel review"),
    ReportStatus.DRAFT_APPROVED: _l("Draft approved"),
    ReportStatus.SENT_TO_PARTY: _l("With the Party for comments"),
    ReportStatus.PARTY_COMMENTED: _l("Comments of the Party received"),
    ReportStatus.REVISING: _l("Being revised"),
    ReportStatus.ADOPTED: _l("Adopted"),
    ReportStatus.TRANSMITTED: _l("Transmitted for final comments"),
    ReportStatus.PUBLISHED: _l("Published"),
}

RESPONSE_LABELS = {
    CommentResponse.TAKEN_INTO_ACCOUNT: _l("Taken into account"),
    CommentResponse.PARTLY: _l("Partly taken into account"),
    CommentResponse.NOT_TAKEN: _l("Not taken into account"),
}

AGENDA_LABELS = {
    PlenaryItemKind.APPROVE_DRAFT: _l("Approve the draft"),
    PlenaryItemKind.ADOPT: _l("Adopt the final report"),
}


def status_label(status: ReportStatus | str) -> str:
    """The translated name of a report state."""
    return str(STATUS_LABELS[ReportStatus(status)])
