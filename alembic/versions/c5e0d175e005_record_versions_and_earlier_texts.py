"""record versions and earlier texts

Optimistic concurrency: a version (and who/when last wrote it) on goals, group
sessions and plan reviews, a consent counter on family links; text_version keeps
the earlier text an edit replaced.

Revision ID: c5e0d175e005
Revises: c1f4a11e0001
Create Date: 2026-11-23 13:00:05.319664

"""
from collections.abc import Sequence

from alembic import op
from iop_app.models.migration_helpers import create, drop, index, integer, table, text, utc

# revision identifiers, used by Alembic.
revision: str = 'c5e0d175e005'
down_revision: str | Sequence[str] | None = 'c1f4a11e0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables that get a version and who last wrote them (goal had its updated_at already).
VERSIONED = ('goal', 'group_session', 'plan_review')


def _text_version():
    return table("text_version",
                 integer("id"), text("table_name", 40), integer("row_id"), text("field", 40),
                 text("previous_text", 4000), integer("changed_by"), utc("changed_at"),
                 fks={"changed_by": "user.id"},
                 indexes=(index("table_name", "row_id", "field", name="ix_text_version_row"),))


def upgrade() -> None:
    """Upgrade schema."""
    create(_text_version())

    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.add_column(integer('consent_version', server_default='0'))

    for name in VERSIONED:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(integer('version', server_default='1'))
            if name != 'goal':
                batch_op.add_column(utc('updated_at', null=True))
            batch_op.add_column(integer('updated_by', null=True))
            batch_op.create_foreign_key(f'fk_{name}_updated_by_user', 'user', ['updated_by'], ['id'])


def downgrade() -> None:
    """Downgrade schema."""
    for name in reversed(VERSIONED):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{name}_updated_by_user', type_='foreignkey')
            batch_op.drop_column('updated_by')
            if name != 'goal':
                batch_op.drop_column('updated_at')
            batch_op.drop_column('version')

    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.drop_column('consent_version')

    drop(_text_version())
