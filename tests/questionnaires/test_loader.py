"""The YAML loader: located problems, known failures B22/B24, self-contained definitions."""

import json
from pathlib import Path

import pytest

from monitor.questionnaires.loader import (
    DefinitionError,
    Problem,
    content_hash,
    load_questionnaire_file,
    load_round_file,
    validate_paths,
)
from monitor.questionnaires.schema import QuestionnaireDef, StatisticsTableItem
from tests.questionnaires.helpers import BROKEN, GOOD, copy_good, replace, where


def messages(paths: list[Path]) -> list[str]:
    return [str(p) for p in validate_paths(paths)]


def only_problem(paths: list[Path]) -> str:
    found = messages(paths)
    assert len(found) == 1, found
    return found[0]


# --- the good fixture ------------------------------------------------------------------------


def test_good_round_has_no_problems() -> None:
    assert validate_paths([GOOD]) == []


def test_problem_str_is_path_line_column_message() -> None:
    assert str(Problem("a.yaml", 3, 7, "boom")) == "a.yaml:3:7: boom"


def test_questionnaire_for_merges_part2_and_fills_dimensions() -> None:
    loaded = load_round_file(GOOD / "round.yaml")
    am = loaded.questionnaire_for("party", "AM")
    no = loaded.questionnaire_for("party", "NO")
    part2 = [p for p in am.parts if p.country_specific][0]
    assert [s.id for s in part2.sections] == ["am_followup"]
    assert [s.id for s in [p for p in no.parts if p.country_specific][0].sections] == [
        "no_followup"
    ]
    table = next(i for i in am.items() if i.id == "victims")
    assert isinstance(table, StatisticsTableItem)
    sex = table.column_groups[0]
    assert sex.dimension == "sex"
    assert [(c.code, c.label) for c in sex.columns or []] == [
        ("female", "Female"),
        ("male", "Male"),
    ]
    # Self-contained: the stored JSON validates on its own and gives the same hash.
    stored = json.loads(json.dumps(am.model_dump(mode="json")))
    assert content_hash(QuestionnaireDef.model_validate(stored)) == content_hash(am)
    assert content_hash(am) != content_hash(no)
    ngo = loaded.questionnaire_for("ngo", None)
    assert ngo.audience == "ngo"
    with pytest.raises(ValueError):
        loaded.questionnaire_for("party", "FR")


def test_norway_codes_stay_strings_b22() -> None:
    """B22: NO, yes, no and off load as the strings written (YAML 1.2)."""
    q = load_questionnaire_file(BROKEN / "norway.yaml")
    items = q.items()
    assert items[0].id == "off"
    assert items[2].label == "off"
    codes = [o.code for item in items[:2] for o in item.options]  # type: ignore[attr-defined]
    assert codes == ["yes", "no", "n/a", "NO", "FR", "RU", "SE"]
    assert all(type(code) is str for code in codes)
    loaded = load_round_file(GOOD / "round.yaml")
    assert loaded.round.parties[0].code == "NO"
    assert "NO" in loaded.round.country_specific


def test_round_dates_are_dates_and_serialise_b24() -> None:
    """B24: an unquoted date where the schema wants a date becomes a validated date."""
    loaded = load_round_file(GOOD / "round.yaml")
    am = loaded.round.parties[1]
    assert am.questionnaire_sent is not None
    assert am.questionnaire_sent.isoformat() == "2025-03-31"
    assert loaded.questionnaire_for("party", "AM").version == "1.10"
    json.dumps(loaded.round.model_dump(mode="json"))


# --- broken files: each problem at its line and column ---------------------------------------


def test_several_problems_reported_at_once() -> None:
    path = BROKEN / "several.yaml"
    assert messages([path]) == [
        f"{where(path, '1.10')}: version: expected text, but YAML reads the number 1.10; "
        'write it in quotes: "1.10"',
        f"{where(path, 'colour')}: colour: unknown field 'colour'; did you mean 'column'?",
        f"{where(path, '2025-03-31')}: parts[0].sections[0].title: expected text, but YAML "
        'reads the date 2025-03-31; write it in quotes: "2025-03-31"',
        f"{where(path, 'slider')}: parts[0].sections[0].items[0].kind: unknown item kind "
        "'slider'; expected one of info, text, long_text, single_choice, multiple_choice, "
        "yes_no, number, money, date, year, file, group, statistics_table",
        f"{path}:16:17: parts[0].sections[0].items[1].id: duplicate item id 'a' "
        f"(also at {path}:13:17)",
        f"{where(path, '[]')}: parts[0].sections[0].items[2].options: needs at least 1 option",
        f"{where(path, 'label: Second')}: parts[0].sections[0].items[3].label: duplicate key "
        "'label' (first given on line 25)",
        f"{where(path, '012')}: parts[0].sections[0].items[4].options[0].code: expected text, "
        'but YAML reads the number 012; write it in quotes: "012"',
    ]


def test_load_questionnaire_file_raises_with_all_problems() -> None:
    with pytest.raises(DefinitionError) as info:
        load_questionnaire_file(BROKEN / "several.yaml")
    assert len(info.value.problems) == 8
    assert all(isinstance(p, Problem) for p in info.value.problems)


def test_yaml_syntax_error_is_located() -> None:
    path = BROKEN / "syntax.yaml"
    assert only_problem([path]) == (
        f"{path}:3:9: YAML syntax error: while parsing a flow sequence; "
        "expected ',' or ']', but got ':'"
    )


def test_tab_indentation_is_located(tmp_path: Path) -> None:
    path = tmp_path / "tab.yaml"
    path.write_text("id: x\n\ttitle: tab\n")
    assert only_problem([path]).startswith(f"{path}:2:1: YAML syntax error")


def test_unknown_file_kind(tmp_path: Path) -> None:
    path = BROKEN / "not_a_definition.yaml"
    assert only_problem([path]).startswith(f"{path}:1:1: cannot tell what this file is")


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n")
    assert only_problem([empty]) == f"{empty}:1:1: the file is empty"
    with pytest.raises(DefinitionError) as info:
        load_round_file(tmp_path / "absent.yaml")
    assert str(info.value.problems[0]) == f"{tmp_path / 'absent.yaml'}:1:1: file not found"


def test_duplicate_key_at_top_level(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    path = good / "ngo.yaml"
    replace(path, "audience: ngo\n", "audience: ngo\ntitle: Again\n")
    assert only_problem([path]) == (
        f"{path}:4:1: title: duplicate key 'title' (first given on line 2)"
    )


def test_unknown_field_in_item(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    path = good / "ngo.yaml"
    replace(
        path, "            articles: [12]\n", "            articles: [12]\n            lable: x\n"
    )
    assert only_problem([path]) == (
        f"{where(path, 'lable')}: parts[0].sections[0].items[0].lable: unknown field 'lable'; "
        "did you mean 'label'?"
    )


def test_missing_required_field(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    path = good / "ngo.yaml"
    replace(path, "            label: What are the main gaps?\n", "")
    assert only_problem([path]) == (
        f"{where(path, 'id: ngo_text')}: parts[0].sections[0].items[0].label: "
        "missing required field 'label'"
    )


def test_dates_and_booleans_where_text_is_expected(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    path = good / "ngo.yaml"
    replace(path, "title: Observations", "title: 2021-03-31")
    replace(path, "label: What are the main gaps?", "label: true")
    assert messages([path]) == [
        f"{where(path, '2021-03-31')}: parts[0].sections[0].title: expected text, but YAML "
        'reads the date 2021-03-31; write it in quotes: "2021-03-31"',
        f"{where(path, 'true')}: parts[0].sections[0].items[0].label: expected text, but YAML "
        'reads the boolean true; write it in quotes: "true"',
    ]


def test_article_the_instrument_lacks(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    path = good / "ngo.yaml"
    replace(path, "articles: [12]", "articles: [12, 99]")
    round_path = good / "round.yaml"
    replace(round_path, "provisions: [12, 15]", "provisions: [12, 77]")
    part2 = good / "part2" / "am.yaml"
    replace(part2, "Armenia\n  articles: [12]\n", "Armenia\n  articles: [55]\n")
    assert messages([good]) == [
        f"{where(path, '99')}: parts[0].sections[0].items[0].articles[1]: "
        "TEST197 has no article 99",
        f"{where(part2, '55')}: [0].articles[0]: TEST197 has no article 55",
        f"{where(round_path, '77')}: provisions[1]: TEST197 has no article 77",
    ]


def test_questionnaire_alone_is_checked_through_its_round(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    path = good / "ngo.yaml"
    replace(path, "articles: [12]", "articles: [99]")
    expected = f"{where(path, '99')}: parts[0].sections[0].items[0].articles[0]: "
    assert only_problem([path]) == expected + "TEST197 has no article 99"
    # Without a round in its folder the file is checked without article checks.
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "ngo.yaml").write_text(path.read_text())
    assert messages([alone / "ngo.yaml"]) == []


def test_rule_naming_a_missing_column_or_group(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    path = good / "party.yaml"
    replace(path, "column: convictions,", "column: prosecutions,")
    replace(
        path, "{rule: parts_sum_to_total, group: sex}", "{rule: parts_sum_to_total, group: nat}"
    )
    assert messages([good]) == [
        f"{where(path, 'nat}')}: parts[2].sections[0].items[0].rules[0].group: no column group "
        "for dimension 'nat' in this table; groups: age, sex",
        f"{where(path, 'prosecutions')}: parts[2].sections[0].items[1].rules[0].column: "
        "no column 'prosecutions' in this table; columns: investigations, convictions",
    ]


def test_unknown_dimension(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    path = good / "party.yaml"
    replace(path, "- dimension: age", "- dimension: nationality")
    found = messages([good])
    assert (
        f"{where(path, 'nationality')}: parts[2].sections[0].items[0].column_groups[1]."
        "dimension: unknown dimension 'nationality'; known: age, sex" in found
    )


def test_duplicate_item_id_across_part2(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    part2 = good / "part2" / "am.yaml"
    replace(part2, "- id: am_identification", "- id: comp_scheme")
    party = good / "party.yaml"
    assert only_problem([good]) == (
        f"{where(part2, 'comp_scheme')}: [0].items[0].id: duplicate item id 'comp_scheme' "
        f"(also at {where(party, 'comp_scheme')})"
    )


def test_round_names_missing_files(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    round_path = good / "round.yaml"
    replace(round_path, "ngo: ngo.yaml", "ngo: civil-society.yaml")
    replace(round_path, "AM: part2/am.yaml", "AM: part2/armenia.yaml")
    assert messages([round_path]) == [
        f"{where(round_path, 'civil-society')}: questionnaires.ngo: file not found: "
        f"civil-society.yaml (looked for {good / 'civil-society.yaml'})",
        f"{where(round_path, 'part2/armenia')}: country_specific.AM: file not found: "
        f"part2/armenia.yaml (looked for {good / 'part2' / 'armenia.yaml'})",
    ]


def test_country_specific_for_a_party_not_listed(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    round_path = good / "round.yaml"
    replace(round_path, "  AM: part2/am.yaml\n", "  AM: part2/am.yaml\n  FR: part2/am.yaml\n")
    assert only_problem([round_path]) == (
        f"{where(round_path, 'FR: part2')}: country_specific.FR: FR is not listed under "
        "'parties' of this round"
    )


def test_party_code_pattern(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    round_path = good / "round.yaml"
    replace(round_path, "code: AM", "code: Arm")
    found = messages([round_path])
    assert (
        f"{where(round_path, 'Arm')}: parties[1].code: 'Arm' is not valid: a Party is "
        "named by its two-letter ISO 3166-1 code in capitals" in found
    )


def test_directory_search_reports_each_problem_once(tmp_path: Path) -> None:
    good = copy_good(tmp_path)
    path = good / "party.yaml"
    replace(path, "kind: money", "kind: slider")
    found = messages([good, path, good / "round.yaml"])
    assert len(found) == 1
    assert "unknown item kind 'slider'" in found[0]


def test_merge_keys_and_custom_tags_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "base: &b {id: x}\n"
        "id: q\n"
        "title: !custom T\n"
        "audience: party\n"
        "parts:\n"
        "  - <<: *b\n"
        "    title: P\n"
    )
    found = messages([path])
    assert f"{path}:3:8: title: cannot read 'T': unsupported YAML tag !custom" in found
    assert (
        f"{path}:6:5: parts[0]: merge keys (<<) are not supported; write the fields out "
        "or alias the whole value" in found
    )


def test_recursive_alias_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("id: q\nparts: &p [*p]\n")
    found = messages([path])
    assert any("an alias refers to its own anchor" in m for m in found)


def test_folded_scalars_read_as_plain_text(tmp_path):
    """ruamel's round-trip scanner marks folds with BEL characters: none may survive."""
    from monitor.questionnaires.loader import read_yaml

    path = tmp_path / "folded.yaml"
    path.write_text("a: >-\n  one two\n  three four\n\n  para\nb: plain\n  folded\n")
    doc = read_yaml(str(path))
    assert doc.data == {"a": "one two three four\npara", "b": "plain folded"}


def test_dimension_columns_take_the_dimension_label():
    from monitor.questionnaires.loader import load_round_file

    loaded = load_round_file("questionnaires/greta-round3/round.yaml")
    q = loaded.questionnaire_for("party", "AM")
    groups = [g for i in q.items() if i.kind == "statistics_table" for g in i.column_groups]
    assert all(g.label for g in groups)
    assert "\a" not in q.model_dump_json()


def test_ngo_mirrors_must_name_party_sections(tmp_path):
    import shutil

    from monitor.questionnaires.loader import validate_paths

    root = tmp_path / "q"
    shutil.copytree("questionnaires", root)
    ngo = root / "greta-round3" / "ngo.yaml"
    text = ngo.read_text().replace("mirrors: [stat_victims]", "mirrors: [stat_victim]")
    ngo.write_text(text)
    problems = validate_paths([str(root / "greta-round3" / "round.yaml")])
    assert len(problems) == 1
    p = problems[0]
    line = text.splitlines().index("        mirrors: [stat_victim]") + 1
    assert (p.path.endswith("ngo.yaml"), p.line) == (True, line)
    assert "no section 'stat_victim'" in p.message
