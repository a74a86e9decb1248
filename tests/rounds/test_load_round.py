"""load_round: idempotent upserts, questionnaire versions by content hash, evaluations bound
to the newest version; ``monitor round load``."""

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import func, select

from monitor.accounts.models import Party
from monitor.cli import main
from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.questionnaires.loader import DefinitionError
from monitor.rounds.models import (
    Audience,
    Evaluation,
    EvaluationRound,
    Instrument,
    QuestionnaireVersion,
)
from monitor.rounds.services import (
    evaluation_for,
    get_round,
    load_round,
    ngo_questionnaire_version,
)
from monitor.submissions.models import Reply
from tests.questionnaires.helpers import GOOD, copy_good, replace


def count(model: type) -> int:
    return db.session.exec(select(func.count()).select_from(model)).one()


def test_load_round_creates_everything(app: Flask) -> None:
    with app.app_context():
        changes: list[str] = []
        rnd = load_round(db.session, GOOD / "round.yaml", changes=changes)
        db.session.commit()
        assert rnd.number == 9 and rnd.title == "Ninth test round"
        instrument = db.session.get(Instrument, rnd.instrument_id)
        assert instrument is not None and instrument.code == "TEST197"
        assert {p.code for p in db.session.exec(select(Party)).all()} == {"NO", "AM"}
        am = evaluation_for(db.session, rnd, "AM")
        version = db.session.get(QuestionnaireVersion, am.questionnaire_version_id)
        assert version is not None
        assert (version.audience, version.party_code) == (Audience.PARTY, "AM")
        assert len(version.content_hash) == 64
        sections = [s["id"] for part in version.definition["parts"] for s in part["sections"]]
        assert sections == ["compensation", "am_followup", "statistics"]
        assert am.questionnaire_sent is not None and am.reply_due is not None
        assert (am.questionnaire_sent.isoformat(), am.reply_due.isoformat()) == (
            "2025-03-31",
            "2025-08-31",
        )
        ngo = ngo_questionnaire_version(db.session, rnd)
        assert ngo.party_code is None and ngo.definition["audience"] == "ngo"
        assert count(QuestionnaireVersion) == 3  # NO, AM and the NGO questionnaire
        assert get_round(db.session, 9) == rnd
        assert get_round(db.session, 8) is None
        with pytest.raises(LookupError):
            evaluation_for(db.session, rnd, "FR")
        actions = db.session.exec(select(AuditEvent.action)).all()
        assert actions.count("evaluation.created") == 2
        assert "round.created" in actions and "instrument.created" in actions
        assert "created round 9 (Ninth test round)" in changes


def test_load_round_twice_is_idempotent(app: Flask) -> None:
    with app.app_context():
        load_round(db.session, GOOD / "round.yaml")
        db.session.commit()
        before = {
            m: count(m)
            for m in (
                Instrument,
                EvaluationRound,
                Party,
                QuestionnaireVersion,
                Evaluation,
                AuditEvent,
            )
        }
        changes: list[str] = []
        load_round(db.session, GOOD / "round.yaml", changes=changes)
        db.session.commit()
        after = {m: count(m) for m in before}
        assert after == before
        assert changes == ["round 9 is up to date"]


def test_changed_questionnaire_new_version_draft_moves(app: Flask, tmp_path: Path) -> None:
    """A changed questionnaire is a new version; evaluations are bound to it, and a draft
    moves to it (submitted replies stay: tests/rounds/test_versions.py)."""
    good = copy_good(tmp_path)
    with app.app_context():
        rnd = load_round(db.session, good / "round.yaml")
        db.session.commit()
        am = evaluation_for(db.session, rnd, "AM")
        no = evaluation_for(db.session, rnd, "NO")
        old_am, old_no = am.questionnaire_version_id, no.questionnaire_version_id
        # Armenia has started its reply; Norway has not.
        draft = Reply(evaluation_id=am.id, audience=Audience.PARTY, questionnaire_version_id=old_am)
        db.session.add(draft)
        db.session.commit()

        assert (draft.questionnaire_version_id, draft.version) == (old_am, 0)  # loaded

        replace(good / "party.yaml", "label: Which scheme applies?", "label: Which scheme?")
        changes: list[str] = []
        load_round(db.session, good / "round.yaml", changes=changes)
        # the reply object held in the session is not left stale by the load
        assert draft.questionnaire_version_id not in (old_am, None)
        assert draft.version == 1
        db.session.commit()

        assert count(QuestionnaireVersion) == 5  # new AM and NO versions; NGO unchanged
        db.session.refresh(am)
        db.session.refresh(no)
        assert am.questionnaire_version_id != old_am
        assert no.questionnaire_version_id != old_no
        assert draft.questionnaire_version_id == am.questionnaire_version_id
        new_no = db.session.get(QuestionnaireVersion, no.questionnaire_version_id)
        assert new_no is not None
        labels = [
            i["label"]
            for p in new_no.definition["parts"]
            for s in p["sections"]
            for i in s["items"]
        ]
        assert "Which scheme?" in labels
        actions = db.session.exec(select(AuditEvent.action)).all()
        assert actions.count("evaluation.version_changed") == 2
        assert actions.count("reply.version_changed") == 1
        assert "evaluation.version_kept" not in actions
        assert any(line.startswith(f"moved draft reply {draft.id} (AM)") for line in changes)


def test_definition_error_changes_nothing(app: Flask, tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    replace(good / "party.yaml", "kind: money", "kind: slider")
    with app.app_context():
        with pytest.raises(DefinitionError) as info:
            load_round(db.session, good / "round.yaml")
        assert "unknown item kind 'slider'" in str(info.value.problems[0])
        assert count(EvaluationRound) == 0


def test_round_load_command(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(main, ["round", "load", str(GOOD / "round.yaml")])
    assert result.exit_code == 0, result.output
    assert "created evaluation of AM in round 9" in result.output
    assert "Round 9 loaded: Ninth test round" in result.output
    with app.app_context():
        assert count(Evaluation) == 2  # committed
    again = runner.invoke(main, ["round", "load", str(GOOD / "round.yaml")])
    assert again.exit_code == 0
    assert "round 9 is up to date" in again.output


def test_round_load_command_reports_problems(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    good = copy_good(tmp_path)
    replace(good / "round.yaml", "provisions: [12, 15]", "provisions: [12, 99]")
    result = runner.invoke(main, ["round", "load", str(good / "round.yaml")])
    assert result.exit_code == 1
    assert f"{good / 'round.yaml'}:5:18: provisions[1]: TEST197 has no article 99" in (
        result.output
    )
    assert "1 problem; nothing was loaded." in result.output
    with app.app_context():
        assert count(EvaluationRound) == 0
