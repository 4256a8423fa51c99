"""Shared column helpers for the SQLModel tables (no Reflex imports here)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Aware UTC now. Timestamp columns are sqlmodel's UTCDateTime: they take
    aware datetimes and give back UTC, on SQLite and PostgreSQL alike."""
    return datetime.now(UTC)
