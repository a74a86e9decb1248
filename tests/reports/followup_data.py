"""A published report with proposals of every verb, for the recommendation, deadline
and public-page tests (built through the services, clock moved with freezegun)."""

from datetime import date

from freezegun import freeze_time
from sqlmodel import Session

from monitor.accounts.models import User
from monitor.reports import services
from monitor.reports.models import ParagraphKind, Report
from monitor.rounds.models import Evaluation

#: (verb, articles, text) of the proposals, in report order
PROPOSALS = [
    ("considers", [12], "GRETA considers that the authorities should inform victims in writing."),
    ("urges", [15], "GRETA urges the authorities to set up a State compensation fund."),
    ("invites", [29], "GRETA invites the authorities to keep the co-ordinating body's budget."),
    ("urges", [15, 26], "GRETA urges the authorities to apply the non-punishment provision."),
]


def published_report(s: Session, evaluation_id: int, panel_id: int, text_extra: str = "") -> Report:
    """Start, fill, send (1 March 2026), adopt (2 June 2026) and publish (3 July 2026)
    the report of an evaluation: a narrative paragraph, then the four PROPOSALS."""
    ev = s.get(Evaluation, evaluation_id)
    panel = s.get(User, panel_id)
    assert ev is not None and panel is not None
    with freeze_time("2026-03-01 09:00:00"):
        report = services.start_report(s, ev, panel, "Report", ["Introduction", "Findings"])
        intro, findings = services.chapters(s, report)
        services.add_paragraph(
            s, report, intro, panel, "Victims receive 100% of awards_paid rarely. " + text_extra
        )
        for verb, articles, text in PROPOSALS:
            services.add_paragraph(
                s, report, findings, panel, text, ParagraphKind.PROPOSAL, verb, articles
            )
        services.send_to_party(s, report, panel, today=date(2026, 3, 1))
    with freeze_time("2026-06-02 09:00:00"):
        services.adopt(s, report, panel, today=date(2026, 6, 2))
    with freeze_time("2026-07-03 09:00:00"):
        services.publish(s, report, panel)
    s.flush()
    return report
