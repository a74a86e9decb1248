"""Small, self-contained test data built directly in the database (no YAML loader)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from monitor.accounts.models import Organisation, Party, Role, User
from monitor.accounts.services import create_user
from monitor.questionnaires.schema import QuestionnaireDef
from monitor.rounds.models import (
    Audience,
    Evaluation,
    EvaluationRound,
    Instrument,
    QuestionnaireVersion,
)

PASSWORD = "correct horse battery"

INSTRUMENT = {
    "code": "CETS-197",
    "title": "Convention on Action against Trafficking in Human Beings",
    "panel": "GRETA",
    "proposal_verbs": ["urges", "considers", "invites"],
    "articles": [{"number": n, "title": f"Article {n}"} for n in range(1, 48)],
}

SEX = {
    "dimension": "sex",
    "label": "Sex",
    "columns": [
        {"code": "female", "label": "Women and girls"},
        {"code": "male", "label": "Men and boys"},
    ],
}
EXPLOITATION = {
    "dimension": "exploitation",
    "label": "Form of exploitation",
    "columns": [
        {"code": "sexual", "label": "Sexual exploitation"},
        {"code": "labour", "label": "Labour"},
    ],
}

PARTY_Q: dict[str, Any] = {
    "id": "test_party",
    "title": "Questionnaire for the Parties",
    "audience": "party",
    "parts": [
        {
            "id": "part1",
            "title": "Part I",
            "sections": [
                {
                    "id": "information",
                    "title": "Right to information",
                    "articles": [12, 15],
                    "items": [
                        {
                            "id": "intro_note",
                            "kind": "info",
                            "label": "Answer for the period 2019-2023.",
                        },
                        {
                            "id": "info_law",
                            "kind": "long_text",
                            "label": "Which law gives victims information?",
                            "required": True,
                            "articles": [12],
                            "max_chars": 2000,
                        },
                        {
                            "id": "info_languages",
                            "kind": "multiple_choice",
                            "label": "Languages used",
                            "required": True,
                            "options": [
                                {"code": "hy", "label": "Armenian"},
                                {"code": "ru", "label": "Russian"},
                                {"code": "en", "label": "English"},
                            ],
                        },
                        {"id": "info_leaflet", "kind": "yes_no", "label": "Is there a leaflet?"},
                        {
                            "id": "info_body",
                            "kind": "single_choice",
                            "label": "Which body informs?",
                            "options": [
                                {"code": "police", "label": "Police"},
                                {"code": "ngo", "label": "NGOs"},
                            ],
                        },
                    ],
                },
                {
                    # the newer item kinds: conditions, groups, specify / exclusive options
                    "id": "coordination",
                    "title": "Co-ordination",
                    "articles": [29],
                    "items": [
                        {"id": "has_body", "kind": "yes_no", "label": "Is there a body?"},
                        {
                            "id": "bodies",
                            "kind": "group",
                            "label": "Co-ordinating bodies",
                            "entry_label": "Body",
                            "required": True,
                            "show_if": "has_body = 'yes'",
                            "min_entries": 1,
                            "max_entries": 3,
                            "items": [
                                {
                                    "id": "body_name",
                                    "kind": "text",
                                    "label": "Name of the body",
                                    "required": True,
                                },
                                {
                                    "id": "body_kind",
                                    "kind": "single_choice",
                                    "label": "Kind of body",
                                    "required": True,
                                    "options": [
                                        {"code": "ministry", "label": "A ministry"},
                                        {"code": "commission", "label": "A commission"},
                                        {"code": "other", "label": "Other", "specify": True},
                                    ],
                                },
                                {
                                    "id": "body_staff",
                                    "kind": "number",
                                    "label": "Staff",
                                    "required": True,
                                    "show_if": "body_kind = 'commission'",
                                },
                            ],
                        },
                        {
                            "id": "forms_covered",
                            "kind": "multiple_choice",
                            "label": "Forms of exploitation covered",
                            "options": [
                                {"code": "sexual", "label": "Sexual exploitation"},
                                {"code": "labour", "label": "Labour exploitation"},
                                {"code": "other", "label": "Other forms", "specify": True},
                                {"code": "none", "label": "None of these", "exclusive": True},
                            ],
                        },
                        {
                            "id": "budget_share",
                            "kind": "number",
                            "label": "Share of the budget spent on assistance (% of the total)",
                            # a "%" in questionnaire text must never meet %-formatting
                            "unit": "%",
                            "integer": False,
                            "decimals": 1,
                            "min": 0,
                            "max": 100,
                        },
                        {
                            "id": "budget_review",
                            "kind": "long_text",
                            "label": "Why is the share so high?",
                            "required": True,
                            "max_chars": 20,
                            "show_if": "budget_share > 50 and has_body",
                        },
                    ],
                },
                {
                    "id": "compensation",
                    "title": "Compensation",
                    "articles": [15],
                    "items": [
                        {
                            "id": "comp_victims",
                            "kind": "number",
                            "label": "Victims compensated",
                            "unit": "persons",
                            "required": True,
                        },
                        {
                            "id": "comp_amount",
                            "kind": "money",
                            "label": "Total awarded",
                            "currencies": ["AMD", "EUR"],
                        },
                        {
                            "id": "comp_fund_year",
                            "kind": "year",
                            "label": "Year the fund was set up",
                        },
                        {"id": "comp_law_date", "kind": "date", "label": "Date of the law"},
                        {"id": "comp_contact", "kind": "text", "label": "Contact body"},
                    ],
                },
            ],
        },
        {"id": "part2", "title": "Part II", "country_specific": True, "sections": []},
        {
            "id": "part3",
            "title": "Part III: statistics",
            "sections": [
                {
                    "id": "statistics",
                    "title": "Statistics",
                    "items": [
                        {
                            "id": "victims",
                            "kind": "statistics_table",
                            "label": "Identified victims",
                            "required": True,
                            "period": {"years": [2022, 2023]},
                            "total": True,
                            "column_groups": [SEX, EXPLOITATION],
                            "rules": [
                                {"rule": "parts_not_above_total", "group": "sex"},
                                {"rule": "parts_not_above_total", "group": "exploitation"},
                                {"rule": "parts_sum_to_total", "group": "sex", "level": "warning"},
                            ],
                        },
                        {
                            "id": "justice",
                            "kind": "statistics_table",
                            "label": "Criminal justice",
                            "period": {"years": [2023]},
                            "total": False,
                            "column_groups": [
                                {
                                    "label": "Cases",
                                    "columns": [
                                        {"code": "prosecutions", "label": "Prosecutions"},
                                        {"code": "convictions", "label": "Convictions"},
                                    ],
                                }
                            ],
                            "rules": [
                                {
                                    "rule": "column_not_above",
                                    "column": "convictions",
                                    "other": "prosecutions",
                                    "level": "warning",
                                }
                            ],
                        },
                    ],
                },
            ],
        },
    ],
}

NGO_Q: dict[str, Any] = {
    "id": "test_ngo",
    "title": "Questionnaire for NGOs",
    "audience": "ngo",
    "parts": [
        {
            "id": "ngo1",
            "title": "Your work",
            "sections": [
                {
                    "id": "ngo_information",
                    "mirrors": ["information"],
                    "title": "Information to victims",
                    "articles": [12],
                    "items": [
                        {
                            "id": "ngo_info_practice",
                            "kind": "long_text",
                            "label": "How are victims informed?",
                            "required": True,
                        },
                    ],
                },
            ],
        }
    ],
}


def _version(
    session: Session,
    rnd: EvaluationRound,
    definition: dict[str, Any],
    audience: Audience,
    party_code: str | None,
) -> QuestionnaireVersion:
    canonical = QuestionnaireDef.model_validate(definition).model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
    v = QuestionnaireVersion(
        round_id=rnd.id,
        audience=audience,
        party_code=party_code,
        content_hash=digest,
        definition=canonical,
    )
    session.add(v)
    session.flush()
    return v


@dataclass
class World:
    round: EvaluationRound
    am: Evaluation
    ua: Evaluation
    users: dict[str, User]
    ngo_org: Organisation


def make_world(session: Session) -> World:
    """A round with Parties AM and UA and one user per role (password PASSWORD).

    users keys: secretariat, panel, contact_am, contributor_am, contact_ua, ngo.
    """
    inst = Instrument(code="CETS-197", title=INSTRUMENT["title"], definition=INSTRUMENT)
    session.add(inst)
    session.flush()
    rnd = EvaluationRound(
        instrument_id=inst.id,
        number=3,
        title="Third evaluation round",
        definition={"deadlines": {"comments_months": 2, "reply_months": 5}},
    )
    session.add(rnd)
    session.flush()
    am = Party(code="AM", name="Armenia")
    ua = Party(code="UA", name="Ukraine")
    session.add_all([am, ua])
    session.flush()
    evs = {}
    for p in (am, ua):
        v = _version(session, rnd, PARTY_Q, Audience.PARTY, p.code)
        ev = Evaluation(
            round_id=rnd.id,
            party_id=p.id,
            questionnaire_version_id=v.id,
            questionnaire_sent=date(2024, 1, 15),
            reply_due=date(2024, 6, 15),
        )
        session.add(ev)
        evs[p.code] = ev
    _version(session, rnd, NGO_Q, Audience.NGO, None)
    org = Organisation(name="Hope Coalition", party_id=am.id)
    session.add(org)
    session.flush()
    users = {
        "secretariat": create_user(
            session, "sec@example.org", "Sam Sec", PASSWORD, Role.SECRETARIAT
        ),
        "panel": create_user(session, "panel@example.org", "Pat Panel", PASSWORD, Role.PANEL),
        "contact_am": create_user(
            session, "contact.am@example.org", "Ani Contact", PASSWORD, Role.PARTY_CONTACT, party=am
        ),
        "contributor_am": create_user(
            session,
            "contrib.am@example.org",
            "Aram Contributor",
            PASSWORD,
            Role.PARTY_CONTRIBUTOR,
            party=am,
        ),
        "contact_ua": create_user(
            session,
            "contact.ua@example.org",
            "Olena Contact",
            PASSWORD,
            Role.PARTY_CONTACT,
            party=ua,
        ),
        "ngo": create_user(
            session, "ngo@example.org", "Nina NGO", PASSWORD, Role.NGO, organisation=org
        ),
    }
    session.flush()
    return World(rnd, evs["AM"], evs["UA"], users, org)


def login(client: Any, user: User | str, password: str = PASSWORD) -> Any:
    email = user if isinstance(user, str) else user.email
    return client.post("/login", data={"email": email, "password": password})


def detach_world(session: Session, world: World) -> World:
    """Load every attribute, then detach the world's objects from ``session``, so that
    HTTP tests can read ids and e-mails without holding an app context open across
    client requests (a held context would share ``g`` and the session between them)."""
    objs = [world.round, world.am, world.ua, world.ngo_org, *world.users.values()]
    for obj in objs:
        session.refresh(obj)
    for obj in objs:
        session.expunge(obj)
    return world


def assign_all_sections(app: Any, reply_id: int, user: User) -> None:
    """Assign every section of the reply to ``user`` (a contributor), as the contact
    person does on the team page: a contributor changes only the sections assigned to
    them (issue 4, point 1)."""
    from monitor.extensions import db
    from monitor.submissions.definitions import definition_of
    from monitor.submissions.models import Reply
    from monitor.submissions.team_models import SectionAssignment

    with app.app_context():
        reply = db.session.get(Reply, reply_id)
        assert reply is not None
        for section in definition_of(db.session, reply.questionnaire_version_id).sections():
            db.session.add(
                SectionAssignment(reply_id=reply_id, section_id=section.id, user_id=user.id)
            )
        db.session.commit()
