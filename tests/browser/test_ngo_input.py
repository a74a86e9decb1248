"""NGO registration, a joint submission and answers carried over from an earlier round,
in a real browser, each page scanned with axe (issue 4, points 7, 8 and 10).

This module adds its own Party (Georgia, with a round-2 reply submitted and a round-3
evaluation), organisation and users to the live database, so that no other test's
replies or accounts change.
"""

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlmodel import select

from monitor.accounts.models import Organisation, Party, Role
from monitor.accounts.services import create_user
from monitor.core.time import utcnow
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation, EvaluationRound, QuestionnaireVersion
from monitor.submissions.models import Answer, Reply, ReplyStatus
from tests.a11y import assert_accessible
from tests.browser.helpers import DEMO_PASSWORD, shot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def georgia(live_app: Flask) -> int:
    """Georgia: a submitted round-2 reply (Armenia's demo answers, as if Georgia had
    given them) and a round-3 evaluation without a reply; its contact person
    contact.ge@example.org. Returns the round-3 evaluation id."""
    with live_app.app_context():
        s = db.session
        am = s.exec(select(Party).where(Party.code == "AM")).one()
        am_eval = s.exec(select(Evaluation).where(Evaluation.party_id == am.id)).one()
        am_reply = s.exec(
            select(Reply).where(Reply.evaluation_id == am_eval.id, Reply.audience == Audience.PARTY)
        ).one()
        round3 = s.get(EvaluationRound, am_eval.round_id)
        ge = Party(code="GE", name="Georgia")
        round2 = EvaluationRound(
            instrument_id=round3.instrument_id, number=2, title="Second evaluation round"
        )
        s.add_all([ge, round2])
        s.flush()
        version = s.get(QuestionnaireVersion, am_eval.questionnaire_version_id)
        v2 = QuestionnaireVersion(
            round_id=round2.id,
            audience=Audience.PARTY,
            party_code="GE",
            content_hash=version.content_hash,
            definition=version.definition,
        )
        s.add(v2)
        s.flush()
        ev2 = Evaluation(round_id=round2.id, party_id=ge.id, questionnaire_version_id=v2.id)
        ev3 = Evaluation(round_id=round3.id, party_id=ge.id, questionnaire_version_id=version.id)
        s.add_all([ev2, ev3])
        s.flush()
        old = Reply(
            evaluation_id=ev2.id,
            audience=Audience.PARTY,
            questionnaire_version_id=v2.id,
            status=ReplyStatus.SUBMITTED,
            submitted_at=utcnow(),
        )
        s.add(old)
        s.flush()
        for a in s.exec(select(Answer).where(Answer.reply_id == am_reply.id)).all():
            s.add(Answer(reply_id=old.id, item_id=a.item_id, value=a.value, language=a.language))
        create_user(
            s,
            "contact.ge@example.org",
            "Contact person, Georgia",
            DEMO_PASSWORD,
            Role.PARTY_CONTACT,
            party=ge,
        )
        s.commit()
        return ev3.id


def test_carried_over_answers_are_marked_and_confirmed(
    page: Page, artifacts: Path, georgia: int
) -> None:
    sign_in(page, "contact.ge@example.org")
    page.goto(f"/evaluations/{georgia}")
    page.get_by_role("button", name="Start the reply").click()
    expect(page).to_have_url(re.compile(r"/replies/\d+$"))
    expect(page.get_by_text("Answers from the previous round have been filled in")).to_be_visible()
    assert_accessible(page)
    page.locator(".task-list a").first.click()
    marks = page.locator(".carried-over")
    count = marks.count()
    assert count >= 1
    expect(marks.first).to_contain_text("Carried over from round 2 — confirm or update")
    assert_accessible(page)
    shot(page, artifacts, "carried-over-section")
    marks.first.get_by_role("button", name="Confirm").click()
    expect(page.locator(".carried-over")).to_have_count(count - 1)
    if count > 1:
        page.get_by_role("button", name="Confirm all answers carried over in this section").click()
        expect(page.locator(".carried-over")).to_have_count(0)
    # the check page still lists the other sections' carried answers
    page.goto(page.url.split("/sections/")[0] + "/check")
    expect(page.locator("#error-summary")).to_contain_text("Carried over from round 2")
    assert_accessible(page)


def test_registration_approval_and_sign_in(page: Page, artifacts: Path) -> None:
    page.goto("/login")
    page.get_by_role("link", name="Register your organisation").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    assert_accessible(page)
    page.get_by_label("Name of the organisation").fill("Tbilisi Migrant Support")
    page.get_by_label("Country it reports on").select_option(label="Armenia")
    page.get_by_label("Contact person").fill("Nino Applicant")
    page.get_by_label("E-mail address").fill("nino@example.org")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Password again").fill("a long enough password")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("awaiting approval")
    assert_accessible(page)
    page.goto("/login")
    page.get_by_label("E-mail address").fill("nino@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.locator("main").get_by_role("button").click()
    expect(page.locator("main")).to_contain_text("awaiting approval by the secretariat")

    sign_in(page, "secretariat@example.org")
    page.get_by_role("link", name="Registrations").click()
    expect(page.locator("main")).to_contain_text("Tbilisi Migrant Support")
    assert_accessible(page)
    shot(page, artifacts, "registrations-pending")
    page.get_by_role("button", name="Approve Tbilisi Migrant Support").click()
    expect(page.locator("main")).to_contain_text("has been approved")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "nino@example.org", "a long enough password")


def test_joint_submission(page: Page, artifacts: Path, live_app: Flask) -> None:
    with live_app.app_context():
        org = Organisation(name="La Strada Moldova")
        db.session.add(org)
        db.session.flush()
        create_user(
            db.session,
            "lastrada@example.org",
            "La Strada (demo)",
            DEMO_PASSWORD,
            Role.NGO,
            organisation=org,
        )
        db.session.commit()
    sign_in(page, "ngo.am@example.org")
    row = page.locator("main li").filter(has_text="Republic of Moldova")
    row.get_by_role("button", name="Start").click()
    expect(page).to_have_url(re.compile(r"/replies/\d+$"))
    expect(page.locator("main")).to_contain_text("never the authorities of the country")
    page.get_by_role("group", name="Organisations to invite").get_by_label(
        "La Strada Moldova"
    ).check()
    page.get_by_role("button", name="Invite to co-sign").click()
    expect(page.locator("#joint ~ table")).to_contain_text("Invited")
    assert_accessible(page)
    shot(page, artifacts, "ngo-task-list-joint")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "lastrada@example.org")
    page.get_by_role("link", name="Joint submissions").click()
    assert_accessible(page)
    page.locator("main .task-list a").first.click()
    expect(page).to_have_url(re.compile(r"/replies/\d+/view$"))
    assert_accessible(page)
    page.get_by_role("button", name="Accept to co-sign").click()
    expect(page.locator(".joint-submission")).to_have_text(
        "Joint submission by Armenian Coalition against Trafficking, La Strada Moldova"
    )
