"""Configuration: defaults overridden by ``MONITOR_*`` environment variables.

This is the only module that reads ``os.environ``. Every setting can be given as
``MONITOR_<NAME>`` (for example ``MONITOR_DATABASE_URL``); values are strings in the
environment and converted here.
"""

import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Languages of the UI and of questionnaire text: English is the source language.
LANGUAGES = ("en", "fr", "ru")

#: ``MAIL_SECURITY`` values and the SMTP port each implies when ``MAIL_PORT`` is not set.
MAIL_SECURITY_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


def _secret_key(instance_path: Path) -> str:
    """Return a persistent secret key for development, stored in ``instance/secret_key``.

    Production sets ``MONITOR_SECRET_KEY`` so that several app servers share one key.
    """
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key, encoding="utf-8")
    return key


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping (setting name -> value).

    Sources, last wins: defaults, ``MONITOR_*`` environment variables, ``overrides``
    (used by tests). ``DATABASE_URL`` is any SQLAlchemy URL; the default is an SQLite file
    in the instance folder. ``SESSION_LIFETIME`` is in seconds.

    Uploads (:mod:`monitor.core.storage`): ``UPLOAD_STORAGE`` names the kind of store
    (``local``), ``UPLOAD_DIR`` its directory (default ``instance/uploads``),
    ``MAX_UPLOAD_BYTES`` the size limit of one file in bytes (default 25 MiB, issue 4) and
    ``MAX_REQUEST_BYTES`` the limit of a whole request (default four files at the limit
    plus 1 MiB of form fields), beyond which Werkzeug answers 413 without reading on. A
    file above ``MAX_UPLOAD_BYTES`` in a request under ``MAX_REQUEST_BYTES`` is refused
    beside its question while the rest of the page is saved.

    ``INVITATION_MAX_AGE`` is how long, in seconds, the link in an e-mail inviting a
    contributor to a Party's reply stays valid (default 14 days).

    Clean-up (``monitor submissions cleanup``, run from cron): ``CLEANUP_MAX_AGE`` is the
    age in seconds beyond which conflicting answers still waiting for a choice and forms
    kept after a session expired are deleted (default 30 days, how long a kept form can
    be resumed); ``CLEANUP_UPLOAD_GRACE`` the age in seconds under which a stored file no
    attachment or receipt names is kept all the same, as its upload may still be under way
    (default one day).

    E-mail (:mod:`monitor.core.mail`): ``MAIL_HOST`` names the SMTP server; without it
    (development) each message is written as an ``.eml`` file to ``MAIL_DIR`` (default
    ``instance/mail``). ``MAIL_SECURITY`` is ``none``, ``starttls`` or ``ssl`` (implicit
    TLS); ``MAIL_PORT`` defaults to 25, 587 or 465 accordingly. ``MAIL_USERNAME`` and
    ``MAIL_PASSWORD`` log in when a username is given. ``MAIL_SENDER`` is the From address
    (``"Name <address>"`` accepted); ``MAIL_TIMEOUT`` is in seconds. Raises ValueError for
    another ``MAIL_SECURITY``.

    PDFs (:mod:`monitor.core.pdfjobs`, known-failures B14): each is laid out in a child
    process limited to ``PDF_MAX_MEMORY_BYTES`` of address space (default 1.5 GiB) and
    ``PDF_TIMEOUT_SECONDS`` (default 600). A download request waits up to
    ``PDF_WAIT_SECONDS`` (default 20) for the PDF, then answers with a page that polls
    until it is ready.

    Reminders (:mod:`monitor.reminders`): ``REMINDER_OFFSETS`` lists days from each due
    date, negative before it (default ``-14,-3,1,7,30``).
    """
    env = {k[len("MONITOR_") :]: v for k, v in os.environ.items() if k.startswith("MONITOR_")}
    overrides = dict(overrides or {})
    cfg: dict[str, Any] = {
        "DATABASE_URL": f"sqlite:///{instance_path / 'monitor.sqlite'}",
        "QUESTIONNAIRE_DIR": str(PROJECT_ROOT / "questionnaires"),
        "REPORT_TEMPLATE_DIR": str(PROJECT_ROOT / "reports"),
        "DEFAULT_LOCALE": "en",
        "SESSION_LIFETIME": "28800",
        "SESSION_COOKIE_SECURE": "0",
        "UPLOAD_STORAGE": "local",
        "UPLOAD_DIR": str(instance_path / "uploads"),
        "MAX_UPLOAD_BYTES": str(25 * 1024 * 1024),
        "INVITATION_MAX_AGE": str(14 * 24 * 3600),
        "CLEANUP_MAX_AGE": str(30 * 24 * 3600),
        "CLEANUP_UPLOAD_GRACE": str(24 * 3600),
        # --- mail
        "MAIL_HOST": "",
        "MAIL_SECURITY": "none",
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_SENDER": "Monitor <monitor@localhost>",
        "MAIL_DIR": str(instance_path / "mail"),
        "MAIL_TIMEOUT": "10",
        # --- end mail
        # --- pdf
        "PDF_WAIT_SECONDS": "20",
        "PDF_TIMEOUT_SECONDS": "600",
        "PDF_MAX_MEMORY_BYTES": str(1536 * 1024 * 1024),
        # --- end pdf
        # days from each due date, negative before it (monitor reminders send)
        "REMINDER_OFFSETS": "-14,-3,1,7,30",
    }
    cfg.update(env)
    cfg.update(overrides)
    secret = cfg.get("SECRET_KEY") or _secret_key(instance_path)
    lifetime = int(cfg["SESSION_LIFETIME"])
    max_upload = int(cfg["MAX_UPLOAD_BYTES"])
    max_request = int(cfg.get("MAX_REQUEST_BYTES") or 4 * max_upload + 1024 * 1024)
    # --- mail
    mail_security = str(cfg["MAIL_SECURITY"] or "none").lower()
    if mail_security not in MAIL_SECURITY_PORTS:
        raise ValueError(
            f"MONITOR_MAIL_SECURITY must be one of {', '.join(MAIL_SECURITY_PORTS)},"
            f" not {cfg['MAIL_SECURITY']!r}"
        )
    mail_port = int(cfg.get("MAIL_PORT") or MAIL_SECURITY_PORTS[mail_security])
    # --- end mail
    out: dict[str, Any] = {
        "SECRET_KEY": secret,
        "SQLALCHEMY_ENGINES": {"default": cfg["DATABASE_URL"]},
        "QUESTIONNAIRE_DIR": cfg["QUESTIONNAIRE_DIR"],
        "REPORT_TEMPLATE_DIR": cfg["REPORT_TEMPLATE_DIR"],
        "BABEL_DEFAULT_LOCALE": cfg["DEFAULT_LOCALE"],
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "LANGUAGES": LANGUAGES,
        "PERMANENT_SESSION_LIFETIME": lifetime,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": str(cfg["SESSION_COOKIE_SECURE"]) in ("1", "true", "True"),
        "WTF_CSRF_TIME_LIMIT": None,
        "UPLOAD_STORAGE": cfg["UPLOAD_STORAGE"],
        "UPLOAD_DIR": str(cfg["UPLOAD_DIR"]),
        "MAX_UPLOAD_BYTES": max_upload,
        "MAX_REQUEST_BYTES": max_request,
        "MAX_CONTENT_LENGTH": max_request,
        "INVITATION_MAX_AGE": int(cfg["INVITATION_MAX_AGE"]),
        "CLEANUP_MAX_AGE": int(cfg["CLEANUP_MAX_AGE"]),
        "CLEANUP_UPLOAD_GRACE": int(cfg["CLEANUP_UPLOAD_GRACE"]),
        # --- mail
        "MAIL_HOST": str(cfg["MAIL_HOST"] or ""),
        "MAIL_PORT": mail_port,
        "MAIL_SECURITY": mail_security,
        "MAIL_USERNAME": str(cfg["MAIL_USERNAME"] or ""),
        "MAIL_PASSWORD": str(cfg["MAIL_PASSWORD"] or ""),
        "MAIL_SENDER": str(cfg["MAIL_SENDER"]),
        "MAIL_DIR": str(cfg["MAIL_DIR"]),
        "MAIL_TIMEOUT": float(cfg["MAIL_TIMEOUT"]),
        # --- end mail
        # --- pdf
        "PDF_WAIT_SECONDS": float(cfg["PDF_WAIT_SECONDS"]),
        "PDF_TIMEOUT_SECONDS": float(cfg["PDF_TIMEOUT_SECONDS"]),
        "PDF_MAX_MEMORY_BYTES": int(cfg["PDF_MAX_MEMORY_BYTES"]),
        # --- end pdf
        "REMINDER_OFFSETS": str(cfg["REMINDER_OFFSETS"]),
        # SQLite cannot ALTER most things: Alembic's batch mode copies the table instead
        "ALEMBIC_CONTEXT": {"render_as_batch": True, "compare_type": True},
    }
    # Anything else passed through (TESTING, WTF_CSRF_ENABLED, ...) is kept as given.
    for key, value in overrides.items():
        if key not in cfg or key in ("TESTING", "WTF_CSRF_ENABLED"):
            out[key] = value
    return out
