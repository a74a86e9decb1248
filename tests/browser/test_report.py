"""The country report cycle in a real browser: the panel drafts, the Party comments, the
panel deals with the comment, adopts and publishes; anyone reads it and its PDF.

One test, because each step needs the state the previous one left (Armenia's demo
report). Each role has its own browser context, i.e. its own cookies.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_playwright import CreateContextCallback

from tests.a11y import assert_accessible
from tests.browser.helpers import shot, sign_in

pytestmark = pytest.mark.browser

NARRATIVE = "Les victimes identifiées en 2023 ont toutes reçu une aide juridique — ёЁ."
PROPOSAL = "ensure that every victim can claim compensation from the State."
COMMENT = "Paragraph to be updated: the new law on legal aid entered into force in 2024."


def _open_armenian_report(page: Page, evaluation_link: str) -> None:
    """From the dashboard: the evaluation of Armenia (``evaluation_link``: the panel's
    dashboard names the Party, a Party's dashboard has its one evaluation), its report."""
    page.locator("main").get_by_role("link", name=evaluation_link).click()
    page.locator("main").get_by_role("link", name="Open the report").click()
    expect(page).to_have_url(re.compile(r"/evaluations/\d+/report$"))


def _numbers(page: Page) -> list[str]:
    return page.locator(".report-text .paragraph > .num").all_inner_texts()


def test_report_cycle(page: Page, new_context: CreateContextCallback, artifacts: Path) -> None:
    # --- the panel member drafts -----------------------------------------------------------
    sign_in(page, "panel@example.org")
    _open_armenian_report(page, "Armenia")
    report_url = page.url
    expect(page.locator(".tag.drafting")).to_be_visible()
    before = len(_numbers(page))
    assert before >= 10

    editor = page.locator("#add-paragraph")
    editor.get_by_label("Narrative").check()
    editor.get_by_label("Text").fill(NARRATIVE)
    editor.get_by_role("button", name="Add the paragraph").click()
    narrative = page.locator(".paragraph").filter(has_text=NARRATIVE)
    expect(narrative).to_be_visible()

    editor.get_by_label("Proposal for action").check()
    editor.get_by_label("Verb of the proposal").select_option("urges")
    editor.get_by_label("Articles concerned").fill("15")
    editor.get_by_label("Text").fill(PROPOSAL)
    editor.get_by_role("button", name="Add the paragraph").click()
    proposal = page.locator(".paragraph.proposal").filter(has_text=PROPOSAL)
    expect(proposal).to_be_visible()
    expect(proposal.locator(".verb")).to_have_text("urges")
    expect(proposal.locator(".proposal-meta .articles")).to_contain_text("15")

    numbers = _numbers(page)
    assert numbers == [str(n) for n in range(1, before + 3)], numbers
    n_narrative = int(narrative.locator(".num").inner_text())
    assert int(proposal.locator(".num").inner_text()) == n_narrative + 1
    assert_accessible(page)
    shot(page, artifacts, "report-editor")

    page.get_by_role("button", name="Send the draft to the Party").click()
    expect(page.locator(".tag.sent_to_party")).to_be_visible()

    # --- Armenia's contact person comments --------------------------------------------------
    party = new_context().new_page()
    sign_in(party, "contact.am@example.org")
    _open_armenian_report(party, "Open the evaluation")
    party_para = party.locator(".paragraph").filter(has_text=NARRATIVE)
    expect(party_para).to_be_visible()
    expect(party.locator("#editor")).to_have_count(0)
    party_para.locator("summary").click()
    party_para.get_by_label(f"Your comment on paragraph {n_narrative}").fill(COMMENT)
    party_para.get_by_role("button", name="Send the comment").click()
    party_para = party.locator(".paragraph").filter(has_text=NARRATIVE)
    expect(party_para.locator(".comment")).to_contain_text(COMMENT)
    expect(party_para.locator(".comment .tag.progress")).to_be_visible()
    assert_accessible(party)
    shot(party, artifacts, "report-party-comment")

    # --- the panel member deals with it, adopts and publishes -------------------------------
    page.goto(report_url)
    comment = page.locator(".paragraph").filter(has_text=NARRATIVE).locator(".comment")
    expect(comment).to_contain_text(COMMENT)
    expect(page.locator(".cycle")).to_contain_text("1 comment of the Party is still open")
    comment.get_by_label("How the panel dealt with it (optional)").fill(
        "Updated with the 2024 law."
    )
    comment.get_by_role("button", name="Mark as dealt with").click()
    comment = page.locator(".paragraph").filter(has_text=NARRATIVE).locator(".comment")
    expect(comment.locator(".tag.done")).to_be_visible()
    expect(comment).to_contain_text("Updated with the 2024 law.")
    shot(page, artifacts, "report-comment-dealt-with")

    page.get_by_role("button", name="Adopt the final report").click()
    expect(page.locator(".tag.adopted")).to_be_visible()
    expect(page.locator("#editor")).to_have_count(0)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".tag.published")).to_be_visible()

    # --- anyone reads it --------------------------------------------------------------------
    public = new_context().new_page()
    public.goto("/published")
    row = public.locator("tbody tr").filter(has_text="Armenia")
    expect(row).to_have_count(1)
    assert_accessible(public)
    shot(public, artifacts, "published-list")

    pdf_href = row.get_by_role("link", name=re.compile("^PDF")).get_attribute("href")
    assert pdf_href
    response = public.request.get(pdf_href)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    row.get_by_role("link", name=re.compile("^Read the report")).click()
    expect(public).to_have_url(re.compile(r"/evaluations/\d+/report$"))
    expect(public.locator(".paragraph").filter(has_text=NARRATIVE)).to_be_visible()
    expect(public.locator(".paragraph.proposal").filter(has_text=PROPOSAL)).to_be_visible()
    # The report is published with the Party's comments; how the panel dealt with them
    # and the panel's tools stay internal.
    expect(public.locator(".comment")).to_have_count(1)
    expect(public.locator(".comment")).to_contain_text(COMMENT)
    expect(public.get_by_text("Updated with the 2024 law.")).to_have_count(0)
    expect(public.locator(".cycle")).to_have_count(0)
    assert_accessible(public)
    shot(public, artifacts, "published-report")
