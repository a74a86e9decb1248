"""After submission, in a real browser (issue 4, point 6): the panel returns Armenia's
submitted reply for changes, the contact person edits and submits it again, and the
panel compares revision 1 with revision 2 and sees the word-level change.

The reply ends submitted again (as the demo left it), with one answer extended."""

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from pytest_playwright import CreateContextCallback
from sqlmodel import select

from monitor.accounts.models import Party
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation
from monitor.submissions.models import Reply
from tests.a11y import assert_accessible
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

MESSAGE = "Please say when the rights leaflet was last updated."
ADDED = "(updated in 2025)"


def _armenian_reply_id(app: Flask) -> int:
    with app.app_context():
        reply = db.session.exec(
            select(Reply)
            .join(Evaluation, Evaluation.id == Reply.evaluation_id)  # type: ignore[arg-type]
            .join(Party, Party.id == Evaluation.party_id)  # type: ignore[arg-type]
            .where(Party.code == "AM", Reply.audience == Audience.PARTY)
        ).one()
        assert reply.id is not None
        return reply.id


def test_return_resubmit_and_compare(
    page: Page, new_context: CreateContextCallback, live_app: Flask
) -> None:
    rid = _armenian_reply_id(live_app)

    # --- the panel returns the reply ------------------------------------------------------
    sign_in(page, "panel@example.org")
    page.goto(f"/replies/{rid}/view")
    page.get_by_role("link", name="Revisions and return for changes").click()
    expect(page.get_by_role("heading", level=1, name="Revisions of the reply")).to_be_visible()
    page.get_by_label("What should be changed").fill(MESSAGE)
    page.get_by_role("button", name="Return the reply for changes").click()
    expect(page.locator(".notice.returned")).to_contain_text(f"Returned for changes: {MESSAGE}")

    # --- the contact person edits and submits again --------------------------------------
    party = new_context().new_page()
    sign_in(party, "contact.am@example.org")
    party.goto(f"/replies/{rid}")
    expect(party.locator(".notice.returned")).to_contain_text(MESSAGE)
    party.get_by_role("link", name="Right to information").click()
    materials = party.locator("textarea[name=info_materials]")
    text = materials.input_value()
    assert "A rights leaflet exists in" in text
    materials.fill(text.replace("A rights leaflet exists", f"A rights leaflet {ADDED} exists"))
    party.get_by_role("button", name="Save and return to the task list").click()
    expect(party).to_have_url(re.compile(rf"/replies/{rid}$"))
    party.get_by_role("link", name="Check your answers").click()
    party.get_by_role("button", name="Submit the reply").click()
    expect(party).to_have_url(re.compile(rf"/replies/{rid}/receipt$"))
    expect(party.locator("#reference")).to_have_text(re.compile(r"^GRETA-3-AM-\d{4}-\d{4}$"))
    party.context.close()

    # --- the panel compares revision 1 with revision 2 ------------------------------------
    page.goto(f"/replies/{rid}/revisions")
    expect(page.get_by_role("link", name="Revision 2")).to_be_visible()
    page.get_by_label("From revision").select_option("1")
    page.get_by_label("To revision").select_option("2")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/revisions/compare\?from=1&to=2$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Revision 1 compared with revision 2")
    change = page.locator(".diff ins")
    expect(change).to_have_count(1)
    expect(change).to_contain_text(ADDED)
    expect(page.locator(".diff del")).to_have_count(0)
    expect(page.locator(".unchanged-count").first).to_be_visible()
    assert_accessible(page)
