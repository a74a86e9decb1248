"""The complexity report: ``monitor questionnaire validate --stats`` and its counts."""

from pathlib import Path

from click.testing import CliRunner

from monitor.questionnaires.cli import questionnaire
from monitor.questionnaires.loader import load_questionnaire_file, load_round_file
from monitor.questionnaires.stats import (
    Budget,
    QuestionnaireStats,
    over_budget,
    questionnaire_stats,
    reports_for_paths,
)
from tests.questionnaires.helpers import BROKEN, GOOD, copy_good, replace

#: A questionnaire with a group, conditions, a retired item and tables of both shapes.
SMALL = """\
id: small
title: Small
audience: party
periods:
  reference: {label: 2021-2023, years: [2021, 2022, 2023]}
parts:
  - id: part1
    title: Part I
    sections:
      - id: one
        title: One
        items:
          - {id: intro, kind: info, label: Read this}
          - {id: has_plan, kind: yes_no, label: A plan?, required: true}
          - id: plan_body
            kind: text
            label: Who adopted it?
            show_if: has_plan = 'yes'
          - {id: old_question, kind: text, label: Gone, retired: true, show_if: has_plan}
          - id: bodies
            kind: group
            label: Co-ordinating bodies
            items:
              - {id: body_name, kind: text, label: Name, required: true}
              - {id: body_ngo, kind: yes_no, label: NGOs take part?}
              - {id: body_which, kind: long_text, label: Which?, show_if: body_ngo = 'yes'}
      - id: two
        title: Two
        items:
          - id: by_year
            kind: statistics_table
            label: Victims
            period: {name: reference}
            column_groups:
              - label: Measures
                columns:
                  - {code: identified, label: Identified}
                  - {code: assisted, label: Assisted}
          - id: by_row
            kind: statistics_table
            label: Cases
            total: false
            rows:
              - {code: prosecutions, label: Prosecutions}
              - {code: convictions, label: Convictions}
            column_groups:
              - columns: [{code: n, label: Number}]
"""


def write_small(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_counts_of_a_questionnaire(tmp_path: Path) -> None:
    stats = questionnaire_stats(load_questionnaire_file(write_small(tmp_path / "alone")))
    assert stats == QuestionnaireStats(
        sections=2,
        # the retired item is not counted; the group and its three members are
        items=9,
        by_kind={
            "info": 1,
            "text": 2,
            "long_text": 1,
            "yes_no": 2,
            "group": 1,
            "statistics_table": 2,
        },
        required=2,
        tables=2,
        # 3 years x (total + 2 columns) + 2 rows x 1 column
        table_cells=3 * 3 + 2 * 1,
        conditions=2,
        groups=1,
    )


def test_round_counts_each_party_with_its_part2_and_dimensions() -> None:
    loaded = load_round_file(GOOD / "round.yaml")
    reports, failed = reports_for_paths([GOOD])
    assert failed == []
    assert [(r.questionnaire_id, r.audience, r.party) for r in reports] == [
        ("test_party", "party", "NO"),
        ("test_party", "party", "AM"),
        ("test_ngo", "ngo", None),
    ]
    no, am, ngo = (r.stats for r in reports)
    # AM's Part II is one yes/no item in one section; NO's is one long text
    assert (am.sections, am.items, am.by_kind["yes_no"]) == (3, 6, 2)
    assert (no.items, no.by_kind["long_text"]) == (6, 1)
    # victims: 3 years x (total + sex 2 + age 2); cases: 1 year x 2 columns
    assert am.table_cells == 3 * 5 + 1 * 2
    assert am == questionnaire_stats(loaded.questionnaire_for("party", "AM"))
    assert ngo.items == 1


def test_a_questionnaire_is_counted_through_its_round() -> None:
    reports, _ = reports_for_paths([GOOD / "party.yaml", GOOD / "part2" / "am.yaml"])
    assert {(r.path, r.party) for r in reports} == {
        (str(GOOD / "round.yaml"), "NO"),
        (str(GOOD / "round.yaml"), "AM"),
        (str(GOOD / "round.yaml"), None),
    }


def test_over_budget() -> None:
    stats = QuestionnaireStats(sections=1, items=401, table_cells=5000, conditions=201)
    assert over_budget(stats, Budget()) == [("items", 401, 400), ("conditions", 201, 200)]
    assert over_budget(stats, Budget(items=500, conditions=300)) == []


def test_cli_stats_of_a_clean_round() -> None:
    result = CliRunner().invoke(questionnaire, ["validate", "--stats", str(GOOD)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        f"{GOOD / 'round.yaml'}: test_party for NO: 3 sections, 6 items (0 required), "
        "2 tables (17 cells), 0 conditions, 0 groups"
    )
    assert lines[1] == (
        "  items by kind: long_text 1, single_choice 1, yes_no 1, money 1, statistics_table 2"
    )
    assert lines[4] == (
        f"{GOOD / 'round.yaml'}: test_ngo: 1 section, 1 item (0 required), 0 tables "
        "(0 cells), 0 conditions, 0 groups"
    )
    assert lines[-1] == "No problems found."
    assert len(lines) == 7
    assert not any(line.startswith("warning:") for line in lines)


def test_cli_warns_above_budget_and_keeps_exit_status(tmp_path: Path) -> None:
    path = write_small(tmp_path / "alone")
    result = CliRunner().invoke(
        questionnaire,
        [
            "validate",
            "--stats",
            "--max-items",
            "8",
            "--max-cells",
            "11",
            "--max-conditions",
            "1",
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {path}: small: 9 items, above the budget of 8",
        f"warning: {path}: small: 2 conditions, above the budget of 1",
    ]
    assert result.output.endswith("No problems found.\n")


def test_cli_default_budgets_are_the_documented_ones() -> None:
    result = CliRunner().invoke(questionnaire, ["validate", "--help"])
    output = " ".join(result.output.split())
    for default in ("400", "5000", "200"):
        assert f"[default: {default};" in output
    assert Budget() == Budget(items=400, table_cells=5000, conditions=200)


def test_cli_refuses_a_negative_budget() -> None:
    result = CliRunner().invoke(questionnaire, ["validate", "--max-items", "-1", str(GOOD)])
    assert result.exit_code == 2


def test_cli_stats_with_problems(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    replace(good / "ngo.yaml", "kind: long_text", "kind: slider")
    result = CliRunner().invoke(
        questionnaire, ["validate", "--stats", str(good), str(BROKEN / "syntax.yaml")]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{good / 'round.yaml'}: not counted: it has problems" in lines
    assert lines[-1] == "2 problems found."


def test_cli_without_stats_prints_no_counts() -> None:
    result = CliRunner().invoke(questionnaire, ["validate", "--max-items", "1", str(GOOD)])
    assert result.output == "No problems found.\n"
