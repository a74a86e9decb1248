"""The generated parts of ``docs/questionnaires.md``: one key table per model, from the
JSON Schemas of :mod:`monitor.questionnaires.json_schema`.

The page is written by hand around blocks that this module fills in::

    <!-- schema: TextItem -->
    ...generated: an anchor, the model's description, a table of its keys...
    <!-- /schema -->

A block is named by a model (a ``$defs`` name such as ``TextItem``), by a file kind
(``questionnaire``, ``round``, ``instrument``, ``dimensions``, ``sections``: the top level
of that file), ``item`` (the keys every item kind has; an item kind's own table leaves them
out) or ``show_if`` (the grammar of conditions, from :mod:`conditions`' docstring).
:func:`update` regenerates every block; :func:`missing` names the models that have no
block, so that a model added to the schema cannot go undocumented.

A YAML example that shows mistakes is followed by the validator's output::

    ```yaml
    # mistakes/party.yaml
    ...
    ```

    ```text
    $ monitor questionnaire validate mistakes/party.yaml
    ...generated: the problems the loader reports for that file...
    ```

``scripts/questionnaire-docs`` writes the page and ``docs/schema/*.schema.json``;
``tests/questionnaires/test_docs.py`` fails when either is out of date.

No Flask here.
"""

import re
import tempfile
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from monitor.questionnaires import conditions
from monitor.questionnaires.json_schema import KINDS, json_schema, render, schema_file_name
from monitor.questionnaires.loader import validate_paths
from monitor.questionnaires.schema import Code, Id

__all__ = [
    "BLOCK",
    "CODE_PATTERN",
    "ID_PATTERN",
    "COMMON",
    "GRAMMAR",
    "anchor",
    "block",
    "common_item_keys",
    "definitions",
    "item_kinds",
    "missing",
    "stale",
    "update",
    "write",
]

#: A generated block: group 1 is its name, group 2 its generated content.
BLOCK = re.compile(r"<!-- schema: ([A-Za-z_]+) -->\n(.*?)<!-- /schema -->", re.S)
#: A YAML example named by its first line, then the validator's output for it.
OUTPUT = re.compile(
    r"```yaml\n(?P<yaml># (?P<name>[\w./-]+\.yaml)\n.*?)```\n\n"
    r"```text\n(?P<command>\$ monitor questionnaire validate (?P=name)\n)(?P<output>.*?)```",
    re.S,
)
#: The name of the block of keys common to every item kind.
COMMON = "item"
#: The name of the block holding the grammar of ``show_if`` conditions.
GRAMMAR = "show_if"

#: The patterns of the schema's ``Id`` and ``Code`` types.
ID_PATTERN: str = TypeAdapter(Id).json_schema()["pattern"]
CODE_PATTERN: str = TypeAdapter(Code).json_schema()["pattern"]
#: Human names of the patterns the schema uses (see "Ids, codes and text" in the page).
_PATTERNS = {
    ID_PATTERN: ("[id](#ids-codes-and-text)", "[ids](#ids-codes-and-text)"),
    CODE_PATTERN: ("[code](#ids-codes-and-text)", "[codes](#ids-codes-and-text)"),
    r"^[A-Z]{2}$": ("ISO 3166-1 country code", "ISO 3166-1 country codes"),
    r"^[A-Z]{3}$": ("ISO 4217 currency code", "ISO 4217 currency codes"),
}
_NOUNS = {
    "string": ("text", "texts"),
    "integer": ("whole number", "whole numbers"),
    "number": ("number", "numbers"),
    "boolean": ("`true` or `false`", "`true` or `false` values"),
}


@cache
def definitions() -> dict[str, dict[str, Any]]:
    """Every documented schema by block name: each file kind's top level under the kind,
    then every ``$defs`` entry of every kind (the same model is the same in every kind)."""
    found: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        schema = json_schema(kind)
        found[kind] = {k: v for k, v in schema.items() if k != "$defs"}
    for kind in KINDS:
        for name, node in json_schema(kind)["$defs"].items():
            if name in found and found[name] != node:
                raise AssertionError(f"{name} differs between kinds")  # pragma: no cover
            found[name] = node
    return found


def item_kinds() -> dict[str, str]:
    """Item kind -> model name, in the order of a section's ``items`` union."""
    items = definitions()["Section"]["properties"]["items"]["items"]
    names = [ref["$ref"].rsplit("/", 1)[-1] for ref in items["oneOf"]]
    return {definitions()[name]["properties"]["kind"]["const"]: name for name in names}


def common_item_keys() -> list[str]:
    """Keys every item kind has (``kind`` first), in the order the models declare them."""
    models = [definitions()[name] for name in item_kinds().values()]
    first = list(models[0]["properties"])
    keys = [k for k in first if all(k in m["properties"] for m in models)]
    return ["kind"] + [k for k in keys if k != "kind"]


def anchor(name: str) -> str:
    """The anchor of a generated block: ``schema-<name in lower case>``."""
    return "schema-" + name.lower()


def _link(name: str) -> str:
    return f"[{name}](#{anchor(name)})"


def _noun(node: dict[str, Any], plural: bool = False) -> str:
    """What a value is, in words: 'whole number from 1 to 50', 'list of ids'."""
    if "$ref" in node:
        return _link(node["$ref"].rsplit("/", 1)[-1])
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    if "anyOf" in node or "oneOf" in node:
        options = [n for n in node.get("anyOf", node.get("oneOf", [])) if n.get("type") != "null"]
        if "discriminator" in node:
            mapping = node["discriminator"]["mapping"]
            kinds = [k for k in item_kinds() if k in mapping]
            what = "[items](#items)" if plural else "[item](#items)"
            if kinds == list(item_kinds()):
                return what
            return f"{what} of kind " + ", ".join(f"`{k}`" for k in kinds)
        if {n.get("type") for n in options} == {"integer", "number"}:
            return _noun({"type": "number"}, plural)
        return " or ".join(_noun(n, plural) for n in options)
    kind = node.get("type")
    if kind == "array":
        items = node.get("items", {})
        if "enum" in items:
            text = "list of " + ", ".join(f"`{v}`" for v in items["enum"])
        else:
            text = "list of " + _noun(items, plural=True)
        if node.get("minItems"):
            text += f" (at least {node['minItems']})"
        return text
    if kind == "object":
        value = node.get("additionalProperties")
        if isinstance(value, dict):
            key = _noun({"type": "string", **node.get("propertyNames", {})})
            return f"mapping of {key} to {_noun(value)}"
        return "mapping"
    if kind == "string":
        if node.get("format") == "date":
            return "dates (`YYYY-MM-DD`)" if plural else "date (`YYYY-MM-DD`)"
        if "pattern" in node:
            names = _PATTERNS.get(node["pattern"])
            if names:
                return names[plural]
            return f"text matching `{node['pattern']}`"
    singular, many = _NOUNS.get(str(kind), (str(kind), str(kind)))
    text = many if plural else singular
    low = node.get("minimum")
    high = node.get("maximum")
    if low is not None and high is not None:
        text += f" from {low} to {high}"
    elif low is not None:
        text += f" ≥ {low}"
    elif high is not None:
        text += f" ≤ {high}"
    if node.get("exclusiveMinimum") is not None:
        text += f" > {node['exclusiveMinimum']}"
    return text


def _yaml(value: Any) -> str:
    """A default value as YAML flow text."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    return str(value)


def _default(node: dict[str, Any], required: bool) -> str:
    if required:
        return "**required**"
    if "default" not in node or node["default"] is None:
        return "optional"
    if isinstance(node["default"], dict) and node["default"] and "$ref" in node:
        return "each key's default"
    return f"`{_yaml(node['default'])}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n\n", "<br><br>").replace("\n", " ")


def _table(schema: dict[str, Any], keys: list[str]) -> str:
    required = set(schema.get("required", []))
    rows = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    for key in keys:
        node = schema["properties"][key]
        meaning = node.get("description", "")
        rows.append(
            f"| `{key}` | {_cell(_noun(node))} | {_default(node, key in required)} "
            f"| {_cell(meaning)} |"
        )
    return "\n".join(rows)


def _grammar() -> str:
    """The grammar of ``show_if`` conditions as written in :mod:`conditions`' docstring."""
    doc = conditions.__doc__ or ""
    start = doc.index("::\n") + 3
    end = doc.index("\nMeaning:", start)
    return textwrap.dedent(doc[start:end]).strip("\n")


def block(name: str) -> str:
    """The generated content of the block ``name`` (ends with a newline). Raises KeyError
    for a name that is neither a model, a file kind, ``item`` nor ``show_if``."""
    out = [f'<a id="{anchor(name)}"></a>', ""]
    if name == GRAMMAR:
        return "\n".join([*out, "```text", _grammar(), "```"]) + "\n"
    if name == COMMON:
        example = definitions()[next(iter(item_kinds().values()))]
        out.append("Every item has these keys.")
        out.append("")
        kind = {"enum": list(item_kinds()), "description": "What the item is (see below)."}
        schema = {
            "properties": {**example["properties"], "kind": kind},
            "required": example.get("required", []),
        }
        out.append(_table(schema, common_item_keys()))
        return "\n".join(out) + "\n"
    schema = definitions()[name]
    if schema.get("description"):
        out += [schema["description"], ""]
    if schema.get("type") == "array":
        out.append(f"The file is a {_noun(schema)}.")
        return "\n".join(out) + "\n"
    keys = list(schema.get("properties", {}))
    if name in item_kinds().values():
        common = set(common_item_keys())
        keys = [k for k in keys if k not in common]
        if not keys:
            out.append("No keys besides the [common ones](#schema-item).")
            return "\n".join(out) + "\n"
        out.append("Keys besides the [common ones](#schema-item):")
        out.append("")
    out.append(_table(schema, keys))
    return "\n".join(out) + "\n"


def problems_text(name: str, yaml_text: str) -> str:
    """What ``monitor questionnaire validate NAME`` prints for a file ``name`` (a relative
    path) holding ``yaml_text`` alone in a folder, without the summary line: one
    ``path:line:column: message`` line per problem."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml_text, encoding="utf-8")
        lines = [str(p) for p in validate_paths([path])]
    prefix = str(Path(tmp)) + "/"
    return "".join(line.replace(prefix, "") + "\n" for line in lines)


def update(text: str) -> str:
    """``text`` with every generated block and example output regenerated. Raises
    KeyError naming a block that names no model."""
    # the blank line ends a table before the closing marker in every Markdown flavour
    text = BLOCK.sub(lambda m: f"<!-- schema: {m[1]} -->\n{block(m[1])}\n<!-- /schema -->", text)

    def output(m: re.Match[str]) -> str:
        found = problems_text(m["name"], m["yaml"])
        start, end = m.span("output")
        return m[0][: start - m.start()] + found + m[0][end - m.start() :]

    return OUTPUT.sub(output, text)


def missing(text: str) -> list[str]:
    """Names of the models, file kinds and ``item`` that have no block in ``text``, or
    more than one."""
    names = [m[1] for m in BLOCK.finditer(text)]
    wanted = [COMMON, GRAMMAR, *definitions()]
    return [n for n in wanted if names.count(n) != 1]


def _outputs(root: Path) -> dict[Path, str]:
    """Every generated file under the repository ``root`` with its expected content."""
    out = {root / "docs" / "schema" / schema_file_name(kind): render(kind) + "\n" for kind in KINDS}
    page = root / "docs" / "questionnaires.md"
    out[page] = update(page.read_text(encoding="utf-8"))
    return out


def stale(root: Path) -> list[Path]:
    """The generated files under ``root`` that differ from what the schema gives."""
    return [
        path
        for path, text in _outputs(root).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def write(root: Path) -> list[Path]:
    """Rewrite the stale generated files under ``root``; returns them."""
    changed = stale(root)
    outputs = _outputs(root)
    for path in changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(outputs[path], encoding="utf-8")
    return changed
