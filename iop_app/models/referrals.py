"""Referrals to community resources and the program's resource directory
(issue #13, section 2).

A referral goes to a directory entry or to a provider named in free text; its
closed loop (sent -> accepted / declined -> appointment set -> attended / did not
attend -> closed) is one ReferralStep per step, each dated with the server's clock
and owned by whoever recorded it. A referral that shares the client's information
names the ReferralConsent (42 CFR Part 2) that allows it: the client's written
consent to disclose to that recipient. Closed sets are enums (models/enums.py) held
by CHECK constraints.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utcnow
from .enums import ReferralStatus, ReferralUrgency, ResourceCategory, enum_check


class CommunityResource(SQLModel, table=True):
    """One entry of the program's community resource directory. Entries a referral
    names are retired (active = False), never deleted."""

    __tablename__ = "community_resource"
    __table_args__ = (enum_check("community_resource", "category", ResourceCategory),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    category: str = Field(max_length=24)
    address: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40)
    web: str = Field(default="", max_length=300)
    hours: str = Field(default="", max_length=200)
    languages: str = Field(default="", max_length=200)
    cost: str = Field(default="", max_length=120)
    notes: str = Field(default="", max_length=1000)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    # Optimistic concurrency (services/versions.py): two staff editing one entry.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: datetime | None = None
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class ReferralConsent(SQLModel, table=True):
    """The client's written consent to disclose their information to one named
    outside recipient (42 CFR Part 2): who, what, why, until when, signed by the
    client (their full name as on their record). Family consents (models/family.py)
    name a support person on the portal; this one names a provider."""

    __tablename__ = "referral_consent"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    recipient: str = Field(max_length=200)  # the provider as named on the form
    resource_id: int | None = Field(default=None, foreign_key="community_resource.id")
    information: str = Field(max_length=300)  # what may be disclosed
    purpose: str = Field(max_length=300)
    expires_on: date
    signature: str = Field(max_length=120)  # the client's typed name
    signed_on: date
    on_paper: bool = Field(default=True)
    recorded_by: int = Field(foreign_key="user.id")
    granted_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class Referral(SQLModel, table=True):
    """A referral of a client to a community resource or another provider."""

    __tablename__ = "referral"
    __table_args__ = (
        Index("ix_referral_client_status", "client_id", "status"),
        enum_check("referral", "urgency", ReferralUrgency),
        enum_check("referral", "status", ReferralStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    resource_id: int | None = Field(default=None, foreign_key="community_resource.id")
    # The provider's name (a directory entry's, copied when referred) and how to reach them.
    provider: str = Field(max_length=200)
    contact: str = Field(default="", max_length=300)
    reason: str = Field(max_length=1000)
    urgency: str = Field(default="routine", max_length=16)
    discloses: bool = Field(default=False)  # shares the client's information with the provider
    consent_id: int | None = Field(default=None, foreign_key="referral_consent.id")
    status: str = Field(default="sent", max_length=16)
    appointment_on: date | None = None
    decline_reason: str = Field(default="", max_length=300)
    # The program-local day the next step is due (None once closed): the roster flags it after.
    due_on: date | None = None
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: datetime | None = None
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class ReferralStep(SQLModel, table=True):
    """One step of a referral's loop: what it became, when (server time), who recorded it."""

    __tablename__ = "referral_step"
    __table_args__ = (enum_check("referral_step", "status", ReferralStatus),)

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    status: str = Field(max_length=16)
    at: datetime = Field(default_factory=utcnow)
    recorded_by: int = Field(foreign_key="user.id")
    note: str = Field(default="", max_length=500)
    appointment_on: date | None = None


class ResourceShare(SQLModel, table=True):
    """A directory entry a staff member shared with a client (shown on their phone)."""

    __tablename__ = "resource_share"
    __table_args__ = (UniqueConstraint("client_id", "resource_id", name="uq_resource_share_client_resource"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    resource_id: int = Field(foreign_key="community_resource.id")
    note: str = Field(default="", max_length=300)
    shared_by: int = Field(foreign_key="user.id")
    shared_at: datetime = Field(default_factory=utcnow)
