"""Small security helpers."""

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str = "/") -> str:
    """Return ``target`` if it is a local path on this site, else ``default``.

    Refuses absolute URLs, scheme-relative ``//host`` and ``/\\host`` forms, schemes such
    as ``javascript:`` and control characters (an open redirect after login otherwise).
    """
    if not target:
        return default
    if any(ord(c) < 32 for c in target) or "\\" in target:
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
