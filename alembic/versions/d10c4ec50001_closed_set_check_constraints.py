"""closed-set CHECK constraints

Revision ID: d10c4ec50001
Revises: e12a0b5e0001
Create Date: 2026-11-23 14:15:00

Every column that holds one value of a closed set (models/enums.py) gets a CHECK
constraint ck_<table>_<column>, built by iop_app.models.enums.enum_check exactly as
the models' __table_args__ build it.

On SQLite adding a CHECK copies the table (batch mode). Copying audit_event drops its
append-only triggers (c4d17a0e0004) with the old table, so they are dropped first and
created again, the same statements, once the copy is in place; the rows and their
hashes are copied unchanged. On PostgreSQL every constraint is a plain ALTER TABLE ADD
CONSTRAINT and the triggers are untouched.
"""
import importlib.util
from pathlib import Path
from typing import Sequence, Union

from alembic import op

from iop_app.models.enums import (
    AttendanceStatus,
    AuditOutcome,
    ClientStatus,
    ConsentScope,
    FamilySessionStatus,
    GoalHorizon,
    GoalStatus,
    GoalUpdateKind,
    GroupType,
    IndividualSessionStatus,
    LifeArea,
    Role,
    SessionMode,
    SlotStatus,
    StageOfChange,
    enum_check,
)

# revision identifiers, used by Alembic.
revision: str = 'd10c4ec50001'
down_revision: Union[str, Sequence[str], None] = 'e12a0b5e0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# table -> [(column, enum)]
CHECKS = {
    "user": [("role", Role)],
    "client": [("status", ClientStatus), ("stage_of_change", StageOfChange)],
    "goal": [("life_area", LifeArea), ("horizon", GoalHorizon), ("status", GoalStatus)],
    "goal_update": [("kind", GoalUpdateKind), ("status", GoalStatus)],
    "need": [("area", LifeArea)],
    "therapy_group": [("group_type", GroupType)],
    "attendance": [("status", AttendanceStatus)],
    "individual_session": [("status", IndividualSessionStatus)],
    "family_session": [("mode", SessionMode), ("status", FamilySessionStatus)],
    "slot_proposal": [("status", SlotStatus)],
    "consent": [("scope", ConsentScope)],
    "audit_event": [("outcome", AuditOutcome)],
}


def _audit_triggers():
    """TRIGGERS and DROP_TRIGGERS of the revision that installed them (one definition)."""
    path = next(Path(__file__).parent.glob("c4d17a0e0004_*.py"))
    spec = importlib.util.spec_from_file_location("_iop_c4d17a0e0004", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TRIGGERS, module.DROP_TRIGGERS


def _rebuilds_audit_event() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    """Upgrade schema."""
    triggers, drop_triggers = _audit_triggers()
    dialect = op.get_bind().dialect.name
    for table, columns in CHECKS.items():
        rebuild_audit = table == "audit_event" and _rebuilds_audit_event()
        if rebuild_audit:
            for statement in drop_triggers[dialect]:
                op.execute(statement)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, enum in columns:
                check = enum_check(table, column, enum)
                batch_op.create_check_constraint(check.name, str(check.sqltext))
        if rebuild_audit:
            for statement in triggers[dialect]:
                op.execute(statement)


def downgrade() -> None:
    """Downgrade schema."""
    triggers, drop_triggers = _audit_triggers()
    dialect = op.get_bind().dialect.name
    for table, columns in reversed(CHECKS.items()):
        rebuild_audit = table == "audit_event" and _rebuilds_audit_event()
        if rebuild_audit:
            for statement in drop_triggers[dialect]:
                op.execute(statement)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, _enum in reversed(columns):
                batch_op.drop_constraint(f"ck_{table}_{column}", type_="check")
        if rebuild_audit:
            for statement in triggers[dialect]:
                op.execute(statement)
