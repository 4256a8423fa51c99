"""Append-only audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import utcnow


class AuditEvent(SQLModel, table=True):
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
