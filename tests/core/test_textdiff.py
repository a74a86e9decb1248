"""Word-level diff used by reply revisions and report versions."""

from hypothesis import given
from hypothesis import strategies as st

from monitor.core.textdiff import Chunk, changed, diff_html, word_diff


def test_replaced_word_is_deleted_then_inserted():
    assert word_diff("The Party has adopted a plan", "The Party has revised a plan") == [
        Chunk("equal", "The Party has "),
        Chunk("delete", "adopted"),
        Chunk("insert", "revised"),
        Chunk("equal", " a plan"),
    ]


def test_none_is_empty_text():
    assert word_diff(None, "new text") == [Chunk("insert", "new text")]
    assert word_diff("old", None) == [Chunk("delete", "old")]
    assert word_diff(None, None) == []
    assert not changed(None, "")
    assert changed("a", "b")


def test_html_is_escaped():
    html = str(diff_html("<b>a</b> x", "<b>a</b> y & z"))
    assert "<b>" not in html
    assert "&lt;b&gt;a&lt;/b&gt; " in html
    assert "<del>x</del><ins>y &amp; z</ins>" in html


def test_cyrillic_words():
    assert word_diff("план действий", "национальный план действий") == [
        Chunk("insert", "национальный "),
        Chunk("equal", "план действий"),
    ]


@given(st.text(), st.text())
def test_chunks_rebuild_both_texts(old, new):
    chunks = word_diff(old, new)
    assert "".join(c.text for c in chunks if c.op != "insert") == old
    assert "".join(c.text for c in chunks if c.op != "delete") == new
    assert all(c.text for c in chunks)
    assert all(a.op != b.op for a, b in zip(chunks, chunks[1:], strict=False))
