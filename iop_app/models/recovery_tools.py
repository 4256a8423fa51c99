"""The client's own recovery tools (issue #13, section 3): where they place
themselves on the stages of change, their decisional balance, the urge log, the
relapse-prevention plan and the safety plan.

The three written documents (decisional balance, relapse-prevention plan, safety
plan) are kept as dated versions, never overwritten: each save adds version
`number + 1` of that client's document. The unique (client_id, number) pair is the
optimistic-concurrency lock: two people saving on top of the same version cannot
both win (services/recovery_tools.py turns the loser into a StaleEdit).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utcnow
from .enums import StageOfChange, enum_check

TEXT_MAX = 2000  # one part of a plan, in the client's words


class StageRating(SQLModel, table=True):
    """The client places themselves on the stages of change, with the Readiness
    Ruler's importance and confidence (0-10). Every placement is kept (history)."""

    __tablename__ = "stage_rating"
    __table_args__ = (
        enum_check("stage_rating", "stage", StageOfChange),
        CheckConstraint("importance BETWEEN 0 AND 10", name="ck_stage_rating_importance"),
        CheckConstraint("confidence BETWEEN 0 AND 10", name="ck_stage_rating_confidence"),
        Index("ix_stage_rating_client_at", "client_id", "recorded_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    stage: str = Field(max_length=20)
    importance: int
    confidence: int
    note: str = Field(default="", max_length=500)
    recorded_at: datetime = Field(default_factory=utcnow)  # server time
    recorded_by: int = Field(foreign_key="user.id")


class DecisionalBalance(SQLModel, table=True):
    """One dated version of the client's decisional balance, in their words."""

    __tablename__ = "decisional_balance"
    __table_args__ = (UniqueConstraint("client_id", "number", name="uq_decisional_balance_client_number"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    number: int  # 1, 2, ... per client
    pros_change: str = Field(default="", max_length=TEXT_MAX)  # good things about changing
    cons_change: str = Field(default="", max_length=TEXT_MAX)  # not so good things about changing
    pros_same: str = Field(default="", max_length=TEXT_MAX)  # good things about not changing
    cons_same: str = Field(default="", max_length=TEXT_MAX)  # not so good things about not changing
    written_at: datetime = Field(default_factory=utcnow)
    written_by: int = Field(foreign_key="user.id")


class UrgeEntry(SQLModel, table=True):
    """A craving, logged when it hits (server time)."""

    __tablename__ = "urge_entry"
    __table_args__ = (
        CheckConstraint("intensity BETWEEN 0 AND 10", name="ck_urge_entry_intensity"),
        Index("ix_urge_entry_client_at", "client_id", "felt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    felt_at: datetime = Field(default_factory=utcnow)
    intensity: int  # 0-10
    trigger: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200)
    response: str = Field(default="", max_length=500)  # what they did
    used: bool = Field(default=False)
    logged_by: int = Field(foreign_key="user.id")


class RelapsePlan(SQLModel, table=True):
    """One version of the relapse-prevention plan (client and therapist edit it together)."""

    __tablename__ = "relapse_plan"
    __table_args__ = (UniqueConstraint("client_id", "number", name="uq_relapse_plan_client_number"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    number: int
    warning_signs: str = Field(default="", max_length=TEXT_MAX)
    high_risk: str = Field(default="", max_length=TEXT_MAX)
    coping: str = Field(default="", max_length=TEXT_MAX)
    people: str = Field(default="", max_length=TEXT_MAX)  # one person a line: "Name: phone"
    reasons: str = Field(default="", max_length=TEXT_MAX)
    written_at: datetime = Field(default_factory=utcnow)
    written_by: int = Field(foreign_key="user.id")


class SafetyPlan(SQLModel, table=True):
    """One version of the client's safety plan: the six steps of a crisis safety plan."""

    __tablename__ = "safety_plan"
    __table_args__ = (UniqueConstraint("client_id", "number", name="uq_safety_plan_client_number"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    number: int
    warning_signs: str = Field(default="", max_length=TEXT_MAX)
    coping: str = Field(default="", max_length=TEXT_MAX)
    distractions: str = Field(default="", max_length=TEXT_MAX)  # people and places
    helpers: str = Field(default="", max_length=TEXT_MAX)  # people to ask for help: "Name: phone"
    professionals: str = Field(default="", max_length=TEXT_MAX)  # "Name: phone"
    safe_environment: str = Field(default="", max_length=TEXT_MAX)
    written_at: datetime = Field(default_factory=utcnow)
    written_by: int = Field(foreign_key="user.id")
