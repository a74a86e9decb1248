"""``monitor round follow-up-questions``: the open proposals of a Party's published report
become Part II questions of the next round (procedure step 14; issue 5, point 6).

Part II of a round is, per Party, a list of sections written inline in the round file or
kept in a file the round names (``country_specific: {AM: part2/AM.yaml}``). The command
writes such a list: to standard output, to a new file (``--output``), or appended to the
Party's existing Part II file (``--append-to``, comments and layout kept). The round file
of the next round then names that file; ``monitor round load`` loads it like any Part II.
"""

import io
import re
from pathlib import Path
from typing import Any, cast

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString
from sqlmodel import Session

from monitor.extensions import db
from monitor.questionnaires.schema import Section
from monitor.reports.recommendations import follow_up_sections
from monitor.reports.services import report_for_evaluation
from monitor.rounds.services import evaluation_for, get_round

_ISO_ALPHA2 = re.compile(r"^[A-Za-z]{2}$")


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: keeps the comments of a file appended to
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 88
    return yaml


def _literal(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Multi-line guidance as YAML literal blocks (readable, quoted text kept as is)."""
    for section in sections:
        for item in section["items"]:
            if "\n" in item.get("guidance", ""):
                item["guidance"] = LiteralScalarString(item["guidance"])
    return sections


def sections_yaml(sections: list[dict[str, Any]]) -> str:
    """``sections`` as a YAML document (a Part II list of sections)."""
    out = io.StringIO()
    out.write("# Part II follow-up questions written by `monitor round follow-up-questions`.\n")
    _yaml().dump(_literal(sections), out)
    return out.getvalue()


@click.command("follow-up-questions")
@click.option("--party", "party_code", required=True, help="ISO 3166-1 alpha-2 code, e.g. AM.")
@click.option("--from-round", "from_round", type=int, required=True, help="Round of the report.")
@click.option("--to-round", "to_round", type=int, required=True, help="Round being prepared.")
@click.option("--instrument", "instrument_code", default=None, help="Instrument code.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="New Part II file to write (refused if it exists).",
)
@click.option(
    "--append-to",
    "append_to",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Existing Part II file (a list of sections) to append the section to.",
)
@with_appcontext
def follow_up_questions(
    party_code: str,
    from_round: int,
    to_round: int,
    instrument_code: str | None,
    output: Path | None,
    append_to: Path | None,
) -> None:
    """Write the open proposals of PARTY's published report of FROM_ROUND as Part II
    questions of TO_ROUND: one long-text question per proposal not graded implemented,
    the proposal quoted in its guidance, its articles carried.

    Without --output or --append-to the YAML is printed. Exits with an error when the
    round, the evaluation or a published report is missing.
    """
    if not _ISO_ALPHA2.match(party_code):
        raise click.BadParameter(
            _("expected an ISO 3166-1 alpha-2 code such as AM"), param_hint="--party"
        )
    if output is not None and append_to is not None:
        raise click.UsageError(_("Give --output or --append-to, not both."))
    code = party_code.upper()
    session = cast(Session, db.session)
    rnd = get_round(session, from_round, instrument_code)
    if rnd is None:
        raise click.ClickException(_("There is no evaluation round %(number)s.", number=from_round))
    try:
        evaluation = evaluation_for(session, rnd, code)
    except LookupError:
        raise click.ClickException(
            _("Party %(code)s is not evaluated in round %(number)s.", code=code, number=from_round)
        ) from None
    report = report_for_evaluation(session, evaluation.id)  # type: ignore[arg-type]
    if report is None or report.status != "published":
        raise click.ClickException(
            _(
                "The report on %(code)s of round %(number)s has not been published.",
                code=code,
                number=from_round,
            )
        )
    sections = follow_up_sections(session, report, code, from_round, to_round)
    if not sections:
        click.echo(_("No open proposals: every proposal is graded implemented."), err=True)
        return
    try:  # the loader's own schema: what it would refuse is never written
        TypeAdapter(list[Section]).validate_python(sections)
    except ValidationError as exc:  # pragma: no cover - a bug in follow_up_sections
        raise click.ClickException(str(exc)) from exc
    count = len(sections[0]["items"])
    if append_to is not None:
        yaml = _yaml()
        existing = yaml.load(append_to.read_text(encoding="utf-8"))
        if existing is None:
            existing = CommentedSeq()
        if not isinstance(existing, list):
            raise click.ClickException(
                _("%(path)s is not a Part II file (a list of sections).", path=append_to)
            )
        ids = {s.get("id") for s in existing if isinstance(s, dict)}
        if sections[0]["id"] in ids:
            raise click.ClickException(
                _(
                    "%(path)s already has the section %(id)s.",
                    path=append_to,
                    id=sections[0]["id"],
                )
            )
        existing.extend(_literal(sections))
        with append_to.open("w", encoding="utf-8") as fh:
            yaml.dump(existing, fh)
        target: Path | None = append_to
    elif output is not None:
        if output.exists():
            raise click.ClickException(
                _("%(path)s exists; use --append-to to add to it.", path=output)
            )
        output.write_text(sections_yaml(sections), encoding="utf-8")
        target = output
    else:
        click.echo(sections_yaml(sections), nl=False)
        target = None
    if target is not None:
        click.echo(
            _(
                "Wrote %(count)s follow-up questions for %(code)s to %(path)s.",
                count=count,
                code=code,
                path=target,
            )
        )
