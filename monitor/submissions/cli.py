"""``monitor submissions ...``: maintenance of replies, run by operators or cron."""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("submissions")
def submissions_group() -> None:
    """Replies and NGO submissions."""


@submissions_group.command("cleanup")
@click.option(
    "--max-age",
    type=click.IntRange(min=0),
    default=None,
    help="Seconds: delete pending conflicting answers and kept forms older than this "
    "(default MONITOR_CLEANUP_MAX_AGE, 30 days).",
)
@click.option(
    "--grace",
    type=click.IntRange(min=0),
    default=None,
    help="Seconds: keep unreferenced files stored more recently than this, as their "
    "upload may be under way (default MONITOR_CLEANUP_UPLOAD_GRACE, one day).",
)
@click.option("--dry-run", is_flag=True, help="Count what would be removed; remove nothing.")
@with_appcontext
def cleanup_command(max_age: int | None, grace: int | None, dry_run: bool) -> None:
    """Delete conflicting answers never resolved and forms kept after a session expired
    once they are older than the maximum age, and stored files that no attachment or
    receipt refers to. Prints what was removed; meant to run daily from cron."""
    from monitor.core.storage import LocalStorage, current_storage
    from monitor.extensions import db
    from monitor.submissions.cleanup import cleanup

    cfg = current_app.config
    storage = current_storage()
    if not isinstance(storage, LocalStorage):
        raise click.ClickException("only the local upload storage can be cleaned up so far")
    result = cleanup(
        db.session,
        storage,
        timedelta(seconds=cfg["CLEANUP_MAX_AGE"] if max_age is None else max_age),
        timedelta(seconds=cfg["CLEANUP_UPLOAD_GRACE"] if grace is None else grace),
        dry_run=dry_run,
    )
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {result.pending_saves} pending conflicting saves")
    click.echo(f"{verb} {result.stashed_posts} kept forms")
    click.echo(f"{verb} {len(result.blobs)} unreferenced files")
    click.echo(f"{verb} {len(result.temporary)} abandoned upload temporary files")
