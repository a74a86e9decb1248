"""``monitor questionnaire ...``: validating YAML definitions and printing the schema.

These commands need no application: they only read files.
"""

import json

import click
from flask_babel import gettext as _
from flask_babel import ngettext

from monitor.questionnaires.catalogs import catalog_problems
from monitor.questionnaires.loader import validate_paths
from monitor.questionnaires.schema import QuestionnaireDef


@click.group("questionnaire")
def questionnaire() -> None:
    """Validate and inspect questionnaire YAML files."""


@questionnaire.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--catalogs",
    type=click.Path(exists=True, file_okay=False),
    help="Also report each text without a current translation in a catalog of this "
    "folder (<lang>/LC_MESSAGES/messages.po): missing, empty or outdated (fuzzy).",
)
def validate_command(paths: tuple[str, ...], catalogs: str | None) -> None:
    """Check the YAML files in PATHS (directories are searched for *.yaml).

    Prints each problem as path:line:column: message, then a summary line. Exits with
    status 1 when there is any problem, 0 when all files are clean.
    """
    problems = validate_paths(paths)
    if catalogs:
        problems += catalog_problems(paths, catalogs)
        problems.sort(key=lambda p: (p.path, p.line, p.column, p.message))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(ngettext("%(num)d problem found.", "%(num)d problems found.", len(problems)))
        raise SystemExit(1)
    click.echo(_("No problems found."))


@questionnaire.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of questionnaire files (for editors)."""
    click.echo(json.dumps(QuestionnaireDef.model_json_schema(), indent=2, ensure_ascii=False))
