"""The drafting migration rebuilds the CHECK constraint on the paragraph kind: after
upgrading, a finding can be stored (its grade checked too); downgrading turns findings
back into narrative paragraphs."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from monitor.extensions import alembic, db
from tests.conftest import make_app

ROWS = """
INSERT INTO instrument (id, code, title, definition) VALUES (1, 'c', 't', '{}');
INSERT INTO evaluation_round (id, instrument_id, number, title, definition, loaded_at)
  VALUES (1, 1, 3, 'r', '{}', '2026-01-01 00:00:00');
INSERT INTO questionnaire_version (id, round_id, audience, content_hash, definition, created_at)
  VALUES (1, 1, 'party', 'h', '{}', '2026-01-01 00:00:00');
INSERT INTO party (id, code, name) VALUES (1, 'AM', 'Armenia');
INSERT INTO evaluation (id, round_id, party_id, questionnaire_version_id) VALUES (1, 1, 1, 1);
INSERT INTO report (id, evaluation_id, title, status, created_at)
  VALUES (1, 1, 'r', 'drafting', '2026-01-01 00:00:00');
INSERT INTO report_chapter (id, report_id, position, title) VALUES (1, 1, 1, 'c');
"""


def _paragraph(conn: sa.Connection, kind: str, grade: str | None) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO report_paragraph (report_id, chapter_id, position, kind, grade, "
            "articles, text, footnotes, updated_at) VALUES (1, 1, 1, :kind, :grade, '[]', "
            "'x', '[]', '2026-01-01 00:00:00')"
        ),
        {"kind": kind, "grade": grade},
    )


def test_finding_fits_the_migrated_schema(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with app.app_context():
        SQLModel.metadata.drop_all(db.engine)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        alembic.upgrade("1796040525")  # the drafting migration; later ones add columns
        with db.engine.begin() as conn:
            for statement in ROWS.split(";"):
                if statement.strip():
                    conn.exec_driver_sql(statement)
            _paragraph(conn, "finding", "gap")
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            _paragraph(conn, "finding", "terrible")
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            _paragraph(conn, "opinion", None)
        alembic.downgrade("1796038193")
        with db.engine.connect() as conn:
            kinds = conn.exec_driver_sql("SELECT kind FROM report_paragraph").scalars().all()
        assert kinds == ["narrative"]
        alembic.downgrade("base")
        db.engine.dispose()
