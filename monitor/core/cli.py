"""``monitor translations ...``: where the gettext catalogs stand (no application needed:
the commands only read and write files under the project folder)."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from monitor.config import PROJECT_ROOT
from monitor.core import translations


@click.group("translations")
def translations_group() -> None:
    """Gettext catalogs of the interface and the questionnaires."""


@translations_group.command("status")
@click.option(
    "--update",
    is_flag=True,
    help="First re-extract translations/messages.pot and merge it into every catalog "
    "(a changed English text becomes fuzzy: outdated).",
)
@click.option("--list", "listing", is_flag=True, help="Also print every message left.")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=PROJECT_ROOT,
    show_default=True,
    help="Project folder: babel.cfg, the sources it maps and translations/.",
)
def status_command(update: bool, listing: bool, root: Path) -> None:
    """Per language: translated, missing and outdated (fuzzy) messages, for the interface
    (Python code, templates) and for the questionnaires (YAML).

    Counts are taken against a fresh extraction of the sources, so a text added or
    changed in a questionnaire counts at once, before messages.pot is updated.

    Exit status 1 when anything is missing or outdated, when messages.pot is stale or a
    catalog is not updated from it (the same conditions tests/test_translations.py
    enforces), 0 when every catalog is complete.
    """
    result = translations.update(root) if update else translations.status(root)
    for line in translations.format_status(result, listing):
        click.echo(line)
    if not result.complete:
        raise SystemExit(1)


# --- mail ---------------------------------------------------------------------------------


@click.group("mail")
def mail_group() -> None:
    """E-mail settings (MONITOR_MAIL_*)."""


@mail_group.command("test")
@click.argument("address")
@with_appcontext
def mail_test_command(address: str) -> None:
    """Send a short test message to ADDRESS with the configured settings: through
    MONITOR_MAIL_HOST, or into MONITOR_MAIL_DIR when no host is set. Exit status 1 when
    the message could not be delivered."""
    from flask import current_app

    from monitor.core.mail import MailError, build_message, send

    cfg = current_app.config
    msg = build_message(
        sender=cfg["MAIL_SENDER"],
        to=address,
        subject="monitor: test message",
        text="This message checks the e-mail settings of the monitor platform.\n",
    )
    try:
        path = send(msg)
    except MailError as exc:
        click.echo(f"not sent: {exc}", err=True)
        raise SystemExit(1) from exc
    if path is None:
        click.echo(f"sent to {address} via {cfg['MAIL_HOST']}:{cfg['MAIL_PORT']}")
    else:
        click.echo(f"written to {path} (no MONITOR_MAIL_HOST set)")


# --- end mail
