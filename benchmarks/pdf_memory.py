#!/usr/bin/env python3
"""Memory and time of laying out a long report PDF, in the web process or in a child.

    python benchmarks/pdf_memory.py                 # about 300 pages
    python benchmarks/pdf_memory.py --pages 60

Known-failures B14: a report of some 300 pages, mostly long statistics tables, took about
2 GB to lay out with WeasyPrint and the memory was not given back. This script builds
such a document with the project's print stylesheet and bundled fonts (``reports/``):
narrative paragraphs and, every few pages, a statistics table of 10 years x 12 columns,
repeated until it fills about ``--pages`` A4 pages, and lays it out twice in this run:

- *child* (what the platform does, :func:`monitor.core.pdf.render_isolated`): the web
  process's resident memory before and after, and the child's peak (``ru_maxrss`` of
  ``RUSAGE_CHILDREN``);
- *in process* (the baseline, :func:`monitor.core.pdf.html_to_pdf` called directly):
  this process's resident memory before and after, and its peak.

It prints pages, seconds and MiB for each, and the ratios child/in-process. The child
is run first, so the in-process run cannot have grown the heap it is compared with.
"""

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from monitor.core.pdf import html_to_pdf, render_isolated  # noqa: E402

REPORTS = ROOT / "reports"
MIB = 1024 * 1024


def rss_bytes() -> int:
    """This process's resident set size now, in bytes (Linux ``/proc/self/statm``)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize()


def peak_bytes(who: int) -> int:
    """Peak resident set size of ``who`` (RUSAGE_SELF or RUSAGE_CHILDREN), bytes."""
    return resource.getrusage(who).ru_maxrss * 1024  # Linux reports KiB


def document(pages: int) -> str:
    """A report-like HTML document of roughly ``pages`` A4 pages."""
    paragraph = (
        "<p>The Party reported that the national referral mechanism was revised and that "
        "labour inspectors, Группа экспертов, œuvre and Şəki took part in joint training; "
        "the panel considers that the identification of victims of trafficking for labour "
        "exploitation still depends on the police.</p>"
    )
    head = "".join(f"<th>Column {c}</th>" for c in range(1, 13))
    rows = "".join(
        f"<tr><th>{year}</th>"
        + "".join(f"<td>{(year * c) % 997}</td>" for c in range(1, 13))
        + "</tr>"
        for year in range(2014, 2024)
    )
    table = (
        f"<table class='statistics'><thead><tr><th>Year</th>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    chunk = "<h2>Chapter</h2>" + paragraph * 6 + table + paragraph * 4
    body = chunk * max(1, round(pages * 0.75))  # about 1.3 pages each
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<link rel='stylesheet' href='report.css'></head>"
        f"<body><main>{body}</main></body></html>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=300, help="about how many pages (300)")
    args = parser.parse_args()
    html = document(args.pages)

    before = rss_bytes()
    started = time.perf_counter()
    pdf = render_isolated(html, REPORTS, max_memory_bytes=None, timeout=3600)
    child_seconds = time.perf_counter() - started
    child_after = rss_bytes()
    child_peak = peak_bytes(resource.RUSAGE_CHILDREN)
    pages = len(PdfReader(__import__("io").BytesIO(pdf)).pages)

    self_before = rss_bytes()
    started = time.perf_counter()
    html_to_pdf(html, REPORTS)
    in_seconds = time.perf_counter() - started
    in_after = rss_bytes()
    in_peak = peak_bytes(resource.RUSAGE_SELF)

    print(f"document: {len(html) / 1024:.0f} KiB of HTML, {pages} pages")
    print()
    print("| how | seconds | web process RSS before -> after (MiB) | peak RSS (MiB) |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| child process | {child_seconds:.1f} | {before / MIB:.0f} -> {child_after / MIB:.0f}"
        f" | {child_peak / MIB:.0f} (child) |"
    )
    print(
        f"| in process (baseline) | {in_seconds:.1f}"
        f" | {self_before / MIB:.0f} -> {in_after / MIB:.0f} | {in_peak / MIB:.0f} (web process) |"
    )
    print()
    print(f"time ratio child / in process: {child_seconds / in_seconds:.2f}")
    kept_child = max(child_after - before, 0)
    kept_in = max(in_after - self_before, 1)
    print(f"memory kept by the web process, child / in process: {kept_child / kept_in:.2f}")


if __name__ == "__main__":
    main()
