"""Earlier versions of texts that an edit replaced (group session notes, goal text,
plan review summaries, ...). Written in the same transaction as the edit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import utcnow


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
