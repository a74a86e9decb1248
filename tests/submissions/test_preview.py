"""Previewing questionnaires without a reply (issue 3, point 9)."""

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from monitor.config import PROJECT_ROOT
from monitor.extensions import db
from monitor.submissions.models import Reply
from tests.factories import detach_world, login, make_world


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        return detach_world(db.session, w)


def test_only_the_panel_and_secretariat_may_preview(client, world):
    assert client.get("/questionnaires/").status_code == 302  # to the sign-in page
    login(client, world.users["contact_am"])
    assert client.get("/questionnaires/").status_code == 403
    assert (
        client.get(f"/questionnaires/versions/{world.am.questionnaire_version_id}").status_code
        == 403
    )


def test_preview_a_stored_version_in_french_creates_no_reply(app, client, world):
    login(client, world.users["secretariat"])
    html = client.get("/questionnaires/").get_data(as_text=True)
    assert f"/questionnaires/versions/{world.am.questionnaire_version_id}" in html
    url = f"/questionnaires/versions/{world.am.questionnaire_version_id}?section=coordination"
    html = client.get(url + "&lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Aperçu" in html  # the preview banner, in French
    assert 'name="has_body"' in html
    # conditional questions start hidden and carry their condition for the browser
    assert 'id="q-bodies" hidden' in html and "data-show-if" in html
    assert "Save" not in html and 'method="post" id="section-form"' not in html
    with app.app_context():
        assert db.session.exec(select(Reply)).all() == []


def test_preview_a_round_file_for_a_party_and_the_ngo(client, world):
    login(client, world.users["panel"])
    index = client.get("/questionnaires/").get_data(as_text=True)
    assert "greta-round3/round.yaml" in index
    url = "/questionnaires/files/greta-round3/round.yaml"
    html = client.get(url + "?audience=party&party=UA&section=cross_cutting").get_data(as_text=True)
    assert "Which bodies co-ordinate action against trafficking" in html
    assert 'name="cc_coordinating_bodies__0__cb_name"' in html
    html = client.get(url + "?audience=ngo").get_data(as_text=True)
    assert "Preview" in html
    assert client.get(url + "?audience=party&party=FR").status_code == 404
    assert client.get("/questionnaires/files/../pyproject.toml").status_code == 404


def test_a_broken_file_shows_its_located_problems(app, client, world, tmp_path: Path):
    folder = tmp_path / "questionnaires"
    shutil.copytree(PROJECT_ROOT / "questionnaires", folder)
    party = folder / "greta-round3" / "party.yaml"
    text = party.read_text(encoding="utf-8")
    party.write_text(text.replace("sc_exists = 'no'", "sc_exist = 'no'"), encoding="utf-8")
    app.config["QUESTIONNAIRE_DIR"] = str(folder)
    login(client, world.users["secretariat"])
    url = "/questionnaires/files/greta-round3/round.yaml?audience=ngo"
    html = client.get(url).get_data(as_text=True)
    assert "The file cannot be previewed: 1 problem" in html
    assert "greta-round3/party.yaml:" in html
    assert "no item &#39;sc_exist&#39;; did you mean &#39;sc_exists&#39;?" in html


def test_preview_group_buttons_add_and_remove_entries_in_place(client, world):
    """Critic's find: the group buttons left the preview's section and dropped the text."""
    login(client, world.users["secretariat"])
    url = f"/questionnaires/versions/{world.am.questionnaire_version_id}"
    args = {
        "section": "coordination",
        "has_body": "yes",
        "bodies__count": "1",
        "bodies__0__body_name": "Commission nationale",
        "action": "add:bodies",
    }
    html = client.get(url, query_string=args).get_data(as_text=True)
    assert "<h1>Co-ordination" in html
    assert 'value="Commission nationale"' in html
    assert 'name="bodies__1__body_name"' in html
    assert 'name="section" value="coordination"' in html
    args = {
        **args,
        "bodies__count": "2",
        "bodies__1__body_name": "Ministry",
        "action": "remove:bodies:0",
    }
    html = client.get(url, query_string=args).get_data(as_text=True)
    assert 'value="Ministry"' in html and "Commission nationale" not in html
    assert 'name="bodies__1__body_name"' not in html
