"""Babel extractor for questionnaire YAML: the English texts that translators translate.

Configured in ``babel.cfg`` as
``[monitor.questionnaires.babel_extract.extract_yaml: questionnaires/**.yaml]``. Every
text value under one of :data:`TEXT_KEYS` (labels, titles, intros, guidance, option,
category and dimension labels, instrument article titles, units) becomes a message with
its line number and a ``questionnaire field: <key>`` comment for the translator.
"""

import sys
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Keys whose text values are shown to users.
TEXT_KEYS = frozenset({"label", "title", "short_title", "intro", "guidance", "unit"})

_STR = "tag:yaml.org,2002:str"


def _texts(node: Node, seen: set[int]) -> Iterator[tuple[int, str, str]]:
    """(1-based line, key, text) for each text under a key of TEXT_KEYS, in file order."""
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
                yield value.start_mark.line + 1, key.value, value.value.replace("\a", "")
            else:
                yield from _texts(value, seen)


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
        root = YAML(typ="rt").compose(text)
    except (YAMLError, ValueError, RecursionError) as exc:
        name = getattr(fileobj, "name", "<yaml>")
        print(f"warning: {name}: not extracted, invalid YAML: {exc}", file=sys.stderr)
        return
    if root is None:
        return
    for lineno, key, message in _texts(root, set()):
        yield lineno, None, message, [f"questionnaire field: {key}"]
