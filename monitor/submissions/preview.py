"""Previewing questionnaires as a respondent would see them, without creating a reply
(issue 3, point 9).

The secretariat and the panel can open any stored questionnaire version, or any YAML
file under the questionnaire directory (``QUESTIONNAIRE_DIR``), in any language (the
usual language switch). A file with problems shows the loader's located problems instead.
Nothing is saved: the page has no save buttons, and its form only reloads the page.
"""

import json
import os
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import col, select

from monitor.core.i18n import qt
from monitor.core.web import current_language
from monitor.extensions import db
from monitor.questionnaires.loader import (
    DefinitionError,
    Problem,
    detect_kind,
    load_questionnaire_file,
    load_round_file,
)
from monitor.questionnaires.schema import QuestionnaireDef
from monitor.questionnaires.visibility import hidden_items
from monitor.rounds.models import EvaluationRound, QuestionnaireVersion
from monitor.submissions.definitions import definition_of, find_section
from monitor.submissions.forms import (
    build_form_class,
    entry_counts,
    form_data,
    removed_entry,
    values_from_form,
    with_added_entry,
)

bp = Blueprint("preview", __name__, template_folder="templates", url_prefix="/questionnaires")


def _require_panel() -> None:
    if not current_user.is_panel:
        abort(403)


def _root() -> Path:
    return Path(current_app.config["QUESTIONNAIRE_DIR"]).resolve()


def _files() -> list[dict[str, Any]]:
    """Questionnaire and round files under the questionnaire directory, as
    ``{"path": relative path, "kind": "round" | "questionnaire", "parties": [codes]}``."""
    from ruamel.yaml import YAML

    out: list[dict[str, Any]] = []
    root = _root()
    yaml = YAML(typ="safe")
    for path in sorted(root.rglob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"))
        except Exception:  # a broken file is still listed: its preview shows the problems
            data = None
        kind = detect_kind(data) if data is not None else None
        if kind not in ("round", "questionnaire", None):
            continue
        parties = [
            p.get("code")
            for p in (data.get("parties") or [] if isinstance(data, dict) else [])
            if isinstance(p, dict) and isinstance(p.get("code"), str)
        ]
        out.append(
            {
                "path": path.relative_to(root).as_posix(),
                "kind": kind or "unreadable",
                "parties": parties,
            }
        )
    return out


@bp.route("/")
@login_required
def index() -> str:
    """Stored versions (newest first) and the files that can be previewed."""
    _require_panel()
    versions = db.session.exec(
        select(QuestionnaireVersion).order_by(col(QuestionnaireVersion.created_at).desc())
    ).all()
    rounds = {r.id: r for r in db.session.exec(select(EvaluationRound)).all()}
    return render_template("preview/index.html", versions=versions, rounds=rounds, files=_files())


def _render(
    definition: QuestionnaireDef, heading: str, here: dict[str, Any], problems: list[Problem]
) -> str:
    sections = definition.sections()
    if not sections:
        abort(404)
    sec = find_section(definition, request.args.get("section") or sections[0].id)
    if sec is None:
        abort(404)
    locale = current_language()
    # The group buttons (add / remove an entry) reload the page with what was typed in the
    # query string: the preview shows the result, and nothing is stored.
    action = request.args.get("action", "")
    values: dict[str, Any] = {}
    entries = entry_counts(sec, values, {})
    if action:
        posted = build_form_class(sec, entry_counts(sec, values, request.args))(
            formdata=request.args
        )
        remove = removed_entry(action)
        values = {
            k: v
            for k, v in values_from_form(posted, sec, locale, remove=remove).items()
            if v is not None
        }
        entries = entry_counts(sec, values, {})
        if action.startswith("add:"):
            entries = with_added_entry(sec, entries, values, action[4:])
    form = build_form_class(sec, entries)(
        formdata=None, data=form_data(sec, values, locale, entries)
    )
    hidden = hidden_items(definition, values)
    return render_template(
        "preview/section.html",
        definition=definition,
        section=sec,
        sections=sections,
        form=form,
        heading=heading,
        here=here,
        problems=problems,
        hidden_keys={i.id for i in sec.items if i.id in hidden},
        hidden_fields={k: v for k, v in here.items() if k != "version_id" and k != "relpath"},
        outside=json.dumps({}),
        errors={},
    )


@bp.route("/versions/<int:version_id>")
@login_required
def version(version_id: int) -> str:
    """A stored version, section by section (``?section=<id>``)."""
    _require_panel()
    stored = db.session.get(QuestionnaireVersion, version_id)
    if stored is None:
        abort(404)
    definition = definition_of(db.session, version_id)
    rnd = db.session.get(EvaluationRound, stored.round_id)
    heading = (
        f"{qt(rnd.title) if rnd else ''} · {_audience(str(stored.audience), stored.party_code)}"
    )
    return _render(definition, heading, {"version_id": version_id}, [])


@bp.route("/files/<path:relpath>")
@login_required
def file(relpath: str) -> str:
    """A YAML file under the questionnaire directory: a questionnaire file on its own, or a
    round file with ``?audience=party|ngo`` and (Party audience) ``?party=<ISO code>``.
    Problems in the files are listed, located, instead of the questionnaire."""
    _require_panel()
    root = _root()
    path = (root / relpath).resolve()
    if root not in path.parents or path.suffix != ".yaml" or not path.is_file():
        abort(404)
    here = {"relpath": relpath}
    try:
        from ruamel.yaml import YAML

        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except Exception:
        data = None
    try:
        if detect_kind(data) == "round":
            audience = request.args.get("audience", "party")
            party = request.args.get("party") or None
            loaded = load_round_file(path)
            if audience == "party" and party is None and loaded.round.parties:
                party = loaded.round.parties[0].code
            try:
                definition = loaded.questionnaire_for(audience, party)
            except ValueError:
                abort(404)
            here.update(audience=audience, party=party or "")
            heading = f"{relpath} · {_audience(audience, party)}"
        else:
            definition = load_questionnaire_file(path)
            heading = relpath
    except DefinitionError as exc:
        return render_template(
            "preview/problems.html",
            relpath=relpath,
            problems=[_relative(p, root) for p in exc.problems],
        )
    return _render(definition, heading, here, [])


def _audience(audience: str, party: str | None) -> str:
    """ "Party questionnaire for AM" or "NGO questionnaire", in the reader's language."""
    if audience == "ngo":
        return _("NGO questionnaire")
    return _("Party questionnaire for %(code)s", code=party or "")


def _relative(problem: Problem, root: Path) -> Problem:
    try:
        shown = os.path.relpath(problem.path, root)
    except ValueError:
        shown = problem.path
    return Problem(shown, problem.line, problem.column, problem.message)


def preview_url(here: dict[str, Any], section_id: str) -> str:
    """The URL of another section of the same preview."""
    if "version_id" in here:
        return url_for("preview.version", version_id=here["version_id"], section=section_id)
    args = {k: v for k, v in here.items() if k != "relpath" and v}
    return url_for("preview.file", relpath=here["relpath"], section=section_id, **args)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"preview_url": preview_url}
