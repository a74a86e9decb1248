"""``monitor round ...``: loading evaluation rounds from YAML."""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from monitor.extensions import db
from monitor.questionnaires.loader import DefinitionError
from monitor.rounds.services import load_round


@click.group("round")
def round_group() -> None:
    """Load evaluation rounds."""


@round_group.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def load_command(path: str) -> None:
    """Load or update the round defined in PATH (a round YAML file) and commit.

    Prints one line per created or updated row; on a definition problem prints each
    problem as path:line:column: message and exits with status 1.
    """
    changes: list[str] = []
    try:
        rnd = load_round(db.session, path, actor_id=None, changes=changes)
    except DefinitionError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        summary = ngettext(
            "%(num)d problem; nothing was loaded.", "%(num)d problems; nothing was loaded.", count
        )
        click.echo(summary, err=True)
        raise SystemExit(1) from None
    db.session.commit()
    for line in changes:
        click.echo(line)
    click.echo(_("Round %(number)d loaded: %(title)s", number=rnd.number, title=rnd.title))
