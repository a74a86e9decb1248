"""Answering a questionnaire: task list, section pages, check answers, submission,
read-only reply."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from monitor.accounts.models import Organisation, Party, User
from monitor.core.web import current_language
from monitor.extensions import db
from monitor.rounds.access import evaluation_or_404
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions import services
from monitor.submissions.access import (
    can_edit_reply,
    can_submit_reply,
    is_respondent,
    reply_or_404,
)
from monitor.submissions.definitions import answerable, definition_of, find_section
from monitor.submissions.forms import (
    build_form_class,
    display_answer,
    form_data,
    values_from_form,
)
from monitor.submissions.progress import section_progress
from monitor.submissions.validation import Problem, check_item, is_blank

bp = Blueprint("submissions", __name__, template_folder="templates")


@bp.record_once
def _register_table_helpers(state: Any) -> None:
    # globals, not a context processor: imported macros see globals only
    from monitor.submissions.definitions import column_groups, table_columns, table_rows

    state.app.jinja_env.globals.update(
        table_rows=table_rows, table_columns=table_columns, column_groups=column_groups
    )


def _context(reply: Any, evaluation: Evaluation) -> dict[str, Any]:
    party = db.session.get(Party, evaluation.party_id)
    rnd = db.session.get(EvaluationRound, evaluation.round_id)
    org = db.session.get(Organisation, reply.organisation_id) if reply.organisation_id else None
    return {"reply": reply, "evaluation": evaluation, "party": party, "round": rnd, "org": org}


@bp.route("/replies/<int:reply_id>")
@login_required
def task_list(reply_id: int) -> str | Response:
    """The task list: the questionnaire's sections with status and progress."""
    reply, evaluation = reply_or_404(reply_id)
    if not can_edit_reply(current_user, reply, evaluation):
        return redirect(url_for("submissions.reply_view", reply_id=reply.id))
    definition = definition_of(db.session, reply.questionnaire_version_id)
    values = services.answer_values(db.session, reply)
    progress = section_progress(definition, values)
    completed = sum(1 for p in progress.values() if p.status == "completed")
    return render_template(
        "submissions/task_list.html",
        definition=definition,
        progress=progress,
        completed=completed,
        can_submit=can_submit_reply(current_user, reply, evaluation),
        **_context(reply, evaluation),
    )


@bp.route("/replies/<int:reply_id>/sections/<section_id>", methods=["GET", "POST"])
@login_required
def section(reply_id: int, section_id: str) -> str | Response:
    """One section as a page of fields. POST saves a draft without validation; the
    language buttons save first, then switch, so nothing typed is lost."""
    reply, evaluation = reply_or_404(reply_id)
    if not can_edit_reply(current_user, reply, evaluation):
        return redirect(url_for("submissions.reply_view", reply_id=reply.id, _anchor=section_id))
    definition = definition_of(db.session, reply.questionnaire_version_id)
    sec = find_section(definition, section_id)
    if sec is None:
        abort(404)
    locale = current_language()
    form_cls = build_form_class(sec)
    answers = services.answers_of(db.session, reply)
    if request.method == "POST":
        form = form_cls()
        action = request.form.get("action", "save")
        values = values_from_form(form, sec, locale)
        services.save_answers(db.session, reply, current_user, values, locale)
        db.session.commit()
        if action.startswith("lang:") and action[5:] in ("en", "fr", "ru"):
            session["lang"] = action[5:]
            current_user.locale = action[5:]
            db.session.commit()
            return redirect(url_for("submissions.section", reply_id=reply.id, section_id=sec.id))
        flash(_("Your answers have been saved."), "success")
        if action == "next":
            ids = [s.id for s in definition.sections()]
            i = ids.index(sec.id)
            if i + 1 < len(ids):
                return redirect(
                    url_for("submissions.section", reply_id=reply.id, section_id=ids[i + 1])
                )
        if action in ("save", "next"):
            return redirect(url_for("submissions.task_list", reply_id=reply.id))
        return redirect(url_for("submissions.section", reply_id=reply.id, section_id=sec.id))
    form = form_cls(data=form_data(sec, {k: a.value for k, a in answers.items()}, locale))
    sections = definition.sections()
    index = [s.id for s in sections].index(sec.id)
    author_ids = {a.updated_by_id for a in answers.values() if a.updated_by_id}
    authors = {
        u.id: u.name
        for u in db.session.exec(select(User).where(User.id.in_(author_ids)))  # type: ignore[union-attr]
    }
    error_list: list[Any] = []
    errors: dict[str, Any] = {}
    if request.args.get("check"):
        # Came from "check answers": show this section's problems beside the fields.
        values = {k: a.value for k, a in answers.items()}
        for item in answerable(sec.items):
            for message, cell, level in check_item(item, values.get(item.id)):
                if level != "error":
                    continue
                p = Problem(sec.id, item.id, message, level, cell)
                error_list.append(p)
                errors.setdefault(item.id, []).append(message)
                if cell:
                    errors.setdefault("cells:" + item.id, {})[cell] = message
    return render_template(
        "submissions/section.html",
        definition=definition,
        section=sec,
        form=form,
        answers=answers,
        position=index + 1,
        total=len(sections),
        is_last=index + 1 == len(sections),
        errors=errors,
        error_list=error_list,
        authors=authors,
        **_context(reply, evaluation),
    )


@bp.route("/replies/<int:reply_id>/check", methods=["GET", "POST"])
@login_required
def check(reply_id: int) -> str | Response:
    """Check answers, then submit (POST). Submission refused with an error summary that
    links to each problem."""
    reply, evaluation = reply_or_404(reply_id)
    if not can_edit_reply(current_user, reply, evaluation):
        return redirect(url_for("submissions.reply_view", reply_id=reply.id))
    may_submit = can_submit_reply(current_user, reply, evaluation)
    problems = services.check_reply(db.session, reply)
    if request.method == "POST":
        if not may_submit:
            abort(403)
        try:
            services.submit_reply(db.session, reply, current_user)
        except services.SubmissionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            problems = exc.problems or problems
        else:
            db.session.commit()
            flash(_("Your reply has been submitted."), "success")
            return redirect(url_for("submissions.reply_view", reply_id=reply.id))
    definition = definition_of(db.session, reply.questionnaire_version_id)
    titles = {s.id: s.title for s in definition.sections()}
    labels = {i.id: i.label for i in definition.items()}
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level == "warning"]
    values = services.answer_values(db.session, reply)
    progress = section_progress(definition, values)
    return render_template(
        "submissions/check.html",
        definition=definition,
        errors=errors,
        warnings=warnings,
        titles=titles,
        labels=labels,
        progress=progress,
        may_submit=may_submit,
        **_context(reply, evaluation),
    )


@bp.route("/replies/<int:reply_id>/view")
@login_required
def reply_view(reply_id: int) -> str:
    """The reply, read-only, section by section."""
    reply, evaluation = reply_or_404(reply_id)
    definition = definition_of(db.session, reply.questionnaire_version_id)
    answers = services.answers_of(db.session, reply)
    locale = current_language()
    shown = {
        i.id: display_answer(i, answers[i.id].value, locale)
        for i in answerable(definition.items())
        if i.id in answers and not is_blank(answers[i.id].value)
    }
    return render_template(
        "submissions/reply_view.html",
        definition=definition,
        shown=shown,
        answers=answers,
        editable=can_edit_reply(current_user, reply, evaluation),
        respondent=is_respondent(current_user, reply, evaluation),
        **_context(reply, evaluation),
    )


@bp.route("/evaluations/<int:evaluation_id>/ngo-submission", methods=["POST"])
@login_required
def start_ngo_submission(evaluation_id: int) -> Response:
    """An NGO user starts (or resumes) their organisation's submission on a Party."""
    if not current_user.is_ngo or current_user.organisation_id is None:
        abort(403)
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        abort(404)
    org = db.session.get(Organisation, current_user.organisation_id)
    try:
        reply = services.get_or_create_reply(db.session, evaluation, Audience.NGO, org)
    except services.SubmissionError as exc:
        flash(str(exc), "error")
        return redirect(url_for("public.dashboard"))
    db.session.commit()
    return redirect(url_for("submissions.task_list", reply_id=reply.id))


@bp.route("/evaluations/<int:evaluation_id>/reply", methods=["POST"])
@login_required
def start_party_reply(evaluation_id: int) -> Response:
    """A Party user opens the Party's reply (created as a draft on first use)."""
    evaluation = evaluation_or_404(evaluation_id)
    if not current_user.is_party:
        abort(403)
    reply = services.get_or_create_reply(db.session, evaluation, Audience.PARTY)
    db.session.commit()
    return redirect(url_for("submissions.task_list", reply_id=reply.id))


@bp.route("/replies/<int:reply_id>/confidentiality", methods=["POST"])
@login_required
def confidentiality(reply_id: int) -> Response:
    reply, evaluation = reply_or_404(reply_id)
    if reply.audience != Audience.NGO or not is_respondent(current_user, reply, evaluation):
        abort(403)
    services.set_confidential(
        db.session, reply, current_user, request.form.get("publishable") != "1"
    )
    db.session.commit()
    flash(_("Your choice about publication has been saved."), "success")
    return redirect(url_for("submissions.task_list", reply_id=reply.id))
