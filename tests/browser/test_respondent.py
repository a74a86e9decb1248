"""Answering questionnaires in a real browser: a Party's contact person and an NGO.

Each test works on its own reply so that the tests do not depend on one another:
Ukraine's reply (language switching), Moldova's draft (keyboard use, check your answers)
and a new NGO submission on Ukraine (a full submission).
"""

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlmodel import select

from monitor.accounts.models import Party
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation
from monitor.submissions.models import Answer, Reply
from tests.a11y import assert_accessible
from tests.browser.helpers import shot, sign_in, switch_language

pytestmark = pytest.mark.browser

#: Long answer mixing Ukrainian, Russian and French (accents, guillemets, ligature).
LONG_TEXT = (
    "Відповідь українською: кожна потерпіла особа отримує письмову інформацію про свої "
    "права мовою, яку вона розуміє, під час першого контакту з поліцією.\n"
    "Пример ответа по-русски: ёЁ, съезд, подъём — памятка выдаётся бесплатно.\n"
    "Réponse en français : « Élodie — n°5 », l'œuvre des ONG, garçon, déjà, où, "
    "Noël ; les victimes reçoivent une brochure traduite. "
) * 3

CELL = "120"


def _open_reply(page: Page) -> None:
    """From the dashboard of a Party user: open the evaluation and start or continue the
    reply (one button, whose label depends on whether the reply exists)."""
    page.locator("main").get_by_role("link", name="Open the evaluation").click()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/replies/\d+$"))


def _question(page: Page, item_id: str) -> Locator:
    return page.locator(f"#q-{item_id}")


def _stored_answers(app: Flask, party_code: str, audience: Audience) -> dict[str, Any]:
    """Item id -> stored value of the (only) reply of ``audience`` on the Party."""
    with app.app_context():
        reply = db.session.exec(
            select(Reply)
            .join(Evaluation, Evaluation.id == Reply.evaluation_id)  # type: ignore[arg-type]
            .join(Party, Party.id == Evaluation.party_id)  # type: ignore[arg-type]
            .where(Party.code == party_code, Reply.audience == audience)
        ).one()
        answers = db.session.exec(select(Answer).where(Answer.reply_id == reply.id)).all()
        return {a.item_id: a.value for a in answers}


def test_typed_values_survive_language_switches(
    page: Page, artifacts: Path, live_app: Flask
) -> None:
    """Known failure B03: nothing typed is lost when the language changes, and choices
    are stored as option codes whatever the language."""
    sign_in(page, "contact.ua@example.org")
    # The account's own language is Russian; the user starts in English.
    switch_language(page, "en")
    _open_reply(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".task-list")).to_have_count(3)  # Parts I, II and III
    assert_accessible(page)
    shot(page, artifacts, "respondent-task-list")

    page.get_by_role("link", name="Right to information").click()
    expect(page.get_by_role("heading", level=1, name="Right to information")).to_be_visible()
    assert_accessible(page)

    text = page.locator("#item-info_legal_basis")
    text.fill(LONG_TEXT)
    radio = _question(page, "info_stage").get_by_role("radio").nth(1)
    radio.check()
    boxes = _question(page, "info_bodies").get_by_role("checkbox")
    boxes.nth(0).check()
    boxes.nth(2).check()
    radio_code = radio.get_attribute("value")
    box_codes = [boxes.nth(0).get_attribute("value"), boxes.nth(2).get_attribute("value")]
    shot(page, artifacts, "respondent-section-typed-en")

    def still_there() -> None:
        expect(text).to_have_value(LONG_TEXT)
        expect(radio).to_be_checked()
        expect(boxes.nth(0)).to_be_checked()
        expect(boxes.nth(1)).not_to_be_checked()
        expect(boxes.nth(2)).to_be_checked()

    switch_language(page, "fr")
    still_there()
    shot(page, artifacts, "respondent-section-fr")
    switch_language(page, "ru")
    still_there()
    shot(page, artifacts, "respondent-section-ru")
    switch_language(page, "en")
    still_there()
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    still_there()

    # Part III: a cell of a statistics table, then the same language round trip.
    page.get_by_role("link", name="Back to the task list").click()
    page.get_by_role("link", name="Victims of trafficking").click()
    cell = page.locator("#item-stat_victims_identified input").first
    cell.fill(CELL)
    shot(page, artifacts, "respondent-statistics-typed-en")
    for code in ("fr", "ru", "en"):
        switch_language(page, code)
        expect(cell).to_have_value(CELL)
    page.reload()
    expect(cell).to_have_value(CELL)

    stored = _stored_answers(live_app, "UA", Audience.PARTY)
    assert stored["info_legal_basis"] == LONG_TEXT
    assert stored["info_stage"] == radio_code
    assert stored["info_bodies"] == box_codes
    assert list(stored["stat_victims_identified"].values()) == [CELL]


def test_section_page_by_keyboard(page: Page, artifacts: Path) -> None:
    """Tab reaches the first field and the save buttons; each focused element shows an
    outline."""
    sign_in(page, "contact.md@example.org")
    _open_reply(page)
    page.get_by_role("link", name="Right to information").click()
    expect(page.get_by_role("heading", level=1, name="Right to information")).to_be_visible()

    first_field = page.locator("#section-form").locator("textarea, input:not([type=hidden])")
    first_id = first_field.first.get_attribute("id")
    assert first_id
    buttons = page.locator("#section-form .actions button")
    wanted = {first_id} | {
        f"button:{buttons.nth(i).get_attribute('value')}" for i in range(buttons.count())
    }
    seen: list[str] = []
    no_outline: list[str] = []
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                const key = el.tagName === 'BUTTON' && el.form && el.form.id === 'section-form'
                    && el.closest('.actions') ? 'button:' + el.value : (el.id || el.tagName);
                return {key, outline: style.outlineStyle, width: style.outlineWidth};
            }"""
        )
        seen.append(focused["key"])
        if focused["outline"] == "none" or focused["width"] == "0px":
            no_outline.append(focused["key"])
        if focused["key"] == first_id:
            shot(page, artifacts, "keyboard-first-field-focused")
        if wanted <= set(seen):
            break
    assert wanted <= set(seen), f"not reached by Tab: {wanted - set(seen)}; order: {seen}"
    assert seen.index(first_id) < seen.index("button:stay")
    assert not no_outline, f"focused without a visible outline: {no_outline}"


def _problem_links(page: Page) -> Locator:
    return page.locator("#error-summary li a")


def fill_question(question: Locator) -> None:
    """Answer one question generically, by the kind of its inputs."""
    tables = question.locator("table.stats input")
    if tables.count():
        tables.first.fill("3")
    elif question.locator("textarea").count():
        question.locator("textarea").first.fill("Réponse de démonstration — ёЁ.")
    elif question.get_by_role("checkbox").count():
        question.get_by_role("checkbox").first.check()
    elif question.get_by_role("radio").count():
        question.get_by_role("radio").first.check()
    else:
        field = question.locator("input:not([type=hidden])").first
        kind = field.get_attribute("type") or "text"
        mode = field.get_attribute("inputmode") or ""
        if kind == "date":
            field.fill("2023-03-31")
        elif mode == "numeric":
            field.fill("2020")
        elif mode == "decimal":
            field.fill("5")
        else:
            field.fill("Réponse — ёЁ")


def test_check_answers_lists_missing_items(page: Page, artifacts: Path) -> None:
    """The error summary of "Check your answers" links to each missing required item; the
    link lands on the field with its message; answering an item removes its problem."""
    sign_in(page, "contact.md@example.org")
    _open_reply(page)
    page.locator("main").get_by_role("link", name="Check your answers").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    before = _problem_links(page).count()
    assert before > 0
    assert_accessible(page)
    shot(page, artifacts, "check-answers-errors")

    first = _problem_links(page).first
    href = first.get_attribute("href") or ""
    anchor = href.split("#", 1)[1]
    removed = page.locator(f"#error-summary li a[href$='#{anchor}']").count()
    first.click()
    expect(page).to_have_url(re.compile(r"/sections/\w+\?check=1#" + re.escape(anchor) + "$"))
    target = page.locator(f"[id='{anchor}']")
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()
    question = page.locator(".question").filter(has=target)
    expect(question).to_have_class(re.compile(r"\bform-group-error\b"))
    expect(question.locator(".error-message")).to_be_visible()
    # The section's own summary names the question (not only "Answer this question").
    question_text = question.locator("legend, label.label").first.inner_text()
    expect(page.locator(f"#error-summary a[href='#{anchor}']")).to_contain_text(question_text)
    assert_accessible(page)
    shot(page, artifacts, "check-answers-field-error")

    fill_question(question)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_be_visible()
    page.get_by_role("link", name="Back to the task list").click()
    page.locator("main").get_by_role("link", name="Check your answers").click()
    expect(_problem_links(page)).to_have_count(before - removed)


def _is_required(question: Locator) -> bool:
    has_input = question.locator("input:not([type=hidden]), textarea, select").count() > 0
    optional = question.locator("legend > .muted, label.label > .muted").count() > 0
    return has_input and not optional


def test_ngo_submission_from_start_to_read_only(
    page: Page, artifacts: Path, live_app: Flask
) -> None:
    """An NGO starts a submission on Ukraine, answers every required question, submits,
    and from then on sees the submission read-only."""
    sign_in(page, "ngo.am@example.org")
    row = page.locator("main li").filter(has_text="Ukraine")
    row.get_by_role("button", name="Start").click()
    expect(page).to_have_url(re.compile(r"/replies/\d+$"))
    reply_url = page.url

    sections = page.locator(".task-list a")
    count = sections.count()
    assert count >= 3
    sections.first.click()
    first_section_url = page.url
    filled = 0
    for n in range(count):
        expect(page.locator(".caption")).to_contain_text(f"Section {n + 1} of {count}")
        questions = page.locator("#section-form .question")
        for i in range(questions.count()):
            if _is_required(questions.nth(i)):
                fill_question(questions.nth(i))
                filled += 1
        if n + 1 < count:
            page.get_by_role("button", name="Save and continue").click()
        else:
            page.get_by_role("button", name="Save and return to the task list").click()
    assert filled >= 3
    expect(page).to_have_url(reply_url)

    page.locator("main").get_by_role("link", name="Check your answers").click()
    expect(page.locator("#error-summary")).to_have_count(0)
    # an NGO sends its own input, not the Party's official reply
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your submission"
    )
    page.get_by_role("button", name="Send the submission").click()
    # the confirmation page: reference number in a panel, receipt mailed (to the folder)
    expect(page).to_have_url(re.compile(r"/replies/\d+/receipt$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Submission sent")
    expect(page.get_by_role("status")).to_contain_text("ngo.am@example.org")
    expect(page.locator("#reference")).to_have_text(re.compile(r"^GRETA-\d+-UA-NGO-\d{4}-0001$"))
    assert_accessible(page)
    shot(page, artifacts, "ngo-submitted-receipt")
    page.get_by_role("link", name="View the reply as submitted").click()
    expect(page).to_have_url(re.compile(r"/replies/\d+/view$"))
    expect(page.locator(".notice").first).to_contain_text("Submitted on")
    expect(page.locator(".read-only")).to_contain_text("Réponse de démonstration — ёЁ.")
    assert_accessible(page)
    shot(page, artifacts, "ngo-submitted-read-only")

    page.goto(first_section_url)
    expect(page).to_have_url(re.compile(r"/replies/\d+/view#\w+$"))
    expect(page.locator("#section-form")).to_have_count(0)
    page.goto(reply_url)
    expect(page).to_have_url(re.compile(r"/replies/\d+/view$"))

    with live_app.app_context():
        reply = db.session.exec(
            select(Reply)
            .join(Evaluation, Evaluation.id == Reply.evaluation_id)  # type: ignore[arg-type]
            .join(Party, Party.id == Evaluation.party_id)  # type: ignore[arg-type]
            .where(Party.code == "UA", Reply.audience == Audience.NGO)
        ).one()
        assert reply.status == "submitted"
