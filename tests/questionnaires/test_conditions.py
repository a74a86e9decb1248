"""The show_if language (parser, evaluation) and the loader's checks of conditions and of
the newer item kinds: every problem located as path:line:column."""

from decimal import Decimal
from pathlib import Path

import pytest

from monitor.questionnaires import conditions
from monitor.questionnaires.loader import load_questionnaire_file, validate_paths
from monitor.questionnaires.schema import GroupItem, QuestionnaireDef
from monitor.questionnaires.visibility import hidden_items, hidden_members
from tests.questionnaires.helpers import where

# --- parser ------------------------------------------------------------------------------


def test_parse_precedence_and_shapes() -> None:
    tree = conditions.parse("a = 'x' or not b > 2 and c in ['p', \"q\"]")
    assert isinstance(tree, conditions.Or)
    left, right = tree.operands
    assert left == conditions.Compare("=", conditions.Ref("a", 1), conditions.Literal("x", 5))
    assert isinstance(right, conditions.And)
    assert isinstance(right.operands[0], conditions.Not)
    assert [r.name for r in conditions.references(tree)] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("a = ", 5, "expected an item id"),
        ("a == 'x' b", 10, "expected 'and', 'or' or the end"),
        ("(a = 1", 7, "expected ')'"),
        ("a in [1, b]", 10, "expected a 'text' or a number"),
        ("a = 'x", 5, "unexpected character"),
        ("a; drop", 2, "unexpected character"),
        ("", 1, "empty condition"),
        ("__import__('os')", 11, "expected 'and', 'or' or the end"),
    ],
)
def test_parse_errors_point_at_the_character(text: str, column: int, fragment: str) -> None:
    with pytest.raises(conditions.ConditionSyntaxError) as exc:
        conditions.parse(text)
    assert exc.value.column == column
    assert fragment in exc.value.message


@pytest.mark.parametrize(
    ("text", "answers", "expected"),
    [
        ("q = 'yes'", {"q": "yes"}, True),
        ("q = 'yes'", {"q": "no"}, False),
        ("q != 'no'", {}, False),  # any comparison with a missing value is false
        ("q", {"q": "  "}, False),
        ("q", {"q": "no"}, True),  # answered, whatever the answer
        ("n > 10", {"n": "10.5"}, True),
        ("n >= 10", {"n": "ten"}, False),
        ("n = 3", {"n": "3.0"}, True),  # exact decimal comparison
        ("m in ['a', 'b']", {"m": ["c", "b"]}, True),  # any ticked option in the list
        ("'labour' in m", {"m": ["sexual", "labour"]}, True),
        ("'labour' not in m", {"m": ["sexual"]}, True),
        ("not (a = 1 or b = 2)", {"a": "1"}, False),
        ("a = 1 and b", {"a": "1", "b": None}, False),
    ],
)
def test_evaluate(text: str, answers: dict, expected: bool) -> None:
    assert conditions.evaluate(conditions.parse(text), answers) is expected


def test_to_json_keeps_numbers_exact() -> None:
    assert conditions.to_json(conditions.parse("n > 0.1")) == {
        "op": ">",
        "l": {"ref": "n"},
        "r": {"lit": {"num": "0.1"}},
    }
    assert isinstance(conditions.parse("1.10").value, Decimal)  # type: ignore[union-attr]


# --- the loader's checks -------------------------------------------------------------------

HEAD = """\
id: conditional
title: Conditional questions
audience: party
parts:
  - id: part1
    title: Part I
    sections:
      - id: s1
        title: Section one
        items:
"""


def _file(tmp_path: Path, items: str) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(HEAD + items, encoding="utf-8")
    return path


def _messages(path: Path) -> list[str]:
    return [str(p) for p in validate_paths([path])]


def test_dangling_reference_is_located_with_a_suggestion(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        """\
          - {id: has_plan, kind: yes_no, label: Is there a plan?}
          - id: plan_year
            kind: year
            label: Year of the plan
            show_if: has_plna = 'yes'
""",
    )
    assert _messages(path) == [
        f"{where(path, 'has_plna')}: parts[0].sections[0].items[1].show_if: no item "
        "'has_plna'; did you mean 'has_plan'? (at character 1)"
    ]


def test_cycles_and_self_references(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        """\
          - {id: a, kind: text, label: A, show_if: b}
          - {id: b, kind: text, label: B, show_if: c = 'x'}
          - {id: c, kind: text, label: C, show_if: a}
          - {id: d, kind: text, label: D, show_if: d}
""",
    )
    found = _messages(path)
    assert len(found) == 2, found
    assert "items[0].show_if: conditions form a cycle: a -> b -> c -> a" in found[0]
    assert "items[3].show_if: the item's condition names the item itself" in found[1]


def test_codes_and_kinds_compared_must_fit(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        """\
          - {id: yn, kind: yes_no, label: Yes or no, partly: false}
          - id: pick
            kind: multiple_choice
            label: Pick
            options: [{code: a, label: A}, {code: b, label: B}]
          - {id: note, kind: info, label: Read this}
          - {id: t1, kind: text, label: T1, show_if: yn = 'partly'}
          - {id: t2, kind: text, label: T2, show_if: "pick in ['a', 'z']"}
          - {id: t3, kind: text, label: T3, show_if: yn > 1}
          - {id: t4, kind: text, label: T4, show_if: note}
""",
    )
    found = _messages(path)
    assert [m.split(": ", 1)[1] for m in found] == [
        "parts[0].sections[0].items[3].show_if: partly is not an answer of 'yn'; its codes: "
        "yes, no (at character 6)",
        "parts[0].sections[0].items[4].show_if: z is not an answer of 'pick'; its codes: a, b "
        "(at character 9)",
        "parts[0].sections[0].items[5].show_if: '>' compares numbers, but 'yn' is a yes_no "
        "item (at character 1)",
        "parts[0].sections[0].items[5].show_if: 1 is not an answer of 'yn'; its codes: yes, no "
        "(at character 6)",
        "parts[0].sections[0].items[6].show_if: 'note' is information text and has no answer "
        "to compare (at character 1)",
    ]


def test_syntax_error_in_condition(tmp_path: Path) -> None:
    path = _file(tmp_path, "          - {id: t, kind: text, label: T, show_if: 'a = = 1'}\n")
    found = _messages(path)
    assert len(found) == 1
    assert found[0].endswith(
        "show_if: expected an item id, a 'text', a number or '(', found '=' (at character 5)"
    )


def test_group_members_are_in_their_groups_scope(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        """\
          - id: bodies
            kind: group
            label: Bodies
            min_entries: 4
            max_entries: 2
            items:
              - {id: body_kind, kind: single_choice, label: Kind, options: [{code: x, label: X}]}
              - {id: body_staff, kind: number, label: Staff, show_if: body_kind = 'x'}
          - {id: outside, kind: text, label: Outside, show_if: body_staff > 2}
""",
    )
    found = [m.split(": ", 1)[1] for m in _messages(path)]
    assert found == [
        "parts[0].sections[0].items[0].max_entries: below min_entries",
        "parts[0].sections[0].items[1].show_if: 'body_staff' is in the repeatable group "
        "'bodies'; only items of that group can name it (at character 1)",
    ]


def test_newer_kinds_checks(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        """\
          - id: pick
            kind: single_choice
            label: Pick
            options:
              - {code: a, label: A, specify: true}
              - {code: b, label: B, specify: true, exclusive: true}
          - {id: n, kind: number, label: N, decimals: 2}
          - {id: old, kind: text, label: Old, retired: true, required: true, renamed_from: [old]}
          - id: t
            kind: statistics_table
            label: T
            period: {name: reference}
            column_groups: [{columns: [{code: c, label: C}]}]
            rules: [{rule: row_not_above, row: "2019", other: "2031"}]
""",
    )
    found = [m.split(": ", 1)[1] for m in _messages(path)]
    one_specify = "only one option of an item can ask to specify"
    assert f"parts[0].sections[0].items[0].options[1].specify: {one_specify}" in found
    assert (
        "parts[0].sections[0].items[0].options[1].exclusive: 'exclusive' is for multiple "
        "choice; a single choice is always exclusive" in found
    )
    assert "parts[0].sections[0].items[1].decimals: decimals needs 'integer: false'" in found
    assert (
        "parts[0].sections[0].items[2].required: a retired item is no longer asked and "
        "cannot be required" in found
    )
    assert (
        "parts[0].sections[0].items[2].renamed_from: an item cannot be renamed from its own id"
        in found
    )
    assert (
        "parts[0].sections[0].items[3].period.name: no period 'reference' under 'periods' of "
        "the questionnaire; known: none" in found
    )


def test_ids_never_contain_a_double_underscore(tmp_path: Path) -> None:
    # "__" separates the parts of form field names (group entries, table cells)
    path = _file(tmp_path, "          - {id: bad__id, kind: text, label: Bad}\n")
    assert _messages(path) == [
        f"{where(path, 'bad__id')}: parts[0].sections[0].items[0].id: 'bad__id' is not valid: "
        "an id uses lower-case letters, digits and single _ (not __, not at the end) and "
        "starts with a letter"
    ]


def test_named_period_fills_the_years(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        HEAD.replace(
            "parts:\n",
            "periods:\n  reference: {label: 2019-2023, years: [2019, 2020, 2021, 2022, 2023]}\n"
            "parts:\n",
        )
        + """\
          - id: t
            kind: statistics_table
            label: T
            period: {name: reference}
            column_groups: [{columns: [{code: c, label: C}]}]
            rules: [{rule: row_not_above, row: "2023", other: "2019"}]
""",
        encoding="utf-8",
    )
    q = load_questionnaire_file(path)
    table = q.items()[0]
    assert table.period.years == [2019, 2020, 2021, 2022, 2023]  # type: ignore[attr-defined]


# --- visibility ------------------------------------------------------------------------------


def _definition() -> QuestionnaireDef:
    return QuestionnaireDef.model_validate(
        {
            "id": "v",
            "title": "V",
            "audience": "party",
            "parts": [
                {
                    "id": "p",
                    "title": "P",
                    "sections": [
                        {
                            "id": "s",
                            "title": "S",
                            "items": [
                                {"id": "a", "kind": "yes_no", "label": "A"},
                                {"id": "b", "kind": "text", "label": "B", "show_if": "a = 'yes'"},
                                {"id": "c", "kind": "text", "label": "C", "show_if": "b"},
                                {"id": "old", "kind": "text", "label": "Old", "retired": True},
                                {
                                    "id": "g",
                                    "kind": "group",
                                    "label": "G",
                                    "items": [
                                        {"id": "m1", "kind": "yes_no", "label": "M1"},
                                        {
                                            "id": "m2",
                                            "kind": "text",
                                            "label": "M2",
                                            "show_if": "m1 = 'yes' and a = 'yes'",
                                        },
                                    ],
                                },
                            ],
                        }
                    ],
                }
            ],
        }
    )


def test_hiding_cascades_and_retired_items_are_hidden() -> None:
    d = _definition()
    assert hidden_items(d, {"a": "yes", "b": "x"}) == {"old"}
    # b hidden, so c (which reads b) is hidden too, although b's kept answer is non-blank
    assert hidden_items(d, {"a": "no", "b": "x"}) == {"b", "c", "old"}


def test_group_members_are_decided_per_entry() -> None:
    d = _definition()
    group = d.items()[4]
    assert isinstance(group, GroupItem)
    assert hidden_members(group, {"m1": "yes"}, {"a": "yes"}) == set()
    assert hidden_members(group, {"m1": "no"}, {"a": "yes"}) == {"m2"}
    assert hidden_members(group, {"m1": "yes"}, {}) == {"m2"}


def test_condition_problems_come_with_schema_problems(tmp_path: Path) -> None:
    """All problems of a file at once: a schema error elsewhere does not hide a dangling
    name, a syntax error or a cycle in show_if (the critic found them only after fixing
    the schema errors)."""
    path = _file(
        tmp_path,
        """\
          - {id: scheme, kind: yes_no, label: Scheme?}
          - {id: broken, kind: monye, label: Broken, show_if: scheme = 'yes'}
          - {id: amount, kind: text, label: Amount, show_if: schem = 'yes'}
          - {id: odd, kind: text, label: Odd, show_if: "scheme = = 1"}
          - {id: a, kind: text, label: A, show_if: b}
          - {id: b, kind: text, label: B, show_if: a}
          - {id: c, kind: text, label: C, show_if: broken = 'x'}
""",
    )
    found = [m.split(": ", 1)[1] for m in _messages(path)]
    assert any("items[1].kind: unknown item kind 'monye'" in m for m in found), found
    assert any("items[2].show_if: no item 'schem'; did you mean 'scheme'?" in m for m in found)
    assert any("items[3].show_if: expected an item id" in m for m in found)
    assert any("items[4].show_if: conditions form a cycle: a -> b -> a" in m for m in found)
    # 'broken' failed the schema: it exists, so naming it is no error
    assert not any("items[6]" in m for m in found), found
