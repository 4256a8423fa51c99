"""Family and support people, 42 CFR Part 2 consents, disclosures, family sessions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import utcnow
from .enums import ConsentEndEvent, ConsentScope, FamilySessionStatus, SessionMode, SlotStatus, enum_check


class FamilyLink(SQLModel, table=True):
    """A family or support person the client listed; invited to the portal on request."""

    __tablename__ = "family_link"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    name: str = Field(max_length=120)
    relationship: str = Field(max_length=60)
    email: str = Field(max_length=254)
    # The portal account this person uses, set only when they activated an account
    # with this link's code or, already having one, accepted this link's invitation.
    family_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    invite_code_hash: str | None = Field(default=None, max_length=64, index=True)
    invite_expires_at: datetime | None = None
    invited_at: datetime | None = None
    activated_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # Bumped by every consent recorded for this person (services/family._save_consent), so
    # two people recording the same consent at once cannot both succeed.
    consent_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Consent(SQLModel, table=True):
    """Written consent to disclose to one named person (42 CFR Part 2)."""

    __tablename__ = "consent"
    __table_args__ = (
        Index("ix_consent_link", "family_link_id", "revoked_at"),
        enum_check("consent", "scope", ConsentScope),
        enum_check("consent", "end_event", ConsentEndEvent, allow_empty=True),  # since c1f4a11e0001
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    family_link_id: int = Field(foreign_key="family_link.id")
    scope: str = Field(max_length=32)  # scheduling / scheduling_progress
    purpose: str = Field(max_length=300)
    expires_on: date | None = None
    # An event the program records (enums.ConsentEndEvent, "" for none): the consent
    # ends by itself when it happens, e.g. at discharge.
    end_event: str = Field(default="", max_length=32)
    expiry_event: str = Field(default="", max_length=200)  # any other event, in words; staff end it by hand
    signature: str = Field(max_length=120)  # client's typed name
    signed_on: date
    granted_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    ended_on: date | None = None  # the program-local day its end event happened; not in force from then on
    ended_reason: str = Field(default="", max_length=200)
    on_paper: bool = Field(default=False)
    recorded_by: int = Field(foreign_key="user.id")


class Disclosure(SQLModel, table=True):
    """Each time a family member was shown a client's information."""

    __tablename__ = "disclosure"
    __table_args__ = (Index("ix_disclosure_client_at", "client_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    consent_id: int = Field(foreign_key="consent.id")
    family_user_id: int = Field(foreign_key="user.id")
    what: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)


class FamilySession(SQLModel, table=True):
    """A family session being arranged or booked between a therapist and a client."""

    __tablename__ = "family_session"
    __table_args__ = (
        Index("ix_family_session_client_start", "client_id", "starts_at"),
        enum_check("family_session", "mode", SessionMode),
        enum_check("family_session", "status", FamilySessionStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    therapist_id: int = Field(foreign_key="user.id", index=True)
    duration_minutes: int = Field(default=60)
    mode: str = Field(default="in_person", max_length=16)  # in_person / video
    status: str = Field(default="proposed", max_length=16)  # proposed/booked/cancelled/completed
    starts_at: datetime | None = None  # UTC, set when booked
    note: str = Field(default="", max_length=500)
    cancel_reason: str = Field(default="", max_length=300)
    minutes_attended: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SlotProposal(SQLModel, table=True):
    """One proposed time for a family session."""

    __tablename__ = "slot_proposal"
    __table_args__ = (enum_check("slot_proposal", "status", SlotStatus),)

    id: int | None = Field(default=None, primary_key=True)
    family_session_id: int = Field(foreign_key="family_session.id", index=True)
    starts_at: datetime  # UTC
    status: str = Field(default="open", max_length=16)  # open/accepted/withdrawn/declined
    accepted_by: int | None = Field(default=None, foreign_key="user.id")
    accepted_at: datetime | None = None


class FamilySessionMessage(SQLModel, table=True):
    """A request for another time, or a note on a change, visible to everyone involved."""

    __tablename__ = "family_session_message"

    id: int | None = Field(default=None, primary_key=True)
    family_session_id: int = Field(foreign_key="family_session.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    kind: str = Field(default="message", max_length=24)  # counter_request / reschedule / cancel / withdraw
    body: str = Field(max_length=1000)
    at: datetime = Field(default_factory=utcnow)
