"""Version pages of the country report: the list of snapshots and the comparison of any
two, paragraph by paragraph with a word-level diff (issue 5, point 3).

Versions are drafts: the panel sees all of them; the Party's users see the snapshots of
the text they were sent and later (:data:`monitor.reports.versions.PARTY_VERSION_STATES`);
nobody else sees any, even after publication (the published text is the report itself).
"""

from typing import Any

from flask import abort, render_template, request
from flask_login import current_user

from monitor.core.time import utcnow
from monitor.extensions import db
from monitor.reports import access, versions
from monitor.reports.labels import status_label
from monitor.reports.models import ReportVersion
from monitor.reports.services import users_by_id
from monitor.reports.views import _context, _deny, bp


def _visible_versions(evaluation_id: int) -> tuple[Any, Any, Any, list[ReportVersion]]:
    evaluation, report, party, rnd = _context(evaluation_id)
    if report is None:
        if access.is_panel(current_user):
            abort(404)
        _deny()
    if access.is_panel(current_user):
        rows = versions.versions(db.session, report)
    elif access.is_own_party(current_user, evaluation) and access.can_view_report(
        current_user, report, evaluation
    ):
        rows = [
            v
            for v in versions.versions(db.session, report)
            if v.status in versions.PARTY_VERSION_STATES
        ]
    else:
        _deny()
    return evaluation, report, party, rows


@bp.route("/evaluations/<int:evaluation_id>/report/versions")
def version_list(evaluation_id: int) -> str:
    """The report's versions the user may see, newest first, with a form to compare two."""
    evaluation, report, party, rows = _visible_versions(evaluation_id)
    users = users_by_id(db.session, {v.created_by_id for v in rows if v.created_by_id})
    return render_template(
        "reports/versions.html",
        evaluation=evaluation,
        report=report,
        party=party,
        versions=list(reversed(rows)),
        users=users,
        status_label=status_label,
    )


#: The number standing for the current text in a comparison (above every version).
CURRENT = 2**31 - 1


def _number(value: str | None) -> int | None:
    """A version number from the query string; ``current`` is :data:`CURRENT`."""
    if value == "current":
        return CURRENT
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@bp.route("/evaluations/<int:evaluation_id>/report/versions/compare")
def compare(evaluation_id: int) -> str:
    """Compare version ``a`` (older) with version ``b`` (newer), by version number. For
    the panel, ``b=current`` is the text as it stands now (not a stored version), so that
    changes made while revising can be checked against the text the Party was sent."""
    evaluation, report, party, rows = _visible_versions(evaluation_id)
    by_number: dict[int, ReportVersion] = {v.number: v for v in rows}
    if access.is_panel(current_user) and report is not None:
        by_number[CURRENT] = ReportVersion(
            report_id=report.id,
            number=CURRENT,
            status=report.status,
            action="current",
            content=versions.content_of(db.session, report),
            created_at=utcnow(),
        )
    a = _number(request.args.get("a"))
    b = _number(request.args.get("b"))
    if a not in by_number or b not in by_number:
        abort(404)
    old, new = by_number[a], by_number[b]  # type: ignore[index]
    if old.number > new.number:
        old, new = new, old
    changes = versions.compare(old.content, new.content)
    return render_template(
        "reports/compare.html",
        evaluation=evaluation,
        report=report,
        party=party,
        old=old,
        new=new,
        changes=changes,
        counts={
            state: sum(1 for c in changes if c.state == state)
            for state in ("changed", "added", "removed", "moved")
        },
        status_label=status_label,
    )
