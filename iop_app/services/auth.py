"""Passwords, sign-in with throttling, and server-side sessions.

- argon2id hashes (argon2-cffi defaults); 12 to 1024 characters, never truncated;
  common passwords refused.
- 5 failed sign-ins lock the account for 15 minutes; every failure gets the same
  message, and unknown emails cost the same hashing work, so nobody can tell
  which emails exist.
- A session is a random 256-bit token; only its SHA-256 is stored. Idle timeout
  (IOP_IDLE_MINUTES, default 15) and absolute timeout (12 hours). Sign-out and
  disabling an account end sessions on the server at once.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from ..models import AuthSession, User, utcnow
from . import audit
from .errors import ServiceError, ValidationError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_FAILED_SIGNINS = 5
LOCKOUT = timedelta(minutes=15)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# Only write last_seen when it is this stale: one write per half minute, not per event.
TOUCH_INTERVAL = timedelta(seconds=30)
SIGNIN_FAILED_MESSAGE = (
    "Sign-in failed. Check your email and password. After repeated failures, "
    "sign-in is paused for 15 minutes."
)

_hasher = PasswordHasher()
_COMMON = {
    line.strip().lower()
    for line in (Path(__file__).with_name("common_passwords.txt")).read_text().splitlines()
    if line.strip()
}
# Verified against when the email is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


def idle_timeout() -> timedelta:
    return timedelta(minutes=int(os.environ.get("IOP_IDLE_MINUTES", "15")))


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password is not acceptable, or None."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 4:
        return "That password is too common or too easy to guess. Try a short sentence."
    if email and lowered == normalize_email(email):
        return "Do not use your email address as your password."
    return None


def hash_password(password: str, email: str = "") -> str:
    problem = password_problem(password, email)
    if problem:
        raise ValidationError({"password": problem})
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    token: str
    user: User


def sign_in(
    session: Session, email: str, password: str, now: datetime | None = None, previous_token: str = ""
) -> SignedIn:
    """Check the password and open a new session (a fresh token: rotated at sign-in)."""
    now = now or utcnow()
    email = normalize_email(email)[:254]
    password = password if isinstance(password, str) else ""
    user = session.exec(select(User).where(User.email == email)).first() if email else None
    if user is None or not user.password_hash:
        _verify(_DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
        audit.record_now(session, None, "signin", outcome="failure", actor_label=email, detail="unknown or inactive account")
        raise ServiceError(SIGNIN_FAILED_MESSAGE)
    if user.locked_until and user.locked_until > now:
        _verify(_DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
        audit.record_now(session, user, "signin", outcome="failure", detail="account locked")
        raise ServiceError(SIGNIN_FAILED_MESSAGE)
    if len(password) > MAX_PASSWORD_LENGTH or not _verify(user.password_hash, password) or not user.active:
        user.failed_signins = (user.failed_signins or 0) + 1
        detail = "wrong password" if user.active else "account disabled"
        if user.failed_signins >= MAX_FAILED_SIGNINS:
            user.locked_until = now + LOCKOUT
            user.failed_signins = 0
            audit.record(session, user, "lockout", outcome="success", detail="5 failed sign-ins")
        audit.record(session, user, "signin", outcome="failure", detail=detail)
        session.add(user)
        session.commit()
        raise ServiceError(SIGNIN_FAILED_MESSAGE)

    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_signins = 0
    user.locked_until = None
    if previous_token:
        _end(session, previous_token, now, "rotated")
    token = secrets.token_urlsafe(32)  # 256 random bits
    session.add(
        AuthSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE_TIMEOUT,
        )
    )
    session.add(user)
    audit.record(session, user, "signin", outcome="success")
    session.commit()
    return SignedIn(token, user)


def _end(session: Session, token: str, now: datetime, reason: str) -> AuthSession | None:
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(token))).first()
    if row and row.ended_at is None:
        row.ended_at = now
        row.ended_reason = reason
        session.add(row)
        return row
    return None


def resolve_session(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The user behind a session token, or None if it is unknown, ended, idle too
    long, past its absolute limit, or the account is disabled."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = now or utcnow()
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(token))).first()
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.user_id)
    reason = None
    if user is None or not user.active:
        reason = "disabled"
    elif now >= row.expires_at:
        reason = "expired"
    elif now - row.last_seen_at > idle_timeout():
        reason = "timeout"
    if reason:
        row.ended_at = now
        row.ended_reason = reason
        session.add(row)
        if reason in ("timeout", "expired"):
            audit.record(session, user, "session.timeout", detail=reason)
        session.commit()
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return user


def sign_out(session: Session, token: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    row = _end(session, token, now, "signout") if isinstance(token, str) and token else None
    if row:
        audit.record(session, session.get(User, row.user_id), "signout")
        session.commit()


def end_all_sessions(session: Session, user_id: int, reason: str, now: datetime | None = None) -> int:
    now = now or utcnow()
    rows = session.exec(
        select(AuthSession).where(AuthSession.user_id == user_id, col(AuthSession.ended_at).is_(None))
    ).all()
    for row in rows:
        row.ended_at = now
        row.ended_reason = reason
        session.add(row)
    return len(rows)


def change_password(session: Session, actor: User, current: str, new: str) -> None:
    if not _verify(actor.password_hash, current if isinstance(current, str) else ""):
        raise ValidationError({"current_password": "That is not your current password."})
    actor.password_hash = hash_password(new, actor.email)
    session.add(actor)
    audit.record(session, actor, "password.change")
    session.commit()
