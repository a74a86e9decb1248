"""``monitor user ...`` commands."""

import click
from flask.cli import AppGroup
from sqlmodel import select

from monitor.accounts.models import Organisation, Party, Role
from monitor.accounts.services import create_user
from monitor.extensions import db


@click.group("user", cls=AppGroup)
def user_group() -> None:
    """Manage user accounts."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--party", "party_code", help="ISO 3166-1 alpha-2 code, for Party roles")
@click.option("--organisation", help="organisation name, for the NGO role")
@click.password_option()
def create(
    email: str,
    name: str,
    role: str,
    party_code: str | None,
    organisation: str | None,
    password: str,
) -> None:
    """Create a user account."""
    s = db.session
    party = s.exec(select(Party).where(Party.code == party_code)).first() if party_code else None
    if party_code and party is None:
        raise click.ClickException(f"no Party with code {party_code}")
    org = None
    if organisation:
        org = s.exec(select(Organisation).where(Organisation.name == organisation)).first()
        if org is None:
            org = Organisation(name=organisation, party_id=party.id if party else None)
            s.add(org)
            s.flush()
    try:
        create_user(s, email, name, password, Role(role), party=party, organisation=org)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    s.commit()
    click.echo(f"created {email} ({role})")
