"""Nothing typed is lost when the session expires (issue 4, point 2).

A section form posted without a session (sign-in required, or the CSRF token gone with the
session) is kept server-side under a random token, and the sign-in link's ``next`` brings
the respondent back to the section with that token, where it is saved with the usual
rules (:mod:`monitor.submissions.conflicts`). Only posts sent from this site's own pages
(``Origin``, else ``Referer``, naming this host) are kept: a form another site makes a
browser post must not be saved once its victim signs in (that would bypass CSRF).
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Request
from sqlmodel import Session, select

from monitor.core.time import utcnow
from monitor.submissions.models import StashedPost

#: How long a kept post waits for its author to sign in again.
KEEP_FOR = timedelta(days=30)


def same_origin(request: Request) -> bool:
    """True when the request was sent by a page of this site (``Origin`` header, else
    ``Referer``); False when neither is given."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False
    return urlsplit(source).netloc == request.host


def stash_post(session: Session, path: str, form: Iterable[tuple[str, str]]) -> str:
    """Keep a posted form (``(name, value)`` pairs) for the page ``path``; returns the
    token (43 URL-safe characters) that gives it back."""
    token = secrets.token_urlsafe(32)
    session.add(StashedPost(token=token, path=path, form=[[k, v] for k, v in form]))
    return token


def take_stash(session: Session, token: str, path: str) -> list[tuple[str, str]] | None:
    """The form kept under ``token`` for ``path`` (deleted from the store: it is used
    once), or None when there is none, it was posted to another page or it is older than
    :data:`KEEP_FOR`."""
    kept = session.exec(select(StashedPost).where(StashedPost.token == token)).first()
    if kept is None or kept.path != path:
        return None
    session.delete(kept)
    if utcnow() - kept.created_at > KEEP_FOR:
        return None
    return [(str(k), str(v)) for k, v in kept.form or []]
