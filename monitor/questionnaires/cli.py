"""``monitor questionnaire ...``: validating YAML definitions and printing the schema.

These commands need no application: they only read files.
"""

from pathlib import Path

import click
from flask_babel import gettext as _
from flask_babel import ngettext

from monitor.questionnaires.json_schema import KINDS
from monitor.questionnaires.json_schema import render as render_schema
from monitor.questionnaires.loader import validate_paths


@click.group("questionnaire")
def questionnaire() -> None:
    """Validate and inspect questionnaire YAML files."""


@questionnaire.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def validate_command(paths: tuple[str, ...]) -> None:
    """Check the YAML files in PATHS (directories are searched for *.yaml).

    Prints each problem as path:line:column: message, then a summary line. Exits with
    status 1 when there is any problem, 0 when all files are clean.
    """
    problems = validate_paths(paths)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(ngettext("%(num)d problem found.", "%(num)d problems found.", len(problems)))
        raise SystemExit(1)
    click.echo(_("No problems found."))


@questionnaire.command("schema")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="questionnaire",
    show_default=True,
    help="Which kind of definition file the schema describes.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the schema to this file instead of printing it.",
)
def schema_command(kind: str, output: str | None) -> None:
    """Print the JSON Schema (draft 2020-12) of one kind of definition file, for editors.

    The committed copies are docs/schema/<kind>.schema.json; docs/questionnaires.md
    documents every key.
    """
    text = render_schema(kind)
    if output is None:
        click.echo(text)
    else:
        Path(output).write_text(text + "\n", encoding="utf-8")
