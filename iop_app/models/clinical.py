"""The client's record: enrolment, goals, needs, check-ins, individual sessions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utcnow
from .enums import (
    ClientStatus,
    GoalHorizon,
    GoalStatus,
    GoalUpdateKind,
    IndividualSessionStatus,
    LifeArea,
    StageOfChange,
    enum_check,
)
from .versions import Versioned


class Client(SQLModel, table=True):
    __tablename__ = "client"
    __table_args__ = (
        enum_check("client", "status", ClientStatus),
        enum_check("client", "stage_of_change", StageOfChange),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    admission_date: date = Field(index=True)
    status: str = Field(default="intake", max_length=16, index=True)
    primary_therapist_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    level_of_care: str = Field(default="2.1", max_length=8)
    stage_of_change: str = Field(default="contemplation", max_length=24)
    discharge_date: date | None = None
    discharge_note: str = Field(default="", max_length=2000)


class Goal(Versioned, table=True):
    __tablename__ = "goal"
    __table_args__ = (
        enum_check("goal", "life_area", LifeArea),
        enum_check("goal", "horizon", GoalHorizon),
        enum_check("goal", "status", GoalStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    title: str = Field(max_length=120)
    why: str = Field(default="", max_length=1000)
    life_area: str = Field(max_length=32)
    horizon: str = Field(default="immediate", max_length=16)  # immediate / long_term
    target_date: date | None = None
    status: str = Field(default="active", max_length=16)  # active/achieved/revised/set_aside
    progress_pct: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int = Field(foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)  # every change to the goal bumps its version (Versioned)


class GoalStep(SQLModel, table=True):
    __tablename__ = "goal_step"

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="goal.id", index=True)
    position: int = Field(default=0)
    text: str = Field(max_length=200)
    done: bool = Field(default=False)
    done_at: datetime | None = None


class GoalUpdate(SQLModel, table=True):
    """One dated change to a goal: progress, a step ticked, a status change, an edit."""

    __tablename__ = "goal_update"
    __table_args__ = (
        enum_check("goal_update", "kind", GoalUpdateKind),
        enum_check("goal_update", "status", GoalStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="goal.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    by_user_id: int = Field(foreign_key="user.id")
    kind: str = Field(max_length=16)  # progress / step / status / created / edited
    progress_pct: int = Field(default=0)
    status: str = Field(default="active", max_length=16)
    note: str = Field(default="", max_length=500)


class Need(SQLModel, table=True):
    """A problem area in the client's life (hierarchy of needs)."""

    __tablename__ = "need"
    __table_args__ = (enum_check("need", "area", LifeArea),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    label: str = Field(max_length=120)
    area: str = Field(default="other", max_length=32)
    active: bool = Field(default=True)
    in_focus: bool = Field(default=False)  # the need therapy works on now
    created_at: datetime = Field(default_factory=utcnow)


class NeedRanking(SQLModel, table=True):
    """A dated snapshot of the client's order of needs."""

    __tablename__ = "need_ranking"
    __table_args__ = (Index("ix_need_ranking_client_at", "client_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    created_at: datetime = Field(default_factory=utcnow)
    by_user_id: int = Field(foreign_key="user.id")


class NeedRankingItem(SQLModel, table=True):
    __tablename__ = "need_ranking_item"

    id: int | None = Field(default=None, primary_key=True)
    ranking_id: int = Field(foreign_key="need_ranking.id", index=True)
    need_id: int = Field(foreign_key="need.id")
    position: int  # 1 = most important


class MoodEntry(SQLModel, table=True):
    """The daily check-in: one per client per program-local day."""

    __tablename__ = "mood_entry"
    __table_args__ = (
        UniqueConstraint("client_id", "day", name="uq_mood_entry_client_day"),
        Index("ix_mood_entry_day_client", "day", "client_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    day: date
    mood: int  # 1-10
    anxiety: int  # 0-10
    craving: int  # 0-10
    sleep_hours: float
    used_substance: bool = Field(default=False)
    substances: str = Field(default="", max_length=200)
    triggers: str = Field(default="", max_length=500)  # "; "-joined
    coping: str = Field(default="", max_length=500)  # "; "-joined
    note: str = Field(default="", max_length=2000)
    late: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class IndividualSession(SQLModel, table=True):
    """Individual counseling appointment; attended minutes count toward weekly hours."""

    __tablename__ = "individual_session"
    __table_args__ = (
        Index("ix_individual_session_client_start", "client_id", "starts_at"),
        enum_check("individual_session", "status", IndividualSessionStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    therapist_id: int = Field(foreign_key="user.id", index=True)
    starts_at: datetime  # UTC
    duration_minutes: int = Field(default=50)
    status: str = Field(default="scheduled", max_length=16)  # scheduled/attended/missed/cancelled
    minutes_attended: int = Field(default=0)
    # Retired: what was said is a ProgressNote (individual_session_id). Migration
    # f11c0c0e0003 moved every text here into a signed note and emptied the column;
    # nothing writes it. (Kept so that a current seed still fits older schemas in
    # tests/test_check_constraints.py; a later migration can drop it.)
    note: str = Field(default="", max_length=2000)
