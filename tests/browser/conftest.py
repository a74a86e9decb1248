"""Browser tests: Debian's Chromium driven by Playwright against a live server.

The server runs in a thread of the test process on a free loopback port, with its own SQLite
file (also when ``MONITOR_TEST_DATABASE_URL`` points at PostgreSQL), CSRF protection on, and
the demo data of :func:`monitor.demo.load_demo`. It is shared by the whole session: tests that
change data must not depend on other tests' changes.

Every test module here sets ``pytestmark = pytest.mark.browser`` so that a run can leave them
out with ``-m "not browser"``; tests/conftest.py runs them after all other tests.

While Playwright runs, an asyncio loop is running in the main thread and Flask cannot pop a
normal app context there (see ``pytest_collection_modifyitems`` in tests/conftest.py). So the
live app is built before Playwright starts, and a browser test that reads or changes the
database uses ``live_app`` (``with live_app.app_context(): ...``), never the ``app`` fixture.
"""

import inspect
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from monitor.extensions import db
from tests.conftest import ROOT, make_app, reset_schema

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Screenshots worth keeping after a run (gitignored).
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's fixture, extended: Debian's Chromium (never `playwright install`)."""
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} missing: apt-get install chromium (scripts/test does)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app behind ``live_server``: own SQLite file, CSRF on, demo data committed."""
    from monitor import demo

    load_demo = getattr(demo, "load_demo", None)
    if load_demo is None:
        pytest.skip("monitor.demo.load_demo does not exist yet (the content helper writes it)")
    tmp = tmp_path_factory.mktemp("live")
    app = make_app(tmp, DATABASE_URL=f"sqlite:///{tmp / 'live.sqlite'}", WTF_CSRF_ENABLED=True)
    # No async engine is configured, so Flask-SQLAlchemy-Lite's async teardown has nothing to
    # close; without it, tests can push this app's context while Playwright's loop runs.
    app.teardown_appcontext_funcs[:] = [
        f for f in app.teardown_appcontext_funcs if not inspect.iscoroutinefunction(f)
    ]
    reset_schema(app)
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>``) of ``live_app``, served in a thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session", autouse=True)
def _live_server_before_playwright(live_server: str) -> None:
    """Autouse fixtures are set up first: the live app exists before Playwright starts."""


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright's base_url: every page gets it, so ``page.goto("/login")`` works."""
    return live_server


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots kept after the run: ``test-artifacts/`` at the repo root."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
