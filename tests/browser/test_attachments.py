"""Attaching files in a real browser: upload with the section's Save, a refused file that
keeps everything typed, download under the name as given, removal (issue 4, point 4;
known-failures B29)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.a11y import assert_accessible
from tests.browser.helpers import shot, sign_in, switch_language
from tests.submissions.samples import image, pdf

pytestmark = pytest.mark.browser

LEAFLET = "Пам’ятка_потерпілим_2024.pdf"
POSTER = "affiche_été.png"


def test_attach_download_refuse_and_remove(page: Page, artifacts: Path, tmp_path: Path) -> None:
    (tmp_path / LEAFLET).write_bytes(pdf("leaflet"))
    (tmp_path / POSTER).write_bytes(image("PNG"))
    (tmp_path / "scan.pdf").write_bytes(image("PNG"))  # a picture named as a PDF

    sign_in(page, "contact.ua@example.org")
    # The account's own language is Russian, and the language-switch test expects it so:
    # switched to English here, and back to Russian at the end whatever happens.
    switch_language(page, "en")
    try:
        _attach_download_refuse_and_remove(page, artifacts, tmp_path)
    finally:
        page.goto("/lang/ru?next=/dashboard")


def _attach_download_refuse_and_remove(page: Page, artifacts: Path, tmp_path: Path) -> None:
    page.locator("main").get_by_role("link", name="Open the evaluation").click()
    page.locator("main form button[type=submit]").click()
    page.get_by_role("link", name="Right to information").click()
    field = page.locator("#item-info_materials_files")
    expect(field).to_have_attribute("type", "file")
    expect(page.locator("#q-info_materials_files")).to_contain_text(
        "Accepted types: PDF, DOCX, ODT, PNG, JPEG. You can attach up to 10 files, each at most"
    )

    field.set_input_files([str(tmp_path / LEAFLET), str(tmp_path / POSTER)])
    page.get_by_role("button", name="Save draft").click()
    links = page.locator("#q-info_materials_files ul.attachments a")
    expect(links).to_have_text([LEAFLET, POSTER])
    assert_accessible(page)

    with page.expect_download() as info:
        links.first.click()
    download = info.value
    assert download.suggested_filename == LEAFLET
    assert Path(download.path()).read_bytes() == pdf("leaflet")

    # a refused file: the typed answer is saved, the reason shown and linked
    typed = "Signed acknowledgement — підпис потерпілої особи."
    page.locator("#item-info_understanding").fill(typed)
    field.set_input_files(str(tmp_path / "scan.pdf"))
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/sections/right_to_information$"))
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("“scan.pdf” is named as a PDF file but its content is PNG.")
    expect(page.locator("#item-info_understanding")).to_have_value(typed)
    assert_accessible(page)
    shot(page, artifacts, "attachments-refused")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#item-info_materials_files")

    # the refusal in Russian, and removal
    switch_language(page, "ru")
    expect(page.locator("#q-info_materials_files")).to_contain_text("Допустимые типы")
    switch_language(page, "en")
    page.get_by_role("checkbox", name=f"Remove {POSTER}").check()
    page.get_by_role("button", name="Save draft").click()
    expect(links).to_have_text([LEAFLET])
    expect(page.locator("#item-info_understanding")).to_have_value(typed)
