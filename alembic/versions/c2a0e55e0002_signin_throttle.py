"""sign-in throttle: failure counters by account and source; the source of each session

Replaces the per-user hard lock (user.failed_signins, user.locked_until) with
failure_counter rows keyed by kind and key, and records the client address of
each session (auth_session.client_ip).

Revision ID: c2a0e55e0002
Revises: c5e0d175e005
Create Date: 2026-11-24 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op

from iop_app.models.migration_helpers import create, drop, index, integer, table, text, utc


# revision identifiers, used by Alembic.
revision: str = 'c2a0e55e0002'
down_revision: Union[str, Sequence[str], None] = 'c5e0d175e005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _failure_counter():
    return table("failure_counter",
                 text("kind", 32), text("key", 254), integer("failures"), utc("last_failure_at"),
                 utc("delayed_until", null=True),
                 pk=("kind", "key"), indexes=(index("last_failure_at"),))


def upgrade() -> None:
    create(_failure_counter())

    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(text('client_ip', 64, server_default=''))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_signins')


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(integer('failed_signins', server_default='0'))
        batch_op.add_column(utc('locked_until', null=True))

    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('client_ip')

    drop(_failure_counter())
