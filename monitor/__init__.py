"""monitor: a platform for treaty monitoring by an expert panel (GRETA model)."""

from pathlib import Path
from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory.

    ``config`` overrides the defaults and the ``MONITOR_*`` environment variables
    (tests pass ``TESTING``, ``DATABASE_URL``...). See :mod:`monitor.config`.
    """
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from monitor.config import load_config

    app.config.update(load_config(Path(app.instance_path), config))

    from monitor import models  # noqa: F401  (registers every table on the metadata)
    from monitor.core import web
    from monitor.extensions import alembic, babel, csrf, db, login_manager

    db.init_app(app)
    _drop_async_teardown(app)
    alembic.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale)
    web.init_app(app)

    from monitor.accounts.registration_views import bp as registration_bp
    from monitor.accounts.views import bp as accounts_bp
    from monitor.public.deadline_views import bp as deadlines_bp
    from monitor.public.evaluations import bp as evaluations_bp
    from monitor.public.published_views import bp as published_bp
    from monitor.public.views import bp as public_bp
    from monitor.reports.drafting_views import bp as drafting_bp
    from monitor.reports.recommendation_views import bp as recommendations_bp
    from monitor.reports.views import bp as reports_bp
    from monitor.submissions.carryover_views import bp as carryover_bp
    from monitor.submissions.cosigning_views import bp as cosigning_bp
    from monitor.submissions.preview import bp as preview_bp
    from monitor.submissions.receipt_views import bp as receipts_bp
    from monitor.submissions.request_views import bp as requests_bp
    from monitor.submissions.revision_views import bp as revisions_bp
    from monitor.submissions.team_views import bp as team_bp
    from monitor.submissions.views import bp as submissions_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(submissions_bp)
    app.register_blueprint(preview_bp)
    app.register_blueprint(receipts_bp)
    app.register_blueprint(revisions_bp)
    app.register_blueprint(requests_bp)
    app.register_blueprint(team_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(drafting_bp)
    app.register_blueprint(registration_bp)  # NGO registration (issue 4, point 8)
    app.register_blueprint(carryover_bp)  # answers from an earlier round (point 7)
    app.register_blueprint(cosigning_bp)  # joint NGO submissions (point 8)
    app.register_blueprint(recommendations_bp)
    app.register_blueprint(deadlines_bp)
    app.register_blueprint(published_bp)
    return app


def _drop_async_teardown(app: Flask) -> None:
    """Remove Flask-SQLAlchemy-Lite's teardown for async sessions when no async engine is
    configured (this project has none).

    Flask runs an ``async def`` teardown through asgiref's ``async_to_sync``, which starts
    a thread for every request: about 0.3 ms of a 1.3 ms signed-in request
    (``benchmarks/section_page.py``), spent closing sessions that never exist.
    """
    if app.config.get("SQLALCHEMY_ASYNC_ENGINES"):
        return
    from flask_sqlalchemy_lite import _extension

    app.teardown_appcontext_funcs[:] = [
        f for f in app.teardown_appcontext_funcs if f is not _extension._close_async_sessions
    ]
