"""Word-level differences between two texts, for comparing reply revisions (issue 4,
point 6) and report versions (issue 5, point 3).

The texts are split into words and the whitespace between them (so a changed line break
or double space is a change too), and :class:`difflib.SequenceMatcher` aligns the two
token lists. :func:`word_diff` returns the result as a list of :class:`Chunk`;
:func:`diff_html` renders it as escaped HTML with ``<ins>`` and ``<del>`` elements,
which screen readers announce and the stylesheet colours (``.diff ins``/``.diff del``);
a visually hidden "inserted:"/"deleted:" prefix is not added, since ``<ins>``/``<del>``
carry the meaning and a printed diff reads better without it.

Nothing here knows the domain: callers pass the texts to compare (an answer rendered as
text, a paragraph's Markdown source).
"""

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

_TOKEN = re.compile(r"\s+|[^\s]+")

Op = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class Chunk:
    """A run of text that is the same in both texts (``equal``), only in the new text
    (``insert``) or only in the old text (``delete``)."""

    op: Op
    text: str


def tokens(text: str) -> list[str]:
    """``text`` split into words and runs of whitespace, in order; ``"".join`` of the
    result is ``text``."""
    return _TOKEN.findall(text)


def word_diff(old: str | None, new: str | None) -> list[Chunk]:
    """The chunks that turn ``old`` into ``new``, word by word.

    ``None`` reads as the empty text. A replaced run of words comes out as its deletion
    followed by its insertion. Adjacent chunks of the same kind are merged, so the list
    alternates; joining the ``equal`` and ``delete`` chunks gives ``old``, joining the
    ``equal`` and ``insert`` chunks gives ``new``.
    """
    a, b = tokens(old or ""), tokens(new or "")
    chunks: list[Chunk] = []

    def add(op: Op, parts: list[str]) -> None:
        text = "".join(parts)
        if not text:
            return
        if chunks and chunks[-1].op == op:
            chunks[-1] = Chunk(op, chunks[-1].text + text)
        else:
            chunks.append(Chunk(op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return chunks


def changed(old: str | None, new: str | None) -> bool:
    """True when the two texts differ (``None`` and ``""`` are the same)."""
    return (old or "") != (new or "")


def diff_html(old: str | None, new: str | None) -> Markup:
    """The word diff as safe HTML: unchanged text escaped as is, deletions in ``<del>``
    and insertions in ``<ins>``. Line breaks are kept as text; wrap the result in an
    element styled ``white-space: pre-wrap`` (class ``diff``) to show them."""
    out = []
    for chunk in word_diff(old, new):
        text = escape(chunk.text)
        if chunk.op == "equal":
            out.append(str(text))
        elif chunk.op == "insert":
            out.append(f"<ins>{text}</ins>")
        else:
            out.append(f"<del>{text}</del>")
    return Markup("".join(out))
