"""report drafting: finding grades, proposal themes, priority and repeats, chapter
sections, paragraph citations (issue 5, points 1 and 2)

Revision ID: 1796040525
Revises: 1796040485
Create Date: 2026-11-30 12:08:45.763794

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)


# revision identifiers, used by Alembic.
revision: str = '1796040525'
down_revision: Union[str, Sequence[str], None] = '1796040485'
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

_OLD_KIND = sa.Enum('narrative', 'proposal', name='ck_paragraphkind', native_enum=False, create_constraint=True, length=32)
_NEW_KIND = sa.Enum('narrative', 'finding', 'proposal', name='ck_paragraphkind', native_enum=False, create_constraint=True, length=32)


def _kind_values(new: bool) -> None:
    """Rebuild the CHECK constraint of report_paragraph.kind with or without 'finding'.

    SQLite recreates the table in batch mode, with the constraint of the new type; other
    databases alter the named constraint in place."""
    old, new_type = (_OLD_KIND, _NEW_KIND) if new else (_NEW_KIND, _OLD_KIND)
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('report_paragraph', schema=None) as batch_op:
            batch_op.alter_column('kind', existing_type=old, type_=new_type, existing_nullable=False)
        return
    values = ", ".join(f"'{v}'" for v in new_type.enums)
    op.drop_constraint('ck_paragraphkind', 'report_paragraph', type_='check')
    op.create_check_constraint('ck_paragraphkind', 'report_paragraph', f"kind IN ({values})")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('paragraph_citation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('reply_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['paragraph_id'], ['report_paragraph.id'], ),
    sa.ForeignKeyConstraint(['reply_id'], ['reply.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('paragraph_id', 'reply_id', 'item_id')
    )
    with op.batch_alter_table('paragraph_citation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paragraph_citation_paragraph_id'), ['paragraph_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paragraph_citation_reply_id'), ['reply_id'], unique=False)

    with op.batch_alter_table('report_chapter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('section_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))

    # 'finding' joins the kinds: the CHECK constraint is rebuilt with the new values.
    _kind_values(new=True)
    with op.batch_alter_table('report_paragraph', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade', sa.Enum('good_practice', 'gap', 'concern', name='ck_findinggrade', native_enum=False, create_constraint=True, length=32), nullable=True))
        # Existing paragraphs get no themes and no priority.
        batch_op.add_column(sa.Column('themes', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('priority', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('repeats_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_report_paragraph_repeats_id', 'report_paragraph', ['repeats_id'], ['id'])


def downgrade() -> None:
    """Downgrade schema. Findings become narrative paragraphs again."""
    op.execute("UPDATE report_paragraph SET kind = 'narrative' WHERE kind = 'finding'")
    with op.batch_alter_table('report_paragraph', schema=None) as batch_op:
        batch_op.drop_constraint('fk_report_paragraph_repeats_id', type_='foreignkey')
        batch_op.drop_column('repeats_id')
        batch_op.drop_column('priority')
        batch_op.drop_column('themes')
        batch_op.drop_constraint('ck_findinggrade', type_='check')
        batch_op.drop_column('grade')
    _kind_values(new=False)

    with op.batch_alter_table('report_chapter', schema=None) as batch_op:
        batch_op.drop_column('section_id')

    with op.batch_alter_table('paragraph_citation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paragraph_citation_reply_id'))
        batch_op.drop_index(batch_op.f('ix_paragraph_citation_paragraph_id'))

    op.drop_table('paragraph_citation')
