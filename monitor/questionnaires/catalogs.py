"""Checking questionnaire texts against the translation catalogs (``monitor questionnaire
validate --catalogs translations/``).

Every text the Babel extractor pulls from a YAML file (:mod:`.babel_extract`) must have a
current translation in each language's ``<lang>/LC_MESSAGES/messages.po``; otherwise
respondents in that language read it in English. Kept apart from the loader, which
needs no catalogs; like the loader, this module uses no Flask (Babel reads the .po files).
"""

import os
from collections.abc import Iterable
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from ruamel.yaml.error import YAMLError

from monitor.core.translations import catalog_paths, message_state, read_catalog
from monitor.questionnaires.babel_extract import source_texts

# The loader's own file discovery, so that --catalogs checks the files validate checks.
from monitor.questionnaires.loader import Problem, _expand, _Loader, detect_kind

#: Longer texts (guidance) are shortened to this many characters in messages.
SHOWN = 80


def _language(code: str) -> str:
    try:
        return str(Locale.parse(code).english_name)
    except (ValueError, UnknownLocaleError):
        return code


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The YAML files of ``paths`` (directories searched) and the files that the round
    files among them name (instrument, dimensions, questionnaires, Part II files)."""
    loader = _Loader()
    files = list(dict.fromkeys(_expand(paths)))
    for path in list(files):
        if detect_kind(loader.doc(path).data) == "round":
            files += sorted(p for p in loader.referenced(path) if os.path.isfile(p))
    return list(dict.fromkeys(files))


def catalog_problems(
    paths: Iterable[str | os.PathLike[str]], translations: str | os.PathLike[str]
) -> list[Problem]:
    """One problem per questionnaire text and language without a current translation.

    ``paths`` are YAML files or directories (searched for ``*.yaml``/``*.yml``; a round
    brings the files it names); ``translations`` is the catalogs folder
    (``<lang>/LC_MESSAGES/messages.po``). A text is reported at the position of its value
    when the language's catalog lacks it (the catalog is not updated: ``monitor
    translations status --update``), has an empty msgstr, or marks it fuzzy (the English
    changed since it was translated: outdated). Files that are not valid YAML are skipped
    (the loader reports them). Returns the problems sorted by path, line and column; a
    ``translations`` folder without any catalog is itself a problem.
    """
    folder = Path(translations)
    catalogs: dict[str, tuple[Path, Catalog]] = {
        lang: (po, read_catalog(po, lang)) for lang, po in catalog_paths(folder).items()
    }
    if not catalogs:
        where = os.path.join(os.fspath(translations), "<lang>", "LC_MESSAGES", "messages.po")
        return [Problem(os.fspath(translations), 1, 1, f"no catalog found ({where})")]
    problems = []
    for path in _files(paths):
        try:
            texts = source_texts(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YAMLError, ValueError, RecursionError):
            continue
        for line, column, key, text in texts:
            for lang, (po, catalog) in catalogs.items():
                state = message_state(catalog.get(text), catalog.num_plurals)
                if state == "translated":
                    continue
                what = f"{key} {_short(text)!r}"
                language = _language(lang)
                if catalog.get(text) is None:
                    message = (
                        f"{what} is not in the {language} catalog {po} (run `monitor "
                        "translations status --update`, then translate it)"
                    )
                elif state == "outdated":
                    message = f"{what} has an outdated (fuzzy) {language} translation in {po}"
                else:
                    message = f"{what} has no {language} translation in {po}"
                problems.append(Problem(path, line, column, message))
    return sorted(problems, key=lambda p: (p.path, p.line, p.column, p.message))
