"""The shipped questionnaire content (questionnaires/) is valid and complete.

Checks the GRETA third-round files against the schema and the loader's semantic checks,
and the properties the demo and the screens rely on: 11 thematic sections in Part I, each
citing articles; at least 60 answerable Party items; every item kind used; the Part III
tables' dimensions and rules.
"""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from monitor.questionnaires.loader import load_round_file, validate_paths
from monitor.questionnaires.schema import (
    ITEM_KINDS,
    DimensionsDef,
    InstrumentDef,
    QuestionnaireDef,
    RoundDef,
    StatisticsTableItem,
)

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
ROUND = ROOT / "greta-round3" / "round.yaml"
PARTIES = ("AM", "MD", "UA")


def _yaml(path: Path) -> object:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def loaded():  # type: ignore[no-untyped-def]
    return load_round_file(ROUND)


def test_files_validate_against_the_schema() -> None:
    InstrumentDef.model_validate(_yaml(ROOT / "instruments" / "cets197.yaml"))
    DimensionsDef.model_validate(_yaml(ROOT / "dimensions.yaml"))
    RoundDef.model_validate(_yaml(ROUND))
    for name in ("party.yaml", "ngo.yaml"):
        QuestionnaireDef.model_validate(_yaml(ROOT / "greta-round3" / name))
    assert [str(p) for p in validate_paths([ROOT])] == []


def test_instrument_has_all_47_articles_with_chapters(loaded) -> None:  # type: ignore[no-untyped-def]
    inst = loaded.instrument
    assert inst.code == "CETS-197"
    assert inst.proposal_verbs == ["urges", "considers", "invites"]
    assert [a.number for a in inst.articles] == list(range(1, 48))
    chapters = {a.number: a.chapter for a in inst.articles}
    assert (chapters[1], chapters[15], chapters[26], chapters[27], chapters[47]) == (
        "I",
        "III",
        "IV",
        "V",
        "X",
    )
    assert {a.chapter for a in inst.articles} == set("I II III IV V VI VII VIII IX X".split())


@pytest.mark.parametrize("code", PARTIES)
def test_party_questionnaire_is_complete(loaded, code: str) -> None:  # type: ignore[no-untyped-def]
    q = loaded.questionnaire_for("party", code)
    part1, part2, part3 = q.parts
    items = q.items()
    answerable = [i for i in items if i.kind != "info"]
    assert len(answerable) >= 60
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids)), "item ids must be unique, Part II included"
    # Part I: the eleven thematic sections of the third round, each tied to articles
    assert len(part1.sections) == 11
    expected = {
        "right_to_information": {12, 15},
        "legal_assistance": {15},
        "compensation_perpetrators": {15},
        "state_compensation": {15},
        "sanctions_measures": {23},
        "ex_officio": {27},
        "non_punishment": {26},
        "protection": {28, 30},
        "specialised_authorities": {29},
        "international_cooperation": {32},
    }
    for section in part1.sections:
        assert section.articles, section.id
        assert all(i.articles for i in section.items if i.kind != "info"), section.id
        if section.id in expected:
            assert set(section.articles) == expected[section.id]
    assert part1.sections[-1].id == "cross_cutting"
    # Part II: filled by the round for this Party
    assert part2.country_specific
    p2_items = [i for s in part2.sections for i in s.items]
    assert 3 <= len(p2_items) <= 5
    assert all(i.id.startswith(code.lower() + "_") for i in p2_items)
    # every article cited exists in the instrument
    numbers = {a.number for a in loaded.instrument.articles}
    assert {a for i in items for a in i.articles} <= numbers
    # every kind used; about a third required
    assert {i.kind for i in items} == set(ITEM_KINDS)
    required = sum(1 for i in answerable if i.required)
    assert 0.25 <= required / len(answerable) <= 0.45


def _table(q: QuestionnaireDef, item_id: str) -> StatisticsTableItem:
    item = next(i for i in q.items() if i.id == item_id)
    assert isinstance(item, StatisticsTableItem)
    return item


def test_part3_tables_have_the_expected_dimensions(loaded) -> None:  # type: ignore[no-untyped-def]
    q = loaded.questionnaire_for("party", "AM")
    victims = _table(q, "stat_victims_identified")
    assert victims.period is not None and victims.period.years == [2019, 2020, 2021, 2022, 2023]
    assert victims.total
    assert [g.dimension for g in victims.column_groups] == ["sex", "age_group", "exploitation"]
    # the loader filled the categories from dimensions.yaml
    exploitation = victims.column_groups[2].columns or []
    assert [c.code for c in exploitation] == [
        "sexual",
        "labour",
        "forced_criminality",
        "begging",
        "domestic_servitude",
        "organ_removal",
        "other",
    ]
    rules = {(r.rule, r.group, r.level) for r in victims.rules}
    assert rules == {
        ("parts_not_above_total", "sex", "error"),
        ("parts_not_above_total", "age_group", "error"),
        ("parts_not_above_total", "exploitation", "error"),
        ("parts_sum_to_total", "sex", "warning"),
        ("parts_sum_to_total", "age_group", "warning"),
    }
    proceedings = _table(q, "stat_proceedings")
    columns = [c.code for g in proceedings.column_groups for c in g.columns or []]
    assert columns[:3] == ["investigations", "prosecutions", "convictions"]
    assert any(
        (r.rule, r.column, r.other, r.level)
        == ("column_not_above", "convictions", "prosecutions", "warning")
        for r in proceedings.rules
    )
    compensation = _table(q, "stat_compensation_victims")
    columns = [c.code for g in compensation.column_groups for c in g.columns or []]
    assert {"claimed", "awarded"} <= set(columns)
    money = [i.id for s in q.parts[2].sections for i in s.items if i.kind == "money"]
    assert "stat_comp_awarded_total" in money


def test_ngo_questionnaire(loaded) -> None:  # type: ignore[no-untyped-def]
    q = loaded.questionnaire_for("ngo", None)
    assert q.audience == "ngo"
    answerable = [i for i in q.items() if i.kind != "info"]
    assert 15 <= len(answerable) <= 25
    assert any(isinstance(i, StatisticsTableItem) for i in answerable)
