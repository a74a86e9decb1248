"""The deadlines dashboard for the panel and the secretariat (issue 5, point 7): every
evaluation's next milestone and its overdue steps, sortable, with links."""

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from monitor.accounts.models import Party
from monitor.core.time import utcnow
from monitor.deadlines import Milestone, milestones_of, next_milestone
from monitor.extensions import db
from monitor.rounds.models import Evaluation, EvaluationRound

bp = Blueprint("deadlines", __name__)

#: ``?sort=`` values: the key each sorts on.
SORTS = ("due", "party", "round", "overdue")


def milestone_url(m: Milestone) -> str:
    """Where a milestone is dealt with: the reply and its evaluation, the report, or the
    recommendation."""
    if m.key in ("report_comments", "final_comments", "publication"):
        return url_for("reports.view", evaluation_id=m.evaluation_id)
    if m.key == "implementation_report":
        return url_for("recommendations.view", evaluation_id=m.evaluation_id)
    return url_for("evaluations.evaluation", evaluation_id=m.evaluation_id)


def dashboard_rows(today: date) -> list[dict[str, Any]]:
    """One row per evaluation: ``evaluation``, ``party``, ``round``, ``next`` (the pending
    milestone due first, or None), ``overdue`` (pending milestones past due) and
    ``days`` (days from today to ``next.due``; negative when late)."""
    evaluations = list(db.session.exec(select(Evaluation)))
    parties = {p.id: p for p in db.session.exec(select(Party))}
    rounds = {r.id: r for r in db.session.exec(select(EvaluationRound))}
    by_eval = milestones_of(db.session, evaluations, today)  # type: ignore[arg-type]
    rows = []
    for e in evaluations:
        ms = by_eval.get(e.id, [])  # type: ignore[arg-type]
        nxt = next_milestone(ms)
        rows.append(
            {
                "evaluation": e,
                "party": parties[e.party_id],
                "round": rounds[e.round_id],
                "next": nxt,
                "overdue": [m for m in ms if m.overdue],
                "days": (nxt.due - today).days if nxt else None,
            }
        )
    return rows


def sort_rows(rows: list[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    """Sort by ``key`` (one of :data:`SORTS`); rows without a next milestone go last when
    sorting by due date."""
    far = date.max

    def sort_key(r: dict[str, Any]) -> Any:
        if key == "party":
            return (r["party"].name,)
        if key == "round":
            return (r["round"].number, r["party"].name)
        if key == "overdue":
            return (len(r["overdue"]), r["party"].name)
        return (r["next"].due if r["next"] else far, r["party"].name)

    return sorted(rows, key=sort_key, reverse=descending)


@bp.route("/deadlines")
@login_required
def dashboard() -> str:
    """Every evaluation with its next milestone and overdue steps (panel and
    secretariat only). ``?sort=due|party|round|overdue`` and ``&desc=1``."""
    if not current_user.is_panel:
        abort(403)
    today = utcnow().date()
    key = request.args.get("sort", "due")
    if key not in SORTS:
        key = "due"
    descending = request.args.get("desc") == "1"
    rows = sort_rows(dashboard_rows(today), key, descending)
    return render_template(
        "public/deadlines.html",
        rows=rows,
        sort=key,
        desc=descending,
        today=today,
        milestone_url=milestone_url,
        overdue_total=sum(len(r["overdue"]) for r in rows),
    )
