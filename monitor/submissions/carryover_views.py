"""Confirming answers carried over from an earlier round (issue 4, point 7; see
:mod:`monitor.submissions.carryover`): a Confirm button per item and one per section on
the section page, and the helpers the section page, the task list and the answers use
to mark carried answers."""

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from monitor.extensions import db
from monitor.submissions import carryover
from monitor.submissions.access import can_edit_reply, reply_or_404
from monitor.submissions.definitions import answerable, definition_of, find_section
from monitor.submissions.models import Answer, Reply

bp = Blueprint("carryover", __name__)


def _carried(reply: Reply, answers: Iterable[Any] | None = None) -> dict[str, int]:
    """Answer key -> round number, once per request and reply (``answers``: see
    :func:`~monitor.submissions.carryover.carried_answers`)."""
    cache: dict[int, dict[str, int]] = g.setdefault("_carried_answers", {})
    if reply.id not in cache:
        cache[reply.id] = carryover.carried_answers(db.session, reply, answers)  # type: ignore[index]
    return cache[reply.id]  # type: ignore[index]


def carried_keys(reply: Reply) -> list[str]:
    """The reply's answer keys awaiting confirmation (once per request)."""
    return list(_carried(reply))


def remember_answers(reply: Reply, answers: Iterable[Any]) -> None:
    """Tell this request's carried-over lookups the reply's answers, loaded by the page
    anyway (saves a query)."""
    _carried(reply, answers)


def carried_round(answer: Answer | None) -> int | None:
    """The round an answer was carried over from while it awaits confirmation, else None."""
    if answer is None or answer.carried_over_from_reply_id is None:
        return None
    reply = db.session.get(Reply, answer.reply_id)
    return _carried(reply).get(answer.item_id) if reply else None


def carried_by_section(reply: Reply) -> dict[str, list[str]]:
    """Section id -> ids of its items whose answers await confirmation (empty when none)."""
    carried = _carried(reply)
    if not carried:
        return {}
    items = {k.split("__", 1)[0] for k in carried}
    definition = definition_of(db.session, reply.questionnaire_version_id)
    out: dict[str, list[str]] = {}
    for section in definition.sections():
        ids = [i.id for i in answerable(section.items) if i.id in items]
        if ids:
            out[section.id] = ids
    return out


@bp.record_once
def _register_helpers(state: Any) -> None:
    state.app.jinja_env.globals.update(
        carried_round=carried_round, carried_by_section=carried_by_section
    )


@bp.route("/replies/<int:reply_id>/sections/<section_id>/confirm-carried", methods=["POST"])
@login_required
def confirm(reply_id: int, section_id: str) -> Response:
    """Confirm the carried-over answers of one item (``item``, repeatable) or of the
    whole section (``all``), then back to the section."""
    reply, evaluation = reply_or_404(reply_id)
    if not can_edit_reply(current_user, reply, evaluation):
        abort(403)
    definition = definition_of(db.session, reply.questionnaire_version_id)
    sec = find_section(definition, section_id)
    if sec is None:
        abort(404)
    own = [i.id for i in answerable(sec.items)]
    keys = own if request.form.get("all") else [k for k in request.form.getlist("item") if k in own]
    n = carryover.confirm(db.session, reply, current_user, keys)
    db.session.commit()
    if n:
        flash(_("The answers carried over have been confirmed."), "success")
    anchor = f"q-{keys[0]}" if len(keys) == 1 else None
    return redirect(
        url_for("submissions.section", reply_id=reply.id, section_id=sec.id, _anchor=anchor)
    )
