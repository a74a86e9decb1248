"""Fuzzing the loader: random and mutated YAML gives a definition or located problems,
never another exception (hypothesis)."""

import copy
import io
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from monitor.questionnaires.loader import (
    DefinitionError,
    QuestionnaireDef,
    load_questionnaire_file,
    read_yaml,
    validate_paths,
)
from tests.questionnaires.fuzzing import fuzz_settings
from tests.questionnaires.helpers import GOOD

GOOD_TEXT = (GOOD / "party.yaml").read_text(encoding="utf-8")
GOOD_DATA = read_yaml(GOOD / "party.yaml").data

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.dates(min_value=date(1900, 1, 1)),
    st.sampled_from(["NO", "yes", "off", "1.10", "012", "slider", "statistics_table"]),
)


def check(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        # one level down: validate_paths also reads the YAML files of the parent folder
        # (looking for a round), which for a folder made directly in /tmp is all of /tmp
        (Path(folder) / "q").mkdir()
        path = Path(folder) / "q" / "q.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            result = load_questionnaire_file(path)
        except DefinitionError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.path == str(path)
                assert problem.line >= 1 and problem.column >= 1
                assert str(problem).startswith(f"{path}:{problem.line}:{problem.column}: ")
        else:
            assert isinstance(result, QuestionnaireDef)
        for problem in validate_paths([path]):
            assert problem.line >= 1


def paths_of(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_of(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_of(value, (*prefix, index))
    return found


ALL_PATHS = paths_of(GOOD_DATA)


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    data = copy.deepcopy(GOOD_DATA)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(ALL_PATHS[1:]))
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(st.one_of(scalars, st.lists(scalars, max_size=2)))
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.sampled_from(["kind", "lable", "id", "options"]))] = draw(scalars)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, stream)
    return stream.getvalue()


@st.composite
def line_edits(draw: st.DrawFn) -> str:
    lines = GOOD_TEXT.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "insert", "indent"]))
        if edit == "delete":
            del lines[index]
        elif edit == "duplicate":
            lines.insert(index, lines[index])
        elif edit == "indent":
            lines[index] = draw(st.sampled_from([" ", "\t", "  - "])) + lines[index]
        else:
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.text(max_size=4)) + line[at:]
    return "\n".join(lines) + "\n"


FUZZ = fuzz_settings(80)


@FUZZ
@given(mutated_documents())
def test_mutated_documents(text: str) -> None:
    check(text)


@FUZZ
@given(line_edits())
def test_line_edits(text: str) -> None:
    check(text)


@FUZZ
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    check(text)


def test_unmutated_fixture_loads() -> None:
    check(GOOD_TEXT)
    assert isinstance(load_questionnaire_file(GOOD / "party.yaml"), QuestionnaireDef)


def test_explicit_empty_key_is_a_located_problem(tmp_path):
    """Found by hypothesis: a document of only ``?`` (an explicit null key)."""
    from monitor.questionnaires.loader import validate_paths

    path = tmp_path / "q.yaml"
    path.write_text("?")
    problems = validate_paths([str(path)])
    assert problems and all(p.line >= 1 for p in problems)
