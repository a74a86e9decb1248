"""``monitor translations status``: counts per language and origin, and ``--update`` marking
a changed English text outdated (fuzzy, with its previous English) in French and Russian."""

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.support import Translations
from click.testing import CliRunner

from monitor.cli import main
from monitor.config import PROJECT_ROOT
from monitor.core.cli import translations_group
from monitor.core.translations import read_catalog
from monitor.questionnaires.cli import questionnaire

ROOT = Path(__file__).resolve().parents[2]
PARTY = Path("questionnaires/greta-round3/party.yaml")
OLD = "At what stage are victims first informed of their rights, as a rule?"
NEW = "At what stage are victims first informed of their rights, as a general rule?"


def _line_of(text: str) -> int:
    """The 1-based line of the label ``text`` in the shipped party.yaml (items move)."""
    lines = (PROJECT_ROOT / PARTY).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.endswith(f"label: {text}"))


LINE = _line_of(OLD)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what extraction reads (babel.cfg and the sources it maps) and of the
    catalogs, with one English label of the Party questionnaire reworded."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "babel.cfg", root)
    for folder in ("monitor", "reports", "questionnaires", "translations"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    party = root / PARTY
    text = party.read_text(encoding="utf-8")
    assert text.count(f"label: {OLD}\n") == 1
    party.write_text(text.replace(f"label: {OLD}\n", f"label: {NEW}\n"), encoding="utf-8")
    return root


def _counts(output: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(language, origin) -> (translated, missing, outdated) from the status table."""
    rows = re.findall(r"^(\w+) +(\w+) +(\d+) +(\d+) +(\d+)$", output, re.MULTILINE)
    return {(lang, origin): (int(t), int(m), int(o)) for lang, origin, t, m, o in rows}


def _status(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(translations_group, ["status", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_committed_catalogs_are_complete() -> None:
    """Through the ``monitor`` command, as run from the project."""
    result = CliRunner().invoke(main, ["translations", "status"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("messages.pot is up to date: ")
    counts = _counts(result.output)
    for lang in ("fr", "ru"):
        for origin in ("interface", "questionnaires", "all"):
            assert counts[lang, origin][1:] == (0, 0)
        total = counts[lang, "all"][0]
        assert total == counts[lang, "interface"][0] + counts[lang, "questionnaires"][0]
        assert counts[lang, "questionnaires"][0] > 300


def test_changed_english_is_missing_until_update_then_outdated_in_fr_and_ru(
    project: Path,
) -> None:
    before = _counts(CliRunner().invoke(main, ["translations", "status"]).output)

    # Before --update: the sources have a text no catalog has (missing), the .pot is stale.
    code, output = _status("--root", str(project), "--list")
    assert code == 1
    assert "messages.pot is STALE" in output and "1 new, 1 no longer used" in output
    counts = _counts(output)
    for lang in ("fr", "ru"):
        assert counts[lang, "questionnaires"][1:] == (1, 0)
        assert counts[lang, "interface"] == before[lang, "interface"]
        assert f"{lang} missing {PARTY}:{LINE}: {NEW!r}" in output

    # --update: re-extracted, merged; the changed text is fuzzy (outdated), not missing.
    code, output = _status("--root", str(project), "--update", "--list")
    assert code == 1
    assert output.startswith("messages.pot is up to date")
    counts = _counts(output)
    for lang in ("fr", "ru"):
        translated = before[lang, "questionnaires"][0] - 1
        assert counts[lang, "questionnaires"] == (translated, 0, 1)
        assert counts[lang, "interface"] == before[lang, "interface"]
        assert f"{lang} outdated {PARTY}:{LINE}: {NEW!r} (was {OLD!r})" in output

        po = project / "translations" / lang / "LC_MESSAGES" / "messages.po"
        entry = read_catalog(po, lang)[NEW]
        assert entry is not None and entry.fuzzy and entry.previous_id == [OLD]
        assert entry.string  # the old translation, kept for the translator
        assert f'#| msgid "{OLD}"' in po.read_text(encoding="utf-8")

        # A compiled catalog leaves the fuzzy entry out: the page falls back to English.
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fileobj:
            write_mo(fileobj, read_catalog(po, lang))
        with mo.open("rb") as fileobj:
            compiled = Translations(fileobj)
        assert compiled.gettext(NEW) == NEW
        assert compiled.gettext("Compensation") != "Compensation"

    # A second update changes nothing: Babel alone would turn "#| msgid" into a comment.
    fr = project / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    first = fr.read_text(encoding="utf-8")
    assert _status("--root", str(project), "--update")[0] == 1
    assert fr.read_text(encoding="utf-8") == first

    # The loader check names the text at its position, per language.
    result = CliRunner().invoke(
        questionnaire,
        ["validate", "--catalogs", str(project / "translations"), str(project / PARTY.parent)],
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "2 problems found."
    assert lines[0] == (
        f"{project / PARTY}:{LINE}:20: label {NEW!r} has an outdated (fuzzy) French translation "
        f"in {project / 'translations/fr/LC_MESSAGES/messages.po'}"
    )
    assert "Russian translation" in lines[1]


def test_translated_again_is_complete(project: Path) -> None:
    """Once the translator has reviewed the entry (fuzzy flag off), the status is clean
    again and the catalog drops the previous English on the next update."""
    _status("--root", str(project), "--update")
    for lang in ("fr", "ru"):
        po = project / "translations" / lang / "LC_MESSAGES" / "messages.po"
        text = po.read_text(encoding="utf-8")
        assert text.count(f'#, fuzzy\n#| msgid "{OLD}"\n') == 1
        po.write_text(text.replace(f'#, fuzzy\n#| msgid "{OLD}"\n', ""), encoding="utf-8")
    code, output = _status("--root", str(project), "--update")
    assert code == 0, output
    assert "#| msgid" not in (project / "translations/fr/LC_MESSAGES/messages.po").read_text(
        encoding="utf-8"
    )


def test_missing_and_untranslated_plural_count_as_missing(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "app").mkdir(parents=True)
    (root / "babel.cfg").write_text("[python: app/**.py]\n", encoding="utf-8")
    (root / "app" / "x.py").write_text(
        '_("One")\n_("Two")\nngettext("%(num)d file", "%(num)d files", n)\n', encoding="utf-8"
    )
    po = root / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: fr\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgid "One"\nmsgstr "Un"\n\n'
        'msgid "%(num)d file"\nmsgid_plural "%(num)d files"\n'
        'msgstr[0] "%(num)d fichier"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    code, output = _status("--root", str(root), "--list")
    assert code == 1
    assert _counts(output)["fr", "interface"] == (1, 2, 0)
    assert _counts(output)["fr", "questionnaires"] == (0, 0, 0)
    assert "fr missing app/x.py:2: 'Two'" in output
    assert "fr missing app/x.py:3: '%(num)d file'" in output


def test_changed_twice_before_review_keeps_the_english_it_was_translated_from(
    project: Path,
) -> None:
    _status("--root", str(project), "--update")
    newer = NEW.replace("general rule", "general rule today")
    party = project / PARTY
    party.write_text(party.read_text(encoding="utf-8").replace(NEW, newer), encoding="utf-8")
    code, output = _status("--root", str(project), "--update", "--list")
    assert code == 1
    assert f"fr outdated {PARTY}:{LINE}: {newer!r} (was {OLD!r})" in output
    po = project / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    entry = read_catalog(po, "fr")[newer]
    assert entry is not None and entry.fuzzy and entry.previous_id == [OLD]
