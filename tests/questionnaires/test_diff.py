"""diff(): added, removed, retired, renamed, re-worded, moved, re-kinded and reordered
items between two questionnaire definitions; ``monitor questionnaire diff``."""

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from monitor.questionnaires.cli import questionnaire
from monitor.questionnaires.diff import diff, format_diff, item_ids
from monitor.questionnaires.loader import content_hash, load_questionnaire_file
from monitor.questionnaires.schema import QuestionnaireDef
from tests.questionnaires.helpers import DATA, GOOD, replace

B08 = DATA / "b08"

BASE: dict[str, Any] = {
    "id": "q",
    "title": "Questionnaire",
    "audience": "party",
    "parts": [
        {
            "id": "part1",
            "title": "Part I",
            "sections": [
                {
                    "id": "s1",
                    "title": "Identification",
                    "items": [
                        {"id": "a", "kind": "text", "label": "Alpha"},
                        {
                            "id": "b",
                            "kind": "single_choice",
                            "label": "Bravo",
                            "options": [
                                {"code": "x", "label": "Ex"},
                                {"code": "y", "label": "Why"},
                            ],
                        },
                        {
                            "id": "bodies",
                            "kind": "group",
                            "label": "Co-ordinating bodies",
                            "items": [
                                {"id": "body_name", "kind": "text", "label": "Name"},
                                {"id": "body_year", "kind": "year", "label": "Set up in"},
                            ],
                        },
                    ],
                },
                {
                    "id": "s2",
                    "title": "Assistance",
                    "items": [{"id": "c", "kind": "number", "label": "Charlie"}],
                },
            ],
        }
    ],
}


def q(data: dict[str, Any]) -> QuestionnaireDef:
    return QuestionnaireDef.model_validate(data)


def items(data: dict[str, Any], section: int = 0) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = data["parts"][0]["sections"][section]["items"]
    return result


def test_identical() -> None:
    d = diff(q(BASE), q(copy.deepcopy(BASE)))
    assert d.identical and d.count() == 0
    assert format_diff(d) == ["No differences."]


def test_b08_reworded_retired_reordered() -> None:
    """Known failure B08: v2 rewords q7, retires q8 and swaps q9/q10."""
    v1 = load_questionnaire_file(B08 / "party.yaml")
    v2 = load_questionnaire_file(B08 / "party_v2.yaml")
    d = diff(v1, v2)
    assert not d.identical
    assert (d.added, d.removed, d.renamed, d.moved, d.kind_changed) == ((), (), (), (), ())
    assert [p.new.id for p in d.retired] == ["q8"]
    [reworded] = d.reworded
    assert reworded.new.id == "q7"
    [text] = reworded.texts
    assert (text.field, text.old, text.new) == (
        "label",
        "Number of victims identified",
        "Number of victims formally identified by the authorities",
    )
    [order] = d.reordered
    assert order.container == "identification"
    assert order.old_order == ("q7", "q8", "q9", "q10")
    assert order.new_order == ("q7", "q8", "q10", "q9")
    assert [(c.where, c.fields) for c in d.changed] == [("questionnaire", ("version",))]
    assert d.count() == 4


def test_b08_deleted_item_is_removed(tmp_path: Path) -> None:
    v2 = tmp_path / "party.yaml"
    shutil.copy(B08 / "party_v2.yaml", v2)
    replace(
        v2,
        "          - id: q8\n            kind: long_text\n"
        "            label: Describe the identification procedure.\n"
        "            retired: true\n",
        "",
    )
    d = diff(load_questionnaire_file(B08 / "party.yaml"), load_questionnaire_file(v2))
    [removed] = d.removed
    assert (removed.id, removed.kind, removed.section) == ("q8", "long_text", "identification")
    assert d.retired == ()
    assert "q8" not in item_ids(load_questionnaire_file(v2))


def test_renamed_item_follows_and_is_compared() -> None:
    new = copy.deepcopy(BASE)
    items(new)[0] = {"id": "alpha", "kind": "text", "label": "Alpha!", "renamed_from": ["a"]}
    d = diff(q(BASE), q(new))
    assert d.renames() == {"a": "alpha"}
    assert d.added == () and d.removed == ()
    [reworded] = d.reworded
    assert (reworded.old.id, reworded.new.id) == ("a", "alpha")
    # renamed_from itself is not reported as another change of a renamed item
    assert d.changed == ()
    assert format_diff(d)[:2] == ["Renamed (1):", "  a -> alpha"]


def test_renamed_from_history_is_not_a_rename() -> None:
    """An id from an earlier version (not in OLD) is history, not a change here."""
    new = copy.deepcopy(BASE)
    items(new)[0]["renamed_from"] = ["a_2019"]
    d = diff(q(BASE), q(new))
    assert d.renamed == () and d.added == () and d.removed == ()
    assert [(c.where, c.fields) for c in d.changed] == [("item a", ("renamed_from",))]


def test_renamed_from_naming_a_live_item_is_a_note() -> None:
    new = copy.deepcopy(BASE)
    items(new)[1]["renamed_from"] = ["a"]
    d = diff(q(BASE), q(new))
    assert d.renames() == {}
    assert any("'a' is still an item" in note for note in d.notes)


def test_ambiguous_rename_counts_as_removed() -> None:
    new = copy.deepcopy(BASE)
    items(new)[0] = {"id": "a1", "kind": "text", "label": "Alpha", "renamed_from": ["a"]}
    items(new).append({"id": "a2", "kind": "text", "label": "Alpha", "renamed_from": ["a"]})
    d = diff(q(BASE), q(new))
    assert d.ambiguous == {"a": ("a1", "a2")}
    assert [i.id for i in d.removed] == ["a"]
    assert {i.id for i in d.added} == {"a1", "a2"}
    assert any("several items" in note for note in d.notes)
    assert "Check (1):" in format_diff(d)


def test_moved_kind_changed_and_other_fields() -> None:
    new = copy.deepcopy(BASE)
    moved = items(new).pop(0)
    items(new, 1).append(moved)
    items(new, 1)[0] = {"id": "c", "kind": "text", "label": "Charlie"}
    items(new)[0]["required"] = True  # b
    d = diff(q(BASE), q(new))
    [m] = d.moved
    assert (m.new.id, m.old.section, m.new.section) == ("a", "s1", "s2")
    [k] = d.kind_changed
    assert (k.new.id, k.old.kind, k.new.kind) == ("c", "number", "text")
    assert ("item b", ("required",)) in [(c.where, c.fields) for c in d.changed]
    # a moved item is not also "reordered"
    assert d.reordered == ()
    lines = format_diff(d)
    assert "  a: section s1 -> section s2" in lines
    assert "  c: number -> text" in lines


def test_options_reworded_added_removed() -> None:
    new = copy.deepcopy(BASE)
    items(new)[1]["options"] = [
        {"code": "y", "label": "Why"},
        {"code": "x", "label": "Ex (formerly)"},
        {"code": "z", "label": "Zed"},
    ]
    d = diff(q(BASE), q(new))
    [r] = d.reworded
    assert [(t.field, t.old, t.new) for t in r.texts] == [
        ("options.x.label", "Ex", "Ex (formerly)")
    ]
    [c] = d.changed
    assert c.where == "item b"
    assert c.fields == ("options added: z", "options order")
    less = copy.deepcopy(BASE)
    items(less)[1]["options"] = [{"code": "x", "label": "Ex"}]
    assert diff(q(BASE), q(less)).changed[0].fields == ("options removed: y",)


def test_group_members_are_items() -> None:
    new = copy.deepcopy(BASE)
    group = items(new)[2]
    group["items"] = [
        {"id": "body_year", "kind": "year", "label": "Set up in"},
        {"id": "body_title", "kind": "text", "label": "Name", "renamed_from": ["body_name"]},
        {"id": "body_budget", "kind": "money", "label": "Budget"},
    ]
    group["max_entries"] = 5
    d = diff(q(BASE), q(new))
    assert d.renames() == {"body_name": "body_title"}
    [added] = d.added
    assert (added.id, added.group, added.section) == ("body_budget", "bodies", "s1")
    [order] = d.reordered
    assert order.container == "bodies"
    assert order.new_order == ("body_year", "body_title")
    assert ("item bodies", ("max_entries",)) in [(c.where, c.fields) for c in d.changed]
    assert {"body_name", "body_year", "bodies"} <= item_ids(q(BASE))


def test_member_moved_out_of_its_group() -> None:
    new = copy.deepcopy(BASE)
    member = items(new)[2]["items"].pop(1)
    items(new).append(member)
    [m] = diff(q(BASE), q(new)).moved
    assert (m.new.id, m.old.group, m.new.group) == ("body_year", "bodies", None)


def test_sections_parts_and_questionnaire_fields() -> None:
    new = copy.deepcopy(BASE)
    new["title"] = "Questionnaire (revised)"
    sections = new["parts"][0]["sections"]
    sections[0]["title"] = "Identification of victims"
    sections.reverse()
    sections.append(
        {"id": "s3", "title": "New", "items": [{"id": "d", "kind": "date", "label": "D"}]}
    )
    new["parts"].append({"id": "part2", "title": "Part II", "country_specific": True})
    d = diff(q(BASE), q(new))
    changed = [(c.where, c.fields) for c in d.changed]
    assert ("questionnaire", ("title",)) in changed
    assert ("part part1", ("order of sections",)) in changed
    assert ("part part2", ("added",)) in changed
    assert ("section s1", ("title",)) in changed
    assert ("section s3", ("added",)) in changed
    assert [i.id for i in d.added] == ["d"]


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(intro="Read first"),
        lambda d: items(d)[0].update(guidance="Say more"),
        lambda d: items(d)[0].update(articles=[12]),
        lambda d: items(d)[2].update(min_entries=1),
        lambda d: items(d)[1]["options"][0].update(specify=True),
        lambda d: d["parts"][0]["sections"][1].update(mirrors=["s1"]),
        lambda d: items(d)[0].update(retired=True),
        lambda d: items(d, 1).append({"id": "i", "kind": "info", "label": "Note"}),
    ],
)
def test_any_content_change_is_listed(change: Any) -> None:
    """The diff is empty exactly when the content hash is the same."""
    new = copy.deepcopy(BASE)
    change(new)
    old_def, new_def = q(BASE), q(new)
    assert content_hash(old_def) != content_hash(new_def)
    d = diff(old_def, new_def)
    assert not d.identical and d.count() >= 1
    assert format_diff(d) != ["No differences."]


# --- monitor questionnaire diff -------------------------------------------------------------


def test_cli_identical_exits_0() -> None:
    path = str(B08 / "party.yaml")
    result = CliRunner().invoke(questionnaire, ["diff", path, path])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "No differences."


def test_cli_b08_exits_1_with_report() -> None:
    result = CliRunner().invoke(
        questionnaire, ["diff", str(B08 / "party.yaml"), str(B08 / "party_v2.yaml")]
    )
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    v1 = load_questionnaire_file(B08 / "party.yaml")
    assert lines[0] == f"--- {B08 / 'party.yaml'} (b08_party, sha256 {content_hash(v1)[:12]})"
    assert lines[1].startswith(f"+++ {B08 / 'party_v2.yaml'} (b08_party, sha256 ")
    assert lines[2:] == [
        "Retired (kept for its answers, no longer asked) (1):",
        "  q8",
        "Re-worded (1):",
        '  q7 label: "Number of victims identified" -> '
        '"Number of victims formally identified by the authorities"',
        "Reordered (1):",
        "  identification: q7, q8, q10, q9 (was q7, q8, q9, q10)",
        "Other changes (1):",
        "  questionnaire: version",
        "4 differences.",
    ]


def test_cli_round_files_with_party(tmp_path: Path) -> None:
    """Round files compare the questionnaire as stored: with --party, its Part II."""
    new = tmp_path / "b08"
    shutil.copytree(B08, new)
    replace(new / "round.yaml", "label: Describe the changes to shelters.", "label: Shelters?")
    args = ["diff", str(B08 / "round.yaml"), str(new / "round.yaml")]
    with_part2 = CliRunner().invoke(questionnaire, [*args, "--party", "GE"])
    assert with_part2.exit_code == 1, with_part2.output
    assert '  ge_shelters label: "Describe the changes to shelters." -> "Shelters?"' in (
        with_part2.output
    )
    assert CliRunner().invoke(questionnaire, [*args, "--party", "AM"]).exit_code == 0
    assert CliRunner().invoke(questionnaire, args).exit_code == 0  # Part II left out
    ngo = CliRunner().invoke(questionnaire, [*args, "--audience", "ngo"])
    assert ngo.exit_code == 0 and "(b08_ngo, sha256" in ngo.output


def test_cli_round_file_against_questionnaire_file() -> None:
    result = CliRunner().invoke(
        questionnaire, ["diff", str(B08 / "round.yaml"), str(B08 / "party_v2.yaml")]
    )
    assert result.exit_code == 1
    assert "4 differences." in result.output


def test_cli_unknown_party_or_options_without_round_exit_2() -> None:
    unknown = CliRunner().invoke(
        questionnaire, ["diff", str(B08 / "round.yaml"), str(B08 / "round.yaml"), "--party", "FR"]
    )
    assert unknown.exit_code == 2
    assert "FR is not a Party of round 4" in unknown.output
    files = [str(B08 / "party.yaml"), str(B08 / "party_v2.yaml")]
    misuse = CliRunner().invoke(questionnaire, ["diff", *files, "--party", "AM"])
    assert misuse.exit_code == 2
    assert "apply to round files only" in misuse.output


def test_cli_broken_file_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "party.yaml"
    shutil.copy(GOOD / "party.yaml", broken)
    replace(broken, "kind: money", "kind: slider")
    result = CliRunner().invoke(questionnaire, ["diff", str(GOOD / "party.yaml"), str(broken)])
    assert result.exit_code == 2
    assert f"{broken}:" in result.output and "slider" in result.output
    other = CliRunner().invoke(
        questionnaire, ["diff", str(GOOD / "party.yaml"), str(GOOD / "dimensions.yaml")]
    )
    assert other.exit_code == 2
    assert "neither a questionnaire nor a round file" in other.output


def test_item_taking_over_another_is_compared_as_itself() -> None:
    new = copy.deepcopy(BASE)
    items(new).pop(0)  # a goes
    items(new)[0]["renamed_from"] = ["a"]  # b takes over its answers
    d = diff(q(BASE), q(new))
    assert d.renames() == {"a": "b"}
    assert d.reworded == () and d.moved == () and d.kind_changed == ()
    assert [(c.where, c.fields) for c in d.changed] == [("item b", ("renamed_from",))]
    assert any("takes over the answers of 'a'" in note for note in d.notes)
    assert d.removed == () and d.reordered == ()
