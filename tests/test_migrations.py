"""The schema comes from migrations: upgrading an empty database gives exactly the
models' schema, and downgrading removes it again (known-failures B21 for SQLite: batch
mode is on)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from monitor.extensions import alembic, db
from tests.conftest import make_app


def test_upgrade_matches_models_and_downgrade_empties(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        SQLModel.metadata.drop_all(db.engine)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        alembic.upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, SQLModel.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        alembic.downgrade("base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        db.engine.dispose()
