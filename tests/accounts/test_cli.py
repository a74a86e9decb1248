"""``monitor user create`` through the real command group."""

from sqlmodel import select

from monitor.accounts.models import Organisation, Party, Role, User
from monitor.cli import main
from monitor.extensions import db


def test_user_create_party_contributor_and_ngo(app, runner):
    with app.app_context():
        db.session.add(Party(code="UA", name="Ukraine"))
        db.session.commit()
    result = runner.invoke(
        main,
        [
            "user",
            "create",
            "--email",
            "Olha@Example.org",
            "--name",
            "Olha",
            "--role",
            "party_contributor",
            "--party",
            "UA",
            "--password",
            "s3cret-pass",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        main,
        [
            "user",
            "create",
            "--email",
            "ngo@example.org",
            "--name",
            "Nadia",
            "--role",
            "ngo",
            "--organisation",
            "La Strada",
            "--password",
            "s3cret-pass",
        ],
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        olha = db.session.exec(select(User).where(User.email == "olha@example.org")).one()
        assert olha.role == Role.PARTY_CONTRIBUTOR and olha.party_id is not None
        assert db.session.exec(select(Organisation).where(Organisation.name == "La Strada")).one()
    client = app.test_client()
    resp = client.post("/login", data={"email": "olha@example.org", "password": "s3cret-pass"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/dashboard"


def test_user_create_refuses_unknown_party_and_duplicates(app, runner):
    result = runner.invoke(
        main,
        [
            "user",
            "create",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--role",
            "party_contact",
            "--party",
            "ZZ",
            "--password",
            "s3cret-pass",
        ],
    )
    assert result.exit_code == 1 and "no Party with code ZZ" in result.output
    args = [
        "user",
        "create",
        "--email",
        "p@example.org",
        "--name",
        "P",
        "--role",
        "panel",
        "--password",
        "s3cret-pass",
    ]
    assert runner.invoke(main, args).exit_code == 0
    again = runner.invoke(main, args)
    assert again.exit_code == 1 and "exists" in again.output
