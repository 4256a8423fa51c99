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

from iop_app.models.migration_helpers import (
    boolean, check, create, day, drop, index, integer, json, real, table, text, unique, utc,
)


# revision identifiers, used by Alembic.
revision: str = 'e12a0b5e0001'
down_revision: Union[str, Sequence[str], None] = 'c4d17a0e0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _rule():
    return table("measure_rule",
                 integer("id"), text("code", 16), text("timing", 16), integer("every_days", null=True),
                 boolean("active"),
                 constraints=(
                     unique("code", "timing", name="uq_measure_rule_code_timing"),
                     check("timing IN ('intake', 'interval', 'discharge')", name="ck_measure_rule_timing"),
                     check("(timing = 'interval') = (every_days IS NOT NULL)", name="ck_measure_rule_every_days_set"),
                     check("every_days IS NULL OR every_days BETWEEN 1 AND 365", name="ck_measure_rule_every_days"),
                 ))


def _tables():
    """The tables after measure_rule, in the order they are created."""
    return (
        table("measure_response",
              integer("id"), integer("client_id"), text("code", 16), text("status", 16), json("answers"),
              real("total", null=True), text("band", 40), json("subscales"), boolean("positive", null=True),
              json("alerts"), utc("started_at"), utc("updated_at"), utc("completed_at", null=True),
              integer("entered_by"), integer("supersedes_id", null=True), text("correction_reason", 500),
              fks={"client_id": "client.id", "entered_by": "user.id", "supersedes_id": "measure_response.id"},
              constraints=(
                  unique("supersedes_id", name="uq_measure_response_supersedes"),
                  check("status IN ('draft', 'submitted')", name="ck_measure_response_status"),
                  # A completed response has its server time; a draft has none.
                  check("(status = 'submitted') = (completed_at IS NOT NULL)", name="ck_measure_response_completed"),
              ),
              indexes=(index("client_id", "code", "status", name="ix_measure_response_client_code"),)),
        table("measure_alert",
              integer("id"), integer("client_id"), integer("response_id"), text("kind", 16), text("text", 500),
              utc("created_at"), integer("acknowledged_by", null=True), utc("acknowledged_at", null=True),
              text("action_note", 1000),
              fks={"acknowledged_by": "user.id", "client_id": "client.id", "response_id": "measure_response.id"},
              constraints=(
                  unique("response_id", "kind", name="uq_measure_alert_response_kind"),
                  check("kind IN ('item9', 'rise', 'bam_use')", name="ck_measure_alert_kind"),
                  # Acknowledged means by whom, when, and with a note of the action taken.
                  check("(acknowledged_at IS NULL) = (acknowledged_by IS NULL)", name="ck_measure_alert_ack"),
              ),
              indexes=(index("client_id", "acknowledged_at", name="ix_measure_alert_client_open"),)),
        table("measure_assignment",
              integer("id"), integer("client_id"), text("code", 16), day("due_on"), text("note", 500),
              integer("assigned_by"), utc("assigned_at"), integer("response_id", null=True),
              fks={"assigned_by": "user.id", "client_id": "client.id", "response_id": "measure_response.id"},
              indexes=(index("client_id", "code", name="ix_measure_assignment_client_code"),)),
    )


def upgrade() -> None:
    """Upgrade schema."""
    create(_rule())
    rule = sa.table('measure_rule', sa.column('code', sa.String), sa.column('timing', sa.String),
                    sa.column('every_days', sa.Integer), sa.column('active', sa.Boolean))
    # The defaults of issue #12: PHQ-9 and GAD-7 every 2 weeks, BAM weekly, AUDIT and
    # DAST-10 at intake and discharge, URICA at intake and monthly.
    op.bulk_insert(rule, [
        {'code': code, 'timing': timing, 'every_days': every_days, 'active': True}
        for code, timing, every_days in (
            ('phq9', 'interval', 14), ('gad7', 'interval', 14), ('bam', 'interval', 7),
            ('audit', 'intake', None), ('audit', 'discharge', None), ('dast10', 'intake', None),
            ('dast10', 'discharge', None), ('urica', 'intake', None), ('urica', 'interval', 30),
        )
    ])
    create(*_tables())


def downgrade() -> None:
    """Downgrade schema."""
    drop(*_tables())
    drop(_rule())
