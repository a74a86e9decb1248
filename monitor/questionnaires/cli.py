import click


@click.group("questionnaire")
def questionnaire() -> None:
    """Validate and inspect questionnaire YAML files."""
