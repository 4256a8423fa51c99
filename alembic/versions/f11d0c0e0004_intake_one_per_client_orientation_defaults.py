"""intake: one per client; the default orientation checklist

Revision ID: f11d0c0e0004
Revises: f11a0c0e0001
Create Date: 2026-11-23 15:40:00

A client (one admission) has one intake: ix_intake_client_id becomes unique, so two
staff starting an intake at once cannot make two. Every program starts with the
orientation items auditors look for (the director edits the list afterwards); they
are inserted here, not by the demo seed, so a real program has them too.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'f11d0c0e0004'
down_revision: Union[str, Sequence[str], None] = 'f11a0c0e0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Kept here (not imported from the app): a migration must not change when app code does.
DEFAULT_ITEMS = (
    "Program rules and expectations",
    "Program schedule and attendance requirements",
    "Client rights",
    "Grievance procedure",
    "42 CFR Part 2 confidentiality notice",
    "Emergency contacts and after-hours crisis line",
)

_item = sa.table(
    "orientation_item",
    sa.column("id", sa.Integer()),
    sa.column("label", sa.String()),
    sa.column("position", sa.Integer()),
    sa.column("active", sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_client_id')
        batch_op.create_index('ix_intake_client_id', ['client_id'], unique=True)
    bind = op.get_bind()
    if bind.execute(sa.select(sa.func.count()).select_from(_item)).scalar() == 0:
        op.bulk_insert(_item, [{"label": label, "position": i, "active": True}
                               for i, label in enumerate(DEFAULT_ITEMS)])


def downgrade() -> None:
    # The default items stay: they may be initialled by now.
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_client_id')
        batch_op.create_index('ix_intake_client_id', ['client_id'], unique=False)
