"""progress notes: service minutes; individual-session notes become progress notes

Revision ID: f11c0c0e0003
Revises: f11b0c0e0002
Create Date: 2026-11-23 16:30:00

- progress_note.minutes: the minutes of service the note documents (a group: the
  client's roll-call minutes; a case-management or crisis contact: its length), the
  figure services/hours.py counts once the note is signed. CHECK minutes >= 0.
- individual_session.note: every non-empty text becomes a progress note of that
  session (service type individual, DAP, the text as its "data" section, the session's
  therapist as author, time and length from the session), then the column is emptied. The
  old notes were saved once and never had drafts, so they arrive signed by their
  author; the signature time is the migration's (the server's clock when the note
  entered the signed record, never a guessed earlier time), and each carries
  `sections["carried_over"]` saying where it came from. They address no plan
  objective (there were no plans); the golden-thread rule applies to notes signed
  from now on. The column is then emptied (the text lives in the note only); it
  stays, unused, because tests seed today's models into older schemas, where it
  has no default.
"""
from datetime import UTC, datetime, timedelta
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'f11c0c0e0003'
down_revision: Union[str, Sequence[str], None] = 'f11b0c0e0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CARRIED_OVER = "Carried over from the individual session's note (recorded before signed progress notes)."


def upgrade() -> None:
    with op.batch_alter_table('progress_note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint('ck_progress_note_minutes', 'minutes >= 0')

    bind = op.get_bind()
    meta = sa.MetaData()
    individual = sa.Table('individual_session', meta, autoload_with=bind)
    note = sa.Table('progress_note', meta, autoload_with=bind)
    setting = sa.Table('program_setting', meta, autoload_with=bind)
    tz_row = bind.execute(sa.select(setting.c.value).where(setting.c.key == 'timezone')).first()
    from zoneinfo import ZoneInfo

    from iop_app.services.program import DEFAULTS
    tz = ZoneInfo(tz_row[0] if tz_row else DEFAULTS['timezone'])
    now = datetime.now(UTC)
    rows = bind.execute(
        sa.select(individual.c.id, individual.c.client_id, individual.c.therapist_id, individual.c.starts_at,
                  individual.c.duration_minutes, individual.c.status, individual.c.minutes_attended,
                  individual.c.note)
        .where(individual.c.note != '').order_by(individual.c.id)
    ).all()
    for row in rows:
        starts = row.starts_at if row.starts_at.tzinfo else row.starts_at.replace(tzinfo=UTC)
        length = max(1, row.duration_minutes or 0)
        bind.execute(note.insert().values(
            client_id=row.client_id, author_id=row.therapist_id, service_type='individual', note_format='dap',
            status='signed', service_date=starts.astimezone(tz).date(), starts_at=starts,
            ends_at=starts + timedelta(minutes=length), location='office',
            minutes=row.minutes_attended if row.status == 'attended' else 0,
            individual_session_id=row.id, sections={"data": row.note, "carried_over": CARRIED_OVER},
            created_at=now, signed_by=row.therapist_id, signed_at=now, cosign_required=False, version=1,
        ))

    bind.execute(individual.update().where(individual.c.note != '').values(note=''))


def downgrade() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    individual = sa.Table('individual_session', meta, autoload_with=bind)
    note = sa.Table('progress_note', meta, autoload_with=bind)
    objective = sa.Table('note_objective', meta, autoload_with=bind)
    addendum = sa.Table('addendum', meta, autoload_with=bind)
    carried = bind.execute(sa.select(note.c.id, note.c.individual_session_id, note.c.sections)
                           .where(note.c.individual_session_id.is_not(None))).all()
    for note_id, session_id, sections in carried:
        if isinstance(sections, dict) and sections.get("carried_over") == CARRIED_OVER:
            bind.execute(individual.update().where(individual.c.id == session_id)
                         .values(note=str(sections.get("data", ""))[:2000]))
            bind.execute(objective.delete().where(objective.c.note_id == note_id))
            bind.execute(addendum.delete().where(addendum.c.note_id == note_id))
            bind.execute(note.delete().where(note.c.id == note_id))
    with op.batch_alter_table('progress_note', schema=None) as batch_op:
        batch_op.drop_constraint('ck_progress_note_minutes', type_='check')
        batch_op.drop_column('minutes')
