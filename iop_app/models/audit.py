"""Append-only audit trail, hash-chained, and the emergency-access (break-glass) grants."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import Index, Integer, String, bindparam, column, func, select, table
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from .base import utcnow
from .enums import AuditOutcome, enum_check

# The hash of the row "before" the first one.
GENESIS_HASH = "0" * 64


class AuditEvent(SQLModel, table=True):
    """One event. The database refuses UPDATE and DELETE (triggers, see the migration
    c4d17a0e0004) except the one-time setting of `hash` on a row just inserted."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_client_at", "client_id", "at"),
        enum_check("audit_event", "outcome", AuditOutcome),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor_label: str = Field(default="", max_length=254)  # email at the time (or attempted email)
    action: str = Field(max_length=64, index=True)  # e.g. signin, goal.create, record.view
    client_id: int | None = Field(default=None, foreign_key="client.id")
    target: str = Field(default="", max_length=120)  # e.g. goal:12
    outcome: str = Field(max_length=16)  # success / failure / allowed / denied
    detail: str = Field(default="", max_length=500)
    # sha256 hex of this row's fields and the previous row's hash (by id): chain_hash().
    # NULL only between the INSERT and the sealing UPDATE of the same transaction.
    hash: str | None = Field(default=None, max_length=64)


def chain_hash(previous_hash: str | None, row) -> str:
    """The hash a row must carry: SHA-256 over a canonical serialization (a JSON list
    in a fixed order) of its fields and the previous row's hash. `row` is anything with
    the AuditEvent attributes (a model, a Core row, a namespace). Defined once: written
    by services/audit.py and the migration, checked by `manage verify-audit`."""
    at = row.at
    if at.tzinfo is None:  # SQLite gives back UTC without an offset
        at = at.replace(tzinfo=UTC)
    payload = [
        "audit-v1",
        previous_hash if previous_hash is not None else GENESIS_HASH,
        row.id,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        row.actor_user_id,
        row.actor_label,
        row.action,
        row.client_id,
        row.target,
        row.outcome,
        row.detail,
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The columns chain_hash reads, as a plain table: usable from any migration, whatever
# columns later revisions add to the model.
_CHAINED = table(
    "audit_event",
    column("id", Integer()), column("at", UTCDateTime()), column("actor_user_id", Integer()),
    column("actor_label", String()), column("action", String()), column("client_id", Integer()),
    column("target", String()), column("outcome", String()), column("detail", String()), column("hash", String()),
)


def seal_unsealed_rows(connection, batch: int = 2000) -> int:
    """Chain every row whose hash is NULL, in id order, and return how many. For
    migrations: the one that installs the chain (every row), and any later one that
    writes audit rows with plain SQL (a new row's hash may be set once: the trigger
    allows NULL -> a value). Not for the app, which seals as it writes (services/audit.py)."""
    first = connection.execute(select(func.min(_CHAINED.c.id)).where(_CHAINED.c.hash.is_(None))).scalar()
    if first is None:
        return 0
    previous = connection.execute(select(_CHAINED.c.hash).where(_CHAINED.c.id < first)
                                  .order_by(_CHAINED.c.id.desc()).limit(1)).scalar()
    set_hash = (_CHAINED.update().where(_CHAINED.c.id == bindparam("row_id"), _CHAINED.c.hash.is_(None))
                .values(hash=bindparam("row_hash")))
    last_id, sealed = first - 1, 0
    while True:
        rows = connection.execute(select(_CHAINED).where(_CHAINED.c.id > last_id)
                                  .order_by(_CHAINED.c.id).limit(batch)).all()
        if not rows:
            return sealed
        updates = []
        for row in rows:
            if row.hash is None:
                updates.append({"row_id": row.id, "row_hash": chain_hash(previous, row)})
                previous = updates[-1]["row_hash"]
            else:  # already sealed: chain on from what it carries
                previous = row.hash
        if updates:
            connection.execute(set_hash, updates)
            sealed += len(updates)
        last_id = rows[-1].id


class BreakGlassGrant(SQLModel, table=True):
    """A therapist's emergency access to one client off their caseload (HIPAA
    §164.312(a)(2)(ii)): READ/WRITE on that record from started_at until expires_at,
    every use audited with target "break_glass:<id>", reviewed by the director."""

    __tablename__ = "break_glass_grant"
    __table_args__ = (Index("ix_break_glass_grant_lookup", "therapist_id", "client_id", "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    therapist_id: int = Field(foreign_key="user.id")
    client_id: int = Field(foreign_key="client.id", index=True)
    reason: str = Field(max_length=500)
    started_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = None
    review_note: str = Field(default="", max_length=500)
