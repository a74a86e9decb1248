"""PDF rendering with WeasyPrint through a URL fetcher that serves only the project's own
assets (print CSS and bundled fonts under one folder) and ``data:`` URIs, so that HTML
holding user text can never make the renderer fetch anything else (cases B25 and
CVE-2025-68616). Used by the country reports (``monitor.reports.pdf.ReportURLFetcher``
is this class) and by the receipts of replies.
"""

import hashlib
import logging
import mimetypes
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname
from xml.sax.saxutils import escape

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)


class AssetURLFetcher(URLFetcher):
    """Serve files under ``root`` and ``data:`` URIs; refuse everything else (http(s),
    ftp, files outside ``root``, ``..`` escapes, symlinks out of ``root``, file URLs with
    a host) with ValueError, which WeasyPrint logs and skips. ``fetched`` and ``refused``
    list the URLs asked for, in order."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=5)
        self.root = Path(root).resolve()
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            self.fetched.append(url[:64])
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(url2pathname(parts.path)).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                self.fetched.append(url)
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
                )
        self.refused.append(url)
        log.warning("PDF: refused to fetch %s", url)
        raise ValueError(f"the PDF renderer does not fetch {url}")


def html_to_pdf(html: str, root: Path, fetcher: AssetURLFetcher | None = None) -> bytes:
    """Lay out ``html`` (a whole document) as PDF bytes; relative URLs resolve under
    ``root`` and are fetched only through ``fetcher`` (an :class:`AssetURLFetcher` on
    ``root`` by default)."""
    root = Path(root).resolve()
    fetcher = fetcher or AssetURLFetcher(root)
    pdf = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert pdf is not None
    return pdf


#: How the worker's own error lines start on its standard error; other lines there come
#: from native code (Pango, GLib, fontconfig).
WORKER_PREFIX = "pdf_worker: "


def private_fontconfig(root: Path) -> Path:
    """A fontconfig file for the PDF worker: the fonts under ``root/fonts`` (the bundled
    DejaVu) and a font cache of its own in the temporary folder, so that the worker
    never reads nor writes the system's font cache. A worker that runs out of its memory
    allowance while scanning fonts would otherwise write an empty system cache (as root),
    after which no program on the machine finds a font. Returns the file's path; it is
    written once per ``root``."""
    folder = Path(tempfile.gettempdir()) / f"monitor-fontconfig-{os.getuid()}"
    digest = hashlib.sha256(str(root).encode("utf-8")).hexdigest()[:16]
    path = folder / f"fonts-{digest}.conf"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        text = (
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
            f"<fontconfig>\n  <dir>{escape(str(root / 'fonts'))}</dir>\n"
            f"  <cachedir>{escape(str(folder / ('cache-' + digest)))}</cachedir>\n</fontconfig>\n"
        )
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return path


class PdfRenderError(Exception):
    """A PDF could not be laid out in its child process: the layout failed, ran out of
    its memory allowance or its time. The message says which, in English, for logs."""


def render_isolated(
    html: str, root: Path, *, max_memory_bytes: int | None = None, timeout: float = 600.0
) -> bytes:
    """Lay out ``html`` as PDF bytes in a child process (``monitor.core.pdf_worker``),
    like :func:`html_to_pdf` but so that the memory WeasyPrint takes for a long report
    is returned to the system when the child exits, not kept by the web worker
    (known-failures B14).

    ``max_memory_bytes`` caps the child's address space once WeasyPrint is loaded
    (``RLIMIT_AS``; None: no cap);
    ``timeout`` is in seconds. Raises :class:`PdfRenderError` when the child fails,
    exceeds the cap or the time.
    """
    root = Path(root).resolve()
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(private_fontconfig(root))
    package_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "monitor.core.pdf_worker",
                str(root),
                str(max_memory_bytes or 0),
            ],
            input=html.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PdfRenderError(f"the PDF took longer than {timeout:g} s to lay out") from error
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        own = [line.removeprefix(WORKER_PREFIX) for line in lines if line.startswith(WORKER_PREFIX)]
        if own and own[-1].startswith("MemoryError"):
            raise PdfRenderError(
                f"the PDF needs more than {max_memory_bytes or 0:,} bytes of memory to lay out"
            )
        if own:
            raise PdfRenderError(own[-1])
        # native code (Pango, GLib) aborts instead of raising, e.g. when memory runs out
        hint = (
            f"; it may need more than {max_memory_bytes:,} bytes of memory"
            if max_memory_bytes
            else ""
        )
        last = lines[-1] if lines else ""
        raise PdfRenderError(
            f"the PDF worker stopped (exit status {done.returncode}){hint}: {last}"
        )
    for line in done.stderr.decode("utf-8", "replace").splitlines():
        log.info("PDF worker: %s", line)
    return done.stdout
