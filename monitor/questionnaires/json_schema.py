"""JSON Schemas (draft 2020-12) of the five kinds of definition files, for editors.

Each schema is generated from the pydantic models of :mod:`monitor.questionnaires.schema`:
descriptions come from the models' docstrings and the docstrings under their fields, so
the editor's hover text, the committed ``docs/schema/<kind>.schema.json`` and the key
tables of ``docs/questionnaires.md`` all say what the models say.

A JSON Schema checks the shape of one file only. The loader checks more (unique ids,
articles that exist in the instrument, ``show_if`` references and cycles, table rules
naming existing columns, files a round names): ``monitor questionnaire validate`` is the
authority; an editor's schema only catches mistakes early. Known difference: an editor
reads an unquoted ``2025-03-31`` as text, where the loader reads a date and refuses it in
a text field.

No Flask here (the validator runs without the web application).
"""

import json
import re
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, NoDefault
from pydantic_core import core_schema

from monitor.questionnaires.schema import (
    DimensionsDef,
    InstrumentDef,
    QuestionnaireDef,
    RoundDef,
    Section,
)

__all__ = ["DIALECT", "KINDS", "json_schema", "render", "schema_file_name"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: kind -> (model or adapter, title, description of the file)
_KINDS: dict[str, tuple[type[BaseModel] | TypeAdapter[Any], str, str | None]] = {
    "questionnaire": (QuestionnaireDef, "monitor questionnaire file", None),
    "round": (RoundDef, "monitor round file", None),
    "instrument": (InstrumentDef, "monitor instrument file", None),
    "dimensions": (DimensionsDef, "monitor dimensions file", None),
    "sections": (
        TypeAdapter(list[Section]),
        "monitor Part II sections file",
        "A Part II file: the list of country-specific sections of one Party, named under "
        "the round's ``country_specific``.",
    ),
}
#: The kinds of definition file, as ``--kind`` names them (and ``loader.detect_kind``).
KINDS: tuple[str, ...] = tuple(_KINDS)

_ROLE = re.compile(r":[a-z]+:(?:[a-z]+:)?`~?([^`]+)`")  # Sphinx roles: :mod:`x`, :py:class:`y`


def _clean(text: str) -> str:
    """A docstring as one Markdown paragraph per paragraph: Sphinx roles become code
    spans, and lines are joined except before a list item or a blank line."""
    text = _ROLE.sub(lambda m: f"``{m.group(1).rsplit('.', 1)[-1]}``", text.strip())
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if out and line and out[-1] and not line.startswith("- "):
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, with defaults from ``default_factory`` shown (``[]``,
    ``["EUR"]``) and no title per field (the key is its name; the description says more)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            return factory()  # type: ignore[call-arg]
        return schema.get("default", NoDefault)


def _tidy(node: Any) -> Any:
    """Clean descriptions everywhere; a mapping keyed by ids (``patternProperties`` with one
    pattern) becomes ``additionalProperties`` with the pattern under ``propertyNames``, so
    that an editor also flags a badly written key."""
    if isinstance(node, list):
        return [_tidy(x) for x in node]
    if not isinstance(node, dict):
        return node
    node = {k: (_tidy(v) if k not in ("default", "const", "enum") else v) for k, v in node.items()}
    if isinstance(node.get("description"), str):
        node["description"] = _clean(node["description"])
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1 and "additionalProperties" not in node:
        ((pattern, value),) = patterns.items()
        names = dict(node.get("propertyNames") or {})
        names.setdefault("pattern", pattern)
        node.pop("patternProperties")
        rebuilt: dict[str, Any] = {}
        for key, val in node.items():
            rebuilt[key] = val
            if key == "type":
                rebuilt["propertyNames"] = names
                rebuilt["additionalProperties"] = value
        node = rebuilt
    return node


def json_schema(kind: str = "questionnaire") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of definition files of ``kind`` (one of
    :data:`KINDS`) as a dict: ``$schema``, ``$id`` (the committed file's name, so that it
    resolves to wherever the file is read from), ``title``, ``description``, the schema
    of the file, then ``$defs``. Raises KeyError for an unknown kind."""
    target, title, description = _KINDS[kind]
    generated: JsonSchemaValue
    if isinstance(target, TypeAdapter):
        generated = target.json_schema(schema_generator=_Generator)
    else:
        generated = target.model_json_schema(schema_generator=_Generator)
    generated = _tidy(generated)
    defs = generated.pop("$defs", {})
    generated.pop("title", None)
    description = _clean(description) if description else generated.pop("description", None)
    generated.pop("description", None)
    out: dict[str, Any] = {"$schema": DIALECT, "$id": schema_file_name(kind), "title": title}
    if description:
        out["description"] = description
    out.update(generated)
    out["$defs"] = dict(sorted(defs.items()))
    return out


def schema_file_name(kind: str) -> str:
    """``<kind>.schema.json``: the name of the committed schema under ``docs/schema/``."""
    return f"{kind}.schema.json"


def render(kind: str = "questionnaire") -> str:
    """:func:`json_schema` as the text ``monitor questionnaire schema`` prints: JSON
    indented by 2, UTF-8 kept, no trailing newline."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False)
