"""Drug and alcohol screening (issue #13, section 1): screens with a result per
analyte, the program's panel of analytes, and the medications a client is expected
to test positive for.

A screen is part of the clinical record: the care team and the client read it,
family members never (42 CFR Part 2), whatever their consent. Its `collected_at`
is the server's clock when staff record it (never typed in, so never backdated).
A missed or refused screen is a Screen row too (no specimen, no results), so the
timeline and the roster see it like any other screen. Closed sets are the enums
below, held in their set by CHECK constraints (migration j13a0c0e0001).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utcnow
from .enums import LabelledEnum, enum_check


class ScreenOutcome(LabelledEnum):
    """Whether a specimen was given at all."""

    COLLECTED = "collected", "Collected"
    MISSED = "missed", "Missed (did not come)"
    REFUSED = "refused", "Refused"


# A screen that did not happen flags the roster like an unexpected positive.
NOT_COLLECTED = (ScreenOutcome.MISSED, ScreenOutcome.REFUSED)


class Specimen(LabelledEnum):
    URINE = "urine", "Urine"
    ORAL_FLUID = "oral_fluid", "Oral fluid"
    BREATH = "breath", "Breath"
    BLOOD = "blood", "Blood"


class ScreenMethod(LabelledEnum):
    POINT_OF_CARE = "poc", "Point-of-care cup / device"
    LAB = "lab", "Sent to a laboratory"


class ValidityCheck(LabelledEnum):
    """A specimen validity check (temperature in range; no adulterant found)."""

    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    NOT_CHECKED = "not_checked", "Not checked"


class AnalyteResult(LabelledEnum):
    NEGATIVE = "negative", "Negative"
    POSITIVE = "positive", "Positive"
    INVALID = "invalid", "Invalid"
    NOT_TESTED = "not_tested", "Not tested"


class Confirmation(LabelledEnum):
    """Whether a positive has been confirmed by a laboratory (GC-MS / LC-MS/MS).
    A screen without a positive needs none."""

    NOT_NEEDED = "not_needed", "No positive to confirm"
    UNCONFIRMED = "unconfirmed", "Presumptive (unconfirmed)"
    SENT = "sent", "Sent for confirmation"
    CONFIRMED = "confirmed", "Confirmed by the lab"
    REFUTED = "refuted", "Refuted by the lab"


# A lab answer is final; before it, a positive is presumptive.
CONFIRMATION_FINAL = (Confirmation.CONFIRMED, Confirmation.REFUTED)


class ScreenAnalyte(SQLModel, table=True):
    """One analyte of the program's panel (amphetamines, ..., breath alcohol). The
    director adds and retires analytes; a retired one stays on the screens that
    tested it (results point at it), it is only no longer offered."""

    __tablename__ = "screen_analyte"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=24, unique=True)
    label: str = Field(max_length=80)
    position: int = Field(default=0)
    active: bool = Field(default=True)


class Screen(SQLModel, table=True):
    """One drug or alcohol screen of a client (or a missed / refused one)."""

    __tablename__ = "screen"
    __table_args__ = (
        Index("ix_screen_client_collected", "client_id", "collected_at"),
        enum_check("screen", "outcome", ScreenOutcome),
        enum_check("screen", "specimen", Specimen, allow_empty=True),
        enum_check("screen", "method", ScreenMethod, allow_empty=True),
        enum_check("screen", "temperature", ValidityCheck),
        enum_check("screen", "adulterant", ValidityCheck),
        enum_check("screen", "confirmation", Confirmation),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    outcome: str = Field(default=ScreenOutcome.COLLECTED, max_length=16)
    collected_at: datetime = Field(default_factory=utcnow)  # the server's clock when recorded
    specimen: str = Field(default="", max_length=16)  # Specimen; "" when not collected
    observed: bool = Field(default=False)
    method: str = Field(default="", max_length=8)  # ScreenMethod; "" when not collected
    temperature: str = Field(default=ValidityCheck.NOT_CHECKED, max_length=16)  # urine: 32-38 °C within 4 minutes
    adulterant: str = Field(default=ValidityCheck.NOT_CHECKED, max_length=16)
    note: str = Field(default="", max_length=1000)
    confirmation: str = Field(default=Confirmation.NOT_NEEDED, max_length=16)
    lab_result: str = Field(default="", max_length=2000)  # the laboratory's answer, when it comes back
    confirmation_at: datetime | None = None  # when the confirmation status last changed (server time)
    confirmation_by: int | None = Field(default=None, foreign_key="user.id")
    recorded_by: int = Field(foreign_key="user.id")


class ScreenResult(SQLModel, table=True):
    """The result of one analyte on one screen. `expected` is decided when the
    screen is recorded: a positive explained by a medication the client was
    recorded as taking on that day (ExpectedMedication) is expected, not flagged."""

    __tablename__ = "screen_result"
    __table_args__ = (
        UniqueConstraint("screen_id", "analyte_id", name="uq_screen_result_screen_analyte"),
        enum_check("screen_result", "result", AnalyteResult),
    )

    id: int | None = Field(default=None, primary_key=True)
    screen_id: int = Field(foreign_key="screen.id")
    analyte_id: int = Field(foreign_key="screen_analyte.id")
    result: str = Field(max_length=16)
    expected: bool = Field(default=False)


class ExpectedMedication(SQLModel, table=True):
    """A medication the client takes that shows on a screen (buprenorphine,
    methadone, a prescribed benzodiazepine ...): from `started_on` until `ended_on`
    (None: still taking it), positives for `analyte_id` are expected."""

    __tablename__ = "expected_medication"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    medication: str = Field(max_length=120)
    analyte_id: int = Field(foreign_key="screen_analyte.id")
    started_on: date
    ended_on: date | None = None
    prescriber: str = Field(default="", max_length=120)
    recorded_by: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow)
