"""Append-only audit trail, hash-chained, and the emergency-access (break-glass) grants."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import utcnow

# The hash of the row "before" the first one.
GENESIS_HASH = "0" * 64


class AuditEvent(SQLModel, table=True):
    """One event. The database refuses UPDATE and DELETE (triggers, see the migration
    c4d17a0e0004) except the one-time setting of `hash` on a row just inserted."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_client_at", "client_id", "at"),)

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
