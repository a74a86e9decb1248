"""The demo shows the follow-up: Georgia's published round-2 report, its grades on the
public pages, and its open proposals as Part II questions."""

from flask import Flask
from flask.testing import FlaskClient
from ruamel.yaml import YAML

from monitor.cli import main
from monitor.demo import load_demo
from monitor.extensions import db
from monitor.public.search import published_reports


def test_demo_has_a_published_report_with_follow_up(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        again: list[str] = []
        load_demo(db.session, again)
        assert again == []
        [pub] = published_reports(db.session)
        assert (pub.party.code, pub.round.number) == ("GE", 2)
    body = client.get("/published/parties/GE").get_data(as_text=True)
    assert "Partly implemented" in body and "Not implemented" in body
    found = client.get("/published/search?q=moral+damage").get_data(as_text=True)
    assert "§4" in found
    result = app.test_cli_runner().invoke(
        main,
        ["round", "follow-up-questions", "--party", "GE", "--from-round", "2", "--to-round", "3"],
    )
    assert result.exit_code == 0, result.output
    [section] = YAML(typ="safe").load(result.output)
    # implemented proposals (moral damage, NRM) are left out
    assert [i["id"] for i in section["items"]] == ["fu2_ge_p3", "fu2_ge_p6", "fu2_ge_p5"]


def test_ngos_are_offered_only_rounds_with_an_ngo_questionnaire(
    app: Flask, client: FlaskClient
) -> None:
    """Georgia's round 2 has no NGO questionnaire: the NGO dashboard does not offer to
    start a submission there (the button could only say so)."""
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
    login = client.post("/login", data={"email": "ngo.am@example.org", "password": "monitor-demo"})
    assert login.status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Ukraine" in page and "Georgia" not in page
