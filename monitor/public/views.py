"""Start page, the signed-in dashboard and published reports."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from monitor.accounts.models import Party
from monitor.extensions import db
from monitor.reports.models import Report, ReportStatus
from monitor.rounds.models import Evaluation, EvaluationRound

bp = Blueprint("public", __name__)


@bp.route("/")
def index() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("public.dashboard"))
    return render_template("public/index.html")


@bp.route("/dashboard")
@login_required
def dashboard() -> str:
    """The signed-in start page: what this user has to do."""
    from sqlmodel import col, select

    from monitor.accounts.models import Organisation, Party
    from monitor.extensions import db
    from monitor.public.evaluations import evaluation_rows
    from monitor.rounds.models import Audience, Evaluation, QuestionnaireVersion
    from monitor.submissions.models import Reply

    ctx: dict[str, object] = {}
    if current_user.is_panel:
        evals = list(db.session.exec(select(Evaluation)).all())
        ctx["rows"] = evaluation_rows(evals)
    elif current_user.is_party:
        evals = list(
            db.session.exec(select(Evaluation).where(Evaluation.party_id == current_user.party_id))
        )
        ctx["rows"] = evaluation_rows(evals)
        ctx["party"] = db.session.get(Party, current_user.party_id)
    elif current_user.is_ngo:
        org = db.session.get(Organisation, current_user.organisation_id)
        mine = list(
            db.session.exec(
                select(Reply).where(
                    Reply.organisation_id == current_user.organisation_id,
                    Reply.audience == Audience.NGO,
                )
            )
        )
        started = {r.evaluation_id for r in mine}
        # only rounds that have an NGO questionnaire can take NGO input (procedure step 4)
        ngo_rounds = set(
            db.session.exec(
                select(QuestionnaireVersion.round_id).where(
                    QuestionnaireVersion.audience == Audience.NGO
                )
            )
        )
        query = select(Evaluation).where(
            col(Evaluation.round_id).in_(ngo_rounds) | col(Evaluation.id).in_(started)
        )
        evals = list(db.session.exec(query).all())
        rows = evaluation_rows(evals)
        ctx.update(
            org=org,
            submissions=[
                (r, next(x for x in rows if x["evaluation"].id == r.evaluation_id)) for r in mine
            ],
            available=[x for x in rows if x["evaluation"].id not in started],
        )
    return render_template("public/dashboard.html", **ctx)


@bp.route("/published")
def published() -> str:
    """Every published country report, newest first: ``reports`` is a list of
    ``(report, evaluation, party, round)`` tuples (procedure step 12: published reports
    are public)."""
    rows = db.session.exec(
        select(Report, Evaluation, Party, EvaluationRound)
        .join(Evaluation, Evaluation.id == Report.evaluation_id)  # type: ignore[arg-type]
        .join(Party, Party.id == Evaluation.party_id)  # type: ignore[arg-type]
        .join(EvaluationRound, EvaluationRound.id == Evaluation.round_id)  # type: ignore[arg-type]
        .where(Report.status == ReportStatus.PUBLISHED)
        .order_by(Report.published_at.desc(), Party.name)  # type: ignore[union-attr]
    ).all()
    return render_template("public/published.html", reports=rows)
