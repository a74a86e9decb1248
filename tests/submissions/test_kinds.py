"""The newer item kinds at work: conditions, repeatable groups, table cell states,
"please specify" and exclusive options, decimal numbers (issue 3, points 1-3)."""

import re

import pytest
from sqlmodel import select

from monitor.extensions import db
from monitor.rounds.models import Audience
from monitor.submissions import services
from monitor.submissions.forms import parse_cell
from monitor.submissions.models import Answer
from tests.factories import detach_world, login, make_world
from tests.submissions.test_services import COMPLETE


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        yield w


def _reply(world):
    return services.get_or_create_reply(db.session, world.am, Audience.PARTY)


def _problems(reply, item_id=None):
    found = services.check_reply(db.session, reply)
    return [(p.item_id, p.cell, p.level) for p in found if item_id in (None, p.item_id)]


# --- conditions --------------------------------------------------------------------------


def test_hidden_required_group_is_not_validated_until_shown(app, world):
    reply = _reply(world)
    user = world.users["contact_am"]
    services.save_answers(db.session, reply, user, dict(COMPLETE, has_body="no"), "en")
    assert _problems(reply, "bodies") == []
    services.save_answers(db.session, reply, user, {"has_body": "yes"}, "en")
    assert _problems(reply, "bodies") == [("bodies", None, "error")]


def test_answer_to_an_item_hidden_later_is_kept_inactive_and_not_validated(app, world):
    reply = _reply(world)
    user = world.users["contact_am"]
    long = "far more than twenty characters"
    services.save_answers(
        db.session,
        reply,
        user,
        dict(COMPLETE, has_body="yes", budget_share="75.5", budget_review=long),
        "en",
    )
    assert ("budget_review", None, "error") in _problems(reply, "budget_review")
    answers = services.answers_of(db.session, reply)
    assert answers["budget_review"].active is True
    # the share drops: the follow-up question is hidden, its answer kept but inactive
    services.save_answers(db.session, reply, user, {"budget_share": "20"}, "en")
    answers = services.answers_of(db.session, reply)
    assert answers["budget_review"].value == long
    assert answers["budget_review"].active is False
    assert _problems(reply, "budget_review") == []
    # hiding cascades: has_body unanswered hides budget_review even at 75.5
    services.save_answers(db.session, reply, user, {"budget_share": "75.5", "has_body": None}, "en")
    assert services.answers_of(db.session, reply)["budget_review"].active is False
    # shown again: active again, and validated again
    services.save_answers(db.session, reply, user, {"has_body": "yes"}, "en")
    assert services.answers_of(db.session, reply)["budget_review"].active is True


def test_submission_ignores_hidden_items(app, world):
    reply = _reply(world)
    user = world.users["contact_am"]
    values = dict(COMPLETE, has_body="no", budget_share="10", budget_review="x" * 500)
    services.save_answers(db.session, reply, user, values, "en")
    services.submit_reply(db.session, reply, user)


# --- repeatable groups -------------------------------------------------------------------


def test_group_entries_are_checked_member_by_member(app, world):
    reply = _reply(world)
    user = world.users["contact_am"]
    bodies = [
        {"body_name": "National Commission", "body_kind": "commission"},  # staff missing
        {"body_kind": "other"},  # name missing, "other" not specified
        {"body_name": "Ministry of Labour", "body_kind": "ministry", "body_staff": "x"},
    ]
    services.save_answers(
        db.session, reply, user, dict(COMPLETE, has_body="yes", bodies=bodies), "en"
    )
    found = [(c, lvl) for _i, c, lvl in _problems(reply, "bodies")]
    # body_staff of entry 3 is hidden (not a commission): its bad value is not checked
    assert found == [
        ("0|body_staff", "error"),
        ("1|body_name", "error"),
        ("1|body_kind|other", "error"),
    ]
    messages = [p.message for p in services.check_reply(db.session, reply)]
    assert any(m.startswith("Body 2, Name of the body:") for m in messages)


def test_group_entry_counts(app, world):
    reply = _reply(world)
    user = world.users["contact_am"]
    four = [{"body_name": f"Body {n}", "body_kind": "ministry"} for n in range(4)]
    services.save_answers(
        db.session, reply, user, dict(COMPLETE, has_body="yes", bodies=four), "en"
    )
    assert _problems(reply, "bodies") == [("bodies", None, "error")]
    msg = [p.message for p in services.check_reply(db.session, reply) if p.item_id == "bodies"]
    assert msg == ["Give at most 3 entries."]


# --- choices -----------------------------------------------------------------------------


def test_exclusive_option_cannot_be_combined(app, world):
    reply = _reply(world)
    user = world.users["contact_am"]
    services.save_answers(
        db.session, reply, user, dict(COMPLETE, forms_covered=["sexual", "none"]), "en"
    )
    assert _problems(reply, "forms_covered") == [("forms_covered", None, "error")]
    services.save_answers(db.session, reply, user, {"forms_covered": ["none"]}, "en")
    assert _problems(reply, "forms_covered") == []


def test_other_please_specify_needs_the_text(app, world):
    reply = _reply(world)
    user = world.users["contact_am"]
    services.save_answers(
        db.session, reply, user, dict(COMPLETE, forms_covered=["labour", "other"]), "en"
    )
    assert _problems(reply, "forms_covered") == [("forms_covered", "other", "error")]
    services.save_answers(db.session, reply, user, {"forms_covered__other": "Forced begging"}, "en")
    assert _problems(reply, "forms_covered") == []
    assert services.answer_values(db.session, reply)["forms_covered__other"] == "Forced begging"


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "ok"), [("12.5", True), ("12.55", False), ("100", True), ("100.1", False)]
)
def test_decimal_number_places_and_bounds(app, world, typed, ok):
    reply = _reply(world)
    services.save_answers(
        db.session, reply, world.users["contact_am"], dict(COMPLETE, budget_share=typed), "en"
    )
    assert (_problems(reply, "budget_share") == []) is ok


# --- table cells -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "locale", "stored"),
    [
        ("1 234", "fr", "1234"),
        ("~1 234,5", "fr", {"state": "estimate", "value": "1234.5"}),
        ("≈ 12", "en", {"state": "estimate", "value": "12"}),
        ("n/a", "en", {"state": "not_available", "reason": None}),
        ("Н/Д", "ru", {"state": "not_available", "reason": None}),
        ("lots", "en", {"typed": "lots"}),
        ("1.000", "fr", {"typed": "1.000"}),  # ambiguous: never read as 1 later
        ("~1.000", "fr", {"state": "estimate", "value": {"typed": "1.000"}}),
        ("  ", "en", None),
    ],
)
def test_parse_cell(typed, locale, stored):
    assert parse_cell(typed, locale) == stored


def test_not_available_cells_need_a_reason_and_are_skipped_by_rules(app, world):
    reply = _reply(world)
    user = world.users["contact_am"]
    victims = {
        "2022|total": {"state": "not_available", "reason": None},
        "2022|sex:female": "7",
        "2022|sex:male": "3",
        "2023|total": "10",
        "2023|sex:female": {"state": "estimate", "value": "6"},
        "2023|sex:male": "4",
    }
    services.save_answers(db.session, reply, user, dict(COMPLETE, victims=victims), "en")
    # the part above the "total" is not an error: the total is not available
    assert _problems(reply, "victims") == [("victims", "2022|total|reason", "error")]
    victims["2022|total"] = {"state": "not_available", "reason": "Register started in 2023"}
    services.save_answers(db.session, reply, user, {"victims": victims}, "en")
    assert _problems(reply, "victims") == []


def test_row_not_above_rule(app):
    from monitor.questionnaires.schema import StatisticsTableItem
    from monitor.submissions.validation import check_table

    table = StatisticsTableItem.model_validate(
        {
            "id": "funnel",
            "kind": "statistics_table",
            "label": "Funnel",
            "rows": [
                {"code": "prosecutions", "label": "Prosecutions"},
                {"code": "convictions", "label": "Convictions"},
            ],
            "total": True,
            "column_groups": [{"columns": [{"code": "adults", "label": "Adults"}]}],
            "rules": [{"rule": "row_not_above", "row": "convictions", "other": "prosecutions"}],
        }
    )
    with app.test_request_context():
        found = check_table(
            table,
            {
                "prosecutions|total": "4",
                "convictions|total": "6",
                "prosecutions|adults": {"state": "not_available", "reason": "not kept"},
                "convictions|adults": "3",
            },
        )
    assert [(cell, level) for _m, cell, level in found] == [("convictions|total", "error")]
    assert found[0][0] == "Convictions, Total (6) is more than Prosecutions, Total (4)."


# --- the section page --------------------------------------------------------------------


@pytest.fixture
def web_world(app):
    # no app context held across client requests (it would share g and the session)
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        return detach_world(db.session, w)


@pytest.fixture
def http(app, web_world):
    world = web_world
    client = app.test_client()
    login(client, world.users["contact_am"])
    client.post(f"/evaluations/{world.am.id}/reply")
    with app.app_context():
        reply = services.find_reply(db.session, world.am, Audience.PARTY)
        assert reply is not None
        reply_id = reply.id
    return client, f"/replies/{reply_id}/sections/coordination", reply_id


def _csrf(html: str) -> dict[str, str]:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return {"csrf_token": m.group(1)} if m else {}


def test_section_page_hides_conditional_questions_until_saved(app, http):
    client, url, _reply_id = http
    html = client.get(url).get_data(as_text=True)
    assert "Share of the budget spent on assistance (% of the total)" in html
    assert re.search(r'id="q-bodies"[^>]*\bhidden\b', html)
    assert "data-show-if=" in html and "conditions.js" in html
    data = {**_csrf(html), "has_body": "yes", "bodies__count": "1", "action": "stay"}
    client.post(url, data=data)
    html = client.get(url).get_data(as_text=True)
    assert not re.search(r'id="q-bodies"[^>]*\bhidden\b', html)
    assert 'id="cell-bodies-0-body_name"' in html


def test_group_add_and_remove_entries_keep_typed_answers(app, http):
    client, url, reply_id = http
    html = client.get(url).get_data(as_text=True)
    data = {
        **_csrf(html),
        "has_body": "yes",
        "bodies__count": "1",
        "bodies__0__body_name": "Национальная комиссия",
        "bodies__0__body_kind": "other",
        "bodies__0__body_kind__other": "Inter-agency council",
        "action": "add:bodies",
    }
    resp = client.post(url, data=data)
    assert resp.status_code == 302 and "add=bodies" in resp.location
    assert resp.location.endswith("#entry-bodies-1")
    html = client.get(resp.location).get_data(as_text=True)
    assert 'name="bodies__1__body_name"' in html and "Национальная комиссия" in html
    data = {
        **_csrf(html),
        "has_body": "yes",
        "bodies__count": "2",
        "bodies__0__body_name": "Национальная комиссия",
        "bodies__0__body_kind": "other",
        "bodies__0__body_kind__other": "Inter-agency council",
        "bodies__1__body_name": "Ministry of Labour",
        "bodies__1__body_kind": "ministry",
        "action": "remove:bodies:0",
    }
    resp = client.post(url, data=data)
    assert resp.location.endswith("#item-bodies")  # focus continues from the group
    with app.app_context():
        answer = db.session.exec(
            select(Answer).where(Answer.reply_id == reply_id, Answer.item_id == "bodies")
        ).one()
        assert answer.value == [{"body_name": "Ministry of Labour", "body_kind": "ministry"}]


def test_not_available_cell_asks_for_a_reason_after_saving(app, http):
    client, _url, reply_id = http
    url = f"/replies/{reply_id}/sections/statistics"
    html = client.get(url).get_data(as_text=True)
    assert "Type n/a where a figure is not available" in html
    # cell fields: victims__<row>__<col>; row 0 = 2022, column 0 = total
    data = {**_csrf(html), "victims__0__0": "n/a", "victims__0__1": "~7", "action": "stay"}
    client.post(url, data=data)
    html = client.get(url).get_data(as_text=True)
    assert "Why is the figure for 2022, Total not available?" in html
    assert 'value="~7"' in html
    data = {
        **_csrf(html),
        "victims__0__0": "n/a",
        "victims__0__0__reason": "Not recorded before 2023",
        "victims__0__1": "~7",
        "action": "stay",
    }
    client.post(url, data=data)
    with app.app_context():
        answer = db.session.exec(
            select(Answer).where(Answer.reply_id == reply_id, Answer.item_id == "victims")
        ).one()
        assert answer.value["2022|total"] == {
            "state": "not_available",
            "reason": "Not recorded before 2023",
        }
        assert answer.value["2022|sex:female"] == {"state": "estimate", "value": "7"}


def test_reply_view_leaves_out_hidden_items(app, web_world, http):
    client, _url, reply_id = http
    with app.app_context():
        from monitor.submissions.models import Reply

        reply = db.session.get(Reply, reply_id)
        user = db.session.merge(web_world.users["contact_am"])
        # has_body unanswered hides the follow-up (an answer "no" would count as answered)
        values = dict(COMPLETE, budget_share="80", budget_review="Kept answer")
        services.save_answers(db.session, reply, user, values, "en")
        db.session.commit()
    html = client.get(f"/replies/{reply_id}/view").get_data(as_text=True)
    assert "Share of the budget" in html
    assert "Why is the share so high?" not in html and "Kept answer" not in html


def test_ambiguous_figure_typed_in_french_is_kept_and_refused_not_read_as_one(app, http):
    """Critic's find: "1.000" typed in French was stored bare and later read as 1."""
    client, _url, reply_id = http
    url = f"/replies/{reply_id}/sections/statistics"
    client.get("/lang/fr")
    html = client.get(url).get_data(as_text=True)
    data = {**_csrf(html), "victims__0__0": "1.000", "victims__1__0": "1 000", "action": "stay"}
    client.post(url, data=data)
    html = client.get(url).get_data(as_text=True)
    assert 'value="1.000"' in html  # shown as typed
    with app.app_context():
        answer = db.session.exec(
            select(Answer).where(Answer.reply_id == reply_id, Answer.item_id == "victims")
        ).one()
        assert answer.value == {"2022|total": {"typed": "1.000"}, "2023|total": "1000"}
        from monitor.submissions.models import Reply

        problems = services.check_reply(db.session, db.session.get(Reply, reply_id))
        assert ("victims", "2022|total") in [(p.item_id, p.cell) for p in problems]


def test_check_mode_shows_warnings_at_their_cells_and_links_reasons(app, http):
    """Critic's find: the section page in check mode hid warnings, linked an n/a reason
    error to the cell instead of the reason field, and did not mark cells invalid."""
    client, _url, reply_id = http
    url = f"/replies/{reply_id}/sections/statistics"
    html = client.get(url).get_data(as_text=True)
    data = {
        **_csrf(html),
        "victims__0__0": "n/a",
        "justice__0__0": "3",  # prosecutions
        "justice__0__1": "5",  # convictions: more than prosecutions, a warning
        "action": "stay",
    }
    client.post(url, data=data)
    html = client.get(url + "?check=1").get_data(as_text=True)
    assert 'href="#cell-victims-2022-total-reason"' in html
    assert 'id="cell-victims-2022-total-reason"' in html
    assert re.search(r'class="warning-message">.*Convictions \(5\) is more than', html)
    cell = re.search(r'<input[^>]*id="cell-justice-2023-convictions"[^>]*>', html)
    assert cell and 'aria-describedby="cell-justice-2023-convictions-msg"' in cell.group(0)
    assert 'aria-invalid="false"' in cell.group(0)  # a warning, not an error
    assert 'id="cell-justice-2023-convictions-msg"' in html


def test_check_mode_ties_each_error_to_its_field(app, http):
    """Critic's find: a simple field with an error had no aria-invalid, and its
    aria-describedby named only the hint, not the message; a choice question's fieldset
    did not name its message either."""
    client, _url, reply_id = http
    html = client.get(f"/replies/{reply_id}/sections/compensation?check=1").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="item-comp_victims"[^>]*>', html)
    assert field, "the number field is on the page"
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="comp_victims-hint item-comp_victims-msg"' in field.group(0)
    assert re.search(r'<div id="item-comp_victims-msg"><p class="error-message">', html)
    other = re.search(r'<input[^>]*id="item-comp_contact"[^>]*>', html)
    assert other and "aria-invalid" not in other.group(0)  # optional, no error
    page = client.get(f"/replies/{reply_id}/sections/information?check=1").get_data(as_text=True)
    assert 'fieldset aria-describedby="info_languages-hint item-info_languages-msg"' in page
    assert 'id="item-info_languages-msg"' in page
