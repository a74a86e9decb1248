"""Web glue shared by every blueprint: locale selection, template filters, security
headers, error pages, the language switch."""

from datetime import date, datetime
from typing import Any

from flask import (
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from monitor.core.i18n import articles_text, format_size, qt, qtext
from monitor.core.markdown import render_markdown, strip_footnote_refs
from monitor.core.security import safe_next


def select_locale() -> str:
    """Pick the request's language: ``?lang=``, then the session's choice, then the
    user's profile, then the browser's Accept-Language, then English."""
    if not has_request_context():  # CLI commands and services outside a request
        return str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))
    languages = current_app.config["LANGUAGES"]
    requested = request.args.get("lang")
    if requested and requested in languages:
        return requested
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    user = getattr(g, "_login_user", None) or _user_or_none()
    if user is not None and getattr(user, "locale", None) in languages:
        return user.locale
    return request.accept_languages.best_match(languages) or "en"


def _user_or_none() -> Any:
    try:
        if current_user and current_user.is_authenticated:
            return current_user
    except Exception:  # outside a request with a login manager
        return None
    return None


def current_language() -> str:
    """The current request's language code (``en``, ``fr`` or ``ru``)."""
    return str(get_locale() or "en")


def _fmt_date(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, fmt)
    return format_date(value, fmt)


def init_app(app: Flask) -> None:
    """Register filters, context processors, headers, error pages and ``/lang/<code>``."""
    from monitor.extensions import db, login_manager

    @login_manager.user_loader
    def load_user(user_id: str) -> Any:
        from monitor.accounts.models import User

        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None

    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["without_footnote_refs"] = strip_footnote_refs
    app.jinja_env.filters["date"] = _fmt_date
    app.jinja_env.globals["qtext"] = qtext
    app.jinja_env.globals["qt"] = qt
    app.jinja_env.globals["articles_text"] = articles_text
    app.jinja_env.filters["filesize"] = lambda size: format_size(int(size), current_language())
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"current_language": current_language(), "languages": app.config["LANGUAGES"]}

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.route("/lang/<code>")
    def switch_language(code: str) -> Response:
        """Switch the UI language and go back to ``next`` (a local path)."""
        if code not in app.config["LANGUAGES"]:
            abort(404)
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
        return redirect(safe_next(request.args.get("next"), "/"))

    # 413: a request above MAX_CONTENT_LENGTH (uploads), refused by Werkzeug unread
    for status in (403, 404, 409, 413):

        def handler(error: Exception, status: int = status) -> tuple[str, int]:
            return render_template("error.html", status=status, error=error), status

        app.register_error_handler(status, handler)
