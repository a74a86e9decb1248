"""Mutated copies of the real definitions in ``questionnaires/`` (round, Party and NGO
questionnaires, Part II, instrument, dimensions): whatever the mutation, the public API
gives a definition or located problems, never another exception (issue 3, "Bad input").

Each example copies the tree into a temporary folder, mutates one file - at text level
(lines deleted, duplicated, swapped, re-indented; ``NO``, dates, ``?``, anchors and
aliases, tabs, odd Unicode inserted; the file cut short) or at data level (keys dropped,
values of another type, unknown keys, duplicate ids, bogus or cyclic ``show_if``, files
of the wrong kind) - and loads it through one public entry point.
"""

import copy
import io
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from monitor.questionnaires.loader import (
    DefinitionError,
    LoadedRound,
    load_dimensions_file,
    load_instrument_file,
    load_questionnaire_file,
    load_round_file,
    read_yaml,
    validate_paths,
)
from tests.questionnaires.fuzzing import assert_located, fuzz_settings

SOURCE = Path(__file__).resolve().parents[2] / "questionnaires"
#: The real files, by a short name, relative to the questionnaires/ folder.
FILES = {
    "round": "greta-round3/round.yaml",
    "party": "greta-round3/party.yaml",
    "ngo": "greta-round3/ngo.yaml",
    "part2_am": "greta-round3/part2/AM.yaml",
    "part2_ua": "greta-round3/part2/UA.yaml",
    "instrument": "instruments/cets197.yaml",
    "dimensions": "dimensions.yaml",
}
TEXTS = {name: (SOURCE / rel).read_text(encoding="utf-8") for name, rel in FILES.items()}
DATA = {name: read_yaml(SOURCE / rel).data for name, rel in FILES.items()}
INSTRUMENT = load_instrument_file(SOURCE / FILES["instrument"])
DIMENSIONS = load_dimensions_file(SOURCE / FILES["dimensions"])

#: Text inserted into a line: YAML 1.1 booleans, dates (also impossible ones), numbers
#: that look like versions, explicit keys, anchors and aliases, merge keys, tags, tabs,
#: flow and block indicators, directives, a BOM, Unicode line and paragraph separators,
#: NEL, control characters, astral characters.
INSERTS = [
    "NO", "yes", "off", "~", "null", "2025-03-31", "2025-13-45", "2025-02-30T25:61:00",
    "1.10", "012", "0x1F", "0o17", "1e400", "-.inf", ".nan", "?", "? ", "&a ", "*a", "*b",
    "<<: *a", "!!str ", "!!binary ", "!!set ", "!custom ", "!<tag:x> ", "\t", "- ", ": ",
    " #", "'", '"', "{", "}", "[", "]", ",", "|", ">-", "%YAML 1.1\n---\n", "---\n",
    "...\n", "\ufeff", "\u2028", "\u2029", "\x85", "\x00", "\x07", "é", "ß", "💥", "\\",
    "kind: slider", "show_if: x = 'yes'", "id: info_note",
]  # fmt: skip


@st.composite
def text_mutations(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, mutated text)."""
    name = draw(st.sampled_from(sorted(FILES)))
    lines = TEXTS[name].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [""]
        i = draw(st.integers(0, len(lines) - 1))
        edit = draw(
            st.sampled_from(
                ["delete", "duplicate", "swap", "indent", "dedent", "insert", "value", "unicode"]
            )
        )
        if edit == "delete":
            del lines[i]
        elif edit == "duplicate":
            lines.insert(i, lines[i])
        elif edit == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif edit == "indent":
            lines[i] = draw(st.sampled_from([" ", "  ", "\t", "  - ", "? "])) + lines[i]
        elif edit == "dedent":
            lines[i] = lines[i][draw(st.integers(1, 4)) :]
        elif edit == "value" and ": " in lines[i]:
            key = lines[i].split(": ", 1)[0]
            lines[i] = f"{key}: {draw(st.sampled_from(INSERTS))}"
        else:
            at = draw(st.integers(0, len(lines[i])))
            piece = draw(
                st.sampled_from(INSERTS) if edit == "insert" else st.text(min_size=1, max_size=3)
            )
            lines[i] = lines[i][:at] + piece + lines[i][at:]
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return name, text


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _has_id(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value


PATHS = {name: _paths(data)[1:] for name, data in DATA.items()}
#: Paths of mappings with an ``id`` (sections, items) and with a ``kind`` (items).
WITH_ID = {n: [p for p in PATHS[n] if _has_id(_at(DATA[n], p))] for n in FILES}
ITEMS = {n: [p for p in WITH_ID[n] if "kind" in _at(DATA[n], p)] for n in FILES}
ALL_IDS = sorted({_at(DATA[n], p)["id"] for n in FILES for p in WITH_ID[n]})

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.text(max_size=12),
    st.dates(),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.sampled_from(["NO", "1.10", "slider", "statistics_table", "", " ", "a" * 90]),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["id", "kind", "label", "x"]), scalars, max_size=2),
)
#: Pieces of show_if expressions: item ids (real and unknown), literals, operators.
condition_tokens = st.one_of(
    st.sampled_from(ALL_IDS[:40]),
    st.sampled_from(
        ["and", "or", "not", "in", "=", "!=", "<", ">=", "(", ")", "[", "]", ",", "'yes'",
         "'partly'", '"x"', "0", "-1.5", "nobody", "'", "==", "!", "$", "1e3"]
    ),
)  # fmt: skip
bogus_conditions = st.one_of(
    st.lists(condition_tokens, max_size=8).map(" ".join),
    st.text(max_size=20),
)


def _cycle(ids: list[str]) -> list[str]:
    """show_if texts making ``ids`` depend on each other in a ring."""
    return [f"{ids[(n + 1) % len(ids)]} = 'yes'" for n in range(len(ids))]


@st.composite
def data_mutations(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, YAML text of the mutated data)."""
    name = draw(st.sampled_from(sorted(FILES)))
    data = copy.deepcopy(DATA[name])
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(
            st.sampled_from(
                ["drop", "replace", "unknown", "duplicate_id", "show_if", "cycle", "file"]
            )
        )
        try:
            if edit in ("drop", "replace", "unknown"):
                path = draw(st.sampled_from(PATHS[name]))
                parent = _at(data, path[:-1])
                if edit == "drop":
                    del parent[path[-1]]
                elif edit == "replace":
                    parent[path[-1]] = draw(values)
                elif isinstance(parent, dict):
                    key = draw(st.sampled_from(["lable", "optoins", "kind", "id", "colour", 3]))
                    parent[key] = draw(values)
            elif edit == "duplicate_id" and WITH_ID[name]:
                target = _at(data, draw(st.sampled_from(WITH_ID[name])))
                target["id"] = draw(st.sampled_from(ALL_IDS))
            elif edit == "show_if" and ITEMS[name]:
                item = _at(data, draw(st.sampled_from(ITEMS[name])))
                item["show_if"] = draw(st.one_of(bogus_conditions, values))
            elif edit == "cycle" and len(ITEMS[name]) >= 2:
                ring = draw(st.lists(st.sampled_from(ITEMS[name]), min_size=1, max_size=3))
                items = [_at(data, p) for p in ring]
                for item, text in zip(items, _cycle([i["id"] for i in items]), strict=True):
                    item["show_if"] = text
            elif edit == "file" and name == "round":
                slot = draw(st.sampled_from(["instrument", "dimensions", "party", "ngo", "AM"]))
                wrong = draw(
                    st.sampled_from(
                        ["missing.yaml", "party.yaml", "ngo.yaml", "round.yaml", "part2",
                         "../dimensions.yaml", "../instruments/cets197.yaml", "part2/UA.yaml"]
                    )
                )  # fmt: skip
                if slot in ("party", "ngo"):
                    data["questionnaires"][slot] = wrong
                elif slot == "AM":
                    data["country_specific"]["AM"] = wrong
                else:
                    data[slot] = wrong
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or retyped this path
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, stream)
    return name, stream.getvalue()


def _outcome(call: Callable[[], Any]) -> Any:
    """The result of ``call``, or its DefinitionError's located problems."""
    try:
        return call()
    except DefinitionError as exc:
        assert exc.problems
        assert_located(exc.problems)
        return exc.problems


ENTRY_POINTS = ["round", "validate_file", "validate_tree", "questionnaire", "single"]


def check_mutated(name: str, text: str, entry: str) -> None:
    """Write ``text`` over file ``name`` in a copy of questionnaires/ and load the copy
    through ``entry``: a definition or located problems, nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        # one level down: the validator also reads the YAML files of the parent folder
        tree = Path(tmp) / "questionnaires"
        shutil.copytree(SOURCE, tree)
        target = tree / FILES[name]
        target.write_text(text, encoding="utf-8")
        round_path = tree / FILES["round"]
        if entry == "round":
            loaded = _outcome(lambda: load_round_file(round_path))
            if isinstance(loaded, LoadedRound):
                for party in loaded.round.parties:
                    assert loaded.questionnaire_for("party", party.code).audience == "party"
                if "ngo" in loaded.questionnaires:
                    loaded.questionnaire_for("ngo")
        elif entry in ("validate_file", "validate_tree"):
            problems = validate_paths([target if entry == "validate_file" else tree])
            assert_located(problems)
        elif entry == "questionnaire":
            _outcome(lambda: load_questionnaire_file(target, INSTRUMENT, DIMENSIONS))
        elif name == "dimensions":
            _outcome(lambda: load_dimensions_file(target))
        else:
            _outcome(lambda: load_instrument_file(target))


@fuzz_settings(25)
@given(text_mutations(), st.sampled_from(ENTRY_POINTS))
def test_text_mutations_of_real_files(mutation: tuple[str, str], entry: str) -> None:
    check_mutated(*mutation, entry)


@fuzz_settings(25)
@given(data_mutations(), st.sampled_from(ENTRY_POINTS))
def test_data_mutations_of_real_files(mutation: tuple[str, str], entry: str) -> None:
    check_mutated(*mutation, entry)


def test_unmutated_tree_loads() -> None:
    """The starting point is valid, so mutations are measured against a clean tree."""
    for entry in ENTRY_POINTS:
        check_mutated("party", TEXTS["party"], entry)
    assert validate_paths([SOURCE]) == []


def test_dumped_data_of_real_files_is_valid() -> None:
    """Data mutations start from the files dumped without change: those must load."""
    for name in FILES:
        stream = io.StringIO()
        YAML(typ="safe", pure=True).dump(DATA[name], stream)
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "questionnaires"
            shutil.copytree(SOURCE, tree)
            (tree / FILES[name]).write_text(stream.getvalue(), encoding="utf-8")
            assert validate_paths([tree]) == [], name


def test_dates_stay_dates_when_dumped() -> None:
    """The round's unquoted dates survive the dump used by data mutations."""
    parties = DATA["round"]["parties"]
    assert all(isinstance(p["questionnaire_sent"], date) for p in parties)


def test_control_character_is_located(tmp_path: Path) -> None:
    """Found by fuzzing: a character YAML forbids gave a problem at 1:1 whose message ran
    over two lines ('... not allowed\\n  in "<unicode string>", position 412')."""
    tree = tmp_path / "questionnaires"
    shutil.copytree(SOURCE, tree)
    path = tree / FILES["dimensions"]
    path.write_text(TEXTS["dimensions"].replace("label: Sex", "label: S\x1fex"), "utf-8")
    line = TEXTS["dimensions"].splitlines().index("    label: Sex") + 1
    assert [str(p) for p in validate_paths([path])] == [
        f"{path}:{line}:13: YAML syntax error: unacceptable character #x001f: special "
        "characters are not allowed"
    ]


def test_line_breaks_in_cited_text_are_escaped(tmp_path: Path) -> None:
    """A quoted key with a line break in it is cited on one line (one problem a line)."""
    tree = tmp_path / "questionnaires"
    shutil.copytree(SOURCE, tree)
    path = tree / FILES["ngo"]
    text = TEXTS["ngo"].replace("    title: ", '    "tit\\nle": x\n    title: ', 1)
    path.write_text(text, "utf-8")
    (problem,) = validate_paths([path])
    assert_located([problem])
    assert problem.message == "parts[0].tit\\nle: unknown field 'tit\\nle'; did you mean 'title'?"
