"""Demo data for the follow-up (issue 5, points 6-8): Georgia's published second-round
report with the Committee of the Parties' recommendation, the Party's implementation
report and the panel's grades, so that the public pages, the deadlines dashboard and
``monitor round follow-up-questions --party GE --from-round 2 --to-round 3`` show
something. The content is ``demo_data/ge_round2.yaml``.

Another Party than the round-3 ones, so that the round-3 demo (one evaluation per Party,
Armenia's draft report) reads as before. Idempotent like :mod:`monitor.demo`: nothing is
done when round 2 already has a report on Georgia. Dates of the story (sending,
adoption, publication, gradings) replace the load time on the records.
"""

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from sqlmodel import Session, select

from monitor.accounts.models import Role, User
from monitor.accounts.services import create_user, get_or_create_party
from monitor.core.audit import record
from monitor.questionnaires.loader import content_hash
from monitor.questionnaires.schema import QuestionnaireDef
from monitor.reports import recommendations as recs
from monitor.reports import services
from monitor.reports.models import ParagraphKind
from monitor.reports.recommendation_models import FollowUpGrade, Grade
from monitor.rounds.models import Audience, Evaluation, EvaluationRound, QuestionnaireVersion
from monitor.submissions.models import Reply, ReplyStatus

DATA = Path(__file__).resolve().parent / "demo_data" / "ge_round2.yaml"

#: The second round's questionnaire is not part of the demo: a one-page stand-in.
_QUESTIONNAIRE = {
    "id": "greta_round2_party",
    "title": "Questionnaire for the second evaluation round",
    "audience": "party",
    "parts": [
        {
            "id": "r2_part1",
            "title": "Part I",
            "sections": [
                {
                    "id": "r2_archive",
                    "title": "Second round",
                    "items": [
                        {
                            "id": "r2_archive_note",
                            "kind": "info",
                            "label": "The reply to the second round is kept in the archive.",
                        }
                    ],
                }
            ],
        }
    ],
}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def _round_two(
    session: Session, round3: EvaluationRound, data: dict[str, Any], notes: list[str]
) -> EvaluationRound:
    rnd = session.exec(
        select(EvaluationRound).where(
            EvaluationRound.instrument_id == round3.instrument_id,
            EvaluationRound.number == data["number"],
        )
    ).first()
    if rnd is None:
        rnd = EvaluationRound(
            instrument_id=round3.instrument_id,
            number=data["number"],
            title=data["title"],
            definition={
                "number": data["number"],
                "title": data["title"],
                "deadlines": round3.definition.get("deadlines") or {},
            },
        )
        session.add(rnd)
        record(session, None, "round.created", rnd, number=rnd.number)
        notes.append(f"created round {rnd.number} (demo follow-up)")
    return rnd


def load_followup_demo(
    session: Session, round3: EvaluationRound, password: str, notes: list[str]
) -> None:
    """Add Georgia, its demo contact person (``password``), its published round-2
    report, the recommendation, the implementation report and the grades (never
    commits)."""
    data = YAML(typ="safe").load(DATA.read_text(encoding="utf-8"))
    rnd = _round_two(session, round3, data["round"], notes)
    party = get_or_create_party(session, data["party"]["code"], data["party"]["name"])
    contact = data["contact"]
    if session.exec(select(User).where(User.email == contact["email"])).first() is None:
        create_user(
            session,
            contact["email"],
            contact["name"],
            password,
            Role.PARTY_CONTACT,
            party=party,
            locale=contact.get("locale"),
        )
        notes.append(f"created user {contact['email']} (party_contact)")
    evaluation = session.exec(
        select(Evaluation).where(Evaluation.round_id == rnd.id, Evaluation.party_id == party.id)
    ).first()
    if evaluation is None:
        definition = QuestionnaireDef.model_validate(_QUESTIONNAIRE)
        version = QuestionnaireVersion(
            round_id=rnd.id,  # type: ignore[arg-type]
            audience=Audience.PARTY,
            party_code=party.code,
            content_hash=content_hash(definition),
            definition=definition.model_dump(mode="json"),
        )
        session.add(version)
        session.flush()
        evaluation = Evaluation(
            round_id=rnd.id,  # type: ignore[arg-type]
            party_id=party.id,  # type: ignore[arg-type]
            questionnaire_version_id=version.id,  # type: ignore[arg-type]
            questionnaire_sent=data["round"]["questionnaire_sent"],
            reply_due=data["round"]["reply_due"],
        )
        session.add(evaluation)
        session.flush()
        record(session, None, "evaluation.created", evaluation, evaluation.id)
        # the round-2 reply itself is in the archive: only its submission is recorded
        session.add(
            Reply(
                evaluation_id=evaluation.id,  # type: ignore[arg-type]
                audience=Audience.PARTY,
                questionnaire_version_id=version.id,  # type: ignore[arg-type]
                status=ReplyStatus.SUBMITTED,
                submitted_at=_at(data["round"]["reply_submitted"]),
                submitted_by_id=_user(session, data["recommendation"]["submitted_by"]).id,
            )
        )
    if services.report_for_evaluation(session, evaluation.id) is not None:  # type: ignore[arg-type]
        return
    _report(session, evaluation, data, notes)


def _report(
    session: Session, evaluation: Evaluation, data: dict[str, Any], notes: list[str]
) -> None:
    spec = data["report"]
    author = _user(session, spec["author"])
    report = services.create_report(session, evaluation, author, spec["title"])
    for ch in spec["chapters"]:
        chapter = services.add_chapter(session, report, author, ch["title"])
        for para in ch["paragraphs"]:
            services.add_paragraph(
                session,
                report,
                chapter,
                author,
                para["text"],
                kind=ParagraphKind(para.get("kind", "narrative")),
                verb=para.get("verb"),
                articles=para.get("articles", []),
            )
    services.send_to_party(session, report, author, today=spec["sent_on"])
    services.adopt(session, report, author, today=spec["adopted_on"])
    services.publish(session, report, author)
    report.sent_at = _at(spec["sent_on"])
    report.adopted_at = _at(spec["adopted_on"])
    report.published_at = _at(spec["published_on"])
    session.add(report)

    spec = data["recommendation"]
    secretariat = _user(session, spec["secretariat"])
    rec = recs.draft_recommendation(session, report, secretariat)
    recs.adopt_recommendation(session, rec, secretariat, spec["adopted_on"])
    rec.adopted_at = _at(spec["adopted_on"])
    by_number = {
        i: item
        for i, (_n, para) in enumerate(services.proposals(session, report), start=1)
        for item in recs.items(session, rec)
        if item.paragraph_id == para.id
    }
    contact = _user(session, spec["submitted_by"])
    for number, text in spec["answers"].items():
        recs.save_answer(session, rec, by_number[int(number)], contact, text)
    recs.submit_implementation_report(session, rec, contact)
    rec.implementation_submitted_at = _at(spec["submitted_on"])
    session.add(rec)
    for g in spec["grades"]:
        row: FollowUpGrade = recs.grade_item(
            session,
            rec,
            by_number[int(g["proposal"])],
            _user(session, g["by"]),
            Grade(g["grade"]),
            g.get("comment") or "",
        )
        row.graded_at = _at(g["on"])
        session.add(row)
    notes.append(
        f"published the round-2 report on {data['party']['code']} with its recommendation "
        f"({len(by_number)} proposals, {len(spec['grades'])} gradings)"
    )
