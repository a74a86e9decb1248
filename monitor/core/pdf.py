"""PDF rendering with WeasyPrint through a URL fetcher that serves only the project's own
assets (print CSS and bundled fonts under one folder) and ``data:`` URIs, so that HTML
holding user text can never make the renderer fetch anything else (cases B25 and
CVE-2025-68616). Used by the country reports (``monitor.reports.pdf.ReportURLFetcher``
is this class) and by the receipts of replies.
"""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

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
