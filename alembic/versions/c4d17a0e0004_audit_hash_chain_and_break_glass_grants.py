"""audit hash chain and break-glass grants

Revision ID: c4d17a0e0004
Revises: c2a0e55e0002
Create Date: 2026-11-23 13:00:13.835025

- break_glass_grant: a therapist's time-limited emergency access to one client.
- audit_event.hash: every existing row is hash-chained (iop_app.models.chain_hash,
  in id order), then triggers make the table append-only: UPDATE and DELETE are
  refused, except setting `hash` once on a row whose hash is NULL and nothing else
  changing (how services/audit.py seals a row in the transaction that inserts it).
  On PostgreSQL TRUNCATE is refused too.

A later migration that rebuilds audit_event on SQLite (batch_alter_table copying
the table) drops these triggers with the old table and must create them again; one
that inserts audit rows with plain SQL must then call
iop_app.models.audit.seal_unsealed_rows(op.get_bind()).
"""
from typing import Sequence, Union

from alembic import op

from iop_app.models.audit import seal_unsealed_rows
from iop_app.models.migration_helpers import create, drop, index, integer, table, text, utc


# revision identifiers, used by Alembic.
revision: str = 'c4d17a0e0004'
down_revision: Union[str, Sequence[str], None] = 'c2a0e55e0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _break_glass_grant():
    return table("break_glass_grant",
                 integer("id"), integer("therapist_id"), integer("client_id"), text("reason", 500), utc("started_at"),
                 utc("expires_at"), integer("reviewed_by", null=True), utc("reviewed_at", null=True),
                 text("review_note", 500),
                 fks={"client_id": "client.id", "reviewed_by": "user.id", "therapist_id": "user.id"},
                 indexes=(index("client_id"),
                          index("therapist_id", "client_id", "expires_at", name="ix_break_glass_grant_lookup"),
                          index("started_at")))


def upgrade() -> None:
    """Upgrade schema."""
    create(_break_glass_grant())

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(text('hash', 64, null=True))

    # Chain the rows written before this revision, before the triggers exist.
    seal_unsealed_rows(op.get_bind())
    dialect = op.get_bind().dialect.name
    for statement in TRIGGERS.get(dialect, ()):
        op.execute(statement)


# Columns that may never change once written (all but `hash`).
_FIXED = ("id", "at", "actor_user_id", "actor_label", "action", "client_id", "target", "outcome", "detail")
_MESSAGE = "audit_event is append-only: audit rows cannot be changed or deleted"

TRIGGERS = {
    "sqlite": (
        # `IS` compares NULLs as values. The only UPDATE allowed: NULL hash -> a hash.
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event FOR EACH ROW "
        "WHEN NOT (OLD.hash IS NULL AND NEW.hash IS NOT NULL AND "
        + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _FIXED)
        + f") BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event FOR EACH ROW "
        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        # Nested: OLD and NEW are not assigned for DELETE / TRUNCATE.
        "  IF TG_OP = 'UPDATE' THEN\n"
        "    IF OLD.hash IS NULL AND NEW.hash IS NOT NULL AND "
        + " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in _FIXED)
        + " THEN\n"
        "      RETURN NEW;\n"
        "    END IF;\n"
        "  END IF;\n"
        f"  RAISE EXCEPTION '{_MESSAGE}';\n"
        "END\n"
        "$$",
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ),
}
DROP_TRIGGERS = {
    "sqlite": ("DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"),
    "postgresql": (
        "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_event",
        "DROP TRIGGER IF EXISTS audit_event_no_delete ON audit_event",
        "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
        "DROP FUNCTION IF EXISTS audit_event_append_only()",
    ),
}


def downgrade() -> None:
    """Downgrade schema."""
    for statement in DROP_TRIGGERS.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('hash')

    drop(_break_glass_grant())
