"""Reading, validating and assembling questionnaire YAML files, with located problems.

Files are read with ruamel.yaml's round-trip composer under YAML 1.2 (``NO``, ``yes`` and
``off`` stay strings; known failure B22) and converted to plain Python by this module, so
that every key and value keeps its line and column. Scalars that YAML 1.2 types (numbers,
booleans, dates such as ``2025-03-31``, ``1.10``, ``012``) keep that type, so the strict
schema in :mod:`monitor.questionnaires.schema` rejects them where text is expected instead
of silently converting them (known failure B24). Duplicate keys are errors.

Every problem of a file is reported at once as a :class:`Problem` whose ``str()`` is
``path:line:column: message`` (lines and columns count from 1). Problem messages are meant
for the authors of the YAML files (like compiler messages) and are not translated: this
package imports no Flask, so the validator runs without the web application.

After the schema, semantic checks run: unique item and section ids across a questionnaire
including a Party's Part II, articles that exist in the instrument, table rules naming
existing column groups and columns, files named by a round that exist, dimensions that
exist, Part II only for Parties of the round.
"""

import contextlib
import difflib
import functools
import gc
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from monitor.questionnaires import conditions, schema
from monitor.questionnaires.schema import (
    ITEM_KINDS,
    DimensionsDef,
    GroupItem,
    InfoItem,
    InstrumentDef,
    ItemBase,
    MultipleChoiceItem,
    NamedPeriod,
    NumberItem,
    QuestionnaireDef,
    RoundDef,
    Section,
    SingleChoiceItem,
    StatisticsTableItem,
    YearItem,
)

__all__ = [
    "DefinitionError",
    "LoadedRound",
    "Problem",
    "canonical_json",
    "content_hash",
    "detect_kind",
    "load_dimensions_file",
    "load_instrument_file",
    "load_questionnaire_file",
    "load_round_file",
    "validate_paths",
]

#: A location inside a YAML document: mapping keys and sequence indexes from the root.
Loc = tuple[Any, ...]

_TAG = "tag:yaml.org,2002:"
#: More converted nodes than this (aliases can multiply a small file) is refused.
_MAX_NODES = 200_000
_SECTIONS = TypeAdapter(list[Section])
M = TypeVar("M", bound=BaseModel)


#: Characters that str.splitlines() breaks at, mapped to their escaped spelling.
_ESCAPED_BREAKS = str.maketrans(
    {c: c.encode("unicode_escape").decode("ascii") for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a definition file; ``line`` and ``column`` count from 1.

    The message is one line: line breaks in it (from quoted YAML text it cites) are shown
    escaped, as ``\\n``, so that ``str()`` stays ``path:line:column: message`` on one line.
    """

    path: str
    line: int
    column: int
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", self.message.translate(_ESCAPED_BREAKS))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class DefinitionError(Exception):
    """A definition could not be loaded; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# --- reading YAML with positions ------------------------------------------------------------


@dataclass
class Document:
    """A YAML file converted to plain Python (``data``) with the 1-based (line, column) of
    every value (``values``) and mapping key (``keys``), both keyed by :data:`Loc`."""

    path: str
    data: Any = None
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    sources: dict[Loc, str] = field(default_factory=dict)  # raw text of non-string scalars
    problems: list[Problem] = field(default_factory=list)
    nodes: int = 0

    def position(self, loc: Loc, key: bool = False) -> tuple[int, int]:
        """Position of ``loc`` (of its key if ``key``), else of its nearest known parent."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self.keys[loc]
        while loc:
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), (1, 1))

    def problem(self, loc: Loc, message: str, key: bool = False) -> Problem:
        line, column = self.position(loc, key)
        found = Problem(self.path, line, column, message)
        self.problems.append(found)
        return found

    def get(self, loc: Loc) -> Any:
        """The plain value at ``loc``, or None."""
        cur = self.data
        for part in loc:
            if isinstance(cur, dict) and part in cur:
                cur = cur[part]
            elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
                cur = cur[part]
            else:
                return None
        return cur


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _tag(node: Node) -> str:
    tag = node.tag
    return str(getattr(tag, "value", tag) or "")


_INT_PREFIXES = {"0o": 8, "0x": 16, "0b": 2}


def _scalar(node: ScalarNode) -> Any:
    """The YAML 1.2 value of a scalar as a plain Python object (str, int, float, bool,
    None, date or datetime). Raises ValueError for a tag this language does not use."""
    tag, text = _tag(node), node.value
    if tag == _TAG + "str":
        # ruamel's round-trip scanner marks the folds of a folded (">") scalar with BEL
        # characters so that it can write them back; a fold reads as the space after it.
        return text.replace("\a", "")
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return text.lower() == "true"
    if tag == _TAG + "int":
        digits = text.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        base = _INT_PREFIXES.get(digits[:2].lower(), 10)
        return sign * int(digits[2:] if base != 10 else digits, base)
    if tag == _TAG + "float":
        lowered = text.replace("_", "").lower()
        return float(lowered.replace(".inf", "inf").replace(".nan", "nan"))
    if tag == _TAG + "timestamp":
        if re.fullmatch(r"\d{4}-\d\d?-\d\d?", text):
            year, month, day = (int(x) for x in text.split("-"))
            return date(year, month, day)
        value = SafeConstructor().construct_yaml_timestamp(node)
        return value if isinstance(value, date) else datetime.fromisoformat(text)
    raise ValueError(f"unsupported YAML tag {tag}")


def _convert(doc: Document, node: Node, loc: Loc, active: set[int]) -> Any:
    doc.nodes += 1
    if doc.nodes > _MAX_NODES:
        raise OverflowError
    doc.values[loc] = _mark(node)
    if isinstance(node, ScalarNode):
        try:
            value = _scalar(node)
        except (ValueError, OverflowError) as exc:
            doc.problem(loc, f"{_dotted(loc)}: cannot read {node.value!r}: {exc}")
            return None
        if not isinstance(value, str):
            doc.sources[loc] = node.value
        return value
    if id(node) in active:
        doc.problem(loc, f"{_dotted(loc)}: an alias refers to its own anchor")
        return None
    active.add(id(node))
    try:
        if isinstance(node, SequenceNode):
            if _tag(node) != _TAG + "seq":
                doc.problem(loc, f"{_dotted(loc)}: unsupported YAML tag {_tag(node)}")
            return [_convert(doc, child, (*loc, i), active) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if _tag(node) != _TAG + "map":
                doc.problem(loc, f"{_dotted(loc)}: unsupported YAML tag {_tag(node)}")
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if _tag(key_node) == _TAG + "merge":
                    doc.values[(*loc, "<<")] = _mark(key_node)
                    doc.problem(
                        (*loc, "<<"),
                        f"{_dotted(loc)}: merge keys (<<) are not supported; write the "
                        "fields out or alias the whole value",
                    )
                    continue
                if not isinstance(key_node, ScalarNode):
                    doc.values[(*loc, "?")] = _mark(key_node)
                    doc.problem((*loc, "?"), f"{_dotted(loc)}: a key must be a plain value")
                    continue
                try:
                    key = _scalar(key_node)
                except (ValueError, OverflowError):
                    key = key_node.value
                child = (*loc, key)
                if key in result:
                    first = doc.keys[child][0]
                    doc.values[(*loc, "\0dup")] = _mark(key_node)
                    doc.problem(
                        (*loc, "\0dup"),
                        f"{_dotted(child)}: duplicate key {key_node.value!r} "
                        f"(first given on line {first})",
                    )
                    continue
                doc.keys[child] = _mark(key_node)
                result[key] = _convert(doc, value_node, child, active)
            return result
        doc.problem(loc, f"{_dotted(loc)}: unsupported YAML node")
        return None
    finally:
        active.discard(id(node))


def read_yaml(path: str | os.PathLike[str]) -> Document:
    """Read one YAML file into a :class:`Document`; syntax errors, an unreadable or empty
    file become problems of the document (``data`` is then None). Never raises."""
    doc = Document(str(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        doc.problem((), "file not found")
        return doc
    except (OSError, UnicodeDecodeError) as exc:
        doc.problem((), f"cannot read the file: {exc}")
        return doc
    return parse_yaml(text, str(path), doc)


def _text_position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of character ``index`` of ``text``, counted as ruamel.yaml's
    marks count them under YAML 1.2: a line ends at \\n or a lone \\r; a BOM takes no
    column."""
    index = max(0, min(index, len(text)))
    breaks = [m.end() for m in re.finditer(r"\n|\r(?!\n)", text) if m.start() < index]
    start = breaks[-1] if breaks else 0
    return len(breaks) + 1, len(text[start:index].replace("\ufeff", "")) + 1


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector. Reading YAML allocates a node, a mark and a
    location for every value, all alive until the document is converted; each collection
    would walk them all again, which made reading grow faster than the file (about 17 %
    of the time at 5,000 items, see benchmarks/). Little of it is garbage, and that is
    collected once the file is read."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_yaml(text: str, path: str = "<string>", doc: Document | None = None) -> Document:
    """Like :func:`read_yaml` for YAML ``text`` already read; ``path`` names it in problems."""
    doc = doc or Document(path)
    with _gc_paused():
        return _parse_yaml(text, doc)


def _compose_fast(text: str) -> Node | None:
    """The node tree from ruamel.yaml's safe pure-Python composer (about 20 % faster than
    the round-trip one: it does not collect comments), or None when it fails or the text
    has a comment right after a key (``key: # note``), where the safe composer would place
    an empty value on the next line. The caller then parses again with the round-trip
    composer, whose positions and error messages are the reference."""
    if re.search(r":[ \t]+#", text):
        return None
    try:
        node: Node | None = YAML(typ="safe", pure=True).compose(text)
    except Exception:  # any problem: reported by the round-trip parse
        return None
    return node


def _parse_yaml(text: str, doc: Document) -> Document:
    root = _compose_fast(text)
    if root is not None:
        return _converted(doc, root)
    yaml = YAML(typ="rt")  # pure-Python composer with marks; YAML 1.2 unless %YAML says so
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = "; ".join(x for x in (exc.context, exc.problem) if x)
        doc.problems.append(Problem(doc.path, line, column, f"YAML syntax error: {detail}"))
        return doc
    except ReaderError as exc:  # a character YAML does not allow, e.g. a control character
        line, column = _text_position(text, exc.position)
        reason = str(exc).splitlines()[0]  # the rest names the position as an offset
        doc.problems.append(Problem(doc.path, line, column, f"YAML syntax error: {reason}"))
        return doc
    except (YAMLError, RecursionError, ValueError) as exc:
        detail = " ".join(str(exc).split())
        doc.problems.append(Problem(doc.path, 1, 1, f"YAML syntax error: {detail}"))
        return doc
    return _converted(doc, root)


def _converted(doc: Document, root: Node | None) -> Document:
    if root is None:
        doc.problems.append(Problem(doc.path, 1, 1, "the file is empty"))
        return doc
    try:
        doc.data = _convert(doc, root, (), set())
    except (OverflowError, RecursionError):
        doc.problems.append(
            Problem(doc.path, 1, 1, "the document is too large or too deeply nested")
        )
        doc.data = None
    return doc


# --- schema validation with located messages ------------------------------------------------


def _dotted(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


def _describe(value: Any, source: str | None) -> str:
    """How YAML read a value, for messages: 'the date 2025-03-31', 'a list'."""
    if isinstance(value, bool):
        return f"the boolean {source or value}"
    if isinstance(value, datetime):
        return f"the date and time {source or value}"
    if isinstance(value, date):
        return f"the date {source or value}"
    if isinstance(value, int | float):
        return f"the number {source or value}"
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_ALL_FIELDS = sorted(
    {
        name
        for obj in vars(schema).values()
        if isinstance(obj, type) and issubclass(obj, BaseModel)
        for name in obj.model_fields
    }
)

_PATTERN_HINTS = {
    r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$": (
        "an id uses lower-case letters, digits and single _ (not __, not at the end) and "
        "starts with a letter"
    ),
    r"^[A-Z]{2}$": "a Party is named by its two-letter ISO 3166-1 code in capitals",
    r"^[A-Z]{3}$": "a currency is a three-letter ISO 4217 code in capitals",
    r"^[A-Za-z0-9][A-Za-z0-9_\-/.]*$": "a code uses letters, digits, _ - / and .",
}


def _locate(data: Any, loc: Loc) -> tuple[Loc, bool]:
    """Map a pydantic error ``loc`` onto the document: drop union tags and the like,
    return the document location and whether the error is about a mapping key."""
    cur, path, is_key = data, [], False
    for part in loc:
        if part == "[key]":
            is_key = True
            continue
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
            path.append(part)
        elif (
            isinstance(cur, list)
            and isinstance(part, int)
            and not isinstance(part, bool)
            and 0 <= part < len(cur)
        ):
            cur = cur[part]
            path.append(part)
        elif isinstance(cur, dict) and isinstance(part, int) and str(part) in cur:
            cur = cur[str(part)]
            path.append(str(part))
        # anything else is a union tag or a validator name: not in the document
    return tuple(path), is_key


def _message(doc: Document, error: Any, loc: Loc) -> tuple[Loc, str, bool]:
    """(location, message, at_key) for one pydantic error dict."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    source = doc.sources.get(loc)
    where = _dotted(loc)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        disc = str(ctx.get("discriminator", "kind")).strip("'\"")
        expected = ", ".join(ITEM_KINDS) if disc == "kind" else ctx.get("expected_tags", "")
        if kind == "union_tag_not_found":
            return loc, f"{where}: missing field '{disc}'; expected one of {expected}", False
        tag = ctx.get("tag")
        noun = "item kind" if disc == "kind" else disc
        message = f"{where}.{disc}: unknown {noun} {tag!r}; expected one of {expected}"
        return (*loc, disc), message, False
    if kind == "missing":
        name = error["loc"][-1]
        return loc, f"{_dotted((*loc, name))}: missing required field '{name}'", False
    if kind == "extra_forbidden":
        name = loc[-1] if loc else error["loc"][-1]
        hint = difflib.get_close_matches(str(name), _ALL_FIELDS, n=1)
        extra = f"; did you mean '{hint[0]}'?" if hint else ""
        return loc, f"{where}: unknown field '{name}'{extra}", True
    if kind == "invalid_key":
        key = _describe(loc[-1], None) if loc else "an empty key"
        return loc, f"{where}: a key must be text, not {key}", True
    if kind == "string_type":
        said = _describe(value, source)
        if source is not None:
            fix = f'; write it in quotes: "{source}"'
        elif isinstance(value, dict | list):
            fix = ""
        else:
            fix = "; write the text"
        return loc, f"{where}: expected text, but YAML reads {said}{fix}", False
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return loc, f"{where}: expected a whole number, got {_describe(value, source)}", False
    if kind == "bool_type":
        return loc, f"{where}: expected true or false, got {_describe(value, source)}", False
    if kind in ("list_type",):
        return loc, f"{where}: expected a list, got {_describe(value, source)}", False
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return loc, f"{where}: expected a mapping of fields, got {_describe(value, source)}", False
    if kind == "too_short":
        need = ctx.get("min_length", 1)
        options = bool(loc) and loc[-1] == "options"
        nouns = ("option", "options") if options else ("entry", "entries")
        return loc, f"{where}: needs at least {need} {nouns[need != 1]}", False
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        explained = _PATTERN_HINTS.get(pattern, f"expected the pattern {pattern}")
        return loc, f"{where}: {value!r} is not valid: {explained}", False
    if kind == "literal_error":
        return loc, f"{where}: {value!r} is not allowed; expected {ctx.get('expected')}", False
    return loc, f"{where}: {error['msg']}", False


def _validate(doc: Document, adapter: type[M] | TypeAdapter[Any], loc: Loc = ()) -> Any:
    """Validate ``doc.data`` at ``loc`` with a model class or TypeAdapter; add located
    problems to ``doc`` and return None when invalid."""
    data = doc.get(loc)
    try:
        if isinstance(adapter, TypeAdapter):
            return adapter.validate_python(data)
        return adapter.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            where, is_key = _locate(data, tuple(error["loc"]))
            full = (*loc, *where)
            full, message, at_key = _message(doc, error, full)
            doc.problem(full, message, key=is_key or at_key)
        return None


# --- semantic checks -------------------------------------------------------------------------


@dataclass
class _SectionSource:
    """Sections of one file, with the location of the list that holds them."""

    doc: Document
    loc: Loc
    sections: list[Section]


def _questionnaire_sources(doc: Document, q: QuestionnaireDef) -> list[_SectionSource]:
    return [
        _SectionSource(doc, ("parts", p, "sections"), list(part.sections))
        for p, part in enumerate(q.parts)
    ]


@dataclass
class _Placed:
    """An item with the file and location it was written at; ``group`` is the id of the
    repeatable group holding it (None at section level)."""

    doc: Document
    loc: Loc
    item: "ItemBase | _RawItem"
    group: str | None


@dataclass
class _Seen:
    """What :func:`_check_sections` has seen: the first place (``path:line:column``) of
    each item and section id, and every item placed, in order."""

    items: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    placed: list[_Placed] = field(default_factory=list)

    def copy(self) -> "_Seen":
        return _Seen(dict(self.items), dict(self.sections), list(self.placed))


def _check_sections(
    sources: list[_SectionSource],
    instrument: InstrumentDef | None,
    dimensions: DimensionsDef | None,
    dimensions_known: bool,
    periods: dict[str, NamedPeriod] | None = None,
    after: _Seen | None = None,
) -> _Seen:
    """Checks over sections that may come from several files (Part II). ``periods`` are
    the questionnaire's named periods (None: not known here, e.g. a Part II file alone).

    ``after`` is what an earlier call saw of sections that come before ``sources`` (the
    questionnaire itself, for a Party's Part II): their ids count as taken and conditions
    are checked over both, but those sections are not checked again, so that a round of
    many Parties costs one check of the questionnaire, not one per Party. Returns what
    this call saw, ``after`` included (``after`` itself is left unchanged).
    """
    articles = {a.number for a in instrument.articles} if instrument else None
    seen = after.copy() if after is not None else _Seen()
    seen_items, seen_sections, placed = seen.items, seen.sections, seen.placed

    def item_seen(doc: Document, iloc: Loc, item: ItemBase) -> None:
        first = seen_items.get(item.id)
        if first:
            doc.problem(
                (*iloc, "id"),
                f"{_dotted((*iloc, 'id'))}: duplicate item id '{item.id}' (also at {first})",
            )
        else:
            line, col = doc.position((*iloc, "id"))
            seen_items[item.id] = f"{doc.path}:{line}:{col}"
        if articles is not None:
            _check_articles(doc, (*iloc, "articles"), item.articles, articles, instrument)

    for src in sources:
        doc = src.doc
        for s, section in enumerate(src.sections):
            sloc = (*src.loc, s)
            first = seen_sections.get(section.id)
            if first:
                doc.problem(
                    (*sloc, "id"),
                    f"{_dotted((*sloc, 'id'))}: duplicate section id "
                    f"'{section.id}' (also at {first})",
                )
            else:
                line, col = doc.position((*sloc, "id"))
                seen_sections[section.id] = f"{doc.path}:{line}:{col}"
            if articles is not None:
                _check_articles(doc, (*sloc, "articles"), section.articles, articles, instrument)
            for i, item in enumerate(section.items):
                iloc = (*sloc, "items", i)
                item_seen(doc, iloc, item)
                placed.append(_Placed(doc, iloc, item, None))
                _check_item(doc, iloc, item, dimensions, dimensions_known, periods)
                if isinstance(item, GroupItem):
                    for m, member in enumerate(item.items):
                        mloc = (*iloc, "items", m)
                        item_seen(doc, mloc, member)
                        placed.append(_Placed(doc, mloc, member, item.id))
                        _check_item(doc, mloc, member, dimensions, dimensions_known, periods)
    _check_conditions(placed)
    return seen


def _condition_problem(p: _Placed, message: str, column: int | None = None) -> None:
    where = f" (at character {column})" if column else ""
    p.doc.problem((*p.loc, "show_if"), f"{_dotted((*p.loc, 'show_if'))}: {message}{where}")


@functools.lru_cache(maxsize=4096)
def _parse_condition(text: str) -> conditions.Condition | conditions.ConditionSyntaxError:
    """:func:`conditions.parse` once per text (the trees are immutable): a round checks
    the questionnaire's conditions again with each Party's Part II. Returns the tree or
    the syntax error."""
    try:
        return conditions.parse(text)
    except conditions.ConditionSyntaxError as exc:
        return exc.with_traceback(None)  # kept in the cache: without the parser's frames


def _check_conditions(placed: list[_Placed]) -> None:
    """``show_if`` conditions: syntax, references to existing items that take an answer
    (a group member only from inside its group), option codes and numbers that fit the
    item compared, and no cycles (see :mod:`monitor.questionnaires.conditions`)."""
    by_id = {p.item.id: p for p in reversed(placed)}
    graph: dict[str, list[str]] = {}
    for p in placed:
        if p.item.show_if is None:
            continue
        tree = _parse_condition(p.item.show_if)
        if isinstance(tree, conditions.ConditionSyntaxError):
            _condition_problem(p, tree.message, tree.column)
            continue
        edges: list[str] = []
        for ref in conditions.references(tree):
            target = by_id.get(ref.name)
            if target is None:
                near = difflib.get_close_matches(ref.name, list(by_id), n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                _condition_problem(p, f"no item '{ref.name}'{hint}", ref.column)
                continue
            if target.group is not None and target.group != p.group:
                _condition_problem(
                    p,
                    f"'{ref.name}' is in the repeatable group '{target.group}'; only items "
                    "of that group can name it",
                    ref.column,
                )
                continue
            if isinstance(target.item, InfoItem | GroupItem):
                what = "information text" if isinstance(target.item, InfoItem) else "a group"
                _condition_problem(
                    p, f"'{ref.name}' is {what} and has no answer to compare", ref.column
                )
                continue
            if ref.name == p.item.id:
                _condition_problem(p, "the item's condition names the item itself", ref.column)
                continue
            edges.append(ref.name)
        graph[p.item.id] = edges
        for cmp in conditions.comparisons(tree):
            _check_comparison(p, cmp, by_id)
    # cycles: a -> b means a's condition reads b (whose visibility depends on its own)
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        trail.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    path = " -> ".join([*cycle, nxt])
                    _condition_problem(by_id[cycle[0]], f"conditions form a cycle: {path}")
            elif state.get(nxt) is None:
                visit(nxt, trail)
        trail.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def _check_comparison(p: _Placed, cmp: conditions.Compare, by_id: dict[str, "_Placed"]) -> None:
    """Literals compared with a choice item must be its option codes; ordering needs a
    number or year item."""
    for ref_side, lit_side in ((cmp.left, cmp.right), (cmp.right, cmp.left)):
        if not isinstance(ref_side, conditions.Ref) or not isinstance(lit_side, conditions.Literal):
            continue
        target = by_id.get(ref_side.name)
        if target is None:
            continue
        item = target.item
        if isinstance(item, _RawItem):  # its kind is not known: nothing to compare with
            continue
        values = lit_side.value if isinstance(lit_side.value, tuple) else (lit_side.value,)
        codes: list[str] | None = None
        if isinstance(item, SingleChoiceItem | MultipleChoiceItem):
            codes = [o.code for o in item.options]
        elif isinstance(item, schema.YesNoItem):
            codes = ["yes", "no", "partly"] if item.partly else ["yes", "no"]
        if codes is not None:
            for v in values:
                if not isinstance(v, str) or v not in codes:
                    _condition_problem(
                        p,
                        f"{v!s} is not an answer of '{item.id}'; its codes: {', '.join(codes)}",
                        lit_side.column,
                    )
        if cmp.op in ("<", "<=", ">", ">=") and not isinstance(item, NumberItem | YearItem):
            _condition_problem(
                p,
                f"'{cmp.op}' compares numbers, but '{item.id}' is a {item.kind} item",  # type: ignore[attr-defined]
                ref_side.column,
            )


def _check_articles(
    doc: Document,
    loc: Loc,
    numbers: list[int],
    known: set[int],
    instrument: InstrumentDef | None,
) -> None:
    code = instrument.code if instrument else "the instrument"
    for n, number in enumerate(numbers):
        if number not in known:
            doc.problem((*loc, n), f"{_dotted((*loc, n))}: {code} has no article {number}")


def _duplicates(doc: Document, loc: Loc, codes: list[str], what: str) -> None:
    seen: set[str] = set()
    for n, code in enumerate(codes):
        if code in seen:
            doc.problem((*loc, n), f"{_dotted((*loc, n))}: duplicate {what} '{code}'")
        seen.add(code)


def _check_item(
    doc: Document,
    loc: Loc,
    item: ItemBase,
    dimensions: DimensionsDef | None,
    dimensions_known: bool,
    periods: dict[str, NamedPeriod] | None = None,
) -> None:
    if isinstance(item, SingleChoiceItem | MultipleChoiceItem):
        _duplicates(doc, (*loc, "options"), [o.code for o in item.options], "option code")
        for o, option in enumerate(item.options):
            if option.exclusive and isinstance(item, SingleChoiceItem):
                oloc = (*loc, "options", o, "exclusive")
                doc.problem(
                    oloc,
                    f"{_dotted(oloc)}: 'exclusive' is for multiple choice; a single choice "
                    "is always exclusive",
                )
        specify = [o for o, option in enumerate(item.options) if option.specify]
        for o in specify[1:]:
            oloc = (*loc, "options", o, "specify")
            doc.problem(oloc, f"{_dotted(oloc)}: only one option of an item can ask to specify")
    if isinstance(item, MultipleChoiceItem):
        low, high = item.min_choices, item.max_choices
        if low is not None and high is not None and low > high:
            doc.problem(
                (*loc, "max_choices"), f"{_dotted((*loc, 'max_choices'))}: below min_choices"
            )
        if high is not None and high > len(item.options):
            doc.problem(
                (*loc, "max_choices"),
                f"{_dotted((*loc, 'max_choices'))}: more than the {len(item.options)} options",
            )
    if isinstance(item, NumberItem | YearItem) and item.min is not None and item.max is not None:
        if item.min > item.max:
            doc.problem((*loc, "max"), f"{_dotted((*loc, 'max'))}: max is below min")
    if isinstance(item, NumberItem):
        if item.integer and item.decimals:
            doc.problem(
                (*loc, "decimals"),
                f"{_dotted((*loc, 'decimals'))}: decimals needs 'integer: false'",
            )
    if isinstance(item, GroupItem) and item.min_entries > item.max_entries:
        doc.problem((*loc, "max_entries"), f"{_dotted((*loc, 'max_entries'))}: below min_entries")
    if isinstance(item, schema.FileItem):
        _duplicates(doc, (*loc, "accept"), list(item.accept), "file type")
    if item.retired and item.required:
        doc.problem(
            (*loc, "required"),
            f"{_dotted((*loc, 'required'))}: a retired item is no longer asked and cannot "
            "be required",
        )
    if item.id in item.renamed_from:
        doc.problem(
            (*loc, "renamed_from"),
            f"{_dotted((*loc, 'renamed_from'))}: an item cannot be renamed from its own id",
        )
    if isinstance(item, StatisticsTableItem):
        _check_table(doc, loc, item, dimensions, dimensions_known, periods)


def _check_table(
    doc: Document,
    loc: Loc,
    table: StatisticsTableItem,
    dimensions: DimensionsDef | None,
    dimensions_known: bool,
    periods: dict[str, NamedPeriod] | None = None,
) -> None:
    """Rows, column groups and rules of a statistics table (see StatisticsTableItem)."""
    if (table.period is None) == (table.rows is None):
        doc.problem(loc, f"{_dotted(loc)}: give either 'period' or 'rows'")
    row_codes: list[str] = [r.code for r in table.rows or []]
    if table.period is not None:
        ploc = (*loc, "period")
        if (table.period.years is None) == (table.period.name is None):
            doc.problem(ploc, f"{_dotted(ploc)}: give either 'years' or 'name'")
        elif table.period.years is not None:
            _duplicates(doc, (*ploc, "years"), [str(y) for y in table.period.years], "year")
            row_codes = [str(y) for y in table.period.years]
        elif periods is not None and table.period.name not in periods:
            known = ", ".join(sorted(periods)) or "none"
            doc.problem(
                (*ploc, "name"),
                f"{_dotted((*ploc, 'name'))}: no period '{table.period.name}' under "
                f"'periods' of the questionnaire; known: {known}",
            )
        elif periods is not None and table.period.name is not None:
            row_codes = [str(y) for y in periods[table.period.name].years]
    if table.rows is not None:
        _duplicates(doc, (*loc, "rows"), [r.code for r in table.rows], "row code")
    group_dims: set[str] = set()
    columns: list[str] = ["total"] if table.total else []
    for g, group in enumerate(table.column_groups):
        gloc = (*loc, "column_groups", g)
        if (group.dimension is None) == (group.columns is None):
            doc.problem(gloc, f"{_dotted(gloc)}: give either 'dimension' or 'columns'")
        if group.dimension is not None:
            if group.dimension in group_dims:
                doc.problem(
                    (*gloc, "dimension"),
                    f"{_dotted((*gloc, 'dimension'))}: dimension '{group.dimension}' is "
                    "used twice in this table",
                )
            group_dims.add(group.dimension)
            if dimensions is not None and group.dimension not in dimensions.dimensions:
                known = ", ".join(sorted(dimensions.dimensions)) or "none"
                doc.problem(
                    (*gloc, "dimension"),
                    f"{_dotted((*gloc, 'dimension'))}: unknown dimension "
                    f"'{group.dimension}'; known: {known}",
                )
            elif dimensions is None and dimensions_known:
                doc.problem(
                    (*gloc, "dimension"),
                    f"{_dotted((*gloc, 'dimension'))}: dimension '{group.dimension}' "
                    "needs a dimensions file, but the round names none",
                )
        elif group.columns is not None:
            columns.extend(c.code for c in group.columns)
            if not group.columns:
                doc.problem((*gloc, "columns"), f"{_dotted((*gloc, 'columns'))}: no columns")
    seen: set[str] = set()
    for code in columns:
        if code in seen:
            doc.problem(
                (*loc, "column_groups"),
                f"{_dotted((*loc, 'column_groups'))}: duplicate column code '{code}'",
            )
        seen.add(code)
    for r, rule in enumerate(table.rules):
        rloc = (*loc, "rules", r)
        if rule.rule in ("parts_not_above_total", "parts_sum_to_total"):
            if not table.total:
                doc.problem(rloc, f"{_dotted(rloc)}: rule '{rule.rule}' needs a total column")
            if rule.group is None:
                doc.problem(rloc, f"{_dotted((*rloc, 'group'))}: missing required field 'group'")
            elif rule.group not in group_dims:
                known = ", ".join(sorted(group_dims)) or "none"
                doc.problem(
                    (*rloc, "group"),
                    f"{_dotted((*rloc, 'group'))}: no column group for dimension "
                    f"'{rule.group}' in this table; groups: {known}",
                )
        elif rule.rule == "row_not_above":
            for name in ("row", "other"):
                code = getattr(rule, name)
                if code is None:
                    doc.problem(rloc, f"{_dotted((*rloc, name))}: missing required field '{name}'")
                elif row_codes and code not in row_codes:
                    doc.problem(
                        (*rloc, name),
                        f"{_dotted((*rloc, name))}: no row '{code}' in this table; "
                        f"rows: {', '.join(row_codes)}",
                    )
        else:
            for name in ("column", "other"):
                code = getattr(rule, name)
                if code is None:
                    doc.problem(rloc, f"{_dotted((*rloc, name))}: missing required field '{name}'")
                elif code not in columns:
                    doc.problem(
                        (*rloc, name),
                        f"{_dotted((*rloc, name))}: no column '{code}' in this table; "
                        f"columns: {', '.join(columns) or 'none'}",
                    )


def _check_questionnaire(
    doc: Document,
    q: QuestionnaireDef,
    instrument: InstrumentDef | None,
    dimensions: DimensionsDef | None,
    dimensions_known: bool,
    part2: Iterable[_SectionSource] = (),
) -> None:
    flagged = [p for p, part in enumerate(q.parts) if part.country_specific]
    for p in flagged[1:]:
        doc.problem(
            ("parts", p, "country_specific"),
            f"parts[{p}].country_specific: only one part can be country-specific",
        )
    own = _questionnaire_sources(doc, q)
    seen = _check_sections(own, instrument, dimensions, dimensions_known, q.periods)
    # ids must be unique across the whole questionnaire including each Party's Part II;
    # conditions are checked over both (problems found again are deduplicated).
    for src in part2:
        _check_sections([src], instrument, dimensions, dimensions_known, q.periods, after=seen)


def _raw_duplicate_ids(doc: Document) -> None:
    """Duplicate section and item ids in a questionnaire that failed the schema, so that
    they are reported together with the schema problems."""
    seen: dict[tuple[str, Any], Loc] = {}
    parts = doc.data.get("parts") if isinstance(doc.data, dict) else None
    for p, part in enumerate(parts if isinstance(parts, list) else []):
        sections = part.get("sections") if isinstance(part, dict) else None
        for s, section in enumerate(sections if isinstance(sections, list) else []):
            if not isinstance(section, dict):
                continue
            entries: list[tuple[str, Loc, dict[Any, Any]]] = [
                ("section", ("parts", p, "sections", s), section)
            ]
            items = section.get("items")
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    entries.append(("item", ("parts", p, "sections", s, "items", i), item))
            for what, loc, entry in entries:
                ident = entry.get("id")
                if not isinstance(ident, str):
                    continue
                if (what, ident) in seen:
                    line, col = doc.position((*seen[(what, ident)], "id"))
                    doc.problem(
                        (*loc, "id"),
                        f"{_dotted((*loc, 'id'))}: duplicate {what} id '{ident}' "
                        f"(also at {doc.path}:{line}:{col})",
                    )
                else:
                    seen[(what, ident)] = loc


@dataclass(frozen=True)
class _RawItem:
    """An item that failed the schema: only its id and condition are known, so conditions
    naming it are checked for existence only."""

    id: str
    show_if: str | None
    kind: str = "unknown"


_ITEM = TypeAdapter(schema.Item)
_MEMBER = TypeAdapter(schema.GroupMember)


def _raw_conditions(doc: Document) -> None:
    """The ``show_if`` checks of :func:`_check_conditions` on a questionnaire that failed
    the schema, so that dangling names, syntax errors and cycles are reported together
    with the schema problems (all problems of a file at once). Items that are valid on
    their own keep their kinds (option codes are checked); the others count by id only."""
    placed: list[_Placed] = []

    def place(loc: Loc, raw: Any, adapter: TypeAdapter[Any], group: str | None) -> None:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            return
        try:
            item = adapter.validate_python(raw)
        except ValidationError:
            show_if = raw.get("show_if")
            item = _RawItem(raw["id"], show_if if isinstance(show_if, str) else None)
        placed.append(_Placed(doc, loc, item, group))
        members = raw.get("items") if raw.get("kind") == "group" else None
        for m, member in enumerate(members if isinstance(members, list) else []):
            place((*loc, "items", m), member, _MEMBER, raw["id"])

    parts = doc.data.get("parts") if isinstance(doc.data, dict) else None
    for p, part in enumerate(parts if isinstance(parts, list) else []):
        sections = part.get("sections") if isinstance(part, dict) else None
        for s, section in enumerate(sections if isinstance(sections, list) else []):
            items = section.get("items") if isinstance(section, dict) else None
            for i, raw in enumerate(items if isinstance(items, list) else []):
                place(("parts", p, "sections", s, "items", i), raw, _ITEM, None)
    _check_conditions(placed)


def _check_instrument(doc: Document, instrument: InstrumentDef) -> None:
    _duplicates(doc, ("articles",), [str(a.number) for a in instrument.articles], "article")
    _duplicates(doc, ("proposal_verbs",), list(instrument.proposal_verbs), "verb")


def _check_dimensions(doc: Document, dims: DimensionsDef) -> None:
    for name, dimension in dims.dimensions.items():
        loc = ("dimensions", name, "categories")
        _duplicates(doc, loc, [c.code for c in dimension.categories], "category code")


# --- the loader (caches parsed files so that a validation run reads each file once) ----------


def _norm(path: str | os.PathLike[str]) -> str:
    return os.path.normpath(os.fspath(path))


def _relative(base: str, rel: str) -> str:
    return _norm(os.path.join(os.path.dirname(base), rel))


def detect_kind(data: Any) -> str | None:
    """What a YAML document is, from its top-level shape: ``round``, ``questionnaire``,
    ``instrument``, ``dimensions``, ``sections`` (a Part II list) or None."""
    if isinstance(data, list):
        return "sections"
    if not isinstance(data, dict):
        return None
    if {"provisions", "questionnaires", "number"} & data.keys():
        return "round"
    if {"parts", "audience"} & data.keys():
        return "questionnaire"
    if {"articles", "proposal_verbs", "panel"} & data.keys():
        return "instrument"
    if "dimensions" in data:
        return "dimensions"
    return None


@dataclass(frozen=True)
class LoadedRound:
    """A valid round file and everything it names.

    ``questionnaires`` is keyed by audience (``party``, ``ngo``) and holds the files as
    written; ``country_sections`` holds Part II keyed by ISO code. Use
    :meth:`questionnaire_for` for the self-contained definition that is stored.
    """

    path: str
    round: RoundDef
    instrument: InstrumentDef
    dimensions: DimensionsDef | None
    questionnaires: dict[str, QuestionnaireDef]
    country_sections: dict[str, list[Section]]

    def questionnaire_for(self, audience: str, party_code: str | None = None) -> QuestionnaireDef:
        """The self-contained questionnaire for ``audience`` and (Party audience) a Party.

        Part II sections of ``party_code`` are appended to the ``country_specific: true``
        part (the NGO questionnaire gets no Part II); every column group naming a
        ``dimension`` gets that dimension's categories as ``columns``. Raises ValueError
        for an audience without a questionnaire or a Party not in the round.
        """
        if audience not in self.questionnaires:
            raise ValueError(f"round {self.round.number} has no {audience} questionnaire")
        codes = {p.code for p in self.round.parties}
        if party_code is not None and party_code not in codes:
            raise ValueError(f"{party_code} is not a Party of round {self.round.number}")
        base = self.questionnaires[audience]
        extra = self.country_sections.get(party_code or "", []) if audience == "party" else []
        return assemble(base, extra, self.dimensions)


def assemble(
    q: QuestionnaireDef, part2: list[Section], dimensions: DimensionsDef | None
) -> QuestionnaireDef:
    """``q`` with ``part2`` appended to its country-specific part and dimension columns
    filled in (see :meth:`LoadedRound.questionnaire_for`)."""
    data = q.model_dump()
    for part in data["parts"]:
        if part["country_specific"]:
            part["sections"] = part["sections"] + [s.model_dump() for s in part2]
    for part in data["parts"]:
        for section in part["sections"]:
            for item in section["items"]:
                period = item.get("period")
                if period and period.get("name") and not period.get("years"):
                    named = q.periods.get(period["name"])
                    if named is not None:
                        period["years"] = list(named.years)
    if dimensions is not None:
        for part in data["parts"]:
            for section in part["sections"]:
                for item in section["items"]:
                    for group in item.get("column_groups") or []:
                        dim = dimensions.dimensions.get(group.get("dimension") or "")
                        if dim is not None:
                            group["columns"] = [c.model_dump() for c in dim.categories]
                            group["label"] = group.get("label") or dim.label
    return QuestionnaireDef.model_validate(data)


def canonical_json(definition: BaseModel) -> str:
    """The canonical JSON of a definition: keys sorted, no spaces, UTF-8 text kept."""
    data = definition.model_dump(mode="json")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(definition: BaseModel) -> str:
    """SHA-256 (hex, 64 characters) of :func:`canonical_json` encoded as UTF-8."""
    return hashlib.sha256(canonical_json(definition).encode("utf-8")).hexdigest()


class _Loader:
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}
        self.models: dict[tuple[str, str], Any] = {}
        self.checked: set[tuple[Any, ...]] = set()
        self.rounds: dict[str, LoadedRound | None] = {}

    def doc(self, path: str) -> Document:
        key = _norm(path)
        if key not in self.docs:
            self.docs[key] = read_yaml(key)
        return self.docs[key]

    def problems(self, paths: Iterable[str] | None = None) -> list[Problem]:
        wanted = None if paths is None else {_norm(p) for p in paths}
        found: set[Problem] = set()
        for key, doc in self.docs.items():
            if wanted is None or key in wanted:
                found.update(doc.problems)
        return sorted(found, key=lambda p: (p.path, p.line, p.column, p.message))

    def model(self, path: str, kind: str) -> Any:
        """The validated model of a file of ``kind``, or None (problems recorded)."""
        cache_key = (_norm(path), kind)
        if cache_key in self.models:
            return self.models[cache_key]
        doc = self.doc(path)
        result: Any = None
        if doc.data is not None or not doc.problems:
            if kind == "questionnaire":
                result = _validate(doc, QuestionnaireDef)
                if result is None:
                    _raw_duplicate_ids(doc)
                    _raw_conditions(doc)
            elif kind == "instrument":
                result = _validate(doc, InstrumentDef)
                if result is not None:
                    _check_instrument(doc, result)
            elif kind == "dimensions":
                result = _validate(doc, DimensionsDef)
                if result is not None:
                    _check_dimensions(doc, result)
            elif kind == "sections":
                result = _validate(doc, _SECTIONS)
            elif kind == "round":
                result = _validate(doc, RoundDef)
        self.models[cache_key] = result
        return result

    def questionnaire_alone(self, path: str) -> QuestionnaireDef | None:
        q = self.model(path, "questionnaire")
        if q is not None and ("alone", _norm(path)) not in self.checked:
            self.checked.add(("alone", _norm(path)))
            _check_questionnaire(self.doc(path), q, None, None, False)
        return q

    def sections_alone(self, path: str) -> list[Section] | None:
        sections = self.model(path, "sections")
        if sections is not None and ("alone", _norm(path)) not in self.checked:
            self.checked.add(("alone", _norm(path)))
            _check_sections([_SectionSource(self.doc(path), (), sections)], None, None, False)
        return sections

    def referenced(self, round_path: str) -> set[str]:
        """Normalised paths of the files a round file names (even if the round is invalid)."""
        doc = self.doc(round_path)
        data = doc.data if isinstance(doc.data, dict) else {}
        names: list[Any] = [data.get("instrument"), data.get("dimensions")]
        qs = data.get("questionnaires")
        if isinstance(qs, dict):
            names += [qs.get("party"), qs.get("ngo")]
        cs = data.get("country_specific")
        if isinstance(cs, dict):
            names += list(cs.values())
        return {_relative(round_path, n) for n in names if isinstance(n, str)}

    def load_round(self, path: str) -> LoadedRound | None:
        """Validate a round and every file it names; None when any has a problem.

        Once per round file: validating a folder reaches the round again from each of
        its Part II files, and a second check would only find the same problems.
        """
        path = _norm(path)
        if path not in self.rounds:
            self.rounds[path] = self._load_round(path)
        return self.rounds[path]

    def _load_round(self, path: str) -> LoadedRound | None:
        doc = self.doc(path)
        rnd: RoundDef | None = self.model(path, "round")
        if rnd is None:
            return None

        def named(loc: Loc, rel: str, kind: str) -> Any:
            target = _relative(path, rel)
            if not os.path.isfile(target):
                doc.problem(loc, f"{_dotted(loc)}: file not found: {rel} (looked for {target})")
                return None
            found_kind = detect_kind(self.doc(target).data)
            if self.doc(target).data is not None and found_kind not in (kind, None):
                doc.problem(loc, f"{_dotted(loc)}: {rel} is a {found_kind} file, not {kind}")
                return None
            return self.model(target, kind)

        instrument: InstrumentDef | None = named(("instrument",), rnd.instrument, "instrument")
        dimensions: DimensionsDef | None = None
        if rnd.dimensions is not None:
            dimensions = named(("dimensions",), rnd.dimensions, "dimensions")
        if instrument is not None:
            known = {a.number for a in instrument.articles}
            _check_articles(doc, ("provisions",), rnd.provisions, known, instrument)

        codes = [p.code for p in rnd.parties]
        _duplicates(doc, ("parties",), codes, "Party")
        loc: Loc
        for g, group in enumerate(rnd.groups):
            for n, code in enumerate(group.parties):
                if code not in codes:
                    loc = ("groups", g, "parties", n)
                    doc.problem(loc, f"{_dotted(loc)}: {code} is not a Party of this round")
        for p, party in enumerate(rnd.parties):
            if party.questionnaire_sent and party.reply_due:
                if party.reply_due < party.questionnaire_sent:
                    loc = ("parties", p, "reply_due")
                    doc.problem(loc, f"{_dotted(loc)}: reply due before the questionnaire is sent")

        part2: dict[str, _SectionSource] = {}
        for code, value in rnd.country_specific.items():
            loc = ("country_specific", code)
            if code not in codes:
                doc.problem(
                    loc,
                    f"{_dotted(loc)}: {code} is not listed under 'parties' of this round",
                    key=True,
                )
            if isinstance(value, str):
                sections = named(loc, value, "sections")
                if sections is not None:
                    part2[code] = _SectionSource(self.doc(_relative(path, value)), (), sections)
            else:
                part2[code] = _SectionSource(doc, loc, list(value))

        questionnaires: dict[str, QuestionnaireDef] = {}
        slots = [("party", rnd.questionnaires.party), ("ngo", rnd.questionnaires.ngo)]
        for audience, rel in slots:
            if rel is None:
                continue
            loc = ("questionnaires", audience)
            q: QuestionnaireDef | None = named(loc, rel, "questionnaire")
            if q is None:
                continue
            qdoc = self.doc(_relative(path, rel))
            if q.audience != audience:
                qdoc.problem(
                    ("audience",),
                    f"audience: the round uses this file for the {audience} audience, "
                    f"but it says '{q.audience}'",
                )
            key = ("round", path, audience)
            if key not in self.checked:
                self.checked.add(key)
                sources = list(part2.values()) if audience == "party" else []
                _check_questionnaire(
                    qdoc, q, instrument, dimensions, rnd.dimensions is not None, sources
                )
            if audience == "party" and part2 and not any(p.country_specific for p in q.parts):
                doc.problem(
                    ("country_specific",),
                    f"country_specific: {rel} has no part with 'country_specific: true' "
                    "to hold these sections",
                )
            questionnaires[audience] = q
        if "party" in questionnaires and "ngo" in questionnaires:
            # an NGO section's ``mirrors`` name sections of the Party questionnaire
            party_sections = {sec.id for sec in questionnaires["party"].sections()}
            ngo_doc = self.doc(_relative(path, rnd.questionnaires.ngo or ""))
            for pi, part in enumerate(questionnaires["ngo"].parts):
                for si, sec in enumerate(part.sections):
                    for mi, mirrored in enumerate(sec.mirrors):
                        if mirrored not in party_sections:
                            mloc = ("parts", pi, "sections", si, "mirrors", mi)
                            ngo_doc.problem(
                                mloc,
                                f"{_dotted(mloc)}: the Party questionnaire has no section "
                                f"'{mirrored}'",
                            )
        if instrument is not None and "party" not in questionnaires:
            # Part II sections on their own (articles) when the Party questionnaire did not
            # load; otherwise they were checked with it above, where their conditions may
            # name its items (alone, such a name would read as unknown).
            for src in part2.values():
                _check_sections([src], instrument, dimensions, rnd.dimensions is not None)

        involved = {path} | self.referenced(path)
        if instrument is None or "party" not in questionnaires or self.problems(involved):
            return None
        return LoadedRound(
            path=path,
            round=rnd,
            instrument=instrument,
            dimensions=dimensions,
            questionnaires=questionnaires,
            country_sections={code: src.sections for code, src in part2.items()},
        )


# --- public API ------------------------------------------------------------------------------


def load_round_file(path: str | os.PathLike[str]) -> LoadedRound:
    """Load a round file, its instrument, dimensions, questionnaires and Part II files.

    Raises :class:`DefinitionError` listing every problem of every file involved.
    """
    loader = _Loader()
    loaded = loader.load_round(os.fspath(path))
    problems = loader.problems()
    if problems or loaded is None:
        raise DefinitionError(problems or [Problem(_norm(path), 1, 1, "cannot load the round")])
    return loaded


def load_questionnaire_file(
    path: str | os.PathLike[str],
    instrument: InstrumentDef | None = None,
    dimensions: DimensionsDef | None = None,
) -> QuestionnaireDef:
    """Load one questionnaire file (without Part II).

    Articles are checked against ``instrument`` and dimensions against ``dimensions`` when
    given; with ``dimensions`` the column groups naming a dimension get its categories as
    ``columns``. Raises :class:`DefinitionError` listing every problem.
    """
    loader = _Loader()
    path = _norm(os.fspath(path))
    q = loader.model(path, "questionnaire")
    if q is not None:
        _check_questionnaire(loader.doc(path), q, instrument, dimensions, dimensions is not None)
    problems = loader.problems()
    if problems or q is None:
        raise DefinitionError(problems)
    return assemble(q, [], dimensions)


def _load_single(path: str | os.PathLike[str], kind: str) -> Any:
    loader = _Loader()
    result = loader.model(os.fspath(path), kind)
    problems = loader.problems()
    if problems or result is None:
        raise DefinitionError(problems)
    return result


def load_instrument_file(path: str | os.PathLike[str]) -> InstrumentDef:
    """Load an instrument file. Raises :class:`DefinitionError`."""
    return _load_single(path, "instrument")  # type: ignore[no-any-return]


def load_dimensions_file(path: str | os.PathLike[str]) -> DimensionsDef:
    """Load a dimensions file. Raises :class:`DefinitionError`."""
    return _load_single(path, "dimensions")  # type: ignore[no-any-return]


def _expand(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found = sorted({*p.rglob("*.yaml"), *p.rglob("*.yml")})
            yield from (_norm(f) for f in found)
        else:
            yield _norm(p)


def _rounds_near(loader: _Loader, path: str) -> list[str]:
    """Round files in the folder of ``path`` and its parent that name ``path``."""
    here = os.path.dirname(path) or "."
    candidates: list[str] = []
    for folder in (here, os.path.dirname(here) if here not in (".", "") else None):
        if folder is None or not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith((".yaml", ".yml")):
                candidates.append(_norm(os.path.join(folder, name)))
    rounds = []
    for candidate in candidates:
        if detect_kind(loader.doc(candidate).data) == "round" and path in loader.referenced(
            candidate
        ):
            rounds.append(candidate)
    return rounds


def validate_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Problem]:
    """Check YAML files (directories are searched for ``*.yaml`` and ``*.yml``).

    Each file's kind is detected from its content (:func:`detect_kind`). A round is checked
    with every file it names. A questionnaire or Part II file is checked through a round in
    the same (or parent) folder that names it; without one it is checked alone, without
    article and dimension checks. Returns the problems of the given files and of the files
    their rounds name, sorted by path, line, column.
    """
    loader = _Loader()
    files = list(dict.fromkeys(_expand(paths)))
    reported = set(files)
    for path in files:
        doc = loader.doc(path)
        if doc.data is None:
            continue
        kind = detect_kind(doc.data)
        if kind is None:
            doc.problem(
                (),
                "cannot tell what this file is: expected a round (number, provisions, "
                "questionnaires), a questionnaire (parts), an instrument (articles), "
                "dimensions (dimensions) or a list of Part II sections",
            )
        elif kind == "round":
            loader.load_round(path)
            reported |= loader.referenced(path)
        elif kind in ("questionnaire", "sections"):
            rounds = _rounds_near(loader, path)
            for round_path in rounds:
                loader.load_round(round_path)
                reported |= {round_path}
            if not rounds:
                if kind == "questionnaire":
                    loader.questionnaire_alone(path)
                else:
                    loader.sections_alone(path)
        else:
            loader.model(path, kind)
    return loader.problems(reported)
