"""Optimistic concurrency for edited records (services/versions.py): the version
columns they share, and earlier versions of texts an edit replaced (group session
notes, goal text, plan review summaries, ...), written in the same transaction as
the edit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import utcnow


class Versioned(SQLModel):
    """A record edited through services/versions.write: `version` is bumped by every
    write (an edit made on an older copy is refused); `updated_by` wrote it last.
    (When: each table's own `updated_at`.)"""

    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class TextVersion(SQLModel, table=True):
    __tablename__ = "text_version"
    __table_args__ = (Index("ix_text_version_row", "table_name", "row_id", "field"),)

    id: int | None = Field(default=None, primary_key=True)
    table_name: str = Field(max_length=40)  # e.g. group_session
    row_id: int
    field: str = Field(max_length=40)  # e.g. notes
    previous_text: str = Field(max_length=4000)  # the text as it was before the edit
    changed_by: int = Field(foreign_key="user.id")  # who replaced it
    changed_at: datetime = Field(default_factory=utcnow)  # when (UTC)
