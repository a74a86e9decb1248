"""Shared fixtures: an app on a fresh database (SQLite by default, PostgreSQL when
``MONITOR_TEST_DATABASE_URL`` is set), its client and CLI runner, and factories."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from sqlmodel import SQLModel

from monitor import create_app
from monitor.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _compile_catalogs() -> None:
    """Compile translations/*.po to .mo once per session (the .mo files are not committed)."""
    from babel.messages.frontend import CommandLineInterface

    translations = ROOT / "translations"
    if any(translations.glob("*/LC_MESSAGES/*.po")):
        CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(translations)])


@pytest.fixture(scope="session", autouse=True)
def _catalogs() -> None:
    _compile_catalogs()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """argon2 with minimal cost in tests: production parameters cost ~0.1 s a hash."""
    from argon2 import PasswordHasher

    from monitor.accounts import services

    saved = services._hasher
    services._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    yield
    services._hasher = saved


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    Once pytest-playwright has started Playwright (a session fixture), an asyncio loop runs in
    the main thread until the end of the session, and Flask cannot pop an app context there
    any more (Flask-SQLAlchemy-Lite's async teardown goes through asgiref, which refuses):
    every later ``create_app`` or ``app.app_context()`` in the main thread fails.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def make_app(tmp_path: Path, **overrides: object) -> Flask:
    url = os.environ.get("MONITOR_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite'}"
    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        # uploads go to the test's own folder, never to instance/uploads
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        # mail is written to the test's own folder unless a test sets MAIL_HOST
        "MAIL_DIR": str(tmp_path / "mail"),
    }
    config.update(overrides)
    return create_app(config)


def reset_schema(app: Flask) -> None:
    """Give ``app``'s database an empty schema with every table of ``SQLModel.metadata``.

    On PostgreSQL (one database shared by all tests of a run) the whole ``public`` schema is
    dropped, so tables that are not in the metadata (``alembic_version`` left by a migration
    test) go too. Connections that earlier tests left open are ended first: their locks would
    make the DROP wait for ever. ``lock_timeout`` turns any other wait into an error.
    On SQLite each test has its own file, so drop_all/create_all is enough.
    """
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '20s'"))
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        # only our own role's connections: autovacuum workers belong to
                        # the superuser and may not be terminated by the test role
                        " AND usename = current_user"
                    )
                )
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            SQLModel.metadata.drop_all(engine)
        SQLModel.metadata.create_all(engine)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    reset_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# --- mail: a real SMTP server on loopback (aiosmtpd) -----------------------------------


class Outbox:
    """aiosmtpd handler keeping each message as an EmailMessage parsed with the
    ``default`` policy (decoded headers), and each envelope as (mail_from, rcpt_tos)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.host = "127.0.0.1"
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import policy
        from email.parser import BytesParser

        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[Outbox]:
    """An SMTP server on 127.0.0.1 (not port 0: Controller.start() connects to check)."""
    from aiosmtpd.controller import Controller

    outbox = Outbox()
    controller = Controller(outbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    outbox.host, outbox.port = controller.hostname, controller.port
    yield outbox
    controller.stop()


# --- end mail
