"""Locale-aware numbers (Babel) and source texts shown in the reader's language, for forms
and display."""

import functools
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from babel.units import format_unit
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from markupsafe import Markup, escape

from monitor.core.markdown import render_markdown

#: The language questionnaire YAML (and every msgid) is written in.
SOURCE_LANGUAGE = "en"

_SPACES = re.compile(r"[ \u00a0\u202f]")
_AMBIGUOUS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"-?\d+(\.\d+)?")
_SPACE_GROUPED = re.compile(r"^-?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")
_DIGITS = re.compile(r"-?[0-9]+")


@functools.lru_cache(maxsize=64)
def _symbols(locale: str) -> tuple[str, str]:
    """The locale's grouping and decimal signs (CLDR data: fixed for a locale)."""
    return get_group_symbol(locale), get_decimal_symbol(locale)


def parse_number(text: str, locale: str) -> Decimal | None:
    """Parse ``text`` typed in ``locale`` (``"1 234,5"`` in French) into a Decimal.

    Any space (ordinary, no-break, narrow no-break) is read as the locale's grouping
    space where the locale groups with a space (French, Russian); in other locales spaces
    are accepted between groups of three digits (``"1 500 000"``). Babel's strict mode
    rejects malformed input such as ``"1,,000"``. Where the decimal sign is a comma, a
    dot is accepted as a decimal point (``"25.00"``) except before exactly three final
    digits (``"1.234"``), which could mean 1234 and is refused as ambiguous. Returns None
    when the text does not parse (known-failures B18).
    """
    text = text.strip()
    if not text:
        return None
    if _DIGITS.fullmatch(text):
        # digits alone, with no sign to group or divide them, read the same in every
        # locale: Babel's result, without its cost (most figures of a statistics table)
        return Decimal(text)
    group, decimal_sign = _symbols(locale)
    if group.isspace():
        text = _SPACES.sub(group, text)
    elif _SPACE_GROUPED.match(text):
        # "1 500 000" is unambiguous in any locale: spaces between groups of three digits
        text = _SPACES.sub("", text)
    if decimal_sign == "," and _AMBIGUOUS_DOT.search(text):
        return None
    try:
        return parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        pass
    if not _PLAIN.fullmatch(text):
        return None
    value = Decimal(text)
    return value if value.is_finite() else None


def canonical_number(value: Decimal) -> str:
    """A Decimal as a canonical string: no exponent, no trailing zeros (``"1234.5"``)."""
    text = format(value.normalize(), "f")
    return text


def display_number(stored: str | None, locale: str) -> str:
    """Format a stored canonical number for ``locale``; text that is not a number is
    returned as stored (a draft may hold what the user typed)."""
    if stored is None or stored == "":
        return ""
    if isinstance(stored, str):
        return _display_number(stored, locale)
    return _format_number(stored, locale)


@functools.lru_cache(maxsize=4096)
def _display_number(stored: str, locale: str) -> str:
    """:func:`display_number` of a string, kept: a page of figures formats the same few
    values again and again, and Babel's formatting costs about 30 µs a call."""
    return _format_number(stored, locale)


def _format_number(stored: Any, locale: str) -> str:
    try:
        value = Decimal(stored)
    except InvalidOperation:
        return str(stored)
    return format_decimal(value, locale=locale, decimal_quantization=False)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it here (``gettext_noop``):
    for English texts kept in data and translated where they are shown."""
    return message


def current_translation(text: str) -> str | None:
    """The current request language's translation of ``text`` (a msgid), or None when
    the compiled catalog has none. Fuzzy (outdated) and empty entries are not compiled,
    so they count as none. In the source language, and for a text without letters (a
    year, ``2019-2023``), ``text`` itself is its translation."""
    locale = get_locale()
    if locale is None or locale.language == SOURCE_LANGUAGE:
        return text
    if not any(ch.isalpha() for ch in text):
        return text
    # Flask-Babel merges the compiled catalogs into one babel.support.Translations; its
    # _catalog (msgid -> msgstr) is what gettext looks up. gettext itself cannot tell a
    # missing message from one whose translation equals the English ("Total", "Article").
    catalog = getattr(get_translations(), "_catalog", {})
    translated = catalog.get(text)
    return translated if isinstance(translated, str) and translated else None


def qt(text: str | None) -> str:
    """A questionnaire text as plain text in the reader's language, for attributes,
    ``<title>``, ``<option>`` and messages (:func:`qtext` is for element content). The
    English text when there is no current translation. Unlike Jinja's ``_()``, it never
    applies ``%`` formatting, so a label such as "Share (%)" is safe."""
    if not text:
        return ""
    translated = current_translation(text)
    return translated if translated is not None else text


def qtext(text: str | None, *, markdown: bool = False, notice: bool = True) -> Markup:
    """A questionnaire text (label, guidance, option, title...) as HTML in the reader's
    language: its translation when the catalog has a current one; otherwise the English
    text marked ``lang="en"`` and, with ``notice``, followed by the localised notice "Not
    yet translated: shown in English" (class ``untranslated-notice``), never a stale
    translation.

    ``markdown`` renders the text as Markdown (guidance, intros) inside a ``div`` instead
    of a ``span``. Use ``notice=False`` where the text refers to a question shown with
    its own notice (error summaries, table headers, answers). None or "" gives "".
    Only for element content: attributes, ``<title>`` and ``<option>`` take ``_()``.
    """
    if not text:
        return Markup("")
    translated = current_translation(text)
    if translated is not None:
        return render_markdown(translated) if markdown else escape(translated)
    if markdown:
        html = Markup('<div lang="{}">{}</div>').format(SOURCE_LANGUAGE, render_markdown(text))
    else:
        html = Markup('<span lang="{}">{}</span>').format(SOURCE_LANGUAGE, text)
    if notice:
        message = _("Not yet translated: shown in English")
        if markdown:
            html += Markup('<p class="untranslated-notice">{}</p>').format(message)
        else:
            html += Markup(' <span class="untranslated-notice">({})</span>').format(message)
    return html


def articles_text(articles: Sequence[int | str]) -> str:
    """ "Article 12" / "Articles 10, 12" in the current language; "" for none.

    One article or several, not a count: the plural forms of ``ngettext`` follow the
    grammar of a number, so in Russian a list of 21 articles took the form of 1 ("Статья
    1, 2, …, 21"), as 31 or 101 would."""
    if not articles:
        return ""
    listed = ", ".join(str(a) for a in articles)
    if len(articles) == 1:
        return _("Article %(list)s", list=listed)
    return _("Articles %(list)s", list=listed)


def format_size(size: int, locale: str) -> str:
    """A size in bytes for people, in ``locale``: ``"340 kB"``, ``"1,5 Mo"``, ``"25 МБ"``.

    Counted in binary multiples (1 kB = 1024 bytes, 1 MB = 1024 kB), as file managers and
    upload limits are usually stated, so the 25 MiB default limit reads "25 MB".
    """
    if size < 1024:
        return format_unit(size, "digital-byte", "long", locale=locale)
    if size < 1024 * 1024:
        return format_unit(round(size / 1024), "digital-kilobyte", "short", locale=locale)
    return format_unit(
        Decimal(size) / (1024 * 1024), "digital-megabyte", "short", locale=locale, format="#,##0.#"
    )
