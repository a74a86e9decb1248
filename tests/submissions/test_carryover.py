"""Answers carried over from the Party's reply to an earlier round (issue 4, point 7):
offered pre-filled, marked, never submitted until confirmed or changed."""

import copy
from datetime import date

import pytest
from sqlmodel import select

from monitor.core.models import AuditEvent
from monitor.core.time import utcnow
from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions import carryover, services
from monitor.submissions.models import Answer, Reply, ReplyStatus
from tests.factories import (
    PARTY_Q,
    _version,
    assign_all_sections,
    detach_world,
    login,
    make_world,
)

#: Round 2's questionnaire: the factories' one with a few differences.
ROUND2_Q = copy.deepcopy(PARTY_Q)
ROUND2_Q["id"] = "test_party_round2"
_items = {i["id"]: i for p in ROUND2_Q["parts"] for s in p["sections"] for i in s["items"]}
# a kind that changed: round 2 asked for a long text, round 3 for a short one
_items["comp_contact"].update(kind="long_text")
# an option round 3 no longer offers
_items["info_languages"]["options"].append({"code": "de", "label": "German"})
ROUND2_Q["parts"][0]["sections"][0]["items"].append(
    {"id": "old_only", "kind": "text", "label": "Asked in round 2 only"}
)

ROUND2_ANSWERS = {
    "info_law": "Law on assistance to victims (2014).",
    "info_body": "ngo",
    "info_languages": ["hy", "de"],  # "de" is no longer an option: not carried
    "comp_contact": "The Ministry of Justice",  # kind changed: not carried
    "comp_victims": "12",
    "victims": {"2019|total": "4"},  # statistics: never carried
    "has_body": "yes",
    "bodies": [{"body_name": "National Council", "body_kind": "commission", "body_staff": "5"}],
    "old_only": "gone",
}
CARRIED = {"info_law", "info_body", "comp_victims", "has_body", "bodies"}


def add_round2_reply(session, world, status=ReplyStatus.SUBMITTED) -> Reply:
    """Round 2 of the same instrument with an evaluation of AM and its reply (submitted
    by default) holding ROUND2_ANSWERS; flushed."""
    rnd = EvaluationRound(instrument_id=world.round.instrument_id, number=2, title="Second round")
    session.add(rnd)
    session.flush()
    version = _version(session, rnd, ROUND2_Q, Audience.PARTY, "AM")
    ev = Evaluation(
        round_id=rnd.id,
        party_id=world.am.party_id,
        questionnaire_version_id=version.id,
        questionnaire_sent=date(2019, 1, 15),
    )
    session.add(ev)
    session.flush()
    reply = Reply(
        evaluation_id=ev.id,
        audience=Audience.PARTY,
        questionnaire_version_id=version.id,
        status=status,
        submitted_at=utcnow() if status == ReplyStatus.SUBMITTED else None,
    )
    session.add(reply)
    session.flush()
    for key, value in ROUND2_ANSWERS.items():
        session.add(Answer(reply_id=reply.id, item_id=key, value=value, language="en"))
    session.flush()
    return reply


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        yield w


def test_new_reply_is_given_the_previous_rounds_valid_answers_marked(app, world):
    s = db.session
    earlier = add_round2_reply(s, world)
    reply = services.get_or_create_reply(
        s, world.am, Audience.PARTY, actor=world.users["contact_am"]
    )
    s.commit()
    answers = services.answers_of(s, reply)
    assert set(answers) == CARRIED
    assert all(a.carried_over_from_reply_id == earlier.id for a in answers.values())
    assert answers["bodies"].value == ROUND2_ANSWERS["bodies"]
    assert carryover.carried_answers(s, reply) == dict.fromkeys(CARRIED, 2)
    event = s.exec(select(AuditEvent).where(AuditEvent.action == "reply.carried_over")).one()
    assert event.detail == {"from_reply": earlier.id, "round": 2, "answers": len(CARRIED)}
    assert event.actor_id == world.users["contact_am"].id
    # asking again returns the same reply and copies nothing more
    assert services.get_or_create_reply(s, world.am, Audience.PARTY).id == reply.id
    assert len(services.answers_of(s, reply)) == len(CARRIED)


@pytest.mark.parametrize("status", [ReplyStatus.DRAFT])
def test_an_unsubmitted_earlier_reply_is_not_carried(app, world, status):
    add_round2_reply(db.session, world, status=status)
    reply = services.get_or_create_reply(db.session, world.am, Audience.PARTY)
    assert services.answers_of(db.session, reply) == {}


def test_other_party_and_ngo_get_nothing(app, world):
    s = db.session
    add_round2_reply(s, world)
    ua = services.get_or_create_reply(s, world.ua, Audience.PARTY)
    ngo = services.get_or_create_reply(s, world.am, Audience.NGO, world.ngo_org)
    assert services.answers_of(s, ua) == {} and services.answers_of(s, ngo) == {}


def test_a_later_round_is_never_carried_into_an_earlier_one(app, world):
    """Round 3 submitted, round 2 created afterwards (a Party catching up): nothing."""
    s = db.session
    third = services.get_or_create_reply(s, world.am, Audience.PARTY)
    services.save_answers(s, third, world.users["contact_am"], {"info_law": "x"}, "en")
    third.status = ReplyStatus.SUBMITTED
    s.add(third)
    s.flush()
    rnd = EvaluationRound(instrument_id=world.round.instrument_id, number=2, title="Second")
    s.add(rnd)
    s.flush()
    version = _version(s, rnd, ROUND2_Q, Audience.PARTY, "AM")
    ev = Evaluation(
        round_id=rnd.id, party_id=world.am.party_id, questionnaire_version_id=version.id
    )
    s.add(ev)
    s.flush()
    second = services.get_or_create_reply(s, ev, Audience.PARTY)
    assert services.answers_of(s, second) == {}


@pytest.mark.parametrize(
    ("old", "new", "value", "carried"),
    [
        ({"kind": "text"}, {"kind": "text"}, "same", True),
        ({"kind": "long_text"}, {"kind": "text"}, "kind changed", False),
        ({"kind": "number"}, {"kind": "number", "max": 10}, "12", False),  # now out of range
        ({"kind": "number"}, {"kind": "number", "max": 100}, "12", True),
        ({"kind": "long_text"}, {"kind": "long_text", "max_chars": 3}, "too long", False),
        ({"kind": "file"}, {"kind": "file"}, [1], False),  # attachments stay with their reply
        ({"kind": "text"}, {"kind": "text"}, "   ", False),  # blank
        (
            {"kind": "single_choice", "options": [{"code": "a", "label": "A"}]},
            {"kind": "single_choice", "options": [{"code": "b", "label": "B"}]},
            "a",
            False,
        ),
        (
            {"kind": "money", "currencies": ["EUR", "AMD"]},
            {"kind": "money", "currencies": ["EUR"]},
            {"amount": "10", "currency": "AMD"},
            False,
        ),
        (
            {"kind": "group", "label": "G", "items": [{"id": "m", "kind": "text", "label": "M"}]},
            {"kind": "group", "label": "G", "items": [{"id": "m", "kind": "number", "label": "M"}]},
            [{"m": "12"}],
            False,  # a member's kind changed
        ),
    ],
)
def test_only_values_valid_for_the_new_item_are_carried(old, new, value, carried):
    from pydantic import TypeAdapter

    from monitor.questionnaires.schema import Item

    adapter = TypeAdapter(Item)
    old_item = adapter.validate_python({"id": "q", "label": "Q", **old})
    new_item = adapter.validate_python({"id": "q", "label": "Q", **new})
    assert carryover.carried_value(new_item, old_item, value) is carried


def test_carried_answers_block_submission_until_confirmed_or_changed(app, world):
    s = db.session
    user = world.users["contact_am"]
    add_round2_reply(s, world)
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    s.commit()
    # everything required is there, but the carried answers are not yet confirmed
    services.save_answers(
        s,
        reply,
        user,
        {"info_languages": ["hy"], "victims": {"2022|total": "1", "2022|sex:female": "1"}},
        "en",
    )
    s.commit()
    problems = [p for p in services.check_reply(s, reply) if p.level == "error"]
    assert {p.item_id for p in problems} == CARRIED
    assert all(p.message == "Carried over from round 2 — confirm or update" for p in problems)
    with pytest.raises(services.SubmissionError):
        services.submit_reply(s, reply, user)
    s.rollback()
    # saving the same value again is no decision: still awaiting confirmation
    services.save_answers(s, reply, user, {"info_law": ROUND2_ANSWERS["info_law"]}, "en")
    assert "info_law" in carryover.carried_answers(s, reply)
    # changing it is one
    services.save_answers(s, reply, user, {"info_law": "Amended law (2024)."}, "en")
    assert "info_law" not in carryover.carried_answers(s, reply)
    assert carryover.confirm(s, reply, user, ["info_body", "comp_victims"]) == 2
    assert set(carryover.carried_answers(s, reply)) == {"has_body", "bodies"}
    assert carryover.confirm(s, reply, user, ["has_body", "bodies"]) == 2
    answers = services.answers_of(s, reply)
    assert answers["bodies"].updated_by_id == user.id
    assert [p for p in services.check_reply(s, reply) if p.level == "error"] == []
    services.submit_reply(s, reply, user)
    s.commit()
    actions = s.exec(select(AuditEvent.action).where(AuditEvent.object_id == reply.id)).all()
    assert actions.count("reply.carried_over_confirmed") == 2


def test_a_carried_answer_hidden_by_the_carried_answers_is_kept_inactive(app, world):
    s = db.session
    earlier = add_round2_reply(s, world)
    # round 2's has_body answer is no valid yes/no answer in round 3: not carried, so
    # the carried bodies (shown only if has_body = 'yes') are hidden
    for answer in services.answers_of(s, earlier).values():
        if answer.item_id == "has_body":
            answer.value = "maybe"
            s.add(answer)
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    answers = services.answers_of(s, reply)
    assert "has_body" not in answers  # not a valid yes/no answer any more
    assert answers["bodies"].active is False  # hidden: show_if has_body = 'yes'
    assert answers["info_law"].active is True


def test_a_carried_answer_the_respondent_hides_is_not_listed(app, world):
    s = db.session
    user = world.users["contact_am"]
    add_round2_reply(s, world)
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    # "no" hides the bodies: their carried answer is kept but not asked about
    services.save_answers(s, reply, user, {"has_body": "no"}, "en")
    ids = {p.item_id for p in services.check_reply(s, reply) if p.level == "error"}
    assert "bodies" not in ids and "has_body" not in ids
    assert "info_law" in ids


# --- over HTTP ---------------------------------------------------------------------------


@pytest.fixture
def web_world(app):
    with app.app_context():
        w = make_world(db.session)
        add_round2_reply(db.session, w)
        db.session.commit()
        return detach_world(db.session, w)


def _party_reply(client, world) -> int:
    resp = client.post(f"/evaluations/{world.am.id}/reply")
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


def test_section_page_marks_carried_answers_and_confirm_buttons_work(client, web_world, app):
    login(client, web_world.users["contributor_am"])
    rid = _party_reply(client, web_world)
    assign_all_sections(app, rid, web_world.users["contributor_am"])  # contributors edit these
    tasks = client.get(f"/replies/{rid}").get_data(as_text=True)
    assert "Answers from the previous round have been filled in for you." in tasks
    assert "2 to confirm" in tasks  # information: info_law, info_body
    html = client.get(f"/replies/{rid}/sections/information").get_data(as_text=True)
    assert "Law on assistance to victims (2014)." in html
    assert html.count("Carried over from round 2 — confirm or update") == 2
    assert 'form="carried-form" name="item" value="info_law"' in html
    assert "2 answers in this section were carried over from the previous round." in html
    # the check page lists them as needing confirmation, linked to their questions
    check = client.get(f"/replies/{rid}/check").get_data(as_text=True)
    assert check.count("Carried over from round 2 — confirm or update") == len(CARRIED)
    assert "#item-info_body" in check
    # a Save with the values unchanged is not a confirmation
    client.post(
        f"/replies/{rid}/sections/information",
        data={
            "info_law": "Law on assistance to victims (2014).",
            "info_body": "ngo",
            "action": "stay",
        },
    )
    assert (
        client.get(f"/replies/{rid}/sections/information")
        .get_data(as_text=True)
        .count("Carried over from round 2")
        == 2
    )
    # one item, then the rest of another section at once
    resp = client.post(
        f"/replies/{rid}/sections/information/confirm-carried", data={"item": "info_law"}
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#q-info_law")
    html = client.get(f"/replies/{rid}/sections/information").get_data(as_text=True)
    assert html.count("Carried over from round 2 — confirm or update") == 1
    client.post(f"/replies/{rid}/sections/coordination/confirm-carried", data={"all": "1"})
    with app.app_context():
        reply = db.session.get(Reply, rid)
        assert set(carryover.carried_answers(db.session, reply)) == {"info_body", "comp_victims"}


def test_confirm_refused_to_others_and_after_submission(client, web_world, app):
    login(client, web_world.users["contact_am"])
    rid = _party_reply(client, web_world)
    client.post("/logout")
    login(client, web_world.users["contact_ua"])
    url = f"/replies/{rid}/sections/information/confirm-carried"
    assert client.post(url, data={"all": "1"}).status_code == 404
    client.post("/logout")
    login(client, web_world.users["ngo"])
    assert client.post(url, data={"all": "1"}).status_code == 404
    with app.app_context():
        reply = db.session.get(Reply, rid)
        assert len(carryover.carried_answers(db.session, reply)) == len(CARRIED)


def test_carried_answers_count_as_not_answered_in_progress(app, world):
    """The task list's progress: an answer awaiting confirmation is not an answer, and
    a section holding one is never shown as completed (the critic saw sections marked
    completed before anything was confirmed)."""
    from monitor.submissions.definitions import definition_of
    from monitor.submissions.progress import section_progress

    s = db.session
    add_round2_reply(s, world)
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    s.commit()
    definition = definition_of(s, reply.questionnaire_version_id)
    values = services.answer_values(s, reply)
    carried = list(carryover.carried_answers(s, reply))
    blind = section_progress(definition, values)  # as before: carried ones counted
    progress = section_progress(definition, values, carried)
    assert blind["information"].answered == 2
    assert progress["information"].answered == 0
    assert progress["information"].status == "in_progress"
    assert all(p.status != "completed" for p in progress.values())
    # confirmed, they count
    carryover.confirm(s, reply, world.users["contact_am"], ["info_law", "info_body"])
    s.commit()
    carried = list(carryover.carried_answers(s, reply))
    progress = section_progress(definition, services.answer_values(s, reply), carried)
    assert progress["information"].answered == 2


def test_confirming_records_who_and_when(app, world):
    s = db.session
    add_round2_reply(s, world)
    reply = services.get_or_create_reply(s, world.am, Audience.PARTY)
    s.commit()
    before = utcnow()
    carryover.confirm(s, reply, world.users["contact_am"], ["info_law"])
    s.commit()
    answer = services.answers_of(s, reply)["info_law"]
    assert answer.updated_by_id == world.users["contact_am"].id
    assert answer.updated_at >= before
