"""``monitor round follow-up-questions``: open proposals become the next round's Part II
for the Party, in a file the round loader accepts (issue 5, point 6)."""

import shutil
from datetime import date
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from ruamel.yaml import YAML

from monitor.accounts.models import User
from monitor.cli import main
from monitor.extensions import db
from monitor.questionnaires.loader import load_round_file
from monitor.reports import recommendations as recs
from monitor.reports.recommendation_models import Grade

from .conftest import Data
from .followup_data import published_report

ROUND_DIR = Path(__file__).resolve().parents[2] / "questionnaires" / "greta-round3"


def _graded_report(app: Flask, data: Data) -> None:
    """AM's report published, recommendation adopted, the first urges implemented."""
    with app.app_context():
        s = db.session
        sec = s.get(User, data.users["secretariat"])
        assert sec is not None
        report = published_report(s, data.am_evaluation, data.users["panel"])
        rec = recs.draft_recommendation(s, report, sec)
        recs.adopt_recommendation(s, rec, sec, date(2026, 10, 15))
        first, second, *_ = recs.items(s, rec)
        recs.grade_item(s, rec, first, sec, Grade.IMPLEMENTED)
        recs.grade_item(s, rec, second, sec, Grade.PARTLY_IMPLEMENTED)
        s.commit()


def _round_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "questionnaires"
    shutil.copytree(ROUND_DIR.parent, folder)
    return folder / "greta-round3"


def test_output_file_is_loaded_as_part_ii(
    app: Flask, data: Data, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _graded_report(app, data)
    rnd = _round_copy(tmp_path)
    out = rnd / "part2" / "AM-followup.yaml"
    args = ["round", "follow-up-questions", "--party", "am", "--from-round", "3"]
    result = runner.invoke(main, [*args, "--to-round", "4", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "3" in result.output and "AM" in result.output
    sections = YAML(typ="safe").load(out.read_text(encoding="utf-8"))
    [section] = sections
    assert section["id"] == "fu3_am_followup"
    assert [i["id"] for i in section["items"]] == ["fu3_am_p5", "fu3_am_p2", "fu3_am_p4"]
    first = section["items"][0]
    assert first["kind"] == "long_text" and first["articles"] == [15, 26]
    assert (
        "> GRETA urges the authorities to apply the non-punishment provision." in first["guidance"]
    )
    assert "partly implemented" in first["guidance"]
    assert section["articles"] == [12, 15, 26, 29]
    # the round names the file as the Party's Part II: the loader accepts it
    round_file = rnd / "round.yaml"
    text = round_file.read_text(encoding="utf-8").replace(
        "AM: part2/AM.yaml", "AM: part2/AM-followup.yaml"
    )
    round_file.write_text(text, encoding="utf-8")
    loaded = load_round_file(round_file)
    ids = [s.id for s in loaded.questionnaire_for("party", "AM").sections()]
    assert "fu3_am_followup" in ids
    # an existing file is never overwritten
    again = runner.invoke(main, [*args, "--to-round", "4", "--output", str(out)])
    assert again.exit_code != 0


def test_append_to_existing_part_ii_keeps_it_and_loads(
    app: Flask, data: Data, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _graded_report(app, data)
    rnd = _round_copy(tmp_path)
    target = rnd / "part2" / "AM.yaml"
    before = target.read_text(encoding="utf-8")
    args = ["round", "follow-up-questions", "--party", "AM", "--from-round", "3"]
    result = runner.invoke(main, [*args, "--to-round", "4", "--append-to", str(target)])
    assert result.exit_code == 0, result.output
    after = target.read_text(encoding="utf-8")
    assert after.startswith("# Part II for Armenia")  # comments kept
    loaded = load_round_file(rnd / "round.yaml")
    ids = [s.id for s in loaded.questionnaire_for("party", "AM").sections()]
    assert "am_followup" in ids and "fu3_am_followup" in ids
    assert before != after
    # twice is refused: the section is there already
    assert runner.invoke(main, [*args, "--to-round", "4", "--append-to", str(target)]).exit_code


def test_stdout_and_errors(app: Flask, data: Data, runner: FlaskCliRunner) -> None:
    args = ["round", "follow-up-questions", "--from-round", "3", "--to-round", "4"]
    unpublished = runner.invoke(main, [*args, "--party", "AM"])
    assert unpublished.exit_code != 0 and "published" in unpublished.output
    assert runner.invoke(main, [*args, "--party", "ARM"]).exit_code == 2
    assert runner.invoke(main, [*args, "--party", "FR"]).exit_code != 0
    _graded_report(app, data)
    printed = runner.invoke(main, [*args, "--party", "AM"])
    assert printed.exit_code == 0
    assert YAML(typ="safe").load(printed.output)[0]["id"] == "fu3_am_followup"
