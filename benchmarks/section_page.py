#!/usr/bin/env python3
"""How fast a respondent's section page renders and saves, against bare baselines.

    python benchmarks/section_page.py               # 200 runs of each
    python benchmarks/section_page.py --runs 50

Issue 4 asks, for a section of 150 items with a 10 x 12 statistics table: the page render
time and the save round-trip (median and p95 over 200 runs), each beside a baseline
measured in the same run:

- *page*: GET of the section page through the Flask test client (login, access checks,
  questionnaire version, answers, WTForms form built from the YAML definition, Jinja
  macros), against a bare Flask route rendering the same number of ``<input>`` elements
  from a plain Jinja template;
- *save*: POST of the whole section form with one answer changed (what the Save button,
  and the autosave, send), against a bare SQLAlchemy upsert of one row (``INSERT ... ON
  CONFLICT DO UPDATE`` on SQLite) and commit. When the application has an autosave
  endpoint (``submissions.autosave``) it is timed too: *autosave* posts what
  ``static/autosave.js`` sends, the one question changed (``_items``), and
  *autosave-full* the whole form (what it sent before).

A last row, *save-floor*, times what no save can do without: a signed-in POST to a route
added by this script that loads the reply (with the access check) and one answer,
changes the answer and commits, then answers JSON; none of the section's rules (assigned
sections, conflict check, hidden items, section status, audit). It shows how much of the
autosave's ratio is the stack itself (Flask, the session cookie, Flask-Login's user, the
ORM, SQLite's commit).

Times are wall-clock milliseconds (``time.perf_counter``) on a temporary SQLite file; the
ratio to the baseline is the figure to compare across machines. Targets (issue 4):
page p95 under 150 ms, save p95 under 50 ms, each at most 3x its baseline.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # import this checkout's monitor, not an installed one

import sqlalchemy as sa  # noqa: E402
from flask import Flask, render_template_string  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from monitor import create_app  # noqa: E402
from monitor.accounts.models import Party, Role  # noqa: E402
from monitor.accounts.services import create_user  # noqa: E402
from monitor.extensions import db  # noqa: E402
from monitor.questionnaires.schema import QuestionnaireDef  # noqa: E402
from monitor.rounds.models import (  # noqa: E402
    Audience,
    Evaluation,
    EvaluationRound,
    Instrument,
    QuestionnaireVersion,
)

PASSWORD = "benchmark-password"
KINDS = ["text", "long_text", "single_choice", "multiple_choice", "yes_no", "number", "date"]


def questionnaire(items: int = 150, rows: int = 10, columns: int = 12) -> dict[str, Any]:
    """One section of ``items`` items: ``items - 1`` mixed items and a ``rows`` x
    ``columns`` statistics table (explicit rows and columns, no total)."""
    out: list[dict[str, Any]] = []
    for n in range(items - 1):
        kind = KINDS[n % len(KINDS)]
        item: dict[str, Any] = {
            "id": f"q{n}",
            "kind": kind,
            "label": f"Question {n}: how does the law protect victims in situation {n}?",
            "guidance": "Give the **legal basis** and an example.",
            "articles": [12, 15],
        }
        if kind in ("single_choice", "multiple_choice"):
            item["options"] = [{"code": f"o{k}", "label": f"Option {k}"} for k in range(5)]
        if n % 10 == 3:
            item["show_if"] = f"q{n - 1} = 'yes'" if KINDS[(n - 1) % 7] == "yes_no" else f"q{n - 1}"
        out.append(item)
    out.append(
        {
            "id": "table",
            "kind": "statistics_table",
            "label": "Victims by stage and group",
            "rows": [{"code": f"r{r}", "label": f"Stage {r}"} for r in range(rows)],
            "total": False,
            "column_groups": [
                {"columns": [{"code": f"c{c}", "label": f"Group {c}"} for c in range(columns)]}
            ],
        }
    )
    return {
        "id": "bench",
        "title": "Benchmark questionnaire",
        "audience": "party",
        "parts": [
            {
                "id": "p",
                "title": "Part",
                "sections": [{"id": "s", "title": "Section", "items": out}],
            }
        ],
    }


def setup(folder: Path) -> tuple[Flask, int]:
    """An app on a new SQLite file with one Party, its contact person and a 150-item
    questionnaire version; returns the app and the evaluation id."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
            "SECRET_KEY": "benchmark",
            "WTF_CSRF_ENABLED": False,
        }
    )
    add_floor_route(app)
    with app.app_context():
        SQLModel.metadata.create_all(db.engine)
        s = db.session
        inst = Instrument(code="CETS-197", title="Convention", definition={})
        s.add(inst)
        s.flush()
        rnd = EvaluationRound(instrument_id=inst.id, number=3, title="Round", definition={})
        party = Party(code="AM", name="Armenia")
        s.add_all([rnd, party])
        s.flush()
        definition = QuestionnaireDef.model_validate(questionnaire()).model_dump(mode="json")
        version = QuestionnaireVersion(
            round_id=rnd.id,
            audience=Audience.PARTY,
            party_code="AM",
            content_hash="b" * 64,
            definition=definition,
        )
        s.add(version)
        s.flush()
        ev = Evaluation(
            round_id=rnd.id,
            party_id=party.id,
            questionnaire_version_id=version.id,
            questionnaire_sent=date(2024, 1, 15),
        )
        s.add(ev)
        create_user(s, "contact@example.org", "Contact", PASSWORD, Role.PARTY_CONTACT, party=party)
        s.commit()
        return app, ev.id


FLOOR_URL = "/_benchmark/replies/{reply_id}/floor-save"


def add_floor_route(app: Flask) -> None:
    """The *save-floor* route (see the module docstring): the least a save does."""
    from flask import jsonify, request
    from flask_login import login_required
    from sqlmodel import select

    from monitor.submissions.access import reply_or_404
    from monitor.submissions.models import Answer

    @app.post(FLOOR_URL.replace("{reply_id}", "<int:reply_id>"))
    @login_required
    def floor_save(reply_id: int) -> Any:
        reply, _evaluation = reply_or_404(reply_id)
        answer = db.session.exec(
            select(Answer).where(Answer.reply_id == reply.id, Answer.item_id == "q0")
        ).one()
        answer.value = request.form["q0"]
        db.session.commit()
        return jsonify(status="saved")


def form_data(n: int) -> dict[str, Any]:
    """A filled section form; ``n`` changes one answer so that each save writes."""
    data: dict[str, Any] = {"action": "stay"}
    for k in range(149):
        kind = KINDS[k % len(KINDS)]
        data[f"q{k}"] = {
            "text": f"Answer {k}",
            # q1, the first long text, changes with n (q0 is a text item)
            "long_text": f"A longer answer to question {k}, revision {n if k == 1 else 0}.",
            "single_choice": "o1",
            "multiple_choice": ["o1", "o3"],
            "yes_no": "yes",
            "number": str(10 + k),
            "date": "2023-03-31",
        }[kind]
    for r in range(10):
        for c in range(12):
            data[f"table__{r}__{c}"] = str(r * 12 + c)
    return data


#: The clock of :func:`timed`: wall-clock by default; ``--clock cpu`` takes the CPU time
#: of the process, which other work on the machine disturbs less.
CLOCK: Callable[[], float] = time.perf_counter


def timed(
    fn: Callable[[int], Any], runs: int, after: Callable[[], Any] | None = None
) -> list[float]:
    """Times of ``runs`` calls of ``fn``; ``after`` runs after each, untimed."""
    out = []
    for n in range(runs):
        start = CLOCK()
        fn(n)
        out.append((CLOCK() - start) * 1000)
        if after is not None:
            after()
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def bare_page_app(inputs: int) -> Flask:
    bare = Flask("bare")
    template = (
        "<!doctype html><html><body><form method='post'>"
        "{% for i in range(n) %}<label for='f{{ i }}'>Question {{ i }}</label>"
        "<input id='f{{ i }}' name='f{{ i }}' value='{{ i }}'>{% endfor %}</form></body></html>"
    )

    @bare.route("/")
    def page() -> str:
        return render_template_string(template, n=inputs)

    return bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall-clock time (default), or the CPU time of this process (for a loaded machine)",
    )
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.perf_counter if args.clock == "wall" else time.process_time
    with tempfile.TemporaryDirectory() as tmp:
        app, ev_id = setup(Path(tmp))
        client = app.test_client()
        client.post("/login", data={"email": "contact@example.org", "password": PASSWORD})
        reply_url = client.post(f"/evaluations/{ev_id}/reply").headers["Location"]
        url = reply_url + "/sections/s"
        client.post(url, data=form_data(0))
        page = client.get(url)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        # the baseline renders as many form controls as our page has
        inputs = sum(html.count(tag) for tag in ("<input", "<textarea", "<select"))
        bare = bare_page_app(inputs).test_client()
        engine = sa.create_engine(f"sqlite:///{Path(tmp) / 'baseline.sqlite'}")
        table = sa.Table(
            "answer",
            sa.MetaData(),
            sa.Column("item_id", sa.String, primary_key=True),
            sa.Column("value", sa.JSON),
        )
        table.metadata.create_all(engine)

        def shown() -> None:
            """What the page a save redirects to does, untimed: it shows (and so removes)
            the "saved" message. Left in the session, 200 of them made every later request
            decode and sign them all again."""
            with client.session_transaction() as sess:
                sess.pop("_flashes", None)

        def upsert(n: int) -> None:
            from sqlalchemy.dialects.sqlite import insert

            stmt = insert(table).values(item_id="q0", value=f"answer {n}")
            stmt = stmt.on_conflict_do_update(
                index_elements=["item_id"], set_={"value": stmt.excluded.value}
            )
            with engine.begin() as conn:
                conn.execute(stmt)

        for _ in range(5):  # warm up caches (templates, definitions, statements)
            client.get(url)
            bare.get("/")
        rows = [
            (
                "page",
                timed(lambda n: client.get(url), args.runs),
                timed(lambda n: bare.get("/"), args.runs),
            ),
            (
                "save",
                timed(lambda n: client.post(url, data=form_data(n + 1)), args.runs, shown),
                timed(upsert, args.runs),
            ),
        ]
        if "submissions.autosave" in app.view_functions:
            with app.test_request_context():
                from flask import url_for

                autosave_url = url_for(
                    "submissions.autosave",
                    reply_id=int(reply_url.rsplit("/", 1)[1]),
                    section_id="s",
                )
            rows.append(
                (
                    "autosave",  # what static/autosave.js sends: the question changed
                    timed(
                        lambda n: client.post(
                            autosave_url,
                            data={"_items": "q0", "q0": f"Answer 0, autosave {n}"},
                        ),
                        args.runs,
                    ),
                    timed(upsert, args.runs),
                )
            )
            rows.append(
                (
                    "autosave-full",  # the whole form, as before partial autosaves
                    timed(lambda n: client.post(autosave_url, data=form_data(n + 1000)), args.runs),
                    timed(upsert, args.runs),
                )
            )
        floor_url = FLOOR_URL.format(reply_id=reply_url.rsplit("/", 1)[1])
        rows.append(
            (
                "save-floor",  # the stack alone: see the module docstring
                timed(lambda n: client.post(floor_url, data={"q0": f"floor {n}"}), args.runs),
                timed(upsert, args.runs),
            )
        )
    print(
        f"section of 150 items with a 10 x 12 table ({inputs} form controls); "
        f"{args.runs} runs each; milliseconds ({args.clock} clock)"
    )
    print(f"{'what':<13} {'median':>8} {'p95':>8} {'base med':>9} {'base p95':>9} {'ratio p95':>9}")
    for name, ours, base in rows:
        print(
            f"{name:<13} {statistics.median(ours):8.1f} {p95(ours):8.1f} "
            f"{statistics.median(base):9.2f} {p95(base):9.2f} {p95(ours) / p95(base):9.1f}"
        )


if __name__ == "__main__":
    main()
