import click


@click.group("report")
def report() -> None:
    """Render country reports."""
