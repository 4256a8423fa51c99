"""Therapy groups, open enrolment, generated sessions and roll call."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Index, UniqueConstraint, and_, or_
from sqlmodel import Field, SQLModel, col

from .base import utcnow
from .enums import AttendanceStatus, GroupType, enum_check
from .versions import Versioned


class TherapyGroup(SQLModel, table=True):
    __tablename__ = "therapy_group"
    __table_args__ = (enum_check("therapy_group", "group_type", GroupType),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    group_type: str = Field(max_length=32)
    facilitator_id: int = Field(foreign_key="user.id", index=True)
    weekdays: str = Field(max_length=20)  # ISO weekdays, comma-separated: "1,3,5" = Mon, Wed, Fri
    start_time: time  # program-local wall time
    duration_minutes: int = Field(default=180)
    capacity: int = Field(default=12)
    start_date: date
    end_date: date | None = None
    location: str = Field(default="", max_length=80)
    description: str = Field(default="", max_length=1000)


class GroupMembership(SQLModel, table=True):
    __tablename__ = "group_membership"
    __table_args__ = (Index("ix_group_membership_client", "client_id", "group_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="therapy_group.id", index=True)
    client_id: int = Field(foreign_key="client.id")
    joined_on: date
    left_on: date | None = None

    def current_on(self, day: date) -> bool:
        """A member on `day`: joined on or before it and not left before it (see member_on)."""
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


def member_on(day):
    """SQL condition on GroupMembership: a current member on `day` (a date or a SQL
    expression). The one definition; GroupMembership.current_on is the same in Python."""
    return and_(GroupMembership.joined_on <= day,
                or_(col(GroupMembership.left_on).is_(None), GroupMembership.left_on >= day))


class GroupSession(Versioned, table=True):
    __tablename__ = "group_session"
    __table_args__ = (Index("ix_group_session_group_start", "group_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="therapy_group.id")
    starts_at: datetime = Field(index=True)  # UTC
    duration_minutes: int
    topic: str = Field(default="", max_length=120)
    notes: str = Field(default="", max_length=4000)
    cancelled: bool = Field(default=False)
    cancel_reason: str = Field(default="", max_length=200)
    extra: bool = Field(default=False)  # added outside the weekly schedule
    updated_at: datetime | None = None  # last edit of the topic and notes (Versioned)


class Attendance(SQLModel, table=True):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "client_id", name="uq_attendance_session_client"),
        Index("ix_attendance_client_session", "client_id", "session_id"),
        enum_check("attendance", "status", AttendanceStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="group_session.id")
    client_id: int = Field(foreign_key="client.id")
    status: str = Field(max_length=16)
    minutes: int = Field(default=0)
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by: int = Field(foreign_key="user.id")
    edit_reason: str = Field(default="", max_length=300)
