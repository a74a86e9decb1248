"""The demo loader: idempotent, and it leaves the documented demo state."""

from flask import Flask
from flask.testing import FlaskClient
from ruamel.yaml import YAML
from sqlmodel import func, select

from monitor.accounts.models import User
from monitor.core.models import AuditEvent
from monitor.demo import DATA, load_demo
from monitor.extensions import db
from monitor.reports.citations import citations_by_paragraph
from monitor.reports.models import FindingGrade, ParagraphKind, ReportStatus
from monitor.reports.services import proposals, report_for_evaluation, structure
from monitor.rounds.models import Audience
from monitor.rounds.services import evaluation_for, get_round
from monitor.submissions.definitions import definition_of
from monitor.submissions.models import Answer, Reply, ReplyStatus
from monitor.submissions.services import answer_values, answers_of, find_reply

EMAILS = [
    "secretariat@example.org",
    "panel@example.org",
    "contact.am@example.org",
    "contributor.am@example.org",
    "contact.md@example.org",
    "contributor.md@example.org",
    "contact.ua@example.org",
    "ngo.am@example.org",
]


def _counts() -> tuple[int, ...]:
    s = db.session
    return tuple(
        s.exec(select(func.count()).select_from(model)).one()  # type: ignore[arg-type]
        for model in (Reply, Answer, AuditEvent)
    )


def test_load_demo_twice_is_idempotent(app: Flask) -> None:
    with app.app_context():
        notes: list[str] = []
        load_demo(db.session, notes)
        db.session.commit()
        assert notes
        before = _counts()
        again: list[str] = []
        load_demo(db.session, again)
        db.session.commit()
        assert again == []
        assert _counts() == before


def test_demo_state(app: Flask) -> None:
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        s = db.session
        rnd = get_round(s, 3)
        assert rnd is not None
        am, md, ua = (evaluation_for(s, rnd, code) for code in ("AM", "MD", "UA"))
        assert am.questionnaire_sent is not None and am.reply_due is not None
        assert am.visit_start is not None and am.visit_end is not None
        assert am.questionnaire_sent < am.reply_due < am.visit_start <= am.visit_end

        reply = find_reply(s, am, Audience.PARTY)
        assert reply is not None and reply.status == ReplyStatus.SUBMITTED
        definition = definition_of(s, reply.questionnaire_version_id)
        answerable = [i.id for i in definition.items() if i.kind != "info"]
        values = answer_values(s, reply)
        assert len(values) > len(answerable) * 0.75  # "most items"
        assert values["stat_victims_identified"]["2023|total"] == "19"

        ngo = s.exec(
            select(Reply).where(Reply.evaluation_id == am.id, Reply.audience == Audience.NGO)
        ).one()
        assert ngo.status == ReplyStatus.SUBMITTED and ngo.confidential

        md_reply = find_reply(s, md, Audience.PARTY)
        assert md_reply is not None and md_reply.status == ReplyStatus.DRAFT
        assert 0 < len(answer_values(s, md_reply)) < len(answerable) / 2
        assert find_reply(s, ua, Audience.PARTY) is None
        # the multi-agency reply: a contributor assigned a section, marked ready for review
        from monitor.submissions import team
        from monitor.submissions.team_models import SectionStatus

        contributor = s.exec(select(User).where(User.email == "contributor.md@example.org")).one()
        assert team.assignments(s, md_reply) == {"protection": [contributor.id]}
        assert team.section_status(s, md_reply, "protection") == SectionStatus.READY_FOR_REVIEW
        assert team.section_status(s, md_reply, "right_to_information") == (
            SectionStatus.IN_PROGRESS
        )
        assert answers_of(s, md_reply)["prot_courts"].updated_by_id == contributor.id

        report = report_for_evaluation(s, am.id)  # type: ignore[arg-type]
        assert report is not None and report.status == ReportStatus.DRAFTING
        paragraphs = [p for _c, ps in structure(s, report) for _n, p in ps]
        assert 12 <= len(paragraphs) <= 16
        props = proposals(s, report)
        assert len(props) >= 5
        assert {p.verb for _n, p in props} == {"urges", "considers", "invites"}
        assert all(p.articles for _n, p in props)
        assert any(p.footnotes for p in paragraphs)
        # drafting beside the evidence: findings, a priority proposal, citations
        grades = {p.grade for p in paragraphs if p.kind == ParagraphKind.FINDING}
        assert grades == {FindingGrade.GAP, FindingGrade.CONCERN, FindingGrade.GOOD_PRACTICE}
        assert [p.verb for _n, p in props if p.priority] == ["urges"]
        cited = citations_by_paragraph(s, report)
        assert sum(len(v) for v in cited.values()) >= 4
        assert {a.audience for v in cited.values() for a in v} == {"party", "ngo"}
        assert any(c.section_id for c, _ps in structure(s, report))
        # a plenary with the draft on its agenda for approval
        from monitor.reports.models import PlenaryItemKind
        from monitor.reports.plenaries import pending_plenaries

        pending = pending_plenaries(s, report, PlenaryItemKind.APPROVE_DRAFT)
        assert [p.name for p in pending] == ["55th plenary meeting"]
        assert pending[0].start_date <= pending[0].end_date


def test_demo_answer_ids_exist_in_the_questionnaires(app: Flask) -> None:
    """A typo in a demo data file would be silently ignored by save_answers."""
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        s = db.session
        am = evaluation_for(s, get_round(s, 3), "AM")  # type: ignore[arg-type]
        md = evaluation_for(s, get_round(s, 3), "MD")  # type: ignore[arg-type]
        yaml = YAML(typ="safe")
        for name, evaluation, audience in (
            ("am_reply.yaml", am, Audience.PARTY),
            ("am_ngo.yaml", am, Audience.NGO),
            ("md_reply.yaml", md, Audience.PARTY),
        ):
            data = yaml.load((DATA / name).read_text(encoding="utf-8"))
            parts = data.get("contributions") or [{"answers": data["answers"]}]
            keys = {k for part in parts for k in part["answers"]}
            reply = s.exec(
                select(Reply).where(
                    Reply.evaluation_id == evaluation.id, Reply.audience == audience
                )
            ).one()
            ids = {i.id for i in definition_of(s, reply.questionnaire_version_id).items()}
            assert keys <= ids, (name, keys - ids)
            assert set(answer_values(s, reply)) == keys, name


def test_demo_users_can_sign_in(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
    for email in EMAILS:
        client.post("/logout")
        response = client.post("/login", data={"email": email, "password": "monitor-demo"})
        assert response.status_code == 302, email
        assert "/login" not in response.headers["Location"]
    client.post("/logout")
    response = client.post("/login", data={"email": EMAILS[0], "password": "wrong"})
    assert response.status_code == 200


def test_demo_command(app: Flask) -> None:
    runner = app.test_cli_runner()
    from monitor.demo import demo_command

    first = runner.invoke(demo_command)
    assert first.exit_code == 0, first.output
    assert "submitted the party reply" in first.output
    second = runner.invoke(demo_command)
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.output
