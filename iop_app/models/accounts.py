"""People and sign-in: users, server-side sessions, staff profiles, settings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, col

from .base import utcnow
from .enums import STAFF_ROLES, Role, enum_check


class User(SQLModel, table=True):
    __tablename__ = "user"
    __table_args__ = (enum_check("user", "role", Role),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lower-cased
    full_name: str = Field(max_length=120)
    password_hash: str = Field(default="", max_length=255)  # empty until activated
    role: str = Field(max_length=16, index=True)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)

    # Role questions are asked here, once, not as string comparisons all over the code.
    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def is_family(self) -> bool:
        return self.role == Role.FAMILY

    @property
    def is_therapist(self) -> bool:
        return self.role == Role.THERAPIST

    @property
    def is_director(self) -> bool:
        return self.role == Role.DIRECTOR

    @property
    def is_staff(self) -> bool:
        """A therapist or the director: documents care, sees a roster."""
        return self.role in STAFF_ROLES


def role_in(*roles: Role):
    """SQL condition on User: the account has one of `roles` (queries say which
    people they list through this, not with string comparisons)."""
    return col(User.role).in_(roles)


class AuthSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of the random token is stored."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime  # absolute limit
    ended_at: datetime | None = None
    ended_reason: str | None = Field(default=None, max_length=32)
    # Where the sign-in came from: an address this account signed in from before is
    # not held back by the account's failure delay (services/auth.py).
    client_ip: str = Field(default="", max_length=64)


class FailureCounter(SQLModel, table=True):
    """Failed sign-ins or activations under one key: an account (the email typed,
    known or not) or a source (the client's IP address). See services/throttle.py."""

    __tablename__ = "failure_counter"

    kind: str = Field(primary_key=True, max_length=32)  # services.throttle.Kind
    key: str = Field(primary_key=True, max_length=254)
    failures: int = Field(default=0)
    last_failure_at: datetime = Field(default_factory=utcnow, index=True)  # old rows are pruned by it
    delayed_until: datetime | None = None  # attempts before this are refused unheard


class StaffProfile(SQLModel, table=True):
    __tablename__ = "staff_profile"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    credentials: str = Field(default="", max_length=60)  # e.g. LCSW, LMFT, CADC
    phone: str = Field(default="", max_length=40)


class ProgramSetting(SQLModel, table=True):
    """Program-wide settings the director may change (time zone, weekly target)."""

    __tablename__ = "program_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)
