"""Country report pages: reading, editing, the comment cycle, adoption, publication, PDF.

Each view loads the evaluation and its report, checks access with
:mod:`monitor.reports.access`, calls at most one service and commits once. Everything a
template needs is loaded inside the request, while the session is open (no lazy loads
after it closes: known failure B19). Paragraph text is Markdown rendered through the
sanitiser (known failure B25); comments are plain text, escaped by Jinja.
"""

import re
from typing import Any, NoReturn

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from monitor.accounts.models import Party
from monitor.core.markdown import render_markdown
from monitor.core.web import current_language
from monitor.extensions import db
from monitor.reports import access, citations, drafting_views, labels, services
from monitor.reports.forms import (
    ActionForm,
    ChapterForm,
    CommentForm,
    DealtWithForm,
    ParagraphForm,
    parse_articles,
    parse_footnotes,
)
from monitor.reports.models import (
    ParagraphKind,
    Report,
    ReportChapter,
    ReportComment,
    ReportParagraph,
    ReportStatus,
)
from monitor.rounds.models import Evaluation, EvaluationRound, Instrument

bp = Blueprint("reports", __name__, template_folder="templates")

_FOOTNOTE_REF = re.compile(r"\[\^(\d+)\]")


def paragraph_html(para: ReportParagraph) -> Markup:
    """The paragraph's Markdown as sanitised HTML, with ``[^n]`` turned into a superscript
    link to footnote ``n`` listed under the paragraph (anchor ``fn-<paragraph id>-<n>``).

    Only digits from the sanitised output are put back into markup, so the substitution
    cannot reintroduce anything the sanitiser removed.
    """
    html = str(render_markdown(para.text))
    count = len(para.footnotes)

    def ref(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if not 1 <= n <= count:
            return match.group(0)
        return f'<sup class="fnref"><a href="#fn-{para.id}-{n}">{n}</a></sup>'

    return Markup(_FOOTNOTE_REF.sub(ref, html))


def _context(evaluation_id: int) -> tuple[Evaluation, Report | None, Party, EvaluationRound]:
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        abort(404)
    party = db.session.get(Party, evaluation.party_id)
    rnd = db.session.get(EvaluationRound, evaluation.round_id)
    assert party is not None and rnd is not None
    return evaluation, services.report_for_evaluation(db.session, evaluation_id), party, rnd


def _deny() -> NoReturn:
    """Anonymous visitors are sent to sign in; signed-in users get 404, so that a draft
    they may not see is not revealed."""
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())  # type: ignore[attr-defined]
    abort(404)


def _load_for_view(evaluation_id: int) -> tuple[Evaluation, Report | None, Party, EvaluationRound]:
    evaluation, report, party, rnd = _context(evaluation_id)
    if not access.can_view_report(current_user, report, evaluation):
        _deny()
    return evaluation, report, party, rnd


def _load_for_panel(evaluation_id: int) -> tuple[Evaluation, Report, Party, EvaluationRound]:
    """The report for a panel action: 404 without a report, sign-in or 404 for others."""
    evaluation, report, party, rnd = _context(evaluation_id)
    if not access.can_manage_cycle(current_user, report):
        if report is not None and access.can_view_report(current_user, report, evaluation):
            abort(403)
        _deny()
    if report is None:
        abort(404)
    return evaluation, report, party, rnd


def _back(evaluation_id: int, anchor: str | None = None) -> Response:
    url = url_for("reports.view", evaluation_id=evaluation_id)
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- reading -------------------------------------------------------------------------------


def action_label(action: str) -> str:
    """A translated label for an audit action name such as ``report.adopted``."""
    labels = {
        "report.created": _("Report started"),
        "report.chapter_added": _("Chapter added"),
        "report.paragraph_added": _("Paragraph added"),
        "report.paragraph_changed": _("Paragraph changed"),
        "report.paragraph_deleted": _("Paragraph deleted"),
        "report.comment_added": _("Comment written"),
        "report.comment_answered": _("Comment answered"),
        "report.comment_dealt_with": _("Comment dealt with"),
        "report.skeleton_generated": _("Skeleton draft generated"),
        "report.answer_cited": _("Answer cited"),
        "report.citation_removed": _("Citation removed"),
        "report.chapter_section_set": _("Chapter's questionnaire section changed"),
        "report.agenda_item_added": _("Put on a plenary's agenda"),
        "report.urgent_set": _("Urgent procedure set"),
        "report.deadline_changed": _("Deadline changed"),
        # audit rows written before the cycle table (migration 1796040515)
        "report.sent_to_party": _("Draft sent to the Party"),
        "report.adopted": _("Final report adopted"),
        "report.published": _("Report published"),
    }
    if action in labels:
        return labels[action]
    from monitor.reports.cycle import ACTION_LABELS, Action

    name = action.removeprefix("report.")
    if name in Action.__members__.values():
        return str(ACTION_LABELS[Action(name)])
    return action


def status_label(status: ReportStatus) -> str:
    return labels.status_label(status)


def _paragraph_form(report: Report, chapters: list[ReportChapter], **kwargs: Any) -> ParagraphForm:
    form = ParagraphForm(**kwargs)
    form.set_chapters([(c.id, c.title) for c in chapters])  # type: ignore[misc]
    form.set_verbs(services.proposal_verbs(db.session, report))
    drafting_views.setup_form(form, report)
    return form


def _render_view(
    evaluation: Evaluation,
    report: Report | None,
    party: Party,
    rnd: EvaluationRound,
    paragraph_form: ParagraphForm | None = None,
    form_error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    ctx: dict[str, Any] = {
        "evaluation": evaluation,
        "report": report,
        "party": party,
        "round": rnd,
        "action_form": ActionForm(),
        "is_panel": access.is_panel(current_user),
    }
    if report is None:
        return render_template("reports/view.html", **ctx), status
    from monitor.reports.cycle_views import cycle_context, sent_structure

    if access.sees_sent_text(current_user, report):
        structure = sent_structure(report)
    else:
        structure = services.structure(db.session, report)
    chapters = [c for c, _ps in structure]
    numbers = {p.id: n for _c, ps in structure for n, p in ps}
    all_comments = services.comments(db.session, report)
    visible = [
        c for c in all_comments if access.can_see_comment(current_user, c, report, evaluation)
    ]
    by_paragraph: dict[int | None, list[ReportComment]] = {}
    for c in visible:
        by_paragraph.setdefault(c.paragraph_id, []).append(c)
    names_needed = {c.author_id for c in visible} | {
        c.dealt_with_by_id for c in visible if c.dealt_with_by_id
    }
    can_edit = access.can_edit_report(current_user, report)
    if can_edit and paragraph_form is None:
        paragraph_form = _paragraph_form(report, chapters, formdata=None)
    events = services.timeline(db.session, report) if access.is_panel(current_user) else []
    ctx.update(drafting_views.report_page_context(report, structure, access.is_panel(current_user)))
    ctx.update(
        structure=structure,
        numbers=numbers,
        comments_by_paragraph=by_paragraph,
        open_comments=sum(
            1
            for c in visible
            if c.stage == "draft" and c.sent_at is not None and c.response is None
        ),
        users=services.users_by_id(db.session, {i for i in names_needed if i}),
        can_edit=can_edit,
        can_manage=access.can_manage_cycle(current_user, report),
        can_comment=access.can_comment(current_user, report, evaluation),
        see_notes=access.can_see_panel_notes(current_user),
        chapter_form=ChapterForm(formdata=None) if can_edit else None,
        paragraph_form=paragraph_form,
        form_error=form_error,
        comment_form_obj=CommentForm(formdata=None),
        dealt_form=DealtWithForm(formdata=None),
        events=events,
        action_label=action_label,
        status_label=status_label,
        paragraph_html=paragraph_html,
        Kind=ParagraphKind,
        Status=ReportStatus,
        **cycle_context(evaluation, report),
    )
    return render_template("reports/view.html", **ctx), status


@bp.route("/evaluations/<int:evaluation_id>/report")
def view(evaluation_id: int) -> tuple[str, int]:
    """The report as numbered paragraphs, its status and dates, the comments the user may
    see; for the panel also the editor, the cycle buttons and the audit timeline."""
    evaluation, report, party, rnd = _load_for_view(evaluation_id)
    return _render_view(evaluation, report, party, rnd)


@bp.route("/evaluations/<int:evaluation_id>/report.pdf")
def pdf(evaluation_id: int) -> ResponseReturnValue:
    """The report as PDF in ``?lang=`` (en, fr or ru; default: the page's language),
    laid out as a job in a child process (:func:`monitor.core.pdfjobs.pdf_download`:
    the PDF, or a page that polls until it is ready). Same access rule as :func:`view`."""
    from monitor.core.pdfjobs import pdf_download
    from monitor.reports.pdf import report_html, reports_dir

    evaluation, report, party, rnd = _load_for_view(evaluation_id)
    if report is None or not access.can_download_pdf(current_user, report, evaluation):
        abort(404)
    requested = request.args.get("lang") or ""
    lang = requested if requested in current_app.config["LANGUAGES"] else current_language()
    html = report_html(db.session, report, lang)
    filename = f"report-{party.code}-round{rnd.number}-{lang}.pdf"
    return pdf_download(html, reports_dir(), filename)


# --- starting and editing (panel) ------------------------------------------------------------


def default_title(session: Any, evaluation: Evaluation, party: Party, rnd: EvaluationRound) -> str:
    """GRETA's title pattern, in the panel's source language (English)."""
    instrument = session.get(Instrument, rnd.instrument_id)
    with force_locale("en"):
        title = _(
            "Report concerning the implementation of the %(instrument)s by %(party)s: %(round)s",
            instrument=instrument.title if instrument else "",
            party=party.name,
            round=rnd.title,
        )
    return title[:300]


def default_chapters(session: Any, evaluation: Evaluation, rnd: EvaluationRound) -> list[str]:
    """Chapters that mirror the round's themes (``shared/domain.md``, Reports): the
    introduction, the overview, developments since the previous round (from round 2 on),
    one chapter per section of the questionnaire's first thematic part, country-specific
    follow-up, conclusions. Titles in the panel's source language (English)."""
    from monitor.rounds.models import QuestionnaireVersion

    version = session.get(QuestionnaireVersion, evaluation.questionnaire_version_id)
    thematic: list[str] = []
    parts = (version.definition if version else {}).get("parts") or []
    for part in parts:
        if not part.get("country_specific") and part.get("sections"):
            thematic = [str(s.get("title", ""))[:300] for s in part["sections"] if s.get("title")]
            break
    with force_locale("en"):
        titles = [_("Introduction"), _("Overview of the current situation and trends")]
        if rnd.number > 1:
            titles.append(_("Developments since the previous evaluation round"))
        titles += thematic
        titles += [_("Follow-up on country-specific issues"), _("Conclusions")]
    return titles


@bp.route("/evaluations/<int:evaluation_id>/report/start", methods=["POST"])
def start(evaluation_id: int) -> Response:
    evaluation, report, party, rnd = _context(evaluation_id)
    if not access.can_manage_cycle(current_user, report):
        _deny()
    if ActionForm().validate_on_submit():
        try:
            services.start_report(
                db.session,
                evaluation,
                current_user,
                default_title(db.session, evaluation, party, rnd),
                default_chapters(db.session, evaluation, rnd),
            )
            db.session.commit()
            flash(_("The report has been started."), "success")
        except services.ReportError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return _back(evaluation_id)


@bp.route("/evaluations/<int:evaluation_id>/report/chapters", methods=["POST"])
def add_chapter(evaluation_id: int) -> Response:
    evaluation, report, party, rnd = _load_for_panel(evaluation_id)
    form = ChapterForm()
    if not form.validate_on_submit():
        flash(_("A chapter needs a title."), "error")
        return _back(evaluation_id, "add-chapter")
    try:
        chapter = services.add_chapter(db.session, report, current_user, form.title.data or "")
        db.session.commit()
    except services.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(evaluation_id)
    return _back(evaluation_id, f"chapter-{chapter.id}")


def _get_paragraph(report: Report, paragraph_id: int) -> ReportParagraph:
    para = db.session.get(ReportParagraph, paragraph_id)
    if para is None or para.report_id != report.id:
        abort(404)
    return para


def _place_error(form: ParagraphForm, message: str) -> str | None:
    """Show a refusal next to the field it concerns when that is certain (a proposal
    without a verb from the list); otherwise return it for the error summary."""
    if form.kind.data == ParagraphKind.PROPOSAL.value and not form.verb.data:
        form.verb.errors = [*form.verb.errors, message]
        return None
    return message


def _paragraph_fields(form: Any) -> dict[str, Any]:
    """The paragraph form's values as keyword arguments of ``services.add_paragraph`` and
    ``services.update_paragraph``: text, kind, verb, articles (list of int), footnotes."""
    return {
        "text": form.text.data or "",
        "kind": ParagraphKind(form.kind.data),
        "verb": form.verb.data or None,
        "articles": parse_articles(form.articles.data),
        "footnotes": parse_footnotes(form.footnotes.data),
        **drafting_views.paragraph_extras(form),
    }


@bp.route("/evaluations/<int:evaluation_id>/report/paragraphs/new", methods=["GET", "POST"])
def new_paragraph(evaluation_id: int) -> str | Response | tuple[str, int]:
    """Add a paragraph at the end of a chapter, or right after another paragraph
    (``?after=<paragraph id>``). On a refusal the form comes back with every typed value."""
    evaluation, report, party, rnd = _load_for_panel(evaluation_id)
    chapters = services.chapters(db.session, report)
    form = _paragraph_form(report, chapters)
    after_id = request.values.get("after", type=int)
    after = _get_paragraph(report, after_id) if after_id else None
    if after is not None:
        # Inserting after a paragraph: the chapter is that paragraph's.
        del form.chapter
    if request.method == "GET":
        form.after.data = str(after.id) if after else ""
        chapter_id = request.args.get("chapter", type=int)
        if after is None and chapter_id:
            form.chapter.data = chapter_id
    error = None
    status = 200
    if drafting_views.citation_button(form):
        pass  # a Cite / Remove button: show the form again with the cited answers
    elif form.validate_on_submit():
        chapter_id = after.chapter_id if after is not None else form.chapter.data
        chapter = next((c for c in chapters if c.id == chapter_id), None)
        if chapter is None:
            abort(400)
        try:
            para = services.add_paragraph(
                db.session,
                report,
                chapter,
                current_user,
                **_paragraph_fields(form),
                after=after,
            )
            citations.set_citations(
                db.session, report, para, drafting_views.cited_keys(form), current_user
            )
            db.session.commit()
            flash(_("The paragraph has been added."), "success")
            return _back(evaluation_id, f"p-{para.id}")
        except services.ReportError as exc:
            db.session.rollback()
            error = _place_error(form, str(exc))
            status = 422
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "reports/paragraph_form.html",
            form=form,
            form_error=error,
            evaluation=evaluation,
            report=report,
            party=party,
            round=rnd,
            after=after,
            after_number=services.paragraph_numbers(db.session, report).get(after.id)
            if after and after.id
            else None,
            editing=None,
            **drafting_views.editor_context(
                report,
                after.chapter_id if after is not None else form.chapter.data,
                form,
            ),
        ),
        status,
    )


@bp.route(
    "/evaluations/<int:evaluation_id>/report/paragraphs/<int:paragraph_id>/edit",
    methods=["GET", "POST"],
)
def edit_paragraph(evaluation_id: int, paragraph_id: int) -> str | Response | tuple[str, int]:
    """Change a paragraph. The form names the version it replaces (the paragraph's
    ``updated_at``): an edit made on a stale copy is refused with 409 and nothing is
    overwritten (the ODK Central rule in ``shared/engineering.md``)."""
    evaluation, report, party, rnd = _load_for_panel(evaluation_id)
    para = _get_paragraph(report, paragraph_id)
    chapters = services.chapters(db.session, report)
    if request.method == "GET":
        form = _paragraph_form(
            report,
            chapters,
            kind=para.kind.value,
            verb=para.verb or "",
            articles=", ".join(str(a) for a in para.articles),
            text=para.text,
            footnotes="\n".join(para.footnotes),
            chapter=para.chapter_id,
        )
        form.version.data = para.updated_at.isoformat()
        drafting_views.prefill(form, para)
    else:
        form = _paragraph_form(report, chapters)
    del form.chapter
    error = None
    status = 200
    if drafting_views.citation_button(form):
        pass  # a Cite / Remove button: show the form again with the cited answers
    elif form.validate_on_submit():
        if form.version.data != para.updated_at.isoformat():
            error = _(
                "Someone changed this paragraph after you opened it. Copy your text, "
                "reload the page and make your change again."
            )
            status = 409
        else:
            try:
                services.update_paragraph(
                    db.session,
                    report,
                    para,
                    current_user,
                    **_paragraph_fields(form),
                )
                citations.set_citations(
                    db.session, report, para, drafting_views.cited_keys(form), current_user
                )
                db.session.commit()
                flash(_("The paragraph has been changed."), "success")
                return _back(evaluation_id, f"p-{para.id}")
            except services.ReportError as exc:
                db.session.rollback()
                error = _place_error(form, str(exc))
                status = 422
    elif request.method == "POST":
        status = 422
    numbers = services.paragraph_numbers(db.session, report)
    return (
        render_template(
            "reports/paragraph_form.html",
            form=form,
            form_error=error,
            evaluation=evaluation,
            report=report,
            party=party,
            round=rnd,
            after=None,
            after_number=None,
            editing=para,
            editing_number=numbers.get(para.id),  # type: ignore[arg-type]
            delete_form=ActionForm(formdata=None),
            **drafting_views.editor_context(report, para.chapter_id, form),
        ),
        status,
    )


@bp.route(
    "/evaluations/<int:evaluation_id>/report/paragraphs/<int:paragraph_id>/delete",
    methods=["POST"],
)
def delete_paragraph(evaluation_id: int, paragraph_id: int) -> Response:
    evaluation, report, party, rnd = _load_for_panel(evaluation_id)
    para = _get_paragraph(report, paragraph_id)
    if ActionForm().validate_on_submit():
        try:
            services.delete_paragraph(db.session, report, para, current_user)
            db.session.commit()
            flash(_("The paragraph has been deleted."), "success")
        except services.ReportError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return _back(evaluation_id)


# The cycle, comments, versions and plenaries add their routes to this blueprint.
from monitor.reports import cycle_views, plenaries_views, versions_views  # noqa: E402,F401
