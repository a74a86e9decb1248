"""Reply services: drafts without validation, submission with validation."""

import pytest

from monitor.extensions import db
from monitor.rounds.models import Audience
from monitor.submissions import services
from monitor.submissions.models import ReplyStatus
from tests.factories import make_world

COMPLETE = {
    "info_law": "Law on identification and assistance of victims (2014), article 12.",
    "info_languages": ["hy", "ru"],
    "comp_victims": "12",
    "victims": {"2022|total": "10", "2022|sex:female": "7", "2022|sex:male": "3"},
}


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        yield w


def test_draft_saves_anything_and_submission_validates(app, world):
    s = db.session
    user = world.users["contact_am"]
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    # a draft keeps a number that does not parse, and an empty required item
    services.save_answers(s, reply, user, {"comp_victims": "twelve", "info_law": None}, "en")
    s.commit()
    with pytest.raises(services.SubmissionError) as exc:
        services.submit_reply(s, reply, user)
    items = {p.item_id for p in exc.value.problems}
    assert {"comp_victims", "info_law", "info_languages", "victims"} <= items
    assert services.answer_values(s, reply)["comp_victims"] == "twelve"
    assert reply.status == ReplyStatus.DRAFT


def test_submit_complete_reply_is_read_only_and_audited(app, world):
    from sqlmodel import select

    from monitor.core.models import AuditEvent

    s = db.session
    user = world.users["contact_am"]
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    assert services.save_answers(s, reply, user, COMPLETE, "fr") == 4
    services.submit_reply(s, reply, user)
    s.commit()
    assert reply.status == ReplyStatus.SUBMITTED and reply.submitted_by_id == user.id
    with pytest.raises(services.SubmissionError):
        services.save_answers(s, reply, user, {"info_law": "changed"}, "en")
    actions = s.exec(select(AuditEvent.action).where(AuditEvent.object_id == reply.id)).all()
    assert "reply.submitted" in actions
    assert services.answers_of(s, reply)["info_law"].language == "fr"


@pytest.mark.parametrize("blank", [None, "", "   \n ", []])
def test_required_multiple_choice_blank_in_any_form_blocks(app, world, blank):
    """known-failures B07: a required item cannot be skipped by any empty form."""
    s = db.session
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    values = dict(COMPLETE, info_languages=blank)
    services.save_answers(s, reply, world.users["contact_am"], values, "en")
    with pytest.raises(services.SubmissionError) as exc:
        services.submit_reply(s, reply, world.users["contact_am"])
    assert [p.item_id for p in exc.value.problems] == ["info_languages"]


def test_table_parts_above_total_is_an_error_naming_the_cell(app, world):
    s = db.session
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    values = dict(
        COMPLETE,
        victims={
            "2022|total": "5",
            "2022|sex:female": "7",
            "2022|sex:male": "1",
            "2022|exploitation:sexual": "5",
            "2022|exploitation:labour": "4",
        },
    )
    services.save_answers(s, reply, world.users["contact_am"], values, "en")
    problems = services.check_reply(s, reply)
    errors = [p for p in problems if p.level == "error"]
    assert [(p.item_id, p.cell) for p in errors] == [
        ("victims", "2022|sex:female"),
        # the warning below must be explained (or the figures corrected) before submitting
        ("victims", "explanation"),
    ]
    assert "7" in errors[0].message and "5" in errors[0].message
    assert "2022, Women and girls" in errors[0].message
    # exploitation parts (5 + 4 > 5) may exceed the total: one victim, several forms
    assert not any(p.cell and "exploitation" in p.cell for p in problems)
    # sex parts not summing to the total is only a warning (declared so in the table)
    assert any(p.level == "warning" and p.cell == "2022|total" for p in problems)


def test_convictions_above_prosecutions_is_a_warning_only(app, world):
    s = db.session
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    values = dict(COMPLETE, justice={"2023|prosecutions": "3", "2023|convictions": "5"})
    services.save_answers(s, reply, world.users["contact_am"], values, "en")
    problems = services.check_reply(s, reply)
    assert [(p.level, p.cell) for p in problems if p.item_id == "justice"] == [
        ("warning", "2023|convictions"),
        ("error", "explanation"),
    ]
    with pytest.raises(services.SubmissionError) as exc:
        services.submit_reply(s, reply, world.users["contact_am"])
    assert [p.cell for p in exc.value.problems] == ["explanation"]
    # an explanation lets the respondent submit figures that a warning flags
    values["justice"] = {
        **values["justice"],
        "explanation": "Convictions in 2023 include cases prosecuted in 2022.",
    }
    services.save_answers(s, reply, world.users["contact_am"], values, "en")
    services.submit_reply(s, reply, world.users["contact_am"])


def test_unchanged_answer_keeps_its_author(app, world):
    s = db.session
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    services.save_answers(s, reply, world.users["contributor_am"], {"info_law": "A"}, "en")
    assert services.save_answers(s, reply, world.users["contact_am"], {"info_law": "A"}, "en") == 0
    assert (
        services.answers_of(s, reply)["info_law"].updated_by_id == world.users["contributor_am"].id
    )


def test_ngo_submission_needs_organisation_and_is_confidential_by_default(app, world):
    s = db.session
    with pytest.raises(services.SubmissionError):
        services.get_or_create_reply(s, world.am, Audience.NGO)
    reply = services.get_or_create_reply(s, world.am, Audience.NGO, world.ngo_org)
    assert reply.confidential is True
    assert reply.questionnaire_version_id != world.am.questionnaire_version_id


def test_one_party_reply_per_evaluation_enforced_by_the_database(app, world):
    import sqlalchemy.exc

    from monitor.submissions.models import Reply

    s = db.session
    services.get_or_create_reply(s, world.am, Audience.PARTY)
    s.commit()
    s.add(
        Reply(
            evaluation_id=world.am.id,
            audience=Audience.PARTY,
            questionnaire_version_id=world.am.questionnaire_version_id,
        )
    )
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        s.flush()
    s.rollback()
    # NGO submissions of two organisations on the same evaluation are fine
    from monitor.accounts.models import Organisation

    other = Organisation(name="Second NGO")
    s.add(other)
    s.flush()
    services.get_or_create_reply(s, world.am, Audience.NGO, world.ngo_org)
    services.get_or_create_reply(s, world.am, Audience.NGO, other)
    s.flush()
