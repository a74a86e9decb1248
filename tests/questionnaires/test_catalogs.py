"""``monitor questionnaire validate --catalogs``: each questionnaire text without a current
translation, reported as ``path:line:column: message``."""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from click.testing import CliRunner

from monitor.questionnaires.babel_extract import source_texts
from monitor.questionnaires.catalogs import catalog_problems
from monitor.questionnaires.cli import questionnaire
from tests.questionnaires.helpers import GOOD, where

FUZZY, EMPTY, ABSENT = "Which scheme applies?", "No scheme", "Not applicable"


def _catalogs(tmp_path: Path, skip: frozenset[str] = frozenset({FUZZY, EMPTY, ABSENT})) -> Path:
    """translations/fr with every text of the good fixture translated except: FUZZY is
    fuzzy, EMPTY has an empty msgstr, ABSENT is not in the catalog (if in ``skip``)."""
    catalog = Catalog(locale="fr")
    for path in sorted(GOOD.rglob("*.yaml")):
        for text in source_texts(path.read_text(encoding="utf-8")):
            if text.text == ABSENT and ABSENT in skip:
                continue
            string = "" if text.text == EMPTY and EMPTY in skip else f"FR {text.text}"
            fuzzy = text.text == FUZZY and FUZZY in skip
            catalog.add(text.text, string, flags=["fuzzy"] if fuzzy else [])
    po = tmp_path / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as fileobj:
        write_po(fileobj, catalog)
    return tmp_path / "translations"


def test_each_text_without_current_translation_is_located(tmp_path: Path) -> None:
    translations = _catalogs(tmp_path)
    result = CliRunner().invoke(
        questionnaire, ["validate", "--catalogs", str(translations), str(GOOD)]
    )
    assert result.exit_code == 1
    po = translations / "fr" / "LC_MESSAGES" / "messages.po"
    party = GOOD / "party.yaml"
    assert result.output.splitlines() == [
        f"{where(party, FUZZY)}: label {FUZZY!r} has an outdated (fuzzy) French translation "
        f"in {po}",
        f"{where(party, EMPTY)}: label {EMPTY!r} has no French translation in {po}",
        f"{where(party, ABSENT)}: label {ABSENT!r} is not in the French catalog {po} (run "
        "`monitor translations status --update`, then translate it)",
        "3 problems found.",
    ]


def test_complete_catalog_no_problems(tmp_path: Path) -> None:
    translations = _catalogs(tmp_path, skip=frozenset())
    result = CliRunner().invoke(
        questionnaire, ["validate", "--catalogs", str(translations), str(GOOD)]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "No problems found.\n"


def test_a_round_file_brings_the_files_it_names(tmp_path: Path) -> None:
    problems = catalog_problems([GOOD / "round.yaml"], _catalogs(tmp_path))
    assert {Path(p.path).name for p in problems} == {"party.yaml"}
    assert len(problems) == 3


def test_without_catalogs_the_folder_is_the_problem(tmp_path: Path) -> None:
    problems = catalog_problems([GOOD], tmp_path)
    assert [p.message for p in problems] == [
        f"no catalog found ({tmp_path}/<lang>/LC_MESSAGES/messages.po)"
    ]


def test_project_questionnaires_are_translated() -> None:
    root = Path(__file__).resolve().parents[2]
    result = CliRunner().invoke(
        questionnaire,
        ["validate", "--catalogs", str(root / "translations"), str(root / "questionnaires")],
    )
    assert result.exit_code == 0, result.output
