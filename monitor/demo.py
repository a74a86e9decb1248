"""Demo data: the GRETA-style third round with three Parties, demo accounts, replies in
several states and a draft report on Armenia.

The content lives in ``monitor/demo_data/*.yaml`` (answers keyed by item id, report
chapters and paragraphs); this module only feeds it to the services. Loading is
idempotent: every step first looks for what it would create, so running it twice changes
nothing. The accounts and the demo state are those of the team notes: Armenian reply and
NGO submission submitted, Moldovan reply partly drafted, Ukrainian reply not started,
Armenian draft report (status drafting), on the agenda of a plenary for approval.
"""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from ruamel.yaml import YAML
from sqlmodel import Session, select

from monitor.accounts.models import Organisation, Party, Role, User
from monitor.accounts.services import create_user
from monitor.config import PROJECT_ROOT
from monitor.reports.citations import cite_answer
from monitor.reports.models import FindingGrade, ParagraphKind
from monitor.reports.services import (
    add_chapter,
    add_paragraph,
    create_report,
    report_for_evaluation,
)
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.rounds.services import evaluation_for, load_round
from monitor.submissions.definitions import definition_of
from monitor.submissions.models import Reply, ReplyStatus
from monitor.submissions.services import answers_of, get_or_create_reply, save_answers, submit_reply
from monitor.submissions.team_models import SectionAssignment, SectionState, SectionStatus

DATA = Path(__file__).resolve().parent / "demo_data"


def _read(name: str) -> dict[str, Any]:
    return YAML(typ="safe").load((DATA / name).read_text(encoding="utf-8"))


def stored_form(value: Any) -> Any:
    """Convert a demo answer as written in YAML to the stored form of
    :class:`monitor.submissions.models.Answer`: numbers and dates become strings, money
    amounts strings, and a table ``{"columns": [...], "rows": {row: [cells]}}`` becomes
    ``{"row|column": "n"}``: ``null`` cells are left out, ``"n/a"`` cells are "not
    available" with the table's ``not_available_reason``, ``"~12"`` is an estimate, and
    the table's ``explanation`` (of figures a warning flags) is kept."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict) and {"columns", "rows"} <= set(value):
        cells: dict[str, Any] = {}
        reason = value.get("not_available_reason")
        for row, row_cells in value["rows"].items():
            for column, cell in zip(value["columns"], row_cells, strict=True):
                key = f"{row}|{column}"
                if cell is None:
                    continue
                if cell == "n/a":
                    cells[key] = {"state": "not_available", "reason": reason}
                elif isinstance(cell, str) and cell.startswith("~"):
                    cells[key] = {"state": "estimate", "value": cell[1:]}
                else:
                    cells[key] = str(cell)
        if value.get("explanation"):
            cells["explanation"] = value["explanation"]
        return cells
    if isinstance(value, dict):
        return {k: stored_form(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stored_form(v) for v in value]
    return value


def _questionnaire_dir() -> Path:
    try:
        return Path(current_app.config["QUESTIONNAIRE_DIR"])
    except (RuntimeError, KeyError):
        return PROJECT_ROOT / "questionnaires"


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def _accounts(session: Session, setup: dict[str, Any], notes: list[str]) -> None:
    """Create the demo organisation and accounts that do not exist yet."""
    org_def = setup["organisation"]
    org = session.exec(select(Organisation).where(Organisation.name == org_def["name"])).first()
    if org is None:
        org_party = session.exec(select(Party).where(Party.code == org_def["party"])).one()
        org = Organisation(name=org_def["name"], party_id=org_party.id)
        session.add(org)
        session.flush()
        notes.append(f"created organisation {org.name}")
    for acc in setup["accounts"]:
        if session.exec(select(User).where(User.email == acc["email"])).first() is not None:
            continue
        party: Party | None = None
        if acc.get("party"):
            party = session.exec(select(Party).where(Party.code == acc["party"])).one()
        create_user(
            session,
            acc["email"],
            acc["name"],
            setup["password"],
            Role(acc["role"]),
            party=party,
            organisation=org if acc.get("organisation") else None,
            locale=acc.get("locale"),
        )
        notes.append(f"created user {acc['email']} ({acc['role']})")


def _fill_reply(
    session: Session,
    evaluation: Evaluation,
    data: dict[str, Any],
    notes: list[str],
    organisation: Organisation | None = None,
) -> Reply:
    """Save the demo answers of a reply that has none yet, then submit it when the data
    name a ``submit_as`` user. A reply that already has answers is left alone (so that
    changes made through the screens survive a second run)."""
    audience = Audience.NGO if organisation else Audience.PARTY
    reply = get_or_create_reply(session, evaluation, audience, organisation)
    if reply.status == ReplyStatus.SUBMITTED:
        return reply
    contributions = data.get("contributions") or [
        {"author": data["submit_as"], "answers": data["answers"]}
    ]
    if reply.version == 0:
        count = 0
        for part in contributions:
            values = {k: stored_form(v) for k, v in part["answers"].items()}
            count += save_answers(
                session, reply, _user(session, part["author"]), values, data["language"]
            )
        notes.append(f"saved {count} answers ({audience.value}, evaluation {evaluation.id})")
    if data.get("submit_as"):
        submit_reply(session, reply, _user(session, data["submit_as"]))
        if data.get("submitted_at"):
            # the demo story's date (before the visit), not the time the demo was loaded
            reply.submitted_at = datetime.fromisoformat(data["submitted_at"]).replace(tzinfo=UTC)
            session.add(reply)
        notes.append(f"submitted the {audience.value} reply of evaluation {evaluation.id}")
    return reply


def _team(
    session: Session, evaluation: Evaluation, reply: Reply, data: dict[str, Any], notes: list[str]
) -> None:
    """Set up the demo team of a draft Party reply (``data["team"]``: the contact, the
    contributors assigned to each section, the sections marked ready for review), and
    put the sections with answers in progress. Done once: a reply that already has
    assignments or section states is left as the screens made it."""
    from monitor.submissions import team

    spec = data.get("team")
    if not spec or reply.status != ReplyStatus.DRAFT:
        return
    if session.exec(
        select(SectionAssignment).where(SectionAssignment.reply_id == reply.id)
    ).first():
        return
    if session.exec(select(SectionState).where(SectionState.reply_id == reply.id)).first():
        return
    contact = _user(session, spec["contact"])
    wanted = {
        section: {int(_user(session, email).id or 0) for email in emails}
        for section, emails in spec["assignments"].items()
    }
    team.set_assignments(session, reply, evaluation, contact, wanted)
    definition = definition_of(session, reply.questionnaire_version_id)
    answers = answers_of(session, reply)
    for section in definition.sections():
        authors = [answers[i.id].updated_by_id for i in section.items if i.id in answers]
        if authors:
            author = session.get(User, authors[-1]) or contact
            team.section_changed(session, reply, author, section.id)
    for section_id in spec.get("ready_for_review", []):
        email = spec["assignments"][section_id][0]
        team.set_section_status(
            session,
            reply,
            evaluation,
            _user(session, email),
            section_id,
            SectionStatus.READY_FOR_REVIEW,
        )
    notes.append(f"set up the team of the party reply of evaluation {evaluation.id}")


def _report(
    session: Session, evaluation: Evaluation, data: dict[str, Any], notes: list[str]
) -> None:
    """Write the demo draft report unless the evaluation has a report already: chapters
    tied to questionnaire sections, findings, proposals (one a priority) and paragraphs
    citing answers of the submitted Party reply and NGO submission."""
    if report_for_evaluation(session, evaluation.id) is not None:  # type: ignore[arg-type]
        return
    author = _user(session, data["author"])
    report = create_report(session, evaluation, author, data["title"])
    replies = {
        r.audience.value: r
        for r in session.exec(
            select(Reply).where(
                Reply.evaluation_id == evaluation.id, Reply.status == ReplyStatus.SUBMITTED
            )
        )
    }
    count = cited = 0
    for ch in data["chapters"]:
        chapter = add_chapter(session, report, author, ch["title"])
        chapter.section_id = ch.get("section")
        session.add(chapter)
        for para in ch["paragraphs"]:
            row = add_paragraph(
                session,
                report,
                chapter,
                author,
                para["text"],
                kind=ParagraphKind(para.get("kind", "narrative")),
                verb=para.get("verb"),
                articles=para.get("articles", []),
                footnotes=para.get("footnotes", []),
                grade=FindingGrade(para["grade"]) if para.get("grade") else None,
                themes=para.get("themes", []),
                priority=bool(para.get("priority")),
            )
            count += 1
            for cite in para.get("cites", []):
                reply_id = replies[cite["reply"]].id
                assert reply_id is not None
                cite_answer(session, report, row, reply_id, cite["item"], author)
                cited += 1
    notes.append(
        f"wrote the draft report on evaluation {evaluation.id} "
        f"({count} paragraphs, {cited} citations of answers)"
    )


def _plenary(
    session: Session, evaluation: Evaluation, data: dict[str, Any], notes: list[str]
) -> None:
    """Record the demo plenary with the report on its agenda, unless it exists."""
    from monitor.reports.models import Plenary, PlenaryItemKind
    from monitor.reports.plenaries import add_agenda_item, create_plenary

    spec = data.get("plenary")
    report = report_for_evaluation(session, evaluation.id)  # type: ignore[arg-type]
    if not spec or report is None:
        return
    if session.exec(select(Plenary).where(Plenary.name == spec["name"])).first() is not None:
        return
    secretariat = _user(session, spec["created_by"])
    plenary = create_plenary(
        session, secretariat, spec["name"], spec["start"], spec["end"], spec.get("place", "")
    )
    add_agenda_item(session, plenary, report, PlenaryItemKind(spec["agenda"]), secretariat)
    notes.append(f"recorded the {spec['name']} with the report on its agenda")


def load_demo(session: Session, notes: list[str] | None = None) -> None:
    """Load the demo into ``session`` (never commits). ``notes``, if given, receives one
    English line per change made (nothing when everything was there already).

    Raises :class:`monitor.questionnaires.loader.DefinitionError` if the round files are
    invalid and :class:`monitor.submissions.services.SubmissionError` if a demo reply
    does not pass the questionnaire's checks.
    """
    if notes is None:
        notes = []
    setup = _read("setup.yaml")
    changes: list[str] = []
    rnd: EvaluationRound = load_round(session, _questionnaire_dir() / setup["round"], None, changes)
    notes.extend(c for c in changes if "up to date" not in c)
    _accounts(session, setup, notes)

    for code, visit in (setup.get("visits") or {}).items():
        evaluation = evaluation_for(session, rnd, code)
        if (evaluation.visit_start, evaluation.visit_end) != (visit["start"], visit["end"]):
            evaluation.visit_start, evaluation.visit_end = visit["start"], visit["end"]
            session.add(evaluation)
            notes.append(f"set the visit dates of {code}")

    am = evaluation_for(session, rnd, "AM")
    _fill_reply(session, am, _read("am_reply.yaml"), notes)
    ngo = _read("am_ngo.yaml")
    org = session.exec(select(Organisation).where(Organisation.name == ngo["organisation"])).one()
    _fill_reply(session, am, ngo, notes, organisation=org)
    md, md_data = evaluation_for(session, rnd, "MD"), _read("md_reply.yaml")
    _team(session, md, _fill_reply(session, md, md_data, notes), md_data, notes)
    report_data = _read("am_report.yaml")
    _report(session, am, report_data, notes)
    _plenary(session, am, report_data, notes)
    from monitor.demo_followup import load_followup_demo  # round 2: published, followed up

    load_followup_demo(session, rnd, setup["password"], notes)
    session.flush()


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo data (round 3, accounts, replies, a draft report); idempotent."""
    from monitor.extensions import db

    notes: list[str] = []
    load_demo(db.session, notes)
    db.session.commit()
    for line in notes:
        click.echo(line)
    if not notes:
        click.echo(_("The demo data are already loaded."))
    else:
        click.echo(_("Demo accounts use the password %(password)s.", password="monitor-demo"))
