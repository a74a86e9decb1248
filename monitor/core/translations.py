"""Where the gettext catalogs stand, and bringing them up to date with the sources.

The sources are whatever ``babel.cfg`` maps: Python code and templates (the interface)
and the questionnaire YAML (the texts of instruments, rounds and questionnaires, pulled by
:mod:`monitor.questionnaires.babel_extract`). A message is a *questionnaire* message when
one of its locations is a ``.yaml``/``.yml`` file, an *interface* message otherwise (a
text used in both counts once, as questionnaire text: that is where respondents read it).

Per language, each message of a fresh extraction is

- *translated*: in ``translations/<lang>/LC_MESSAGES/messages.po``, not fuzzy, every
  msgstr filled (every plural form: an empty one compiles silently and shows English);
- *outdated*: fuzzy. ``pybabel update`` (here :func:`update_catalogs`) marks an entry fuzzy
  when its English text changed, keeping the old translation and the old English as
  ``#| msgid``; compiled catalogs leave fuzzy entries out, so pages show English
  (``qtext`` adds a notice, see :mod:`monitor.core.i18n`) until a translator reviews it;
- *missing*: not in the catalog, or with an empty msgstr.

Nothing here needs Flask: the functions read and write files with Babel's API.
"""

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import denormalize, read_po, write_po

from monitor.config import PROJECT_ROOT

#: Keywords beyond Babel's defaults (``_``, ``gettext``, ``ngettext``, ``N_``...): Flask-
#: Babel's lazy forms. Same as ``pybabel extract -k _l -k lazy_ngettext:1,2``.
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["_l", "lazy_ngettext:1,2"])}
#: Comments in the code that start with one of these reach the translators.
COMMENT_TAGS = ("TRANSLATORS:",)
DOMAIN = "messages"
ORIGINS = ("interface", "questionnaires")
#: Line width of written .pot/.po files (pybabel's default).
WIDTH = 76

MessageKey = tuple[str, str | None]


def translations_dir(root: Path = PROJECT_ROOT) -> Path:
    """The catalogs folder of the project at ``root``."""
    return root / "translations"


def catalog_paths(translations: Path) -> dict[str, Path]:
    """Language code -> path of its ``<lang>/LC_MESSAGES/messages.po``, sorted by code."""
    found = sorted(translations.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return {po.parent.parent.name: po for po in found}


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """A .po or .pot file as a Babel Catalog, with the ``#| msgid`` lines of each entry
    as its ``previous_id``. Raises OSError, babel's PoFileError."""
    with path.open("rb") as fileobj:
        catalog = read_po(fileobj, locale=locale, domain=DOMAIN)
    for message in catalog:
        _take_previous(message)
    return catalog


def _take_previous(message: Message) -> None:
    """Move ``#| msgid`` lines from the user comments to ``previous_id``.

    Babel 2.19 writes ``previous_id`` as ``#|`` lines but reads them back as user comments
    (``| msgid "..."``), which it then writes as ``# | msgid ...`` comments, re-wrapped,
    and never drops. Previous message contexts are ignored.
    """
    lines = [c[1:].strip() for c in message.user_comments if c.startswith("|")]
    if not lines:
        return
    message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    parts: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgid", "msgid_plural"):
            current = [rest]
            parts.append(current)
        elif keyword == "msgctxt":
            current = None
        elif line.startswith('"') and current is not None:
            current.append(line)
    message.previous_id = [denormalize("\n".join(p)) for p in parts]


def key(message: Message) -> MessageKey:
    """A message's identity across catalogs: its (singular) msgid and context."""
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def keys(catalog: Catalog) -> set[MessageKey]:
    """The keys of every message of ``catalog``, the header excluded."""
    return {key(m) for m in catalog if m.id}


def origin(message: Message) -> str:
    """``questionnaires`` if one of the message's locations is a YAML file, else
    ``interface``."""
    yaml = any(str(path).endswith((".yaml", ".yml")) for path, _line in message.locations)
    return "questionnaires" if yaml else "interface"


def extract(root: Path = PROJECT_ROOT) -> Catalog:
    """A fresh template catalog of the sources under ``root`` as ``root/babel.cfg`` maps
    them, with locations relative to ``root`` (what ``pybabel extract -F babel.cfg -k _l
    -k lazy_ngettext:1,2 --add-comments=TRANSLATORS: .`` run in ``root`` gives).

    Raises OSError when ``babel.cfg`` cannot be read.
    """
    with (root / "babel.cfg").open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, filename=str(root / "babel.cfg"))
    template = Catalog(domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def _write(catalog: Catalog, path: Path, **options: Any) -> None:
    """Write ``catalog`` to ``path`` through a temporary file in the same folder, so that
    an error never leaves half a catalog."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fileobj:
            write_po(fileobj, catalog, width=WIDTH, **options)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_template(template: Catalog, translations: Path) -> Path:
    """Write ``template`` as ``translations/messages.pot``; returns its path."""
    pot = translations / f"{DOMAIN}.pot"
    _write(template, pot)
    return pot


def update_catalogs(template: Catalog, translations: Path) -> list[Path]:
    """Merge ``template`` into every language catalog under ``translations`` (``pybabel
    update --previous`` with fuzzy matching); returns the paths written.

    A message whose English changed is found by Babel's fuzzy matching (difflib, ratio
    >= 0.6), keeps its translation, is flagged fuzzy and records the English it was
    translated from as ``#| msgid``. Fuzzy matching used to be off (a guessed translation of
    a similar message is worse than none) but a fuzzy entry is never shown: the compiled
    catalog leaves it out, so the guess only helps the translator. A new message similar to
    an existing one is matched the same way and counts as outdated, not missing.

    Babel drops the ``#| msgid`` of an entry that is still fuzzy on the next update (the
    message then matches exactly); it is carried over here, so that translators keep
    seeing what changed. When the English changes again before the review, ``#| msgid``
    stays the English the translation was made from. Messages no longer used are kept as
    obsolete (``#~``) entries.
    """
    written = []
    for lang, po in catalog_paths(translations).items():
        catalog = read_catalog(po, lang)
        previous = {key(m): m.previous_id for m in catalog if m.id and m.fuzzy and m.previous_id}
        catalog.update(template, no_fuzzy_matching=False)
        for message in catalog:
            if not (message.id and message.fuzzy):
                continue
            if message.previous_id:  # matched anew, perhaps to an entry already outdated
                matched = (message.previous_id[0], message.context)
                message.previous_id = list(previous.get(matched, message.previous_id))
            else:
                message.previous_id = list(previous.get(key(message), []))
        _write(catalog, po, include_previous=True)
        written.append(po)
    return written


@dataclass
class Counts:
    """Numbers of messages per state."""

    translated: int = 0
    missing: int = 0
    outdated: int = 0


@dataclass
class Left:
    """A source message left to translate in one language: ``state`` is ``missing`` or
    ``outdated``; ``previous`` the English its translation was made from (outdated ones,
    from ``#| msgid``)."""

    state: str
    origin: str
    message: Message
    previous: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        """The first two locations, ``path:line``, comma-separated."""
        return ", ".join(f"{path}:{line}" for path, line in self.message.locations[:2])


@dataclass
class LanguageStatus:
    """Where one language's catalog stands against the sources.

    ``counts`` is keyed by origin (:data:`ORIGINS`); ``unused`` counts catalog entries the
    sources no longer have (the catalog is not updated).
    """

    language: str
    path: Path
    counts: dict[str, Counts]
    left: list[Left]
    unused: int

    def total(self) -> Counts:
        """The counts of every origin added up."""
        return Counts(
            sum(c.translated for c in self.counts.values()),
            sum(c.missing for c in self.counts.values()),
            sum(c.outdated for c in self.counts.values()),
        )


@dataclass
class Status:
    """The template against a fresh extraction (``new``: messages the sources have and
    messages.pot lacks; ``gone``: the reverse) and one :class:`LanguageStatus` per language.
    ``sizes`` is the number of source messages per origin."""

    sizes: dict[str, int]
    new: int
    gone: int
    languages: list[LanguageStatus]

    @property
    def complete(self) -> bool:
        """True when messages.pot and every catalog are up to date and fully translated."""
        return (
            not self.new
            and not self.gone
            and all(not s.left and not s.unused for s in self.languages)
        )


def message_state(message: Message | None, num_plurals: int) -> str:
    """``translated``, ``outdated`` or ``missing`` (see the module docstring) for a catalog
    entry (None: not in the catalog) of a language with ``num_plurals`` plural forms."""
    if message is None:
        return "missing"
    if message.fuzzy:
        return "outdated"
    plural = isinstance(message.id, (list, tuple))
    string = message.string
    strings: tuple[Any, ...] = tuple(string) if isinstance(string, (list, tuple)) else (string,)
    filled = all(isinstance(s, str) and s.strip() for s in strings)
    if not filled or (plural and len(strings) < num_plurals):
        return "missing"
    return "translated"


def language_status(source: Catalog, lang: str, po: Path) -> LanguageStatus:
    """Compare the catalog ``po`` of language ``lang`` with the ``source`` messages."""
    catalog = read_catalog(po, lang)
    by_key = {key(m): m for m in catalog if m.id}
    counts = {o: Counts() for o in ORIGINS}
    left = []
    for message in source:
        if not message.id:
            continue
        found = by_key.get(key(message))
        state = message_state(found, catalog.num_plurals)
        where = origin(message)
        setattr(counts[where], state, getattr(counts[where], state) + 1)
        if state != "translated":
            previous = list(found.previous_id) if found is not None else []
            left.append(Left(state, where, message, previous))
    unused = len(set(by_key) - keys(source))
    return LanguageStatus(lang, po, counts, left, unused)


def status(root: Path = PROJECT_ROOT, source: Catalog | None = None) -> Status:
    """Where the catalogs of the project at ``root`` stand against its sources (a fresh
    extraction unless ``source`` is given). Raises OSError for unreadable files."""
    source = source if source is not None else extract(root)
    translations = translations_dir(root)
    pot = translations / f"{DOMAIN}.pot"
    template = keys(read_catalog(pot)) if pot.is_file() else set()
    current = keys(source)
    sizes = {o: 0 for o in ORIGINS}
    for message in source:
        if message.id:
            sizes[origin(message)] += 1
    languages = [
        language_status(source, lang, po) for lang, po in catalog_paths(translations).items()
    ]
    return Status(sizes, len(current - template), len(template - current), languages)


def update(root: Path = PROJECT_ROOT) -> Status:
    """Re-extract ``root``'s sources into messages.pot, merge it into every catalog
    (:func:`update_catalogs`) and return the resulting :class:`Status`."""
    source = extract(root)
    translations = translations_dir(root)
    write_template(source, translations)
    update_catalogs(source, translations)
    return status(root, source)


def format_status(result: Status, listing: bool = False) -> Iterable[str]:
    """The lines ``monitor translations status`` prints: a summary of messages.pot, a
    table (language, origin, translated, missing, outdated) and, with ``listing``, every
    message left to translate with its first locations."""
    sizes = ", ".join(f"{n} {o}" for o, n in result.sizes.items())
    total = sum(result.sizes.values())
    if result.new or result.gone:
        yield (
            f"messages.pot is STALE: the sources have {total} messages ({sizes}); "
            f"{result.new} new, {result.gone} no longer used "
            "(run `monitor translations status --update`)"
        )
    else:
        yield f"messages.pot is up to date: {total} messages ({sizes})"
    yield f"{'language':<10}{'origin':<16}{'translated':>10}{'missing':>9}{'outdated':>10}"
    for lang in result.languages:
        rows = [*lang.counts.items(), ("all", lang.total())]
        for name, c in rows:
            yield (f"{lang.language:<10}{name:<16}{c.translated:>10}{c.missing:>9}{c.outdated:>10}")
        if lang.unused:
            yield (
                f"{lang.language}: {lang.unused} entries no longer used: the catalog is not "
                "updated (run `monitor translations status --update`)"
            )
    if listing:
        for lang in result.languages:
            for item in lang.left:
                text = item.message.id if isinstance(item.message.id, str) else item.message.id[0]
                line = f"{lang.language} {item.state} {item.where}: {text!r}"
                if item.previous:
                    line += f" (was {item.previous[0]!r})"
                yield line
