"""The country report as a publication-quality PDF (WeasyPrint).

Two steps, so that nothing touches the database while the PDF is laid out (case B19 in
``shared/cases/known-failures.md``: a lazy load on a closed session):

1. :func:`load_report_view` reads everything inside the caller's session and returns plain,
   frozen dataclasses (:class:`ReportView`), with the report text already rendered from
   Markdown to sanitised HTML.
2. :func:`render_view_html` fills the Jinja template ``reports/country_report.html`` in the
   requested language (chrome strings through flask_babel under ``force_locale``) and
   :func:`render_report_pdf` lays it out with the print stylesheet ``reports/report.css``.

The stylesheet, fonts and template live in the top-level ``reports/`` folder (the app's
``REPORT_TEMPLATE_DIR``). WeasyPrint fetches resources only through
:class:`ReportURLFetcher`, which serves files under that folder and ``data:`` URIs and refuses
everything else, so HTML that came from a user can never make the renderer fetch an external
URL (cases B25 and CVE-2025-68616). Presentational hints stay off (CVE-2026-49452).
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import Flask, current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from sqlmodel import Session
from weasyprint import HTML

from monitor.accounts.models import Party
from monitor.core.i18n import articles_text
from monitor.core.markdown import render_markdown
from monitor.core.pdf import AssetURLFetcher
from monitor.core.time import utcnow
from monitor.reports import services
from monitor.reports.models import (
    CommentStage,
    ParagraphKind,
    Report,
    ReportParagraph,
    ReportStatus,
)
from monitor.rounds.models import Evaluation, EvaluationRound, Instrument

log = logging.getLogger(__name__)

TEMPLATE = "country_report.html"

#: Languages a report's chrome (headings, labels, dates) can be rendered in.
LANGUAGES = ("en", "fr", "ru")

#: Statuses in which the report is a draft: every page says "Confidential draft"
#: (draft reports are confidential until adoption, "Who may see what").
DRAFT_STATUSES = frozenset(
    {
        ReportStatus.DRAFTING,
        ReportStatus.PANEL_REVIEW,
        ReportStatus.DRAFT_APPROVED,
        ReportStatus.SENT_TO_PARTY,
        ReportStatus.PARTY_COMMENTED,
        ReportStatus.REVISING,
    }
)

_ROUND_TITLES = {
    1: _l("First evaluation round"),
    2: _l("Second evaluation round"),
    3: _l("Third evaluation round"),
    4: _l("Fourth evaluation round"),
    5: _l("Fifth evaluation round"),
    6: _l("Sixth evaluation round"),
    7: _l("Seventh evaluation round"),
    8: _l("Eighth evaluation round"),
}

# The GRETA verbs, strongest first; an instrument with other verbs shows them as stored.
_VERB_LABELS = {
    "urges": _l("Urges"),
    "considers": _l("Considers"),
    "invites": _l("Invites"),
}

_FOOTNOTE_REF = re.compile(r"\[\^(\d+)\]")
_BLOCK_TAG = re.compile(
    r"</?(?:p|ul|ol|li|blockquote|pre|h3|h4|table|thead|tbody|tr|th|td)\b[^>]*>", re.I
)


# --- the data handed to the template ---------------------------------------------------


@dataclass(frozen=True)
class ParagraphView:
    """One numbered paragraph. ``html`` starts with the hanging paragraph number and
    carries its footnotes as ``<span class="fn">`` (WeasyPrint page footnotes);
    ``appendix_html`` is the text alone, without number or footnotes."""

    id: int
    number: int
    kind: str
    verb: str | None
    articles: tuple[int, ...]
    html: Markup
    appendix_html: Markup
    grade: str | None = None
    priority: bool = False

    @property
    def is_proposal(self) -> bool:
        return self.kind == ParagraphKind.PROPOSAL.value

    @property
    def is_finding(self) -> bool:
        return self.kind == ParagraphKind.FINDING.value


@dataclass(frozen=True)
class ChapterView:
    number: int
    title: str
    paragraphs: tuple[ParagraphView, ...]

    @property
    def numeral(self) -> str:
        """Chapter number in Roman numerals, as in GRETA's reports (I, II, III...)."""
        return roman(self.number)

    @property
    def anchor(self) -> str:
        return f"chapter-{self.number}"


@dataclass(frozen=True)
class CommentView:
    """A Party comment; ``paragraph_number`` is None for a general comment."""

    paragraph_number: int | None
    html: Markup
    created_at: datetime


@dataclass(frozen=True)
class ReportView:
    """Everything the template needs, detached from the database.

    Dates are calendar dates (UTC); ``chapters`` in reading order; ``proposals`` as in the
    conclusions appendix (report order); ``paragraph_comments`` sorted by paragraph number.
    """

    report_id: int
    title: str
    status: ReportStatus
    party_code: str
    party_name: str
    instrument_title: str
    panel: str
    round_number: int
    round_title: str
    created_on: date
    sent_on: date | None
    comments_due: date | None
    adopted_on: date | None
    published_on: date | None
    generated_at: datetime
    chapters: tuple[ChapterView, ...]
    proposals: tuple[ParagraphView, ...]
    general_comments: tuple[CommentView, ...] = field(default=())
    paragraph_comments: tuple[CommentView, ...] = field(default=())

    @property
    def is_draft(self) -> bool:
        return self.status in DRAFT_STATUSES

    @property
    def has_comments_appendix(self) -> bool:
        """The Party's final comments are appended once the final report has gone to the
        Party (procedure steps 11-12)."""
        return (
            self.status in (ReportStatus.TRANSMITTED, ReportStatus.PUBLISHED)
            or bool(self.general_comments)
            or bool(self.paragraph_comments)
        )


# --- HTML helpers ----------------------------------------------------------------------


def roman(number: int) -> str:
    """``number`` (1..3999) in upper-case Roman numerals; other numbers as digits."""
    if not 0 < number < 4000:
        return str(number)
    out = []
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def _inline(html: str) -> str:
    """Flatten block markup to inline text so that it can sit inside a footnote span."""
    return re.sub(r"\s+", " ", _BLOCK_TAG.sub(" ", html)).strip()


def with_footnotes(html: str, footnotes: list[str]) -> str:
    """Replace the markers ``[^1]``, ``[^2]``... in rendered paragraph ``html`` by page
    footnotes (``<span class="fn">`` with the footnote's sanitised HTML).

    A footnote the text never refers to is attached at the end of the paragraph so that
    it is not lost; a marker without a footnote, or a second use of one, stays as written.
    """
    notes = [_inline(str(render_markdown(n))) for n in footnotes]
    used: set[int] = set()

    def replace(match: re.Match[str]) -> str:
        index = int(match[1])
        if 1 <= index <= len(notes) and index not in used:
            used.add(index)
            return f'<span class="fn">{notes[index - 1]}</span>'
        return match[0]

    out = _FOOTNOTE_REF.sub(replace, html)
    orphans = "".join(
        f'<span class="fn">{n}</span>' for i, n in enumerate(notes, 1) if i not in used
    )
    if orphans:
        out = out.rstrip()
        if out.endswith("</p>"):
            out = out[: -len("</p>")] + orphans + "</p>"
        else:
            out += orphans
    return out


def bold_first(html: str, word: str) -> str:
    """Wrap the first whole-word, case-insensitive occurrence of ``word`` in the text of
    ``html`` (never inside a tag) in ``<strong>``: the proposal's verb, as GRETA sets it."""
    pattern = re.compile(rf"\b({re.escape(word)})\b", re.I)
    parts = re.split(r"(<[^>]*>)", html)
    for i, part in enumerate(parts):
        if part.startswith("<"):
            continue
        new, count = pattern.subn(r"<strong>\1</strong>", part, count=1)
        if count:
            parts[i] = new
            break
    return "".join(parts)


def css_string(value: object) -> Markup:
    """``value`` as a double-quoted CSS string, with every character that could end the
    string or the ``<style>`` element escaped as a CSS hex escape."""
    out = []
    for ch in str(value):
        if ch in '"\\<>&' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


def with_number(html: str, number: int) -> str:
    """Put the paragraph number at the start of the first line of ``html``.

    The number is part of the first line (a hanging inline block, see report.css) rather
    than a float beside it, so that it can never be left alone at the foot of a page.
    """
    marker = f'<span class="para-no">{number}.</span>'
    if html.startswith("<p>"):
        return "<p>" + marker + html[len("<p>") :]
    return f'<p class="para-lead">{marker}</p>' + html


def _paragraph_view(number: int, para: ReportParagraph) -> ParagraphView:
    body = str(render_markdown(para.text))
    if para.kind == ParagraphKind.PROPOSAL and para.verb:
        body = bold_first(body, para.verb)
    return ParagraphView(
        id=para.id,  # type: ignore[arg-type]
        number=number,
        kind=para.kind.value,
        verb=para.verb,
        articles=tuple(sorted(para.articles or ())),
        html=Markup(with_number(with_footnotes(body, list(para.footnotes or [])), number)),
        appendix_html=Markup(_FOOTNOTE_REF.sub("", body)),
        grade=para.grade.value if para.kind == ParagraphKind.FINDING and para.grade else None,
        priority=bool(para.priority) and para.kind == ParagraphKind.PROPOSAL,
    )


# --- loading (inside the session) -------------------------------------------------------


def load_report_view(session: Session, report: Report) -> ReportView:
    """Read ``report`` with its evaluation, Party, round, instrument, chapters, paragraphs
    and comments, all inside ``session``, and return a detached :class:`ReportView`.

    Raises LookupError when the evaluation, Party, round or instrument row is missing.
    """
    evaluation = session.get(Evaluation, report.evaluation_id)
    if evaluation is None:
        raise LookupError(f"report {report.id}: evaluation {report.evaluation_id} not found")
    party = session.get(Party, evaluation.party_id)
    rnd = session.get(EvaluationRound, evaluation.round_id)
    instrument = session.get(Instrument, rnd.instrument_id) if rnd is not None else None
    if party is None or rnd is None or instrument is None:
        raise LookupError(f"report {report.id}: Party, round or instrument not found")

    chapters = []
    numbers: dict[int, int] = {}
    for position, (chapter, paras) in enumerate(services.structure(session, report), 1):
        views = []
        for number, para in paras:
            numbers[para.id] = number  # type: ignore[index]
            views.append(_paragraph_view(number, para))
        chapters.append(ChapterView(number=position, title=chapter.title, paragraphs=tuple(views)))
    by_id = {p.id: p for c in chapters for p in c.paragraphs}
    proposal_views = tuple(
        by_id[p.id]  # type: ignore[index]
        for _n, p in services.proposals(session, report)
    )

    general: list[CommentView] = []
    on_paragraphs: list[CommentView] = []
    for comment in services.comments(session, report):
        # Only the Party's final comments, once sent, belong to the document: comments on
        # the draft and the panel's internal ones stay on the confidential pages.
        if comment.stage != CommentStage.FINAL or comment.sent_at is None:
            continue
        view = CommentView(
            paragraph_number=numbers.get(comment.paragraph_id)  # type: ignore[arg-type]
            if comment.paragraph_id is not None
            else None,
            html=render_markdown(comment.text),
            created_at=comment.created_at,
        )
        (general if comment.paragraph_id is None else on_paragraphs).append(view)
    on_paragraphs.sort(key=lambda c: (c.paragraph_number or 0, c.created_at))

    definition = instrument.definition or {}
    return ReportView(
        report_id=report.id,  # type: ignore[arg-type]
        title=report.title,
        status=ReportStatus(report.status),
        party_code=party.code,
        party_name=party.name,
        instrument_title=str(definition.get("title") or instrument.title),
        panel=str(definition.get("panel") or ""),
        round_number=rnd.number,
        round_title=rnd.title,
        created_on=report.created_at.date(),
        sent_on=report.sent_at.date() if report.sent_at else None,
        comments_due=report.comments_due,
        adopted_on=report.adopted_at.date() if report.adopted_at else None,
        published_on=report.published_at.date() if report.published_at else None,
        generated_at=utcnow(),
        chapters=tuple(chapters),
        proposals=proposal_views,
        general_comments=tuple(general),
        paragraph_comments=tuple(on_paragraphs),
    )


# --- chrome (called while the template renders, under force_locale) --------------------


def round_label(number: int) -> str:
    """ "Third evaluation round", in the current locale."""
    label = _ROUND_TITLES.get(number)
    return str(label) if label is not None else _("Evaluation round %(number)s", number=number)


def verb_label(verb: str | None) -> str:
    if not verb:
        return ""
    label = _VERB_LABELS.get(verb)
    return str(label) if label is not None else verb.capitalize()


_GRADE_LABELS = {
    "good_practice": _l("Good practice"),
    "gap": _l("Gap"),
    "concern": _l("Concern"),
}


def grade_label(grade: str | None) -> str:
    """A finding's grade, in the current locale ("" for none)."""
    label = _GRADE_LABELS.get(grade or "")
    return str(label) if label is not None else ""


def articles_label(articles: tuple[int, ...]) -> str:
    """ "Article 12" / "Articles 10, 12", in the current locale; "" for none."""
    return articles_text(articles)


def status_line(view: ReportView) -> str:
    """The cover's status line, in the current locale (procedure steps 6-12)."""
    if view.status in (ReportStatus.DRAFTING, ReportStatus.PANEL_REVIEW):
        return _("Draft in preparation, not yet sent to the authorities")
    if view.status == ReportStatus.DRAFT_APPROVED:
        return _("Draft approved by the panel, not yet sent to the authorities")
    if view.status in (ReportStatus.PARTY_COMMENTED, ReportStatus.REVISING):
        return _("Draft revised after the comments of the authorities")
    if view.status == ReportStatus.SENT_TO_PARTY:
        if view.comments_due:
            return _(
                "Draft sent to the authorities for comments; comments due by %(date)s",
                date=long_date(view.comments_due),
            )
        return _("Draft sent to the authorities for comments")
    if view.status in (ReportStatus.ADOPTED, ReportStatus.TRANSMITTED):
        return _("Adopted on %(date)s", date=long_date(view.adopted_on))
    return _("Published on %(date)s", date=long_date(view.published_on))


def cover_date(view: ReportView) -> date:
    """The date the cover shows: that of the report's latest step, or today for a draft."""
    return (
        view.published_on
        or view.adopted_on
        or view.sent_on
        or (view.generated_at.date() if view.is_draft else view.created_on)
    )


def long_date(value: date | None) -> str:
    return format_date(value, "long") if value is not None else ""


# --- rendering ---------------------------------------------------------------------------


def reports_dir(app: Flask | None = None) -> Path:
    """The folder holding the template, stylesheet and fonts (``REPORT_TEMPLATE_DIR``)."""
    app = app or current_app
    return Path(app.config["REPORT_TEMPLATE_DIR"]).resolve()


def _environment() -> Environment:
    """The app's Jinja environment (with flask_babel's ``_``) loading from ``reports/``."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    env: Environment | None = app.extensions.get("monitor.reports.pdf")
    if env is None:
        env = app.jinja_env.overlay(loader=FileSystemLoader(str(reports_dir(app))), autoescape=True)
        env.filters["css_string"] = css_string
        app.extensions["monitor.reports.pdf"] = env
    return env


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported report language {lang!r}; use one of {LANGUAGES}")


def render_view_html(view: ReportView, lang: str) -> str:
    """The report as an HTML document, chrome in ``lang`` (``en``, ``fr`` or ``ru``).

    Needs a Flask app context; touches no database. Raises ValueError for another ``lang``.
    """
    _check_lang(lang)
    template = _environment().get_template(TEMPLATE)
    with force_locale(lang):
        return template.render(
            r=view,
            lang=lang,
            round_label=round_label,
            verb_label=verb_label,
            grade_label=grade_label,
            articles_label=articles_label,
            status_line=status_line,
            cover_date=cover_date,
            long_date=long_date,
        )


def report_html(session: Session, report: Report, lang: str) -> str:
    """The HTML that :func:`render_report_pdf` lays out (for debugging and tests)."""
    return render_view_html(load_report_view(session, report), lang)


#: The report renderer's URL fetcher: only files under ``reports/`` and ``data:`` URIs
#: (the one rule of :class:`monitor.core.pdf.AssetURLFetcher`, cases B25, CVE-2025-68616).
ReportURLFetcher = AssetURLFetcher


def render_view_pdf(view: ReportView, lang: str, fetcher: ReportURLFetcher | None = None) -> bytes:
    """Lay out :func:`render_view_html` as an A4 PDF. Needs an app context, no session."""
    root = reports_dir()
    html = render_view_html(view, lang)
    fetcher = fetcher or ReportURLFetcher(root)
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf()
    assert pdf is not None
    return pdf


def render_report_pdf(
    session: Session, report: Report, lang: str, fetcher: ReportURLFetcher | None = None
) -> bytes:
    """The country report ``report`` as PDF bytes, chrome in ``lang`` (en, fr or ru).

    Reads everything inside ``session`` first (no lazy load during layout), then renders
    with the bundled fonts and the restricted :class:`ReportURLFetcher` (pass one to
    inspect what was fetched). Needs a Flask app context for gettext and the report
    folder. Raises ValueError for an unsupported ``lang``, LookupError for a report whose
    evaluation, Party or round is missing.
    """
    _check_lang(lang)
    return render_view_pdf(load_report_view(session, report), lang, fetcher)
