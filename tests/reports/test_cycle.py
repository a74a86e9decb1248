"""The report cycle (procedure steps 6-12 in shared/domain.md) walked through every state
with the clock moved: deadlines, a missed deadline, refused transitions, comment
answering, versions, plenaries and publication by the cron command."""

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlmodel import Session, select

from monitor.accounts.models import User
from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.reports import comments, cycle, plenaries, services, versions
from monitor.reports.cli import publish_due_command
from monitor.reports.cycle import Action, TransitionError, TransitionForbidden
from monitor.reports.models import (
    CommentResponse,
    CommentStage,
    PlenaryItemKind,
    Report,
    ReportStatus,
    ReportStep,
)
from monitor.rounds.models import Evaluation

from .conftest import Data

S = ReportStatus


@pytest.fixture
def session(app: Flask, data: Data) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def _user(s: Session, data: Data, who: str) -> User:
    user = s.get(User, data.users[who])
    assert user is not None
    return user


def _report(s: Session, data: Data) -> Report:
    ev = s.get(Evaluation, data.am_evaluation)
    assert ev is not None
    report = services.start_report(
        s, ev, _user(s, data, "panel"), "Report on Armenia", ["Introduction", "Compensation"]
    )
    return report


def test_the_table_has_one_row_per_state_and_action() -> None:
    keys = [(t.source, t.action) for t in cycle.TRANSITIONS]
    assert len(keys) == len(set(keys))
    # every state but the last can be left; every state is reachable
    assert {t.source for t in cycle.TRANSITIONS} == set(S) - {S.PUBLISHED}
    assert {t.target for t in cycle.TRANSITIONS} == set(S)


def test_walk_through_every_state(session: Session, data: Data) -> None:
    s = session
    panel, sec = _user(s, data, "panel"), _user(s, data, "secretariat")
    contact, contributor = _user(s, data, "contact_am"), _user(s, data, "contributor_am")
    other = _user(s, data, "contact_ua")

    with freeze_time("2025-01-06 09:00:00"):
        report = _report(s, data)
        intro, comp = services.chapters(s, report)
        p1 = services.add_paragraph(s, report, intro, panel, "GRETA visited Armenia in 2024.")
        p2 = services.add_paragraph(s, report, comp, panel, "Compensation is rarely paid.")
        # nothing but the table's moves from drafting
        with pytest.raises(TransitionError, match="not possible while the report is"):
            cycle.transition(s, report, Action.SEND_TO_PARTY, panel)
        with pytest.raises(TransitionForbidden):
            cycle.transition(s, report, Action.SUBMIT_FOR_REVIEW, contact)
        with pytest.raises(TransitionError, match="at a plenary"):
            cycle.transition(s, report, Action.ADOPT_URGENT, sec)
        assert report.status == S.DRAFTING
        cycle.transition(s, report, Action.SUBMIT_FOR_REVIEW, panel)
        assert report.status == S.PANEL_REVIEW

        # panel-internal comment during review
        internal = comments.add_comment(s, report, panel, "Add the 2024 figures.", p2)
        assert internal.stage == CommentStage.PANEL and internal.sent_at is not None
        with pytest.raises(services.ReportError, match="cannot be made"):
            comments.add_comment(s, report, contact, "Too early")
        services.update_paragraph(
            s, report, p2, panel, "Compensation was paid in 2 cases in 2024.", p2.kind, None, [], []
        )

        spring = plenaries.create_plenary(
            s, sec, "52nd plenary", date(2025, 3, 10), date(2025, 3, 14), "Strasbourg"
        )
        autumn = plenaries.create_plenary(
            s, sec, "54th plenary", date(2025, 11, 17), date(2025, 11, 21), "Strasbourg"
        )
        # not on the agenda yet
        with pytest.raises(TransitionError, match="not on the agenda"):
            cycle.transition(s, report, Action.APPROVE_DRAFT, sec, plenary=spring)
        plenaries.add_agenda_item(s, spring, report, PlenaryItemKind.APPROVE_DRAFT, sec)
        with pytest.raises(services.ReportError, match="already on the agenda"):
            plenaries.add_agenda_item(s, spring, report, PlenaryItemKind.APPROVE_DRAFT, sec)
        # the step waits for the plenary: due on its first day
        assert cycle.current_step(s, report) == (S.PANEL_REVIEW, date(2025, 3, 10), False)
        with pytest.raises(TransitionError, match="begins on 2025-03-10"):
            cycle.transition(s, report, Action.APPROVE_DRAFT, sec, plenary=spring)
        with pytest.raises(TransitionError, match="at a plenary"):
            cycle.transition(s, report, Action.APPROVE_DRAFT, sec)

    with freeze_time("2025-03-12 15:00:00"):
        with pytest.raises(TransitionForbidden):  # plenary decisions: the secretariat
            cycle.transition(s, report, Action.APPROVE_DRAFT, panel, plenary=spring)
        step = cycle.transition(s, report, Action.APPROVE_DRAFT, sec, plenary=spring)
        assert step.plenary_id == spring.id and report.status == S.DRAFT_APPROVED
        with pytest.raises(services.ReportError, match="with the Party"):
            services.update_paragraph(s, report, p1, panel, "x", p1.kind, None, [], [])
        cycle.transition(s, report, Action.SEND_TO_PARTY, panel)
        assert report.comments_due == date(2025, 5, 12)  # the round's 2 months
        assert cycle.current_step(s, report) == (S.SENT_TO_PARTY, date(2025, 5, 12), False)

        # a contributor drafts, the contact person drafts and sends; a contributor cannot send
        c1 = comments.add_comment(s, report, contributor, "The law changed in 2024.", p1)
        general = comments.add_comment(s, report, contact, "Thank you for the report.")
        assert c1.stage == CommentStage.DRAFT and c1.sent_at is None
        with pytest.raises(TransitionForbidden):
            cycle.transition(s, report, Action.SEND_COMMENTS, contributor)
        with pytest.raises(TransitionForbidden):
            cycle.transition(s, report, Action.SEND_COMMENTS, other)
        # the revision waits for the comments or the deadline
        with pytest.raises(TransitionError, match="until 2025-05-12"):
            cycle.transition(s, report, Action.START_REVISION, panel)

    # the Party misses its deadline: the step is overdue
    with freeze_time("2025-05-20 08:00:00"):
        assert cycle.current_step(s, report) == (S.SENT_TO_PARTY, date(2025, 5, 12), True)
        cycle.transition(s, report, Action.SEND_COMMENTS, contact)  # late, still accepted
        assert report.status == S.PARTY_COMMENTED
        assert c1.sent_at is not None and general.sent_at is not None
        cycle.transition(s, report, Action.START_REVISION, panel)
        assert report.status == S.REVISING

        # adoption at the plenary that approved the draft cannot even be put on its agenda
        with pytest.raises(services.ReportError, match="later plenary than"):
            plenaries.add_agenda_item(s, spring, report, PlenaryItemKind.ADOPT, sec)
        plenaries.add_agenda_item(s, autumn, report, PlenaryItemKind.ADOPT, sec)
        # every Party comment needs an answer, and a reason unless taken into account
        with pytest.raises(services.ReportError, match="reason"):
            comments.answer_comment(s, report, c1, panel, CommentResponse.PARTLY)
        comments.answer_comment(
            s, report, c1, panel, CommentResponse.PARTLY, "Only the 2024 amendments apply."
        )
        with pytest.raises(services.ReportError, match="Only the Party's comments"):
            comments.answer_comment(s, report, internal, panel, CommentResponse.NOT_TAKEN, "x")
        services.update_paragraph(
            s, report, p1, panel, "GRETA visited Armenia in May 2024.", p1.kind, None, [], []
        )
        p3 = services.add_paragraph(s, report, intro, panel, "A new paragraph.")

    with freeze_time("2025-11-18 10:00:00"):
        # adoption at the plenary that approved the draft is refused: a later one
        with pytest.raises(TransitionError, match="not on the agenda"):
            cycle.transition(s, report, Action.ADOPT, sec, plenary=spring)
        with pytest.raises(TransitionError, match="1 comment of the Party has not been answered"):
            cycle.transition(s, report, Action.ADOPT, sec, plenary=autumn)
        comments.answer_comment(s, report, general, panel, CommentResponse.TAKEN_INTO_ACCOUNT)
        cycle.transition(s, report, Action.ADOPT, sec, plenary=autumn)
        assert report.status == S.ADOPTED
        # numbers frozen and stored
        assert report.frozen_numbers == {str(p1.id): 1, str(p3.id): 2, str(p2.id): 3}
        with pytest.raises(services.ReportError, match="can no longer change"):
            services.add_paragraph(s, report, intro, panel, "Too late.")
        # the adopted numbers hold even if the rows' order changed behind the services
        p1.position, p3.position = p3.position, p1.position
        s.add_all([p1, p3])
        s.flush()
        assert services.paragraph_numbers(s, report) == {p1.id: 1, p3.id: 2, p2.id: 3}
        p1.position, p3.position = p3.position, p1.position
        s.add_all([p1, p3])
        cycle.transition(s, report, Action.TRANSMIT, sec)
        assert report.final_comments_due == date(2025, 12, 18)

    with freeze_time("2025-12-01 10:00:00"):
        # neither the secretariat nor the cron publishes before the month is over without
        # final comments
        with pytest.raises(TransitionError, match="until 2025-12-18"):
            cycle.transition(s, report, Action.PUBLISH, sec)
        assert cycle.publish_due(s) == []
        final = comments.add_comment(s, report, contact, "Final comments of the Government.")
        assert final.stage == CommentStage.FINAL
        cycle.transition(s, report, Action.SEND_FINAL_COMMENTS, contact)
        assert report.status == S.TRANSMITTED and final.sent_at is not None
        # with the final comments in, the secretariat may publish early
        assert cycle.find(S.TRANSMITTED, Action.PUBLISH) is not None
        cycle.transition(s, report, Action.PUBLISH, sec)
        assert report.status == S.PUBLISHED and report.published_at is not None
        with pytest.raises(TransitionError):
            cycle.transition(s, report, Action.PUBLISH, sec)

    steps = s.exec(select(ReportStep).where(ReportStep.report_id == report.id)).all()
    assert [(st.action, st.to_status) for st in steps] == [
        ("submit_for_review", S.PANEL_REVIEW),
        ("approve_draft", S.DRAFT_APPROVED),
        ("send_to_party", S.SENT_TO_PARTY),
        ("send_comments", S.PARTY_COMMENTED),
        ("start_revision", S.REVISING),
        ("adopt", S.ADOPTED),
        ("transmit", S.TRANSMITTED),
        ("send_final_comments", S.TRANSMITTED),
        ("publish", S.PUBLISHED),
    ]
    assert [st.actor_id for st in steps] == [
        panel.id,
        sec.id,
        panel.id,
        contact.id,
        panel.id,
        sec.id,
        sec.id,
        contact.id,
        sec.id,
    ]
    assert [st.due for st in steps if st.due] == [date(2025, 5, 12), date(2025, 12, 18)]
    assert all(st.at.tzinfo is not None for st in steps)
    audit = [
        e.action
        for e in s.exec(select(AuditEvent).where(AuditEvent.action.startswith("report.")))  # type: ignore[attr-defined]
    ]
    for st in steps:
        assert f"report.{st.action}" in audit

    # one version per step; the adopted version compared with the sent one
    vs = versions.versions(s, report)
    assert [v.number for v in vs] == list(range(1, len(steps) + 1))
    sent = next(v for v in vs if v.action == "send_to_party")
    adopted = next(v for v in vs if v.action == "adopt")
    changes = {
        c.new["id"] if c.new else c.old["id"]: c
        for c in versions.compare(sent.content, adopted.content)
    }  # type: ignore[index]
    assert changes[p1.id].state == "changed"
    assert "<ins>May </ins>" in str(changes[p1.id].diff)
    assert changes[p3.id].state == "added"
    assert changes[p2.id].state == "same"
    assert adopted.content["chapters"][0]["paragraphs"][1]["number"] == 2


def test_publish_due_by_the_cron_command(app: Flask, data: Data) -> None:
    with app.app_context():
        s = db.session
        sec = _user(s, data, "secretariat")
        report = _report(s, data)
        services.add_paragraph(s, report, services.chapters(s, report)[0], sec, "Text.")
        report.urgent = True
        with freeze_time("2025-06-02 10:00:00"):
            plenary = plenaries.create_plenary(
                s, sec, "53rd plenary", date(2025, 6, 2), date(2025, 6, 6)
            )
            plenaries.add_agenda_item(s, plenary, report, PlenaryItemKind.ADOPT, sec)
            # urgent procedure: from drafting straight to adoption at a plenary
            cycle.transition(s, report, Action.ADOPT_URGENT, sec, plenary=plenary)
            cycle.transition(s, report, Action.TRANSMIT, sec)
        s.commit()
        assert report.final_comments_due == date(2025, 7, 2)
        report_id = report.id

    runner = app.test_cli_runner()
    with freeze_time("2025-07-02 23:00:00"):  # the last day for final comments
        result = runner.invoke(publish_due_command)
        assert result.exit_code == 0, result.output
        assert "No report is due for publication." in result.output
    with freeze_time("2025-07-03 06:00:00"):
        result = runner.invoke(publish_due_command)
        assert result.exit_code == 0, result.output
        assert (
            f"Published the report on Armenia (AM), round 3, evaluation {data.am_evaluation}"
            in (result.output)
        )
        again = runner.invoke(publish_due_command)
        assert "No report is due for publication." in again.output
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None and report.status == S.PUBLISHED
        steps = cycle.steps(db.session, report)
        assert [(st.action, st.actor_id) for st in steps][-1] == ("publish_due", None)
        assert len([st for st in steps if st.action == "publish_due"]) == 1


def test_return_to_drafting_and_revision_after_a_silent_party(session: Session, data: Data) -> None:
    s = session
    panel, sec = _user(s, data, "panel"), _user(s, data, "secretariat")
    report = _report(s, data)
    services.add_paragraph(s, report, services.chapters(s, report)[0], panel, "Text.")
    with freeze_time("2025-01-10"):
        cycle.transition(s, report, Action.SUBMIT_FOR_REVIEW, panel)
        cycle.transition(s, report, Action.RETURN_TO_DRAFTING, panel)
        cycle.transition(s, report, Action.SUBMIT_FOR_REVIEW, panel)
        plenary = plenaries.create_plenary(s, sec, "51st", date(2025, 1, 10), date(2025, 1, 10))
        plenaries.add_agenda_item(s, plenary, report, PlenaryItemKind.APPROVE_DRAFT, sec)
        cycle.transition(s, report, Action.APPROVE_DRAFT, sec, plenary=plenary)
        cycle.transition(s, report, Action.SEND_TO_PARTY, panel)
    with freeze_time("2025-03-11"):  # the day after the deadline, no comments came
        assert cycle.current_step(s, report)[2] is True
        cycle.transition(s, report, Action.START_REVISION, panel)
        assert report.status == S.REVISING
        assert cycle.current_step(s, report) == (S.REVISING, None, False)


def test_the_secretariat_extends_the_partys_deadline(session: Session, data: Data) -> None:
    s = session
    panel, sec = _user(s, data, "panel"), _user(s, data, "secretariat")
    report = _report(s, data)
    services.add_paragraph(s, report, services.chapters(s, report)[0], panel, "Text.")
    with pytest.raises(TransitionError, match="no deadline"):
        cycle.extend_deadline(s, report, sec, date(2030, 1, 1))
    with freeze_time("2025-01-10"):
        cycle.transition(s, report, Action.SUBMIT_FOR_REVIEW, panel)
        plenary = plenaries.create_plenary(s, sec, "51st", date(2025, 1, 10), date(2025, 1, 10))
        plenaries.add_agenda_item(s, plenary, report, PlenaryItemKind.APPROVE_DRAFT, sec)
        cycle.transition(s, report, Action.APPROVE_DRAFT, sec, plenary=plenary)
        cycle.transition(s, report, Action.SEND_TO_PARTY, panel)
    with freeze_time("2025-03-20"):
        assert cycle.current_step(s, report) == (S.SENT_TO_PARTY, date(2025, 3, 10), True)
        with pytest.raises(TransitionForbidden):
            cycle.extend_deadline(s, report, panel, date(2025, 4, 10))
        with pytest.raises(TransitionError, match="past"):
            cycle.extend_deadline(s, report, sec, date(2025, 3, 19))
        assert cycle.extend_deadline(s, report, sec, date(2025, 4, 10)) == date(2025, 3, 10)
        assert cycle.current_step(s, report) == (S.SENT_TO_PARTY, date(2025, 4, 10), False)
        with pytest.raises(TransitionError, match="until 2025-04-10"):
            cycle.transition(s, report, Action.START_REVISION, panel)
    event = s.exec(select(AuditEvent).where(AuditEvent.action == "report.deadline_changed")).one()
    assert event.actor_id == sec.id and event.detail["due"] == "2025-04-10"


def test_compare_shows_grade_priority_and_theme_changes() -> None:
    """A finding regraded or a proposal losing its priority is a change, even when its
    text is the same (critic: "unchanged" was shown)."""
    para = {"id": 7, "number": 1, "kind": "finding", "grade": "concern", "text": "Same text."}
    proposal = {
        "id": 8,
        "number": 2,
        "kind": "proposal",
        "verb": "urges",
        "priority": True,
        "themes": ["identification"],
        "text": "GRETA urges.",
    }
    old = {"chapters": [{"id": 1, "paragraphs": [para, proposal]}]}
    new = {
        "chapters": [
            {
                "id": 1,
                "paragraphs": [
                    {**para, "grade": "gap"},
                    {**proposal, "priority": False, "themes": ["identification", "assistance"]},
                ],
            }
        ]
    }
    finding, prop = versions.compare(old, new)
    assert finding.state == "changed" and finding.fields == [("grade", "concern", "gap")]
    assert prop.state == "changed"
    assert [f for f, _old, _new in prop.fields] == ["themes", "priority"]
