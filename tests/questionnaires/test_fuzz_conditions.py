"""Fuzzing the ``show_if`` language (hypothesis): :func:`conditions.parse` returns a tree
or raises ConditionSyntaxError with a column inside the text; :func:`conditions.evaluate`
never raises, whatever the answers."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.questionnaires import conditions
from monitor.questionnaires.conditions import ConditionSyntaxError, evaluate, parse, references
from tests.questionnaires.fuzzing import fuzz_settings

NAMES = ["has_nrm", "victims", "forms", "x", "y_2", "_private"]
names = st.sampled_from(NAMES) | st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda n: n not in {"and", "or", "not", "in"}
)
space = st.sampled_from([" ", "  ", "\t", "\n", " \u3000 "])
strings = st.text(
    st.characters(blacklist_characters="'\"", blacklist_categories=["Cs"]), max_size=6
)
literals = st.one_of(
    strings.map(lambda s: f"'{s}'"),
    strings.map(lambda s: f'"{s}"'),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(lambda d: f"{d:f}"),
    st.integers(-(10**30), 10**30).map(str),
)
lists = st.lists(literals, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]")


def _grammar() -> st.SearchStrategy[str]:
    """Expressions the documented grammar accepts (see the conditions module): mostly
    comparisons of item ids with literals or other ids, joined and negated."""
    operators = st.sampled_from(["=", "==", "!=", "<", "<=", ">", ">=", "in", "not in"])
    compared = st.tuples(
        st.one_of(names, literals), space, operators, space, st.one_of(names, literals, lists)
    ).map("".join)
    flipped = st.tuples(literals, space, st.sampled_from(["in", "not in"]), space, names).map(
        "".join
    )
    leaves = st.one_of(compared, compared, flipped, names, literals)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            inner.map(lambda c: f"({c})"),
            inner.map(lambda c: f"not {c}"),
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
            st.tuples(inner, operators, inner).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        )

    return st.recursive(leaves, extend, max_leaves=8)


valid_conditions = _grammar()
tokens = st.sampled_from(
    ["and", "or", "not", "in", "=", "!=", "<", ">=", "(", ")", "[", "]", ",", "'yes'", '"no"',
     "'", '"', "0", "-1.5", "1.", ".5", "x", "not in", "==", "!", "$", "\\", "١٢"]
)  # fmt: skip
token_soup = st.lists(st.one_of(tokens, names), max_size=12).map(" ".join)

answer_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.decimals(),  # NaN, sNaN and infinities included
        st.text(max_size=8),
        st.sampled_from(["NaN", "sNaN", "-Infinity", "1e999999", " 12 ", "yes", "partly"]),
        st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"), Decimal("-0")]),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)
answers = st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=4), answer_values)


def parse_or_error(text: str) -> conditions.Condition | None:
    """The tree, or None after checking the syntax error points inside ``text``."""
    try:
        return parse(text)
    except ConditionSyntaxError as exc:
        assert 1 <= exc.column <= len(text) + 1, (exc.column, text)
        assert exc.message
        return None


@fuzz_settings(300)
@given(valid_conditions)
def test_grammar_conditions_parse(text: str) -> None:
    tree = parse(text)
    for ref in references(tree):
        assert ref.name in text
        assert text[ref.column - 1 :].startswith(ref.name)


@fuzz_settings(300)
@given(st.one_of(st.text(max_size=40), token_soup))
def test_any_text_parses_or_fails_with_a_column(text: str) -> None:
    parse_or_error(text)


@fuzz_settings(100)
@given(valid_conditions, st.integers(0, 40), st.sampled_from(["", " ", ")", "(", "'", "and"]))
def test_broken_conditions_fail_with_a_column(text: str, at: int, piece: str) -> None:
    at = min(at, len(text))
    parse_or_error(text[:at] + piece + text[at:])
    parse_or_error(text[:at])


@fuzz_settings(300)
@given(valid_conditions, st.data())
def test_evaluate_never_raises(text: str, data: st.DataObject) -> None:
    tree = parse(text)
    given_answers = data.draw(answers)
    for ref in references(tree):  # most answers name the items the condition reads
        if data.draw(st.booleans()):
            given_answers[ref.name] = data.draw(answer_values)
    assert evaluate(tree, given_answers) in (True, False)
    assert evaluate(tree, lambda name: given_answers.get(name)) in (True, False)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")])
@pytest.mark.parametrize(
    ("text", "expected"),
    [("x > 1", False), ("x <= 1", False), ("x = 1", False), ("x != 1", True),
     ("x in [1, 2]", False), ("1 in x", False), ("x = 'NaN'", False)],
)  # fmt: skip
def test_non_finite_decimal_answers_are_not_numbers(
    text: str, expected: bool, value: Decimal
) -> None:
    """Found by hypothesis: a NaN Decimal answer raised InvalidOperation. A value that is
    not a finite number compares like text that is not a number."""
    assert evaluate(parse(text), {"x": value}) is expected


def test_signalling_nan_equal_to_itself_does_not_raise() -> None:
    assert evaluate(parse("x in y"), {"x": Decimal("sNaN"), "y": [Decimal("sNaN")]}) is False
    assert evaluate(parse("x = y"), {"x": Decimal("sNaN"), "y": Decimal("sNaN")}) is False


def test_too_long_condition_points_inside_the_text() -> None:
    text = "x = 1 and " * 200
    with pytest.raises(ConditionSyntaxError) as info:
        parse(text)
    assert 1 <= info.value.column <= len(text)
