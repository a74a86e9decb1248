"""``monitor questionnaire validate`` and ``schema``: output and exit codes (no app needed)."""

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.questionnaires.cli import questionnaire
from tests.questionnaires.helpers import BROKEN, GOOD, copy_good, replace


def test_validate_clean_exits_0() -> None:
    result = CliRunner().invoke(questionnaire, ["validate", str(GOOD)])
    assert result.exit_code == 0, result.output
    assert result.output == "No problems found.\n"


def test_validate_problems_exit_1_one_per_line(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    replace(good / "ngo.yaml", "kind: long_text", "kind: slider")
    result = CliRunner().invoke(questionnaire, ["validate", str(good), str(BROKEN / "syntax.yaml")])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    # problems are sorted by path: which file comes first depends on where they live
    problems = sorted(lines[:2])
    expected = sorted(
        [
            f"{good / 'ngo.yaml'}:12:19: parts[0].sections[0].items[0].kind:",
            f"{BROKEN / 'syntax.yaml'}:3:9: YAML syntax error",
        ]
    )
    assert all(p.startswith(e) for p, e in zip(problems, expected, strict=True)), problems
    assert lines[2] == "2 problems found."
    assert len(lines) == 3


def test_validate_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(questionnaire, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2


def test_schema_prints_json_schema() -> None:
    result = CliRunner().invoke(questionnaire, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "monitor questionnaire file"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "StatisticsTableItem" in schema["$defs"]
