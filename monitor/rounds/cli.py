import click


@click.group("round")
def round_group() -> None:
    """Load evaluation rounds."""
