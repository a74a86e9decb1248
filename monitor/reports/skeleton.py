"""A skeleton draft generated from the round: the chapters a country report has
(``shared/domain.md``, Reports: introduction, overview, developments since the previous
round, one chapter per thematic section, country-specific follow-up, conclusions), each
tied to the questionnaire section it is written from, and an introduction that states
the evaluation's dated milestones (procedure steps 2-5: questionnaire sent, reply due
and received, NGO submissions, country visit).

The text is written in the panel's source language, English (``shared/domain.md``,
Languages), with dates as GRETA writes them ("2 March 2026").
"""

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from monitor.accounts.models import Organisation, Party, User
from monitor.core.audit import record
from monitor.reports import drafting, services
from monitor.reports.models import Report, ReportChapter, ReportParagraph, ReportStatus
from monitor.rounds.models import Audience, Evaluation, EvaluationRound, Instrument
from monitor.submissions.models import Reply, ReplyStatus

#: The language of generated text.
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Milestone:
    """A dated step of the evaluation. ``kind`` is one of ``questionnaire_sent``,
    ``reply_due``, ``reply_received``, ``ngo_submission``, ``visit_start``,
    ``visit_end``; ``on`` a calendar date (UTC for submissions); ``who`` the NGO's name
    for an NGO submission."""

    kind: str
    on: date
    who: str | None = None


def evaluation_milestones(session: Session, evaluation: Evaluation) -> list[Milestone]:
    """The evaluation's dated milestones known to the platform, in date order (steps of
    the same day in procedure order)."""
    out: list[Milestone] = []
    if evaluation.questionnaire_sent:
        out.append(Milestone("questionnaire_sent", evaluation.questionnaire_sent))
    if evaluation.reply_due:
        out.append(Milestone("reply_due", evaluation.reply_due))
    replies = session.exec(
        select(Reply)
        .where(Reply.evaluation_id == evaluation.id, Reply.status == ReplyStatus.SUBMITTED)
        .order_by(col(Reply.submitted_at))
    ).all()
    for reply in replies:
        if reply.submitted_at is None:
            continue
        if reply.audience == Audience.PARTY:
            out.append(Milestone("reply_received", reply.submitted_at.date()))
        else:
            org = (
                session.get(Organisation, reply.organisation_id) if reply.organisation_id else None
            )
            out.append(
                Milestone("ngo_submission", reply.submitted_at.date(), org.name if org else None)
            )
    if evaluation.visit_start:
        out.append(Milestone("visit_start", evaluation.visit_start))
    if evaluation.visit_end:
        out.append(Milestone("visit_end", evaluation.visit_end))
    order = [
        "questionnaire_sent",
        "reply_due",
        "reply_received",
        "ngo_submission",
        "visit_start",
        "visit_end",
    ]
    return sorted(out, key=lambda m: (m.on, order.index(m.kind)))


def english_date(value: date) -> str:
    """``2026-03-02`` -> ``2 March 2026``."""
    return format_date(value, "d MMMM y", locale=SOURCE_LANGUAGE)


def introduction(session: Session, evaluation: Evaluation) -> list[str]:
    """The introduction's paragraphs (Markdown, English): the report's subject, then the
    questionnaire and the reply, the NGO submissions and the visit, with their dates.
    A step that has not happened is said so, never left out silently."""
    party = session.get(Party, evaluation.party_id)
    rnd = session.get(EvaluationRound, evaluation.round_id)
    instrument = session.get(Instrument, rnd.instrument_id) if rnd else None
    assert party is not None and rnd is not None
    definition = instrument.definition if instrument else {}
    milestones = evaluation_milestones(session, evaluation)
    first = {m.kind: m for m in reversed(milestones)}
    ngo = [m for m in milestones if m.kind == "ngo_submission"]
    with force_locale(SOURCE_LANGUAGE):
        panel = str(definition.get("panel") or _("the panel"))
        paragraphs = [
            _(
                "This report evaluates the implementation of the %(instrument)s by "
                "%(party)s (%(round)s).",
                instrument=str(definition.get("title") or (instrument.title if instrument else "")),
                party=party.name,
                round=rnd.title,
            )
        ]
        sentences = []
        if "questionnaire_sent" in first:
            sentences.append(
                _(
                    "%(panel)s sent the questionnaire to the authorities of %(party)s on %(date)s.",
                    panel=panel,
                    party=party.name,
                    date=english_date(first["questionnaire_sent"].on),
                )
            )
        if "reply_due" in first:
            sentences.append(
                _("The reply was due on %(date)s.", date=english_date(first["reply_due"].on))
            )
        received = first.get("reply_received")
        if received is None:
            sentences.append(_("No reply had been received when this draft was prepared."))
        elif "reply_due" in first and received.on > first["reply_due"].on:
            sentences.append(
                _(
                    "The reply was received on %(date)s, after the deadline.",
                    date=english_date(received.on),
                )
            )
        else:
            sentences.append(
                _("The reply was received on %(date)s.", date=english_date(received.on))
            )
        paragraphs.append(" ".join(sentences))
        if ngo:
            paragraphs.append(
                " ".join(
                    _(
                        "Parallel input was received from %(organisation)s on %(date)s.",
                        organisation=m.who or _("a civil society organisation"),
                        date=english_date(m.on),
                    )
                    for m in ngo
                )
            )
        else:
            paragraphs.append(
                _(
                    "No parallel input from civil society had been received when this draft "
                    "was prepared."
                )
            )
        start, end = first.get("visit_start"), first.get("visit_end")
        if start is None:
            paragraphs.append(_("No country visit had taken place when this draft was prepared."))
        elif end is None or end.on == start.on:
            paragraphs.append(
                _(
                    "A delegation of %(panel)s visited %(party)s on %(date)s.",
                    panel=panel,
                    party=party.name,
                    date=english_date(start.on),
                )
            )
        else:
            paragraphs.append(
                _(
                    "A delegation of %(panel)s visited %(party)s from %(start)s to %(end)s.",
                    panel=panel,
                    party=party.name,
                    start=english_date(start.on),
                    end=english_date(end.on),
                )
            )
    return paragraphs


def skeleton_chapters(session: Session, report: Report) -> list[tuple[str, str | None]]:
    """The skeleton's chapters as ``(English title, questionnaire section id or None)``:
    introduction; overview (written from the first statistics section, if any);
    developments since the previous round (from round 2 on); one chapter per thematic
    (Part I) section; the country-specific follow-up (from the first Part II section, any
    further Part II section getting its own chapter); conclusions."""
    sections = drafting.questionnaire_sections(session, report)
    evaluation = session.get(Evaluation, report.evaluation_id)
    rnd = session.get(EvaluationRound, evaluation.round_id) if evaluation else None
    other = [s for s in sections if s.part == "other"]
    country = [s for s in sections if s.part == "country_specific"]
    with force_locale(SOURCE_LANGUAGE):
        out: list[tuple[str, str | None]] = [
            (_("Introduction"), None),
            (_("Overview of the current situation and trends"), other[0].id if other else None),
        ]
        if rnd is not None and rnd.number > 1:
            out.append((_("Developments since the previous evaluation round"), None))
        out += [(s.title[:300], s.id) for s in sections if s.part == "thematic"]
        out.append((_("Follow-up on country-specific issues"), country[0].id if country else None))
        out += [(s.title[:300], s.id) for s in country[1:]]
        out.append((_("Conclusions"), None))
    return out


def generate_skeleton(session: Session, report: Report, actor: User) -> list[ReportChapter]:
    """Replace the chapters of an empty report by the skeleton (:func:`skeleton_chapters`)
    and fill the introduction with the evaluation's dated milestones
    (:func:`introduction`). Returns the new chapters in order.

    Raises ReportError unless the report is being drafted and has no paragraph yet (a
    skeleton never overwrites text).
    """
    if report.status != ReportStatus.DRAFTING:
        raise services.ReportError(_l("Only a report being drafted can get a skeleton."))
    has_text = session.exec(
        select(ReportParagraph.id).where(ReportParagraph.report_id == report.id)
    ).first()
    if has_text is not None:
        raise services.ReportError(
            _l("The report already has paragraphs; a skeleton is made only for an empty report.")
        )
    for chapter in services.chapters(session, report):
        session.delete(chapter)
    session.flush()
    evaluation = session.get(Evaluation, report.evaluation_id)
    assert evaluation is not None
    chapters = []
    for position, (title, section_id) in enumerate(skeleton_chapters(session, report), 1):
        chapter = ReportChapter(
            report_id=report.id,  # type: ignore[arg-type]
            position=position,
            title=title,
            section_id=section_id,
        )
        session.add(chapter)
        chapters.append(chapter)
    session.flush()
    for position, text in enumerate(introduction(session, evaluation), 1):
        session.add(
            ReportParagraph(
                report_id=report.id,  # type: ignore[arg-type]
                chapter_id=chapters[0].id,  # type: ignore[arg-type]
                position=position,
                text=text,
                updated_by_id=actor.id,
            )
        )
    record(
        session,
        actor.id,
        "report.skeleton_generated",
        report,
        report.evaluation_id,
        chapters=len(chapters),
    )
    return chapters
