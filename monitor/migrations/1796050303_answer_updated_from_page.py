"""Answer.updated_from_page: the section page (one rendering, one browser tab) the last
change of an answer was posted from, so that a save from another tab of the same
respondent is a conflict, not a silent overwrite (issue 4, point 3)

Revision ID: 1796050303
Revises: 1796040584
Create Date: 2026-11-30 14:51:43.232487

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "1796050303"
down_revision: str | Sequence[str] | None = "1796040584"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "updated_from_page",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=True,
            )
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_column("updated_from_page")
