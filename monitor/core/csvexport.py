"""CSV files for spreadsheets: UTF-8 with a byte-order mark, every text cell guarded
against formula injection (known failures B04 and B05)."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

#: A text cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a text cell that a spreadsheet would run as a formula (starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) prefixed by an apostrophe,
    which spreadsheets show as text (the fix of known failure B05). Numbers and None pass
    unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV document (comma-separated, ``\\r\\n`` line ends, quoted as needed) encoded
    as UTF-8 with a BOM, so that Excel reads accents and Cyrillic correctly (known failure
    B04). Header and data cells alike go through :func:`safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(str(h)) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")
