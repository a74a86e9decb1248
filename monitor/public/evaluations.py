"""Evaluation pages: every evaluation with its status (panel), one evaluation with its
reply, NGO submissions and report, and the replies side by side.

These pages read rounds, submissions and reports together, so they live in the top layer
(``public/``), above every domain they read."""

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlmodel import col, select

from monitor.accounts.models import Organisation, Party
from monitor.core.web import current_language
from monitor.extensions import db
from monitor.rounds.access import evaluation_or_404
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions.models import Reply, ReplyStatus
from monitor.submissions.side_by_side import side_by_side

bp = Blueprint("evaluations", __name__, template_folder="templates")


def evaluation_rows(evaluations: list[Evaluation]) -> list[dict[str, Any]]:
    """One row per evaluation for the status list: Party, round, the Party's reply, the
    number of submitted NGO submissions and the report (a fixed number of queries)."""
    from monitor.reports.models import Report

    ids = [e.id for e in evaluations]
    parties = {p.id: p for p in db.session.exec(select(Party)).all()}
    rounds = {r.id: r for r in db.session.exec(select(EvaluationRound)).all()}
    replies = db.session.exec(select(Reply).where(col(Reply.evaluation_id).in_(ids))).all()
    reports: dict[int | None, Report] = {
        r.evaluation_id: r
        for r in db.session.exec(select(Report).where(col(Report.evaluation_id).in_(ids))).all()
    }
    rows = []
    for e in evaluations:
        mine = [r for r in replies if r.evaluation_id == e.id]
        party_reply = next((r for r in mine if r.audience == Audience.PARTY), None)
        ngo = [r for r in mine if r.audience == Audience.NGO and r.status == ReplyStatus.SUBMITTED]
        rows.append(
            {
                "evaluation": e,
                "party": parties.get(e.party_id),
                "round": rounds.get(e.round_id),
                "reply": party_reply,
                "ngo_count": len(ngo),
                "report": reports.get(e.id),
            }
        )
    return rows


@bp.route("/evaluations")
@login_required
def index() -> str:
    """Every evaluation with its status (panel and secretariat)."""
    if not current_user.is_panel:
        abort(403)
    evals = list(db.session.exec(select(Evaluation)).all())
    rows = evaluation_rows(evals)
    rows.sort(key=lambda r: (-(r["round"].number if r["round"] else 0), r["party"].name))
    return render_template("evaluations/evaluations.html", rows=rows)


@bp.route("/evaluations/<int:evaluation_id>")
@login_required
def evaluation(evaluation_id: int) -> str:
    """One evaluation: dates, the Party's reply, NGO submissions, the report."""
    ev = evaluation_or_404(evaluation_id)
    row = evaluation_rows([ev])[0]
    ngo_replies = []
    if current_user.is_panel:
        for r in db.session.exec(
            select(Reply).where(
                Reply.evaluation_id == ev.id,
                Reply.audience == Audience.NGO,
                Reply.status == ReplyStatus.SUBMITTED,
            )
        ).all():
            ngo_replies.append((r, db.session.get(Organisation, r.organisation_id)))
    return render_template("evaluations/evaluation.html", row=row, ev=ev, ngo_replies=ngo_replies)


@bp.route("/evaluations/<int:evaluation_id>/compare")
@login_required
def compare(evaluation_id: int) -> str:
    """The Party's reply and each NGO submission, section by section, side by side (see
    :func:`monitor.submissions.side_by_side.side_by_side`). An answer cited by report
    paragraphs links to them ("Cited in §N"); panel only, like the page."""
    from monitor.reports.citations import citing_paragraphs

    if not current_user.is_panel:
        abort(404)
    ev = evaluation_or_404(evaluation_id)
    party = db.session.get(Party, ev.party_id)
    sbs = side_by_side(db.session, ev, request.args.get("section"), current_language())
    if sbs is None:
        abort(404)
    return render_template(
        "evaluations/compare.html",
        ev=ev,
        party=party,
        sbs=sbs,
        section=sbs.section,
        sections=sbs.sections,
        cited_in=citing_paragraphs(db.session, sbs.answer_keys()),
    )
