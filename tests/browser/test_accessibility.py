"""Accessibility of the respondent's screens in a real browser (issue 4, point 10):
axe-core finds no serious or critical violation on the task list, a section page with a
statistics table and its errors shown, check answers with errors, the conflict page and
the confirmation page; and a reply is filled, checked and submitted with the keyboard
alone, the error summary taking the focus, each of its links moving the focus to its
field, every focused control visibly outlined.

Works on a small questionnaire of its own for a Party of its own (Liechtenstein), so that
no other test's reply changes.
"""

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlmodel import select

from monitor.accounts.models import Party, Role, User
from monitor.accounts.services import create_user
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions import services
from monitor.submissions.models import Reply
from tests.a11y import assert_accessible
from tests.browser.helpers import DEMO_PASSWORD, shot, sign_in
from tests.factories import _version

pytestmark = pytest.mark.browser

CONTACT = "contact.li@example.org"
OTHER = "contributor.li@example.org"

QUESTIONNAIRE: dict[str, Any] = {
    "id": "a11y",
    "title": "Questionnaire for the accessibility tests",
    "audience": "party",
    "parts": [
        {
            "id": "p1",
            "title": "Part I",
            "sections": [
                {
                    "id": "law",
                    "title": "Legal framework",
                    "items": [
                        {
                            "id": "law_name",
                            "kind": "text",
                            "label": "Which law defines trafficking?",
                            "required": True,
                        },
                        {
                            "id": "law_kind",
                            "kind": "single_choice",
                            "label": "Where is it defined?",
                            "required": True,
                            "options": [
                                {"code": "criminal", "label": "In the criminal code"},
                                {"code": "special", "label": "In a special law"},
                            ],
                        },
                        {
                            "id": "law_leaflet",
                            "kind": "yes_no",
                            "label": "Is there a leaflet for victims?",
                            "required": True,
                        },
                        {
                            "id": "law_bodies",
                            "kind": "multiple_choice",
                            "label": "Which bodies apply it?",
                            "options": [
                                {"code": "police", "label": "The police"},
                                {"code": "labour", "label": "The labour inspectorate"},
                            ],
                        },
                    ],
                },
                {
                    "id": "figures",
                    "title": "Figures",
                    "items": [
                        {
                            "id": "victims",
                            "kind": "statistics_table",
                            "label": "Victims identified",
                            "required": True,
                            "total": False,
                            "rows": [
                                {"code": "y2022", "label": "2022"},
                                {"code": "y2023", "label": "2023"},
                            ],
                            "column_groups": [
                                {
                                    "columns": [
                                        {"code": "women", "label": "Women"},
                                        {"code": "men", "label": "Men"},
                                    ]
                                }
                            ],
                        },
                        {
                            "id": "remarks",
                            "kind": "long_text",
                            "label": "Remarks on the figures",
                        },
                    ],
                },
            ],
        }
    ],
}


@pytest.fixture(scope="module")
def liechtenstein(live_app: Flask) -> int:
    """A Party with an evaluation on the questionnaire above, its contact person and a
    contributor; returns the evaluation id."""
    with live_app.app_context():
        rnd = db.session.exec(select(EvaluationRound)).first()
        assert rnd is not None
        party = Party(code="LI", name="Liechtenstein")
        db.session.add(party)
        db.session.flush()
        version = _version(db.session, rnd, QUESTIONNAIRE, Audience.PARTY, "LI")
        evaluation = Evaluation(
            round_id=rnd.id,  # type: ignore[arg-type]
            party_id=party.id,  # type: ignore[arg-type]
            questionnaire_version_id=version.id,  # type: ignore[arg-type]
            questionnaire_sent=date(2024, 1, 15),
        )
        db.session.add(evaluation)
        create_user(
            db.session,
            CONTACT,
            "Contact, Liechtenstein",
            DEMO_PASSWORD,
            Role.PARTY_CONTACT,
            party=party,
        )
        create_user(
            db.session,
            OTHER,
            "Contributor, Liechtenstein",
            DEMO_PASSWORD,
            Role.PARTY_CONTRIBUTOR,
            party=party,
        )
        db.session.commit()
        return evaluation.id  # type: ignore[return-value]


def _focused(page: Page) -> dict[str, Any]:
    """The focused element: its id, tag, text, and whether its focus is visible (an
    outline or a box shadow, computed)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
            return {id: el.id, tag: el.tagName, text: (el.textContent || '').trim(),
                    value: el.value || '', visible: outline || s.boxShadow !== 'none'};
        }"""
    )


def _tab_to(page: Page, wanted: Any, limit: int = 80) -> dict[str, Any]:
    """Press Tab until ``wanted(focused)`` holds; every stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] not in ("BODY", "MAIN"):
            assert focused["visible"], f"focus not visible on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError("not reached with Tab")


def _stored(app: Flask) -> dict[str, Any]:
    with app.app_context():
        reply = db.session.exec(
            select(Reply)
            .join(Evaluation, Evaluation.id == Reply.evaluation_id)  # type: ignore[arg-type]
            .join(Party, Party.id == Evaluation.party_id)  # type: ignore[arg-type]
            .where(Party.code == "LI")
        ).one()
        return services.answer_values(db.session, reply)


def _change_as_other(app: Flask, item_id: str, value: Any) -> None:
    with app.app_context():
        reply = db.session.exec(
            select(Reply)
            .join(Evaluation, Evaluation.id == Reply.evaluation_id)  # type: ignore[arg-type]
            .join(Party, Party.id == Evaluation.party_id)  # type: ignore[arg-type]
            .where(Party.code == "LI")
        ).one()
        other = db.session.exec(select(User).where(User.email == OTHER)).one()
        services.save_answers(db.session, reply, other, {item_id: value}, "en")
        db.session.commit()


def test_reply_by_keyboard_alone_with_axe_scans(
    page: Page, live_app: Flask, liechtenstein: int, artifacts: Path
) -> None:
    sign_in(page, CONTACT)
    page.locator("main").get_by_role("link", name="Open the evaluation").click()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/replies/\d+$"))
    task_list = page.url
    assert_accessible(page)  # the task list
    shot(page, artifacts, "a11y-task-list")

    # --- the first section: one answer typed, saved with Enter (the default button)
    _tab_to(page, lambda f: f["text"] == "Legal framework").get("id")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Legal framework"))
    _tab_to(page, lambda f: f["id"] == "item-law_name")
    page.keyboard.insert_text("Criminal Code, article 177")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_be_visible()
    assert _stored(live_app)["law_name"] == "Criminal Code, article 177"

    # --- a conflict: someone else changes the answer while this page is open
    _change_as_other(live_app, "law_name", "Law on trafficking of 2005")
    page.locator("#item-law_name").focus()
    # the whole text selected and typed again: Chromium may select a field's text when
    # it gives it back the focus, so a caret position cannot be relied on here
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("Criminal Code, article 177 and 177-1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Someone else changed these answers")
    assert_accessible(page)  # the conflict page
    shot(page, artifacts, "a11y-conflict")
    _tab_to(page, lambda f: f["id"] == "choice-law_name-theirs")
    page.keyboard.press("ArrowDown")  # radios: the arrow keys move and choose
    assert _focused(page)["id"] == "choice-law_name-mine"
    _tab_to(page, lambda f: f["text"] == "Save my choices")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Legal framework"))
    assert _stored(live_app)["law_name"] == "Criminal Code, article 177 and 177-1"

    # --- check answers: the error summary has the focus; its first link leads to the field
    page.goto(task_list)
    _tab_to(page, lambda f: f["text"] == "Check your answers")
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert _focused(page)["visible"], "the focused error summary shows no outline"
    assert_accessible(page)  # check answers with errors
    shot(page, artifacts, "a11y-check-errors")
    links = page.locator("#error-summary li a")
    assert links.count() == 3  # law_kind, law_leaflet, victims
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["tag"] == "A" and "Where is it defined?" in first["text"]
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sections/law\?check=1#item-law_kind$"))
    expect(page.locator("#q-law_kind input[type=radio]").first).to_be_focused()

    # --- the section's own summary: each link moves the focus to its field
    section_links = page.locator("#error-summary li a")
    assert section_links.count() == 2
    for i in range(section_links.count()):
        anchor = (section_links.nth(i).get_attribute("href") or "").lstrip("#")
        section_links.nth(i).focus()
        page.keyboard.press("Enter")
        inside = page.evaluate(
            "id => { const t = document.getElementById(id); const a = document.activeElement;"
            " return t === a || t.contains(a); }",
            anchor,
        )
        assert inside, f"the link to #{anchor} left the focus on {_focused(page)}"
        assert _focused(page)["visible"]
    # answer both with the keyboard: Space chooses the focused radio
    page.locator("#error-summary li a").nth(0).focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    page.locator("#error-summary li a").nth(1).focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    _tab_to(page, lambda f: f["text"] == "Save and continue")
    page.keyboard.press("Enter")

    # --- the statistics table, with its error shown (from check answers)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Figures"))
    page.goto(page.url.split("#")[0] + "?check=1")
    expect(page.locator("#error-summary")).to_be_focused()
    assert _focused(page)["visible"]
    assert_accessible(page)  # a section page with a statistics table and errors shown
    shot(page, artifacts, "a11y-section-table-errors")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    first_cell = page.locator("#item-victims input").first
    expect(first_cell).to_be_focused()
    for figure in ("12", "3", "15", "4"):
        page.keyboard.insert_text(figure)
        page.keyboard.press("Tab")
    _tab_to(page, lambda f: f["text"] == "Save and return to the task list")
    page.keyboard.press("Enter")
    expect(page).to_have_url(task_list)

    # --- submitted with the keyboard; the confirmation page
    _tab_to(page, lambda f: f["text"] == "Check your answers")
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_have_count(0)
    _tab_to(page, lambda f: f["text"] == "Submit the reply")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/replies/\d+/receipt$"))
    expect(page.locator("#reference")).to_have_text(re.compile(r"^GRETA-\d+-LI-\d{4}-0001$"))
    assert_accessible(page)  # the confirmation page
    shot(page, artifacts, "a11y-receipt")
    stored = _stored(live_app)
    assert stored["law_kind"] == "criminal" and stored["law_leaflet"] == "yes"
    assert stored["victims"] == {
        "y2022|women": "12",
        "y2022|men": "3",
        "y2023|women": "15",
        "y2023|men": "4",
    }
