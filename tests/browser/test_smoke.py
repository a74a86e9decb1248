"""Smoke test in a real browser: sign-in page, accessibility, a demo Party contact signs in."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.a11y import assert_accessible

pytestmark = pytest.mark.browser

DEMO_EMAIL = "contact.am@example.org"
DEMO_PASSWORD = "monitor-demo"


def test_sign_in_lands_on_dashboard(page: Page, artifacts: Path) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("E-mail address").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=artifacts / "dashboard-contact-am.png", full_page=True)


def test_wrong_password_is_refused(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill("not-the-password")
    page.locator("main").get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login$"))
    assert_accessible(page)
