"""The report cycle migration maps existing data: statuses keep their names except a
draft with the Party that already has comments (party_commented); existing comments are
the Party's sent comments on the draft; downgrade maps the new states back."""

from pathlib import Path

from sqlalchemy import text
from sqlmodel import SQLModel

from monitor.extensions import alembic, db
from tests.conftest import make_app

CYCLE = "1796040515"


def _down_revision() -> str:
    """The revision the cycle migration follows (re-chained when branches merge)."""
    import importlib.util

    folder = Path(__file__).resolve().parents[2] / "monitor" / "migrations"
    path = next(folder.glob(f"{CYCLE}_*.py"))
    spec = importlib.util.spec_from_file_location("cycle_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.down_revision)


BEFORE = _down_revision()

PARENTS = """
INSERT INTO instrument (id, code, title, definition) VALUES (1, 'c', 't', '{}');
INSERT INTO evaluation_round (id, instrument_id, number, title, definition, loaded_at)
  VALUES (1, 1, 3, 'r', '{}', '2024-01-01 00:00:00');
INSERT INTO questionnaire_version (id, round_id, audience, content_hash, definition, created_at)
  VALUES (1, 1, 'party', 'h', '{}', '2024-01-01 00:00:00');
INSERT INTO party (id, code, name) VALUES (1, 'AM', 'Armenia'), (2, 'MD', 'Moldova'),
  (3, 'UA', 'Ukraine');
INSERT INTO evaluation (id, round_id, party_id, questionnaire_version_id)
  VALUES (1, 1, 1, 1), (2, 1, 2, 1), (3, 1, 3, 1);
INSERT INTO "user" (id, email, name, password_hash, role, active)
  VALUES (1, 'a@example.org', 'A', 'x', 'panel', true);
"""


def test_old_statuses_and_comments_are_mapped(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with app.app_context():
        SQLModel.metadata.drop_all(db.engine)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        alembic.upgrade(BEFORE)
        with db.engine.begin() as conn:
            # the rows the reports hang on (PostgreSQL enforces the foreign keys)
            for statement in PARENTS.split(";"):
                if statement.strip():
                    conn.exec_driver_sql(statement)
            for rid, status in ((1, "sent_to_party"), (2, "sent_to_party"), (3, "published")):
                conn.execute(
                    text(
                        "INSERT INTO report (id, evaluation_id, title, status, created_at) "
                        "VALUES (:id, :id, 'R', :status, '2024-01-01 00:00:00')"
                    ),
                    {"id": rid, "status": status},
                )
            conn.execute(
                text(
                    "INSERT INTO report_comment (report_id, author_id, text, created_at, detail)"
                    " VALUES (1, 1, 'Old comment', '2024-02-01 10:00:00', '{}')"
                )
            )
        alembic.upgrade(CYCLE)
        with db.engine.connect() as conn:
            statuses = dict(conn.execute(text("SELECT id, status FROM report")).all())
            comment = conn.execute(
                text("SELECT stage, sent_at, created_at, response FROM report_comment")
            ).one()
            urgent = conn.execute(text("SELECT DISTINCT urgent FROM report")).scalars().all()
        assert statuses == {1: "party_commented", 2: "sent_to_party", 3: "published"}
        assert comment.stage == "draft" and comment.sent_at == comment.created_at
        assert comment.response is None
        assert [bool(u) for u in urgent] == [False]

        with db.engine.begin() as conn:
            conn.execute(text("UPDATE report SET status = 'transmitted' WHERE id = 3"))
        alembic.downgrade(BEFORE)
        with db.engine.connect() as conn:
            statuses = dict(conn.execute(text("SELECT id, status FROM report")).all())
        assert statuses == {1: "sent_to_party", 2: "sent_to_party", 3: "adopted"}
        alembic.downgrade("base")
        db.engine.dispose()
