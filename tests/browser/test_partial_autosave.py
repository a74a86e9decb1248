"""The autosave sends only the questions changed (static/autosave.js, ``_items``): what
it does not send is never cleared, and a question whose boxes are all unticked is
(issue 4, speed and point 2). Works on a Party of its own (San Marino)."""

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, Request, expect
from sqlmodel import select

from monitor.accounts.models import Party, Role, User
from monitor.accounts.services import create_user
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions import services
from monitor.submissions.models import Reply
from tests.browser.helpers import DEMO_PASSWORD, sign_in
from tests.browser.test_accessibility import QUESTIONNAIRE
from tests.factories import _version

pytestmark = pytest.mark.browser

CONTACT = "contact.sm@example.org"
OTHER = "contributor.sm@example.org"


@pytest.fixture(scope="module")
def san_marino(live_app: Flask) -> None:
    with live_app.app_context():
        rnd = db.session.exec(select(EvaluationRound)).first()
        assert rnd is not None
        party = Party(code="SM", name="San Marino")
        db.session.add(party)
        db.session.flush()
        version = _version(db.session, rnd, QUESTIONNAIRE, Audience.PARTY, "SM")
        db.session.add(
            Evaluation(
                round_id=rnd.id,  # type: ignore[arg-type]
                party_id=party.id,  # type: ignore[arg-type]
                questionnaire_version_id=version.id,  # type: ignore[arg-type]
                questionnaire_sent=date(2024, 1, 15),
            )
        )
        for email, role in ((CONTACT, Role.PARTY_CONTACT), (OTHER, Role.PARTY_CONTRIBUTOR)):
            create_user(db.session, email, email, DEMO_PASSWORD, role, party=party)
        db.session.commit()


def _reply(app: Flask) -> Reply:
    return db.session.exec(
        select(Reply)
        .join(Evaluation, Evaluation.id == Reply.evaluation_id)  # type: ignore[arg-type]
        .join(Party, Party.id == Evaluation.party_id)  # type: ignore[arg-type]
        .where(Party.code == "SM")
    ).one()


def _stored(app: Flask) -> dict[str, Any]:
    with app.app_context():
        return services.answer_values(db.session, _reply(app))


def test_autosave_sends_only_what_changed(page: Page, live_app: Flask, san_marino: None) -> None:
    sign_in(page, CONTACT)
    page.locator("main").get_by_role("link", name="Open the evaluation").click()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/replies/\d+$"))
    page.goto(page.url + "/sections/law")
    posted: list[str] = []

    def keep(request: Request) -> None:
        if request.url.endswith("/autosave"):
            posted.append(request.post_data or "")

    page.on("request", keep)
    with page.expect_response(_autosave, timeout=15000):
        page.locator("#item-law_name").fill("Criminal Code")
    assert _stored(live_app)["law_name"] == "Criminal Code"
    assert 'name="_items"\r\n\r\nlaw_name\r\n' in posted[-1]
    assert 'name="law_kind"' not in posted[-1]

    # someone else answers another question of the section meanwhile
    with live_app.app_context():
        other = db.session.exec(select(User).where(User.email == OTHER)).one()
        services.save_answers(db.session, _reply(live_app), other, {"law_leaflet": "no"}, "en")
        db.session.commit()

    boxes = page.locator("#q-law_bodies").get_by_role("checkbox")
    with page.expect_response(_autosave, timeout=15000):
        boxes.nth(0).check()
        boxes.nth(1).check()
    stored = _stored(live_app)
    assert stored["law_bodies"] == ["police", "labour"]
    assert stored["law_leaflet"] == "no" and stored["law_name"] == "Criminal Code"

    # every box unticked: the question is sent with no field of it, and cleared
    with page.expect_response(_autosave, timeout=15000):
        boxes.nth(0).uncheck()
        boxes.nth(1).uncheck()
    stored = _stored(live_app)
    assert stored.get("law_bodies") is None
    assert stored["law_leaflet"] == "no" and stored["law_name"] == "Criminal Code"
    assert 'name="_items"\r\n\r\nlaw_bodies\r\n' in posted[-1]
    assert 'name="law_bodies"' not in posted[-1]


def _autosave(response: Any) -> bool:
    return bool(response.url.endswith("/autosave") and response.status == 200)
