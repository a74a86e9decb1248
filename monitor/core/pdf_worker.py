"""The child process that lays out one PDF (known-failures B14).

Run as ``python -m monitor.core.pdf_worker ROOT [MAX_MEMORY_BYTES]``: reads a whole
HTML document (UTF-8) from standard input, writes the PDF bytes to standard output, and
exits 0; on any error it writes the message to standard error and exits 1. Relative
URLs resolve under ``ROOT`` and are fetched only through
:class:`monitor.core.pdf.AssetURLFetcher`.

Once WeasyPrint is imported, the worker caps its own address space at
``MAX_MEMORY_BYTES`` (``RLIMIT_AS``; 0 or absent: no cap), so a runaway layout fails with
MemoryError instead of swapping the server (the cap is set after the import so that it
limits the layout, not the loading of shared libraries). Whatever WeasyPrint allocates
is given back to the system when the child exits. This module imports no Flask and no
database code.
"""

import resource
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python -m monitor.core.pdf_worker ROOT [MAX_MEMORY_BYTES]", file=sys.stderr)
        return 2
    from monitor.core.pdf import WORKER_PREFIX, html_to_pdf

    html = sys.stdin.buffer.read().decode("utf-8")
    max_memory = int(argv[1]) if len(argv) == 2 else 0
    try:
        if max_memory > 0:
            resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
        pdf = html_to_pdf(html, Path(argv[0]))
    except MemoryError:
        print(
            f"{WORKER_PREFIX}MemoryError: the PDF needs more memory than allowed", file=sys.stderr
        )
        return 1
    except Exception as error:  # reported to the parent, which raises PdfRenderError
        print(f"{WORKER_PREFIX}{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(pdf)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
