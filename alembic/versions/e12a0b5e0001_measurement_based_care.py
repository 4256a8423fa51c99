"""measurement based care

Schedule rules (with the program's defaults from issue #12), ad hoc assignments,
responses (drafts and completed; corrections supersede, never edit) and alerts.
CHECK constraints keep the closed sets (models/enums.py) in their sets.

Revision ID: e12a0b5e0001
Revises: c4d17a0e0004
Create Date: 2026-11-23 13:59:50.574901

"""
from collections.abc import Sequence
from typing import Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)


# revision identifiers, used by Alembic.
revision: str = 'e12a0b5e0001'
down_revision: Union[str, Sequence[str], None] = 'c4d17a0e0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('measure_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('timing', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('every_days', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code', 'timing', name='uq_measure_rule_code_timing'),
    sa.CheckConstraint("timing IN ('intake', 'interval', 'discharge')", name='ck_measure_rule_timing'),
    sa.CheckConstraint("(timing = 'interval') = (every_days IS NOT NULL)", name='ck_measure_rule_every_days_set'),
    sa.CheckConstraint("every_days IS NULL OR every_days BETWEEN 1 AND 365", name='ck_measure_rule_every_days'),
    )
    rule = sa.table('measure_rule', sa.column('code', sa.String), sa.column('timing', sa.String),
                    sa.column('every_days', sa.Integer), sa.column('active', sa.Boolean))
    # The defaults of issue #12: PHQ-9 and GAD-7 every 2 weeks, BAM weekly, AUDIT and
    # DAST-10 at intake and discharge, URICA at intake and monthly.
    op.bulk_insert(rule, [
        {'code': 'phq9', 'timing': 'interval', 'every_days': 14, 'active': True},
        {'code': 'gad7', 'timing': 'interval', 'every_days': 14, 'active': True},
        {'code': 'bam', 'timing': 'interval', 'every_days': 7, 'active': True},
        {'code': 'audit', 'timing': 'intake', 'every_days': None, 'active': True},
        {'code': 'audit', 'timing': 'discharge', 'every_days': None, 'active': True},
        {'code': 'dast10', 'timing': 'intake', 'every_days': None, 'active': True},
        {'code': 'dast10', 'timing': 'discharge', 'every_days': None, 'active': True},
        {'code': 'urica', 'timing': 'intake', 'every_days': None, 'active': True},
        {'code': 'urica', 'timing': 'interval', 'every_days': 30, 'active': True},
    ])
    op.create_table('measure_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('band', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('subscales', sa.JSON(), nullable=False),
    sa.Column('positive', sa.Boolean(), nullable=True),
    sa.Column('alerts', sa.JSON(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('completed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('entered_by', sa.Integer(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('correction_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['entered_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['supersedes_id'], ['measure_response.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('supersedes_id', name='uq_measure_response_supersedes'),
    sa.CheckConstraint("status IN ('draft', 'submitted')", name='ck_measure_response_status'),
    # A completed response has its server time; a draft has none.
    sa.CheckConstraint("(status = 'submitted') = (completed_at IS NOT NULL)", name='ck_measure_response_completed'),
    )
    with op.batch_alter_table('measure_response', schema=None) as batch_op:
        batch_op.create_index('ix_measure_response_client_code', ['client_id', 'code', 'status'], unique=False)

    op.create_table('measure_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('action_note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['response_id'], ['measure_response.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('response_id', 'kind', name='uq_measure_alert_response_kind'),
    sa.CheckConstraint("kind IN ('item9', 'rise', 'bam_use')", name='ck_measure_alert_kind'),
    # Acknowledged means by whom, when, and with a note of the action taken.
    sa.CheckConstraint("(acknowledged_at IS NULL) = (acknowledged_by IS NULL)", name='ck_measure_alert_ack'),
    )
    with op.batch_alter_table('measure_alert', schema=None) as batch_op:
        batch_op.create_index('ix_measure_alert_client_open', ['client_id', 'acknowledged_at'], unique=False)

    op.create_table('measure_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('assigned_by', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['response_id'], ['measure_response.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('measure_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_measure_assignment_client_code', ['client_id', 'code'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('measure_assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_assignment_client_code')

    op.drop_table('measure_assignment')
    with op.batch_alter_table('measure_alert', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_alert_client_open')

    op.drop_table('measure_alert')
    with op.batch_alter_table('measure_response', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_response_client_code')

    op.drop_table('measure_response')
    op.drop_table('measure_rule')
