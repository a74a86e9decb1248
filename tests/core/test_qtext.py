"""``qtext``: a questionnaire text in the reader's language, or in English with a notice,
never a stale (fuzzy) translation."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask_babel import force_locale

from monitor.core.i18n import current_translation, qtext
from monitor.extensions import babel
from tests.conftest import make_app

NOTICE_FR = "Pas encore traduit\u00a0: affiché en anglais"


@pytest.fixture
def fr_app(tmp_path: Path) -> Iterator[Flask]:
    """An app whose only catalog is a small French one, compiled as ``pybabel compile``
    does (fuzzy entries left out).

    Flask-Babel caches loaded catalogs on the (process-wide) extension's domain, keyed by
    locale only, hence the cache is emptied before and after.
    """
    catalog = Catalog(locale="fr")
    catalog.add("Which law applies?", "Quelle loi s’applique ?")
    catalog.add("Police", "Police")  # the same in both languages: still a translation
    catalog.add("Give the *legal* basis.", "Indiquez la base *légale*.")
    catalog.add("Changed label", "Ancien libellé", flags=["fuzzy"])
    catalog.add("Never translated", "")
    catalog.add("Not yet translated: shown in English", NOTICE_FR)
    mo = tmp_path / "translations" / "fr" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    with mo.open("wb") as fileobj:
        write_mo(fileobj, catalog)
    app = make_app(tmp_path)
    app.extensions["babel"].translation_directories = [str(mo.parents[2])]
    with app.app_context():
        babel.domain_instance.cache.clear()
    yield app
    with app.app_context():
        babel.domain_instance.cache.clear()


def test_translated_text_has_no_notice(fr_app: Flask) -> None:
    with fr_app.test_request_context(), force_locale("fr"):
        assert qtext("Which law applies?") == "Quelle loi s’applique ?"
        assert qtext("Police") == "Police"
        assert str(qtext("Give the *legal* basis.", markdown=True)) == (
            "<p>Indiquez la base <em>légale</em>.</p>\n"
        )


@pytest.mark.parametrize("text", ["Changed label", "Never translated", "Not in the catalog"])
def test_outdated_empty_or_missing_text_is_english_with_a_notice(fr_app: Flask, text: str) -> None:
    with fr_app.test_request_context(), force_locale("fr"):
        assert current_translation(text) is None
        assert str(qtext(text)) == (
            f'<span lang="en">{text}</span> <span class="untranslated-notice">({NOTICE_FR})</span>'
        )
        assert str(qtext(text, notice=False)) == f'<span lang="en">{text}</span>'
        assert str(qtext(f"*{text}*", markdown=True)) == (
            f'<div lang="en"><p><em>{text}</em></p>\n</div>'
            f'<p class="untranslated-notice">{NOTICE_FR}</p>'
        )


def test_english_text_is_escaped_and_never_marked(fr_app: Flask) -> None:
    with fr_app.test_request_context(), force_locale("en"):
        assert str(qtext("Never <b>translated</b>")) == "Never &lt;b&gt;translated&lt;/b&gt;"
    with fr_app.test_request_context(), force_locale("fr"):
        assert "&lt;b&gt;" in str(qtext("Never <b>translated</b>"))


def test_texts_without_letters_and_empty_texts(fr_app: Flask) -> None:
    with fr_app.test_request_context(), force_locale("fr"):
        assert qtext("2019-2023") == "2019-2023"
        assert qtext(None) == "" and qtext("", markdown=True) == ""


def test_language_without_catalog_shows_english_with_notice(fr_app: Flask) -> None:
    with fr_app.test_request_context(), force_locale("ru"):
        assert 'lang="en"' in qtext("Police")
