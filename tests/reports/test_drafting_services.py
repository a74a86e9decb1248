"""Drafting services (issue 5, points 1 and 2): paragraph kinds and their rules,
citations in both directions, the skeleton draft with dated milestones, and Markdown
sanitisation of paragraph text and footnotes."""

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask
from sqlmodel import Session, select

from monitor.core.markdown import render_markdown
from monitor.core.models import AuditEvent
from monitor.extensions import db
from monitor.reports import citations, drafting, evidence, services, skeleton
from monitor.reports.models import (
    FindingGrade,
    ParagraphCitation,
    ParagraphKind,
    Report,
    ReportParagraph,
)
from monitor.reports.services import ReportError
from monitor.submissions.models import Reply, ReplyStatus

from .drafting_world import Drafting, make_drafting


@pytest.fixture
def world(app: Flask) -> Iterator[tuple[Session, Drafting]]:
    with app.app_context():
        d = make_drafting(db.session)
        db.session.commit()
        yield db.session, d


def _report(s: Session, d: Drafting) -> Report:
    report = s.get(Report, d.report_id)
    assert report is not None
    return report


def test_finding_needs_a_grade_and_keeps_it(world: tuple[Session, Drafting]) -> None:
    s, d = world
    report, panel = _report(s, d), d.world.users["panel"]
    chapter = services.chapters(s, report)[1]
    with pytest.raises(ReportError, match="needs a grade"):
        services.add_paragraph(s, report, chapter, panel, "x", ParagraphKind.FINDING)
    para = services.add_paragraph(
        s,
        report,
        chapter,
        panel,
        "Leaflets exist.",
        ParagraphKind.FINDING,
        grade=FindingGrade.GOOD_PRACTICE,
        themes=["information"],
        priority=True,
    )
    # a finding keeps its grade; proposal-only fields are cleared
    assert (para.grade, para.themes, para.priority, para.verb) == (
        FindingGrade.GOOD_PRACTICE,
        [],
        False,
        None,
    )
    # a caller that does not name the grade keeps it
    services.update_paragraph(
        s, report, para, panel, "Leaflets exist.", ParagraphKind.FINDING, None, [], []
    )
    assert para.grade == FindingGrade.GOOD_PRACTICE
    services.update_paragraph(
        s, report, para, panel, "Now narrative.", ParagraphKind.NARRATIVE, None, [], []
    )
    assert para.grade is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"verb": None}, "needs a verb"),
        ({"verb": "demands"}, "needs a verb"),
        ({"articles": [12, 99]}, "no article 99"),
        ({"themes": ["information", "weather"]}, "no theme weather"),
        ({"repeats": "ua"}, "previous round"),
        ({"repeats": "narrative"}, "previous round"),
        ({"repeats": "self"}, "previous round"),
    ],
)
def test_proposal_rules(
    world: tuple[Session, Drafting], fields: dict[str, object], message: str
) -> None:
    s, d = world
    report, panel = _report(s, d), d.world.users["panel"]
    chapter = services.chapters(s, report)[1]
    own = services.add_paragraph(
        s, report, chapter, panel, "GRETA urges.", ParagraphKind.PROPOSAL, "urges", [12]
    )
    narrative_previous = s.exec(
        select(ReportParagraph).where(
            ReportParagraph.report_id == d.previous_report_id,
            ReportParagraph.kind == ParagraphKind.NARRATIVE,
        )
    ).one()
    repeats = {
        "ua": d.ua_previous_proposal_id,
        "narrative": narrative_previous.id,
        "self": own.id,
    }.get(str(fields.get("repeats")))
    kwargs: dict[str, object] = {"verb": "urges", "articles": [12], "themes": ["information"]}
    kwargs.update({k: v for k, v in fields.items() if k != "repeats"})
    with pytest.raises(ReportError, match=message):
        services.add_paragraph(
            s,
            report,
            chapter,
            panel,
            "GRETA urges...",
            ParagraphKind.PROPOSAL,
            repeats_id=repeats,
            **kwargs,  # type: ignore[arg-type]
        )


def test_proposal_with_themes_priority_and_repeated_proposal(
    world: tuple[Session, Drafting],
) -> None:
    s, d = world
    report, panel = _report(s, d), d.world.users["panel"]
    assert drafting.report_themes(s, report)[:2] == [
        ("information", "Right to information"),
        ("coordination", "Co-ordination"),
    ]
    previous = drafting.previous_report(s, report)
    assert previous is not None and previous.id == d.previous_report_id
    para = services.add_paragraph(
        s,
        report,
        services.chapters(s, report)[1],
        panel,
        "GRETA urges again.",
        ParagraphKind.PROPOSAL,
        "urges",
        [12, 15],
        themes=["information", "information"],
        priority=True,
        repeats_id=d.previous_proposal_id,
    )
    assert (para.themes, para.priority, para.repeats_id) == (
        ["information"],
        True,
        d.previous_proposal_id,
    )
    # the repeated proposal of the earlier report can no longer be deleted
    prev_para = s.get(ReportParagraph, d.previous_proposal_id)
    prev_report = s.get(Report, d.previous_report_id)
    assert prev_para is not None and prev_report is not None
    with pytest.raises(ReportError):
        services.delete_paragraph(s, prev_report, prev_para, panel)


def test_citations_both_directions(world: tuple[Session, Drafting]) -> None:
    s, d = world
    report, panel = _report(s, d), d.world.users["panel"]
    chapter = services.chapters(s, report)[1]
    p1 = services.add_paragraph(s, report, chapter, panel, "The law informs victims.")
    p2 = services.add_paragraph(s, report, chapter, panel, "NGOs disagree.")
    citations.cite_answer(s, report, p1, d.party_reply_id, "info_law", panel)
    citations.cite_answer(s, report, p1, d.party_reply_id, "info_law", panel)  # twice: once
    citations.set_citations(
        s,
        report,
        p2,
        [(d.ngo_reply_id, "ngo_info_practice"), (d.party_reply_id, "info_law")],
        panel,
    )
    by_para = citations.citations_by_paragraph(s, report)
    assert [a.item_id for a in by_para[p1.id]] == ["info_law"]  # type: ignore[index]
    assert [(a.audience, a.org_name, a.section_id) for a in by_para[p2.id]] == [  # type: ignore[index]
        ("ngo", "Hope Coalition", "information"),
        ("party", None, "information"),
    ]
    cited = citations.citing_paragraphs(
        s,
        [
            (d.party_reply_id, "info_law"),
            (d.ngo_reply_id, "ngo_info_practice"),
            (d.party_reply_id, "info_leaflet"),
        ],
    )
    assert [c.number for c in cited[(d.party_reply_id, "info_law")]] == [1, 2]
    assert [c.paragraph_id for c in cited[(d.ngo_reply_id, "ngo_info_practice")]] == [p2.id]
    assert (d.party_reply_id, "info_leaflet") not in cited
    # the evidence panel of the chapter shows the same
    ev = evidence.chapter_evidence(s, report, chapter, "en")
    assert ev.section is not None and ev.section.id == "information"
    assert ev.replies is not None and [c.reply.id for c in ev.replies.ngo_columns] == [
        d.ngo_reply_id
    ]
    assert ev.cited_in[(d.party_reply_id, "info_law")][0].paragraph_id == p1.id
    assert [p.text for _n, p in ev.previous_paragraphs] == [
        "Victims of AM lack information.",
        "GRETA urges the authorities of AM to inform victims.",
    ]
    # removing from the list removes the citation; deleting a paragraph drops its own
    citations.set_citations(s, report, p2, [(d.party_reply_id, "info_law")], panel)
    assert [a.item_id for a in citations.citations_by_paragraph(s, report)[p2.id]] == [  # type: ignore[index]
        "info_law"
    ]
    services.delete_paragraph(s, report, p1, panel)
    s.flush()
    left = s.exec(select(ParagraphCitation)).all()
    assert [(c.paragraph_id, c.item_id) for c in left] == [(p2.id, "info_law")]
    actions = {e.action for e in s.exec(select(AuditEvent))}
    assert {"report.answer_cited", "report.citation_removed"} <= actions


@pytest.mark.parametrize("case", ["unanswered", "other_evaluation", "draft", "unknown_item"])
def test_only_submitted_answers_of_the_evaluation_can_be_cited(
    world: tuple[Session, Drafting], case: str
) -> None:
    s, d = world
    report, panel = _report(s, d), d.world.users["panel"]
    para = services.add_paragraph(s, report, services.chapters(s, report)[1], panel, "x")
    reply_id, item_id = d.party_reply_id, "info_law"
    if case == "unanswered":
        item_id = "info_body"
    elif case == "unknown_item":
        item_id = "nope"
    elif case == "draft":
        reply = s.get(Reply, d.party_reply_id)
        assert reply is not None
        reply.status = ReplyStatus.DRAFT
        s.add(reply)
    else:
        other = Reply(
            evaluation_id=d.world.ua.id,  # type: ignore[arg-type]
            audience="party",  # type: ignore[arg-type]
            questionnaire_version_id=d.world.ua.questionnaire_version_id,
            status=ReplyStatus.SUBMITTED,
        )
        s.add(other)
        s.flush()
        reply_id = other.id  # type: ignore[assignment]
    with pytest.raises(ReportError):
        citations.cite_answer(s, report, para, reply_id, item_id, panel)


def test_skeleton_has_chapters_per_section_and_dated_milestones(
    world: tuple[Session, Drafting],
) -> None:
    s, d = world
    report, panel = _report(s, d), d.world.users["panel"]
    chapters = skeleton.generate_skeleton(s, report, panel)
    assert [(c.title, c.section_id) for c in chapters] == [
        ("Introduction", None),
        ("Overview of the current situation and trends", "statistics"),
        ("Developments since the previous evaluation round", None),
        ("Right to information", "information"),
        ("Co-ordination", "coordination"),
        ("Compensation", "compensation"),
        ("Follow-up on country-specific issues", None),
        ("Conclusions", None),
    ]
    intro = [p.text for _n, p in services.structure(s, report)[0][1]]
    text = " ".join(intro)
    assert intro[0].startswith("This report evaluates the implementation of the Convention")
    assert "sent the questionnaire to the authorities of Armenia on 15 January 2024" in text
    assert "The reply was due on 15 June 2024." in text
    assert "The reply was received on 1 July 2024, after the deadline." in text
    assert "Parallel input was received from Hope Coalition on 2 September 2024." in text
    assert "visited Armenia from 7 October 2024 to 11 October 2024." in text
    kinds = [m.kind for m in skeleton.evaluation_milestones(s, d.world.am)]
    assert kinds == [
        "questionnaire_sent",
        "reply_due",
        "reply_received",
        "ngo_submission",
        "visit_start",
        "visit_end",
    ]
    # a report with text is refused
    with pytest.raises(ReportError, match="already has paragraphs"):
        skeleton.generate_skeleton(s, report, panel)


def test_skeleton_without_reply_or_visit_says_so(world: tuple[Session, Drafting]) -> None:
    s, d = world
    panel = d.world.users["panel"]
    ua = d.world.ua
    report = services.create_report(s, ua, panel, "Report on Ukraine")
    skeleton.generate_skeleton(s, report, panel)
    text = " ".join(p.text for _n, p in services.structure(s, report)[0][1])
    assert "No reply had been received" in text
    assert "No parallel input from civil society" in text
    assert "No country visit had taken place" in text


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script> text",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)" onclick="alert(2)">x</a>',
        "[x](JaVaScRiPt:alert(1))",
        "![img](javascript:alert(1))",
        '<svg onload="alert(1)"></svg>',
    ],
)
def test_markdown_is_sanitised(markdown: str) -> None:
    """Raw HTML is shown as text, never as markup; links keep safe schemes only."""
    tags = elements(str(render_markdown(markdown)))
    assert {t for t, _a in tags} <= {"p", "a"}
    for _tag, attrs in tags:
        assert not any(name.startswith("on") for name, _v in attrs)
        assert not any(
            name == "href" and (v or "").lower().startswith("javascript") for name, v in attrs
        )


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag of ``html`` with its attributes."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_paragraph_text_and_footnotes_are_sanitised_in_the_page_markup(
    world: tuple[Session, Drafting],
) -> None:
    from monitor.reports.views import paragraph_html

    s, d = world
    report, panel = _report(s, d), d.world.users["panel"]
    para = services.add_paragraph(
        s,
        report,
        services.chapters(s, report)[1],
        panel,
        "See [law](javascript:alert(1)) <img src=x onerror=alert(1)>[^1]",
        footnotes=["<script>alert(1)</script>[src](javascript:void(0))"],
    )
    tags = elements(str(paragraph_html(para)) + str(render_markdown(para.footnotes[0])))
    assert {t for t, _a in tags} <= {"p", "a", "sup"}
    hrefs = [v for _t, attrs in tags for n, v in attrs if n == "href"]
    assert hrefs == [f"#fn-{para.id}-1"]
