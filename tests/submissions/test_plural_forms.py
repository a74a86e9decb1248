"""Messages with counts read right on real pages (issue 4, point 9): Russian has three
plural forms (1 and 21; 2; 5), French two in practice (0 and 1; 2 and more)."""

import pytest
from sqlmodel import select

from monitor.extensions import db
from monitor.rounds.models import Audience, Evaluation
from tests.factories import _version, detach_world, login, make_world

ITEMS = 21


def _questionnaire() -> dict:
    items = [
        {
            "id": f"t{n}",
            "kind": "text",
            "label": "Which law applies?",
            "required": True,
            # one article, then 2, 5 and 21 articles
            "articles": list(range(1, {0: 1, 1: 2, 2: 5, 3: 21}.get(n, 1) + 1)),
        }
        for n in range(ITEMS)
    ]
    return {
        "id": "plural",
        "title": "Questionnaire",
        "audience": "party",
        "parts": [
            {"id": "p", "title": "Part", "sections": [{"id": "s", "title": "S", "items": items}]}
        ],
    }


@pytest.fixture
def world(app):
    with app.app_context():
        w = make_world(db.session)
        ev = db.session.exec(select(Evaluation).where(Evaluation.id == w.am.id)).one()
        version = _version(db.session, w.round, _questionnaire(), Audience.PARTY, "AM")
        ev.questionnaire_version_id = version.id  # type: ignore[assignment]
        db.session.commit()
        return detach_world(db.session, w)


@pytest.fixture
def reply(app, world):
    client = app.test_client()
    login(client, world.users["contact_am"])
    r = client.post(f"/evaluations/{world.am.id}/reply")
    return client, r.headers["Location"]


def _leave_unanswered(client, reply_url: str, n: int) -> None:
    data = {f"t{k}": ("" if k < n else "Law of 2010") for k in range(ITEMS)}
    r = client.post(reply_url + "/sections/s", data={**data, "action": "stay"})
    assert r.status_code == 302


def _page(client, url: str, lang: str) -> str:
    client.get(f"/lang/{lang}")
    r = client.get(url)
    assert r.status_code == 200
    return " ".join(r.get_data(as_text=True).split())


@pytest.mark.parametrize(
    ("count", "summary"),
    [
        (1, "Обнаружена 1 проблема"),
        (2, "Обнаружено 2 проблемы"),
        (5, "Обнаружено 5 проблем"),
        (21, "Обнаружена 21 проблема"),
    ],
)
def test_russian_error_summary_counts(reply, count, summary):
    client, url = reply
    _leave_unanswered(client, url, count)
    assert summary in _page(client, url + "/check", "ru")
    assert summary in _page(client, url + "/sections/s?check=1", "ru")


@pytest.mark.parametrize(
    ("count", "summary"), [(1, "Il y a 1 problème"), (2, "Il y a 2 problèmes")]
)
def test_french_error_summary_counts(reply, count, summary):
    client, url = reply
    _leave_unanswered(client, url, count)
    assert summary in _page(client, url + "/check", "fr")


def test_french_no_error_no_summary(reply):
    client, url = reply
    _leave_unanswered(client, url, 0)
    page = _page(client, url + "/check", "fr")
    assert "error-summary" not in page and "problème" not in page


def test_articles_one_or_several_whatever_the_count(reply):
    """A list of articles is singular or plural by how many there are, not by the
    plural category of the count: 21 articles are "Статьи" though 21 takes the form of 1."""
    client, url = reply
    twenty_one = ", ".join(str(n) for n in range(1, 22))
    ru = _page(client, url + "/sections/s", "ru")
    assert '<p class="articles">Статья 1</p>' in ru
    assert '<p class="articles">Статьи 1, 2</p>' in ru
    assert '<p class="articles">Статьи 1, 2, 3, 4, 5</p>' in ru
    assert f'<p class="articles">Статьи {twenty_one}</p>' in ru
    fr = _page(client, url + "/sections/s", "fr")
    assert '<p class="articles">Article 1</p>' in fr
    assert f'<p class="articles">Articles {twenty_one}</p>' in fr
