"""Locale-aware numbers and dates (Babel), for forms and display."""

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

_SPACES = re.compile(r"[ \u00a0\u202f]")
_AMBIGUOUS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"-?\d+(\.\d+)?")


def parse_number(text: str, locale: str) -> Decimal | None:
    """Parse ``text`` typed in ``locale`` (``"1 234,5"`` in French) into a Decimal.

    Any space (ordinary, no-break, narrow no-break) is read as the locale's grouping
    space where the locale groups with a space (French, Russian). Babel's strict mode
    rejects malformed input such as ``"1,,000"``. Where the decimal sign is a comma, a
    dot is accepted as a decimal point (``"25.00"``) except before exactly three final
    digits (``"1.234"``), which could mean 1234 and is refused as ambiguous. Returns None
    when the text does not parse (known-failures B18).
    """
    text = text.strip()
    if not text:
        return None
    group = get_group_symbol(locale)
    decimal_sign = get_decimal_symbol(locale)
    if group.isspace():
        text = _SPACES.sub(group, text)
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
    try:
        value = Decimal(stored)
    except InvalidOperation:
        return stored
    return format_decimal(value, locale=locale, decimal_quantization=False)
