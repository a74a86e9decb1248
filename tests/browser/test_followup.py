"""Follow-up pages in a real browser, with axe: the public pages (no sign-in), the
deadlines dashboard and the recommendation page of the demo's published round-2 report."""

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlmodel import select

from monitor.extensions import db
from monitor.reports.recommendation_models import Recommendation
from tests.a11y import assert_accessible

pytestmark = pytest.mark.browser

PASSWORD = "monitor-demo"


def _sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def test_public_pages(page: Page, artifacts: Path) -> None:
    page.goto("/published")
    page.get_by_role("link", name="By Party and round").click()
    page.get_by_role("link", name="Georgia").click()
    expect(page.get_by_text("Partly implemented").first).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=artifacts / "published-am.png", full_page=True)
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Words to find").fill("moral damage")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("mark").first).to_have_text(re.compile("moral", re.I))
    assert_accessible(page)
    page.goto("/published/counts")
    page.get_by_label("Verb").select_option("urges")
    page.get_by_label("Article (empty: any)").fill("15")
    page.get_by_role("button", name="Count").click()
    expect(page.get_by_role("heading", name="1 Party")).to_be_visible()
    assert_accessible(page)


def test_deadlines_and_recommendation(page: Page, live_app: Flask, artifacts: Path) -> None:
    with live_app.app_context():
        evaluation_id = db.session.exec(select(Recommendation)).one().evaluation_id
    _sign_in(page, "secretariat@example.org")
    page.get_by_role("link", name="Deadlines").click()
    expect(page.get_by_role("heading", level=1, name="Deadlines")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=artifacts / "deadlines.png", full_page=True)
    page.goto(f"/evaluations/{evaluation_id}/recommendation")
    expect(page.get_by_text("Criminal Procedure Code amended in 2022.")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=artifacts / "recommendation.png", full_page=True)
