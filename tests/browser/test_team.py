"""The multi-agency reply in a real browser (issue 4, point 1): the contact person
invites two contributors, each accepts through the link in the e-mail, the contact
assigns them a section each, each answers their section and marks it ready for review,
and the contact reviews both and submits the reply.

Works on a Party of its own (Georgia, answering the Armenian questionnaire version), so
that submitting touches no other test's reply. Every section but the two the
contributors answer is filled beforehand from the Armenian demo reply.
"""

import re
from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from monitor.accounts.models import Party, Role, User
from monitor.accounts.services import create_user
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation
from monitor.submissions import services
from monitor.submissions.definitions import definition_of
from monitor.submissions.models import Reply, ReplyStatus
from monitor.submissions.team_models import SectionStatus
from tests.a11y import assert_accessible
from tests.browser.helpers import DEMO_PASSWORD, shot, sign_in

pytestmark = pytest.mark.browser

CONTACT = "contact.ge@example.org"
#: (e-mail, name, section id, section title) of the two contributors.
PEOPLE = [
    (
        "justice.ge@example.org",
        "Nino Justice",
        "ex_officio",
        "Ex parte and ex officio applications",
    ),
    ("interior.ge@example.org", "Giorgi Interior", "non_punishment", "Non-punishment of victims"),
]


@pytest.fixture(scope="module")
def reply_id(live_app: Flask) -> int:
    """Georgia's draft reply, complete but for the two contributors' sections."""
    with live_app.app_context():
        s = db.session
        am = s.exec(
            select(Evaluation)
            .join(Party, Party.id == Evaluation.party_id)
            .where(Party.code == "AM")  # type: ignore[arg-type]
        ).one()
        ge = Party(code="GE", name="Georgia")
        s.add(ge)
        s.flush()
        ev = Evaluation(
            round_id=am.round_id,
            party_id=ge.id,  # type: ignore[arg-type]
            questionnaire_version_id=am.questionnaire_version_id,
            questionnaire_sent=date(2026, 2, 1),
            reply_due=date(2026, 7, 1),
        )
        s.add(ev)
        s.flush()
        contact = create_user(
            s, CONTACT, "Contact person, Georgia", DEMO_PASSWORD, Role.PARTY_CONTACT, party=ge
        )
        am_reply = services.find_reply(s, am, Audience.PARTY)
        assert am_reply is not None
        definition = definition_of(s, am.questionnaire_version_id)
        left_out = {
            i.id
            for sec in definition.sections()
            if sec.id in {p[2] for p in PEOPLE}
            for i in sec.items
        }
        files = {i.id for i in definition.items() if i.kind == "file"}
        values = {
            k: v
            for k, v in services.answer_values(s, am_reply).items()
            if k.split("__", 1)[0] not in left_out | files
        }
        reply = services.get_or_create_reply(s, ev, Audience.PARTY)
        services.save_answers(s, reply, contact, values, "en")
        s.commit()
        return int(reply.id)  # type: ignore[arg-type]


def _invitation_link(app: Flask, email: str) -> str:
    """The path of the invitation link in the newest e-mail to ``email`` (mail folder)."""
    parser = BytesParser(policy=policy.default)
    for path in sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"), reverse=True):
        msg = parser.parsebytes(path.read_bytes())
        if msg["To"].addresses[0].addr_spec == email:
            text = msg.get_body(("plain",)).get_content()
            m = re.search(r"(https?://\S+/invitations/\S+)", text)
            assert m, text
            url = urlsplit(m.group(1))
            return f"{url.path}?{url.query}"
    raise AssertionError(f"no e-mail to {email}")


def test_contact_and_two_contributors_complete_and_submit(
    page: Page, browser: Browser, live_app: Flask, live_server: str, reply_id: int, artifacts: Path
) -> None:
    task_list = f"/replies/{reply_id}"
    sign_in(page, CONTACT)
    page.goto(task_list)
    page.get_by_role("link", name="Team: invite contributors and assign sections").click()
    expect(page.get_by_role("heading", level=1, name="Team")).to_be_visible()
    assert_accessible(page)

    # the contact invites two contributors
    for email, name, _sid, _title in PEOPLE:
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Full name").fill(name)
        page.get_by_label("Language of the invitation").select_option("en")
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.locator(".flash-success")).to_contain_text(
            f"An invitation has been sent to {email}."
        )
    expect(page.locator("table.data")).to_contain_text("not yet accepted")

    # each accepts through the link in the e-mail and is signed in
    contributors: list[Page] = []
    for email, name, _sid, _title in PEOPLE:
        context = browser.new_context(base_url=live_server)
        other = context.new_page()
        other.goto(_invitation_link(live_app, email))
        expect(other.get_by_role("heading", level=1)).to_have_text("Join the reply of Georgia")
        expect(other.get_by_label("Full name")).to_have_value(name)
        assert_accessible(other)
        other.get_by_label("Password", exact=True).fill("a long password 42")
        other.get_by_label("Password again").fill("a long password 42")
        other.get_by_role("button", name="Create my account").click()
        expect(other).to_have_url(re.compile(rf"/replies/{reply_id}$"))
        expect(other.locator("main")).to_contain_text("No section is assigned to you yet")
        contributors.append(other)

    # the contact assigns a section to each
    page.reload()
    for _email, name, _sid, title in PEOPLE:
        page.locator("fieldset.assignment").filter(
            has=page.locator("legend", has_text=title)
        ).get_by_label(name).check()
    page.get_by_role("button", name="Save the assignments").click()
    expect(page.locator(".flash-success")).to_contain_text("The assignments have been saved.")
    expect(page.locator("table.data")).to_contain_text("1 section assigned")
    assert_accessible(page)
    shot(page, artifacts, "team-page")

    # each contributor answers their section and marks it ready for review
    answers = {
        "ex_officio": lambda p: (
            p.locator('input[name="exo_ex_officio"][value="yes"]').check(),
            p.locator('input[name="exo_withdrawal"][value="continue"]').check(),
        ),
        "non_punishment": lambda p: (
            p.locator('input[name="np_provision"][value="specific"]').check(),
            p.locator("#item-np_text").fill("Article 9 of the Law on combating trafficking."),
        ),
    }
    for other, (_email, name, sid, title) in zip(contributors, PEOPLE, strict=True):
        other.reload()
        task = other.locator(f"#task-{sid}")
        expect(task).to_contain_text(f"Assigned to: {name}")
        # another section: read-only for this contributor
        other.goto(
            f"{task_list}/sections/{'non_punishment' if sid == 'ex_officio' else 'ex_officio'}"
        )
        expect(other.locator("#section-form")).to_have_count(0)
        expect(other.locator(".notice").first).to_contain_text("You can read this section.")
        assert_accessible(other)
        other.goto(task_list)
        other.get_by_role("link", name=title).click()
        answers[sid](other)
        other.get_by_role("button", name="Save and return to the task list").click()
        expect(other).to_have_url(re.compile(rf"/replies/{reply_id}$"))
        task = other.locator(f"#task-{sid}")
        expect(task.locator(".tag.review")).to_contain_text("In progress")
        expect(task).to_contain_text(f"Last changed by {name} on")
        task.get_by_role("button", name="Mark ready for review").click()
        expect(other.locator(f"#task-{sid} .tag.review")).to_contain_text("Ready for review")
        assert_accessible(other)
        # a contributor never gets the submit button
        other.locator("main").get_by_role("link", name="Check your answers").click()
        expect(other.get_by_role("button", name="Submit the reply")).to_have_count(0)
        other.context.close()

    # the contact reviews both sections and submits
    page.goto(task_list)
    for _email, _name, sid, _title in PEOPLE:
        task = page.locator(f"#task-{sid}")
        expect(task.locator(".tag.review")).to_contain_text("Ready for review")
        task.get_by_role("button", name="Mark reviewed").click()
        expect(page.locator(f"#task-{sid} .tag.review")).to_contain_text("Reviewed")
    assert_accessible(page)
    shot(page, artifacts, "team-task-list")
    page.locator("main").get_by_role("link", name="Check your answers").click()
    expect(page.locator("#error-summary")).to_have_count(0)
    page.get_by_role("button", name="Submit the reply").click()
    expect(page).to_have_url(re.compile(rf"/replies/{reply_id}/receipt$"))
    expect(page.locator("#reference")).to_have_text(re.compile(r"^GRETA-\d+-GE-\d{4}-0001$"))

    with live_app.app_context():
        s = db.session
        reply = s.get(Reply, reply_id)
        assert reply is not None and reply.status == ReplyStatus.SUBMITTED
        answers_by = services.answers_of(s, reply)
        users = {
            u.email: u.id for u in s.exec(select(User).where(User.role == Role.PARTY_CONTRIBUTOR))
        }
        assert answers_by["exo_withdrawal"].updated_by_id == users[PEOPLE[0][0]]
        assert answers_by["np_text"].updated_by_id == users[PEOPLE[1][0]]
        from monitor.submissions import team

        assert team.section_status(s, reply, "ex_officio") == SectionStatus.REVIEWED
        assert team.section_status(s, reply, "non_punishment") == SectionStatus.REVIEWED
