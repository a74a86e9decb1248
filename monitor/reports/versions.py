"""Versions of a country report (issue 5, point 3): a snapshot of the whole text at each
cycle step, and a paragraph-by-paragraph comparison of any two snapshots.

A snapshot is plain JSON (see :class:`monitor.reports.models.ReportVersion`), so it
survives later changes to the paragraph rows; paragraphs are matched across versions by
their stable id, never by number, since numbers shift when a paragraph is inserted.
"""

import difflib
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlmodel import Session, func, select

from monitor.accounts.models import User
from monitor.core.textdiff import changed, diff_html
from monitor.reports import services
from monitor.reports.models import Report, ReportStatus, ReportVersion

#: Paragraph fields that are compared besides the text (shown as "was / now").
COMPARED_FIELDS = (
    "kind",
    "grade",
    "verb",
    "articles",
    "themes",
    "priority",
    "repeats_id",
    "footnotes",
)
#: Bookkeeping columns left out of a snapshot: they change without changing the text.
_SKIPPED = {"updated_at", "updated_by_id", "report_id", "position"}


def content_of(session: Session, report: Report) -> dict[str, Any]:
    """The report's current text as snapshot JSON: ``{"title", "chapters": [{"id",
    "position", "title", "paragraphs": [{"id", "number", "chapter_id", "kind", "text",
    "verb", "articles", "footnotes", ...}]}]}``. Every paragraph column is kept (so new
    paragraph fields are versioned too) except bookkeeping ones."""
    chapters = []
    for chapter, paras in services.structure(session, report):
        rows = []
        for number, para in paras:
            row = {k: v for k, v in para.model_dump(mode="json").items() if k not in _SKIPPED}
            row["number"] = number
            rows.append(row)
        chapters.append(
            {
                "id": chapter.id,
                "position": chapter.position,
                "title": chapter.title,
                "paragraphs": rows,
            }
        )
    return {"title": report.title, "chapters": chapters}


def snapshot(session: Session, report: Report, actor: User | None, action: str) -> ReportVersion:
    """Store the report's current text as its next version (numbered from 1), tagged with
    the report's status and the cycle ``action`` that caused it. Never commits."""
    last = session.exec(
        select(func.max(ReportVersion.number)).where(ReportVersion.report_id == report.id)
    ).one()
    version = ReportVersion(
        report_id=report.id,  # type: ignore[arg-type]
        number=(last or 0) + 1,
        status=report.status,
        action=action,
        created_by_id=actor.id if actor else None,
        content=content_of(session, report),
    )
    session.add(version)
    session.flush()
    return version


def versions(session: Session, report: Report) -> list[ReportVersion]:
    """The report's versions, oldest first."""
    return list(
        session.exec(
            select(ReportVersion)
            .where(ReportVersion.report_id == report.id)
            .order_by(ReportVersion.number)  # type: ignore[arg-type]
        )
    )


#: States whose snapshots the Party may read: the text it was sent and everything after
#: (procedure step 8: the draft is the Party's once sent). Versions of the revision in
#: progress (``revising``) are the panel's until the report is transmitted.
PARTY_VERSION_STATES = frozenset(
    {
        ReportStatus.SENT_TO_PARTY,
        ReportStatus.PARTY_COMMENTED,
        ReportStatus.TRANSMITTED,
        ReportStatus.PUBLISHED,
    }
)


def sent_version(session: Session, report: Report) -> ReportVersion | None:
    """The latest snapshot taken when the draft went to the Party (None before that)."""
    return session.exec(
        select(ReportVersion)
        .where(ReportVersion.report_id == report.id)
        .where(ReportVersion.status == ReportStatus.SENT_TO_PARTY)
        .order_by(ReportVersion.number.desc())  # type: ignore[attr-defined]
    ).first()


@dataclass(frozen=True)
class ParagraphChange:
    """One paragraph in a comparison. ``state`` is ``same``, ``changed``, ``added``,
    ``removed`` or ``moved`` (present in both, but in another chapter or out of order;
    a moved paragraph may also be changed: ``text_changed``). ``old``/``new`` are the
    snapshot rows (None when absent); ``diff`` is the word diff of the text as HTML;
    ``fields`` lists ``(field, old value, new value)`` for the other changed fields."""

    state: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    diff: Markup
    text_changed: bool = False
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)


def _flat(content: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(ch, p) for ch in content.get("chapters", []) for p in ch.get("paragraphs", [])]


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[ParagraphChange]:
    """Compare two snapshots paragraph by paragraph, in the new version's order with each
    removed paragraph placed after the paragraph that preceded it in the old version.

    Paragraphs are matched by id. A paragraph counts as moved when its chapter changed or
    when it falls outside the longest common ordering of the paragraphs both versions have.
    """
    old_rows = _flat(old)
    new_rows = _flat(new)
    old_by_id = {p["id"]: (ch, p) for ch, p in old_rows}
    new_ids = {p["id"] for _ch, p in new_rows}
    common_old = [p["id"] for _ch, p in old_rows if p["id"] in new_ids]
    common_new = [p["id"] for _ch, p in new_rows if p["id"] in old_by_id]
    matcher = difflib.SequenceMatcher(None, common_old, common_new, autojunk=False)
    in_order: set[Any] = set()
    for block in matcher.get_matching_blocks():
        in_order.update(common_old[block.a : block.a + block.size])

    out: list[ParagraphChange] = []
    placed_removed: set[Any] = set()

    def removed_after(pid: Any) -> None:
        """Emit the removed paragraphs that followed ``pid`` in the old version."""
        ids = [p["id"] for _ch, p in old_rows]
        start = ids.index(pid) + 1 if pid in ids else 0
        for _ch, p in old_rows[start:]:
            if p["id"] in new_ids:
                break
            if p["id"] not in placed_removed:
                placed_removed.add(p["id"])
                out.append(ParagraphChange("removed", p, None, diff_html(p.get("text"), "")))

    removed_after(None)
    for ch, p in new_rows:
        match = old_by_id.get(p["id"])
        if match is None:
            out.append(ParagraphChange("added", None, p, diff_html("", p.get("text"))))
            continue
        old_ch, op = match
        fields = [(f, op.get(f), p.get(f)) for f in COMPARED_FIELDS if op.get(f) != p.get(f)]
        text_changed = changed(op.get("text"), p.get("text"))
        moved = old_ch["id"] != ch["id"] or p["id"] not in in_order
        if moved:
            state = "moved"
        elif text_changed or fields:
            state = "changed"
        else:
            state = "same"
        out.append(
            ParagraphChange(
                state, op, p, diff_html(op.get("text"), p.get("text")), text_changed, fields
            )
        )
        removed_after(p["id"])
    for _ch, p in old_rows:
        if p["id"] not in new_ids and p["id"] not in placed_removed:
            out.append(ParagraphChange("removed", p, None, diff_html(p.get("text"), "")))
    return out
