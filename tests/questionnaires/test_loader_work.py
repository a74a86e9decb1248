"""How much work a validation run does: the questionnaire is checked once per round, not
once per Party (benchmarks/README.md), with the same problems as before."""

from pathlib import Path

import pytest

from monitor.questionnaires import loader
from monitor.questionnaires.loader import validate_paths
from tests.questionnaires.helpers import GOOD, copy_good, replace, where


def test_each_item_is_checked_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    original = loader._check_item

    def counting(doc, loc, item, *args):  # type: ignore[no-untyped-def]
        checked.append(item.id)
        return original(doc, loc, item, *args)

    monkeypatch.setattr(loader, "_check_item", counting)
    assert validate_paths([GOOD]) == []
    # Once each: the Party questionnaire's 5 items, the NGO's 1, each Party's Part II
    # item. Before, the questionnaire was checked again with every Party's Part II, each
    # Part II again on its own, and the round again from every Part II file of the folder.
    assert sorted(checked) == sorted(
        ["off", "comp_scheme", "comp_amount", "victims", "cases", "ngo_text"]
        + ["am_identification", "no_shelters"]
    )


def test_part2_ids_are_unique_against_the_questionnaire_not_other_parties(
    tmp_path: Path,
) -> None:
    good = copy_good(tmp_path)
    round_path = good / "round.yaml"
    part2 = good / "part2" / "am.yaml"
    # NO's Part II reuses AM's Part II id (allowed: never in the same questionnaire) and
    # a condition of AM's Part II names a questionnaire item: this was reported as "no
    # item 'off'" by a second check of the Part II on its own.
    replace(round_path, "- id: no_shelters", "- id: am_identification")
    replace(part2, "      articles: [12]\n", "      articles: [12]\n      show_if: off = 'yes'\n")
    assert validate_paths([good]) == []
    # A Part II condition naming itself through a questionnaire item is still a cycle, and
    # a Part II id taken from the questionnaire is still a duplicate.
    replace(part2, "show_if: off = 'yes'", "show_if: comp_scheme = 'yes'")
    replace(
        good / "party.yaml",
        "          - id: comp_scheme\n",
        "          - id: comp_scheme\n            show_if: am_identification = 'yes'\n",
    )
    found = [str(p) for p in validate_paths([good])]
    assert any("conditions form a cycle" in m for m in found), found
    replace(part2, "- id: am_identification", "- id: comp_amount")
    found = [str(p) for p in validate_paths([good])]
    assert (
        f"{where(part2, 'comp_amount')}: [0].items[0].id: duplicate item id 'comp_amount' "
        f"(also at {where(good / 'party.yaml', 'comp_amount')})"
    ) in found
