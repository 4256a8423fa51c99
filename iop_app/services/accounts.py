"""Accounts: the director creates staff and client accounts and can disable any
account. There is no open self-registration (family accounts come from a
client's invitation, in services.family)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from ..models import Client, StaffProfile, User, role_in
from ..models.enums import STAFF_ROLES, Role
from . import audit, auth, permissions
from .errors import ValidationError
from .ids import is_id

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def _require_director(session: Session, actor: User, what: str) -> None:
    permissions.require_director(session, actor, what, detail="director only")


def validate_identity(session: Session, email: str, full_name: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    email = auth.normalize_email(email if isinstance(email, str) else "")
    full_name = (full_name if isinstance(full_name, str) else "").strip()
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = "Enter a valid email address."
    elif session.exec(select(User.id).where(User.email == email)).first() is not None:
        errors["email"] = "An account with that email already exists."
    if not 1 <= len(full_name) <= 120:
        errors["full_name"] = "Enter a name (up to 120 characters)."
    if errors:
        raise ValidationError(errors)
    return email, full_name


def _new_user(session: Session, email: str, full_name: str, role: str, password: str) -> User:
    email, full_name = validate_identity(session, email, full_name)
    problem = auth.password_problem(password, email)
    if problem:
        raise ValidationError({"password": problem})
    user = User(email=email, full_name=full_name, role=role, password_hash=auth.hash_password(password, email))
    session.add(user)
    session.flush()
    return user


def create_staff(
    session: Session, actor: User, *, email: str, full_name: str, role: str, password: str, credentials: str = ""
) -> User:
    _require_director(session, actor, "account.create")
    if role not in STAFF_ROLES:
        raise ValidationError({"role": "Staff are therapists or directors."})
    user = _new_user(session, email, full_name, role, password)
    session.add(StaffProfile(user_id=user.id, credentials=(credentials or "")[:60]))
    audit.record(session, actor, "account.create", target=f"user:{user.id}", detail=role)
    session.commit()
    return user


def create_client(
    session: Session,
    actor: User,
    *,
    email: str,
    full_name: str,
    password: str,
    admission_date: date,
    primary_therapist_id: int | None,
    status: str = "intake",
) -> Client:
    _require_director(session, actor, "account.create")
    if status not in ("intake", "active"):
        raise ValidationError({"status": "A new client starts in intake or active."})
    if primary_therapist_id is not None:
        therapist = session.get(User, primary_therapist_id) if is_id(primary_therapist_id) else None
        if therapist is None or not therapist.is_therapist:
            raise ValidationError({"primary_therapist_id": "Choose a therapist."})
    user = _new_user(session, email, full_name, Role.CLIENT, password)
    client = Client(
        user_id=user.id, admission_date=admission_date, status=status, primary_therapist_id=primary_therapist_id
    )
    session.add(client)
    session.flush()
    audit.record(session, actor, "account.create", client_id=client.id, target=f"user:{user.id}", detail="client")
    session.commit()
    return client


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    """Disable (or re-enable) an account; disabling ends its sessions at once."""
    _require_director(session, actor, "account.disable" if not active else "account.enable")
    user = session.get(User, user_id) if is_id(user_id) else None
    if user is None:
        raise ValidationError({"user_id": "No such account."})
    if user.id == actor.id and not active:
        raise ValidationError({"user_id": "You cannot disable your own account."})
    user.active = bool(active)
    session.add(user)
    if not active:
        auth.end_all_sessions(session, user.id, "disabled")
    audit.record(session, actor, "account.disable" if not active else "account.enable", target=f"user:{user.id}")
    session.commit()
    return user


@dataclass(frozen=True)
class AccountRow:
    id: int
    email: str
    full_name: str
    role: str
    active: bool


def list_accounts(session: Session, actor: User, role: str = "") -> list[AccountRow]:
    _require_director(session, actor, "account.list")
    query = select(User).order_by(User.role, User.full_name)
    if role:
        query = query.where(role_in(role))
    return [AccountRow(u.id, u.email, u.full_name, u.role, u.active) for u in session.exec(query).all()]


def therapists(session: Session) -> list[tuple[int, str]]:
    rows = session.exec(
        select(User.id, User.full_name).where(role_in(Role.THERAPIST), col(User.active).is_(True))
        .order_by(User.full_name)
    ).all()
    return [(r[0], r[1]) for r in rows]


def create_first_director(session: Session, *, email: str, full_name: str, password: str) -> User:
    """For a production install: the first account, made from the command line."""
    if session.exec(select(func.count()).select_from(User).where(role_in(Role.DIRECTOR))).one():
        raise ValidationError({"email": "A director account already exists; sign in as that director."})
    user = _new_user(session, email, full_name, Role.DIRECTOR, password)
    session.add(StaffProfile(user_id=user.id))
    audit.record(session, None, "account.create", target=f"user:{user.id}", detail="first director (command line)")
    session.commit()
    return user
