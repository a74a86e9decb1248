"""``monitor report``: render a country report to PDF from the command line."""

import re
from pathlib import Path
from typing import cast

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlmodel import Session

from monitor.config import LANGUAGES
from monitor.extensions import db
from monitor.reports.pdf import render_report_pdf
from monitor.reports.services import report_for_evaluation
from monitor.rounds.services import evaluation_for, get_round

_ISO_ALPHA2 = re.compile(r"^[A-Za-z]{2}$")


@click.group("report")
def report() -> None:
    """Render country reports."""


@report.command("render")
@click.option(
    "--party",
    "party_code",
    required=True,
    help="The Party's ISO 3166-1 alpha-2 code, e.g. AM.",
)
@click.option("--round", "round_number", type=int, required=True, help="Round number, e.g. 3.")
@click.option(
    "--instrument",
    "instrument_code",
    default=None,
    help="Instrument code, when several instruments have a round with that number.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of headings, labels and dates (the report text stays as written).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="PDF file to write.",
)
@with_appcontext
def render(
    party_code: str,
    round_number: int,
    instrument_code: str | None,
    lang: str,
    output: Path,
) -> None:
    """Render the country report of a Party in a round to a PDF file.

    Exits with a usage error when the code is not two letters, and with an error when the
    round, the Party's evaluation in it, or its report does not exist.
    """
    if not _ISO_ALPHA2.match(party_code):
        raise click.BadParameter(
            _("expected an ISO 3166-1 alpha-2 code such as AM"), param_hint="--party"
        )
    code = party_code.upper()
    session = cast(Session, db.session)
    rnd = get_round(session, round_number, instrument_code)
    if rnd is None:
        raise click.ClickException(
            _("There is no evaluation round %(number)s.", number=round_number)
        )
    try:
        evaluation = evaluation_for(session, rnd, code)
    except LookupError:
        raise click.ClickException(
            _(
                "Party %(code)s is not evaluated in round %(number)s.",
                code=code,
                number=round_number,
            )
        ) from None
    report_row = report_for_evaluation(session, evaluation.id)  # type: ignore[arg-type]
    if report_row is None:
        raise click.ClickException(
            _(
                "The evaluation of %(code)s in round %(number)s has no report yet.",
                code=code,
                number=round_number,
            )
        )
    pdf = render_report_pdf(session, report_row, lang)
    output.write_bytes(pdf)
    click.echo(
        _("Wrote %(path)s (%(size)s bytes, %(lang)s).", path=output, size=len(pdf), lang=lang)
    )


@report.command("publish-due")
@with_appcontext
def publish_due_command() -> None:
    """Publish every report transmitted to its Party whose month for final comments has
    expired (procedure step 12), with the Party's final comments if any. Run it daily from
    cron; it is idempotent: a second run finds nothing to do."""
    from monitor.accounts.models import Party
    from monitor.reports.cycle import publish_due
    from monitor.rounds.models import Evaluation, EvaluationRound

    session = cast(Session, db.session)
    published = publish_due(session)
    lines = []
    for row in published:
        evaluation = session.get(Evaluation, row.evaluation_id)
        party = session.get(Party, evaluation.party_id) if evaluation else None
        rnd = session.get(EvaluationRound, evaluation.round_id) if evaluation else None
        lines.append(
            _(
                "Published the report on %(party)s (%(code)s), round %(round)s, evaluation"
                " %(evaluation)s (final comments were due %(date)s).",
                party=party.name if party else "?",
                code=party.code if party else "?",
                round=rnd.number if rnd else "?",
                evaluation=row.evaluation_id,
                date=row.final_comments_due.isoformat() if row.final_comments_due else "",
            )
        )
    session.commit()
    for line in lines:
        click.echo(line)
    if not published:
        click.echo(_("No report is due for publication."))
