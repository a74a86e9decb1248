"""Public pages, no sign-in (issue 5, point 8): published reports by Party and by round,
each proposal with its verb, articles and current follow-up status; search across
published text; counts of Parties by verb, article and round, with CSV export.

Only published reports appear (:mod:`monitor.public.search`); a Party or round without
one gives 404, so that nothing about unpublished work shows.
"""

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from monitor.accounts.models import Party
from monitor.core.csvexport import csv_bytes
from monitor.core.downloads import content_disposition
from monitor.extensions import db
from monitor.public import search
from monitor.reports.recommendation_views import grade_label
from monitor.rounds.models import EvaluationRound

bp = Blueprint("published", __name__)


def _common() -> dict[str, Any]:
    return {"grade_label": grade_label}


@bp.route("/published/parties")
def parties() -> str:
    """Every Party with a published report, with the number of its published reports."""
    counts: dict[str, tuple[Party, int]] = {}
    for pub in search.published_reports(db.session):
        party, n = counts.get(pub.party.code, (pub.party, 0))
        counts[pub.party.code] = (party, n + 1)
    rows = sorted(counts.values(), key=lambda pn: pn[0].name)
    return render_template(
        "public/published_parties.html", rows=rows, rounds=search.published_rounds(db.session)
    )


def _with_proposals(pubs: list[search.PublishedReport]) -> list[tuple[Any, Any]]:
    return [(pub, search.published_proposals(db.session, pub.report)) for pub in pubs]


@bp.route("/published/parties/<code>")
def party(code: str) -> str:
    """The published reports on one Party, newest round first, each with its proposals."""
    pubs = search.published_reports(db.session, party_code=code)
    if not pubs:
        abort(404)
    return render_template(
        "public/published_reports.html",
        heading=pubs[0].party.name,
        reports=_with_proposals(pubs),
        **_common(),
    )


@bp.route("/published/rounds/<int:round_id>")
def round_(round_id: int) -> str:
    """The published reports of one round, by Party, each with its proposals."""
    pubs = search.published_reports(db.session, round_id=round_id)
    if not pubs:
        abort(404)
    return render_template(
        "public/published_reports.html",
        heading=pubs[0].round.title,
        reports=_with_proposals(pubs),
        **_common(),
    )


@bp.route("/published/search")
def search_page() -> str:
    """Search published report text: paragraphs containing every word typed."""
    query = (request.args.get("q") or "").strip()[:200]
    terms = search.search_terms(query)
    hits = search.search_published(db.session, query) if terms else []
    return render_template(
        "public/published_search.html",
        query=query,
        terms=terms,
        hits=hits,
        snippet=search.snippet,
        max_results=search.MAX_RESULTS,
    )


@bp.route("/published/counts")
def counts() -> str | Response:
    """ "Parties urged under Article N in round R": the form, the Parties and their
    number; ``format=csv`` downloads the same list."""
    verbs = search.known_verbs(db.session)
    rounds = search.published_rounds(db.session)
    verb = request.args.get("verb") or ""
    article_text = (request.args.get("article") or "").strip()
    round_id = request.args.get("round", type=int)
    error = None
    article: int | None = None
    if article_text:
        if article_text.isdigit() and len(article_text) <= 4:
            article = int(article_text)
        else:
            error = _("Type an article number, for example 15.")
    rows: list[search.CountRow] | None = None
    chosen = next((r for r in rounds if r.id == round_id), None)
    if verb in verbs and chosen is not None and error is None:
        rows = search.proposal_counts(db.session, verb, article, chosen.id)  # type: ignore[arg-type]
        if request.args.get("format") == "csv":
            return _csv(rows, verb, article, chosen)
    return render_template(
        "public/published_counts.html",
        verbs=verbs,
        rounds=rounds,
        verb=verb,
        article=article_text,
        round_id=round_id,
        chosen=chosen,
        rows=rows,
        error=error,
    )


def _csv(
    rows: list[search.CountRow], verb: str, article: int | None, rnd: EvaluationRound
) -> Response:
    header = [
        _("Party code"),
        _("Party"),
        _("Round"),
        _("Verb"),
        _("Article"),
        _("Paragraphs"),
    ]
    data = [
        [
            r.published.party.code,
            r.published.party.name,
            rnd.number,
            verb,
            article if article is not None else "",
            ", ".join(str(n) for n in r.paragraphs),
        ]
        for r in rows
    ]
    name = f"parties-{verb}-article-{article or 'any'}-round-{rnd.number}.csv"
    return Response(
        csv_bytes(header, data),
        mimetype="text/csv",
        headers={"Content-Disposition": content_disposition(name, "counts.csv")},
    )
