"""Drafting pages and helpers of the paragraph editor (issue 5, points 1 and 2): the
evidence beside the form, citing answers, the chapter's questionnaire section and the
skeleton draft. Panel and secretariat only: a Party's user who may read the report gets
403, anyone else 404 (the report's own rule, :func:`monitor.reports.views._load_for_panel`).

Citing works without JavaScript: the evidence panel's "Cite" buttons are submit buttons
of the paragraph form (HTML's ``form`` attribute), so a click posts everything typed; the
view adds the answer to the form's hidden ``cited`` list and shows the form again. The
citations are saved with the paragraph.
"""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response

from monitor.core.web import current_language
from monitor.extensions import db
from monitor.reports import access, citations, drafting, services, skeleton
from monitor.reports.evidence import chapter_evidence
from monitor.reports.forms import ActionForm, ParagraphForm
from monitor.reports.models import (
    FindingGrade,
    ParagraphCitation,
    Report,
    ReportChapter,
    ReportParagraph,
)

bp = Blueprint("drafting", __name__, template_folder="templates")


@bp.app_context_processor
def _answer_citations() -> dict[str, Any]:
    """Give every page ``answer_citations(reply)``: item id -> the report paragraphs
    citing that answer, for the panel only (``{}`` for anyone else), so that the read-only
    reply shows "Cited in §N" without the submissions layer importing reports."""

    def answer_citations(reply: Any) -> dict[str, list[citations.CitingParagraph]]:
        if not access.is_panel(current_user) or getattr(reply, "id", None) is None:
            return {}
        return citations.citing_paragraphs_of_reply(db.session, reply.id)

    return {"answer_citations": answer_citations}


def grade_label(grade: FindingGrade | str | None) -> str:
    """A finding's grade in the current language."""
    if not grade:
        return ""
    return {
        FindingGrade.GOOD_PRACTICE: _("Good practice"),
        FindingGrade.GAP: _("Gap"),
        FindingGrade.CONCERN: _("Concern"),
    }[FindingGrade(grade)]


def setup_form(form: ParagraphForm, report: Report) -> None:
    """Fill the choices that depend on the report: the round's themes and the proposals
    of the previous round report (``§N (verb): first words``)."""
    form.set_themes(drafting.report_themes(db.session, report))
    previous = drafting.previous_report(db.session, report)
    repeatable: list[tuple[int, str]] = []
    if previous is not None:
        for number, p in services.proposals(db.session, previous):
            words = " ".join(p.text.split())
            label = f"§{number} ({p.verb}): {words[:90]}{'…' if len(words) > 90 else ''}"
            repeatable.append((p.id, label))  # type: ignore[arg-type]
    form.set_repeatable(repeatable)


def paragraph_extras(form: Any) -> dict[str, Any]:
    """The form's kind-specific values as keyword arguments of the paragraph services:
    grade, themes, priority, repeats_id."""
    repeats = form.repeats.data or ""
    return {
        "grade": FindingGrade(form.grade.data) if form.grade.data in set(FindingGrade) else None,
        "themes": [t for t in form.themes.data or [] if t],
        "priority": bool(form.priority.data),
        "repeats_id": int(repeats) if str(repeats).isdigit() else None,
    }


def prefill(form: ParagraphForm, para: ReportParagraph) -> None:
    """Put a stored paragraph's kind-specific values and citations into ``form``."""
    form.grade.data = para.grade.value if para.grade else ""
    form.themes.data = list(para.themes or [])
    form.priority.data = para.priority
    form.repeats.data = str(para.repeats_id) if para.repeats_id else ""
    form.cited.data = [
        f"{c.reply_id}:{c.item_id}"
        for c in db.session.exec(
            select(ParagraphCitation)
            .where(ParagraphCitation.paragraph_id == para.id)
            .order_by(ParagraphCitation.id)  # type: ignore[arg-type]
        )
    ]


def cited_keys(form: ParagraphForm) -> list[citations.AnswerKey]:
    """The answers the form cites, parsed (malformed values dropped)."""
    keys = [citations.parse_key(v) for v in form.cited.data or []]
    return [k for k in keys if k is not None]


def citation_button(form: ParagraphForm) -> bool:
    """If the post came from a "Cite" or "Remove" button of the evidence panel, update
    the form's cited answers and return True (the view then shows the form again without
    saving); otherwise return False."""
    if request.method != "POST":
        return False
    cite, uncite = request.form.get("cite"), request.form.get("uncite")
    if not cite and not uncite:
        return False
    current = list(form.cited.data or [])
    if cite and citations.parse_key(cite) and cite not in current:
        current.append(cite)
    if uncite:
        current = [v for v in current if v != uncite]
    form.cited.data = current
    # Errors of the half-written paragraph are not shown for a citation click.
    for field in form:
        field.errors = []
    return True


def editor_context(report: Report, chapter_id: int | None, form: ParagraphForm) -> dict[str, Any]:
    """What the paragraph editor shows beside the form: the evidence of the chapter
    (``evidence``, None without a chapter) and the answers the form cites, described
    (``cited_answers``)."""
    chapter = db.session.get(ReportChapter, chapter_id) if chapter_id else None
    if chapter is not None and chapter.report_id != report.id:
        chapter = None
    return {
        "evidence": chapter_evidence(db.session, report, chapter, current_language())
        if chapter is not None
        else None,
        "cited_answers": citations.describe_keys(db.session, report, cited_keys(form)),
        "cited_values": set(form.cited.data or []),
        "grade_label": grade_label,
    }


def report_page_context(
    report: Report,
    structure: list[tuple[ReportChapter, list[tuple[int, ReportParagraph]]]],
    is_panel: bool,
) -> dict[str, Any]:
    """What the report page shows of the drafting features: each paragraph's citations
    (``citations_by_paragraph``, panel only: NGO input is confidential), the previous
    round proposals repeated (``repeated``: paragraph id -> ``(number, evaluation id)``),
    ``grade_label``, ``theme_labels`` (theme id -> label) and ``has_paragraphs``."""
    repeated: dict[int, tuple[int | None, int]] = {}
    numbers_of: dict[int, dict[int, int]] = {}
    for _c, ps in structure:
        for _n, p in ps:
            target = db.session.get(ReportParagraph, p.repeats_id) if p.repeats_id else None
            other = db.session.get(Report, target.report_id) if target is not None else None
            if target is None or other is None:
                continue
            if other.id not in numbers_of:
                numbers_of[other.id] = services.paragraph_numbers(db.session, other)  # type: ignore[index]
            repeated[target.id] = (numbers_of[other.id].get(target.id), other.evaluation_id)  # type: ignore[index,arg-type]
    return {
        "citations_by_paragraph": citations.citations_by_paragraph(db.session, report)
        if is_panel
        else {},
        "repeated": repeated,
        "grade_label": grade_label,
        "theme_labels": dict(drafting.report_themes(db.session, report)),
        "has_paragraphs": any(ps for _c, ps in structure),
    }


def _panel_report(evaluation_id: int) -> tuple[Any, Report, Any, Any]:
    from monitor.reports.views import _load_for_panel

    return _load_for_panel(evaluation_id)


def _chapter(report: Report, chapter_id: int) -> ReportChapter:
    chapter = db.session.get(ReportChapter, chapter_id)
    if chapter is None or chapter.report_id != report.id:
        abort(404)
    return chapter


@bp.route("/evaluations/<int:evaluation_id>/report/chapters/<int:chapter_id>/evidence")
def evidence(evaluation_id: int, chapter_id: int) -> str:
    """The evidence for writing one chapter: the questionnaire section's answers side by
    side (with the paragraphs citing them) and the previous round report's paragraphs;
    the section the chapter is written from can be changed here."""
    evaluation, report, party, rnd = _panel_report(evaluation_id)
    chapter = _chapter(report, chapter_id)
    return render_template(
        "reports/evidence.html",
        evaluation=evaluation,
        report=report,
        party=party,
        round=rnd,
        chapter=chapter,
        evidence=chapter_evidence(db.session, report, chapter, current_language()),
        action_form=ActionForm(formdata=None),
        can_edit=access.can_edit_report(current_user, report),
        cited_values=set(),
        form=None,
    )


@bp.route(
    "/evaluations/<int:evaluation_id>/report/chapters/<int:chapter_id>/section",
    methods=["POST"],
)
def set_section(evaluation_id: int, chapter_id: int) -> Response:
    """Choose the questionnaire section a chapter is written from (empty: none)."""
    evaluation, report, party, rnd = _panel_report(evaluation_id)
    chapter = _chapter(report, chapter_id)
    if ActionForm().validate_on_submit():
        section_id = request.form.get("section_id") or None
        try:
            drafting.set_chapter_section(db.session, report, chapter, section_id, current_user)
            db.session.commit()
            flash(_("The chapter's questionnaire section has been changed."), "success")
        except services.ReportError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(
        url_for("drafting.evidence", evaluation_id=evaluation_id, chapter_id=chapter_id)
    )


@bp.route("/evaluations/<int:evaluation_id>/report/skeleton", methods=["POST"])
def generate_skeleton(evaluation_id: int) -> Response:
    """Start the report (if there is none) and generate its skeleton draft; refused on a
    report that already has paragraphs."""
    from monitor.reports.views import _context, _deny, default_title

    evaluation, report, party, rnd = _context(evaluation_id)
    if not access.can_manage_cycle(current_user, report):
        if report is not None and access.can_view_report(current_user, report, evaluation):
            abort(403)
        _deny()
    if ActionForm().validate_on_submit():
        try:
            if report is None:
                report = services.create_report(
                    db.session,
                    evaluation,
                    current_user,
                    default_title(db.session, evaluation, party, rnd),
                )
            skeleton.generate_skeleton(db.session, report, current_user)
            db.session.commit()
            flash(_("The skeleton draft has been generated."), "success")
        except services.ReportError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("reports.view", evaluation_id=evaluation_id))


@bp.route(
    "/evaluations/<int:evaluation_id>/report/citations/<int:citation_id>/delete",
    methods=["POST"],
)
def delete_citation(evaluation_id: int, citation_id: int) -> Response:
    """Remove one citation from a paragraph (from the report page)."""
    evaluation, report, party, rnd = _panel_report(evaluation_id)
    citation = db.session.get(ParagraphCitation, citation_id)
    if citation is None:
        abort(404)
    paragraph_id = citation.paragraph_id
    if ActionForm().validate_on_submit():
        try:
            citations.remove_citation(db.session, report, citation, current_user)
            db.session.commit()
            flash(_("The citation has been removed."), "success")
        except services.ReportError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("reports.view", evaluation_id=evaluation_id) + f"#p-{paragraph_id}")
