"""The application factory's request plumbing."""

import inspect
import threading

from flask import Flask


def test_no_async_teardown_without_async_engines(app: Flask) -> None:
    """An ``async def`` teardown makes Flask start a thread on every request (asgiref's
    ``async_to_sync``): the factory removes the one Flask-SQLAlchemy-Lite registers for
    async sessions, which this project never opens."""
    assert not [f for f in app.teardown_appcontext_funcs if inspect.iscoroutinefunction(f)]
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def spy(self: threading.Thread) -> None:
        started.append(self)
        real_start(self)

    threading.Thread.start = spy  # type: ignore[method-assign]
    try:
        assert app.test_client().get("/").status_code == 200
    finally:
        threading.Thread.start = real_start  # type: ignore[method-assign]
    assert started == []


def test_sessions_still_closed_after_each_request(app: Flask) -> None:
    from monitor.extensions import db

    seen = []

    @app.route("/_session")
    def view() -> str:
        seen.append(db.session)
        return "ok"

    client = app.test_client()
    client.get("/_session")
    client.get("/_session")
    assert seen[0] is not seen[1]
