"""The country report cycle in a real browser: the panel drafts and sends the draft for
panel review, the secretariat approves it at a plenary and it goes to the Party, the
Party's contact person comments and sends the comments, the panel answers the comment
and revises, the secretariat adopts it at a later plenary created on the plenary pages,
transmits it, the Party sends final comments and the report is published; anyone reads
it and its PDF.

One test, because each step needs the state the previous one left (Armenia's demo
report). Each role has its own browser context, i.e. its own cookies.
"""

import re
from datetime import date, timedelta
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
INTERNAL = "Rapporteur: check the 2024 figures with the NGO submission."
REASON = "Updated with the 2024 law; the earlier period stays as described."
FINAL = "The Government of Armenia thanks GRETA and will report on the follow-up."


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

    page.get_by_role("button", name="Send for panel review").click()
    expect(page.locator(".tag.panel_review")).to_be_visible()
    # a panel member's internal comment
    narrative = page.locator(".paragraph").filter(has_text=NARRATIVE)
    narrative.locator("summary").click()
    narrative.get_by_label(f"Internal comment on paragraph {n_narrative}").fill(INTERNAL)
    narrative.get_by_role("button", name="Save the comment").click()
    expect(page.locator(".comment-panel")).to_contain_text(INTERNAL)

    # --- the secretariat approves the draft at the demo's plenary and sends it -------------
    sec = new_context().new_page()
    sign_in(sec, "secretariat@example.org")
    sec.get_by_role("navigation", name="Main").get_by_role("link", name="Plenaries").click()
    sec.get_by_role("link", name="55th plenary meeting").click()
    row = sec.locator("tbody tr").filter(has_text="Armenia")
    row.get_by_role("button", name=re.compile("^Approve the draft")).click()
    expect(sec.locator("tbody tr").filter(has_text="Armenia")).to_contain_text("Done on")
    assert_accessible(sec)
    sec.goto(report_url)
    expect(sec.locator(".tag.draft_approved")).to_be_visible()
    sec.get_by_role("button", name="Send the draft to the Party").click()
    expect(sec.locator(".tag.sent_to_party")).to_be_visible()

    # --- Armenia's contact person comments and sends the comments ---------------------------
    party = new_context().new_page()
    sign_in(party, "contact.am@example.org")
    _open_armenian_report(party, "Open the evaluation")
    party_para = party.locator(".paragraph").filter(has_text=NARRATIVE)
    expect(party_para).to_be_visible()
    expect(party.locator("#editor")).to_have_count(0)
    expect(party.get_by_text(INTERNAL)).to_have_count(0)  # panel-internal
    party_para.locator("summary").click()
    party_para.get_by_label(f"Your comment on paragraph {n_narrative}").fill(COMMENT)
    party_para.get_by_role("button", name="Save the comment").click()
    party_para = party.locator(".paragraph").filter(has_text=NARRATIVE)
    expect(party_para.locator(".comment")).to_contain_text(COMMENT)
    expect(party_para.locator(".comment .tag.draft")).to_be_visible()  # not sent yet
    assert_accessible(party)
    party.get_by_role("button", name="Send the Party's comments to the panel").click()
    expect(party.locator(".tag.party_commented")).to_be_visible()
    shot(party, artifacts, "report-party-comment")

    # --- the panel revises and answers the comment ------------------------------------------
    page.goto(report_url)
    page.get_by_role("button", name="Start the revision").click()
    expect(page.locator(".tag.revising")).to_be_visible()
    comment = page.locator(".paragraph").filter(has_text=NARRATIVE).locator(".comment-draft")
    expect(comment).to_contain_text(COMMENT)
    expect(page.locator(".cycle")).to_contain_text("1 comment of the Party is still open")
    comment.get_by_label("Partly taken into account").check()
    comment.get_by_label("Reason").fill(REASON)
    comment.get_by_role("button", name="Record the answer").click()
    comment = page.locator(".paragraph").filter(has_text=NARRATIVE).locator(".comment-draft")
    expect(comment.locator(".tag.done")).to_have_text("Partly taken into account")
    expect(comment).to_contain_text(REASON)
    assert_accessible(page)
    shot(page, artifacts, "report-comment-answered")

    # --- the secretariat records a later plenary, adopts and transmits ----------------------
    sec.goto("/plenaries")
    form = sec.locator("#new-plenary")
    today = date.today()
    form.get_by_label("Number or name").fill("56th plenary meeting")
    form.get_by_label("First day").fill(today.isoformat())
    form.get_by_label("Last day").fill((today + timedelta(days=4)).isoformat())
    form.get_by_label("Place").fill("Strasbourg")
    form.get_by_role("button", name="Record the plenary").click()
    expect(sec.locator("h1")).to_have_text("56th plenary meeting")
    item = sec.locator("#add-item")
    armenia = item.locator("option", has_text="Armenia").get_attribute("value")
    assert armenia
    item.get_by_label("Report", exact=True).select_option(armenia)
    item.get_by_label("Adopt the final report").check()
    item.get_by_role("button", name="Add to the agenda").click()
    row = sec.locator("tbody tr").filter(has_text="Armenia")
    row.get_by_role("button", name=re.compile("^Adopt the final report")).click()
    expect(sec.locator("tbody tr").filter(has_text="Armenia")).to_contain_text("Done on")
    shot(sec, artifacts, "plenary")
    sec.goto(report_url)
    expect(sec.locator(".tag.adopted")).to_be_visible()
    expect(sec.locator("#editor")).to_have_count(0)
    sec.get_by_role("button", name="Transmit to the Party and the Committee of the Parties").click()
    expect(sec.locator(".tag.transmitted")).to_be_visible()

    # versions: the sent draft compared with the adopted text
    sec.get_by_role("link", name=re.compile(r"^\d+ versions$")).click()
    sec.get_by_role("button", name="Compare").click()
    expect(sec.locator(".version-diff")).to_be_visible()
    assert_accessible(sec)

    # --- final comments, publication ----------------------------------------------------------
    party.goto(report_url)
    party.locator("#general-comments").get_by_label("A general comment").fill(FINAL)
    party.locator("#general-comments").get_by_role("button", name="Save the comment").click()
    party.get_by_role("button", name="Send the final comments").click()
    expect(party.locator(".tag.transmitted")).to_be_visible()
    sec.goto(report_url)
    sec.get_by_role("button", name="Publish").click()
    expect(sec.locator(".tag.published")).to_be_visible()

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
    # The report is published with the Party's final comments; its comments on the draft,
    # the panel's answers and internal comments and the panel's tools stay confidential.
    expect(public.locator(".comment")).to_have_count(1)
    expect(public.locator(".comment")).to_contain_text(FINAL)
    expect(public.get_by_text(COMMENT)).to_have_count(0)
    expect(public.get_by_text(REASON)).to_have_count(0)
    expect(public.get_by_text(INTERNAL)).to_have_count(0)
    expect(public.locator(".cycle .actions form")).to_have_count(0)
    assert_accessible(public)
    shot(public, artifacts, "published-report")
