"""Respondents in French or Russian read an untranslated questionnaire text in English,
marked ``lang="en"`` with a notice; a translated one shows no notice.

The test questionnaire (tests/factories.py) mixes both: its section title "Right to
information", the option "Police" and the table label "Identified victims" are in the
project's catalogs, its item labels such as "Which law gives victims information?" are not.
"""

import re

import pytest
from flask_babel import force_locale

from monitor.extensions import db
from monitor.questionnaires.schema import SingleChoiceItem
from monitor.rounds.models import Audience
from monitor.submissions import services
from monitor.submissions.forms import option_choices
from tests.factories import detach_world, login, make_world

NOTICE = {
    "fr": "(Pas encore traduit\u00a0: affiché en anglais)",
    "ru": "(Ещё не переведено: показано на английском)",
}
UNTRANSLATED = "Which law gives victims information?"


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        return detach_world(db.session, w)


def _reply(client, world) -> int:
    resp = client.post(f"/evaluations/{world.am.id}/reply")
    assert resp.status_code == 302
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


def _english(text: str, lang: str) -> str:
    return f'<span lang="en">{text}</span> <span class="untranslated-notice">{NOTICE[lang]}</span>'


@pytest.mark.parametrize("lang", ["fr", "ru"])
def test_section_page_shows_untranslated_label_in_english_with_notice(client, world, lang):
    login(client, world.users["contact_am"])
    rid = _reply(client, world)
    client.get(f"/lang/{lang}")
    html = client.get(f"/replies/{rid}/sections/information").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    # untranslated: English, marked, with the notice in the reader's language
    assert f'<label class="label" for="item-info_law">{_english(UNTRANSLATED, lang)}' in html
    assert f"<legend>{_english('Languages used', lang)}" in html
    # translated: the translation alone
    title = {"fr": "Droit à l’information", "ru": "Право на информацию"}[lang]
    assert f"<h1>{title}</h1>" in html
    police = re.search(r'value="police"[^>]*> ([^<]*)</label>', html)
    assert police is not None and police.group(1) == {"fr": "Police", "ru": "Полиция"}[lang]
    # the options of a question whose label carries the notice are only marked
    assert 'value="hy"> <span lang="en">Armenian</span></label>' in html


def test_an_untranslated_option_of_a_translated_question_carries_the_notice(app):
    item = SingleChoiceItem.model_validate(
        {
            "id": "body",
            "kind": "single_choice",
            "label": "Identified victims",  # in the catalogs
            "options": [{"code": "police", "label": "Police"}, {"code": "x", "label": "Xyz"}],
        }
    )
    with app.test_request_context(), force_locale("fr"):
        police, xyz = (choice.label for choice in option_choices(item))
        untranslated = item.model_copy(update={"label": "Not a catalog message"})
        quiet = option_choices(untranslated)[1].label
    assert police == "Police"
    assert xyz == _english("Xyz", "fr")
    assert quiet == '<span lang="en">Xyz</span>'


def test_statistics_table_headers_are_marked_without_notice(client, world):
    login(client, world.users["contact_am"])
    rid = _reply(client, world)
    client.get("/lang/fr")
    html = client.get(f"/replies/{rid}/sections/statistics").get_data(as_text=True)
    assert "<legend>Victimes identifiées" in html and "<legend>Victimes identifiées <span" not in (
        html
    )
    assert '<th scope="col">Total</th>' in html  # "Total" is in the catalogs (fr: Total)
    assert '<th scope="col"><span lang="en">Women and girls</span></th>' in html
    assert '<th scope="row">2022</th>' in html  # a year is no text to translate


def test_reply_view_and_check_page(client, world):
    login(client, world.users["contact_am"])
    rid = _reply(client, world)
    client.post(f"/replies/{rid}/sections/information", data={"info_body": "police"})
    client.get("/lang/fr")
    view = client.get(f"/replies/{rid}/view").get_data(as_text=True)
    assert f"<strong>{_english(UNTRANSLATED, 'fr')}</strong>" in view
    assert '<h3 id="information">Droit à l’information</h3>' in view
    check = client.get(f"/replies/{rid}/check").get_data(as_text=True)
    assert "Droit à l’information</a></td>" in check
    assert '<span lang="en">Compensation' not in check  # translated: Indemnisation
    assert "Indemnisation</a></td>" in check


def test_english_reader_sees_no_notice(client, world):
    login(client, world.users["contact_am"])
    rid = _reply(client, world)
    client.get("/lang/en")
    html = client.get(f"/replies/{rid}/sections/information").get_data(as_text=True)
    assert f'<label class="label" for="item-info_law">{UNTRANSLATED}' in html
    assert "untranslated-notice" not in html and '<span lang="en">' not in html


def test_panel_compare_view(client, world, app):
    from tests.submissions.test_services import COMPLETE

    with app.app_context():
        ev = db.session.get(type(world.am), world.am.id)
        reply = services.get_or_create_reply(db.session, ev, Audience.PARTY)
        services.save_answers(db.session, reply, world.users["contact_am"], COMPLETE, "en")
        services.submit_reply(db.session, reply, world.users["contact_am"])
        db.session.commit()
    login(client, world.users["panel"])
    client.get("/lang/fr")
    html = client.get(f"/evaluations/{world.am.id}/compare").get_data(as_text=True)
    assert "<h1>Droit à l’information</h1>" in html
    assert f"<h3>{_english(UNTRANSLATED, 'fr')}</h3>" in html
    # a chosen option: marked English, no notice (its question has one)
    assert '<li><span lang="en">Armenian</span></li>' in html
