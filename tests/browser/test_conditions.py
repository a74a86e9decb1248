"""Conditional questions and repeatable groups in a real browser (issue 3, points 1 and 3).

Works on Moldova's draft reply; its State compensation and cross-cutting sections are not
touched by the other browser tests.
"""

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from monitor.rounds.models import Audience
from tests.a11y import assert_accessible
from tests.browser.helpers import shot, sign_in
from tests.browser.test_respondent import _open_reply, _stored_answers

pytestmark = pytest.mark.browser


def test_questions_appear_and_disappear_as_the_respondent_answers(
    page: Page, artifacts: Path
) -> None:
    sign_in(page, "contact.md@example.org")
    page.goto("/?lang=en")
    page.goto("/dashboard")
    _open_reply(page)
    page.get_by_role("link", name="State compensation").click()
    legal_basis = page.locator("#q-sc_legal_basis")
    plans = page.locator("#q-sc_plans")
    expect(legal_basis).to_be_hidden()
    expect(plans).to_be_hidden()
    scheme = page.locator("#q-sc_exists")
    scheme.get_by_label("Yes").check()
    expect(legal_basis).to_be_visible()  # shown at once, before any save
    expect(page.locator("#q-sc_maximum")).to_be_visible()
    expect(plans).to_be_hidden()
    page.locator("#item-sc_legal_basis").fill("Law on State compensation (demo)")
    scheme.get_by_label("No").check()
    expect(legal_basis).to_be_hidden()
    expect(plans).to_be_visible()
    assert_accessible(page)
    shot(page, artifacts, "conditions-state-compensation")
    # the answer typed while the question was shown is kept, hidden, after a save
    page.get_by_role("button", name="Save draft").click()
    expect(plans).to_be_visible()
    expect(legal_basis).to_be_hidden()
    expect(page.locator("#item-sc_legal_basis")).to_have_value("Law on State compensation (demo)")


def test_repeatable_group_add_entry_and_member_condition(
    page: Page, artifacts: Path, live_app: Flask
) -> None:
    sign_in(page, "contact.md@example.org")
    page.goto("/?lang=en")
    page.goto("/dashboard")
    _open_reply(page)
    page.get_by_role("link", name="Cross-cutting questions").click()
    group = page.locator("#item-cc_coordinating_bodies")
    expect(group.locator("fieldset.group-entry")).to_have_count(1)
    first = page.locator("#entry-cc_coordinating_bodies-0")
    first.get_by_label("Name of the body").fill("National Committee for Combating Trafficking")
    ngos = page.locator("#q-cc_coordinating_bodies__0__cb_ngos")
    expect(ngos).to_be_hidden()
    first.get_by_label("Inter-agency commission or council").check()
    expect(ngos).to_be_visible()
    ngos.get_by_label("Yes").check()
    page.get_by_role("button", name="Add another entry").click()
    expect(page).to_have_url(re.compile(r"#entry-cc_coordinating_bodies-1$"))
    expect(group.locator("fieldset.group-entry")).to_have_count(2)
    second = page.locator("#entry-cc_coordinating_bodies-1")
    second.get_by_label("Name of the body").fill("National Rapporteur")
    second.get_by_label("Another type of body", exact=True).check()
    second.get_by_label("please specify").fill("Ombudsperson's office")
    expect(page.locator("#q-cc_coordinating_bodies__1__cb_ngos")).to_be_hidden()
    assert_accessible(page)
    shot(page, artifacts, "group-two-entries")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#entry-cc_coordinating_bodies-1")).to_be_visible()
    stored = _stored_answers(live_app, "MD", Audience.PARTY)
    assert stored["cc_coordinating_bodies"] == [
        {
            "cb_name": "National Committee for Combating Trafficking",
            "cb_type": "commission",
            "cb_ngos": "yes",
        },
        {
            "cb_name": "National Rapporteur",
            "cb_type": "other",
            "cb_type__other": "Ombudsperson's office",
        },
    ]
    # removing the first entry keeps the second
    page.locator("#entry-cc_coordinating_bodies-0").get_by_role("button").click()
    expect(group.locator("fieldset.group-entry")).to_have_count(1)
    expect(
        page.locator("#entry-cc_coordinating_bodies-0").get_by_label("Name of the body")
    ).to_have_value("National Rapporteur")


def test_enter_in_a_field_saves_without_switching_language(page: Page, live_app: Flask) -> None:
    """Critic's find: Enter pressed the first submit button of the section form, which was
    a header language button: the page came back in another language."""
    sign_in(page, "contact.md@example.org")
    page.goto("/?lang=en")
    page.goto("/dashboard")
    _open_reply(page)
    page.get_by_role("link", name="Cross-cutting questions").click()
    field = page.locator("#item-cc_action_plan_end")
    field.fill("2027")
    field.press("Enter")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(field).to_have_value("2027")
    assert _stored_answers(live_app, "MD", Audience.PARTY)["cc_action_plan_end"] == "2027"
