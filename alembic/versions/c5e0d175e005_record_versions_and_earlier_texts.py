"""record versions and earlier texts

Optimistic concurrency: a version (and who/when last wrote it) on goals, group
sessions and plan reviews, a consent counter on family links; text_version keeps
the earlier text an edit replaced.

Revision ID: c5e0d175e005
Revises: c1f4a11e0001
Create Date: 2026-11-23 13:00:05.319664

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'c5e0d175e005'
down_revision: str | Sequence[str] | None = 'c1f4a11e0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('text_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('previous_text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=False),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('text_version', schema=None) as batch_op:
        batch_op.create_index('ix_text_version_row', ['table_name', 'row_id', 'field'], unique=False)

    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('updated_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_goal_updated_by_user', 'user', ['updated_by'], ['id'])

    with op.batch_alter_table('group_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_group_session_updated_by_user', 'user', ['updated_by'], ['id'])

    with op.batch_alter_table('plan_review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_plan_review_updated_by_user', 'user', ['updated_by'], ['id'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('plan_review', schema=None) as batch_op:
        batch_op.drop_constraint('fk_plan_review_updated_by_user', type_='foreignkey')
        batch_op.drop_column('updated_by')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('version')

    with op.batch_alter_table('group_session', schema=None) as batch_op:
        batch_op.drop_constraint('fk_group_session_updated_by_user', type_='foreignkey')
        batch_op.drop_column('updated_by')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('version')

    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_constraint('fk_goal_updated_by_user', type_='foreignkey')
        batch_op.drop_column('updated_by')
        batch_op.drop_column('version')

    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.drop_column('consent_version')

    with op.batch_alter_table('text_version', schema=None) as batch_op:
        batch_op.drop_index('ix_text_version_row')

    op.drop_table('text_version')
