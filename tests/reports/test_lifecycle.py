"""One country report from the first paragraph to the next round's questions (issue 5,
"How it is checked"): panel review, approval and adoption at plenaries, the Party's
comments and the panel's answers, a missed deadline, refused illegal transitions,
publication by ``monitor report publish-due`` (cron), the Committee of the Parties'
recommendation, the Party's implementation report, the panel's grades, and the open
proposals becoming the next round's Part II questions, loaded by the round loader.
The clock is moved with freezegun; every step is checked in the audit log."""

import shutil
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from freezegun import freeze_time
from ruamel.yaml import YAML
from sqlmodel import select

from monitor.accounts.models import User
from monitor.cli import main
from monitor.core.models import AuditEvent
from monitor.deadlines import milestones
from monitor.extensions import db
from monitor.questionnaires.loader import load_round_file
from monitor.reports import comments, cycle, plenaries, services
from monitor.reports import recommendations as recs
from monitor.reports.cycle import TransitionError, TransitionForbidden
from monitor.reports.models import (
    CommentResponse,
    ParagraphKind,
    PlenaryItemKind,
    Report,
    ReportStatus,
)
from monitor.reports.recommendation_models import Grade
from monitor.rounds.models import Evaluation

from .conftest import Data
from .followup_data import PROPOSALS

ROUND_DIR = Path(__file__).resolve().parents[2] / "questionnaires" / "greta-round3"


def test_a_report_from_draft_to_the_next_rounds_questions(
    app: Flask, data: Data, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        s = db.session

        def user(key: str) -> User:
            u = s.get(User, data.users[key])
            assert u is not None
            return u

        panel, sec, contact = user("panel"), user("secretariat"), user("contact_am")
        ev = s.get(Evaluation, data.am_evaluation)
        assert ev is not None

        with freeze_time("2026-01-12 09:00:00"):
            report = services.start_report(s, ev, panel, "Report", ["Introduction", "Findings"])
            intro, findings = services.chapters(s, report)
            narrative = services.add_paragraph(s, report, intro, panel, "The Party replied.")
            for verb, articles, text in PROPOSALS:
                services.add_paragraph(
                    s, report, findings, panel, text, ParagraphKind.PROPOSAL, verb, articles
                )
            # adoption straight from drafting is an illegal transition
            with pytest.raises(TransitionError):
                cycle.transition(s, report, "adopt", sec)
            # the Party cannot send a draft for panel review
            with pytest.raises(TransitionForbidden):
                cycle.transition(s, report, "submit_for_review", contact)
            cycle.transition(s, report, "submit_for_review", panel)
            comments.add_comment(s, report, panel, "Check the figures.", narrative)
            spring = plenaries.create_plenary(
                s, sec, "55th plenary", date(2026, 2, 2), date(2026, 2, 6)
            )
            autumn = plenaries.create_plenary(
                s, sec, "56th plenary", date(2026, 6, 1), date(2026, 6, 5)
            )
            plenaries.add_agenda_item(s, spring, report, PlenaryItemKind.APPROVE_DRAFT, sec)
            plenaries.add_agenda_item(s, autumn, report, PlenaryItemKind.ADOPT, sec)

        with freeze_time("2026-02-03 09:00:00"):
            cycle.transition(s, report, "approve_draft", sec, plenary=spring)
            cycle.transition(s, report, "send_to_party", panel)
            assert report.comments_due == date(2026, 4, 3)

        # the Party misses its deadline: overdue on the dashboard, still open to comments
        with freeze_time("2026-04-10 09:00:00"):
            state, due, overdue = cycle.current_step(s, report)
            assert (state, due, overdue) == (ReportStatus.SENT_TO_PARTY, date(2026, 4, 3), True)
            late = {m.key: m for m in milestones(s, ev)}["report_comments"]
            assert late.overdue and late.done is None
            comment = comments.add_comment(
                s, report, contact, "Paragraph 1 is outdated.", narrative
            )
            cycle.transition(s, report, "send_comments", contact)
            assert report.status == ReportStatus.PARTY_COMMENTED
            cycle.transition(s, report, "start_revision", panel)

        with freeze_time("2026-06-02 09:00:00"):
            with pytest.raises(TransitionError, match="not been answered"):
                cycle.transition(s, report, "adopt", sec, plenary=autumn)
            comments.answer_comment(
                s, report, comment, panel, CommentResponse.PARTLY, "Updated with 2025 figures."
            )
            cycle.transition(s, report, "adopt", sec, plenary=autumn)
            cycle.transition(s, report, "transmit", sec)
            assert report.final_comments_due == date(2026, 7, 2)
        s.commit()
        report_id = report.id

    # publication by the cron command: not before the month is over, then once
    with freeze_time("2026-06-20 05:00:00"):
        early = runner.invoke(main, ["report", "publish-due"])
        assert early.exit_code == 0, early.output
    with freeze_time("2026-07-03 05:00:00"):
        due = runner.invoke(main, ["report", "publish-due"])
        assert due.exit_code == 0 and "AM" in due.output, due.output
        again = runner.invoke(main, ["report", "publish-due"])
        assert again.exit_code == 0
    with app.app_context():
        s = db.session
        report = s.get(Report, report_id)
        assert report is not None and report.status == ReportStatus.PUBLISHED
        assert report.published_at is not None and report.published_at.date() == date(2026, 7, 3)
        published = s.exec(
            select(AuditEvent).where(
                AuditEvent.object_id == report_id,
                AuditEvent.action.like("report.publish%"),  # type: ignore[attr-defined]
            )
        ).all()
        assert len(published) == 1  # published once, by the command
        steps = [step.action for step in cycle.steps(s, report)]
        assert steps == [
            "submit_for_review",
            "approve_draft",
            "send_to_party",
            "send_comments",
            "start_revision",
            "adopt",
            "transmit",
            "publish_due",
        ]

        # the Committee of the Parties' recommendation and the follow-up
        sec = s.get(User, data.users["secretariat"])
        contact = s.get(User, data.users["contact_am"])
        assert sec is not None and contact is not None
        with freeze_time("2026-10-15 09:00:00"):
            rec = recs.draft_recommendation(s, report, sec)
            recs.adopt_recommendation(s, rec, sec, date(2026, 10, 15))
            assert rec.implementation_due == date(2027, 10, 15)
        items = recs.items(s, rec)
        assert [i.verb for i in items] == ["urges", "urges", "considers", "invites"]
        with freeze_time("2027-09-01 09:00:00"):
            for item in items:
                recs.save_answer(s, rec, item, contact, "Measures taken: see the new law.")
            recs.submit_implementation_report(s, rec, contact)
            recs.grade_item(s, rec, items[0], sec, Grade.IMPLEMENTED)
            recs.grade_item(s, rec, items[1], sec, Grade.NOT_IMPLEMENTED)
            recs.grade_item(s, rec, items[1], sec, Grade.PARTLY_IMPLEMENTED, "New decree.")
        s.commit()

    # the open proposals become round 4's Part II questions for Armenia
    folder = tmp_path / "questionnaires"
    shutil.copytree(ROUND_DIR.parent, folder)
    out = folder / "greta-round3" / "part2" / "AM-followup.yaml"
    args = ["round", "follow-up-questions", "--party", "AM", "--from-round", "3"]
    result = runner.invoke(main, [*args, "--to-round", "4", "--output", str(out)])
    assert result.exit_code == 0, result.output
    [section] = YAML(typ="safe").load(out.read_text(encoding="utf-8"))
    guidance = [item["guidance"] for item in section["items"]]
    assert len(guidance) == 3  # the implemented proposal is closed
    assert not any("set up a State compensation fund" in g for g in guidance)
    assert any("partly implemented" in g for g in guidance)
    round_file = folder / "greta-round3" / "round.yaml"
    round_file.write_text(
        round_file.read_text(encoding="utf-8").replace(
            "AM: part2/AM.yaml", "AM: part2/AM-followup.yaml"
        ),
        encoding="utf-8",
    )
    loaded = load_round_file(round_file)
    assert section["id"] in [x.id for x in loaded.questionnaire_for("party", "AM").sections()]


def test_the_agenda_refuses_decisions_that_can_no_longer_be_taken(app: Flask, data: Data) -> None:
    """A published report cannot be put on an agenda for adoption; a draft already sent
    cannot be approved again; adoption needs a plenary later than the approval."""
    from tests.reports.followup_data import published_report

    with app.app_context():
        s = db.session
        sec = s.get(User, data.users["secretariat"])
        assert sec is not None
        report = published_report(s, data.am_evaluation, data.users["panel"])
        later = plenaries.create_plenary(s, sec, "70th plenary", date(2027, 1, 4), date(2027, 1, 8))
        with pytest.raises(services.ReportError, match="adopted already"):
            plenaries.add_agenda_item(s, later, report, PlenaryItemKind.ADOPT, sec)
        with pytest.raises(services.ReportError, match="approved already"):
            plenaries.add_agenda_item(s, later, report, PlenaryItemKind.APPROVE_DRAFT, sec)

        ev = s.get(Evaluation, data.ua_evaluation)
        panel = s.get(User, data.users["panel"])
        assert ev is not None and panel is not None
        draft = services.start_report(s, ev, panel, "UA", ["One"])
        services.add_paragraph(s, draft, services.chapters(s, draft)[0], panel, "Text.")
        with freeze_time("2027-01-05 09:00:00"):
            plenaries.add_agenda_item(s, later, draft, PlenaryItemKind.APPROVE_DRAFT, sec)
            cycle.transition(s, draft, "submit_for_review", panel)
            cycle.transition(s, draft, "approve_draft", sec, plenary=later)
        with pytest.raises(services.ReportError, match="later plenary than 70th plenary"):
            plenaries.add_agenda_item(s, later, draft, PlenaryItemKind.ADOPT, sec)
        next_one = plenaries.create_plenary(
            s, sec, "71st plenary", date(2027, 3, 1), date(2027, 3, 5)
        )
        plenaries.add_agenda_item(s, next_one, draft, PlenaryItemKind.ADOPT, sec)
