"""The Babel extractor for questionnaire YAML and the project's babel.cfg."""

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from ruamel.yaml import YAML

from monitor.questionnaires.babel_extract import TEXT_KEYS, extract_yaml, source_texts
from monitor.questionnaires.schema import DimensionsDef, InstrumentDef, QuestionnaireDef, RoundDef
from tests.questionnaires.helpers import GOOD

ROOT = Path(__file__).resolve().parents[2]


def extract(path: Path) -> list[tuple[int, None, str, list[str]]]:
    with path.open("rb") as fileobj:
        return list(extract_yaml(fileobj, [], [], {}))


def test_extracts_labels_titles_and_options_with_lines() -> None:
    found = extract(GOOD / "party.yaml")
    assert (2, None, "Questionnaire for the Parties", ["questionnaire field: title"]) in found
    assert (11, None, "Questions on access to compensation.", ["questionnaire field: intro"]) in (
        found
    )
    assert (17, None, "Give the legal basis.", ["questionnaire field: guidance"]) in found
    assert (23, None, "A state fund", ["questionnaire field: label"]) in found
    assert (42, None, "persons", ["questionnaire field: unit"]) in found
    texts = [m for _, _, m, _ in found]
    assert "test_party" not in texts and "1.10" not in texts and "yes" not in texts


def test_extracts_dimension_and_article_titles() -> None:
    dims = [m for _, _, m, _ in extract(GOOD / "dimensions.yaml")]
    assert dims == ["Sex", "Female", "Male", "Age", "Children (under 18)", "Adults"]
    articles = [m for _, _, m, _ in extract(GOOD / "instrument.yaml")]
    assert "Assistance to victims" in articles and "TESTPANEL" not in articles


def test_broken_yaml_yields_nothing() -> None:
    assert list(extract_yaml(io.BytesIO(b"a: [b\n"), [], [], {})) == []


def test_pybabel_extract_with_babel_cfg(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
    command += ["-k", "_l", "-k", "lazy_ngettext:1,2", "-o", str(pot), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    text = pot.read_text(encoding="utf-8")
    assert "#: monitor/questionnaires/cli.py" in text
    if any((ROOT / "questionnaires").rglob("*.yaml")):
        assert "#. questionnaire field: label" in text
        assert "#: questionnaires/" in text


#: Free-text fields of the schema that are not shown as translatable text: a condition, an
#: edition label, a chapter numeral, the panel's acronym, file paths, and names (Parties'
#: names are shown from the accounts table; group names are internal).
NOT_TRANSLATED = frozenset(
    {"show_if", "version", "chapter", "panel", "instrument", "dimensions", "party", "ngo"}
    | {"country_specific", "name"}
)


def _free_text_fields(schema: dict[str, Any]) -> set[str]:
    """Names of the properties, in every model of a JSON Schema, that take free text
    (a string without pattern, enum, const or format), alone or in a union or list."""

    def free(prop: dict[str, Any]) -> bool:
        if prop.get("type") == "string":
            return not ({"pattern", "enum", "const", "format"} & prop.keys())
        options = [*prop.get("anyOf", []), *prop.get("oneOf", [])]
        nested = [
            prop[k] for k in ("items", "additionalProperties") if isinstance(prop.get(k), dict)
        ]
        return any(free(p) for p in [*options, *nested])

    models = [schema, *schema.get("$defs", {}).values()]
    return {name for m in models for name, prop in m.get("properties", {}).items() if free(prop)}


@pytest.mark.parametrize("model", [QuestionnaireDef, InstrumentDef, DimensionsDef, RoundDef])
def test_every_free_text_field_of_the_schema_is_extracted_or_declared_untranslated(
    model: type[BaseModel],
) -> None:
    """A new text field (say ``entry_label``) is translated only once TEXT_KEYS has it."""
    fields = _free_text_fields(model.model_json_schema())
    assert fields - TEXT_KEYS - NOT_TRANSLATED == set()
    assert TEXT_KEYS <= _free_text_fields(QuestionnaireDef.model_json_schema()) | {"short_title"}


def test_extracts_every_kind_of_questionnaire_text_with_its_column() -> None:
    yaml = """\
id: q
title: Questionnaire
audience: party
intro: Read this first.
periods:
  reference: {label: Reference period, years: [2022]}
parts:
  - id: p
    title: Part one
    intro: About part one.
    sections:
      - id: s
        title: Section one
        intro: About section one.
        items:
          - id: bodies
            kind: group
            label: Co-ordinating bodies
            entry_label: Body
            guidance: One entry per body.
            items:
              - {id: body_name, kind: text, label: Name of the body}
          - id: kind
            kind: single_choice
            label: Kind
            options: [{code: a, label: Option A, specify: true}]
          - id: n
            kind: number
            label: Victims
            unit: persons
          - id: t
            kind: statistics_table
            label: Table
            period: {name: reference}
            column_groups:
              - {dimension: sex, label: By sex}
              - label: Measures
                columns: [{code: inv, label: Investigations}]
"""
    found = source_texts(yaml)
    by_text = {t.text: (t.line, t.column, t.key) for t in found}
    assert by_text["Reference period"] == (6, 22, "label")
    assert by_text["Body"] == (19, 26, "entry_label")
    for text in ["Questionnaire", "Read this first.", "Part one", "About part one."]:
        assert text in by_text
    for text in ["Section one", "About section one.", "Co-ordinating bodies"]:
        assert text in by_text
    for text in ["One entry per body.", "Name of the body", "Option A", "persons"]:
        assert text in by_text
    assert {"By sex", "Measures", "Investigations", "Table"} <= by_text.keys()
    assert "reference" not in by_text and "q" not in by_text
    # the schema accepts it, and every text it keeps under a TEXT_KEYS key was extracted
    definition = QuestionnaireDef.model_validate(YAML(typ="safe").load(yaml))
    assert _stored_texts(definition.model_dump()) == set(by_text)


def _stored_texts(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {
            text
            for k, v in value.items()
            for text in ({v} if k in TEXT_KEYS and isinstance(v, str) else _stored_texts(v))
        }
    if isinstance(value, list):
        return {text for v in value for text in _stored_texts(v)}
    return set()
