"""Loading a changed questionnaire into a round with replies (issue 3, point 7; known
failure B08): answered items may not vanish, drafts move to the new version with renamed
answers, submitted replies stay on (and render with) the version they were answered on."""

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import func, select

from monitor.accounts.models import Organisation, Party, Role, User
from monitor.accounts.services import create_user
from monitor.cli import main
from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.questionnaires.loader import DefinitionError
from monitor.rounds.models import Audience, Evaluation, EvaluationRound, QuestionnaireVersion
from monitor.rounds.services import (
    AnsweredItemsRemoved,
    evaluation_for,
    get_round,
    load_round,
    ngo_questionnaire_version,
)
from monitor.submissions import services
from monitor.submissions.definitions import definition_of
from monitor.submissions.models import Answer, Reply, ReplyStatus
from tests.factories import PASSWORD, login
from tests.questionnaires.helpers import DATA, replace, where

B08 = DATA / "b08"
Q8_RETIRED = (
    "          - id: q8\n"
    "            kind: long_text\n"
    "            label: Describe the identification procedure.\n"
    "            retired: true\n"
)
Q8_TEXT = "A multidisciplinary team interviews each presumed victim."


@dataclass
class World:
    folder: Path
    #: reply ids: AM and UA submitted on v1, GE a draft, NGO a draft on AM
    replies: dict[str, int]
    #: version ids of v1 (Party codes, and "NGO")
    v1: dict[str, int]
    emails: dict[str, str]


def count(model: type) -> int:
    return db.session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def world(app: Flask, tmp_path: Path) -> World:
    """Round 4 loaded from the B08 files (v1), two submitted Party replies that answer q7
    and q8, a Party draft and an NGO draft."""
    folder = tmp_path / "b08"
    shutil.copytree(B08, folder)
    with app.app_context():
        s = db.session
        rnd = load_round(s, folder / "round.yaml")
        s.flush()
        replies: dict[str, int] = {}
        emails: dict[str, str] = {}
        for code in ("AM", "UA", "GE"):
            party = s.exec(select(Party).where(Party.code == code)).one()
            user = create_user(
                s, f"{code.lower()}@example.org", code, PASSWORD, Role.PARTY_CONTACT, party=party
            )
            emails[code] = user.email
            reply = services.get_or_create_reply(s, evaluation_for(s, rnd, code), Audience.PARTY)
            if code in ("AM", "UA"):
                values = {"q7": "12" if code == "AM" else "40", "q8": Q8_TEXT, "q10": "police"}
                services.save_answers(s, reply, user, values, "en")
                services.submit_reply(s, reply, user)
            else:
                # q9 saved blank: a blank answer is no answer
                values = {"q7": "3", "q8": "Draft: " + Q8_TEXT, "q9": ""}
                services.save_answers(s, reply, user, values, "en")
            replies[code] = reply.id  # type: ignore[assignment]
        org = Organisation(name="La Strada", party_id=s.exec(select(Party.id)).first())
        s.add(org)
        s.flush()
        ngo_user = create_user(s, "ngo@example.org", "NGO", PASSWORD, Role.NGO, organisation=org)
        emails["NGO"] = ngo_user.email
        emails["panel"] = create_user(s, "panel@example.org", "P", PASSWORD, Role.PANEL).email
        ngo_reply = services.get_or_create_reply(s, evaluation_for(s, rnd, "AM"), Audience.NGO, org)
        services.save_answers(s, ngo_reply, ngo_user, {"ngo_gaps": "Few inspectors"}, "en")
        replies["NGO"] = ngo_reply.id  # type: ignore[assignment]
        v1 = {c: evaluation_for(s, rnd, c).questionnaire_version_id for c in ("AM", "UA", "GE")}
        v1["NGO"] = ngo_questionnaire_version(s, rnd).id  # type: ignore[assignment]
        s.commit()
        return World(folder, replies, v1, emails)


def use_v2(world: World, q8: str = "retired") -> Path:
    """Put party_v2.yaml (q7 re-worded, q9/q10 swapped) in place of party.yaml, with q8
    ``retired`` (as written), ``deleted`` or ``renamed`` to q8_procedure."""
    path = world.folder / "party.yaml"
    shutil.copy(B08 / "party_v2.yaml", path)
    if q8 == "deleted":
        replace(path, Q8_RETIRED, "")
    elif q8 == "renamed":
        replace(
            path,
            Q8_RETIRED,
            "          - id: q8_procedure\n"
            "            kind: long_text\n"
            "            label: Describe the identification procedure.\n"
            "            renamed_from: [q8]\n",
        )
    return world.folder / "round.yaml"


def reply(reply_id: int) -> Reply:
    found = db.session.get(Reply, reply_id)
    assert found is not None
    return found


def answers(reply_id: int) -> dict[str, object]:
    return services.answer_values(db.session, reply(reply_id))


def actions() -> list[str]:
    return list(db.session.exec(select(AuditEvent.action)).all())


def snapshot() -> dict[str, object]:
    s = db.session
    return {
        "versions": count(QuestionnaireVersion),
        "audit": count(AuditEvent),
        "answers": sorted(
            (a.reply_id, a.item_id, str(a.value)) for a in s.exec(select(Answer)).all()
        ),
        "replies": sorted(
            (r.id, r.questionnaire_version_id, r.version) for r in s.exec(select(Reply)).all()
        ),
        "evaluations": sorted(
            (e.id, e.questionnaire_version_id) for e in s.exec(select(Evaluation)).all()
        ),
        "titles": [r.title for r in s.exec(select(EvaluationRound)).all()],
    }


# --- refusals ----------------------------------------------------------------------------


def test_b08_deleting_an_answered_item_is_refused_and_nothing_is_stored(
    app: Flask, world: World
) -> None:
    path = use_v2(world, q8="deleted")
    # another change in the same load must not be stored either
    replace(path, "title: Fourth test round", "title: Fourth round (edited)")
    with app.app_context():
        before = snapshot()
        with pytest.raises(AnsweredItemsRemoved) as info:
            load_round(db.session, path)
        # refused before anything was written: not even flushed into this session
        assert not db.session.new and not db.session.dirty
        assert snapshot() == before
        db.session.rollback()
        assert snapshot() == before

    error = info.value
    assert isinstance(error, DefinitionError)
    by_party = {c.party_code: c for c in error.conflicts}
    assert set(by_party) == {"AM", "UA", "GE"}
    am = by_party["AM"]
    assert (am.item_id, am.reason, am.answers, am.replies, am.submitted) == (
        "q8",
        "removed",
        1,
        1,
        1,
    )
    assert am.version_ids == (world.v1["AM"],)
    assert by_party["GE"].submitted == 0
    messages = [str(p) for p in error.problems]
    assert len(messages) == 3
    # located at the items of the section q8 was in, in the file to edit
    at = where(world.folder / "party.yaml", "items:")
    assert all(m.startswith(at + ": round 4, the Party questionnaire of ") for m in messages)
    am_message = next(m for m in messages if "questionnaire of AM" in m)
    assert (
        f"item 'q8' (section identification) is no longer in the questionnaire but has "
        f"1 answer in 1 reply (1 submitted) on questionnaire version {world.v1['AM']}: keep "
        "the item with 'retired: true', or list 'q8' in the 'renamed_from' of the item "
        "that replaces it"
    ) in am_message


def test_round_load_command_refuses_and_exits_1(
    app: Flask, runner: FlaskCliRunner, world: World
) -> None:
    path = use_v2(world, q8="deleted")
    with app.app_context():
        before = snapshot()
    result = runner.invoke(main, ["round", "load", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert sum("item 'q8' (section identification)" in line for line in lines) == 3
    assert "retired: true" in result.output
    assert lines[-1] == "3 problems; nothing was loaded."
    with app.app_context():
        assert snapshot() == before


def test_blank_answers_do_not_block_a_removal(app: Flask, world: World) -> None:
    """q9 has only GE's blank draft answer: deleting it is allowed; a real answer is not."""
    path = use_v2(world)
    replace(
        world.folder / "party.yaml",
        "          - id: q9\n            kind: yes_no\n"
        "            label: Is there a national referral mechanism?\n",
        "",
    )
    with app.app_context():
        load_round(db.session, path)
        db.session.commit()
        assert reply(world.replies["GE"]).questionnaire_version_id != world.v1["GE"]

    shutil.copy(B08 / "party.yaml", world.folder / "party.yaml")  # back to v1: q9 again
    with app.app_context():
        load_round(db.session, path)
        ge = reply(world.replies["GE"])
        user = db.session.exec(select(User).where(User.email == world.emails["GE"])).one()
        services.save_answers(db.session, ge, user, {"q9": "partly"}, "en")
        db.session.commit()
    use_v2(world)
    replace(
        world.folder / "party.yaml",
        "          - id: q9\n            kind: yes_no\n"
        "            label: Is there a national referral mechanism?\n",
        "",
    )
    with app.app_context(), pytest.raises(AnsweredItemsRemoved) as info:
        load_round(db.session, path)
    [conflict] = info.value.conflicts
    assert (conflict.party_code, conflict.item_id, conflict.submitted) == ("GE", "q9", 0)


def test_renamed_from_must_keep_ids_that_still_have_answers(app: Flask, world: World) -> None:
    """Submitted replies keep q8 on v1: a later version must still name q8 in
    renamed_from, so that their answers stay traceable by id."""
    path = use_v2(world, q8="renamed")
    with app.app_context():
        load_round(db.session, path)
        db.session.commit()
    replace(world.folder / "party.yaml", "            renamed_from: [q8]\n", "")
    with app.app_context(), pytest.raises(AnsweredItemsRemoved) as info:
        load_round(db.session, path)
    assert {(c.party_code, c.item_id, c.submitted) for c in info.value.conflicts} == {
        ("AM", "q8", 1),
        ("UA", "q8", 1),
    }


def test_rename_onto_an_answered_item_is_a_collision(app: Flask, world: World) -> None:
    path = use_v2(world, q8="deleted")
    replace(
        world.folder / "party.yaml",
        "            label: Who identifies victims?\n",
        "            label: Who identifies victims?\n            renamed_from: [q8]\n",
    )
    with app.app_context(), pytest.raises(AnsweredItemsRemoved) as info:
        load_round(db.session, path)
    reasons = {(c.party_code, c.item_id, c.reason) for c in info.value.conflicts}
    # AM and UA answered both q8 and q10; GE never answered q10, so its q8 could follow
    assert reasons == {("AM", "q8", "collision"), ("UA", "q8", "collision")}
    assert "would follow the rename to 'q10'" in str(info.value)


def test_an_old_id_claimed_by_two_items_is_refused(app: Flask, world: World) -> None:
    path = use_v2(world, q8="renamed")
    replace(
        world.folder / "party.yaml",
        "            label: Who identifies victims?\n",
        "            label: Who identifies victims?\n            renamed_from: [q8]\n",
    )
    with app.app_context(), pytest.raises(AnsweredItemsRemoved) as info:
        load_round(db.session, path)
    assert {c.reason for c in info.value.conflicts} == {"ambiguous"}
    assert "several items list it in renamed_from (q8_procedure, q10)" in str(info.value)


# --- accepted changes ----------------------------------------------------------------------


def test_b08_retired_item_submitted_replies_stay_drafts_move(app: Flask, world: World) -> None:
    path = use_v2(world)
    with app.app_context():
        changes: list[str] = []
        load_round(db.session, path, changes=changes)
        db.session.commit()
        rnd = get_round(db.session, 4)
        assert rnd is not None
        assert count(QuestionnaireVersion) == 4 + 3  # v2 for AM, UA, GE; NGO unchanged
        new = {
            c: evaluation_for(db.session, rnd, c).questionnaire_version_id
            for c in "AM UA GE".split()
        }
        assert all(new[c] != world.v1[c] for c in new)

        # submitted replies stay on v1 with every answer, q8 included
        for code in ("AM", "UA"):
            r = reply(world.replies[code])
            assert (r.status, r.questionnaire_version_id) == (ReplyStatus.SUBMITTED, world.v1[code])
            assert answers(world.replies[code])["q8"] == Q8_TEXT
            labels = [
                i.label for i in definition_of(db.session, r.questionnaire_version_id).items()
            ]
            assert "Number of victims identified" in labels

        # the draft moved to v2 (its save counter went up); q8 is kept, retired
        ge = reply(world.replies["GE"])
        assert ge.questionnaire_version_id == new["GE"]
        assert ge.version == 2
        assert answers(world.replies["GE"])["q8"] == "Draft: " + Q8_TEXT
        v2 = definition_of(db.session, new["GE"])
        q8 = next(i for i in v2.items() if i.id == "q8")
        assert q8.retired
        assert [i.id for i in v2.sections()[0].items] == ["q7", "q8", "q10", "q9"]

        assert actions().count("evaluation.version_changed") == 3
        [moved] = db.session.exec(
            select(AuditEvent).where(AuditEvent.action == "reply.version_changed")
        ).all()
        assert (moved.object_type, moved.object_id) == ("Reply", world.replies["GE"])
        assert moved.evaluation_id == ge.evaluation_id
        assert moved.detail == {"old": world.v1["GE"], "new": new["GE"]}
        assert "reply.answers_renamed" not in actions()
        assert (
            f"moved draft reply {world.replies['GE']} (GE) from questionnaire version "
            f"{world.v1['GE']} to {new['GE']}"
        ) in changes
        assert (
            f"submitted reply {world.replies['AM']} (AM) stays on questionnaire version "
            f"{world.v1['AM']}"
        ) in changes

        # idempotent: the same files again change nothing
        audit = count(AuditEvent)
        again: list[str] = []
        load_round(db.session, path, changes=again)
        db.session.commit()
        assert again == ["round 4 is up to date"]
        assert count(AuditEvent) == audit


def test_b08_renamed_item_answers_follow_in_drafts_only(app: Flask, world: World) -> None:
    path = use_v2(world, q8="renamed")
    with app.app_context():
        changes: list[str] = []
        load_round(db.session, path, changes=changes)
        db.session.commit()
        ge = answers(world.replies["GE"])
        assert "q8" not in ge
        assert ge["q8_procedure"] == "Draft: " + Q8_TEXT
        assert ge["q7"] == "3"
        for code in ("AM", "UA"):  # submitted: untouched, still q8 on v1
            assert answers(world.replies[code])["q8"] == Q8_TEXT
        [event] = db.session.exec(
            select(AuditEvent).where(AuditEvent.action == "reply.answers_renamed")
        ).all()
        assert (event.object_type, event.object_id) == ("Reply", world.replies["GE"])
        assert event.detail["renamed"] == {"q8": "q8_procedure"}
        assert f"renamed answers of reply {world.replies['GE']}: q8 -> q8_procedure" in changes
        # the moved draft validates against v2 like any other draft
        problems = services.check_reply(db.session, reply(world.replies["GE"]))
        assert not [p for p in problems if p.item_id in ("q8", "q8_procedure")]


def test_reverting_to_an_earlier_version_reuses_it(app: Flask, world: World) -> None:
    path = use_v2(world)
    with app.app_context():
        load_round(db.session, path)
        db.session.commit()
    shutil.copy(B08 / "party.yaml", world.folder / "party.yaml")
    with app.app_context():
        versions = count(QuestionnaireVersion)
        load_round(db.session, path)
        db.session.commit()
        assert count(QuestionnaireVersion) == versions  # v1 is found by its hash
        rnd = get_round(db.session, 4)
        assert rnd is not None
        assert evaluation_for(db.session, rnd, "GE").questionnaire_version_id == world.v1["GE"]
        assert reply(world.replies["GE"]).questionnaire_version_id == world.v1["GE"]
        assert reply(world.replies["GE"]).version == 3  # moved twice


def test_ngo_drafts_follow_renames_and_removals_are_refused(app: Flask, world: World) -> None:
    ngo = world.folder / "ngo.yaml"
    replace(
        ngo,
        "- id: ngo_gaps\n",
        "- id: ngo_identification_gaps\n            renamed_from: [ngo_gaps]\n",
    )
    path = world.folder / "round.yaml"
    with app.app_context():
        load_round(db.session, path)
        db.session.commit()
        rnd = get_round(db.session, 4)
        assert rnd is not None
        newest = ngo_questionnaire_version(db.session, rnd)
        assert newest.id != world.v1["NGO"]
        r = reply(world.replies["NGO"])
        assert r.questionnaire_version_id == newest.id
        assert answers(r.id) == {"ngo_identification_gaps": "Few inspectors"}
        # a submission started now uses the newest NGO version too
        org = Organisation(name="Another NGO")
        db.session.add(org)
        db.session.flush()
        started = services.get_or_create_reply(
            db.session, evaluation_for(db.session, rnd, "UA"), Audience.NGO, org
        )
        assert started.questionnaire_version_id == newest.id
        db.session.commit()

    replace(ngo, "            renamed_from: [ngo_gaps]\n", "")
    replace(ngo, "- id: ngo_identification_gaps\n", "- id: ngo_other\n")
    with app.app_context(), pytest.raises(AnsweredItemsRemoved) as info:
        load_round(db.session, path)
    [conflict] = info.value.conflicts
    assert (conflict.audience, conflict.party_code, conflict.item_id) == (
        "ngo",
        None,
        "ngo_identification_gaps",
    )
    [problem] = info.value.problems
    assert str(problem).startswith(where(ngo, "items:") + ": round 4, the NGO questionnaire:")


# --- rendering -----------------------------------------------------------------------------


def test_b08_submitted_reply_renders_with_the_wording_answered(app: Flask, world: World) -> None:
    path = use_v2(world)
    with app.app_context():
        load_round(db.session, path)
        db.session.commit()
    client = app.test_client()
    login(client, world.emails["panel"])
    page = client.get(f"/replies/{world.replies['AM']}/view")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Number of victims identified" in html
    assert "formally identified" not in html
    assert "Describe the identification procedure." in html and Q8_TEXT in html
    # v1's order: q9 before q10
    assert html.index("national referral mechanism") < html.index("Who identifies victims?")

    # the moved draft is answered on v2: new wording, new order
    ge = app.test_client()
    login(ge, world.emails["GE"])
    html = ge.get(f"/replies/{world.replies['GE']}/sections/identification").get_data(as_text=True)
    assert "Number of victims formally identified by the authorities" in html
    assert html.index("Who identifies victims?") < html.index("national referral mechanism")
    assert 'value="3"' in html  # q7 kept


# --- repeatable groups and answers in the way ----------------------------------------------

GROUP = (
    "          - id: bodies\n"
    "            kind: group\n"
    "            label: Co-ordinating bodies\n"
    "            items:\n"
    "              - id: body_name\n"
    "                kind: text\n"
    "                label: Name\n"
    "              - id: body_year\n"
    "                kind: year\n"
    "                label: Set up in\n"
)


def test_group_members_follow_renames_inside_entries(app: Flask, tmp_path: Path) -> None:
    """A repeatable group answered as one list of entries (member id -> value): renamed
    members are renamed in every entry; an answered member may not vanish."""
    folder = tmp_path / "b08"
    shutil.copytree(B08, folder)
    party = folder / "party.yaml"
    last_option = "              - {code: ngo, label: Specialised NGOs}\n"
    replace(party, last_option, last_option + GROUP)
    entries = [{"body_name": "Council", "body_year": "2015"}, {"body_name": "", "body_year": ""}]
    with app.app_context():
        rnd = load_round(db.session, folder / "round.yaml")
        ge = evaluation_for(db.session, rnd, "GE")
        draft = Reply(
            evaluation_id=ge.id,  # type: ignore[arg-type]
            audience=Audience.PARTY,
            questionnaire_version_id=ge.questionnaire_version_id,
        )
        db.session.add(draft)
        db.session.flush()
        db.session.add(Answer(reply_id=draft.id, item_id="bodies", value=entries))  # type: ignore[arg-type]
        db.session.commit()
        draft_id = draft.id

    replace(
        party,
        "              - id: body_name\n",
        "              - id: body_title\n                renamed_from: [body_name]\n",
    )
    with app.app_context():
        changes: list[str] = []
        load_round(db.session, folder / "round.yaml", changes=changes)
        db.session.commit()
        assert answers(draft_id)["bodies"] == [
            {"body_title": "Council", "body_year": "2015"},
            {"body_title": "", "body_year": ""},
        ]
        [event] = db.session.exec(
            select(AuditEvent).where(AuditEvent.action == "reply.answers_renamed")
        ).all()
        assert event.detail["renamed"] == {}
        assert len(event.detail["group_answers"]) == 1

    replace(
        party,
        "              - id: body_year\n                kind: year\n"
        "                label: Set up in\n",
        "",
    )
    with app.app_context(), pytest.raises(AnsweredItemsRemoved) as info:
        load_round(db.session, folder / "round.yaml")
    [conflict] = info.value.conflicts
    assert (conflict.party_code, conflict.item_id, conflict.reason) == (
        "GE",
        "body_year",
        "removed",
    )


def test_a_blank_answer_in_the_way_of_a_rename_gives_way(app: Flask, world: World) -> None:
    ngo = world.folder / "ngo.yaml"
    path = world.folder / "round.yaml"
    more = (
        "          - id: ngo_more\n            kind: long_text\n            label: Anything else?\n"
    )
    with open(ngo, "a", encoding="utf-8") as f:
        f.write(more)
    with app.app_context():
        load_round(db.session, path)  # the NGO draft moves to a version with ngo_more
        r = reply(world.replies["NGO"])
        user = db.session.exec(select(User).where(User.email == world.emails["NGO"])).one()
        services.save_answers(db.session, r, user, {"ngo_more": " "}, "en")
        db.session.commit()
        assert answers(r.id) == {"ngo_gaps": "Few inspectors", "ngo_more": " "}

    # ngo_more takes over ngo_gaps, which goes
    replace(
        ngo,
        "          - id: ngo_gaps\n            kind: long_text\n"
        "            label: What are the main gaps in identification?\n"
        "            required: true\n",
        "",
    )
    replace(
        ngo,
        "            label: Anything else?\n",
        "            label: Anything else?\n            renamed_from: [ngo_gaps]\n",
    )
    with app.app_context():
        load_round(db.session, path)
        db.session.commit()
        assert answers(world.replies["NGO"]) == {"ngo_more": "Few inspectors"}
        events = db.session.exec(
            select(AuditEvent).where(AuditEvent.action == "reply.answers_renamed")
        ).all()
        assert events[-1].detail["renamed"] == {"ngo_gaps": "ngo_more"}
        assert events[-1].detail["blank_removed"] == ["ngo_more"]
