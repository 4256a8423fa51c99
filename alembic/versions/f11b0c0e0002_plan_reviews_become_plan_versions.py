"""plan reviews become treatment-plan versions

Revision ID: f11b0c0e0002
Revises: f11d0c0e0004
Create Date: 2026-11-23 16:10:00

Each plan_review row becomes a signed treatment_plan version of its client, numbered
in the order of the reviews: its summary is the version's "what changed", its reviewer
and date the staff signature (the time it was recorded, else noon UTC of the review
day), in force from the review day and due again after the program's review interval.
The newest per client is the plan in force; the older ones are superseded. These
versions carry no client signature: none was ever taken. Earlier summaries kept in
text_version follow their row (treatment_plan.changes). Then plan_review goes: its
dates could be edited after the fact, which let a review be backdated.

Downgrade recreates plan_review from the versions that came from it (the ones without a
client signature) and removes those versions; plans written since stay.
"""
from datetime import UTC, datetime, time, timedelta
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = 'f11b0c0e0002'
down_revision: Union[str, Sequence[str], None] = 'f11d0c0e0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DT = sqlmodel.sql.sqltypes.UTCDateTime
DEFAULT_REVIEW_DAYS = 30

plan_review = sa.table(
    'plan_review', sa.column('id', sa.Integer), sa.column('client_id', sa.Integer),
    sa.column('reviewed_on', sa.Date), sa.column('reviewer_id', sa.Integer), sa.column('summary', sa.String),
    sa.column('version', sa.Integer), sa.column('updated_at', DT()), sa.column('updated_by', sa.Integer))
treatment_plan = sa.table(
    'treatment_plan', sa.column('id', sa.Integer), sa.column('client_id', sa.Integer), sa.column('number', sa.Integer),
    sa.column('previous_id', sa.Integer), sa.column('status', sa.String), sa.column('effective_on', sa.Date),
    sa.column('review_due_on', sa.Date), sa.column('changes', sa.String), sa.column('created_by', sa.Integer),
    sa.column('created_at', DT()), sa.column('therapist_signed_by', sa.Integer),
    sa.column('therapist_signed_at', DT()), sa.column('therapist_signature', sa.String),
    sa.column('client_signed_at', DT()), sa.column('client_signature', sa.String), sa.column('version', sa.Integer),
    sa.column('updated_at', DT()), sa.column('updated_by', sa.Integer))
text_version = sa.table('text_version', sa.column('table_name', sa.String), sa.column('row_id', sa.Integer),
                        sa.column('field', sa.String))
user = sa.table('user', sa.column('id', sa.Integer), sa.column('full_name', sa.String))
program_setting = sa.table('program_setting', sa.column('key', sa.String), sa.column('value', sa.String))


def _review_days(bind) -> int:
    value = bind.execute(sa.select(program_setting.c.value).where(program_setting.c.key == 'plan_review_days')).scalar()
    return int(value) if value and str(value).isdigit() else DEFAULT_REVIEW_DAYS


def upgrade() -> None:
    bind = op.get_bind()
    interval = timedelta(days=_review_days(bind))
    names = dict(bind.execute(sa.select(user.c.id, user.c.full_name)).all())
    reviews = bind.execute(sa.select(plan_review).order_by(plan_review.c.client_id, plan_review.c.reviewed_on,
                                                           plan_review.c.id)).all()
    by_client: dict[int, list] = {}
    for review in reviews:
        by_client.setdefault(review.client_id, []).append(review)
    for client_id, rows in by_client.items():
        previous_id = None
        for number, review in enumerate(rows, start=1):
            signed_at = review.updated_at or datetime.combine(review.reviewed_on, time(12, 0), tzinfo=UTC)
            plan_id = bind.execute(treatment_plan.insert().values(
                client_id=client_id, number=number, previous_id=previous_id,
                status='signed' if number == len(rows) else 'superseded',
                effective_on=review.reviewed_on, review_due_on=review.reviewed_on + interval,
                changes=(review.summary or '')[:4000], created_by=review.reviewer_id, created_at=signed_at,
                therapist_signed_by=review.reviewer_id, therapist_signed_at=signed_at,
                therapist_signature=(names.get(review.reviewer_id) or '')[:120],
                client_signed_at=None, client_signature='', version=1,
                updated_at=signed_at, updated_by=review.updated_by or review.reviewer_id,
            ).returning(treatment_plan.c.id)).scalar_one()
            # Earlier summaries of this review stay with it: now earlier texts of the version's changes.
            bind.execute(text_version.update().where(text_version.c.table_name == 'plan_review',
                                                     text_version.c.row_id == review.id,
                                                     text_version.c.field == 'summary')
                         .values(table_name='treatment_plan', row_id=plan_id, field='changes'))
            previous_id = plan_id
    with op.batch_alter_table('plan_review', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_review_client_on')
    op.drop_table('plan_review')


def downgrade() -> None:
    op.create_table('plan_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], name='fk_plan_review_updated_by_user'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_review', schema=None) as batch_op:
        batch_op.create_index('ix_plan_review_client_on', ['client_id', 'reviewed_on'], unique=False)
    bind = op.get_bind()
    legacy = bind.execute(sa.select(treatment_plan).where(
        treatment_plan.c.client_signed_at.is_(None), treatment_plan.c.therapist_signed_at.is_not(None),
        treatment_plan.c.status.in_(('signed', 'superseded'))).order_by(treatment_plan.c.number.desc())).all()
    # Versions written since that follow a removed one no longer name it.
    bind.execute(treatment_plan.update().where(treatment_plan.c.previous_id.in_([p.id for p in legacy]))
                 .values(previous_id=None))
    for plan in legacy:
        review_id = bind.execute(plan_review.insert().values(
            client_id=plan.client_id, reviewed_on=plan.effective_on, reviewer_id=plan.therapist_signed_by,
            summary=plan.changes, version=1, updated_at=plan.updated_at, updated_by=plan.updated_by,
        ).returning(plan_review.c.id)).scalar_one()
        bind.execute(text_version.update().where(text_version.c.table_name == 'treatment_plan',
                                                 text_version.c.row_id == plan.id, text_version.c.field == 'changes')
                     .values(table_name='plan_review', row_id=review_id, field='summary'))
        bind.execute(treatment_plan.delete().where(treatment_plan.c.id == plan.id))
