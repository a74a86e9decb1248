"""A published report with proposals of every verb, for the recommendation, deadline
and public-page tests (built through the services, clock moved with freezegun)."""

from datetime import date

from freezegun import freeze_time
from sqlmodel import Session, select

from monitor.accounts.models import User
from monitor.reports import services
from monitor.reports.models import ParagraphKind, Report, ReportStatus
from monitor.rounds.models import Evaluation

#: (verb, articles, text) of the proposals, in report order
PROPOSALS = [
    ("considers", [12], "GRETA considers that the authorities should inform victims in writing."),
    ("urges", [15], "GRETA urges the authorities to set up a State compensation fund."),
    ("invites", [29], "GRETA invites the authorities to keep the co-ordinating body's budget."),
    ("urges", [15, 26], "GRETA urges the authorities to apply the non-punishment provision."),
]


def advance(
    s: Session,
    report: Report,
    until: ReportStatus,
    sent: date,
    adopted: date | None = None,
    published: date | None = None,
) -> Report:
    """Move ``report`` (drafting, with paragraphs) through the cycle with the clock moved:
    panel review and approval at a plenary before ``sent``, sent to the Party on ``sent``
    (comments due two months later), no Party comment, revision the day after that
    period, adoption at a later plenary and transmission on ``adopted`` (final comments
    due a month later), publication on ``published``; stops once the report is in
    ``until``."""
    from datetime import timedelta

    from monitor.accounts.models import Role
    from monitor.reports import cycle, plenaries
    from monitor.reports.models import PlenaryItemKind

    panel = s.exec(select(User).where(User.role == Role.PANEL)).first()
    secretariat = s.exec(select(User).where(User.role == Role.SECRETARIAT)).first()
    assert panel is not None and secretariat is not None
    approval = plenaries.create_plenary(
        s, secretariat, "Approval plenary", sent - timedelta(days=28), sent - timedelta(days=24)
    )
    plenaries.add_agenda_item(s, approval, report, PlenaryItemKind.APPROVE_DRAFT, secretariat)
    steps: list[tuple[str, User, object, date]] = [
        ("submit_for_review", panel, None, sent - timedelta(days=30)),
        ("approve_draft", secretariat, approval, sent - timedelta(days=24)),
        ("send_to_party", panel, None, sent),
    ]
    if adopted is not None:
        adoption = plenaries.create_plenary(
            s, secretariat, "Adoption plenary", adopted - timedelta(days=2), adopted
        )
        plenaries.add_agenda_item(s, adoption, report, PlenaryItemKind.ADOPT, secretariat)
        steps += [
            ("start_revision", panel, None, date.min),  # the day after the comment period
            ("adopt", secretariat, adoption, adopted),
            ("transmit", secretariat, None, adopted),
        ]
    if published is not None:
        steps.append(("publish", secretariat, None, published))
    for action, actor, plenary, day in steps:
        if report.status == until:
            break
        if day == date.min:
            assert report.comments_due is not None
            day = report.comments_due + timedelta(days=1)
        with freeze_time(f"{day.isoformat()} 09:00:00"):
            cycle.transition(s, report, action, actor, plenary=plenary, today=day)  # type: ignore[arg-type]
    assert report.status == until, report.status
    s.flush()
    return report


def published_report(s: Session, evaluation_id: int, panel_id: int, text_extra: str = "") -> Report:
    """Start and fill (1 March 2026) the report of an evaluation (a narrative paragraph,
    then the four PROPOSALS), and move it through the cycle (:func:`advance`): sent 1
    March 2026, adopted and transmitted 2 June 2026, published 3 July 2026."""
    ev = s.get(Evaluation, evaluation_id)
    panel = s.get(User, panel_id)
    assert ev is not None and panel is not None
    with freeze_time("2026-01-20 09:00:00"):
        report = services.start_report(s, ev, panel, "Report", ["Introduction", "Findings"])
        intro, findings = services.chapters(s, report)
        services.add_paragraph(
            s, report, intro, panel, "Victims receive 100% of awards_paid rarely. " + text_extra
        )
        for verb, articles, text in PROPOSALS:
            services.add_paragraph(
                s, report, findings, panel, text, ParagraphKind.PROPOSAL, verb, articles
            )
    return advance(
        s,
        report,
        ReportStatus.PUBLISHED,
        sent=date(2026, 3, 1),
        adopted=date(2026, 6, 2),
        published=date(2026, 7, 3),
    )
