"""Answering a questionnaire: task list, section pages, check answers, submission,
read-only reply, attachment downloads."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlmodel import select
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict, MultiDict
from werkzeug.wrappers import Response

from monitor.accounts.models import Organisation, Party, User
from monitor.core.downloads import content_disposition
from monitor.core.i18n import qtext
from monitor.core.storage import current_storage
from monitor.core.time import utcnow
from monitor.core.web import current_language
from monitor.extensions import db
from monitor.questionnaires.conditions import references, to_json
from monitor.questionnaires.schema import GroupItem
from monitor.questionnaires.visibility import hidden_items, hidden_members, parsed
from monitor.rounds.access import evaluation_or_404
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions import (
    attachments,
    carryover_views,
    conflicts,
    receipts,
    section_markup,
    services,
    stash,
    team,
    team_views,
)
from monitor.submissions.access import (
    can_edit_reply,
    can_edit_section,
    can_submit_reply,
    is_respondent,
    reply_or_404,
    reply_with_party_or_404,
)
from monitor.submissions.definitions import answerable, definition_of, facts_of, find_section
from monitor.submissions.forms import (
    build_form_class,
    display_answer,
    entry_counts,
    form_data,
    is_not_available,
    posted_items,
    removed_entry,
    section_part,
    values_from_form,
    values_from_post,
    with_added_entry,
)
from monitor.submissions.progress import section_progress
from monitor.submissions.validation import Note, Problem, validate_reply, visible_answers

bp = Blueprint("submissions", __name__, template_folder="templates")


@bp.record_once
def _register_table_helpers(state: Any) -> None:
    # globals, not a context processor: imported macros see globals only
    from monitor.submissions.definitions import column_groups, table_columns, table_rows

    state.app.jinja_env.globals.update(
        table_rows=table_rows,
        table_columns=table_columns,
        column_groups=column_groups,
        condition_json=_condition_json,
        hidden_attribute=section_markup.hidden_attribute,
        answer_note=section_markup.answer_note,
        is_not_available=is_not_available,
    )


@bp.record_once
def _register_file_helpers(state: Any) -> None:  # --- file items
    from monitor.submissions.files import file_type_label

    def blank_file_field(item: Any) -> attachments.FileField:
        """For pages without a reply (the preview): the field with nothing attached."""
        return attachments.blank_file_field(
            item, current_app.config["MAX_UPLOAD_BYTES"], current_language()
        )

    state.app.jinja_env.filters["file_type"] = file_type_label
    state.app.jinja_env.globals["blank_file_field"] = blank_file_field


def _condition_json(expression: str) -> str:
    """A ``show_if`` condition as JSON for ``data-show-if`` (see conditions.to_json)."""
    tree = parsed(expression)
    return json.dumps(to_json(tree) if tree is not None else {"lit": ""})


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
    progress = section_progress(definition, values, carryover_views.carried_keys(reply))
    completed = sum(1 for p in progress.values() if p.status == "completed")
    return render_template(
        "submissions/task_list.html",
        definition=definition,
        progress=progress,
        completed=completed,
        can_submit=can_submit_reply(current_user, reply, evaluation),
        **team_views.task_list_context(reply, evaluation, definition),  # multi-agency reply
        **_context(reply, evaluation),
    )


def _keep_expired_post(view: Callable[..., Any]) -> Callable[..., Any]:
    """A section form posted once the session has expired is kept, not lost (see
    :mod:`monitor.submissions.stash`); placed above ``login_required``."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if (
            request.method == "POST"
            and not current_user.is_authenticated
            and stash.same_origin(request)
        ):
            return _stash_and_sign_in()
        return view(*args, **kwargs)

    return wrapper


@bp.route("/replies/<int:reply_id>/sections/<section_id>", methods=["GET", "POST"])
@_keep_expired_post
@login_required
def section(reply_id: int, section_id: str) -> str | Response | tuple[str, int]:
    """One section as a page of fields. POST saves a draft without validation; the
    language buttons save first, then switch, so nothing typed is lost."""
    reply, evaluation, party = reply_with_party_or_404(reply_id)
    if not can_edit_reply(current_user, reply, evaluation):
        return redirect(url_for("submissions.reply_view", reply_id=reply.id, _anchor=section_id))
    definition = definition_of(db.session, reply.questionnaire_version_id)
    sec = find_section(definition, section_id)
    if sec is None:
        abort(404)
    # --- multi-agency reply: a contributor reads the sections not assigned to them
    if not can_edit_section(current_user, reply, evaluation, sec.id):
        if request.method == "POST" or request.args.get("resume"):
            return team_views.refuse_section(reply, sec)
        return team_views.read_only_section(
            reply, evaluation, definition, sec, _context(reply, evaluation)
        )
    # --- end multi-agency reply
    locale = current_language()
    answers = services.answer_rows(db.session, reply)  # read-only rows
    stored = {k: a.value for k, a in answers.items()}
    if request.method == "GET" and request.args.get("resume"):  # --- kept posts
        kept = stash.take_stash(db.session, request.args["resume"], request.path)
        if kept is not None:
            posted = MultiDict(kept)
            form = build_form_class(sec, entry_counts(sec, stored, posted))(formdata=posted)
            values = values_from_form(form, sec, locale)  # files are not kept
            base, page = conflicts.posted_version(posted)
            result = conflicts.save_section(
                db.session,
                reply,
                current_user,
                sec,
                values,
                base,
                locale,
                page=page,
            )
            db.session.commit()
            if result.conflicts:
                return _conflict_page(reply, evaluation, definition, sec), 409
            flash(_("What you typed before your session expired has been saved."), "success")
        return redirect(url_for("submissions.section", reply_id=reply.id, section_id=sec.id))
    if request.method == "POST":
        action = request.form.get("action", "save")
        remove = removed_entry(action)
        values, file_reader = _posted_values(reply, definition, sec, stored, locale, remove)
        # --- no silent overwrite: answers changed meanwhile by someone else are kept
        # pending and the conflict page is shown (409); the rest of the post is saved
        base, page = conflicts.posted_version(request.form)
        result = conflicts.save_section(
            db.session,
            reply,
            current_user,
            sec,
            values,
            base,
            locale,
            rows=answers,
            definition=definition,
            page=page,
        )
        db.session.commit()
        if result.conflicts:
            return _conflict_page(reply, evaluation, definition, sec), 409
        # --- end no silent overwrite
        # --- file items: a refused file keeps the respondent on the section, with the
        # reasons beside the question; everything else posted has been saved
        if file_reader.problems:
            # carried to the next page in the (cookie) session: at most a few messages,
            # so that a page refusing many files cannot overflow the 4 KB cookie
            session["file_errors"] = {
                "reply": reply.id,
                "section": sec.id,
                "errors": attachments.first_problems(file_reader.problems),
            }
            flash(_("Your answers have been saved, but some files were not attached."), "error")
            return redirect(url_for("submissions.section", reply_id=reply.id, section_id=sec.id))
        # --- end file items
        if action.startswith("lang:") and action[5:] in ("en", "fr", "ru"):
            session["lang"] = action[5:]
            current_user.locale = action[5:]
            db.session.commit()
            return redirect(url_for("submissions.section", reply_id=reply.id, section_id=sec.id))
        if action.startswith("add:"):
            group_id = action[4:]
            saved = values.get(group_id)
            n = len(saved) if isinstance(saved, list) else 0
            return redirect(
                url_for(
                    "submissions.section",
                    reply_id=reply.id,
                    section_id=sec.id,
                    add=group_id,
                    _anchor=f"entry-{group_id}-{n}",
                )
            )
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
        if remove is not None:
            # back to the group: keyboard focus continues from there, not from the top
            return redirect(
                url_for(
                    "submissions.section",
                    reply_id=reply.id,
                    section_id=sec.id,
                    _anchor=f"item-{remove[0]}",
                )
            )
        return redirect(url_for("submissions.section", reply_id=reply.id, section_id=sec.id))
    entries = entry_counts(sec, stored, {})
    entries = with_added_entry(sec, entries, stored, request.args.get("add"))
    data = form_data(sec, stored, locale, entries)
    sections = definition.sections()
    index = [s.id for s in sections].index(sec.id)
    author_ids = {a.updated_by_id for a in answers.values() if a.updated_by_id}
    authors = {current_user.id: current_user.name}
    if author_ids - {current_user.id}:
        authors.update(
            (u.id, u.name)
            for u in db.session.exec(select(User).where(User.id.in_(author_ids)))  # type: ignore[union-attr]
        )
    carryover_views.remember_answers(reply, answers.values())  # a query less
    error_list: list[Problem] = []
    errors: dict[str, list[Note]] = {}  # HTML id of a field -> its errors and warnings
    if request.args.get("check"):
        # Came from "check answers": show this section's problems beside the fields (the
        # error summary lists errors; warnings are shown at their fields only).
        for p in validate_reply(definition, stored):
            if p.section_id == sec.id:
                if p.level == "error":
                    error_list.append(p)
                errors.setdefault(p.anchor, []).append(Note(p.message, p.level))
    # --- file items: attached files, and the files the last save refused
    file_fields = attachments.section_file_fields(
        db.session,
        reply,
        definition,
        sec,
        stored,
        entries,
        current_app.config["MAX_UPLOAD_BYTES"],
        locale,
    )
    refused = session.pop("file_errors", None)
    if refused and refused.get("reply") == reply.id and refused.get("section") == sec.id:
        for name, messages in refused["errors"].items():
            item_id, cell = attachments.problem_target(name)
            for message in messages:
                p = Problem(sec.id, item_id, message, "error", cell)
                error_list.append(p)
                errors.setdefault(p.anchor, []).append(Note(message))
    # --- end file items
    fields = section_markup.render_fields(
        sec,
        data,
        answers,
        authors,
        _hidden_keys(definition, sec, stored),
        lambda: build_form_class(sec, entries)(data=data),
        errors,
        file_fields,
    )
    return render_template(
        "submissions/section.html",
        definition=definition,
        section=sec,
        fields=fields,
        position=index + 1,
        total=len(sections),
        is_last=index + 1 == len(sections),
        error_list=error_list,
        outside=json.dumps(_outside_values(definition, sec, stored)),
        base=json.dumps(conflicts.section_base(sec, stored)),  # no silent overwrite
        page_token=conflicts.new_page_token(),
        **_pending_and_status(reply, sec.id),
        reply=reply,
        evaluation=evaluation,
        party=party,
    )


def _pending_and_status(reply: Any, section_id: str) -> dict[str, Any]:
    """For the section page, in one query: ``pending``, whether the user has answers to
    this section waiting for a choice (no silent overwrite, see
    :func:`conflicts.pending_save`), and ``section_status`` (multi-agency reply, see
    :func:`team.section_status`; None for NGO submissions)."""
    pending = conflicts.has_pending_save(reply, section_id, current_user)
    status = team.status_query(reply, section_id).scalar_subquery()
    has_pending, state = db.session.execute(sa.select(pending, status)).one()
    if reply.audience != Audience.PARTY:
        return {"pending": has_pending, "section_status": None}
    return {"pending": has_pending, "section_status": team.status_or_not_started(state)}


def _posted_values(
    reply: Any,
    definition: Any,
    sec: Any,
    stored: dict[str, Any],
    locale: str,
    remove: tuple[str, int] | None = None,
) -> tuple[dict[str, Any], "attachments.FileFieldReader"]:
    """The answers of the posted section form (answer key -> stored value; see
    :func:`values_from_post`), for the Save buttons and the autosave alike, and the file
    reader that stored the accepted uploads as the form was read (its ``problems`` list
    the refused files). ``remove`` drops a group entry. ``sec`` may be the part of the
    section a partial post answers (:func:`posted_items`); ``stored`` must then hold at
    least the answers of that part, and every answer when the part has file items (their
    reader offers the reply's other attachments)."""
    file_reader = attachments.FileFieldReader(
        db.session,
        current_storage(),
        reply,
        current_user,
        definition,
        sec,
        stored,
        request.files,
        request.form,
        current_app.config["MAX_UPLOAD_BYTES"],
    )
    values = values_from_post(_formdata(), sec, locale, remove=remove, files=file_reader)
    return values, file_reader


def _formdata() -> Any:
    """The posted data as a FlaskForm reads it (``FlaskForm.Meta.wrap_formdata``)."""
    if request.files:
        return CombinedMultiDict((request.files, request.form))
    if request.form:
        return request.form
    if request.is_json:
        return ImmutableMultiDict(request.get_json())
    return None


def _hidden_keys(definition: Any, sec: Any, stored: dict[str, Any]) -> set[str]:
    """Field names (item ids, and ``<group>__<entry>__<member>``) of this section's items
    hidden for the stored answers; they are rendered with ``hidden`` so that their kept
    answers post back unchanged and the browser can reveal them."""
    hidden = hidden_items(definition, stored)
    keys = {i.id for i in sec.items if i.id in hidden}
    shown: dict[str, Any] | None = None
    for item in sec.items:
        if isinstance(item, GroupItem) and isinstance(stored.get(item.id), list):
            if shown is None:
                shown = visible_answers(definition, stored)
            for e, entry in enumerate(stored[item.id]):
                if isinstance(entry, dict):
                    for member_id in hidden_members(item, entry, shown):
                        keys.add(f"{item.id}__{e}__{member_id}")
    return keys


def _outside_values(definition: Any, sec: Any, stored: dict[str, Any]) -> dict[str, Any]:
    """Answers (item id -> stored value, shown items only) to items outside this section
    that its conditions read, for the browser's live show/hide."""
    own = {i.id for i in sec.items} | {
        m.id for i in sec.items if isinstance(i, GroupItem) for m in i.items
    }
    names: set[str] = set()
    for item in [*sec.items, *(m for i in sec.items if isinstance(i, GroupItem) for m in i.items)]:
        tree = parsed(item.show_if) if item.show_if else None
        if tree is not None:
            names.update(r.name for r in references(tree))
    if not names - own:
        return {}
    shown = visible_answers(definition, stored)
    return {n: shown.get(n) for n in sorted(names - own)}


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
            # --- receipts: PDF stored and e-mailed, then the confirmation page
            from monitor.submissions.receipt_views import deliver_receipt

            deliver_receipt(reply, current_user)
            return redirect(url_for("receipts.confirmation", reply_id=reply.id))
            # --- end receipts
    definition = definition_of(db.session, reply.questionnaire_version_id)
    titles = {s.id: s.title for s in definition.sections()}
    labels = {i.id: i.label for i in definition.items()}
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level == "warning"]
    values = services.answer_values(db.session, reply)
    progress = section_progress(definition, values, carryover_views.carried_keys(reply))
    return render_template(
        "submissions/check.html",
        **team_views.task_list_context(reply, evaluation, definition),  # multi-agency reply
        **team_views.check_answers_context(reply),  # multi-agency reply
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
    return render_template(
        "submissions/reply_view.html",
        **receipts.answers_context(db.session, reply, current_language()),
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
    reply = services.get_or_create_reply(db.session, evaluation, Audience.PARTY, actor=current_user)
    db.session.commit()
    return redirect(url_for("submissions.task_list", reply_id=reply.id))


@bp.route("/replies/<int:reply_id>/confidentiality", methods=["POST"])
@login_required
def confidentiality(reply_id: int) -> Response:
    reply, evaluation = reply_or_404(reply_id)
    if reply.audience != Audience.NGO or not is_respondent(current_user, reply, evaluation):
        abort(403)
    try:
        services.set_confidential(
            db.session, reply, current_user, request.form.get("publishable") != "1"
        )
    except services.SubmissionError as exc:  # locked once submitted
        flash(str(exc), "error")
        return redirect(url_for("submissions.reply_view", reply_id=reply.id))
    db.session.commit()
    flash(_("Your choice about publication has been saved."), "success")
    return redirect(url_for("submissions.task_list", reply_id=reply.id))


# --- file items: downloads --------------------------------------------------------------


@bp.route("/replies/<int:reply_id>/attachments/<int:attachment_id>")
@login_required
def attachment(reply_id: int, attachment_id: int) -> Response:
    """Download an attachment of a reply, for whoever may see the reply
    (:mod:`monitor.submissions.access`: the panel only once submitted, never another
    Party, a Party never an NGO submission); 404 otherwise, and for a file no answer of
    the reply lists any more (or, for the panel, only answers to hidden items).

    Always sent as a download (``Content-Disposition: attachment`` with the name as given,
    RFC 5987 ``filename*`` for any script), with the sniffed content type, ``nosniff``
    and a sandboxing CSP, so an uploaded file never runs as a page of the site.
    """
    reply, evaluation = reply_or_404(reply_id)
    definition = definition_of(db.session, reply.questionnaire_version_id)
    values = services.answer_values(db.session, reply)
    found = attachments.visible_attachment(
        db.session,
        reply,
        definition,
        values,
        attachment_id,
        respondent=is_respondent(current_user, reply, evaluation),
    )
    if found is None:
        abort(404)
    try:
        stream = current_storage().open(found.sha256)
    except FileNotFoundError:
        current_app.logger.error(
            "attachment %s of reply %s: blob %s missing", found.id, reply.id, found.sha256
        )
        abort(404)
    response = send_file(
        stream,
        mimetype=found.content_type,
        as_attachment=True,
        download_name=f"attachment-{found.id}",
        etag=found.sha256,
        conditional=True,
    )
    response.headers["Content-Disposition"] = content_disposition(
        found.filename, fallback=f"attachment-{found.id}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.private = True
    return response


# --- end file items


# --- no silent overwrite and autosave ---------------------------------------------------


def _readable(item: Any, key: str, value: Any, locale: str, siblings: dict[str, Any]) -> str:
    """An answer as one line of text for the conflict page."""
    if value is None:
        return ""
    if key != item.id:  # the "please specify" text of a choice item
        return str(value)
    shown = display_answer(item, value, locale, siblings)
    if isinstance(item, GroupItem) and isinstance(shown, list):
        return " | ".join(
            "; ".join(f"{qtext(m.label, notice=False)}: {_flat(v)}" for m, v in entry)
            for entry in shown
        )
    return _flat(shown)


def _flat(shown: Any) -> str:
    if isinstance(shown, dict):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in shown.items() if v not in (None, ""))
    if isinstance(shown, list | tuple):
        return ", ".join(_flat(v) for v in shown)
    return "" if shown is None else str(shown)


def _conflict_page(
    reply: Any,
    evaluation: Evaluation,
    definition: Any,
    sec: Any,
    posted: Any = None,
    undecided: frozenset[str] = frozenset(),
) -> str:
    """The conflict page of the current user's pending save for ``sec`` (rendered by the
    refused save itself, with status 409, and by :func:`conflict`). ``posted``: the
    choices form as sent, when it is shown again (choices and merged texts kept);
    ``undecided``: the answer keys it left without a choice (shown as errors)."""
    pending = conflicts.pending_save(db.session, reply, sec.id, current_user)
    views = conflicts.conflict_views(db.session, reply, pending) if pending else []
    locale = current_language()
    stored = services.answer_values(db.session, reply)
    items = {i.id: i for i in answerable(sec.items)}
    author_ids = {v.theirs.updated_by_id for v in views if v.theirs and v.theirs.updated_by_id}
    authors = {
        u.id: u.name
        for u in db.session.exec(select(User).where(User.id.in_(author_ids)))  # type: ignore[union-attr]
    }
    rows = []
    order = conflicts.section_keys(sec)
    for v in sorted(views, key=lambda v: order.index(v.key) if v.key in order else len(order)):
        item = items.get(v.key.split("__", 1)[0])
        if item is None:
            continue
        theirs = v.theirs.value if v.theirs else None
        mergeable = v.key != item.id or item.kind in ("text", "long_text")
        rows.append(
            {
                "key": v.key,
                "item": item,
                "other": v.key != item.id,
                "theirs": _readable(item, v.key, theirs, locale, stored),
                "mine": _readable(item, v.key, v.mine, locale, {**stored, **pending.values}),  # type: ignore[union-attr]
                "who": authors.get(v.theirs.updated_by_id) if v.theirs else None,
                "when": v.theirs.updated_at if v.theirs else None,
                "merge": (
                    (posted.get(f"merge-{v.key}") if posted is not None else None)
                    or "\n\n".join(t for t in (theirs, v.mine) if t)
                )
                if mergeable
                else None,
                "choice": posted.get(f"choice-{v.key}") if posted is not None else None,
                "error": v.key in undecided,
            }
        )
    # the same respondent in another window or tab: not "someone else"
    other_window = bool(views) and all(
        v.theirs is not None and v.theirs.updated_by_id == current_user.id for v in views
    )
    return render_template(
        "submissions/conflict.html",
        section=sec,
        rows=rows,
        other_window=other_window,
        **_context(reply, evaluation),
    )


@bp.route("/replies/<int:reply_id>/sections/<section_id>/conflict", methods=["GET", "POST"])
@login_required
def conflict(reply_id: int, section_id: str) -> str | Response | tuple[str, int]:
    """The answers of the current user's last save of a section that someone else had
    changed meanwhile: theirs beside mine, per answer; POST applies the choice made for
    each (keep theirs, keep mine, or a merged text). Issue 4, point 3."""
    reply, evaluation = reply_or_404(reply_id)
    if not can_edit_reply(current_user, reply, evaluation):
        return redirect(url_for("submissions.reply_view", reply_id=reply.id))
    definition = definition_of(db.session, reply.questionnaire_version_id)
    sec = find_section(definition, section_id)
    if sec is None:
        abort(404)
    if not can_edit_section(current_user, reply, evaluation, sec.id):  # multi-agency reply
        if request.method == "POST":
            return team_views.refuse_section(reply, sec)
        return redirect(url_for("submissions.section", reply_id=reply.id, section_id=sec.id))
    pending = conflicts.pending_save(db.session, reply, sec.id, current_user)
    if pending is None:
        return redirect(url_for("submissions.section", reply_id=reply.id, section_id=sec.id))
    if request.method == "GET":
        return _conflict_page(reply, evaluation, definition, sec)
    chosen: dict[str, Any] = {}
    for key, mine in (pending.values or {}).items():
        choice = request.form.get(f"choice-{key}")
        if choice == "mine":
            chosen[key] = mine
        elif choice == "merge":
            text = (request.form.get(f"merge-{key}") or "").strip()
            chosen[key] = text or None
    undecided = [
        k
        for k in (pending.values or {})
        if request.form.get(f"choice-{k}") not in ("mine", "theirs", "merge")
    ]
    if undecided:  # shown again with what was chosen and typed, the others flagged
        return _conflict_page(
            reply, evaluation, definition, sec, request.form, frozenset(undecided)
        ), 409
    result = conflicts.resolve_conflicts(db.session, reply, current_user, sec, pending, chosen)
    db.session.commit()
    if result.conflicts:
        flash(_("Someone changed these answers again. Choose again."), "error")
        return _conflict_page(reply, evaluation, definition, sec), 409
    flash(_("Your answers have been saved."), "success")
    return redirect(url_for("submissions.section", reply_id=reply.id, section_id=sec.id))


@bp.route("/replies/<int:reply_id>/sections/<section_id>/autosave", methods=["POST"])
def autosave(reply_id: int, section_id: str) -> tuple[Response, int]:
    """Save a section's form in the background (``static/autosave.js``) with the same
    rules as the Save button: JSON ``{"status": "saved", "changed": n, "base": {...},
    "saved_at": "10:42"}`` (200); ``{"status": "conflict", "conflicts": [keys], "url":
    conflict page}`` (409); ``{"status": "login"}`` (401) when the session has expired;
    ``{"status": "refused"}`` (403) when the reply cannot be edited. ``base`` is the
    version to post next time (answer key -> digest).

    A post with ``_items`` (comma-separated item ids, :data:`forms.ITEMS_FIELD`) is
    partial: only those items are read (an item listed with no field posted, such as
    every box unticked, is cleared); the section's other answers stay as stored."""
    if not current_user.is_authenticated:
        return jsonify(status="login"), 401
    reply, evaluation = reply_or_404(reply_id)
    if not can_edit_reply(current_user, reply, evaluation):
        return jsonify(status="refused"), 403
    definition = definition_of(db.session, reply.questionnaire_version_id)
    sec = find_section(definition, section_id)
    if sec is None:
        abort(404)
    if not can_edit_section(current_user, reply, evaluation, sec.id):  # multi-agency reply
        return jsonify(
            status="refused", message=_("Only the people assigned to this section can change it.")
        ), 403
    locale = current_language()
    # the autosave posts only the questions changed: the others are left as stored, and
    # only what saving those reads is loaded; a whole form (or file items: their reader
    # offers every attachment of the reply) is compared with every answer read as rows
    only = posted_items(sec, request.form)
    part = sec if only is None else section_part(sec, only)
    answers: services.AnswerMap | None = None
    rows: dict[str, Any] | None = None
    if only is None or only & facts_of(definition).file_items:
        rows = services.answer_rows(db.session, reply)
        stored = {k: a.value for k, a in rows.items()}
    else:
        keys = [k for k in conflicts.section_keys(sec) if k.split("__", 1)[0] in only]
        answers = services.answers_for_save(db.session, reply, definition, keys)
        stored = {k: a.value for k, a in answers.items()}
    values, file_reader = _posted_values(reply, definition, part, stored, locale)
    base, page = conflicts.posted_version(request.form)
    result = conflicts.save_section(
        db.session,
        reply,
        current_user,
        sec,
        values,
        base,
        locale,
        answers=answers,
        rows=rows,
        definition=definition,
        page=page,
    )
    db.session.commit()
    if result.conflicts:
        url = url_for("submissions.conflict", reply_id=reply.id, section_id=sec.id)
        return jsonify(
            status="conflict", conflicts=result.conflicts, url=url, base=result.base
        ), 409
    return jsonify(
        status="saved",
        changed=result.changed,
        base=result.base,
        saved_at=format_time(utcnow(), "short"),
    ), 200


# --- end no silent overwrite and autosave

# --- kept posts: a section form posted after the session expired -------------------------


def _stash_and_sign_in() -> Response:
    """Keep the posted section form and send the respondent to sign in (or straight back,
    when only the CSRF token was lost), to come back to the section with the kept form."""
    token = stash.stash_post(db.session, request.path, request.form.items(multi=True))
    db.session.commit()
    target = f"{request.path}?resume={token}"
    if current_user.is_authenticated:
        return redirect(target)
    flash(
        _("Your session had expired. Sign in again: what you typed has been kept."),
        "info",
    )
    return redirect(url_for("accounts.login", next=target))


@bp.app_errorhandler(CSRFError)
def _csrf_error(error: CSRFError) -> Response:
    """A section form refused for its CSRF token (the session, and the token with it, has
    expired) is kept like one posted after sign-in expired; any other stays a 400."""
    if (
        request.endpoint == "submissions.section"
        and request.method == "POST"
        and stash.same_origin(request)
    ):
        return _stash_and_sign_in()
    return error.get_response()


# --- end kept posts
