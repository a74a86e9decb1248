"""HTTP headers for files sent to the browser as downloads."""

import re
import unicodedata
from urllib.parse import quote

#: Characters RFC 5987 ``attr-char`` allows unescaped besides letters and digits.
_ATTR_CHARS = "!#$&+-.^_`|~"
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9 ._()\-]")


def ascii_filename(filename: str, fallback: str) -> str:
    """A plain ASCII stand-in for ``filename`` for clients that ignore ``filename*``:
    accents dropped (``rapport_été.docx`` -> ``rapport_ete.docx``), other characters
    removed. When nothing of the name before the extension is left (``файл.pdf``),
    ``fallback`` takes its place (``attachment-12.pdf``), so no download is ever named
    ``.pdf`` or nothing (known-failures B29)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot or not stem:
        stem, ext = filename, ""
    plain_stem, plain_ext = _plain(stem), _plain(ext)
    if not re.search(r"[A-Za-z0-9]", plain_stem):
        plain_stem = fallback
    return f"{plain_stem}.{plain_ext}" if plain_ext else plain_stem


def _plain(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_PLAIN.sub("", ascii_text).strip(" ._-")


def content_disposition(filename: str, fallback: str = "download") -> str:
    """The ``Content-Disposition`` value that makes the browser save the response as
    ``filename``, in any script: ``attachment; filename="<ASCII stand-in>";
    filename*=UTF-8''<percent-encoded UTF-8>`` (RFC 6266 with RFC 5987 encoding; browsers
    prefer ``filename*``). ``fallback`` names the file where the ASCII stand-in would be
    empty (see :func:`ascii_filename`)."""
    plain = ascii_filename(filename, fallback)
    encoded = quote(filename, safe=_ATTR_CHARS, encoding="utf-8")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}"
