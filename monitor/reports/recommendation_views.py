"""The recommendation page of an evaluation (issue 5, point 6): the secretariat drafts,
edits and records the adoption; the Party answers each item and submits its
implementation report; the panel grades each item.

Who may do what (``shared/domain.md``, "Who may see what", and procedure steps 13-14):

- panel members and the secretariat see the recommendation at every stage; only the
  secretariat drafts it, edits it and records its adoption; the panel grades;
- the Party's users see it once adopted; contributors and the contact person write
  answers, the contact person submits the implementation report;
- nobody else sees this page (the public pages show each proposal's current grade).
"""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from monitor.accounts.models import Party, Role
from monitor.core.forms import Choice
from monitor.extensions import db
from monitor.reports import access
from monitor.reports import recommendations as recs
from monitor.reports.forms import ActionForm
from monitor.reports.models import Report, ReportStatus
from monitor.reports.recommendation_models import (
    Grade,
    Recommendation,
    RecommendationItem,
    RecommendationStatus,
)
from monitor.reports.services import paragraph_numbers, report_for_evaluation, users_by_id
from monitor.rounds.models import Evaluation, EvaluationRound

bp = Blueprint("recommendations", __name__, template_folder="templates")


def grade_label(grade: Grade | str | None) -> str:
    """The translated name of a follow-up grade ("Not graded yet" for None)."""
    if grade is None:
        return _("Not graded yet")
    return {
        Grade.IMPLEMENTED: _("Implemented"),
        Grade.PARTLY_IMPLEMENTED: _("Partly implemented"),
        Grade.NOT_IMPLEMENTED: _("Not implemented"),
        Grade.NO_INFORMATION: _("No information"),
    }[Grade(grade)]


class ItemTextForm(FlaskForm):
    text = TextAreaField(_l("Text of the item"), validators=[DataRequired(), Length(max=20000)])


class AdoptForm(FlaskForm):
    adopted_on = DateField(
        _l("Adopted by the Committee of the Parties on"), validators=[DataRequired()]
    )
    implementation_due = DateField(
        _l("Implementation report due (empty: the round's default)"), validators=[Optional()]
    )


class AnswerForm(FlaskForm):
    text = TextAreaField(
        _l("Measures taken on this item"), validators=[Optional(), Length(max=20000)]
    )


class GradeForm(FlaskForm):
    grade = RadioField(
        _l("Follow-up status"),
        choices=[
            Choice(Grade.IMPLEMENTED.value, _l("Implemented")),
            Choice(Grade.PARTLY_IMPLEMENTED.value, _l("Partly implemented")),
            Choice(Grade.NOT_IMPLEMENTED.value, _l("Not implemented")),
            Choice(Grade.NO_INFORMATION.value, _l("No information")),
        ],
        validators=[DataRequired()],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])


def is_secretariat(user: Any) -> bool:
    return access.is_panel(user) and getattr(user, "role", None) == Role.SECRETARIAT


def can_view(user: Any, rec: Recommendation | None, evaluation: Evaluation) -> bool:
    if access.is_panel(user):
        return True
    return (
        rec is not None
        and rec.status == RecommendationStatus.ADOPTED
        and access.is_own_party(user, evaluation)
    )


def _load(
    evaluation_id: int,
) -> tuple[Evaluation, Report, Recommendation | None, Party, EvaluationRound]:
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        abort(404)
    report = report_for_evaluation(db.session, evaluation_id)
    rec = recs.recommendation_for(db.session, report) if report is not None else None
    if report is None or not can_view(current_user, rec, evaluation):
        if not current_user.is_authenticated:
            abort(current_app.login_manager.unauthorized())  # type: ignore[attr-defined]
        abort(404)
    party = db.session.get(Party, evaluation.party_id)
    rnd = db.session.get(EvaluationRound, evaluation.round_id)
    assert party is not None and rnd is not None
    return evaluation, report, rec, party, rnd


def _item(rec: Recommendation | None, item_id: int) -> tuple[Recommendation, RecommendationItem]:
    item = db.session.get(RecommendationItem, item_id)
    if rec is None or item is None or item.recommendation_id != rec.id:
        abort(404)
    return rec, item


def _back(evaluation_id: int, anchor: str | None = None) -> Response:
    url = url_for("recommendations.view", evaluation_id=evaluation_id)
    return redirect(f"{url}#{anchor}" if anchor else url)


def _apply(change: Callable[[], object], done: str) -> bool:
    """Run ``change`` (a call of :mod:`monitor.reports.recommendations`), commit and flash
    ``done``; a refusal (RecommendationError) is rolled back and its message flashed.
    Returns True when the change was made."""
    try:
        change()
        db.session.commit()
    except recs.RecommendationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    flash(done, "success")
    return True


@bp.route("/evaluations/<int:evaluation_id>/recommendation")
def view(evaluation_id: int) -> str:
    """The recommendation with, per item, its proposal paragraph, the Party's answer and
    the grading history; the forms the current user may use."""
    evaluation, report, rec, party, rnd = _load(evaluation_id)
    ctx: dict[str, Any] = {
        "evaluation": evaluation,
        "report": report,
        "rec": rec,
        "party": party,
        "round": rnd,
        "action_form": ActionForm(),
        "is_secretariat": is_secretariat(current_user),
        "published": report.status == ReportStatus.PUBLISHED,
        "grade_label": grade_label,
    }
    if rec is not None:
        rec_items = recs.items(db.session, rec)
        history = recs.grade_history(db.session, [i.id for i in rec_items if i.id])
        got = recs.answers(db.session, rec)
        user_ids = {g.graded_by_id for gs in history.values() for g in gs if g.graded_by_id}
        user_ids |= {a.updated_by_id for a in got.values() if a.updated_by_id}
        user_ids |= {i for i in (rec.adopted_by_id, rec.implementation_submitted_by_id) if i}
        adopted = rec.status == RecommendationStatus.ADOPTED
        own = access.is_own_party(current_user, evaluation)
        ctx.update(
            items=rec_items,
            numbers=paragraph_numbers(db.session, report),
            history=history,
            answers=got,
            users=users_by_id(db.session, user_ids),
            can_edit=is_secretariat(current_user) and not adopted,
            can_answer=own and adopted and rec.implementation_submitted_at is None,
            can_submit=own
            and adopted
            and rec.implementation_submitted_at is None
            and current_user.role == Role.PARTY_CONTACT,
            can_grade=access.is_panel(current_user) and adopted,
            adopt_form=AdoptForm(formdata=None),
            text_form=ItemTextForm(formdata=None),
            answer_form=AnswerForm(formdata=None),
            grade_form=GradeForm(formdata=None),
        )
    return render_template("recommendations/view.html", **ctx)


def _secretariat_only() -> None:
    if not is_secretariat(current_user):
        abort(403)


@bp.route("/evaluations/<int:evaluation_id>/recommendation/draft", methods=["POST"])
def draft(evaluation_id: int) -> Response:
    evaluation, report, rec, party, rnd = _load(evaluation_id)
    _secretariat_only()
    if ActionForm().validate_on_submit():
        _apply(
            lambda: recs.draft_recommendation(db.session, report, current_user),
            _("The recommendation has been drafted from the report's proposals."),
        )
    return _back(evaluation_id)


@bp.route(
    "/evaluations/<int:evaluation_id>/recommendation/items/<int:item_id>/text", methods=["POST"]
)
def edit_item(evaluation_id: int, item_id: int) -> Response:
    evaluation, report, rec, party, rnd = _load(evaluation_id)
    _secretariat_only()
    rec, item = _item(rec, item_id)
    form = ItemTextForm()
    if not form.validate_on_submit():
        flash(_("An item needs text."), "error")
        return _back(evaluation_id, f"item-{item.id}")
    _apply(
        lambda: recs.update_item(db.session, rec, item, current_user, form.text.data or ""),
        _("The item has been changed."),
    )
    return _back(evaluation_id, f"item-{item.id}")


@bp.route("/evaluations/<int:evaluation_id>/recommendation/adopt", methods=["POST"])
def adopt(evaluation_id: int) -> Response:
    evaluation, report, rec, party, rnd = _load(evaluation_id)
    _secretariat_only()
    if rec is None:
        abort(404)
    form = AdoptForm()
    if not form.validate_on_submit() or form.adopted_on.data is None:
        flash(_("Give the date on which the Committee of the Parties adopted it."), "error")
        return _back(evaluation_id, "adopt")
    _apply(
        lambda: recs.adopt_recommendation(
            db.session, rec, current_user, form.adopted_on.data, form.implementation_due.data
        ),
        _("The adoption of the recommendation has been recorded."),
    )
    return _back(evaluation_id)


@bp.route(
    "/evaluations/<int:evaluation_id>/recommendation/items/<int:item_id>/answer",
    methods=["POST"],
)
def answer(evaluation_id: int, item_id: int) -> Response:
    evaluation, report, rec, party, rnd = _load(evaluation_id)
    if not access.is_own_party(current_user, evaluation):
        abort(403)
    rec, item = _item(rec, item_id)
    form = AnswerForm()
    if form.validate_on_submit():
        _apply(
            lambda: recs.save_answer(db.session, rec, item, current_user, form.text.data or ""),
            _("Your answer has been saved."),
        )
    return _back(evaluation_id, f"item-{item.id}")


@bp.route("/evaluations/<int:evaluation_id>/recommendation/submit", methods=["POST"])
def submit(evaluation_id: int) -> Response:
    evaluation, report, rec, party, rnd = _load(evaluation_id)
    if not access.is_own_party(current_user, evaluation) or current_user.role != Role.PARTY_CONTACT:
        abort(403)
    if rec is None:
        abort(404)
    if ActionForm().validate_on_submit():
        _apply(
            lambda: recs.submit_implementation_report(db.session, rec, current_user),
            _("The implementation report has been submitted."),
        )
    return _back(evaluation_id)


@bp.route(
    "/evaluations/<int:evaluation_id>/recommendation/items/<int:item_id>/grade",
    methods=["POST"],
)
def grade(evaluation_id: int, item_id: int) -> Response:
    evaluation, report, rec, party, rnd = _load(evaluation_id)
    if not access.is_panel(current_user):
        abort(403)
    rec, item = _item(rec, item_id)
    form = GradeForm()
    if not form.validate_on_submit():
        flash(_("Choose a follow-up status."), "error")
        return _back(evaluation_id, f"item-{item.id}")
    _apply(
        lambda: recs.grade_item(
            db.session, rec, item, current_user, Grade(form.grade.data), form.comment.data or ""
        ),
        _("The follow-up status has been recorded."),
    )
    return _back(evaluation_id, f"item-{item.id}")
