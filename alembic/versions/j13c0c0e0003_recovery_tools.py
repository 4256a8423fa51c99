"""recovery tools: stage of change, decisional balance, urges, relapse and safety plans

Revision ID: j13c0c0e0003
Revises: j13a0c0e0001
Create Date: 2026-11-23 16:40:00

The tables of models/recovery_tools.py (issue #13, section 3). Only new tables. The
documents are append-only versions; unique (client_id, number) is their lock.
"""
from collections.abc import Sequence

from iop_app.models import enums
from iop_app.models.migration_helpers import (
    boolean,
    check,
    create,
    drop,
    index,
    integer,
    table,
    text,
    unique,
    utc,
)

# revision identifiers, used by Alembic.
revision: str = 'j13c0c0e0003'
down_revision: str | Sequence[str] | None = 'j13a0c0e0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_MAX = 2000


def _document(name: str, *parts: str):
    """A versioned document of the client's: its parts, each one text."""
    return table(name,
                 integer("id"), integer("client_id"), integer("number"),
                 *(text(part, TEXT_MAX) for part in parts),
                 utc("written_at"), integer("written_by"),
                 fks={"client_id": "client.id", "written_by": "user.id"},
                 constraints=(unique("client_id", "number", name=f"uq_{name}_client_number"),))


def _tables():
    return (
        table("stage_rating",
              integer("id"), integer("client_id"), text("stage", 20), integer("importance"), integer("confidence"),
              text("note", 500), utc("recorded_at"), integer("recorded_by"),
              fks={"client_id": "client.id", "recorded_by": "user.id"},
              constraints=(
                  check("confidence BETWEEN 0 AND 10", name="ck_stage_rating_confidence"),
                  check("importance BETWEEN 0 AND 10", name="ck_stage_rating_importance"),
                  check(enums.enum_check_sql("stage", enums.StageOfChange), name="ck_stage_rating_stage"),
              ),
              indexes=(index("client_id", "recorded_at", name="ix_stage_rating_client_at"),)),
        _document("decisional_balance", "pros_change", "cons_change", "pros_same", "cons_same"),
        table("urge_entry",
              integer("id"), integer("client_id"), utc("felt_at"), integer("intensity"),
              text("trigger", 200), text("place", 200), text("response", 500), boolean("used"),
              integer("logged_by"),
              fks={"client_id": "client.id", "logged_by": "user.id"},
              constraints=(check("intensity BETWEEN 0 AND 10", name="ck_urge_entry_intensity"),),
              indexes=(index("client_id", "felt_at", name="ix_urge_entry_client_at"),)),
        _document("relapse_plan", "warning_signs", "high_risk", "coping", "people", "reasons"),
        _document("safety_plan", "warning_signs", "coping", "distractions", "helpers", "professionals",
                  "safe_environment"),
    )


def upgrade() -> None:
    create(*_tables())


def downgrade() -> None:
    drop(*_tables())
