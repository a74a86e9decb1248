"""Additional requests for information over HTTP: the panel sends them from the
evaluation, respondents answer them (draft, then submit), the panel reads the answers.

Access (:mod:`monitor.submissions.requests`): the panel sees every request; the Party's
users only the Party's; an NGO's users only their organisation's. Anything else is 404,
so that a request to an NGO does not even exist for the Party.
"""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlmodel import col, select
from werkzeug.wrappers import Response
from wtforms import DateField, FieldList, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from monitor.accounts.models import Organisation, Party, User
from monitor.core.web import current_language
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions import requests as info
from monitor.submissions.models import InformationRequest, Reply, ReplyStatus

bp = Blueprint("requests", __name__, template_folder="templates")


class SendRequestForm(FlaskForm):
    to = SelectField("Addressed to", validators=[DataRequired()])
    deadline = DateField("Deadline", validators=[DataRequired()])
    questions = FieldList(
        TextAreaField("Question", validators=[Optional(), Length(max=10000)]),
        min_entries=info.MAX_QUESTIONS,
        max_entries=info.MAX_QUESTIONS,
    )


def _ngo_targets(evaluation: Evaluation) -> list[Organisation]:
    """The NGOs with a submitted submission on the evaluation (the ones the panel knows)."""
    org_ids = db.session.exec(
        select(Reply.organisation_id).where(
            Reply.evaluation_id == evaluation.id,
            Reply.audience == Audience.NGO,
            Reply.status == ReplyStatus.SUBMITTED,
        )
    ).all()
    if not org_ids:
        return []
    return list(
        db.session.exec(
            select(Organisation)
            .where(col(Organisation.id).in_(org_ids))
            .order_by(col(Organisation.name))
        ).all()
    )


def _context(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "evaluation": evaluation,
        "party": db.session.get(Party, evaluation.party_id),
        "round": db.session.get(EvaluationRound, evaluation.round_id),
    }


@bp.route("/evaluations/<int:evaluation_id>/requests/new", methods=["GET", "POST"])
@login_required
def new(evaluation_id: int) -> str | Response:
    """The panel writes a request (deadline, questions) to the Party or to one NGO."""
    if not info.can_send_request(current_user):
        abort(404)
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        abort(404)
    party = db.session.get(Party, evaluation.party_id)
    orgs = _ngo_targets(evaluation)
    form = SendRequestForm()
    form.to.choices = [("party", party.name if party else _("The Party"))] + [
        (f"ngo:{o.id}", _("NGO: %(name)s", name=o.name)) for o in orgs
    ]
    if form.validate_on_submit():
        org = None
        if form.to.data and form.to.data.startswith("ngo:"):
            org = next((o for o in orgs if f"ngo:{o.id}" == form.to.data), None)
            if org is None:
                abort(400)
        try:
            sent = info.send_request(
                db.session,
                evaluation,
                current_user,
                form.deadline.data,  # type: ignore[arg-type]
                [q.data or "" for q in form.questions],
                org,
            )
        except info.RequestError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            link = url_for("requests.show", request_id=sent.id, _external=True)
            _sent, failed = info.send_request_notices(db.session, sent, link)
            flash(_("The request has been sent."), "success")
            if failed:
                flash(_("Some respondents could not be told by e-mail."), "error")
            return redirect(url_for("requests.show", request_id=sent.id))
    elif request.method == "POST":
        flash(_("Choose who the request is for and give a deadline."), "error")
    return render_template("submissions/request_new.html", form=form, **_context(evaluation))


def _request_or_404(request_id: int) -> tuple[InformationRequest, Evaluation]:
    found = db.session.get(InformationRequest, request_id)
    if found is None:
        abort(404)
    evaluation = db.session.get(Evaluation, found.evaluation_id)
    if evaluation is None or not info.can_view_request(current_user, found, evaluation):
        abort(404)
    return found, evaluation


@bp.route("/requests/<int:request_id>", methods=["GET", "POST"])
@login_required
def show(request_id: int) -> str | Response:
    """A request: its questions and deadline; for respondents, while open, a form to
    save answers as a draft and (contact person, NGO) submit them; for the panel, the
    answers once submitted."""
    found, evaluation = _request_or_404(request_id)
    questions = info.questions_of(db.session, found)
    if request.method == "POST":
        if not info.can_answer_request(current_user, found, evaluation):
            abort(403)
        answers = {
            q.id: request.form.get(f"answer-{q.id}", "")
            for q in questions
            if f"answer-{q.id}" in request.form
        }
        info.save_answers(db.session, found, current_user, answers, current_language())  # type: ignore[arg-type]
        if request.form.get("action") == "submit":
            if not info.can_submit_request(current_user, found, evaluation):
                db.session.commit()  # the draft is kept
                abort(403)
            try:
                info.submit_answers(db.session, found, current_user)
            except info.RequestError as exc:
                db.session.commit()  # keep the draft; say what is missing
                flash(str(exc), "error")
                return redirect(url_for("requests.show", request_id=found.id))
            db.session.commit()
            flash(_("Your answers have been submitted."), "success")
        else:
            db.session.commit()
            flash(_("Your answers have been saved."), "success")
        return redirect(url_for("requests.show", request_id=found.id))
    org = db.session.get(Organisation, found.organisation_id) if found.organisation_id else None
    people = {
        u.id: u.name
        for u in (
            db.session.get(User, i)
            for i in {found.sent_by_id, found.answered_by_id} | {q.updated_by_id for q in questions}
            if i
        )
        if u is not None
    }
    return render_template(
        "submissions/request.html",
        info_request=found,
        questions=questions,
        org=org,
        people=people,
        overdue=info.is_overdue(found),
        editable=info.can_answer_request(current_user, found, evaluation),
        may_submit=info.can_submit_request(current_user, found, evaluation),
        show_answers=info.can_see_answers(current_user, found, evaluation),
        **_context(evaluation),
    )


@bp.record_once
def _register_globals(state: Any) -> None:
    """Jinja globals for the boxes of requests on the task list, the reply page and the
    evaluation page: ``information_requests(evaluation_id, reply=None)`` gives the
    requests the current user may see (for a reply: those addressed to its respondents)
    as dicts ``{"request", "overdue", "questions", "org", "show_answers"}``."""

    def information_requests(evaluation_id: int, reply: Reply | None = None) -> list[Any]:
        evaluation = db.session.get(Evaluation, evaluation_id)
        if evaluation is None or not current_user.is_authenticated:
            return []
        audience = reply.audience if reply is not None else None
        org_id = reply.organisation_id if reply is not None else None
        rows = info.visible_requests(db.session, current_user, evaluation, audience, org_id)
        out = []
        for r in rows:
            org = db.session.get(Organisation, r.organisation_id) if r.organisation_id else None
            out.append(
                {
                    "request": r,
                    "overdue": info.is_overdue(r),
                    "questions": info.questions_of(db.session, r),
                    "org": org,
                    "show_answers": info.can_see_answers(current_user, r, evaluation),
                }
            )
        return out

    state.app.jinja_env.globals["information_requests"] = information_requests
