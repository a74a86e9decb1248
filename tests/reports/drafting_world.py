"""A world for the drafting tests: the factories' round 3 (Parties AM and UA), a
submitted Party reply and NGO submission for AM, an earlier round 2 with an adopted
report on AM (one proposal) and on UA (one proposal), and a round 3 report on AM."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from monitor.reports import services
from monitor.reports.models import ParagraphKind, Report, ReportStatus
from monitor.rounds.models import Audience, Evaluation, EvaluationRound, QuestionnaireVersion
from monitor.submissions.models import Answer, Reply, ReplyStatus
from tests.factories import PARTY_Q, World, _version, make_world


@dataclass
class Drafting:
    world: World
    report_id: int
    party_reply_id: int
    ngo_reply_id: int
    previous_report_id: int
    previous_proposal_id: int
    ua_previous_proposal_id: int


def _reply(
    s: Session,
    ev: Evaluation,
    audience: Audience,
    version_id: int,
    answers: dict[str, object],
    when: datetime,
    org_id: int | None = None,
) -> Reply:
    reply = Reply(
        evaluation_id=ev.id,  # type: ignore[arg-type]
        audience=audience,
        organisation_id=org_id,
        questionnaire_version_id=version_id,
        status=ReplyStatus.SUBMITTED,
        submitted_at=when,
        confidential=True,
    )
    s.add(reply)
    s.flush()
    for item_id, value in answers.items():
        s.add(Answer(reply_id=reply.id, item_id=item_id, value=value))  # type: ignore[arg-type]
    s.flush()
    return reply


def make_drafting(s: Session) -> Drafting:
    world = make_world(s)
    am, ua = world.am, world.ua
    am.visit_start, am.visit_end = date(2024, 10, 7), date(2024, 10, 11)
    s.add(am)
    ngo_version = s.exec(
        select(QuestionnaireVersion).where(QuestionnaireVersion.audience == Audience.NGO)
    ).one()
    party = _reply(
        s,
        am,
        Audience.PARTY,
        am.questionnaire_version_id,
        {"info_law": "The Law on Victims, article 12.", "info_leaflet": "yes"},
        datetime(2024, 7, 1, 9, 0, tzinfo=UTC),
    )
    ngo = _reply(
        s,
        am,
        Audience.NGO,
        ngo_version.id,  # type: ignore[arg-type]
        {"ngo_info_practice": "Victims are rarely told of their rights <script>x</script>."},
        datetime(2024, 9, 2, 9, 0, tzinfo=UTC),
        org_id=world.ngo_org.id,
    )
    panel = world.users["panel"]

    # the previous round, with an adopted report on each Party
    rnd2 = EvaluationRound(
        instrument_id=world.round.instrument_id, number=2, title="Second evaluation round"
    )
    s.add(rnd2)
    s.flush()
    previous: dict[str, tuple[Report, int]] = {}
    for code, ev3 in (("AM", am), ("UA", ua)):
        v = _version(s, rnd2, PARTY_Q, Audience.PARTY, code)
        ev2 = Evaluation(round_id=rnd2.id, party_id=ev3.party_id, questionnaire_version_id=v.id)  # type: ignore[arg-type]
        s.add(ev2)
        s.flush()
        report = services.start_report(
            s, ev2, panel, f"Second round report {code}", ["Right to information"]
        )
        chapter = services.chapters(s, report)[0]
        chapter.section_id = "information"
        services.add_paragraph(s, report, chapter, panel, f"Victims of {code} lack information.")
        proposal = services.add_paragraph(
            s,
            report,
            chapter,
            panel,
            f"GRETA urges the authorities of {code} to inform victims.",
            ParagraphKind.PROPOSAL,
            "urges",
            [12],
        )
        report.status = ReportStatus.ADOPTED
        s.add(report)
        previous[code] = (report, proposal.id)  # type: ignore[assignment]
    current = services.start_report(
        s, am, panel, "Third round report on Armenia", ["Introduction", "Right to information"]
    )
    services.chapters(s, current)[1].section_id = "information"
    s.flush()
    return Drafting(
        world=world,
        report_id=current.id,  # type: ignore[arg-type]
        party_reply_id=party.id,  # type: ignore[arg-type]
        ngo_reply_id=ngo.id,  # type: ignore[arg-type]
        previous_report_id=previous["AM"][0].id,  # type: ignore[arg-type]
        previous_proposal_id=previous["AM"][1],
        ua_previous_proposal_id=previous["UA"][1],
    )
