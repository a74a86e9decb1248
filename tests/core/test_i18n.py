"""Locale selection (known-failures B16) and locale-aware numbers (B18)."""

import re
from decimal import Decimal

import pytest
from flask_babel import get_locale

from monitor.accounts.models import Role
from monitor.accounts.services import create_user
from monitor.core.i18n import display_number, parse_number
from monitor.extensions import db


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("12,5", "fr", Decimal("12.5")),
        ("1 234,5", "fr", Decimal("1234.5")),
        ("1\u00a0234,5", "fr", Decimal("1234.5")),
        ("1\u202f234,5", "ru", Decimal("1234.5")),
        ("25.00", "fr", Decimal("25.00")),
        ("1,234.5", "en", Decimal("1234.5")),
        ("1234.5", "ru", Decimal("1234.5")),
        ("1.234", "fr", None),  # could be 1234 or 1.234: refused, never stored as 1234
        ("1.234", "ru", None),
        ("1,,000", "fr", None),
        ("1,,000", "en", None),
        ("douze", "fr", None),
        ("", "en", None),
    ],
)
def test_parse_number(text, locale, expected):
    assert parse_number(text, locale) == expected


@pytest.mark.parametrize("locale", ["en", "fr", "ru", "de", "de_CH", "ar", "hi"])
def test_plain_digits_parse_as_babel_parses_them(locale):
    """Digits alone skip Babel's parser (the figures of a statistics table): the same
    number in every locale, as Babel reads it."""
    from babel.numbers import parse_decimal

    for text in ["0", "7", "-12", "007", "1234", "1234567890123", " 42 ", "-0"]:
        assert parse_number(text, locale) == parse_decimal(text.strip(), locale, strict=True)
    # anything else still goes through Babel: digits of another script, signs, spaces
    assert parse_number("١٢", locale) == parse_number_via_babel("١٢", locale)
    assert parse_number("+5", locale) == parse_number_via_babel("+5", locale)


def parse_number_via_babel(text, locale):
    from monitor.core import i18n

    saved = i18n._DIGITS
    i18n._DIGITS = re.compile(r"(?!)")  # never matches
    try:
        return parse_number(text, locale)
    finally:
        i18n._DIGITS = saved


def test_display_number_per_locale():
    assert display_number("1234.5", "en") == "1,234.5"
    assert display_number("1234.5", "fr") == "1\u202f234,5"
    assert display_number("1234.5", "ru") == "1\u00a0234,5"
    assert display_number("not a number", "fr") == "not a number"


def _user(app, locale):
    with app.app_context():
        create_user(db.session, "ru@example.org", "Ruslan", "pw-123456", Role.PANEL, locale=locale)
        db.session.commit()


def test_profile_locale_wins_over_browser_then_switch_persists(app, client):
    _user(app, "ru")
    client.post(
        "/login",
        data={"email": "ru@example.org", "password": "pw-123456"},
        headers={"Accept-Language": "en"},
    )
    page = client.get("/dashboard", headers={"Accept-Language": "en"})
    assert '<html lang="ru">' in page.get_data(as_text=True)
    client.get("/lang/fr?next=/dashboard")
    for _ in range(2):
        page = client.get("/dashboard", headers={"Accept-Language": "en"})
        assert '<html lang="fr">' in page.get_data(as_text=True)


def test_anonymous_visitor_gets_browser_language(app, client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in page.get_data(as_text=True)
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        assert str(get_locale()) == "ru"
