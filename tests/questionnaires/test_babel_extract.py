"""The Babel extractor for questionnaire YAML and the project's babel.cfg."""

import io
import subprocess
import sys
from pathlib import Path

from monitor.questionnaires.babel_extract import extract_yaml
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
