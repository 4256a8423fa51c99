"""Break-glass (emergency) access, HIPAA §164.312(a)(2)(ii).

A therapist who must see a client off their caseload in an emergency opens the
record after giving a reason. The grant lasts `program.break_glass_minutes`
(director's setting, 15–240, default 60); while it lasts, permissions.require and
permissions.check let that therapist READ and WRITE that one record, and audit
every use as emergency access (target "break_glass:<id>"). Opening is audited as
"break_glass.open". The director sees every grant with its uses and marks each
one reviewed with a note. Only therapists may open one: the director already sees
every record; clients and family members never may.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, and_, case, cast, literal
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ..models import AuditEvent, BreakGlassGrant, Client, User, utcnow
from . import audit, permissions, program
from .errors import NotFound, PermissionDenied, ValidationError
from .ids import is_id

REASON_MIN = 10
REASON_MAX = 500
NOTE_MAX = 500
LIST_LIMIT = 200


def _validated_reason(reason) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError({"reason": "Give the reason for emergency access."})
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise ValidationError({"reason": f"Explain the emergency in {REASON_MIN} to {REASON_MAX} characters."})
    return text


def open_grant(session: Session, actor: User, client_id: int, reason: str,
               now: datetime | None = None) -> BreakGlassGrant:
    """Open emergency access to one client for this therapist, or return the grant
    already in force. Refuses (audited) anyone but an active therapist and unknown
    clients; refuses clients already on the caseload (nothing to break)."""
    now = now or utcnow()
    if not actor.is_therapist or not actor.active:
        audit.record_now(session, actor, "break_glass.open", target=f"client:{client_id}"[:120], outcome="denied",
                         detail=f"{actor.role} may not use emergency access")
        raise PermissionDenied()
    text = _validated_reason(reason)
    client = session.get(Client, client_id) if is_id(client_id) else None
    if client is None:
        audit.record_now(session, actor, "break_glass.open", target=f"client:{client_id}"[:120], outcome="denied",
                         detail="no such client")
        raise PermissionDenied()
    if permissions.can(session, actor, permissions.READ, client.id):
        raise ValidationError({"reason": "This client is on your caseload: their record is open to you already."})
    existing = permissions.active_grant(session, actor, permissions.READ, client.id, now)
    if existing is not None:
        return existing
    grant = BreakGlassGrant(therapist_id=actor.id, client_id=client.id, reason=text, started_at=now,
                            expires_at=now + timedelta(minutes=program.break_glass_minutes(session)))
    return audit.save_new(session, actor, grant, "break_glass.open", "break_glass", client_id=client.id,
                          detail=f"until {grant.expires_at.isoformat(timespec='minutes')}: {text}")


def grant_in_use(session: Session, actor: User, client_id: int, now: datetime | None = None) -> BreakGlassGrant | None:
    """The grant this actor's access to the record rests on: None when the record is
    open to them anyway (caseload, director) or not at all."""
    if not actor.is_therapist or permissions.can(session, actor, permissions.READ, client_id):
        return None
    return permissions.active_grant(session, actor, permissions.READ, client_id, now)


# ----------------------------------------------------------------- director's review
@dataclass(frozen=True)
class GrantRow:
    id: int
    therapist: str
    therapist_email: str
    client_id: int
    client: str
    reason: str
    started_at: datetime
    expires_at: datetime
    views: int  # audited reads under this grant
    changes: int  # audited writes under this grant
    reviewed_by: str
    reviewed_at: datetime | None
    review_note: str

    def active(self, now: datetime) -> bool:
        return self.started_at <= now < self.expires_at


def _require_director(session: Session, actor: User, what: str) -> None:
    permissions.require_director(session, actor, what, detail=f"{actor.role} may not")


def list_grants(session: Session, actor: User, *, unreviewed_only: bool = False,
                limit: int = LIST_LIMIT) -> tuple[list[GrantRow], int]:
    """Every use of emergency access, newest first (or only those still to review),
    with the number of audited views and changes made under each; and the total."""
    _require_director(session, actor, "break_glass.list")
    therapist, person, reviewer = aliased(User), aliased(User), aliased(User)
    grant = BreakGlassGrant
    # Uses of a grant: audit rows of that therapist on that client during the grant,
    # found through the (client_id, at) index, marked with the grant's target.
    uses = and_(
        AuditEvent.client_id == grant.client_id,
        AuditEvent.at >= grant.started_at,
        AuditEvent.at <= grant.expires_at,
        AuditEvent.actor_user_id == grant.therapist_id,
        AuditEvent.outcome == "allowed",
        AuditEvent.target == literal("break_glass:", String()) + cast(grant.id, String()),
    )
    is_write = col(AuditEvent.detail).startswith(f"{permissions.WRITE}:")
    views = (select(func.count()).select_from(AuditEvent).where(uses, ~is_write)
             .correlate(grant).scalar_subquery())
    changes = (select(func.coalesce(func.sum(case((is_write, 1), else_=0)), 0)).select_from(AuditEvent).where(uses)
               .correlate(grant).scalar_subquery())
    condition = col(grant.reviewed_at).is_(None) if unreviewed_only else True
    total = session.exec(select(func.count()).select_from(grant).where(condition)).one()
    rows = session.exec(
        select(grant, therapist.full_name, therapist.email, person.full_name, reviewer.full_name,
               cast(views, Integer()), cast(changes, Integer()))
        .join(therapist, therapist.id == grant.therapist_id)
        .join(Client, Client.id == grant.client_id)
        .join(person, person.id == Client.user_id)
        .outerjoin(reviewer, reviewer.id == grant.reviewed_by)
        .where(condition)
        .order_by(col(grant.started_at).desc(), col(grant.id).desc())
        .limit(max(1, min(limit, LIST_LIMIT)))
    ).all()
    return [
        GrantRow(id=g.id, therapist=t_name, therapist_email=t_email, client_id=g.client_id, client=c_name,
                 reason=g.reason, started_at=g.started_at, expires_at=g.expires_at, views=n_views or 0,
                 changes=n_changes or 0, reviewed_by=r_name or "", reviewed_at=g.reviewed_at,
                 review_note=g.review_note)
        for g, t_name, t_email, c_name, r_name, n_views, n_changes in rows
    ], total


def unreviewed_count(session: Session, actor: User) -> int:
    _require_director(session, actor, "break_glass.list")
    return session.exec(select(func.count()).select_from(BreakGlassGrant)
                        .where(col(BreakGlassGrant.reviewed_at).is_(None))).one()


def review(session: Session, actor: User, grant_id: int, note: str, now: datetime | None = None) -> BreakGlassGrant:
    """The director marks one use of emergency access reviewed, with a note."""
    _require_director(session, actor, "break_glass.review")
    grant = session.get(BreakGlassGrant, grant_id) if is_id(grant_id) else None
    if grant is None:
        raise NotFound("That emergency access could not be found.")
    text = note.strip() if isinstance(note, str) else ""
    if not text:
        raise ValidationError({"note": "Write a short note on your review."})
    if len(text) > NOTE_MAX:
        raise ValidationError({"note": f"The note must be at most {NOTE_MAX} characters."})
    if grant.reviewed_at is not None:
        raise ValidationError({"note": "This emergency access was already reviewed."})
    grant.reviewed_by = actor.id
    grant.reviewed_at = now or utcnow()
    grant.review_note = text
    session.add(grant)
    audit.record(session, actor, "break_glass.review", client_id=grant.client_id, target=f"break_glass:{grant.id}",
                 detail=text)
    session.commit()
    return grant
