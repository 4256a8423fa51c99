"""The append-only audit trail: writing events and the director's browsing of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from ..models import AuditEvent, User, utcnow
from .errors import PermissionDenied


def _event_values(
    actor: User | None,
    action: str,
    *,
    client_id: int | None = None,
    target: str = "",
    outcome: str = "success",
    detail: str = "",
    actor_label: str | None = None,
) -> dict:
    return dict(
        at=utcnow(),
        actor_user_id=actor.id if actor else None,
        actor_label=(actor_label if actor_label is not None else (actor.email if actor else ""))[:254],
        action=action[:64],
        client_id=client_id,
        target=target[:120],
        outcome=outcome[:16],
        detail=detail[:500],
    )


def record(session: Session, actor: User | None, action: str, **fields) -> AuditEvent:
    """Add an event to the caller's transaction (it commits with the change it describes).
    Fields: client_id, target, outcome ("success"), detail, actor_label (the actor's email)."""
    event = AuditEvent(**_event_values(actor, action, **fields))
    session.add(event)
    return event


_INSERT_EVENT = insert(AuditEvent)


def record_now(session: Session, actor: User | None, action: str, **fields) -> None:
    """Write an event in its own committed transaction, so it stays even if the
    caller's work is rolled back (denials, failed sign-ins) or never commits (views).
    A plain INSERT on its own connection: every staff read pays for it."""
    with session.get_bind().begin() as connection:
        connection.execute(_INSERT_EVENT, _event_values(actor, action, **fields))


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    client_id: int | None
    target: str
    outcome: str
    detail: str


def list_events(
    session: Session,
    actor: User,
    *,
    action: str = "",
    outcome: str = "",
    actor_text: str = "",
    client_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditRow], int]:
    """The director's view of the trail, newest first, with the total that matched."""
    if actor.role != "director":
        record_now(session, actor, "audit.view", outcome="denied", detail="not a director")
        raise PermissionDenied()
    conditions = []
    if action:
        conditions.append(col(AuditEvent.action).startswith(action))
    if outcome:
        conditions.append(AuditEvent.outcome == outcome)
    if actor_text:
        conditions.append(func.lower(AuditEvent.actor_label).contains(actor_text.lower()))
    if client_id is not None:
        conditions.append(AuditEvent.client_id == client_id)
    if since is not None:
        conditions.append(AuditEvent.at >= since)
    if until is not None:
        conditions.append(AuditEvent.at < until)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    rows = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset(max(0, offset))
        .limit(max(1, min(limit, 200)))
    ).all()
    return (
        [
            AuditRow(e.id, e.at, e.actor_label, e.action, e.client_id, e.target, e.outcome, e.detail)
            for e in rows
        ],
        total,
    )
