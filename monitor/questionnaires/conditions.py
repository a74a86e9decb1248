"""The ``show_if`` condition language: parsed here, never ``eval``-ed.

A condition decides whether an item is shown, from the answers to other items.
Grammar (keywords are lower case; whitespace is free)::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := operand [ ("=" | "!=" | "<" | "<=" | ">" | ">=") operand
                          | ["not"] "in" operand ]
    operand    := item-id | 'text' | "text" | number | "[" [literal ("," literal)*] "]"
                | "(" condition ")"

Meaning:

- an item id stands for that item's answer: the option code of a single choice or
  yes / no item (``'yes'``, ``'partly'``), the list of ticked codes of a multiple choice,
  the number of a number or year item, the text of a text item. An unanswered or hidden
  item has no value.
- an item id on its own is true when the item is answered (``victims_identified``).
- ``=`` and ``!=`` compare values; ``<``, ``<=``, ``>``, ``>=`` compare numbers exactly
  (decimal, not binary floating point). Any comparison with a missing value is false, so
  ``q != 'no'`` is false while ``q`` is unanswered.
- ``x in ['a', 'b']`` is true when ``x`` is one of the list; when ``x`` is a multiple
  choice answer, when any of its ticked codes is in the list. ``'a' in x`` with ``x`` a
  multiple choice answer is true when ``a`` is ticked.

Examples: ``has_nrm = 'yes'``, ``victims_2023 > 0 and not (nrm_kind in ['none'])``,
``'labour' in forms_covered``.

:func:`parse` raises :class:`ConditionSyntaxError` (with a 1-based ``column`` in the
expression) on bad syntax; :func:`evaluate` never raises for any answers.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "And",
    "Compare",
    "Condition",
    "ConditionSyntaxError",
    "Literal",
    "Not",
    "Or",
    "Ref",
    "evaluate",
    "parse",
    "references",
]


class ConditionSyntaxError(ValueError):
    """A condition that does not parse; ``column`` counts from 1 in the expression."""

    def __init__(self, message: str, column: int) -> None:
        self.message = message
        self.column = column
        super().__init__(f"{message} (at character {column})")


@dataclass(frozen=True)
class Ref:
    """An item id; ``column`` is where it appears in the expression (1-based)."""

    name: str
    column: int


@dataclass(frozen=True)
class Literal:
    """A text, a number (``Decimal``) or a list of those."""

    value: Any
    column: int


@dataclass(frozen=True)
class Compare:
    op: str  # = != < <= > >= in "not in"
    left: "Condition"
    right: "Condition"


@dataclass(frozen=True)
class Not:
    operand: "Condition"


@dataclass(frozen=True)
class And:
    operands: tuple["Condition", ...]


@dataclass(frozen=True)
class Or:
    operands: tuple["Condition", ...]


Condition = Ref | Literal | Compare | Not | And | Or

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|!=|==|=|<|>)
  | (?P<punct>[()\[\],])
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in"}
#: Longer expressions are refused (a condition is a line, not a program).
MAX_LENGTH = 1000


@dataclass(frozen=True)
class _Token:
    kind: str  # number string name op punct keyword end
    text: str
    column: int


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ConditionSyntaxError(f"unexpected character {text[pos]!r}", pos + 1)
        kind = m.lastgroup or ""
        if kind != "space":
            word = m.group()
            if kind == "name" and word in _KEYWORDS:
                kind = "keyword"
            out.append(_Token(kind, word, pos + 1))
        pos = m.end()
    out.append(_Token("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def accept(self, kind: str, text: str | None = None) -> bool:
        if self.tok.kind == kind and (text is None or self.tok.text == text):
            self.i += 1
            return True
        return False

    def expect(self, kind: str, text: str, what: str) -> None:
        if not self.accept(kind, text):
            raise ConditionSyntaxError(f"expected {what}, found {self._found()}", self.tok.column)

    def _found(self) -> str:
        return "the end" if self.tok.kind == "end" else repr(self.tok.text)

    def condition(self) -> Condition:
        self.depth += 1
        if self.depth > 50:
            raise ConditionSyntaxError("too deeply nested", self.tok.column)
        try:
            return self.or_()
        finally:
            self.depth -= 1

    def or_(self) -> Condition:
        parts = [self.and_()]
        while self.accept("keyword", "or"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_(self) -> Condition:
        parts = [self.not_()]
        while self.accept("keyword", "and"):
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_(self) -> Condition:
        if self.accept("keyword", "not"):
            self.depth += 1
            if self.depth > 50:
                raise ConditionSyntaxError("too deeply nested", self.tok.column)
            try:
                return Not(self.not_())
            finally:
                self.depth -= 1
        return self.comparison()

    def comparison(self) -> Condition:
        left = self.operand()
        if self.tok.kind == "op":
            op = self.take().text
            return Compare("=" if op == "==" else op, left, self.operand())
        if self.tok.kind == "keyword" and self.tok.text == "not":
            save = self.i
            self.i += 1
            if self.accept("keyword", "in"):
                return Compare("not in", left, self.operand())
            self.i = save
        if self.accept("keyword", "in"):
            return Compare("in", left, self.operand())
        return left

    def operand(self) -> Condition:
        tok = self.tok
        if self.accept("punct", "("):
            inner = self.condition()
            self.expect("punct", ")", "')'")
            return inner
        if self.accept("punct", "["):
            values: list[Any] = []
            if not self.accept("punct", "]"):
                while True:
                    values.append(self.literal())
                    if self.accept("punct", "]"):
                        break
                    self.expect("punct", ",", "',' or ']'")
            return Literal(tuple(values), tok.column)
        if tok.kind == "name":
            self.i += 1
            return Ref(tok.text, tok.column)
        if tok.kind in ("number", "string"):
            return Literal(self.literal(), tok.column)
        raise ConditionSyntaxError(
            f"expected an item id, a 'text', a number or '(', found {self._found()}",
            tok.column,
        )

    def literal(self) -> Any:
        tok = self.take()
        if tok.kind == "number":
            return Decimal(tok.text)
        if tok.kind == "string":
            return tok.text[1:-1]
        self.i -= 1
        raise ConditionSyntaxError(
            f"expected a 'text' or a number, found {self._found()}", tok.column
        )


def parse(text: str) -> Condition:
    """Parse a ``show_if`` expression. Raises :class:`ConditionSyntaxError`."""
    if len(text) > MAX_LENGTH:
        raise ConditionSyntaxError(f"longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise ConditionSyntaxError("empty condition", 1)
    parser = _Parser(text)
    tree = parser.condition()
    if parser.tok.kind != "end":
        raise ConditionSyntaxError(
            f"expected 'and', 'or' or the end, found {parser._found()}", parser.tok.column
        )
    return tree


def references(tree: Condition) -> list[Ref]:
    """Every item id the condition names, in order of appearance."""
    if isinstance(tree, Ref):
        return [tree]
    if isinstance(tree, Literal):
        return []
    if isinstance(tree, Compare):
        return references(tree.left) + references(tree.right)
    if isinstance(tree, Not):
        return references(tree.operand)
    return [r for part in tree.operands for r in references(part)]


def comparisons(tree: Condition) -> list[Compare]:
    """Every comparison in the condition (for checking literals against options)."""
    if isinstance(tree, Compare):
        return [tree, *comparisons(tree.left), *comparisons(tree.right)]
    if isinstance(tree, Not):
        return comparisons(tree.operand)
    if isinstance(tree, And | Or):
        return [c for part in tree.operands for c in comparisons(part)]
    return []


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return len(value) == 0
    return False


def _number(value: Any) -> Decimal | None:
    """The finite number ``value`` stands for, or None (NaN and infinities are not
    answers; comparing a NaN would raise InvalidOperation)."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


def _equal(a: Any, b: Any) -> bool:
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na == nb
    if isinstance(a, list | tuple) and not isinstance(b, list | tuple):
        return False
    try:
        return bool(a == b)
    except ArithmeticError:  # a signalling NaN Decimal raises InvalidOperation on ==
        return False


def _in(needle: Any, haystack: Any) -> bool:
    if isinstance(needle, list | tuple):  # a multiple choice answer: any of its codes
        return any(_in(n, haystack) for n in needle)
    if isinstance(haystack, list | tuple):
        return any(_equal(needle, h) for h in haystack)
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle == haystack
    return False


def _value(tree: Condition, lookup: Callable[[str], Any]) -> Any:
    if isinstance(tree, Ref):
        return lookup(tree.name)
    if isinstance(tree, Literal):
        return tree.value
    return _truth(tree, lookup)


def _truth(tree: Condition, lookup: Callable[[str], Any]) -> bool:
    if isinstance(tree, Ref):
        return not _blank(lookup(tree.name))
    if isinstance(tree, Literal):
        return not _blank(tree.value)
    if isinstance(tree, Not):
        return not _truth(tree.operand, lookup)
    if isinstance(tree, And):
        return all(_truth(p, lookup) for p in tree.operands)
    if isinstance(tree, Or):
        return any(_truth(p, lookup) for p in tree.operands)
    left, right = _value(tree.left, lookup), _value(tree.right, lookup)
    if _blank(left) or _blank(right):
        return False
    if tree.op == "=":
        return _equal(left, right)
    if tree.op == "!=":
        return not _equal(left, right)
    if tree.op in ("in", "not in"):
        found = _in(left, right)
        return found if tree.op == "in" else not found
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[tree.op]


def evaluate(tree: Condition, answers: Mapping[str, Any] | Callable[[str], Any]) -> bool:
    """Whether the condition holds. ``answers`` maps item id to the stored answer value
    (see :class:`monitor.submissions.models.Answer`), or is a function doing so; a
    missing id counts as unanswered. Never raises for any answer values."""
    lookup = answers if callable(answers) else answers.get
    return _truth(tree, lookup)


def to_json(tree: Condition) -> Any:
    """The condition as plain JSON data for the browser's live show/hide
    (``monitor/static/conditions.js``): ``{"ref": id}``, ``{"lit": value}`` (numbers as
    strings, lists as lists), ``{"op": op, "l": ..., "r": ...}``, ``{"not": ...}``,
    ``{"and": [...]}``, ``{"or": [...]}``."""

    def lit(value: Any) -> Any:
        if isinstance(value, tuple):
            return [lit(v) for v in value]
        if isinstance(value, Decimal):
            return {"num": str(value)}
        return value

    if isinstance(tree, Ref):
        return {"ref": tree.name}
    if isinstance(tree, Literal):
        return {"lit": lit(tree.value)}
    if isinstance(tree, Compare):
        return {"op": tree.op, "l": to_json(tree.left), "r": to_json(tree.right)}
    if isinstance(tree, Not):
        return {"not": to_json(tree.operand)}
    if isinstance(tree, And):
        return {"and": [to_json(p) for p in tree.operands]}
    return {"or": [to_json(p) for p in tree.operands]}
