"""Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3's allow-list."""

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_TAGS = {
    "p",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "br",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
}


def render_markdown(text: str | None) -> Markup:
    """Render Markdown ``text`` to sanitised HTML (links limited to http, https, mailto).

    Results are cached by text (a pure function): a section page renders the same
    guidance texts on every request (benchmarks/section_page.py)."""
    if not text:
        return Markup("")
    return _render(text)


@lru_cache(maxsize=4096)
def _render(text: str) -> Markup:
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)


#: A footnote reference in a report paragraph's Markdown: ``[^1]`` (see
#: :class:`monitor.reports.models.ReportParagraph`).
FOOTNOTE_REF = re.compile(r"\[\^\d+\]")


def strip_footnote_refs(text: str | None) -> str:
    """``text`` without its footnote references (``[^1]``), for summaries that show a
    paragraph without its footnotes (public proposal tables, search results)."""
    return FOOTNOTE_REF.sub("", text or "")
