"""The JSON Schemas for editors and the reference page docs/questionnaires.md cannot drift.

- ``monitor questionnaire schema --kind K`` prints exactly docs/schema/K.schema.json, a
  valid draft 2020-12 schema in which every key has a description, that accepts the shipped
  files and refuses what the models refuse.
- The generated parts of the page equal what the schema gives, every model has a table,
  every key of every model appears in an example, every YAML example loads through the real
  loader, and the mistaken examples print what the page shows.
- The README's editor settings match the repository's files.
"""

import json
import re
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from monitor.questionnaires import conditions, reference
from monitor.questionnaires.cli import questionnaire
from monitor.questionnaires.json_schema import KINDS, json_schema
from monitor.questionnaires.loader import (
    DefinitionError,
    detect_kind,
    load_dimensions_file,
    load_instrument_file,
    load_questionnaire_file,
    parse_yaml,
    read_yaml,
    validate_paths,
)
from monitor.questionnaires.schema import ITEM_KINDS, Deadlines
from tests.questionnaires.helpers import GOOD

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "questionnaires.md"
SCHEMAS = ROOT / "docs" / "schema"
SHIPPED = ROOT / "questionnaires"


# --- helpers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fence:
    """A fenced block of the page: its language, text and first line (1-based, in the page)."""

    lang: str
    text: str
    line: int
    name: str | None  # the file a YAML example names on its first line ("# a/b.yaml")


def fences(text: str) -> list[Fence]:
    found = []
    for m in re.finditer(r"^```(\w*)[^\n]*\n(.*?)^```", text, re.M | re.S):
        line = text.count("\n", 0, m.start(2)) + 1
        named = re.match(r"# ([\w./-]+\.yaml)\b", m[2])
        found.append(Fence(m[1], m[2], line, named[1] if named else None))
    return found


def page_fences() -> list[Fence]:
    return fences(PAGE.read_text(encoding="utf-8"))


def mistakes() -> set[str]:
    """Names of the YAML examples followed by the validator's output (expected to fail)."""
    return {m["name"] for m in reference.OUTPUT.finditer(PAGE.read_text(encoding="utf-8"))}


def plain(value: Any) -> Any:
    """Loader data as an editor's YAML 1.2 parser gives it to a JSON Schema: dates as text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def schema_errors(kind: str, data: Any) -> list[str]:
    validator = Draft202012Validator(
        json_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(plain(data))]


#: Wraps a list of items (an item example) into a questionnaire with one section.
WRAPPER = """\
id: doc_example
title: Example
audience: party
parts:
  - id: part
    title: Part
    sections:
      - id: section
        title: Section
        items:
"""


def wrapped(fence: Fence) -> str:
    return WRAPPER + textwrap.indent(fence.text, " " * 10)


# --- the schema command and the committed schemas ----------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_schema_command_prints_the_committed_schema(kind: str) -> None:
    result = CliRunner().invoke(questionnaire, ["schema", "--kind", kind])
    assert result.exit_code == 0, result.output
    committed = (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert result.output == committed, "run scripts/questionnaire-docs"


def test_schema_default_kind_is_questionnaire_and_output_writes_the_same(tmp_path: Path) -> None:
    printed = CliRunner().invoke(questionnaire, ["schema"]).output
    assert printed == (SCHEMAS / "questionnaire.schema.json").read_text(encoding="utf-8")
    target = tmp_path / "round.schema.json"
    result = CliRunner().invoke(questionnaire, ["schema", "--kind", "round", "--output", target])
    assert result.exit_code == 0 and result.output == ""
    assert target.read_text(encoding="utf-8") == (SCHEMAS / "round.schema.json").read_text(
        encoding="utf-8"
    )


def test_schema_unknown_kind_is_a_usage_error() -> None:
    result = CliRunner().invoke(questionnaire, ["schema", "--kind", "report"])
    assert result.exit_code == 2
    assert "questionnaire" in result.output and "sections" in result.output


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_draft_2020_12_with_identity_and_descriptions(kind: str) -> None:
    schema = json_schema(kind)  # what the models give now (the committed copy: above)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{kind}.schema.json"
    assert schema["title"].startswith("monitor ") and schema["description"]
    # every model and every key says what it is (the hover text in an editor)
    for name, node in {"(top level)": schema, **schema["$defs"]}.items():
        assert node.get("description"), f"{name} has no docstring"
        for key, prop in node.get("properties", {}).items():
            if key == "kind" and name != "(top level)":
                continue  # the item kind is the model's name; its docstring says it
            assert prop.get("description"), f"{name}.{key} has no docstring under the field"
    text = json.dumps(schema)
    assert ":mod:" not in text and '"title": "Id"' not in text


def shipped_files() -> list[Path]:
    return sorted({*SHIPPED.rglob("*.yaml"), *GOOD.rglob("*.yaml")})


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_schema_accepts_the_shipped_files(path: Path) -> None:
    data = read_yaml(path).data
    kind = detect_kind(data)
    assert kind in KINDS
    assert schema_errors(kind, data) == []


MUTATIONS = [
    ("unknown field", "label: Choose\n", "label: Choose\n            colour: red\n"),
    ("unknown item kind", "            kind: yes_no\n", "            kind: slider\n"),
    ("number where text is expected", 'title: "Q"', "title: 12"),
    ("boolean where text is expected", 'title: "Q"', "title: true"),
    ("id not lower case", "id: has_nrm", "id: Has_NRM"),
    ("missing label", "            label: Is there a referral mechanism?\n", ""),
    ("no options", "            options: [{code: a, label: A}]\n", "            options: []\n"),
    ("rule name", "rules: [{rule: parts_sum_to_total", "rules: [{rule: parts_add_up"),
    ("bad currency", "currencies: [EUR]", "currencies: [euro]"),
    ("bad period key", "reference: {label", "Reference: {label"),
]
BASE = """\
id: mutated
title: "Q"
audience: party
periods:
  reference: {label: "2023", years: [2023]}
parts:
  - id: part
    title: Part
    sections:
      - id: section
        title: Section
        items:
          - id: has_nrm
            kind: yes_no
            label: Is there a referral mechanism?
          - id: choice
            kind: single_choice
            label: Choose
            options: [{code: a, label: A}]
          - id: amount
            kind: money
            label: Amount
            currencies: [EUR]
          - id: table
            kind: statistics_table
            label: Table
            period: {name: reference}
            column_groups: [{columns: [{code: a, label: A}]}]
            rules: [{rule: parts_sum_to_total, group: sex}]
"""


def test_schema_and_models_agree_on_the_base_document() -> None:
    doc = parse_yaml(BASE)
    assert doc.problems == []
    assert schema_errors("questionnaire", doc.data) == []


@pytest.mark.parametrize("what, old, new", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_schema_refuses_what_the_models_refuse(
    tmp_path: Path, what: str, old: str, new: str
) -> None:
    assert BASE.count(old) == 1, what
    text = BASE.replace(old, new)
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError):
        load_questionnaire_file(path)
    assert schema_errors("questionnaire", parse_yaml(text).data), f"{what}: schema accepts it"


# --- the reference page ---------------------------------------------------------------------


def test_page_generated_parts_are_up_to_date() -> None:
    stale = [str(p.relative_to(ROOT)) for p in reference.stale(ROOT)]
    assert stale == [], "run scripts/questionnaire-docs"


def test_page_has_one_table_per_model() -> None:
    assert reference.missing(PAGE.read_text(encoding="utf-8")) == []


def test_page_block_names_a_model_or_fails() -> None:
    with pytest.raises(KeyError):
        reference.update("<!-- schema: NoSuchModel -->\n<!-- /schema -->")


def test_page_grammar_is_the_parser_docstring() -> None:
    grammar = reference.block(reference.GRAMMAR)
    assert "comparison := operand" in grammar
    for line in grammar.splitlines()[3:-1]:
        assert line.strip() in (conditions.__doc__ or "")


def test_page_states_the_id_and_code_patterns_of_the_schema() -> None:
    text = PAGE.read_text(encoding="utf-8")
    rules = text[text.index("## Ids, codes and text") : text.index("## Round files")]
    assert f"(`{reference.ID_PATTERN}`)" in rules
    assert f"(`{reference.CODE_PATTERN}`)" in rules


def test_page_states_the_deadline_defaults_of_the_model() -> None:
    text = PAGE.read_text(encoding="utf-8")
    prose = text[text.index("### Deadlines") : text.index("<!-- schema: Deadlines -->")]
    stated = [int(n) for n in re.findall(r"(\d+) months?", prose)]
    assert stated == list(Deadlines().model_dump().values())


def test_named_examples_load_together_as_a_round(tmp_path: Path) -> None:
    named = [f for f in page_fences() if f.lang == "yaml" and f.name and f.name not in mistakes()]
    assert {"example-round/round.yaml", "example-round/party.yaml"} <= {f.name for f in named}
    for fence in named:
        target = tmp_path / str(fence.name)
        assert not target.exists(), f"two examples named {fence.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(fence.text, encoding="utf-8")
    problems = validate_paths([tmp_path])
    assert [str(p).replace(str(tmp_path) + "/", "") for p in problems] == []
    for fence in named:  # an editor with the JSON Schema agrees
        data = read_yaml(tmp_path / str(fence.name)).data
        assert schema_errors(str(detect_kind(data)), data) == [], fence.name


def item_examples() -> list[Fence]:
    return [f for f in page_fences() if f.lang == "yaml" and f.name is None]


@pytest.fixture(scope="module")
def context() -> tuple[Any, Any]:
    """The shipped CETS No. 197 instrument and dimensions, as item examples cite them."""
    return (
        load_instrument_file(SHIPPED / "instruments" / "cets197.yaml"),
        load_dimensions_file(SHIPPED / "dimensions.yaml"),
    )


@pytest.mark.parametrize("fence", item_examples(), ids=lambda f: f"line {f.line}")
def test_item_example_loads(tmp_path: Path, fence: Fence, context: tuple[Any, Any]) -> None:
    data = parse_yaml(fence.text).data
    assert isinstance(data, list) and all(isinstance(i, dict) and "kind" in i for i in data), (
        f"docs/questionnaires.md:{fence.line}: a YAML example without a file name must be a "
        "list of items"
    )
    path = tmp_path / "example.yaml"
    path.write_text(wrapped(fence), encoding="utf-8")
    instrument, dimensions = context
    try:
        load_questionnaire_file(path, instrument=instrument, dimensions=dimensions)
    except DefinitionError as exc:  # pragma: no cover - the message is the point
        offset = fence.line - 1 - WRAPPER.count("\n")
        lines = [f"docs/questionnaires.md:{p.line + offset}: {p.message}" for p in exc.problems]
        pytest.fail("\n".join(lines))
    assert schema_errors("questionnaire", read_yaml(path).data) == []


def test_every_item_kind_has_an_example() -> None:
    kinds = {item["kind"] for f in item_examples() for item in parse_yaml(f.text).data}
    assert kinds == set(ITEM_KINDS)


COMMON_KEYS = set(reference.common_item_keys())


def _keys_used(data: Any, node: dict[str, Any], defs: dict[str, Any], owner: str) -> set[str]:
    """``model.key`` for every key ``data`` uses, walking it alongside its JSON Schema."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _keys_used(data, defs[name], defs, name)
    options = node.get("oneOf") or node.get("anyOf")
    if options:
        if "discriminator" in node and isinstance(data, dict):
            ref = node["discriminator"]["mapping"][data["kind"]]
            return _keys_used(data, {"$ref": ref}, defs, owner)
        wanted = {dict: "object", list: "array", str: "string"}.get(type(data))
        for option in options:
            target = defs[option["$ref"].rsplit("/", 1)[-1]] if "$ref" in option else option
            if target.get("type") == wanted:
                return _keys_used(data, option, defs, owner)
        return set()
    used: set[str] = set()
    if isinstance(data, dict) and "properties" in node:
        common = owner in reference.item_kinds().values()
        for key, value in data.items():
            used.add(f"{reference.COMMON if common and key in COMMON_KEYS else owner}.{key}")
            used |= _keys_used(value, node["properties"][key], defs, owner)
    elif isinstance(data, dict) and isinstance(node.get("additionalProperties"), dict):
        for value in data.values():
            used |= _keys_used(value, node["additionalProperties"], defs, owner)
    elif isinstance(data, list) and "items" in node:
        for value in data:
            used |= _keys_used(value, node["items"], defs, owner)
    return used


def test_every_key_of_every_model_has_an_example() -> None:
    used: set[str] = set()
    for fence in page_fences():
        if fence.lang != "yaml" or (fence.name in mistakes()):
            continue
        text = wrapped(fence) if fence.name is None else fence.text
        data = parse_yaml(text).data
        kind = str(detect_kind(data))
        schema = json_schema(kind)
        used |= _keys_used(data, schema, schema["$defs"], kind)
    items = set(reference.item_kinds().values())
    every = {f"{reference.COMMON}.{key}" for key in COMMON_KEYS} | {
        f"{name}.{key}"
        for name, node in reference.definitions().items()
        for key in node.get("properties", {})
        if name not in items or key not in COMMON_KEYS
    }
    assert sorted(every - used) == []


def test_mistaken_examples_print_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = list(reference.OUTPUT.finditer(PAGE.read_text(encoding="utf-8")))
    assert len(found) >= 2
    monkeypatch.chdir(tmp_path)
    for m in found:
        Path(m["name"]).parent.mkdir(parents=True, exist_ok=True)
        Path(m["name"]).write_text(m["yaml"], encoding="utf-8")
        result = CliRunner().invoke(questionnaire, ["validate", m["name"]])
        assert result.exit_code == 1
        shown = m["output"].splitlines()
        assert shown and result.output.splitlines()[:-1] == shown
        assert result.output.splitlines()[-1] == f"{len(shown)} problems found."


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = heading.strip().lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def test_page_links_resolve() -> None:
    text = PAGE.read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    anchors |= {_slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}
    for target in re.findall(r"\]\(#([^)]+)\)", text):
        assert target in anchors, f"#{target}"
    for target in re.findall(r"\]\((?!#|https?:)([^)]+)\)", text):
        assert (PAGE.parent / target).exists(), target


# --- the README -----------------------------------------------------------------------------


def _readme_settings() -> dict[str, list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [f for f in fences(readme) if f.lang == "json" and "yaml.schemas" in f.text]
    assert len(blocks) == 1
    settings: dict[str, dict[str, list[str]]] = json.loads(blocks[0].text)
    return settings["yaml.schemas"]


def _glob(pattern: str) -> re.Pattern[str]:
    out = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*")
    return re.compile(out + r"\Z")


def test_readme_vscode_settings_give_each_shipped_file_its_kind() -> None:
    schemas = _readme_settings()
    assert {Path(s).name for s in schemas} == {f"{k}.schema.json" for k in KINDS}
    for schema in schemas:
        assert (ROOT / schema).is_file(), schema
    for path in sorted({*SHIPPED.rglob("*.yaml"), *SHIPPED.rglob("*.yml")}):
        relative = path.relative_to(ROOT).as_posix()
        matched = [
            s for s, globs in schemas.items() if any(_glob(g).match(relative) for g in globs)
        ]
        kind = detect_kind(read_yaml(path).data)
        assert matched == [f"docs/schema/{kind}.schema.json"], relative


def test_readme_modeline_path_resolves() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    modelines = re.findall(r"# yaml-language-server: \$schema=(\S+)", readme)
    assert modelines
    for target in modelines:  # written for a file in questionnaires/<round>/
        assert (SHIPPED / "greta-round3" / target).resolve().is_file(), target
