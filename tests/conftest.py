"""Shared fixtures: an app on a fresh database (SQLite by default, PostgreSQL when
``MONITOR_TEST_DATABASE_URL`` is set), its client and CLI runner, and factories."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
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


def make_app(tmp_path: Path, **overrides: object) -> Flask:
    url = os.environ.get("MONITOR_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite'}"
    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
    }
    config.update(overrides)
    return create_app(config)


def reset_schema(app: Flask) -> None:
    with app.app_context():
        SQLModel.metadata.drop_all(db.engine)
        SQLModel.metadata.create_all(db.engine)


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
