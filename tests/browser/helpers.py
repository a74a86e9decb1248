"""Small steps shared by the browser tests: signing in, the language switch, screenshots."""

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

DEMO_PASSWORD = "monitor-demo"


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form like a user and wait for the dashboard.

    The sign-in page is anonymous, so it is in the browser's language (English here),
    whatever the account's own language is.
    """
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def language_control(page: Page, code: str) -> Locator:
    """The header's control that switches to ``code`` (en, fr, ru): a link on most pages,
    a submit button of the section form on questionnaire pages. Found by its ``lang``
    attribute, so it does not depend on the translations."""
    return page.locator(f"header .lang-switch [lang={code}]:is(a, button)")


def switch_language(page: Page, code: str) -> None:
    """Click the header's language control and wait until the page is in ``code``."""
    language_control(page, code).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def shot(page: Page, folder: Path, name: str) -> None:
    """A full-page screenshot ``<name>.png`` in the artifacts folder."""
    page.screenshot(path=folder / f"{name}.png", full_page=True)
