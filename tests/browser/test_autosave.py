"""Autosave and edit conflicts in a real browser (issue 4, points 2 and 3).

Works on Ukraine's "legal assistance" section, which no other browser test uses.
"""

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from monitor.accounts.models import Party, Role, User
from monitor.accounts.services import create_user
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation
from monitor.submissions import services
from monitor.submissions.models import Answer, Reply
from monitor.submissions.team_models import SectionAssignment
from tests.a11y import assert_accessible
from tests.browser.helpers import DEMO_PASSWORD, shot, sign_in

pytestmark = pytest.mark.browser

SECTION = "legal_assistance"
ITEM = "aid_obstacles"


@pytest.fixture(scope="module")
def contributors(live_app: Flask) -> tuple[str, str]:
    """Two contributors of Ukraine of this module's own (English), so that no other
    test's account changes language or answers."""
    emails = ("autosave.one@example.org", "autosave.two@example.org")
    with live_app.app_context():
        ua = db.session.exec(select(Party).where(Party.code == "UA")).one()
        for n, email in enumerate(emails, 1):
            create_user(
                db.session,
                email,
                f"Ministry contributor {n}, Ukraine",
                DEMO_PASSWORD,
                Role.PARTY_CONTRIBUTOR,
                party=ua,
            )
        # the contact person assigns them the section (multi-agency reply: a contributor
        # changes only the sections assigned to them)
        evaluation = db.session.exec(select(Evaluation).where(Evaluation.party_id == ua.id)).one()
        reply = services.get_or_create_reply(db.session, evaluation, Audience.PARTY)
        for email in emails:
            user = db.session.exec(select(User).where(User.email == email)).one()
            db.session.add(
                SectionAssignment(reply_id=reply.id, section_id=SECTION, user_id=user.id)
            )
        db.session.commit()
    return emails


def _open_section(page: Page) -> None:
    page.locator("main").get_by_role("link", name="Open the evaluation").click()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/replies/\d+$"))
    page.goto(page.url + f"/sections/{SECTION}")


def _stored(app: Flask) -> object:
    with app.app_context():
        reply = db.session.exec(
            select(Reply)
            .join(Evaluation, Evaluation.id == Reply.evaluation_id)  # type: ignore[arg-type]
            .join(Party, Party.id == Evaluation.party_id)  # type: ignore[arg-type]
            .where(Party.code == "UA", Reply.audience == Audience.PARTY)
        ).one()
        answer = db.session.exec(
            select(Answer).where(Answer.reply_id == reply.id, Answer.item_id == ITEM)
        ).first()
        return answer.value if answer else None


def test_typed_answer_is_saved_in_the_background(
    page: Page, live_app: Flask, contributors: tuple[str, str]
) -> None:
    sign_in(page, contributors[0])
    _open_section(page)
    status = page.locator("#autosave-status")
    field = page.locator(f"#item-{ITEM}")
    field.fill("Interpreters are scarce outside Kyiv.")
    expect(status).to_contain_text(re.compile(r"Saved at \d"), timeout=15000)
    assert _stored(live_app) == "Interpreters are scarce outside Kyiv."
    page.reload()
    expect(field).to_have_value("Interpreters are scarce outside Kyiv.")

    # typing more, then leaving the page at once: saved on the way out
    field.fill("Interpreters are scarce outside Kyiv and Lviv.")
    section_url = page.url
    page.goto("/dashboard")
    for _ in range(100):  # the keepalive request may land just after the next page
        if _stored(live_app) == "Interpreters are scarce outside Kyiv and Lviv.":
            break
        page.wait_for_timeout(100)
    page.goto(section_url)
    expect(field).to_have_value("Interpreters are scarce outside Kyiv and Lviv.")


def test_conflicting_autosave_links_to_the_conflict_page(
    page: Page, browser: Browser, contributors: tuple[str, str], artifacts: Path
) -> None:
    sign_in(page, contributors[0])
    _open_section(page)
    other_context = browser.new_context(base_url=page.url.split("/replies")[0])
    other = other_context.new_page()
    sign_in(other, contributors[1])
    _open_section(other)
    # both pages are open on the same answers; the contributor saves first
    other.locator("#item-aid_legal_basis").fill("Their text: Law 3795 on free legal aid.")
    other.get_by_role("button", name="Save draft").first.click()
    expect(other.locator(".flash, [role=status], .notice").first).to_be_visible()
    # the contact, on the older page, types in the same answer
    page.locator("#item-aid_legal_basis").fill("My text: the Code of Criminal Procedure.")
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Someone else changed", timeout=15000)
    status.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Someone else changed these answers")
    main = page.locator("main")
    expect(main).to_contain_text("Their text: Law 3795 on free legal aid.")
    expect(main).to_contain_text("My text: the Code of Criminal Procedure.")
    expect(main).to_contain_text("Ministry contributor 2, Ukraine")
    assert_accessible(page)
    shot(page, artifacts, "conflict-page")
    page.get_by_label("Keep the merged text below").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator("#item-aid_legal_basis")).to_have_value(
        "Their text: Law 3795 on free legal aid.\n\nMy text: the Code of Criminal Procedure."
    )
    other_context.close()
