"""Passwords, sign-in with throttling, and server-side sessions.

- argon2id hashes (argon2-cffi defaults); 12 to 1024 characters, never truncated;
  common passwords refused. Hashing takes ~0.1-0.2 s of CPU: the app calls
  `sign_in` from a worker thread, never on the event loop (state/base.py).
- Failed sign-ins are counted by account (the email typed, known or not) and by
  source (the client's IP address) in services/throttle.py: after a few failures
  each further one holds that key back for a growing time (2 s, 4 s ... 15 min).
  While held back an attempt is refused before any hashing. There is no hard lock:
  an address this account signed in from in the last 30 days is not held back by
  the account's delay (only by its own), so a stranger's guesses cannot keep the
  owner out. Every failure gets the same message, and unknown emails cost the same
  hashing and are counted the same way, so nobody can tell which emails exist.
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
from . import audit, throttle
from .errors import ServiceError, ValidationError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# A source this account signed in from within this time is not held back by the account's delay.
KNOWN_SOURCE_DAYS = 30
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# Only write last_seen when it is this stale: one write per half minute, not per event.
TOUCH_INTERVAL = timedelta(seconds=30)
SIGNIN_FAILED_MESSAGE = (
    "Sign-in failed. Check your email and password. After repeated failures, "
    "each new try has to wait a little longer (up to 15 minutes)."
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
    session: Session,
    email: str,
    password: str,
    now: datetime | None = None,
    previous_token: str = "",
    client_ip: str = "",
) -> SignedIn:
    """Check the password and open a new session (a fresh token: rotated at sign-in).
    `client_ip`: the source address as the server saw it (counted by the throttle).
    Blocking (argon2): call it from a worker thread in the app."""
    now = now or utcnow()
    email = normalize_email(email)[:254]
    password = password if isinstance(password, str) else ""
    client_ip = client_ip.strip()[:64] if isinstance(client_ip, str) else ""
    account = throttle.account_key(throttle.Kind.SIGNIN_ACCOUNT, email)
    source = throttle.source_key(throttle.Kind.SIGNIN_SOURCE, client_ip)
    with throttle.one_at_a_time(account, source):
        user = session.exec(select(User).where(User.email == email)).first() if email else None
        held = throttle.held_back(session, [source, account], now)
        if account in held and user is not None and _known_source(session, user, client_ip, now):
            held.remove(account)  # the owner's usual address: only its own counter applies
        if held:
            # Refused unheard: no hashing, no write (a flood costs nothing). The delay
            # itself was audited when it began.
            raise ServiceError(SIGNIN_FAILED_MESSAGE)
        if user is None or not user.password_hash:
            _verify(_DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
            raise _failed(session, None, email, account, source, "unknown or inactive account", now)
        if len(password) > MAX_PASSWORD_LENGTH or not _verify(user.password_hash, password) or not user.active:
            reason = "wrong password" if user.active else "account disabled"
            raise _failed(session, user, email, account, source, reason, now)

        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
            session.add(user)
        throttle.clear(session, account)
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
                client_ip=client_ip,
            )
        )
        audit.record(session, user, "signin", outcome="success", detail=_from(client_ip))
        session.commit()
        return SignedIn(token, user)


def _failed(session: Session, user: User | None, email: str, account, source, reason: str,
            now: datetime) -> ServiceError:
    """Count a failed sign-in under its account and source and audit it; the error to raise."""
    for key in (account, source):
        throttle.record_failure(session, key, now, audit_action="signin.delay", actor_label=email)
    audit.record(session, user, "signin", outcome="failure", actor_label=email,
                 detail=f"{reason}{' ' + _from(source[1]) if source else ''}")
    session.commit()
    return ServiceError(SIGNIN_FAILED_MESSAGE)


def _from(client_ip: str) -> str:
    return f"from {client_ip}" if client_ip else ""


def _known_source(session: Session, user: User, client_ip: str, now: datetime) -> bool:
    """Has this account signed in from this address lately?"""
    if not client_ip:
        return False
    return session.exec(
        select(AuthSession.id).where(
            AuthSession.user_id == user.id,
            AuthSession.client_ip == client_ip,
            col(AuthSession.created_at) >= now - timedelta(days=KNOWN_SOURCE_DAYS),
        ).limit(1)
    ).first() is not None


def _end(session: Session, token: str, now: datetime, reason: str) -> AuthSession | None:
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(token))).first()
    if row and row.ended_at is None:
        row.ended_at = now
        row.ended_reason = reason
        session.add(row)
        return row
    return None


def resolve_session(session: Session, token: str, now: datetime | None = None, *, touch: bool = True) -> User | None:
    """The user behind a session token, or None if it is unknown, ended, idle too
    long, past its absolute limit, or the account is disabled.
    touch=False: a check that is not activity (an idle tab's timer): the session's
    last_seen stays as it is, so the idle timeout still comes."""
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
    if touch and now - row.last_seen_at >= TOUCH_INTERVAL:
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
