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
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (sqlmodel.sql.sqltypes.AutoString / UTCDateTime)


# revision identifiers, used by Alembic.
revision: str = 'c2a0e55e0002'
down_revision: Union[str, Sequence[str], None] = 'c5e0d175e005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('failure_counter',
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('delayed_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('kind', 'key')
    )
    with op.batch_alter_table('failure_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failure_counter_last_failure_at'), ['last_failure_at'], unique=False)

    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                      server_default=''))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_signins')


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_signins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('client_ip')

    with op.batch_alter_table('failure_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failure_counter_last_failure_at'))

    op.drop_table('failure_counter')
