"""Locale-aware numbers and dates (Babel), for forms and display."""

from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_decimal, parse_decimal


def parse_number(text: str, locale: str) -> Decimal | None:
    """Parse ``text`` typed in ``locale`` (``"1 234,5"`` in French) into a Decimal.

    Babel's strict mode rejects malformed or ambiguous input such as ``"1,,000"`` or
    ``"25.00"`` in French; a plain ASCII form with a dot and no grouping
    (``"1234.5"``) is accepted in any locale as well. Returns None when the text does
    not parse.
    """
    text = text.strip().replace("\u202f", "\u00a0")
    if not text:
        return None
    try:
        return parse_decimal(text.replace(" ", "\u00a0"), locale=locale, strict=True)
    except NumberFormatError:
        pass
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
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
