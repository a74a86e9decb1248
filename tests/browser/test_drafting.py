"""Drafting beside the evidence in a real browser: the panel opens the editor for a chapter
of Armenia's demo draft, cites an answer from the evidence panel (a plain form button, no
script), writes a graded finding and finds it, with its citation, on the report page; the
cited answer links back to it in the side-by-side view. Axe scans the editor.

It adds one paragraph to the demo draft and leaves it in drafting (test_report.py, which
runs after it, counts paragraphs from what it finds).
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.a11y import assert_accessible
from tests.browser.helpers import shot, sign_in

pytestmark = pytest.mark.browser

FINDING = "Free legal aid still depends on NGO lawyers paid by foreign donors (browser test)."


def test_cite_an_answer_and_write_a_finding(page: Page, artifacts: Path) -> None:
    sign_in(page, "panel@example.org")
    page.locator("main").get_by_role("link", name="Armenia").click()
    page.locator("main").get_by_role("link", name="Open the report").click()
    report_url = page.url
    chapter = page.locator("section.chapter").filter(
        has=page.get_by_role("heading", name=re.compile("Right to information, legal assistance"))
    )
    chapter.get_by_role("link", name="Add a paragraph to this chapter").click()

    evidence = page.locator("aside.evidence")
    expect(evidence).to_contain_text("Legal assistance and free legal aid")
    expect(evidence).to_contain_text("NGO: Armenian Coalition against Trafficking")
    form = page.locator("#paragraph-form")
    form.get_by_label("Finding", exact=True).check()
    form.get_by_label("Grade of the finding").select_option("concern")
    form.get_by_label("Text", exact=True).fill(FINDING)
    answer = evidence.locator(".compare-item").filter(has_text="Is free legal aid for victims")
    answer.get_by_role("button", name="Cite").click()

    # the same form comes back with everything typed and the answer cited
    expect(
        page.locator("aside.evidence .compare-item").filter(
            has_text="Is free legal aid for victims"
        )
    ).to_contain_text("Cited by this paragraph")
    expect(form.get_by_label("Text", exact=True)).to_have_value(FINDING)
    expect(form.get_by_label("Grade of the finding")).to_have_value("concern")
    expect(form.locator(".cited-answers")).to_contain_text("Is free legal aid")
    assert_accessible(page)
    shot(page, artifacts, "drafting-editor-evidence")
    form.get_by_role("button", name="Add the paragraph").click()

    expect(page).to_have_url(re.compile(r"/report#p-\d+$"))
    para = page.locator(".paragraph.finding").filter(has_text=FINDING)
    expect(para.locator(".finding-meta")).to_contain_text("Finding: Concern")
    expect(para.locator(".citations")).to_contain_text("Is free legal aid")
    number = para.locator(".num").inner_text()
    shot(page, artifacts, "drafting-report-finding")

    para.locator(".citations a").first.click()
    expect(page).to_have_url(re.compile(r"/compare\?section=legal_assistance"))
    cited = page.locator(".compare-item").filter(has_text="Is free legal aid for victims")
    expect(cited.locator(".cited-in")).to_contain_text(f"§{number}")
    page.goto(report_url)
