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
from monitor.questionnaires.visibility import hidden_items
from monitor.rounds.access import evaluation_or_404
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions.attachments import attachments_of_replies
from monitor.submissions.definitions import answerable, definition_of, find_section
from monitor.submissions.forms import display_answer
from monitor.submissions.models import Answer, Reply, ReplyStatus
from monitor.submissions.validation import is_blank, visible_answers

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
    """The Party's reply and each NGO submission, section by section, side by side.

    Only submitted replies are shown (drafts belong to their authors). NGO answers are
    given in a column beside the Party's: its answers to items with the same ids, and to
    the NGO sections that name this section in ``mirrors`` (or share its id).
    """
    if not current_user.is_panel:
        abort(404)
    ev = evaluation_or_404(evaluation_id)
    party = db.session.get(Party, ev.party_id)
    submitted = db.session.exec(
        select(Reply).where(Reply.evaluation_id == ev.id, Reply.status == ReplyStatus.SUBMITTED)
    ).all()
    party_reply = next((r for r in submitted if r.audience == Audience.PARTY), None)
    ngo_replies = [r for r in submitted if r.audience == Audience.NGO]
    orgs: dict[int | None, Organisation | None] = {
        r.id: db.session.get(Organisation, r.organisation_id) for r in ngo_replies
    }
    reply_ids = [r.id for r in submitted]
    all_answers = db.session.exec(select(Answer).where(col(Answer.reply_id).in_(reply_ids))).all()
    by_reply: dict[int | None, dict[str, Any]] = {}
    for a in all_answers:
        by_reply.setdefault(a.reply_id, {})[a.item_id] = a.value
    locale = current_language()
    party_def = definition_of(db.session, ev.questionnaire_version_id)
    if party_reply is not None:
        party_def = definition_of(db.session, party_reply.questionnaire_version_id)
    ngo_defs: dict[int | None, Any] = {
        r.id: definition_of(db.session, r.questionnaire_version_id) for r in ngo_replies
    }
    sections = party_def.sections()
    section_id = request.args.get("section") or (sections[0].id if sections else None)
    sec = find_section(party_def, section_id) if section_id else None
    if sec is None:
        abort(404)
    # One column per reply: the Party's answers to this section, then each NGO's answers
    # to items with the same id or in NGO sections that mirror this section.
    # Hidden items (retired, or show_if false) are neither shown nor counted.
    party_values = visible_answers(
        party_def, by_reply.get(party_reply.id, {}) if party_reply else {}
    )
    party_hidden = hidden_items(party_def, party_values)
    party_column = [
        (
            item,
            display_answer(item, party_values.get(item.id), locale, party_values)
            if not is_blank(party_values.get(item.id))
            else None,
        )
        for item in answerable(sec.items)
        if item.id not in party_hidden
    ]
    party_ids = {item.id for item in answerable(sec.items)}
    columns = []
    for r in ngo_replies:
        values = visible_answers(ngo_defs[r.id], by_reply.get(r.id, {}))
        picked = []
        for ngo_sec in ngo_defs[r.id].sections():
            related = ngo_sec.id == sec.id or sec.id in ngo_sec.mirrors
            for i in answerable(ngo_sec.items):
                if (related or i.id in party_ids) and not is_blank(values.get(i.id)):
                    picked.append((i, display_answer(i, values.get(i.id), locale, values)))
        columns.append({"reply": r, "org": orgs[r.id], "items": picked})
    return render_template(
        "evaluations/compare.html",
        ev=ev,
        party=party,
        sections=sections,
        section=sec,
        party_reply=party_reply,
        party_column=party_column,
        ngo_columns=columns,
        files=attachments_of_replies(db.session, reply_ids),  # file answers as links
    )
