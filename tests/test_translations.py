"""The French and Russian catalogs: complete, not stale, and used by the pages.

A catalog entry counts as translated only if it is not fuzzy and every msgstr (every
plural form: French has three in Babel 2.19, the third being the ordinary plural; Russian
has three: 1 / 2-4 / 5+) is filled. ``pybabel compile`` accepts an empty plural form
silently and the page then shows English, hence these checks next to CI's
``msgfmt --check``. Re-extract and update with ``monitor translations status --update``
(or ``scripts/translations-status --update``).
"""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, ngettext

from monitor.core.translations import extract, write_template
from monitor.questionnaires.babel_extract import TEXT_KEYS
from monitor.questionnaires.loader import load_round_file

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("fr", "ru")
#: ``pybabel extract`` arguments equivalent to monitor.core.translations.extract().
EXTRACT_ARGS = ["-F", "babel.cfg", "-k", "_l", "-k", "lazy_ngettext:1,2"]
EXTRACT_ARGS += ["--add-comments=TRANSLATORS:"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
ROUNDS = sorted((ROOT / "questionnaires").glob("*/round.yaml"))


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale)


def _ids(catalog: Catalog) -> set[Any]:
    """The msgids (a tuple for a plural entry) with their context, header excluded."""
    return {(m.context, m.id) for m in catalog if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete(locale: str) -> None:
    po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    assert po.is_file(), f"no {locale} catalog; run pybabel init (see module docstring)"
    catalog = _read(po, locale)
    assert catalog.num_plurals == 3
    assert _ids(catalog) == _ids(_read(POT)), f"{po} is not updated from the .pot"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.id, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            problems.append(f"{len(strings)} plural forms: {message.id!r}")
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        for s in strings:
            if s and set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(source)):
                problems.append(f"placeholders differ: {message.id!r} -> {s!r}")
    assert not problems, f"{len(problems)} problems in {po}:\n" + "\n".join(problems[:30])


def test_pot_is_not_stale() -> None:
    """A fresh extraction gives the same messages as the committed .pot."""
    committed, extracted = _ids(_read(POT)), _ids(extract(ROOT))
    missing = sorted(str(i) for i in extracted - committed)
    gone = sorted(str(i) for i in committed - extracted)
    assert not missing and not gone, (
        "translations/messages.pot is stale: run monitor translations status --update and "
        f"translate.\nnew: {missing[:20]}\nno longer used: {gone[:20]}"
    )


def test_extraction_is_pybabels(tmp_path: Path) -> None:
    """``monitor translations status --update`` writes what ``pybabel extract`` would."""
    (tmp_path / "cli").mkdir()
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract"]
    command += [*EXTRACT_ARGS, "-o", str(tmp_path / "cli" / "messages.pot"), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    ours = write_template(extract(ROOT), tmp_path)

    def text(path: Path) -> str:
        return re.sub(r'"POT-Creation-Date: [^"]*"', "", path.read_text(encoding="utf-8"))

    assert text(ours) == text(tmp_path / "cli" / "messages.pot")


def _texts(value: Any) -> set[str]:
    """Every text under a TEXT_KEYS key of a model_dump()ed definition."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, child in value.items():
            if key in TEXT_KEYS and isinstance(child, str):
                found.add(child)
            else:
                found |= _texts(child)
    elif isinstance(value, list):
        for child in value:
            found |= _texts(child)
    return found


@pytest.mark.skipif(not ROUNDS, reason="no round file under questionnaires/")
@pytest.mark.parametrize("round_file", ROUNDS, ids=lambda p: p.parent.name)
def test_every_questionnaire_text_the_pages_show_is_a_catalog_message(round_file: Path) -> None:
    """The pages call gettext on the loaded (stored) texts; each must be a msgid exactly
    (a folded YAML scalar once kept ruamel's BEL fold marks in the .pot only)."""
    loaded = load_round_file(round_file)
    texts = _texts(loaded.instrument.model_dump())
    for party in [None, *(p.code for p in loaded.round.parties)]:
        for audience in loaded.questionnaires:
            if party is None or audience == "party":
                texts |= _texts(loaded.questionnaire_for(audience, party).model_dump())
    ids = {m.id for m in _read(POT) if m.id and isinstance(m.id, str)}
    assert texts and not sorted(texts - ids)


@pytest.mark.parametrize(
    ("lang", "expected", "english"),
    [
        ("fr", ["Se connecter", "Adresse électronique", "Mot de passe"], "Password"),
        ("ru", ["Войти", "Адрес электронной почты", "Пароль"], "Password"),
    ],
)
def test_login_page_is_translated(
    client: FlaskClient, lang: str, expected: list[str], english: str
) -> None:
    response = client.get(f"/login?lang={lang}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'lang="{lang}"' in page
    for text in expected:
        assert text in page
    assert english not in page


def test_russian_plural_forms(app: Flask) -> None:
    """Russian: one (1, 21), few (2-4), many (5-20); a catalog message used on the dashboard."""
    with app.test_request_context(), force_locale("ru"):
        said = {
            n: ngettext("%(num)d NGO submission", "%(num)d NGO submissions", n)
            for n in (1, 2, 5, 11, 21, 22)
        }
    assert said == {
        1: "1 представление НПО",
        2: "2 представления НПО",
        5: "5 представлений НПО",
        11: "11 представлений НПО",
        21: "21 представление НПО",
        22: "22 представления НПО",
    }


def test_french_plural_forms(app: Flask) -> None:
    """French under Babel 2.19: 0 and 1 singular, millions "many", the rest plural."""
    with app.test_request_context(), force_locale("fr"):
        said = {
            n: ngettext("%(num)d NGO submission", "%(num)d NGO submissions", n)
            for n in (0, 1, 3, 1000000)
        }
    assert said == {
        0: "0 contribution d’ONG",
        1: "1 contribution d’ONG",
        3: "3 contributions d’ONG",
        1000000: "1000000 de contributions d’ONG",
    }
