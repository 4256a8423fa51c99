"""Discharge, the aftercare plan and the discharge summary, follow-up after discharge
(issue #13, section 4). Rules in services/discharge.py and services/follow_ups.py."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utcnow
from .enums import DischargeType, EmploymentStatus, FollowUpUse, GoalOutcome, HousingStatus, enum_check
from .versions import Versioned


class Discharge(Versioned, table=True):
    """One per client (one admission): the discharge itself (type, day, reason: fixed
    once recorded) and the discharge summary with the aftercare plan, a draft edited
    with versions.write until signed (typed name, server time), then locked."""

    __tablename__ = "discharge"
    __table_args__ = (enum_check("discharge", "discharge_type", DischargeType),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True, unique=True)
    discharge_type: str = Field(max_length=20)
    discharged_on: date = Field(index=True)
    reason: str = Field(max_length=2000)
    alumni: bool = Field(default=False)  # keeps the client portal after discharge (program setting)
    summary_due_on: date  # discharged_on + the program's discharge_summary_days
    # The summary and the aftercare plan written with the client.
    final_measures: str = Field(default="", max_length=2000)  # prefilled from the last scores
    course: str = Field(default="", max_length=4000)  # course of treatment, in the clinician's words
    aftercare_services: str = Field(default="", max_length=2000)
    aftercare_referrals: str = Field(default="", max_length=2000)
    mutual_help: str = Field(default="", max_length=2000)
    medications: str = Field(default="", max_length=2000)
    next_appointments: str = Field(default="", max_length=2000)
    barriers: str = Field(default="", max_length=2000)
    with_client: bool = Field(default=False)  # the aftercare plan was written with the client
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    signed_by: int | None = Field(default=None, foreign_key="user.id")
    signed_at: datetime | None = None  # server time; set once, then the summary is locked
    signature: str = Field(default="", max_length=120)  # typed full name
    updated_at: datetime | None = None


class DischargeGoal(SQLModel, table=True):
    """Progress on one goal of the plan in force at discharge (its words copied, so
    the summary reads the same whatever happens to the plan later)."""

    __tablename__ = "discharge_goal"
    __table_args__ = (
        UniqueConstraint("discharge_id", "plan_goal_id", name="uq_discharge_goal"),
        enum_check("discharge_goal", "outcome", GoalOutcome, allow_empty=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    discharge_id: int = Field(foreign_key="discharge.id")
    plan_goal_id: int = Field(foreign_key="plan_goal.id")
    position: int = Field(default=0)
    statement: str = Field(max_length=1000)
    outcome: str = Field(default="", max_length=16)  # GoalOutcome, "" until judged
    note: str = Field(default="", max_length=1000)


class FollowUp(SQLModel, table=True):
    """A contact due `day` days after discharge, and its outcome once recorded
    (`contacted_at`, server time). Outcome fields other than `reached` stay empty
    when the person was not reached."""

    __tablename__ = "follow_up"
    __table_args__ = (
        UniqueConstraint("discharge_id", "day", name="uq_follow_up_discharge_day"),
        Index("ix_follow_up_due", "due_on", "contacted_at"),
        enum_check("follow_up", "substance_use", FollowUpUse, allow_empty=True),
        enum_check("follow_up", "housing", HousingStatus, allow_empty=True),
        enum_check("follow_up", "employment", EmploymentStatus, allow_empty=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    discharge_id: int = Field(foreign_key="discharge.id")
    client_id: int = Field(foreign_key="client.id", index=True)
    day: int  # days after discharge: 7, 14, 21, 30, 90, 180
    due_on: date
    contacted_at: datetime | None = None  # server time the outcome was recorded
    recorded_by: int | None = Field(default=None, foreign_key="user.id")
    reached: bool | None = None
    substance_use: str = Field(default="", max_length=16)
    in_services: bool | None = None
    housing: str = Field(default="", max_length=20)
    employment: str = Field(default="", max_length=16)
    note: str = Field(default="", max_length=1000)
