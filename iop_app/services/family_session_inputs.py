"""What staff, clients and family members type when arranging a family session,
declared once (validated in services/family_sessions.py with inputs.validate).
Times are checked there: whether one is free depends on the database."""

from __future__ import annotations

from pydantic import Field

from ..models.enums import SessionMode
from .inputs import ServiceInput

MIN_MINUTES, MAX_MINUTES = 15, 240
REASON_TOO_LONG = "Keep the reason under 300 characters."


class SessionProposal(ServiceInput):
    """The therapist's offer, besides its times."""

    duration_minutes: int = Field(ge=MIN_MINUTES, le=MAX_MINUTES, strict=True)
    mode: SessionMode
    note: str = Field(default="", max_length=500)

    messages = {
        "duration_minutes": f"Length must be {MIN_MINUTES} to {MAX_MINUTES} minutes.",
        "mode": "Choose in person or video.",
        "note": "Keep the note under 500 characters.",
    }


class RescheduleReason(ServiceInput):
    reason: str = Field(min_length=1, max_length=300)

    messages = {"reason": REASON_TOO_LONG, "reason:missing": "Give a reason for the change.",
                "reason:type": "Give a reason for the change."}


class CancelReason(RescheduleReason):
    messages = {"reason": REASON_TOO_LONG, "reason:missing": "Give a reason for cancelling.",
                "reason:type": "Give a reason for cancelling."}


class WithdrawReason(ServiceInput):
    reason: str = Field(default="", max_length=300)

    messages = {"reason": REASON_TOO_LONG}


class CounterRequest(ServiceInput):
    """A client's or family member's "ask for another time"."""

    message: str = Field(min_length=1, max_length=1000)

    messages = {"message": "Keep the message under 1000 characters.",
                "message:missing": "Say which times would suit you.",
                "message:type": "Say which times would suit you."}
