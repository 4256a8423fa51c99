"""Measurement-based care: the program's schedule rules, ad hoc assignments, the
client's responses (drafts and completed ones) and the alerts they raise.

A completed response is never edited: a correction is a new response whose
`supersedes_id` names the one it replaces, and both are kept. Closed sets are the
enums in models/enums.py, held in their set by CHECK constraints (migration e12a0b5e0001).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utcnow
from .enums import MeasureAlertKind, MeasureResponseStatus, MeasureTiming, enum_check


class MeasureRule(SQLModel, table=True):
    """Program-wide: give measure `code` at intake, every `every_days` days, or at discharge."""

    __tablename__ = "measure_rule"
    __table_args__ = (
        UniqueConstraint("code", "timing", name="uq_measure_rule_code_timing"),
        enum_check("measure_rule", "timing", MeasureTiming),
        CheckConstraint("(timing = 'interval') = (every_days IS NOT NULL)", name="ck_measure_rule_every_days_set"),
        CheckConstraint("every_days IS NULL OR every_days BETWEEN 1 AND 365", name="ck_measure_rule_every_days"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16)  # a key of services/measures.DEFINITIONS
    timing: str = Field(max_length=16)  # MeasureTiming
    every_days: int | None = None  # set exactly when timing is "interval"
    active: bool = Field(default=True)


class MeasureAssignment(SQLModel, table=True):
    """A measure a therapist asked one client to complete, outside the program's rules."""

    __tablename__ = "measure_assignment"
    __table_args__ = (Index("ix_measure_assignment_client_code", "client_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    code: str = Field(max_length=16)
    due_on: date  # program-local day
    note: str = Field(default="", max_length=500)
    assigned_by: int = Field(foreign_key="user.id")
    assigned_at: datetime = Field(default_factory=utcnow)
    # The completed response that answered it; None while it is open.
    response_id: int | None = Field(default=None, foreign_key="measure_response.id")


class MeasureResponse(SQLModel, table=True):
    __tablename__ = "measure_response"
    __table_args__ = (
        Index("ix_measure_response_client_code", "client_id", "code", "status"),
        # A response is corrected at most once (the correction can itself be corrected).
        UniqueConstraint("supersedes_id", name="uq_measure_response_supersedes"),
        enum_check("measure_response", "status", MeasureResponseStatus),
        CheckConstraint("(status = 'submitted') = (completed_at IS NOT NULL)", name="ck_measure_response_completed"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    code: str = Field(max_length=16)
    status: str = Field(default="draft", max_length=16)  # MeasureResponseStatus
    # {"1": 2, ...}: item number (as JSON keys are text) -> the option value given
    answers: dict = Field(default_factory=dict, sa_type=JSON)
    # What measures.score returned, stored when submitted (None / empty while a draft).
    total: float | None = None
    band: str = Field(default="", max_length=40)
    subscales: dict = Field(default_factory=dict, sa_type=JSON)
    positive: bool | None = None
    alerts: list = Field(default_factory=list, sa_type=JSON)
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None  # server time of submission
    entered_by: int = Field(foreign_key="user.id")  # the client, or the clinician who corrected
    supersedes_id: int | None = Field(default=None, foreign_key="measure_response.id")
    correction_reason: str = Field(default="", max_length=500)


class MeasureAlert(SQLModel, table=True):
    """Raised by a completed response; open until a clinician acknowledges it with the action taken."""

    __tablename__ = "measure_alert"
    __table_args__ = (
        # Created once per response and kind, however often anything retries.
        UniqueConstraint("response_id", "kind", name="uq_measure_alert_response_kind"),
        Index("ix_measure_alert_client_open", "client_id", "acknowledged_at"),
        enum_check("measure_alert", "kind", MeasureAlertKind),
        CheckConstraint("(acknowledged_at IS NULL) = (acknowledged_by IS NULL)", name="ck_measure_alert_ack"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    response_id: int = Field(foreign_key="measure_response.id")
    kind: str = Field(max_length=16)  # MeasureAlertKind
    text: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    acknowledged_by: int | None = Field(default=None, foreign_key="user.id")
    acknowledged_at: datetime | None = None
    action_note: str = Field(default="", max_length=1000)
