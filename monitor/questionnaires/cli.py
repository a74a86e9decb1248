"""``monitor questionnaire ...``: validating YAML definitions, printing the schema and
comparing two versions of a questionnaire.

These commands need no application: they only read files.
"""

from pathlib import Path

import click
from flask_babel import gettext as _
from flask_babel import ngettext

from monitor.questionnaires.catalogs import catalog_problems
from monitor.questionnaires.diff import diff, format_diff
from monitor.questionnaires.json_schema import KINDS
from monitor.questionnaires.json_schema import render as render_schema
from monitor.questionnaires.loader import (
    DefinitionError,
    content_hash,
    detect_kind,
    load_questionnaire_file,
    load_round_file,
    read_yaml,
    validate_paths,
)
from monitor.questionnaires.schema import QuestionnaireDef
from monitor.questionnaires.stats import Budget, over_budget, reports_for_paths


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
@click.option(
    "--stats",
    is_flag=True,
    help="Also print the size of each questionnaire (per Party for a round) and warn "
    "above the budgets below.",
)
@click.option(
    "--max-items",
    type=click.IntRange(min=0),
    default=Budget.items,
    show_default=True,
    help="With --stats: warn above this many items in a questionnaire.",
)
@click.option(
    "--max-cells",
    type=click.IntRange(min=0),
    default=Budget.table_cells,
    show_default=True,
    help="With --stats: warn above this many statistics table cells.",
)
@click.option(
    "--max-conditions",
    type=click.IntRange(min=0),
    default=Budget.conditions,
    show_default=True,
    help="With --stats: warn above this many show_if conditions.",
)
def validate_command(
    paths: tuple[str, ...],
    catalogs: str | None,
    stats: bool,
    max_items: int,
    max_cells: int,
    max_conditions: int,
) -> None:
    """Check the YAML files in PATHS (directories are searched for *.yaml).

    Prints each problem as path:line:column: message, then a summary line. Exits with
    status 1 when there is any problem, 0 when all files are clean.

    With --stats, prints before the summary line the counts of each questionnaire (for a
    round: each Party's, with its Part II, and the NGO questionnaire's): sections, items
    by kind, required items, tables and their cells, conditions (show_if), groups; and a
    line starting "warning:" for each count above its budget. Warnings do not change the
    exit status: a budget is advice to the authors, not an error.
    """
    problems = validate_paths(paths)
    if catalogs:
        problems += catalog_problems(paths, catalogs)
        problems.sort(key=lambda p: (p.path, p.line, p.column, p.message))
    for problem in problems:
        click.echo(str(problem))
    if stats:
        _print_stats(paths, Budget(max_items, max_cells, max_conditions))
    if problems:
        click.echo(ngettext("%(num)d problem found.", "%(num)d problems found.", len(problems)))
        raise SystemExit(1)
    click.echo(_("No problems found."))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _print_stats(paths: tuple[str, ...], budget: Budget) -> None:
    """The --stats report: two lines per questionnaire, then a ``warning:`` line per
    count above budget. For YAML authors, like the problems: not translated."""
    reports, failed = reports_for_paths(paths)
    for report in reports:
        s = report.stats
        kinds = ", ".join(f"{kind} {count}" for kind, count in s.by_kind.items())
        click.echo(
            f"{report.label}: {_count(s.sections, 'section')}, {_count(s.items, 'item')} "
            f"({s.required} required), {_count(s.tables, 'table')} "
            f"({_count(s.table_cells, 'cell')}), {_count(s.conditions, 'condition')}, "
            f"{_count(s.groups, 'group')}"
        )
        click.echo(f"  items by kind: {kinds or 'none'}")
        for measure, value, limit in over_budget(s, budget):
            click.echo(f"warning: {report.label}: {value} {measure}, above the budget of {limit}")
    for path in failed:
        click.echo(f"{path}: not counted: it has problems")


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


def _definition_for_diff(path: str, audience: str | None, party: str | None) -> QuestionnaireDef:
    """The questionnaire in ``path``: a questionnaire file as it stands (without Part II or
    dimension columns), or a round file's assembled ``audience`` questionnaire, with the
    Part II of ``party`` when given. Prints the problems and exits 2 when it cannot be
    loaded."""
    doc = read_yaml(path)
    kind = detect_kind(doc.data)
    try:
        if kind == "round":
            loaded = load_round_file(path)
            return loaded.questionnaire_for(audience or "party", party)
        if kind == "questionnaire":
            return load_questionnaire_file(path)
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(2) from None
    except ValueError as exc:  # an audience or Party the round does not have
        click.echo(f"{path}: {exc}", err=True)
        raise SystemExit(2) from None
    if doc.data is None:
        # unreadable or not YAML: the loader says why
        for problem in doc.problems:
            click.echo(str(problem), err=True)
    else:
        click.echo(f"{path}: neither a questionnaire nor a round file", err=True)
    raise SystemExit(2)


@questionnaire.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--audience",
    type=click.Choice(["party", "ngo"]),
    default=None,
    help="With round files: which questionnaire to compare (default: party).",
)
@click.option(
    "--party",
    default=None,
    metavar="CODE",
    help="With round files: compare the Party questionnaire of this Party (ISO code), "
    "with its Part II; without it, Part II is left out.",
)
def diff_command(old: str, new: str, audience: str | None, party: str | None) -> None:
    """Show what changed from questionnaire OLD to NEW.

    OLD and NEW are questionnaire files, or round files (then --audience and --party
    choose the questionnaire, assembled as the round load stores it). Items are matched by
    id, and through renamed_from. Lists added, removed, retired, renamed, re-worded,
    moved, re-kinded and reordered items, then other changes.

    Exits with status 0 when the two are identical (same content hash), 1 when they
    differ, 2 when a file cannot be read (like diff(1)). Messages are for YAML authors
    and are not translated.
    """
    if (audience or party) and "round" not in {detect_kind(read_yaml(p).data) for p in (old, new)}:
        raise click.UsageError("--audience and --party apply to round files only")
    before = _definition_for_diff(old, audience, party)
    after = _definition_for_diff(new, audience, party)
    result = diff(before, after)
    click.echo(f"--- {old} ({before.id}, sha256 {content_hash(before)[:12]})")
    click.echo(f"+++ {new} ({after.id}, sha256 {content_hash(after)[:12]})")
    for line in format_diff(result):
        click.echo(line)
    if result.identical:
        return
    count = result.count()
    click.echo(f"{count} difference{'' if count == 1 else 's'}.")
    raise SystemExit(1)
