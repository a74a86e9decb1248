"""Data for the report tests: an instrument, a round, Parties AM and UA with their
evaluations, and one user per role (password ``pw``)."""

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from monitor.accounts.models import Organisation, Role
from monitor.accounts.services import create_user, get_or_create_party
from monitor.extensions import db
from monitor.rounds.models import (
    Audience,
    Evaluation,
    EvaluationRound,
    Instrument,
    QuestionnaireVersion,
)

PASSWORD = "pw"


@dataclass
class Data:
    """Ids of the rows built by the ``data`` fixture (rows are reloaded per session)."""

    am_evaluation: int
    ua_evaluation: int
    users: dict[str, int]


@pytest.fixture
def data(app: Flask) -> Data:
    with app.app_context():
        s = db.session
        instrument = Instrument(
            code="cets197",
            title="Council of Europe Convention on Action against Trafficking in Human Beings",
            definition={
                "code": "cets197",
                "articles": [{"number": n, "title": f"Article {n}"} for n in range(1, 39)],
                "proposal_verbs": ["urges", "considers", "invites"],
            },
        )
        s.add(instrument)
        s.flush()
        rnd = EvaluationRound(
            instrument_id=instrument.id,
            number=3,
            title="Third evaluation round",
            definition={"deadlines": {"comments_months": 2}},
        )
        s.add(rnd)
        s.flush()
        version = QuestionnaireVersion(
            round_id=rnd.id,
            audience=Audience.PARTY,
            party_code=None,
            content_hash="0" * 64,
            definition={
                "parts": [
                    {
                        "id": "part1",
                        "title": "Part I",
                        "sections": [
                            {"id": "info", "title": "Right to information"},
                            {"id": "comp", "title": "Compensation"},
                        ],
                    }
                ]
            },
        )
        s.add(version)
        s.flush()
        am = get_or_create_party(s, "AM", "Armenia")
        ua = get_or_create_party(s, "UA", "Ukraine")
        evs = {}
        for party in (am, ua):
            ev = Evaluation(round_id=rnd.id, party_id=party.id, questionnaire_version_id=version.id)
            s.add(ev)
            s.flush()
            evs[party.code] = ev.id
        ngo_org = Organisation(name="Armenian Coalition against Trafficking", party_id=am.id)
        s.add(ngo_org)
        s.flush()
        users = {
            "secretariat": create_user(
                s, "sec@example.org", "Sam Secretariat", PASSWORD, Role.SECRETARIAT
            ),
            "panel": create_user(s, "panel@example.org", "Paula Panel", PASSWORD, Role.PANEL),
            "contact_am": create_user(
                s, "contact.am@example.org", "Anna Contact", PASSWORD, Role.PARTY_CONTACT, party=am
            ),
            "contributor_am": create_user(
                s,
                "contrib.am@example.org",
                "Armen Contributor",
                PASSWORD,
                Role.PARTY_CONTRIBUTOR,
                party=am,
            ),
            "contact_ua": create_user(
                s, "contact.ua@example.org", "Olena Contact", PASSWORD, Role.PARTY_CONTACT, party=ua
            ),
            "ngo": create_user(
                s, "ngo@example.org", "Nina NGO", PASSWORD, Role.NGO, organisation=ngo_org
            ),
        }
        s.commit()
        return Data(evs["AM"], evs["UA"], {k: u.id for k, u in users.items()})  # type: ignore[misc]


EMAILS = {
    "secretariat": "sec@example.org",
    "panel": "panel@example.org",
    "contact_am": "contact.am@example.org",
    "contributor_am": "contrib.am@example.org",
    "contact_ua": "contact.ua@example.org",
    "ngo": "ngo@example.org",
}


def login(client: FlaskClient, who: str) -> None:
    """Sign ``who`` (a key of EMAILS) in on ``client``, signing out whoever was in."""
    client.post("/logout")
    response = client.post("/login", data={"email": EMAILS[who], "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


#: The normal path through the cycle, as (action, actor key, plenary needed) per state.
_PATH = [
    ("submit_for_review", "panel", None),
    ("approve_draft", "secretariat", "approve_draft"),
    ("send_to_party", "panel", None),
    ("send_comments", "contact_am", None),
    ("start_revision", "panel", None),
    ("adopt", "secretariat", "adopt"),
    ("transmit", "secretariat", None),
    ("publish", "secretariat", None),
]


def walk_to(app: Flask, data: Data, state: str) -> dict[str, int]:
    """Start Armenia's report with one paragraph and move it along the normal path to
    ``state`` (a ReportStatus value), through the services: a panel comment during
    review, a Party comment on the draft (sent), the panel's answer, final comments
    before publication. Returns ids: ``report``, ``paragraph``, ``panel_comment``,
    ``party_comment``, ``final_comment``, ``unsent_comment`` (those that exist)."""
    from datetime import date

    from monitor.accounts.models import User
    from monitor.reports import comments, cycle, plenaries, services
    from monitor.reports.models import CommentResponse, PlenaryItemKind, ReportStatus

    ids: dict[str, int] = {}
    with app.app_context():
        s = db.session

        def user(key: str) -> User:
            u = s.get(User, data.users[key])
            assert u is not None
            return u

        ev = s.get(Evaluation, data.am_evaluation)
        assert ev is not None
        report = services.start_report(s, ev, user("panel"), "Report on Armenia", ["Intro"])
        para = services.add_paragraph(
            s, report, services.chapters(s, report)[0], user("panel"), "SECRET DRAFT TEXT."
        )
        ids.update(report=report.id, paragraph=para.id)  # type: ignore[arg-type]
        first = plenaries.create_plenary(
            s, user("secretariat"), "50th plenary", date(2020, 1, 6), date(2020, 1, 10)
        )
        later = plenaries.create_plenary(
            s, user("secretariat"), "51st plenary", date(2020, 6, 1), date(2020, 6, 5)
        )
        plenaries.add_agenda_item(
            s, first, report, PlenaryItemKind.APPROVE_DRAFT, user("secretariat")
        )
        plenaries.add_agenda_item(s, later, report, PlenaryItemKind.ADOPT, user("secretariat"))
        for action, who, plenary_kind in _PATH:
            if report.status == ReportStatus.PANEL_REVIEW and "panel_comment" not in ids:
                c = comments.add_comment(s, report, user("panel"), "PANEL INTERNAL NOTE.", para)
                ids["panel_comment"] = c.id  # type: ignore[assignment]
            if report.status == state:
                break
            if action == "send_comments":
                c = comments.add_comment(s, report, user("contact_am"), "PARTY COMMENT.", para)
                ids["party_comment"] = c.id  # type: ignore[assignment]
            if action == "adopt":
                c = s.get(comments.ReportComment, ids["party_comment"])
                assert c is not None
                comments.answer_comment(
                    s, report, c, user("panel"), CommentResponse.NOT_TAKEN, "PANEL REASON."
                )
            if action == "publish":
                c = comments.add_comment(s, report, user("contact_am"), "FINAL COMMENT.")
                ids["final_comment"] = c.id  # type: ignore[assignment]
                cycle.transition(s, report, "send_final_comments", user("contact_am"))
            plenary = {"approve_draft": first, "adopt": later}.get(plenary_kind or "")
            cycle.transition(s, report, action, user(who), plenary=plenary)
        if report.status in (ReportStatus.SENT_TO_PARTY, ReportStatus.TRANSMITTED):
            # a comment the contributor drafted and nobody sent yet
            c = comments.add_comment(s, report, user("contributor_am"), "UNSENT PARTY DRAFT.")
            ids["unsent_comment"] = c.id  # type: ignore[assignment]
        assert report.status == state, report.status
        s.commit()
    return ids
