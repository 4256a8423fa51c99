"""drug and alcohol screens

Revision ID: j13a0c0e0001
Revises: f11c0c0e0003
Create Date: 2026-11-23 16:40:00

The tables of models/screens.py: the program's panel of analytes (with the default
panel inserted here, so a real program has it too; the director edits it afterwards),
screens (collected, missed or refused) with a result per analyte, and the medications
a client is expected to test positive for. Only new tables.
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

from iop_app.models import enums
from iop_app.models.migration_helpers import (
    boolean, check, create, day, drop, index, integer, table, text, unique, utc,
)

# revision identifiers, used by Alembic.
revision: str = 'j13a0c0e0001'
down_revision: Union[str, Sequence[str], None] = 'f11c0c0e0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Kept here (not imported from the app): a migration must not change when app code does.
OUTCOMES = ("collected", "missed", "refused")
SPECIMENS = ("urine", "oral_fluid", "breath", "blood")
METHODS = ("poc", "lab")
CHECKS = ("passed", "failed", "not_checked")
RESULTS = ("negative", "positive", "invalid", "not_tested")
CONFIRMATIONS = ("not_needed", "unconfirmed", "sent", "confirmed", "refuted")
DEFAULT_PANEL = (
    ("amp", "Amphetamines"), ("bar", "Barbiturates"), ("bzo", "Benzodiazepines"), ("bup", "Buprenorphine"),
    ("coc", "Cocaine"), ("fen", "Fentanyl"), ("mtd", "Methadone"), ("met", "Methamphetamine"),
    ("opi", "Opiates"), ("oxy", "Oxycodone"), ("thc", "THC (cannabis)"), ("etg", "EtG (alcohol)"),
    ("bac", "Breath alcohol"),
)


def _closed(table_name: str, column: str, values: tuple[str, ...], allow_empty: bool = False):
    sql = enums.enum_check_sql(column, enums.StrEnum("Closed", {v: v for v in values}), allow_empty=allow_empty)
    return check(sql, name=f"ck_{table_name}_{column}")


def _tables():
    """In the order they are created (each after the tables it references)."""
    return (
        table("screen_analyte", integer("id"), text("code", 24), text("label", 80), integer("position"),
              boolean("active"),
              constraints=(unique("code"),)),
        table("screen",
              integer("id"), integer("client_id"), text("outcome", 16), utc("collected_at"), text("specimen", 16),
              boolean("observed"), text("method", 8), text("temperature", 16), text("adulterant", 16),
              text("note", 1000), text("confirmation", 16), text("lab_result", 2000),
              utc("confirmation_at", null=True), integer("confirmation_by", null=True), integer("recorded_by"),
              fks={"client_id": "client.id", "confirmation_by": "user.id", "recorded_by": "user.id"},
              constraints=(
                  _closed("screen", "outcome", OUTCOMES),
                  _closed("screen", "specimen", SPECIMENS, allow_empty=True),
                  _closed("screen", "method", METHODS, allow_empty=True),
                  _closed("screen", "temperature", CHECKS),
                  _closed("screen", "adulterant", CHECKS),
                  _closed("screen", "confirmation", CONFIRMATIONS),
              ),
              indexes=(index("client_id", "collected_at", name="ix_screen_client_collected"),)),
        table("expected_medication",
              integer("id"), integer("client_id"), text("medication", 120), integer("analyte_id"),
              day("started_on"), day("ended_on", null=True), text("prescriber", 120), integer("recorded_by"),
              utc("recorded_at"),
              fks={"analyte_id": "screen_analyte.id", "client_id": "client.id", "recorded_by": "user.id"},
              indexes=(index("client_id"),)),
        table("screen_result",
              integer("id"), integer("screen_id"), integer("analyte_id"), text("result", 16), boolean("expected"),
              fks={"analyte_id": "screen_analyte.id", "screen_id": "screen.id"},
              constraints=(
                  _closed("screen_result", "result", RESULTS),
                  unique("screen_id", "analyte_id", name="uq_screen_result_screen_analyte"),
              )),
    )


_analyte = sa.table(
    "screen_analyte",
    sa.column("code", sa.String()),
    sa.column("label", sa.String()),
    sa.column("position", sa.Integer()),
    sa.column("active", sa.Boolean()),
)


def upgrade() -> None:
    create(*_tables())
    op.bulk_insert(_analyte, [{"code": code, "label": label, "position": i, "active": True}
                              for i, (code, label) in enumerate(DEFAULT_PANEL)])


def downgrade() -> None:
    drop(*_tables())
