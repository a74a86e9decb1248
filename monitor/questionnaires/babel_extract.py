"""Babel extractor for questionnaire YAML: the English texts that translators translate.

Configured in ``babel.cfg`` as
``[monitor.questionnaires.babel_extract.extract_yaml: questionnaires/**.yaml]``. Every
text value under one of :data:`TEXT_KEYS` (labels, titles, intros, guidance, option,
category, dimension, column-group and named-period labels, a group's ``entry_label``,
instrument article titles, units) becomes a message with its line number and a
``questionnaire field: <key>`` comment for the translator.

The keys are matched wherever they occur, so a new model that reuses ``label`` or
``title`` is covered without a change here; a new text field under a new key must be
added to :data:`TEXT_KEYS` (``tests/questionnaires/test_babel_extract.py`` walks the
schema and fails until it is, or until it is listed there as not translated).
"""

import sys
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Keys whose text values are shown to users (and so translated).
TEXT_KEYS = frozenset({"label", "title", "short_title", "intro", "guidance", "unit", "entry_label"})

_STR = "tag:yaml.org,2002:str"


class SourceText(NamedTuple):
    """A translatable text of a YAML file: 1-based ``line`` and ``column`` of the value,
    the ``key`` it stands under and the ``text`` as the loader reads it."""

    line: int
    column: int
    key: str
    text: str


def _texts(node: Node, seen: set[int]) -> Iterator[SourceText]:
    """Each text under a key of TEXT_KEYS, in file order."""
    if id(node) in seen:  # an alias already visited
        return
    seen.add(id(node))
    if isinstance(node, SequenceNode):
        for child in node.value:
            yield from _texts(child, seen)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, ScalarNode)
                and key.value in TEXT_KEYS
                and isinstance(value, ScalarNode)
                and str(getattr(value.tag, "value", value.tag)) == _STR
                and value.value.strip()
            ):
                # ruamel marks the folds of a folded (">") scalar with BEL characters; the
                # loader drops them (a fold reads as the space after it), so must we, or
                # the msgid differs from the text the pages look up.
                mark = value.start_mark
                text = value.value.replace("\a", "")
                yield SourceText(mark.line + 1, mark.column + 1, key.value, text)
            else:
                yield from _texts(value, seen)


def source_texts(text: str) -> list[SourceText]:
    """The translatable texts of YAML ``text``, in file order.

    Raises ruamel's ``YAMLError`` (or ValueError, RecursionError) for text that is not
    valid YAML; ``monitor questionnaire validate`` reports such files with a position.
    """
    root = YAML(typ="rt").compose(text)
    return [] if root is None else list(_texts(root, set()))


def extract_yaml(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extraction method: yields ``(lineno, None, message, [comment])``.

    ``keywords`` and ``comment_tags`` are unused (YAML has no function calls). A file that
    is not valid YAML yields nothing and a warning on stderr; ``monitor questionnaire
    validate`` reports the problem with its position.
    """
    encoding = options.get("encoding", "utf-8")
    text = fileobj.read().decode(encoding)
    try:
        found = source_texts(text)
    except (YAMLError, ValueError, RecursionError) as exc:
        name = getattr(fileobj, "name", "<yaml>")
        print(f"warning: {name}: not extracted, invalid YAML: {exc}", file=sys.stderr)
        return
    for line, _column, key, message in found:
        yield line, None, message, [f"questionnaire field: {key}"]
