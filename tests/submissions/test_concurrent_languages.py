"""Known failure B15: labels built per request (table cells, group entries, choices,
validation messages) in the request's language, also when requests in two languages run
at the same time."""

import threading

import pytest

from monitor.extensions import db
from monitor.rounds.models import Audience
from monitor.submissions import services
from tests.factories import assign_all_sections, detach_world, login, make_world

EXPECTED = {
    "fr": ["Année", "(facultatif)", "Remplissez le tableau : il est obligatoire."],
    "ru": ["Год", "(необязательно)", "Заполните таблицу: это обязательно."],
}
UNEXPECTED = {"fr": ["Год", "необязательно"], "ru": ["Année", "facultatif", "(optional)"]}


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        db.session.commit()
        return detach_world(db.session, w)


def test_two_languages_at_the_same_time(app, world):
    clients = {"fr": app.test_client(), "ru": app.test_client()}
    login(clients["fr"], world.users["contact_am"])
    login(clients["ru"], world.users["contributor_am"])
    clients["fr"].post(f"/evaluations/{world.am.id}/reply")
    with app.app_context():
        reply = services.find_reply(db.session, world.am, Audience.PARTY)
        assert reply is not None
        url = f"/replies/{reply.id}/sections/statistics?check=1"
    assign_all_sections(app, reply.id, world.users["contributor_am"])
    for lang, client in clients.items():
        client.get(f"/lang/{lang}")
    pages: dict[str, list[str]] = {"fr": [], "ru": []}
    start = threading.Barrier(2)

    def fetch(lang: str) -> None:
        start.wait()
        for _ in range(8):
            pages[lang].append(clients[lang].get(url).get_data(as_text=True))

    threads = [threading.Thread(target=fetch, args=(lang,)) for lang in pages]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for lang, htmls in pages.items():
        assert len(htmls) == 8
        for html in htmls:
            assert f'<html lang="{lang}">' in html
            for text in EXPECTED[lang]:
                assert text.replace(" :", "\u00a0:") in html or text in html, (lang, text)
            for text in UNEXPECTED[lang]:
                assert text not in html, (lang, text)
